//! Supervision sessions and boundary concerns, recorded where supervisors review fidelity.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::UserId;
use kindred_domain::supervision::{
    ConcernInput, NewBoundaryConcern, NewSupervisionSession, Resolution, ResolutionInput,
    SupervisionInput,
};
use kindred_domain::user::User;
use kindred_domain::vocabulary::ConcernStatus;
use kindred_storage::{BoundaryConcern, CoachFilter, Session, SupervisionSession};
use uuid::Uuid;

use crate::audit::entry;
use crate::{Actor, App, AppError, Result, policy};

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
        Ok(recorded)
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
        Ok(actor.tenant().read().await?.supervision_sessions(filter, 200).await?)
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
        Ok(raised)
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
        Ok(concerns)
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
        Ok(resolved)
    }
}
