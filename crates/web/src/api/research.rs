//! The evaluator's research view over the API: de-identified research records of every
//! participant in the actor's research scope — no names, dates of birth, contact details or
//! free text.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use kindred_app::research::ResearchParticipant;
use kindred_domain::ids::{ParticipantId, StudyId};
use kindred_domain::vocabulary::{
    AppointmentKind, HospitalisationKind, OutcomeEventKind, ParticipantStatus, SupportKind,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiCaller;

/// One participant's research record.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResearchRecordBody {
    pub id: ParticipantId,
    /// The record reference (`P-0042`), never a name.
    pub reference: String,
    pub program: Option<String>,
    /// ISO 8601 date.
    pub enrolled_on: String,
    pub status: ParticipantStatus,
    /// Baseline field code → value code (`age_band` → `25_34`: age as a band, never a date of
    /// birth). Fields not recorded are absent.
    pub baseline: BTreeMap<String, String>,
    pub dose: DoseBody,
    /// Outcome events, oldest first, without their detail.
    pub events: Vec<ResearchEventBody>,
    /// Completed assessments, oldest first: scores and bands, no answers' free text.
    pub assessments: Vec<ScoreBody>,
    /// Follow-up status per time point of the program's schedule.
    pub follow_up: Vec<FollowUpPointBody>,
    /// ISO 8601 date of the last contact or follow-up attempt that reached them.
    pub last_seen_on: Option<String>,
    /// The studies they are enrolled in, with their arm once the study's plan is locked.
    pub studies: Vec<StudyArmBody>,
}

/// A participant's place in one study.
#[derive(Debug, Serialize, ToSchema)]
pub struct StudyArmBody {
    pub study_id: StudyId,
    pub study_title: String,
    /// The arm's code; absent until the plan is locked (arms beside outcomes would show
    /// outcomes by arm).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arm_name: Option<String>,
}

/// Contacts and minutes.
#[derive(Debug, Serialize, ToSchema)]
pub struct DoseBody {
    pub contacts: i64,
    pub minutes: i64,
    pub by_support_kind: Vec<KindDoseBody>,
    pub by_component: Vec<ComponentDoseBody>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KindDoseBody {
    pub support_kind: SupportKind,
    pub contacts: i64,
    pub minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentDoseBody {
    /// The program component's name.
    pub component: String,
    pub contacts: i64,
    pub minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResearchEventBody {
    pub kind: OutcomeEventKind,
    /// ISO 8601 date.
    pub occurred_on: String,
    pub hospitalisation_kind: Option<HospitalisationKind>,
    pub appointment_kind: Option<AppointmentKind>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreBody {
    pub instrument: String,
    pub time_point: Option<String>,
    /// ISO 8601 date.
    pub administered_on: String,
    pub score: Option<f64>,
    pub band: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpPointBody {
    pub time_point: String,
    pub label: String,
    /// A follow-up status code (`completed_in_window`, `missed`…).
    pub status: String,
}

impl From<&ResearchParticipant> for ResearchRecordBody {
    fn from(p: &ResearchParticipant) -> Self {
        Self {
            id: p.id,
            reference: p.reference.clone(),
            program: p.program.clone(),
            enrolled_on: p.enrolled_on.to_string(),
            status: p.status,
            baseline: p.baseline.clone(),
            dose: DoseBody {
                contacts: p.dose.contacts,
                minutes: p.dose.minutes,
                by_support_kind: p
                    .dose
                    .by_support_kind
                    .iter()
                    .map(|(k, n, m)| KindDoseBody { support_kind: *k, contacts: *n, minutes: *m })
                    .collect(),
                by_component: p
                    .dose
                    .by_component
                    .iter()
                    .map(|(c, n, m)| ComponentDoseBody {
                        component: c.clone(),
                        contacts: *n,
                        minutes: *m,
                    })
                    .collect(),
            },
            events: p
                .events
                .iter()
                .map(|e| ResearchEventBody {
                    kind: e.kind,
                    occurred_on: e.occurred_on.to_string(),
                    hospitalisation_kind: e.hospitalisation_kind,
                    appointment_kind: e.appointment_kind,
                })
                .collect(),
            assessments: p
                .assessments
                .iter()
                .map(|a| ScoreBody {
                    instrument: a.instrument.clone(),
                    time_point: a.time_point.clone(),
                    administered_on: a.administered_on.to_string(),
                    score: a.score,
                    band: a.band.clone(),
                })
                .collect(),
            follow_up: p
                .follow_up
                .iter()
                .map(|(code, label, status)| FollowUpPointBody {
                    time_point: code.clone(),
                    label: label.clone(),
                    status: (*status).to_owned(),
                })
                .collect(),
            last_seen_on: p.last_seen_on.map(|d| d.to_string()),
            studies: p
                .studies
                .iter()
                .map(|s| StudyArmBody {
                    study_id: s.study_id,
                    study_title: s.study_title.clone(),
                    arm: s.arm.as_ref().map(|(code, _)| code.clone()),
                    arm_name: s.arm.as_ref().map(|(_, name)| name.clone()),
                })
                .collect(),
        }
    }
}

/// The research records of every participant in the caller's research scope (evaluators:
/// the organisation), by reference. Audited.
#[utoipa::path(
    get, path = "/api/v1/research/participants", tag = "research",
    responses((status = 200, body = Vec<ResearchRecordBody>), (status = 403, body = ErrorBody))
)]
pub async fn participants(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
) -> Result<Json<Vec<ResearchRecordBody>>, ApiError> {
    let records = state.app.research_records(&actor).await?;
    Ok(Json(records.iter().map(ResearchRecordBody::from).collect()))
}
