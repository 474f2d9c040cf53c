//! Recovery plans: goals (`recovery_goals`), their steps (`goal_steps`) and their status
//! history (`goal_status_history`).

use std::collections::HashMap;

use kindred_domain::ids::{GoalId, GoalStepId, ParticipantId, UserId};
use kindred_domain::recovery_plan::{
    Goal, GoalChange, GoalStep, NewGoal, StatusChange, StepFields,
};
use kindred_domain::vocabulary::{GoalStatus, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
struct GoalRow {
    id: Uuid,
    participant_id: Uuid,
    domain: String,
    title: String,
    target_on: Option<Date>,
    status: String,
    created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct StepRow {
    id: Uuid,
    goal_id: Uuid,
    description: String,
    target_on: Option<Date>,
    done_on: Option<Date>,
}

#[derive(sqlx::FromRow)]
struct HistoryRow {
    goal_id: Uuid,
    status: String,
    changed_by: Uuid,
    changed_by_name: String,
    changed_at: Timestamp,
    note: Option<String>,
}

impl<M> Session<M> {
    /// A participant's goals in plan order, each with its steps and history.
    pub async fn goals<A: Identifies>(&mut self, grant: &Grant<A>) -> Result<Vec<Goal>> {
        let participant = grant.bound_to(self.org_id)?;
        self.load_goals(participant, None).await
    }

    /// One goal of a participant (a goal of someone else is `None`).
    pub async fn goal<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        goal: GoalId,
    ) -> Result<Option<Goal>> {
        let participant = grant.bound_to(self.org_id)?;
        Ok(self.load_goals(participant, Some(goal)).await?.into_iter().next())
    }

    async fn load_goals(&mut self, participant: Uuid, only: Option<GoalId>) -> Result<Vec<Goal>> {
        let only = only.map(|g| g.0);
        let (goals, steps, history): (Vec<GoalRow>, Vec<StepRow>, Vec<HistoryRow>) = on_conn!(self.conn(), c => {
            let goals = c.query_as(
                "SELECT id, participant_id, domain, title, target_on, status, created_at
                     FROM recovery_goals
                     WHERE org_id = $1 AND participant_id = $2 AND ($3 IS NULL OR id = $3)
                     ORDER BY position, id",
            ).bind(participant).bind(only)
            .fetch_all(&mut *c)
            .await?;
            let steps = c.query_as(
                "SELECT s.id, s.goal_id, s.description, s.target_on, s.done_on
                     FROM goal_steps s
                     JOIN recovery_goals g ON g.org_id = s.org_id AND g.id = s.goal_id
                     WHERE s.org_id = $1 AND g.participant_id = $2 AND ($3 IS NULL OR g.id = $3)
                     ORDER BY s.position, s.id",
            ).bind(participant).bind(only)
            .fetch_all(&mut *c)
            .await?;
            let history = c.query_as(
                "SELECT h.goal_id, h.status, h.changed_by, u.display_name AS changed_by_name,
                            h.changed_at, h.note
                     FROM goal_status_history h
                     JOIN recovery_goals g ON g.org_id = h.org_id AND g.id = h.goal_id
                     JOIN users u ON u.org_id = h.org_id AND u.id = h.changed_by
                     WHERE h.org_id = $1 AND g.participant_id = $2 AND ($3 IS NULL OR g.id = $3)
                     ORDER BY h.seq",
            ).bind(participant).bind(only)
            .fetch_all(&mut *c)
            .await?;
            (goals, steps, history)
        });
        let mut steps_of: HashMap<Uuid, Vec<GoalStep>> = HashMap::new();
        for s in steps {
            steps_of.entry(s.goal_id).or_default().push(GoalStep {
                id: GoalStepId(s.id),
                description: s.description,
                target_on: s.target_on,
                done_on: s.done_on,
            });
        }
        let mut history_of: HashMap<Uuid, Vec<StatusChange>> = HashMap::new();
        for h in history {
            history_of.entry(h.goal_id).or_default().push(StatusChange {
                status: decode_code(&h.status)?,
                changed_by: UserId(h.changed_by),
                changed_by_name: h.changed_by_name,
                changed_at: h.changed_at.0,
                note: h.note,
            });
        }
        goals
            .into_iter()
            .map(|g| {
                Ok(Goal {
                    id: GoalId(g.id),
                    participant_id: ParticipantId(g.participant_id),
                    domain: decode_code(&g.domain)?,
                    title: g.title,
                    target_on: g.target_on,
                    status: decode_code(&g.status)?,
                    created_at: g.created_at.0,
                    steps: steps_of.remove(&g.id).unwrap_or_default(),
                    history: history_of.remove(&g.id).unwrap_or_default(),
                })
            })
            .collect()
    }
}

impl Session<Write> {
    /// Adds a goal at the end of the plan, with its first history entry.
    pub async fn insert_goal(
        &mut self,
        grant: &Grant<RecordWork>,
        id: GoalId,
        goal: &NewGoal,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO recovery_goals (org_id, id, participant_id, domain, title, target_on,
                    status, position, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7,
                    (SELECT COALESCE(MAX(position), 0) + 1 FROM recovery_goals
                     WHERE org_id = $1 AND participant_id = $3),
                    $8, $9, $9)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(goal.domain.code())
            .bind(&goal.title)
            .bind(goal.target_on)
            .bind(goal.status.code())
            .bind(by.0)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        self.append_goal_status(id, goal.status, by, now, goal.note.as_deref()).await
    }

    /// Saves a goal's fields and, if its status moves, the history entry.
    pub async fn update_goal(
        &mut self,
        grant: &Grant<RecordWork>,
        goal: GoalId,
        change: &GoalChange,
        current_status: GoalStatus,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let status = change.status_change.as_ref().map_or(current_status, |(s, _)| *s);
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE recovery_goals SET domain = $3, title = $4, target_on = $5, status = $6,
                    updated_at = $7
                 WHERE org_id = $1 AND id = $2 AND participant_id = $8",
            )
            .bind(goal.0)
            .bind(change.domain.code())
            .bind(&change.title)
            .bind(change.target_on)
            .bind(status.code())
            .bind(Timestamp(now))
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated != 1 {
            return Err(StorageError::NotFound);
        }
        if let Some((status, note)) = &change.status_change {
            self.append_goal_status(goal, *status, by, now, note.as_deref()).await?;
        }
        Ok(())
    }

    async fn append_goal_status(
        &mut self,
        goal: GoalId,
        status: GoalStatus,
        by: UserId,
        at: OffsetDateTime,
        note: Option<&str>,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO goal_status_history (org_id, goal_id, seq, status, changed_by,
                    changed_at, note)
                 VALUES ($1, $2,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM goal_status_history
                     WHERE org_id = $1 AND goal_id = $2),
                    $3, $4, $5, $6)",
            )
            .bind(goal.0)
            .bind(status.code())
            .bind(by.0)
            .bind(Timestamp(at))
            .bind(note)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Adds a step at the end of a goal's steps.
    pub async fn insert_goal_step(
        &mut self,
        grant: &Grant<RecordWork>,
        goal: GoalId,
        id: GoalStepId,
        step: &StepFields,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.touch_goal(grant, goal, now).await?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO goal_steps (org_id, id, goal_id, description, target_on, done_on,
                    position, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6,
                    (SELECT COALESCE(MAX(position), 0) + 1 FROM goal_steps
                     WHERE org_id = $1 AND goal_id = $3),
                    $7)",
            )
            .bind(id.0)
            .bind(goal.0)
            .bind(&step.description)
            .bind(step.target_on)
            .bind(step.done_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Marks a goal of the granted participant changed; another participant's goal is not
    /// found.
    async fn touch_goal(
        &mut self,
        grant: &Grant<RecordWork>,
        goal: GoalId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE recovery_goals SET updated_at = $3
                 WHERE org_id = $1 AND id = $2 AND participant_id = $4",
            )
            .bind(goal.0)
            .bind(Timestamp(now))
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }

    pub async fn update_goal_step(
        &mut self,
        grant: &Grant<RecordWork>,
        goal: GoalId,
        step: GoalStepId,
        fields: &StepFields,
        now: OffsetDateTime,
    ) -> Result<()> {
        self.touch_goal(grant, goal, now).await?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE goal_steps SET description = $4, target_on = $5, done_on = $6
                 WHERE org_id = $1 AND goal_id = $2 AND id = $3",
            )
            .bind(goal.0)
            .bind(step.0)
            .bind(&fields.description)
            .bind(fields.target_on)
            .bind(fields.done_on)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }
}
