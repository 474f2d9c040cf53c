//! Tasks: protocol steps made due for a participant, and the due lists of coaches and teams.
//! Protocol-step tasks are unique per participant, program and step, so re-creating one
//! (a participant moved back to a program, an enrolment date corrected) updates it in place.

use kindred_domain::ids::{ParticipantId, ProgramId, TaskId, UserId};
use kindred_domain::participant::display_name;
use kindred_domain::programs::StepSchedule;
use kindred_domain::tasks::{Cancellation, Task};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{CancelTasks, Edit, Grant, Identifies, Scope, SeeWork, Writes};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn, scoped_sql};
use crate::{Result, StorageError, Timestamp};

/// A protocol step to make due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepTask {
    pub program_id: ProgramId,
    pub step_code: String,
    pub title: String,
    pub schedule: StepSchedule,
}

/// What an existing task of the same step may be changed by [`Session::upsert_step_task`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepTaskRefresh {
    /// Only a task still open gets the new dates (a corrected anchor date).
    OpenOnly,
    /// A cancelled task is opened again too (the participant is back in the program). A done
    /// task is never touched: it is part of the fidelity record.
    ReopenCancelled,
}

/// Which open tasks to cancel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelScope {
    /// Every open task of the participant (they left the program).
    All,
    /// The open protocol-step tasks of one program (they moved to another).
    ProgramSteps(ProgramId),
}

/// An open task on a due list, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTask {
    pub task: Task,
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub assignee_name: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    id: Uuid,
    participant_id: Uuid,
    kind: String,
    program_id: Option<Uuid>,
    step_code: Option<String>,
    assignee_id: Option<Uuid>,
    title: String,
    opens_on: Date,
    due_on: Date,
    closes_on: Option<Date>,
    status: String,
    completed_on: Option<Date>,
    cancelled_at: Option<Timestamp>,
    cancelled_by: Option<Uuid>,
    cancel_reason: Option<String>,
}

impl TaskRow {
    fn into_task(self) -> Result<Task> {
        let cancellation = self.cancelled_at.map(|at| Cancellation {
            at: at.0,
            by: self.cancelled_by.map(UserId),
            reason: self.cancel_reason.clone().unwrap_or_default(),
        });
        Ok(Task {
            id: TaskId(self.id),
            participant_id: ParticipantId(self.participant_id),
            kind: decode_code(&self.kind)?,
            program_id: self.program_id.map(ProgramId),
            step_code: self.step_code,
            assignee_id: self.assignee_id.map(UserId),
            title: self.title,
            opens_on: self.opens_on,
            due_on: self.due_on,
            closes_on: self.closes_on,
            status: decode_code(&self.status)?,
            completed_on: self.completed_on,
            cancellation,
        })
    }
}

#[derive(sqlx::FromRow)]
struct DueRow {
    #[sqlx(flatten)]
    task: TaskRow,
    reference: String,
    given_name: String,
    family_name: String,
    preferred_name: Option<String>,
    coach_id: Option<Uuid>,
    coach_name: Option<String>,
    assignee_name: Option<String>,
}

macro_rules! select_task {
    ($rest:literal) => {
        concat!(
            "SELECT t.id, t.participant_id, t.kind, t.program_id, t.step_code, t.assignee_id,
                    t.title, t.opens_on, t.due_on, t.closes_on, t.status, t.completed_on,
                    t.cancelled_at, t.cancelled_by, t.cancel_reason
             FROM tasks t WHERE t.org_id = $1 ",
            $rest
        )
    };
}

/// One page of a due list: open tasks due from `due.0` to `due.1` (both included), soonest
/// first or (an overdue list) newest first; with `mine`, only that person's caseload and the
/// tasks assigned to them (within the scope).
#[derive(Debug, Clone, Copy)]
pub struct DueQuery {
    pub mine: Option<UserId>,
    pub due: (Date, Date),
    pub newest_first: bool,
    pub limit: i64,
    pub offset: i64,
}

/// Open tasks `t` of participants `p` in the scope (`$2`), of `$3` if given, due from `$4` to
/// `$5` (and `$join`): the filter both the page and its count walk `tasks_open_by_due` with.
macro_rules! due_from {
    ($scope:literal) => {
        due_from!($scope, "")
    };
    ($scope:literal, $join:literal) => {
        concat!(
            // The task's own org_id is bound in this fragment too (an inner join's ON is as
            // good as the WHERE), so it is tenant-bound whatever `$join` is.
            " FROM tasks t
             JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id AND t.org_id = $1 ",
            $join,
            " WHERE t.org_id = $1 AND t.status = 'open' AND t.due_on >= $4 AND t.due_on <= $5
               AND ",
            $scope,
            " AND ($3 IS NULL OR p.coach_id = $3 OR t.assignee_id = $3)"
        )
    };
}

/// A page (`$6` limit, `$7` offset) of [`due_from!`] in `$order`: due date, then name. The
/// index gives the due dates in order, so only the days the page reaches are sorted by name;
/// the coach's and assignee's names are joined for the page's rows only.
macro_rules! due_page {
    ($scope:literal, $order:literal) => {
        concat!(
            "SELECT t.id, t.participant_id, t.kind, t.program_id, t.step_code, t.assignee_id,
                    t.title, t.opens_on, t.due_on, t.closes_on, t.status, t.completed_on,
                    t.cancelled_at, t.cancelled_by, t.cancel_reason, p.reference,
                    i.given_name, i.family_name, i.preferred_name,
                    p.coach_id, c.display_name AS coach_name, a.display_name AS assignee_name
             FROM tasks t
             JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id
             JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = t.participant_id
             LEFT JOIN users c ON c.org_id = $1 AND c.id = p.coach_id
             LEFT JOIN users a ON a.org_id = $1 AND a.id = t.assignee_id
             WHERE t.org_id = $1 AND t.id IN (SELECT t.id",
            due_from!(
                $scope,
                "JOIN participant_identities i ON i.org_id = $1 AND i.participant_id = t.participant_id"
            ),
            " ORDER BY ", $order, " LIMIT $6 OFFSET $7) ORDER BY ", $order
        )
    };
}

impl<M> Session<M> {
    /// A participant's tasks: open ones by due date, then the rest, newest first.
    pub async fn tasks_of_participant<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<Task>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<TaskRow> = on_conn!(self.conn(), c => {
            c.query_as(select_task!(
                "AND t.participant_id = $2
                 ORDER BY CASE WHEN t.status = 'open' THEN 0 ELSE 1 END,
                          CASE WHEN t.status = 'open' THEN t.due_on END,
                          t.due_on DESC, t.id"
            ))
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(TaskRow::into_task).collect()
    }

    /// Whose task this is: the participant the policy must grant before it is read.
    pub async fn task_owner(&mut self, id: TaskId) -> Result<Option<ParticipantId>> {
        let owner: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT participant_id FROM tasks WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        Ok(owner.map(ParticipantId))
    }

    /// One task of the granted participant.
    pub async fn task<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: TaskId,
    ) -> Result<Option<Task>> {
        let participant = grant.bound_to(self.org_id)?;
        let row: Option<TaskRow> = on_conn!(self.conn(), c => {
            c.query_as(select_task!("AND t.id = $2 AND t.participant_id = $3"))
                .bind(id.0)
                .bind(participant)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(TaskRow::into_task).transpose()
    }

    /// One page of the open tasks of the participants in `scope` due within `query.due`, in
    /// due order (newest first for an overdue list), read in the database in that order.
    pub async fn due_tasks(
        &mut self,
        scope: &Scope<SeeWork>,
        query: &DueQuery,
    ) -> Result<Vec<DueTask>> {
        macro_rules! sql {
            ($scope:literal) => {
                [
                    due_page!($scope, "t.due_on, i.sort_key, t.id"),
                    due_page!($scope, "t.due_on DESC, i.sort_key, t.id"),
                ]
            };
        }
        let [soonest, newest] = scoped_sql!(scope, sql);
        let sql = if query.newest_first { newest } else { soonest };
        let rows: Vec<DueRow> = on_conn!(self.conn(), c => {
            c.scoped_query_as(sql, scope)?
                .bind(query.mine.map(|m| m.0))
                .bind(query.due.0)
                .bind(query.due.1)
                .bind(query.limit)
                .bind(query.offset)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(DueTask {
                    participant_name: display_name(
                        &row.given_name,
                        row.preferred_name.as_deref(),
                        &row.family_name,
                    ),
                    participant_reference: row.reference,
                    coach_id: row.coach_id.map(UserId),
                    coach_name: row.coach_name,
                    assignee_name: row.assignee_name,
                    task: row.task.into_task()?,
                })
            })
            .collect()
    }

    /// How many open tasks of `scope` (and `mine`) are due within `due`, counted up to
    /// `up_to` (a count that reaches it means "at least").
    pub async fn count_due_tasks(
        &mut self,
        scope: &Scope<SeeWork>,
        mine: Option<UserId>,
        due: (Date, Date),
        up_to: i64,
    ) -> Result<i64> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!("SELECT COUNT(*) FROM (SELECT 1", due_from!($scope), " LIMIT $6) capped")
            };
        }
        Ok(on_conn!(self.conn(), c => {
            c.scoped_query_scalar(scoped_sql!(scope, sql), scope)?
                .bind(mine.map(|m| m.0))
                .bind(due.0)
                .bind(due.1)
                .bind(up_to)
                .fetch_one(&mut *c)
                .await?
        }))
    }
}

impl Session<Write> {
    /// Makes a protocol step due for a participant, or updates the task already made for it
    /// as `refresh` allows.
    pub async fn upsert_step_task<A: Writes>(
        &mut self,
        grant: &Grant<A>,
        task: &StepTask,
        refresh: StepTaskRefresh,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let s = &task.schedule;
        let sql = match refresh {
            StepTaskRefresh::OpenOnly => {
                "INSERT INTO tasks (org_id, id, participant_id, kind, program_id, step_code, title,
                    opens_on, due_on, closes_on, status, created_at)
                 VALUES ($1, $2, $3, 'protocol_step', $4, $5, $6, $7, $8, $9, 'open', $10)
                 ON CONFLICT (org_id, participant_id, program_id, step_code) DO UPDATE SET
                    title = excluded.title, opens_on = excluded.opens_on,
                    due_on = excluded.due_on, closes_on = excluded.closes_on
                 WHERE tasks.status = 'open'"
            }
            StepTaskRefresh::ReopenCancelled => {
                "INSERT INTO tasks (org_id, id, participant_id, kind, program_id, step_code, title,
                    opens_on, due_on, closes_on, status, created_at)
                 VALUES ($1, $2, $3, 'protocol_step', $4, $5, $6, $7, $8, $9, 'open', $10)
                 ON CONFLICT (org_id, participant_id, program_id, step_code) DO UPDATE SET
                    title = excluded.title, opens_on = excluded.opens_on,
                    due_on = excluded.due_on, closes_on = excluded.closes_on, status = 'open',
                    cancelled_at = NULL, cancelled_by = NULL, cancel_reason = NULL
                 WHERE tasks.status <> 'done'"
            }
        };
        on_conn!(self.conn(), c => {
            c.query(sql)
                .bind(TaskId::generate().0)
                .bind(participant)
                .bind(task.program_id.0)
                .bind(&task.step_code)
                .bind(&task.title)
                .bind(s.opens_on)
                .bind(s.due_on)
                .bind(s.closes_on)
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }

    /// Cancels a participant's open tasks in `scope`; returns how many.
    pub async fn cancel_open_tasks<A: Writes>(
        &mut self,
        grant: &Grant<A>,
        scope: CancelScope,
        reason: &str,
        by: Option<UserId>,
        at: OffsetDateTime,
    ) -> Result<u64> {
        let participant = grant.bound_to(self.org_id)?;
        let program = match scope {
            CancelScope::All => None,
            CancelScope::ProgramSteps(program) => Some(program.0),
        };
        Ok(on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'cancelled', cancelled_at = $4, cancelled_by = $5,
                    cancel_reason = $6
                 WHERE org_id = $1 AND participant_id = $2 AND status = 'open'
                   AND ($3 IS NULL OR (kind = 'protocol_step' AND program_id = $3))",
            )
            .bind(participant)
            .bind(program)
            .bind(Timestamp(at))
            .bind(by.map(|b| b.0))
            .bind(reason)
            .execute(&mut *c)
            .await?
            .rows_affected()
        }))
    }

    /// Cancels one open protocol-step task (its anchor is gone: the appointment was
    /// cancelled). Nothing happens if it is not open.
    pub async fn cancel_step_task<A: Writes>(
        &mut self,
        grant: &Grant<A>,
        program: ProgramId,
        step_code: &str,
        reason: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'cancelled', cancelled_at = $5, cancel_reason = $6
                 WHERE org_id = $1 AND participant_id = $2 AND program_id = $3 AND step_code = $4
                   AND status = 'open'",
            )
            .bind(participant)
            .bind(program.0)
            .bind(step_code)
            .bind(Timestamp(at))
            .bind(reason)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Cancels one open task of the granted participant by hand. A task that is no longer open
    /// is a conflict.
    pub async fn cancel_task(
        &mut self,
        grant: &Grant<CancelTasks>,
        id: TaskId,
        reason: &str,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE tasks SET status = 'cancelled', cancelled_at = $3, cancelled_by = $4,
                    cancel_reason = $5
                 WHERE org_id = $1 AND id = $2 AND status = 'open' AND participant_id = $6",
            )
            .bind(id.0)
            .bind(Timestamp(at))
            .bind(by.0)
            .bind(reason)
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict("the task is no longer open".into()))
        }
    }

    /// Moves the granted participant's open tasks with their coach: those assigned to the
    /// previous coach go to the new one, and those assigned to the previous coach's supervisor
    /// (escalations) to the new coach's supervisor. Done and cancelled tasks keep who did
    /// them. Returns how many moved.
    pub async fn move_open_tasks(
        &mut self,
        grant: &Grant<Edit>,
        from: (Option<UserId>, Option<UserId>),
        to: (Option<UserId>, Option<UserId>),
    ) -> Result<u64> {
        let participant = grant.bound_to(self.org_id)?;
        let mut moved = 0;
        for (old, new) in [(from.0, to.0), (from.1, to.1)] {
            let (Some(old), Some(new)) = (old, new) else { continue };
            if old == new {
                continue;
            }
            moved += on_conn!(self.conn(), c => {
                c.query(
                    "UPDATE tasks SET assignee_id = $4
                     WHERE org_id = $1 AND participant_id = $2 AND status = 'open'
                       AND assignee_id = $3",
                )
                .bind(participant)
                .bind(old.0)
                .bind(new.0)
                .execute(&mut *c)
                .await?
                .rows_affected()
            });
        }
        Ok(moved)
    }
}
