//! Tasks: what is due for a participant, by when. Protocol steps become tasks with a window
//! (`opens_on` … `closes_on`) around the day they are due; follow-ups and assessments come
//! from the contacts and instruments work. A task is closed by the record (the matching
//! contact or event), never ticked off by hand, so fidelity can be computed from it:
//!
//! - *done in window*: `opens_on <= completed_on <= closes_on`;
//! - *late*: completed after `closes_on`;
//! - *missed*: still open after `closes_on`.

use time::{Date, Duration, OffsetDateTime};

use crate::ids::{ParticipantId, ProgramId, TaskId, UserId};
use crate::vocabulary::{TaskKind, TaskStatus};

/// How far ahead the "upcoming" list looks.
pub const UPCOMING_DAYS: i64 = 14;

/// A task as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    pub id: TaskId,
    pub participant_id: ParticipantId,
    pub kind: TaskKind,
    pub program_id: Option<ProgramId>,
    /// The protocol step it stands for, for protocol-step tasks.
    pub step_code: Option<String>,
    /// Someone other than the participant's coach who must do it (e.g. a supervisor).
    pub assignee_id: Option<UserId>,
    pub title: String,
    pub opens_on: Date,
    pub due_on: Date,
    pub closes_on: Option<Date>,
    pub status: TaskStatus,
    pub completed_on: Option<Date>,
    pub cancellation: Option<Cancellation>,
}

/// Why and when a task was cancelled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cancellation {
    pub at: OffsetDateTime,
    /// `None` when Kindred cancelled it (the participant left or moved program).
    pub by: Option<UserId>,
    pub reason: String,
}

/// Where an open task stands today, for the due lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Due {
    /// Due before today and still open.
    Overdue,
    /// Due today.
    Today,
    /// Due in the next [`UPCOMING_DAYS`] days.
    Upcoming,
    /// Due later than that.
    Later,
}

impl Due {
    pub fn of(due_on: Date, today: Date) -> Self {
        if due_on < today {
            Due::Overdue
        } else if due_on == today {
            Due::Today
        } else if due_on <= today + Duration::days(UPCOMING_DAYS) {
            Due::Upcoming
        } else {
            Due::Later
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Due::Overdue => "overdue",
            Due::Today => "today",
            Due::Upcoming => "upcoming",
            Due::Later => "later",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Due::Overdue => "Overdue",
            Due::Today => "Due today",
            Due::Upcoming => "Upcoming",
            Due::Later => "Later",
        }
    }

    pub fn parse(code: &str) -> Result<Self, String> {
        [Due::Overdue, Due::Today, Due::Upcoming, Due::Later]
            .into_iter()
            .find(|d| d.code() == code.trim())
            .ok_or_else(|| "must be one of: overdue, today, upcoming, later".into())
    }
}

/// How a task turned out against its window (the fidelity definitions).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowOutcome {
    DoneInWindow,
    /// Done before the window opened.
    Early,
    Late,
    Missed,
    /// Open, and its window has not closed yet.
    Pending,
    Cancelled,
}

impl Task {
    pub fn due(&self, today: Date) -> Due {
        Due::of(self.due_on, today)
    }

    /// Whether its window has closed while it is still open.
    pub fn window_closed(&self, today: Date) -> bool {
        self.closes_on.is_some_and(|closes| closes < today)
    }

    pub fn outcome(&self, today: Date) -> WindowOutcome {
        let closes = self.closes_on.unwrap_or(self.due_on);
        match (self.status, self.completed_on) {
            (TaskStatus::Cancelled, _) => WindowOutcome::Cancelled,
            (TaskStatus::Done, Some(done)) if done < self.opens_on => WindowOutcome::Early,
            (TaskStatus::Done, Some(done)) if done > closes => WindowOutcome::Late,
            (TaskStatus::Done, _) => WindowOutcome::DoneInWindow,
            (TaskStatus::Open, _) if closes < today => WindowOutcome::Missed,
            (TaskStatus::Open, _) => WindowOutcome::Pending,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 03 - 11);

    fn task(status: TaskStatus, completed_on: Option<Date>) -> Task {
        Task {
            id: TaskId::generate(),
            participant_id: ParticipantId::generate(),
            kind: TaskKind::ProtocolStep,
            program_id: None,
            step_code: Some("telephone_booster".into()),
            assignee_id: None,
            title: "Telephone booster".into(),
            opens_on: date!(2026 - 03 - 09),
            due_on: date!(2026 - 03 - 11),
            closes_on: Some(date!(2026 - 03 - 13)),
            status,
            completed_on,
            cancellation: None,
        }
    }

    #[test]
    fn due_lists_split_at_today_and_fourteen_days() {
        assert_eq!(Due::of(date!(2026 - 03 - 10), TODAY), Due::Overdue);
        assert_eq!(Due::of(TODAY, TODAY), Due::Today);
        assert_eq!(Due::of(date!(2026 - 03 - 12), TODAY), Due::Upcoming);
        assert_eq!(Due::of(date!(2026 - 03 - 25), TODAY), Due::Upcoming);
        assert_eq!(Due::of(date!(2026 - 03 - 26), TODAY), Due::Later);
        assert_eq!(Due::parse("upcoming"), Ok(Due::Upcoming));
    }

    #[test]
    fn outcomes_follow_the_fidelity_definitions() {
        let done = |on| task(TaskStatus::Done, Some(on)).outcome(TODAY);
        assert_eq!(done(date!(2026 - 03 - 09)), WindowOutcome::DoneInWindow);
        assert_eq!(done(date!(2026 - 03 - 13)), WindowOutcome::DoneInWindow);
        assert_eq!(done(date!(2026 - 03 - 14)), WindowOutcome::Late);
        assert_eq!(done(date!(2026 - 03 - 08)), WindowOutcome::Early);
        let open = task(TaskStatus::Open, None);
        assert_eq!(open.outcome(date!(2026 - 03 - 13)), WindowOutcome::Pending);
        assert_eq!(open.outcome(date!(2026 - 03 - 14)), WindowOutcome::Missed);
        assert!(open.window_closed(date!(2026 - 03 - 14)));
        assert_eq!(task(TaskStatus::Cancelled, None).outcome(TODAY), WindowOutcome::Cancelled);
    }
}
