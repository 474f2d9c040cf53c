//! The API's response bodies. Participant responses use the same flat field names that
//! `POST` and `PATCH` accept, so a client can read, change and send back one shape.

use kindred_app::participants::{ParticipantRecord, ResearchParticipant};
use kindred_domain::audit::{AuditAction, AuditEvent};
use kindred_domain::consent::{Consent, ConsentStatus};
use kindred_domain::ids::{ConsentId, OrgId, ParticipantId, ProgramId, UserId};
use kindred_domain::participant::{Baseline, Enrolment};
use kindred_domain::vocabulary::{
    AgeBand, ConsentPurpose, DisclosureItem, Gender, Housing, JusticeInvolvement,
    ParticipantStatus, PrimarySubstance, ReferralSource, Role, Setting, TreatmentPhase,
    YesNoUnknown,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

pub fn timestamp(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The organisation's short name.
    pub org: String,
    pub email: String,
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`. Shown once.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: UserId,
    pub organisation_id: OrgId,
    pub email: String,
    pub display_name: String,
    pub roles: Vec<Role>,
}

/// A participant. Identity fields (`given_name` … `email`) are present only when the caller
/// may see identities (`identified` is true); evaluators get the research record alone.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantBody {
    pub id: ParticipantId,
    /// Short human reference, e.g. `P-0042`.
    pub reference: String,
    pub identified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred_name: Option<String>,
    /// ISO 8601 date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub program_id: Option<ProgramId>,
    pub program_name: Option<String>,
    /// ISO 8601 date.
    pub enrolled_on: String,
    pub setting: Option<Setting>,
    pub referral_source: Option<ReferralSource>,
    pub treatment_phase: Option<TreatmentPhase>,
    pub coach_id: Option<UserId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coach_name: Option<String>,
    pub status: ParticipantStatus,
    /// ISO 8601 date they withdrew or were lost to follow-up, while their status says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub left_on: Option<String>,
    pub age_band: AgeBand,
    pub gender: Option<Gender>,
    pub primary_substance: Option<PrimarySubstance>,
    pub co_occurring_mental_disorder: YesNoUnknown,
    pub housing: Option<Housing>,
    pub justice_involvement: Option<JusticeInvolvement>,
    pub pregnant: YesNoUnknown,
    pub veteran: YesNoUnknown,
    /// Send back in `If-Match` when patching, to refuse overwriting someone else's change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl ParticipantBody {
    fn research(
        id: ParticipantId,
        reference: String,
        e: &Enrolment,
        b: &Baseline,
        program_name: Option<String>,
    ) -> Self {
        Self {
            id,
            reference,
            identified: false,
            given_name: None,
            family_name: None,
            preferred_name: None,
            date_of_birth: None,
            phone: None,
            email: None,
            program_id: e.program_id,
            program_name,
            enrolled_on: e.enrolled_on.to_string(),
            setting: e.setting,
            referral_source: e.referral_source,
            treatment_phase: e.treatment_phase,
            coach_id: e.coach_id,
            coach_name: None,
            status: e.status,
            left_on: e.left_on.map(|d| d.to_string()),
            age_band: b.age_band,
            gender: b.gender,
            primary_substance: b.primary_substance,
            co_occurring_mental_disorder: b.co_occurring_mental_disorder,
            housing: b.housing,
            justice_involvement: b.justice_involvement,
            pregnant: b.pregnant,
            veteran: b.veteran,
            version: None,
        }
    }
}

impl From<&ParticipantRecord> for ParticipantBody {
    fn from(stored: &ParticipantRecord) -> Self {
        let p = &stored.participant;
        let i = &p.identity;
        Self {
            identified: true,
            given_name: Some(i.given_name.clone()),
            family_name: Some(i.family_name.clone()),
            preferred_name: i.preferred_name.clone(),
            date_of_birth: Some(i.date_of_birth.to_string()),
            phone: i.phone.clone(),
            email: i.email.as_ref().map(|e| e.to_string()),
            coach_name: stored.coach_name.clone(),
            version: Some(p.version),
            ..Self::research(
                p.id,
                p.reference.clone(),
                &p.enrolment,
                &p.baseline,
                stored.program_name.clone(),
            )
        }
    }
}

impl From<&ResearchParticipant> for ParticipantBody {
    fn from(r: &ResearchParticipant) -> Self {
        Self::research(r.id, r.reference.clone(), &r.enrolment, &r.baseline, r.program_name.clone())
    }
}

/// One line of a participant listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantListItem {
    pub id: ParticipantId,
    pub reference: String,
    /// Absent for research records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub status: ParticipantStatus,
    pub enrolled_on: String,
    pub coach_id: Option<UserId>,
    pub program_name: Option<String>,
    /// The figures at a glance; absent for research records and for callers who may not see
    /// the participant's work.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_a_glance: Option<GlanceBody>,
}

/// A participant's last and next contact, overdue tasks and risk flags.
#[derive(Debug, Serialize, ToSchema)]
pub struct GlanceBody {
    /// The day of the most recent contact (ISO 8601).
    pub last_contact_on: Option<String>,
    /// The next planned contact: the earliest open follow-up task's due day (a logged
    /// contact's "next follow-up" date makes one).
    pub next_contact_on: Option<String>,
    /// The day of the next scheduled appointment with another service, today or later.
    pub next_appointment_on: Option<String>,
    /// Open tasks due before today.
    pub overdue_tasks: u32,
    pub risk_flags: Vec<RiskFlagBody>,
}

/// Something on the record that needs attention soon.
#[derive(Debug, Serialize, ToSchema)]
pub struct RiskFlagBody {
    /// `phq9_item9` (the most recent PHQ-9 answering item 9 answered it above 0) or
    /// `window_closing` (an open follow-up window, not yet done, closes within 7 days).
    pub code: &'static str,
    /// The flag in words.
    pub label: String,
    /// The PHQ-9's date, or the day the window closes (ISO 8601).
    pub on: String,
    /// The time point whose window closes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time_point: Option<String>,
}

impl From<kindred_app::caseload_glance::Glance> for GlanceBody {
    fn from(g: kindred_app::caseload_glance::Glance) -> Self {
        use kindred_app::caseload_glance::RiskFlag;
        let day = |d: Option<time::Date>| d.map(|d| d.to_string());
        GlanceBody {
            last_contact_on: day(g.last_contact),
            next_contact_on: day(g.next_contact),
            next_appointment_on: day(g.next_appointment),
            overdue_tasks: g.overdue_tasks,
            risk_flags: g
                .risks
                .into_iter()
                .map(|r| match r {
                    RiskFlag::SelfHarmItem { administered_on } => RiskFlagBody {
                        code: "phq9_item9",
                        label: "PHQ-9 item 9 answered above 0".into(),
                        on: administered_on.to_string(),
                        time_point: None,
                    },
                    RiskFlag::WindowClosing { time_point, closes_on } => RiskFlagBody {
                        code: "window_closing",
                        label: format!("{time_point} window closes {closes_on}"),
                        on: closes_on.to_string(),
                        time_point: Some(time_point),
                    },
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ParticipantList {
    pub items: Vec<ParticipantListItem>,
    /// How many match, counted up to 500.
    pub total: i64,
    /// More than `total` (the count stopped at its cap).
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ConsentBody {
    pub id: ConsentId,
    pub participant_id: ParticipantId,
    pub disclose: Vec<DisclosureItem>,
    pub recipient: String,
    pub purpose: ConsentPurpose,
    pub signed_on: String,
    pub expires_on: String,
    pub notes: Option<String>,
    /// Whether it can be relied on today.
    pub status: ConsentStatus,
    pub recorded_by: UserId,
    pub recorded_at: String,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<UserId>,
    pub revocation_reason: Option<String>,
}

impl ConsentBody {
    pub fn new(c: &Consent, today: time::Date) -> Self {
        let revocation = c.revocation.as_ref();
        Self {
            id: c.id,
            participant_id: c.participant_id,
            disclose: c.terms.disclose.clone(),
            recipient: c.terms.recipient.clone(),
            purpose: c.terms.purpose,
            signed_on: c.terms.signed_on.to_string(),
            expires_on: c.terms.expires_on.to_string(),
            notes: c.terms.notes.clone(),
            status: c.status(today),
            recorded_by: c.recorded_by,
            recorded_at: timestamp(c.recorded_at),
            revoked_at: revocation.map(|r| timestamp(r.at)),
            revoked_by: revocation.map(|r| r.by),
            revocation_reason: revocation.and_then(|r| r.reason.clone()),
        }
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct RevokeRequest {
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEventBody {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<UserId>,
    pub actor: String,
    pub action: AuditAction,
    pub record_type: String,
    pub record_id: Option<String>,
    pub detail: String,
    /// Hex SHA-256 of this link of the chain.
    pub hash: String,
}

impl From<&AuditEvent> for AuditEventBody {
    fn from(e: &AuditEvent) -> Self {
        Self {
            seq: e.seq,
            at: timestamp(e.at),
            actor_id: e.entry.actor_id,
            actor: e.entry.actor_label.clone(),
            action: e.entry.action,
            record_type: e.entry.record_type.clone(),
            record_id: e.entry.record_id.clone(),
            detail: e.entry.detail.clone(),
            hash: e.hash.iter().map(|b| format!("{b:02x}")).collect(),
        }
    }
}
