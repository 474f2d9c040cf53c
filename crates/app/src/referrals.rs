//! Referrals to resources: making one (sharing only under a covering consent), moving it along
//! its closed loop, and the list of open referrals to follow up. Every read and write is
//! audited (record type `referral`).

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ParticipantId, ReferralId, ResourceId, UserId};
use kindred_domain::referral::{
    NewReferral, ReferralEvent, ReferralInput, ReferralStatusInput, Sharing, covering_consent,
    parse_transition,
};
use kindred_domain::vocabulary::{ReferralStatus, Vocabulary};
use kindred_storage::{NewReferralRecord, RecordWork, SeeWork, StoredReferral};
use time::{Date, OffsetDateTime};

use crate::audit::entry;
use crate::paging::{COUNT_CAP, PAGE_SIZE, Paged};
use crate::{Actor, App, AppError, Result};

const RECORD: &str = "referral";

/// A referral with the names people read and its loop (oldest step first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    pub id: ReferralId,
    pub participant_id: ParticipantId,
    pub resource_id: ResourceId,
    pub organisation_name: String,
    pub service_name: String,
    pub made_by: UserId,
    pub made_by_name: String,
    pub made_on: Date,
    pub status: ReferralStatus,
    /// What was shared and the consent relied on; `None` when nothing was shared.
    pub sharing: Option<Sharing>,
    pub note: Option<String>,
    pub updated_at: OffsetDateTime,
    pub events: Vec<ReferralEvent>,
}

impl From<StoredReferral> for Referral {
    fn from(r: StoredReferral) -> Self {
        Self {
            id: r.id,
            participant_id: r.participant_id,
            resource_id: r.resource_id,
            organisation_name: r.organisation_name,
            service_name: r.service_name,
            made_by: r.made_by,
            made_by_name: r.made_by_name,
            made_on: r.made_on,
            status: r.status,
            sharing: r.sharing,
            note: r.note,
            updated_at: r.updated_at,
            events: r.events,
        }
    }
}

/// A referral still open, with whose it is (for the follow-up list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralFollowUp {
    pub referral: Referral,
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_name: Option<String>,
}

/// A page of open referrals to follow up.
#[derive(Debug, Clone)]
pub struct ReferralPage {
    pub referrals: Vec<ReferralFollowUp>,
    pub paged: Paged,
}

impl From<kindred_storage::ReferralFollowUp> for ReferralFollowUp {
    fn from(f: kindred_storage::ReferralFollowUp) -> Self {
        Self {
            referral: f.referral.into(),
            participant_reference: f.participant_reference,
            participant_name: f.participant_name,
            coach_name: f.coach_name,
        }
    }
}

impl App {
    /// A participant's referrals, newest first, each with its loop.
    pub async fn referrals(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<Referral>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let referrals = session.referrals_of(&grant).await?;
        drop(session);
        let detail = format!("{}: {} referrals", grant.facts().reference(), referrals.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(participant.to_string()), detail),
        )
        .await?;
        Ok(referrals.into_iter().map(Referral::from).collect())
    }

    pub async fn referral(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        id: ReferralId,
    ) -> Result<Referral> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let referral = session.referral(&grant, id).await?.ok_or(AppError::NotFound)?;
        drop(session);
        let detail = format!("{}: referral", grant.facts().reference());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        Ok(referral.into())
    }

    /// Refers a participant to a resource. Sharing details with it is refused, with the reason
    /// and nothing saved, unless one current consent names the resource's organisation, for
    /// referral, and includes everything shared; the consent relied on is recorded.
    pub async fn make_referral(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &ReferralInput,
    ) -> Result<Referral> {
        let today = self.clock().today();
        let new = NewReferral::parse(input, today)?;
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let resource = tx.resource(new.resource_id).await?.ok_or_else(|| {
            FieldErrors::single("resource_id", "is not a resource of this organisation")
        })?;
        if !resource.active {
            return Err(FieldErrors::single(
                "resource_id",
                "is no longer offered in the directory; choose another service",
            )
            .into());
        }
        let recipient = &resource.details.organisation_name;
        let sharing = if new.share.is_empty() {
            None
        } else {
            let consents = tx.consents(&grant).await?;
            let consent_id = covering_consent(&consents, &new.share, recipient, today)
                .map_err(|reason| FieldErrors::single("share", reason))?;
            Some(Sharing { consent_id, items: new.share.clone() })
        };
        let id = ReferralId::generate();
        let now = self.clock().now();
        let record = NewReferralRecord {
            id,
            resource_id: resource.id,
            made_by: actor.user_id(),
            made_on: new.made_on,
            sharing: sharing.as_ref(),
            note: new.note.as_deref(),
        };
        tx.insert_referral(&grant, &record, now).await?;
        let shared = match &sharing {
            None => "nothing shared".to_owned(),
            Some(s) => {
                let items: Vec<&str> = s.items.iter().map(|i| i.code()).collect();
                format!("shared {} under consent {}", items.join(", "), s.consent_id)
            }
        };
        let detail = format!("{}: to {}; {shared}", grant.facts().reference(), resource.label());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let saved = tx.referral(&grant, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(saved.into())
    }

    /// Moves a referral along its loop (see `kindred_domain::referral` for the allowed moves).
    pub async fn move_referral(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        id: ReferralId,
        input: &ReferralStatusInput,
    ) -> Result<Referral> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let current = tx.referral(&grant, id).await?.ok_or(AppError::NotFound)?;
        let (to, note) = parse_transition(current.status, input)?;
        let now = self.clock().now();
        tx.move_referral(&grant, id, current.status, to, actor.user_id(), now, note.as_deref())
            .await?;
        let detail =
            format!("{}: {} → {}", grant.facts().reference(), current.status.label(), to.label());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let moved = tx.referral(&grant, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(moved.into())
    }

    /// Open referrals (sent or accepted) of the participants the actor follows, the longest
    /// untouched first, a page at a time.
    pub async fn referral_follow_ups(&self, actor: &Actor, page: i64) -> Result<ReferralPage> {
        let scope = self.policy.scope::<SeeWork>(actor)?;
        let mut session = actor.tenant().read().await?;
        let open = session.open_referrals(&scope, PAGE_SIZE, Paged::offset(page)).await?;
        let counted = session.count_open_referrals(&scope, COUNT_CAP + 1).await?;
        drop(session);
        let references: Vec<&str> = open.iter().map(|f| f.participant_reference.as_str()).collect();
        let detail = format!("open referrals: {}", references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, RECORD, None, detail)).await?;
        Ok(ReferralPage {
            referrals: open.into_iter().map(ReferralFollowUp::from).collect(),
            paged: Paged::new(counted, page.max(1)),
        })
    }
}
