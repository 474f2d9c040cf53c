//! Recovery plans: the participant's goals, the steps towards them and each goal's status
//! history. Every read and write is audited (record type `recovery_goal`; a read of the whole
//! plan names the participant).

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{GoalId, GoalStepId, ParticipantId};
use kindred_domain::recovery_plan::{Goal, GoalInput, NewGoal, StepFields, StepInput};
use kindred_domain::vocabulary::Vocabulary;

use crate::audit::entry;
use kindred_storage::{RecordWork, SeeWork};

use crate::{Actor, App, AppError, Result};

const RECORD: &str = "recovery_goal";

impl App {
    /// A participant's recovery plan: their goals in order, with steps and history.
    pub async fn recovery_plan(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<Goal>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let goals = session.goals(&grant).await?;
        drop(session);
        let detail = format!("{}: plan of {} goals", grant.facts().reference(), goals.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(participant.to_string()), detail),
        )
        .await?;
        Ok(goals)
    }

    /// One goal with its steps and full status history.
    pub async fn goal(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        goal: GoalId,
    ) -> Result<Goal> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let found = session.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        drop(session);
        let detail = format!("{}: goal", grant.facts().reference());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(goal.to_string()), detail),
        )
        .await?;
        Ok(found)
    }

    /// Adds a goal to the plan.
    pub async fn add_goal(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &GoalInput,
    ) -> Result<Goal> {
        let new = NewGoal::parse(input)?;
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let id = GoalId::generate();
        let now = self.clock().now();
        tx.insert_goal(&grant, id, &new, actor.user_id(), now).await?;
        let detail = format!(
            "{}: {} goal, {}",
            grant.facts().reference(),
            new.domain.label(),
            new.status.label()
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let goal = tx.goal(&grant, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(goal)
    }

    /// Changes a goal's fields and, when the status moves, records who moved it, when and why.
    pub async fn update_goal(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        goal: GoalId,
        input: &GoalInput,
    ) -> Result<Goal> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let current = tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        let change = current.apply(input)?;
        if change.changed.is_empty() {
            return Ok(current);
        }
        let now = self.clock().now();
        tx.update_goal(&grant, goal, &change, current.status, actor.user_id(), now).await?;
        let mut detail =
            format!("{}: changed {}", grant.facts().reference(), change.changed.join(", "));
        if let Some((status, _)) = &change.status_change {
            detail.push_str(&format!(" ({} → {})", current.status.label(), status.label()));
        }
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(goal.to_string()), detail),
        )
        .await?;
        let updated = tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Adds a step to a goal.
    pub async fn add_goal_step(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        goal: GoalId,
        input: &StepInput,
    ) -> Result<Goal> {
        let fields = StepFields::parse(input, self.clock().today())?;
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        let now = self.clock().now();
        let step = GoalStepId::generate();
        tx.insert_goal_step(&grant, goal, step, &fields, now).await?;
        let detail = format!("{}: added step {step}", grant.facts().reference());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(goal.to_string()), detail),
        )
        .await?;
        let updated = tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Changes a step: its words, its target date, or whether (and when) it was done.
    pub async fn update_goal_step(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        goal: GoalId,
        step: GoalStepId,
        input: &StepInput,
    ) -> Result<Goal> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let current = tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        let existing = current.steps.iter().find(|s| s.id == step).ok_or(AppError::NotFound)?;
        let fields = existing.apply(input, self.clock().today())?;
        let what = match (existing.done_on, fields.done_on) {
            (None, Some(_)) => "ticked",
            (Some(_), None) => "unticked",
            _ => "changed",
        };
        let now = self.clock().now();
        tx.update_goal_step(&grant, goal, step, &fields, now).await?;
        let detail = format!("{}: {what} step {step}", grant.facts().reference());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(goal.to_string()), detail),
        )
        .await?;
        let updated = tx.goal(&grant, goal).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// Ticks a step done today, or unticks it (the quick action on the participant page).
    pub async fn toggle_goal_step(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        goal: GoalId,
        step: GoalStepId,
    ) -> Result<Goal> {
        let current = {
            let mut session = actor.tenant().read().await?;
            let grant = self.authorise::<RecordWork, _>(&mut session, actor, participant).await?;
            session.goal(&grant, goal).await?.ok_or(AppError::NotFound)?
        };
        let existing = current.steps.iter().find(|s| s.id == step).ok_or(AppError::NotFound)?;
        let done_on = match existing.done_on {
            Some(_) => String::new(),
            None => self.clock().today().to_string(),
        };
        let input = StepInput { done_on: Some(done_on), ..Default::default() };
        self.update_goal_step(actor, participant, goal, step, &input).await
    }
}
