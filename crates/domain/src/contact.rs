//! Contacts: one encounter between a peer and a participant — when, how long, how, which of
//! the four kinds of support, what was done, and (optionally) the protocol step it fulfils and
//! when to follow up. Every field feeds the fidelity figures later, so each is parsed here once.
//!
//! Times are wall-clock times as entered, stored as if UTC (Kindred has no per-organisation
//! time zone yet; see `appointments`), so the date of a contact is the date the coach typed.
//!
//! A contact's note is short and NONCLINICAL: what was arranged, not a diagnosis or a
//! therapy note; the length cap keeps it that way.

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime};

use crate::fields::{FieldErrors, optional_date, optional_text};
use crate::ids::{ContactId, GroupSessionId, ParticipantId, TaskId, UserId};
use crate::scalar::{text_or_scalar, whole_number};
use crate::tasks::Task;
use crate::vocabulary::{
    Activity, ContactFormat, ContactMode, Setting, SupportKind, TaskKind, TaskStatus, Vocabulary,
};

/// Minutes a contact takes when none are given: a typical check-in.
pub const DEFAULT_MINUTES: i32 = 30;
/// The longest contact: a whole day's escort, not a typo of an extra zero.
const MAX_MINUTES: i32 = 720;
/// A note is a line or two, never a clinical record.
pub const NOTE_MAX: usize = 280;
/// A component's name, as the program's definition caps it.
const COMPONENT_MAX: usize = 120;
/// How old a contact may be when logged or edited; older is almost surely a typo of the year.
const MAX_AGE_DAYS: i64 = 366;
/// The furthest a follow-up may be set.
const FOLLOW_UP_MAX_DAYS: i64 = 366;

/// Raw contact fields from the form or a JSON body. When changing a contact, absent fields
/// stay as they are; `participant_id` and `task_id` are fixed once the contact is logged.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ContactInput {
    /// The participant (required for a new contact).
    pub participant_id: Option<String>,
    /// When it happened: `YYYY-MM-DDTHH:MM` (wall-clock) or RFC 3339; defaults to now.
    pub occurred_at: Option<String>,
    /// How long, in minutes; defaults to 30.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub minutes: Option<String>,
    /// A contact-mode code (`in_person`, `phone`, `video`, `text`). Required.
    pub mode: Option<String>,
    /// A contact-format code; defaults to `one_to_one`.
    pub format: Option<String>,
    /// One or more support-kind codes (`emotional`, `informational`, `instrumental`,
    /// `affiliational`).
    pub support_kinds: Option<Vec<String>>,
    /// Activity codes (`check_in`, `escort`…).
    pub activities: Option<Vec<String>>,
    /// The open protocol-step task this contact does (its window open or overdue).
    pub task_id: Option<String>,
    /// A setting code (where the contact happened), blank for none.
    pub setting: Option<String>,
    /// The name of the participant's program's component this contact delivered, blank for
    /// none; it must be one of the program's components. Lets the evaluation tell peer
    /// support apart from the program's other services.
    pub component: Option<String>,
    /// A short nonclinical note (at most 280 characters).
    pub note: Option<String>,
    /// ISO 8601 date of the next follow-up; makes a follow-up task. Blank clears it.
    pub next_follow_up_on: Option<String>,
}

/// A contact's own fields, valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactFields {
    pub occurred_at: OffsetDateTime,
    pub minutes: i32,
    pub mode: ContactMode,
    pub format: ContactFormat,
    /// At least one, in vocabulary order, no repeats.
    pub support_kinds: Vec<SupportKind>,
    /// In vocabulary order, no repeats.
    pub activities: Vec<Activity>,
    pub setting: Option<Setting>,
    /// The program component delivered, by name (checked against the participant's program
    /// by the application, which knows it).
    pub component: Option<String>,
    pub note: Option<String>,
    pub next_follow_up_on: Option<Date>,
}

/// A new contact, valid as far as the domain can tell (the app checks the participant and
/// task exist and may be worked with).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewContact {
    pub participant_id: ParticipantId,
    pub task_id: Option<TaskId>,
    pub fields: ContactFields,
}

/// A contact as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub id: ContactId,
    pub participant_id: ParticipantId,
    /// The participant's name as the team uses it (for lists).
    pub participant_name: String,
    pub coach_id: UserId,
    pub coach_name: String,
    pub fields: ContactFields,
    pub group_session_id: Option<GroupSessionId>,
    pub task_id: Option<TaskId>,
    /// 1 when logged, +1 per edit.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// One field's change in an edit: its value before and after, as shown to people.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// One edit of a contact: who, when, what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    pub revision: i32,
    pub changed_by: UserId,
    pub changed_by_name: String,
    pub changed_at: OffsetDateTime,
    pub changes: Vec<FieldChange>,
}

/// Parses `YYYY-MM-DDTHH:MM[:SS]` (what `<input type="datetime-local">` sends) as a wall-clock
/// time, or an RFC 3339 instant.
pub fn parse_moment(value: &str) -> Result<OffsetDateTime, String> {
    let text = value.trim();
    let local = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let local_seconds =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    PrimitiveDateTime::parse(text, &local)
        .or_else(|_| PrimitiveDateTime::parse(text, &local_seconds))
        .map(PrimitiveDateTime::assume_utc)
        .or_else(|_| OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339))
        .map_err(|_| format!("must be a date and time written YYYY-MM-DDTHH:MM, not \"{text}\""))
}

/// The value a `datetime-local` input shows for `at`.
pub fn moment_input(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]");
    at.format(&format).unwrap_or_default()
}

fn codes<V: Vocabulary + Ord>(
    errors: &mut FieldErrors,
    field: &str,
    values: &[String],
) -> Option<Vec<V>> {
    let mut parsed = Vec::new();
    for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        match V::parse(value) {
            Ok(term) => parsed.push(term),
            Err(message) => {
                errors.add(field, message);
                return None;
            }
        }
    }
    parsed.sort();
    parsed.dedup();
    Some(parsed)
}

fn optional_code<V: Vocabulary>(
    errors: &mut FieldErrors,
    field: &str,
    value: Option<&str>,
) -> Option<Option<V>> {
    match value.map(str::trim) {
        None | Some("") => Some(None),
        Some(code) => errors.check(field, V::parse(code).map(Some)),
    }
}

impl ContactFields {
    /// Parses every field of `input` (absent ones take their defaults). `now` is the clock's
    /// time, in the same wall-clock convention as the entered times.
    pub fn parse(input: &ContactInput, now: OffsetDateTime) -> Result<Self, FieldErrors> {
        Self::parse_within(input, now, Some(MAX_AGE_DAYS))
    }

    /// Parses a contact from a program's past records (a spreadsheet import): as [`parse`],
    /// but of any age, since programs arrive with years of history; the one-year limit is for
    /// typing mistakes in a form, not for records kept elsewhere.
    ///
    /// [`parse`]: ContactFields::parse
    pub fn parse_history(input: &ContactInput, now: OffsetDateTime) -> Result<Self, FieldErrors> {
        Self::parse_within(input, now, None)
    }

    fn parse_within(
        input: &ContactInput,
        now: OffsetDateTime,
        max_age_days: Option<i64>,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let occurred_at = match input.occurred_at.as_deref().map(str::trim) {
            None | Some("") => Some(now),
            Some(text) => errors.check("occurred_at", parse_moment(text)),
        };
        let today = now.date();
        if let Some(at) = occurred_at {
            // A day of slack: a coach ahead of UTC logs "today" that is UTC's tomorrow.
            if at.date() > today + Duration::days(1) {
                errors.add("occurred_at", "must not be in the future");
            } else if max_age_days.is_some_and(|days| at.date() < today - Duration::days(days)) {
                errors.add("occurred_at", "must be within the last year");
            }
        }
        let minutes = match input.minutes.as_deref().map(str::trim) {
            None | Some("") => Some(DEFAULT_MINUTES),
            Some(text) => errors.check("minutes", whole_number(text, 1..=MAX_MINUTES)),
        };
        let mode = match input.mode.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("mode", "choose how the contact happened");
                None
            }
            Some(code) => errors.check("mode", ContactMode::parse(code)),
        };
        let format = optional_code::<ContactFormat>(&mut errors, "format", input.format.as_deref())
            .map(|f| f.unwrap_or(ContactFormat::OneToOne));
        let kinds = input.support_kinds.as_deref().unwrap_or_default();
        let support_kinds = codes::<SupportKind>(&mut errors, "support_kinds", kinds);
        if support_kinds.as_ref().is_some_and(Vec::is_empty) {
            errors.add("support_kinds", "choose at least one kind of support");
        }
        let activities = input.activities.as_deref().unwrap_or_default();
        let activities = codes::<Activity>(&mut errors, "activities", activities);
        let setting = optional_code::<Setting>(&mut errors, "setting", input.setting.as_deref());
        let component =
            errors.check("component", optional_text(input.component.as_deref(), COMPONENT_MAX));
        let note = errors.check("note", optional_text(input.note.as_deref(), NOTE_MAX));
        let next =
            errors.check("next_follow_up_on", optional_date(input.next_follow_up_on.as_deref()));
        if let (Some(Some(next)), Some(at)) = (next, occurred_at) {
            if next <= at.date() {
                errors.add("next_follow_up_on", "must be after the contact");
            } else if next > at.date() + Duration::days(FOLLOW_UP_MAX_DAYS) {
                errors.add("next_follow_up_on", "must be within a year of the contact");
            }
        }
        errors.into_result(|| {
            Some(ContactFields {
                occurred_at: occurred_at?,
                minutes: minutes?,
                mode: mode?,
                format: format?,
                support_kinds: support_kinds?,
                activities: activities?,
                setting: setting?,
                component: component?,
                note: note?,
                next_follow_up_on: next?,
            })
        })
    }

    /// The fields as input again (for an edit form, or to merge a partial change).
    pub fn to_input(&self) -> ContactInput {
        ContactInput {
            participant_id: None,
            occurred_at: Some(moment_input(self.occurred_at)),
            minutes: Some(self.minutes.to_string()),
            mode: Some(self.mode.code().into()),
            format: Some(self.format.code().into()),
            support_kinds: Some(self.support_kinds.iter().map(|k| k.code().into()).collect()),
            activities: Some(self.activities.iter().map(|a| a.code().into()).collect()),
            task_id: None,
            setting: Some(self.setting.map(|s| s.code().into()).unwrap_or_default()),
            component: Some(self.component.clone().unwrap_or_default()),
            note: Some(self.note.clone().unwrap_or_default()),
            next_follow_up_on: Some(
                self.next_follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
        }
    }

    /// Each field as shown in the edit history.
    fn shown(&self) -> [(&'static str, String); 10] {
        let labels = |terms: Vec<&'static str>| terms.join(", ");
        [
            ("occurred_at", moment_input(self.occurred_at).replace('T', " ")),
            ("minutes", self.minutes.to_string()),
            ("mode", self.mode.label().into()),
            ("format", self.format.label().into()),
            ("support_kinds", labels(self.support_kinds.iter().map(|k| k.label()).collect())),
            ("activities", labels(self.activities.iter().map(|a| a.label()).collect())),
            ("setting", self.setting.map(|s| s.label()).unwrap_or_default().into()),
            ("component", self.component.clone().unwrap_or_default()),
            ("note", self.note.clone().unwrap_or_default()),
            (
                "next_follow_up_on",
                self.next_follow_up_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
        ]
    }

    /// What differs from `before`, field by field.
    pub fn changes_from(&self, before: &ContactFields) -> Vec<FieldChange> {
        before
            .shown()
            .into_iter()
            .zip(self.shown())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((field, before), (_, after))| FieldChange { field: field.into(), before, after })
            .collect()
    }
}

impl NewContact {
    pub fn parse(input: &ContactInput, now: OffsetDateTime) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let participant = match input.participant_id.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("participant_id", "choose the participant");
                None
            }
            Some(text) => errors.check(
                "participant_id",
                text.parse::<ParticipantId>().map_err(|_| "is not a participant id".to_string()),
            ),
        };
        let task = match input.task_id.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(text) => errors.check(
                "task_id",
                text.parse::<TaskId>().map(Some).map_err(|_| "is not a task id".to_string()),
            ),
        };
        let fields = match ContactFields::parse(input, now) {
            Ok(fields) => Some(fields),
            Err(more) => {
                for e in more.iter() {
                    errors.add(e.field.clone(), e.message.clone());
                }
                None
            }
        };
        errors.into_result(|| {
            Some(NewContact { participant_id: participant?, task_id: task?, fields: fields? })
        })
    }
}

impl Contact {
    /// The fields with those present in `input` applied, and what changed.
    pub fn apply(
        &self,
        input: &ContactInput,
        now: OffsetDateTime,
    ) -> Result<(ContactFields, Vec<FieldChange>), FieldErrors> {
        let current = self.fields.to_input();
        let merged = ContactInput {
            participant_id: None,
            occurred_at: input.occurred_at.clone().or(current.occurred_at),
            minutes: input.minutes.clone().or(current.minutes),
            mode: input.mode.clone().or(current.mode),
            format: input.format.clone().or(current.format),
            support_kinds: input.support_kinds.clone().or(current.support_kinds),
            activities: input.activities.clone().or(current.activities),
            task_id: None,
            setting: input.setting.clone().or(current.setting),
            component: input.component.clone().or(current.component),
            note: input.note.clone().or(current.note),
            next_follow_up_on: input.next_follow_up_on.clone().or(current.next_follow_up_on),
        };
        let fields = ContactFields::parse(&merged, now)?;
        let changes = fields.changes_from(&self.fields);
        Ok((fields, changes))
    }
}

/// The component named, if it is one of `components` (the participant's program's, by name);
/// the refusal is worded for the `component` field.
pub fn check_component<'c>(
    named: Option<&str>,
    components: impl IntoIterator<Item = &'c str>,
) -> Result<(), String> {
    let Some(named) = named else { return Ok(()) };
    let names: Vec<&str> = components.into_iter().collect();
    if names.contains(&named) {
        Ok(())
    } else if names.is_empty() {
        Err("the participant's program has no components to record".into())
    } else {
        Err(format!("must be one of the program's components: {}", names.join(", ")))
    }
}

/// Whether a contact on `on` may fulfil `task`: an open protocol step whose window has opened
/// (open now or overdue). A step done late still counts as done — not on time — in fidelity.
pub fn fulfils(task: &Task, on: Date) -> bool {
    task.kind == TaskKind::ProtocolStep && task.status == TaskStatus::Open && task.opens_on <= on
}

/// Whether a contact on `on` closes a follow-up `task` (one due on or before it).
pub fn closes_follow_up(task: &Task, on: Date) -> bool {
    task.kind == TaskKind::FollowUp && task.status == TaskStatus::Open && task.due_on <= on
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    const NOW: OffsetDateTime = datetime!(2026-11-23 15:00 UTC);

    fn input() -> ContactInput {
        ContactInput {
            participant_id: Some(ParticipantId::generate().to_string()),
            mode: Some("phone".into()),
            support_kinds: Some(vec!["emotional".into()]),
            ..Default::default()
        }
    }

    fn task(kind: TaskKind, opens: Date, due: Date) -> Task {
        Task {
            id: TaskId::generate(),
            participant_id: ParticipantId::generate(),
            kind,
            program_id: None,
            step_code: None,
            assignee_id: None,
            title: "t".into(),
            opens_on: opens,
            due_on: due,
            closes_on: Some(due + Duration::days(2)),
            status: TaskStatus::Open,
            completed_on: None,
            cancellation: None,
        }
    }

    #[test]
    fn defaults_fill_when_minutes_and_format() {
        let new = NewContact::parse(&input(), NOW).unwrap();
        assert_eq!(new.fields.occurred_at, NOW);
        assert_eq!(new.fields.minutes, DEFAULT_MINUTES);
        assert_eq!(new.fields.format, ContactFormat::OneToOne);
        assert_eq!(new.fields.support_kinds, vec![SupportKind::Emotional]);
        assert_eq!(new.task_id, None);
    }

    #[test]
    fn every_bad_field_is_named() {
        let bad = ContactInput {
            participant_id: None,
            occurred_at: Some("2026-11-30T10:00".into()),
            minutes: Some("0".into()),
            mode: None,
            support_kinds: Some(vec!["spiritual".into()]),
            activities: Some(vec!["check_in".into(), "nap".into()]),
            note: Some("x".repeat(NOTE_MAX + 1)),
            next_follow_up_on: Some("2026-11-01".into()),
            task_id: Some("nope".into()),
            ..Default::default()
        };
        let errors = NewContact::parse(&bad, NOW).unwrap_err();
        for field in [
            "participant_id",
            "occurred_at",
            "minutes",
            "mode",
            "support_kinds",
            "activities",
            "note",
            "task_id",
        ] {
            assert!(errors.get(field).is_some(), "{field}: {errors}");
        }
        assert!(errors.get("support_kinds").unwrap().contains("affiliational"));
        let none = ContactInput { support_kinds: Some(vec![]), ..input() };
        assert_eq!(
            NewContact::parse(&none, NOW).unwrap_err().get("support_kinds"),
            Some("choose at least one kind of support")
        );
    }

    #[test]
    fn a_follow_up_comes_after_the_contact() {
        let same_day = ContactInput {
            occurred_at: Some("2026-11-20T09:30".into()),
            next_follow_up_on: Some("2026-11-20".into()),
            ..input()
        };
        let errors = NewContact::parse(&same_day, NOW).unwrap_err();
        assert_eq!(errors.get("next_follow_up_on"), Some("must be after the contact"));
        let later = ContactInput { next_follow_up_on: Some("2026-11-27".into()), ..same_day };
        let new = NewContact::parse(&later, NOW).unwrap();
        assert_eq!(new.fields.occurred_at, datetime!(2026-11-20 9:30 UTC));
        assert_eq!(new.fields.next_follow_up_on, Some(date!(2026 - 11 - 27)));
    }

    #[test]
    fn an_edit_lists_what_changed_before_and_after() {
        let fields = NewContact::parse(&input(), NOW).unwrap().fields;
        let contact = Contact {
            id: ContactId::generate(),
            participant_id: ParticipantId::generate(),
            participant_name: "Ana Reyes".into(),
            coach_id: UserId::generate(),
            coach_name: "coach".into(),
            fields,
            group_session_id: None,
            task_id: None,
            version: 1,
            created_at: NOW,
            updated_at: NOW,
        };
        let edit = ContactInput {
            minutes: Some("45".into()),
            support_kinds: Some(vec!["instrumental".into(), "emotional".into()]),
            ..Default::default()
        };
        let (fields, changes) = contact.apply(&edit, NOW).unwrap();
        assert_eq!(fields.mode, ContactMode::Phone);
        assert_eq!(
            changes,
            vec![
                FieldChange { field: "minutes".into(), before: "30".into(), after: "45".into() },
                FieldChange {
                    field: "support_kinds".into(),
                    before: "Emotional".into(),
                    after: "Emotional, Instrumental".into()
                },
            ]
        );
        let (_, none) = contact.apply(&ContactInput::default(), NOW).unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn a_component_must_be_the_programs() {
        let program = ["Motivational interview", "Referral"];
        assert_eq!(check_component(None, program), Ok(()));
        assert_eq!(check_component(Some("Referral"), program), Ok(()));
        assert_eq!(
            check_component(Some("Massage"), program),
            Err("must be one of the program's components: Motivational interview, Referral".into())
        );
        assert!(check_component(Some("Referral"), []).is_err());
    }

    #[test]
    fn only_open_steps_whose_window_opened_are_fulfilled() {
        let on = date!(2026 - 11 - 23);
        let step = task(TaskKind::ProtocolStep, date!(2026 - 11 - 20), date!(2026 - 11 - 22));
        assert!(fulfils(&step, on));
        let not_yet = task(TaskKind::ProtocolStep, date!(2026 - 11 - 24), date!(2026 - 11 - 26));
        assert!(!fulfils(&not_yet, on));
        let done = Task { status: TaskStatus::Done, ..step.clone() };
        assert!(!fulfils(&done, on));
        let follow_up = task(TaskKind::FollowUp, on, on);
        assert!(!fulfils(&follow_up, on));
        assert!(closes_follow_up(&follow_up, on));
        assert!(!closes_follow_up(&follow_up, on - Duration::days(1)));
    }
}
