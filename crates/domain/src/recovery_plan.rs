//! Recovery plans: the participant's own goals in the outcome domains, the steps towards each,
//! and every change of a goal's status (who, when, why), so a plan shows how it moved, not
//! just where it stands.
//!
//! Goals are participant-led: the title is in their words, any status may follow any other
//! (a goal set aside can be taken up again), and nothing here judges the goal itself.

use time::{Date, OffsetDateTime};

use crate::fields::{FieldErrors, optional_date, optional_text, required_text};
use crate::ids::{GoalId, GoalStepId, ParticipantId, UserId};
use crate::vocabulary::{GoalStatus, OutcomeDomain, Vocabulary};

/// Raw goal fields from the plan form or a JSON body. When changing a goal, absent fields stay
/// as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct GoalInput {
    /// An outcome-domain code (`housing`, `employment`…). Required for a new goal.
    pub domain: Option<String>,
    /// The goal in the participant's own words. Required for a new goal.
    pub title: Option<String>,
    /// ISO 8601 date; an empty string clears it.
    pub target_on: Option<String>,
    /// A goal-status code; a new goal defaults to `not_started`.
    pub status: Option<String>,
    /// Why the status changed (kept in the goal's history).
    pub note: Option<String>,
}

/// Raw step fields. When changing a step, absent fields stay as they are; `done_on` set to a
/// date ticks the step, an empty string unticks it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StepInput {
    /// What the participant will do. Required for a new step.
    pub description: Option<String>,
    /// ISO 8601 date.
    pub target_on: Option<String>,
    /// ISO 8601 date the step was done; not in the future.
    pub done_on: Option<String>,
}

/// A step towards a goal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalStep {
    pub id: GoalStepId,
    pub description: String,
    pub target_on: Option<Date>,
    pub done_on: Option<Date>,
}

/// One entry of a goal's status history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub status: GoalStatus,
    pub changed_by: UserId,
    /// The name of who changed it, for showing (kept on the user record).
    pub changed_by_name: String,
    pub changed_at: OffsetDateTime,
    pub note: Option<String>,
}

/// A goal as stored, with its steps (in order) and its status history (oldest first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub participant_id: ParticipantId,
    pub domain: OutcomeDomain,
    pub title: String,
    pub target_on: Option<Date>,
    pub status: GoalStatus,
    pub created_at: OffsetDateTime,
    pub steps: Vec<GoalStep>,
    pub history: Vec<StatusChange>,
}

/// A new goal, already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGoal {
    pub domain: OutcomeDomain,
    pub title: String,
    pub target_on: Option<Date>,
    pub status: GoalStatus,
    pub note: Option<String>,
}

/// What a change to a goal does: the new fields, and the status change if there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalChange {
    pub domain: OutcomeDomain,
    pub title: String,
    pub target_on: Option<Date>,
    /// `Some` when the status moves (to a different status), with its note.
    pub status_change: Option<(GoalStatus, Option<String>)>,
    /// Names of the fields that changed, for the audit log (never their values).
    pub changed: Vec<&'static str>,
}

/// A step, already valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFields {
    pub description: String,
    pub target_on: Option<Date>,
    pub done_on: Option<Date>,
}

/// The longest goal title: a sentence in someone's own words, not an essay.
const TITLE_MAX: usize = 200;
const NOTE_MAX: usize = 500;

fn code<V: Vocabulary>(errors: &mut FieldErrors, field: &str, value: Option<&str>) -> Option<V> {
    match value.map(str::trim) {
        None | Some("") => None,
        Some(text) => errors.check(field, V::parse(text)),
    }
}

fn not_future(errors: &mut FieldErrors, field: &str, date: Option<Date>, today: Date) {
    if date.is_some_and(|d| d > today) {
        errors.add(field, "must not be in the future");
    }
}

impl NewGoal {
    pub fn parse(input: &GoalInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let domain = code::<OutcomeDomain>(&mut errors, "domain", input.domain.as_deref());
        if domain.is_none() && errors.get("domain").is_none() {
            errors.add("domain", "choose the life area this goal is about");
        }
        let title = errors.check("title", required_text(input.title.as_deref(), TITLE_MAX));
        let target_on = errors.check("target_on", optional_date(input.target_on.as_deref()));
        let status = code::<GoalStatus>(&mut errors, "status", input.status.as_deref());
        let note = errors.check("note", optional_text(input.note.as_deref(), NOTE_MAX));
        errors.into_result(|| {
            Some(NewGoal {
                domain: domain?,
                title: title?,
                target_on: target_on?,
                status: status.unwrap_or(GoalStatus::NotStarted),
                note: note?,
            })
        })
    }
}

impl Goal {
    /// Applies the fields present in `input`. A status equal to the current one is not a
    /// change (no history entry); a note without a status change is refused, since the history
    /// is where notes live.
    pub fn apply(&self, input: &GoalInput) -> Result<GoalChange, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut change = GoalChange {
            domain: self.domain,
            title: self.title.clone(),
            target_on: self.target_on,
            status_change: None,
            changed: Vec::new(),
        };
        if input.domain.is_some() {
            match code::<OutcomeDomain>(&mut errors, "domain", input.domain.as_deref()) {
                Some(domain) => change.domain = domain,
                None if errors.get("domain").is_none() => errors.add("domain", "cannot be cleared"),
                None => {}
            }
        }
        if input.title.is_some()
            && let Some(title) =
                errors.check("title", required_text(input.title.as_deref(), TITLE_MAX))
        {
            change.title = title;
        }
        if input.target_on.is_some()
            && let Some(target) =
                errors.check("target_on", optional_date(input.target_on.as_deref()))
        {
            change.target_on = target;
        }
        let note = errors.check("note", optional_text(input.note.as_deref(), NOTE_MAX)).flatten();
        let status = code::<GoalStatus>(&mut errors, "status", input.status.as_deref());
        match status {
            Some(status) if status != self.status => change.status_change = Some((status, note)),
            _ if note.is_some() => {
                errors.add("note", "a note goes with a change of status; choose the new status")
            }
            _ => {}
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let checks = [
            ("domain", change.domain != self.domain),
            ("title", change.title != self.title),
            ("target_on", change.target_on != self.target_on),
            ("status", change.status_change.is_some()),
        ];
        change.changed = checks.into_iter().filter(|(_, c)| *c).map(|(n, _)| n).collect();
        Ok(change)
    }

    /// Steps done, of all steps.
    pub fn progress(&self) -> (usize, usize) {
        (self.steps.iter().filter(|s| s.done_on.is_some()).count(), self.steps.len())
    }
}

impl StepFields {
    pub fn parse(input: &StepInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let description =
            errors.check("description", required_text(input.description.as_deref(), TITLE_MAX));
        let target_on = errors.check("target_on", optional_date(input.target_on.as_deref()));
        let done_on = errors.check("done_on", optional_date(input.done_on.as_deref()));
        not_future(&mut errors, "done_on", done_on.flatten(), today);
        errors.into_result(|| {
            Some(StepFields { description: description?, target_on: target_on?, done_on: done_on? })
        })
    }
}

impl GoalStep {
    /// The step with the fields present in `input` applied.
    pub fn apply(&self, input: &StepInput, today: Date) -> Result<StepFields, FieldErrors> {
        let merged = StepInput {
            description: input.description.clone().or_else(|| Some(self.description.clone())),
            target_on: input.target_on.clone().or_else(|| self.target_on.map(|d| d.to_string())),
            done_on: input.done_on.clone().or_else(|| self.done_on.map(|d| d.to_string())),
        };
        StepFields::parse(&merged, today)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 11 - 23);

    fn goal() -> Goal {
        Goal {
            id: GoalId::generate(),
            participant_id: ParticipantId::generate(),
            domain: OutcomeDomain::Housing,
            title: "Get my own place".into(),
            target_on: None,
            status: GoalStatus::NotStarted,
            created_at: datetime!(2026-11-01 10:00 UTC),
            steps: Vec::new(),
            history: Vec::new(),
        }
    }

    #[test]
    fn a_goal_needs_a_life_area_and_words() {
        let errors = NewGoal::parse(&GoalInput::default()).unwrap_err();
        assert!(errors.get("domain").is_some());
        assert_eq!(errors.get("title"), Some("is required"));
        let input = GoalInput {
            domain: Some("housing".into()),
            title: Some(" Get my own place ".into()),
            ..Default::default()
        };
        let new = NewGoal::parse(&input).unwrap();
        assert_eq!(new.title, "Get my own place");
        assert_eq!(new.status, GoalStatus::NotStarted);
        let wrong = GoalInput { domain: Some("money".into()), ..input };
        assert!(NewGoal::parse(&wrong).unwrap_err().get("domain").unwrap().contains("housing"));
    }

    #[test]
    fn a_status_change_carries_its_note_and_names_what_changed() {
        let input = GoalInput {
            status: Some("in_progress".into()),
            note: Some("Applied for two flats".into()),
            ..Default::default()
        };
        let change = goal().apply(&input).unwrap();
        assert_eq!(
            change.status_change,
            Some((GoalStatus::InProgress, Some("Applied for two flats".into())))
        );
        assert_eq!(change.changed, vec!["status"]);
        let same = GoalInput { status: Some("not_started".into()), ..Default::default() };
        assert_eq!(goal().apply(&same).unwrap().status_change, None);
        let stray_note = GoalInput { note: Some("hm".into()), ..Default::default() };
        assert!(goal().apply(&stray_note).unwrap_err().get("note").is_some());
        let clear = GoalInput { title: Some(" ".into()), ..Default::default() };
        assert!(goal().apply(&clear).unwrap_err().get("title").is_some());
    }

    #[test]
    fn a_step_cannot_be_done_in_the_future() {
        let input = StepInput {
            description: Some("Call the housing office".into()),
            done_on: Some("2026-11-24".into()),
            ..Default::default()
        };
        assert!(StepFields::parse(&input, TODAY).unwrap_err().get("done_on").is_some());
        let step = GoalStep {
            id: GoalStepId::generate(),
            description: "Call the housing office".into(),
            target_on: Some(date!(2026 - 12 - 01)),
            done_on: None,
        };
        let ticked = step
            .apply(&StepInput { done_on: Some("2026-11-23".into()), ..Default::default() }, TODAY)
            .unwrap();
        assert_eq!(ticked.done_on, Some(TODAY));
        assert_eq!(ticked.target_on, step.target_on);
        let unticked = step
            .apply(&StepInput { done_on: Some(String::new()), ..Default::default() }, TODAY)
            .unwrap();
        assert_eq!(unticked.done_on, None);
    }
}
