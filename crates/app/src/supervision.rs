//! Supervision sessions and boundary concerns, recorded where supervisors review fidelity.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::supervision::{
    ConcernInput, NewBoundaryConcern, NewSupervisionSession, Resolution, ResolutionInput,
    SupervisionInput,
};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{ConcernCategory, ConcernStatus, SupervisionFormat};
use kindred_storage::{CoachFilter, Session};
use time::Date;
use uuid::Uuid;

use crate::audit::entry;
use crate::{Actor, App, AppError, Result, policy};

/// A supervision session as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupervisionSession {
    pub id: Uuid,
    pub supervisor_id: UserId,
    pub supervisor_name: String,
    pub coach_id: UserId,
    pub coach_name: String,
    pub held_on: Date,
    pub minutes: i32,
    pub format: SupervisionFormat,
    pub topics: String,
    pub notes: Option<String>,
}

impl From<kindred_storage::SupervisionSession> for SupervisionSession {
    fn from(s: kindred_storage::SupervisionSession) -> Self {
        Self {
            id: s.id,
            supervisor_id: s.supervisor_id,
            supervisor_name: s.supervisor_name,
            coach_id: s.coach_id,
            coach_name: s.coach_name,
            held_on: s.held_on,
            minutes: s.minutes,
            format: s.format,
            topics: s.topics,
            notes: s.notes,
        }
    }
}

/// A boundary concern as raised (and perhaps resolved).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoundaryConcern {
    pub id: Uuid,
    pub coach_id: UserId,
    pub coach_name: String,
    pub participant_id: Option<ParticipantId>,
    pub participant_reference: Option<String>,
    pub raised_by: UserId,
    pub raised_on: Date,
    pub category: ConcernCategory,
    pub description: String,
    pub status: ConcernStatus,
    pub resolution: Option<String>,
    pub resolved_on: Option<Date>,
}

impl From<kindred_storage::BoundaryConcern> for BoundaryConcern {
    fn from(c: kindred_storage::BoundaryConcern) -> Self {
        Self {
            id: c.id,
            coach_id: c.coach_id,
            coach_name: c.coach_name,
            participant_id: c.participant_id,
            participant_reference: c.participant_reference,
            raised_by: c.raised_by,
            raised_on: c.raised_on,
            category: c.category,
            description: c.description,
            status: c.status,
            resolution: c.resolution,
            resolved_on: c.resolved_on,
        }
    }
}

/// The coach named in a form, if the actor may supervise them (else a `coach_id` field error).
async fn supervised_coach<M>(
    session: &mut Session<M>,
    actor: &Actor,
    coach: UserId,
) -> Result<User> {
    let not_ours = || {
        AppError::Invalid(FieldErrors::single("coach_id", "is not a coach of this organisation"))
    };
    let coach = session.user(coach).await?.ok_or_else(not_ours)?;
    policy::supervise(actor, &coach)
        .map_err(|reason| AppError::Invalid(FieldErrors::single("coach_id", reason)))?;
    Ok(coach)
}

impl App {
    /// The coaches `actor` may record supervision about, by name.
    pub async fn supervisable_coaches(&self, actor: &Actor) -> Result<Vec<User>> {
        let users = actor.tenant().read().await?.users().await?;
        Ok(users.into_iter().filter(|u| u.active && policy::supervise(actor, u).is_ok()).collect())
    }

    pub async fn record_supervision(
        &self,
        actor: &Actor,
        input: &SupervisionInput,
    ) -> Result<SupervisionSession> {
        let session = NewSupervisionSession::parse(input, self.clock().today())?;
        let mut tx = actor.tenant().write().await?;
        let coach = supervised_coach(&mut tx, actor, session.coach_id).await?;
        let id = Uuid::now_v7();
        let now = self.clock().now();
        tx.insert_supervision_session(id, actor.user_id(), &session, now).await?;
        let detail = format!("with {} on {}", coach.display_name, session.held_on);
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "supervision_session", Some(id.to_string()), detail),
        )
        .await?;
        let filter = CoachFilter { coach: Some(coach.id), team_of: None };
        let recorded = tx
            .supervision_sessions(filter, 1)
            .await?
            .into_iter()
            .find(|s| s.id == id)
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(recorded.into())
    }

    /// Recent sessions the actor may read (optionally one coach's), newest first.
    pub async fn supervision_sessions(
        &self,
        actor: &Actor,
        coach: Option<UserId>,
    ) -> Result<Vec<SupervisionSession>> {
        let mut filter = policy::supervision_sessions(actor)?;
        if let Some(coach) = coach {
            if filter.coach.is_some_and(|own| own != coach) {
                return Err(AppError::Forbidden(
                    "you can see only your own supervision sessions".into(),
                ));
            }
            filter.coach = Some(coach);
        }
        let sessions = actor.tenant().read().await?.supervision_sessions(filter, 200).await?;
        Ok(sessions.into_iter().map(SupervisionSession::from).collect())
    }

    pub async fn raise_concern(
        &self,
        actor: &Actor,
        input: &ConcernInput,
    ) -> Result<BoundaryConcern> {
        let concern = NewBoundaryConcern::parse(input, self.clock().today())?;
        let mut tx = actor.tenant().write().await?;
        let coach = supervised_coach(&mut tx, actor, concern.coach_id).await?;
        if let Some(participant) = concern.participant_id
            && tx.participant_facts(participant).await?.is_none()
        {
            return Err(FieldErrors::single(
                "participant_id",
                "is not a participant of this organisation",
            )
            .into());
        }
        let id = Uuid::now_v7();
        let now = self.clock().now();
        tx.insert_boundary_concern(id, actor.user_id(), &concern, now).await?;
        let detail = format!(
            "about {}: {}",
            coach.display_name,
            kindred_domain::vocabulary::Vocabulary::code(concern.category)
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "boundary_concern", Some(id.to_string()), detail),
        )
        .await?;
        let raised = tx.boundary_concern(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(raised.into())
    }

    /// Concerns the actor may read, open first. Concerns can name participants, so the read
    /// is audited.
    pub async fn boundary_concerns(
        &self,
        actor: &Actor,
        status: Option<ConcernStatus>,
    ) -> Result<Vec<BoundaryConcern>> {
        let filter = policy::boundary_concerns(actor)?;
        let concerns = actor.tenant().read().await?.boundary_concerns(filter, status).await?;
        let named: Vec<&str> =
            concerns.iter().filter_map(|c| c.participant_reference.as_deref()).collect();
        let detail = format!(
            "listed {} concerns naming {}",
            concerns.len(),
            if named.is_empty() { "no participant".to_owned() } else { named.join(" ") }
        );
        self.audit_read(actor, entry(actor, AuditAction::List, "boundary_concern", None, detail))
            .await?;
        Ok(concerns.into_iter().map(BoundaryConcern::from).collect())
    }

    pub async fn resolve_concern(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &ResolutionInput,
    ) -> Result<BoundaryConcern> {
        let mut tx = actor.tenant().write().await?;
        let concern = tx.boundary_concern(id).await?.ok_or(AppError::NotFound)?;
        let coach = tx.user(concern.coach_id).await?.ok_or(AppError::NotFound)?;
        policy::supervise(actor, &coach).map_err(|_| {
            AppError::Forbidden("only the coach's supervisor or a manager can resolve this".into())
        })?;
        if concern.status == ConcernStatus::Resolved {
            return Err(AppError::Conflict("this concern is already resolved".into()));
        }
        let resolution = Resolution::parse(input, concern.raised_on, self.clock().today())?;
        let now = self.clock().now();
        tx.resolve_boundary_concern(id, &resolution, now).await?;
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "boundary_concern", Some(id.to_string()), "resolved"),
        )
        .await?;
        let resolved = tx.boundary_concern(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(resolved.into())
    }
}
