//! A program's protocol: timed steps, each with a target day and a window measured from an
//! anchor (the enrolment date, or the first appointment of a kind). Steps become tasks; the
//! task's dates are the step's days added to the participant's anchor date.

use time::{Date, Duration};

use crate::fields::{FieldErrors, optional_text, required_text};
use crate::scalar::{text_or_scalar, whole_number};
use crate::vocabulary::{Activity, AppointmentKind, StepAnchor, Vocabulary};

/// The earliest and latest day a step may be placed at, relative to its anchor. Five years
/// covers every follow-up the evidence uses; a year before an appointment covers any escort.
pub const DAY_RANGE: std::ops::RangeInclusive<i32> = -365..=1825;

/// Raw step fields from a form or JSON body.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StepInput {
    /// Short stable code, unique in the program: lowercase letters, digits and `_`
    /// (`telephone_booster`). Tasks and contacts refer to the step by it.
    pub code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// A step-anchor code: `enrolment` or `first_appointment`.
    pub anchor: Option<String>,
    /// For `first_appointment` steps: the appointment-kind code the step is measured from.
    pub appointment_kind: Option<String>,
    /// Days from the anchor when the step is due (negative = before the anchor).
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "10"))]
    pub target_day: Option<String>,
    /// First day of the window in which the step counts as done on time.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "8"))]
    pub window_start_day: Option<String>,
    /// Last day of the window.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12"))]
    pub window_end_day: Option<String>,
    /// The activity code the step is done by (offered when logging the contact).
    pub activity: Option<String>,
}

/// One valid protocol step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolStep {
    pub code: String,
    pub name: String,
    pub description: String,
    pub anchor: StepAnchor,
    /// Present exactly when `anchor` is the first appointment.
    pub appointment_kind: Option<AppointmentKind>,
    pub target_day: i32,
    pub window_start_day: i32,
    pub window_end_day: i32,
    pub activity: Option<Activity>,
}

/// A step's dates for one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepSchedule {
    pub opens_on: Date,
    pub due_on: Date,
    pub closes_on: Date,
}

impl ProtocolStep {
    /// The step's window and target for a participant whose anchor falls on `anchor_date`.
    pub fn schedule(&self, anchor_date: Date) -> StepSchedule {
        let day = |offset: i32| anchor_date + Duration::days(i64::from(offset));
        StepSchedule {
            opens_on: day(self.window_start_day),
            due_on: day(self.target_day),
            closes_on: day(self.window_end_day),
        }
    }

    /// The timing in words: "day 10 (window 8–12) after enrolment".
    pub fn timing(&self) -> String {
        let days = if self.window_start_day == self.window_end_day {
            format!("day {}", self.target_day)
        } else {
            format!(
                "day {} (window {}–{})",
                self.target_day, self.window_start_day, self.window_end_day
            )
        };
        match (self.anchor, self.appointment_kind) {
            (StepAnchor::FirstAppointment, Some(kind)) => {
                format!("{days} relative to the first {} appointment", kind.label().to_lowercase())
            }
            _ => format!("{days} after enrolment"),
        }
    }

    /// Parses one step; `prefix` names its fields in the errors (`steps[2].`).
    pub fn parse(input: &StepInput, prefix: &str, errors: &mut FieldErrors) -> Option<Self> {
        let field = |name: &str| format!("{prefix}{name}");
        let code = errors.check(&field("code"), parse_code(input.code.as_deref()));
        let name = errors.check(&field("name"), required_text(input.name.as_deref(), 200));
        let description =
            errors.check(&field("description"), optional_text(input.description.as_deref(), 1000));
        let anchor =
            errors.check(&field("anchor"), required_code::<StepAnchor>(input.anchor.as_deref()));
        let appointment_kind = errors.check(
            &field("appointment_kind"),
            optional_code::<AppointmentKind>(input.appointment_kind.as_deref()),
        );
        let target = errors.check(&field("target_day"), day(input.target_day.as_deref()));
        let start =
            errors.check(&field("window_start_day"), day(input.window_start_day.as_deref()));
        let end = errors.check(&field("window_end_day"), day(input.window_end_day.as_deref()));
        let activity =
            errors.check(&field("activity"), optional_code::<Activity>(input.activity.as_deref()));

        if let (Some(target), Some(start)) = (target, start)
            && start > target
        {
            errors.add(
                field("window_start_day"),
                format!("must be on or before the target day ({target})"),
            );
        }
        if let (Some(target), Some(end)) = (target, end)
            && end < target
        {
            errors.add(
                field("window_end_day"),
                format!("must be on or after the target day ({target})"),
            );
        }
        let appointment_kind = match (anchor, appointment_kind.flatten()) {
            (Some(StepAnchor::FirstAppointment), None) => {
                errors.add(
                    field("appointment_kind"),
                    "is required for a step measured from the first appointment",
                );
                None
            }
            (Some(StepAnchor::FirstAppointment), kind) => kind,
            // An appointment kind means nothing to an enrolment step: it is dropped.
            _ => None,
        };
        if anchor == Some(StepAnchor::Enrolment) && start.is_some_and(|s| s < 0) {
            errors.add(
                field("window_start_day"),
                "must be 0 or later: a step measured from enrolment cannot open before it",
            );
        }
        Some(ProtocolStep {
            code: code?,
            name: name?,
            description: description?.unwrap_or_default(),
            anchor: anchor?,
            appointment_kind,
            target_day: target?,
            window_start_day: start?,
            window_end_day: end?,
            activity: activity?,
        })
    }

    /// The step as input (to fill a form, or to change one field and send it back).
    pub fn to_input(&self) -> StepInput {
        StepInput {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            anchor: Some(self.anchor.code().into()),
            appointment_kind: self.appointment_kind.map(|k| k.code().into()),
            target_day: Some(self.target_day.to_string()),
            window_start_day: Some(self.window_start_day.to_string()),
            window_end_day: Some(self.window_end_day.to_string()),
            activity: self.activity.map(|a| a.code().into()),
        }
    }
}

/// Whether `text` is a valid step code (`telephone_booster`).
pub fn parse_code(value: Option<&str>) -> Result<String, String> {
    let code = required_text(value, 40)?;
    let valid = code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if valid {
        Ok(code)
    } else {
        Err("must start with a letter and use only lowercase letters, digits and _".into())
    }
}

fn day(value: Option<&str>) -> Result<i32, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(text) => whole_number(text, DAY_RANGE),
    }
}

fn required_code<V: Vocabulary>(value: Option<&str>) -> Result<V, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(code) => V::parse(code),
    }
}

fn optional_code<V: Vocabulary>(value: Option<&str>) -> Result<Option<V>, String> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => V::parse(code).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn booster() -> StepInput {
        StepInput {
            code: Some("telephone_booster".into()),
            name: Some("Telephone booster".into()),
            anchor: Some("enrolment".into()),
            target_day: Some("10".into()),
            window_start_day: Some("8".into()),
            window_end_day: Some("12".into()),
            activity: Some("motivational_conversation".into()),
            ..Default::default()
        }
    }

    fn parse(input: &StepInput) -> Result<ProtocolStep, FieldErrors> {
        let mut errors = FieldErrors::new();
        let step = ProtocolStep::parse(input, "", &mut errors);
        errors.into_result(|| step)
    }

    #[test]
    fn a_step_schedules_its_window_from_the_anchor() {
        let step = parse(&booster()).unwrap();
        let schedule = step.schedule(date!(2026 - 03 - 01));
        assert_eq!(schedule.opens_on, date!(2026 - 03 - 09));
        assert_eq!(schedule.due_on, date!(2026 - 03 - 11));
        assert_eq!(schedule.closes_on, date!(2026 - 03 - 13));
        assert_eq!(step.timing(), "day 10 (window 8–12) after enrolment");
        assert_eq!(parse(&step.to_input()).unwrap(), step);
    }

    #[test]
    fn the_window_must_contain_the_target() {
        let mut input = booster();
        input.window_start_day = Some("11".into());
        input.window_end_day = Some("9".into());
        let errors = parse(&input).unwrap_err();
        assert_eq!(
            errors.get("window_start_day"),
            Some("must be on or before the target day (10)")
        );
        assert_eq!(errors.get("window_end_day"), Some("must be on or after the target day (10)"));
    }

    #[test]
    fn enrolment_steps_cannot_open_before_enrolment_but_escorts_can() {
        let mut input = booster();
        input.window_start_day = Some("-3".into());
        assert!(parse(&input).unwrap_err().get("window_start_day").unwrap().contains("0 or later"));

        let escort = StepInput {
            code: Some("escort".into()),
            name: Some("Escort to first outpatient appointment".into()),
            anchor: Some("first_appointment".into()),
            target_day: Some("0".into()),
            window_start_day: Some("-60".into()),
            window_end_day: Some("0".into()),
            ..Default::default()
        };
        let errors = parse(&escort).unwrap_err();
        assert_eq!(
            errors.get("appointment_kind"),
            Some("is required for a step measured from the first appointment")
        );
        let escort =
            StepInput { appointment_kind: Some("substance_use_treatment".into()), ..escort };
        let step = parse(&escort).unwrap();
        assert_eq!(step.schedule(date!(2026 - 03 - 01)).opens_on, date!(2025 - 12 - 31));
        assert_eq!(
            step.timing(),
            "day 0 (window -60–0) relative to the first substance use treatment appointment"
        );
    }

    #[test]
    fn codes_and_days_are_checked() {
        let mut input = booster();
        input.code = Some("Telephone Booster".into());
        input.target_day = Some("ten".into());
        input.anchor = Some("discharge".into());
        let errors = parse(&input).unwrap_err();
        assert!(errors.get("code").unwrap().contains("lowercase"));
        assert!(errors.get("target_day").unwrap().contains("whole number"));
        assert!(errors.get("anchor").unwrap().contains("enrolment, first_appointment"));
    }
}
