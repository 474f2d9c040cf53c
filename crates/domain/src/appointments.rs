//! Appointments a participant has with other services (treatment intake, a doctor, court).
//! Coaches record them to plan escorts and rides; the first appointment of a kind anchors
//! protocol steps ("escort to the first outpatient appointment"), and whether the person went
//! is an outcome.
//!
//! Kindred has no per-organisation time zone yet: a time is the wall-clock time as entered,
//! stored as if UTC, so the date is always the date the person typed.

use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time};

use crate::fields::{FieldErrors, optional_text, required_date, required_text};
use crate::ids::{AppointmentId, ParticipantId, UserId};
use crate::vocabulary::{AppointmentKind, AppointmentStatus, Vocabulary};

/// How far from today an appointment may be dated; beyond it the year is almost surely a typo.
const YEARS_EITHER_SIDE: i64 = 2;

/// Raw appointment fields. When changing, absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AppointmentInput {
    /// An appointment-kind code (`substance_use_treatment`, `medical`…).
    pub kind: Option<String>,
    /// ISO 8601 date.
    pub date: Option<String>,
    /// `HH:MM`, 24-hour; blank if not known.
    pub time: Option<String>,
    /// The service or person the appointment is with.
    pub with_whom: Option<String>,
    pub place: Option<String>,
    /// An appointment-status code; defaults to `scheduled`.
    pub status: Option<String>,
    /// A short practical note (what to bring, who is driving). Nonclinical.
    pub note: Option<String>,
}

/// A valid appointment's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppointmentDetails {
    pub kind: AppointmentKind,
    pub date: Date,
    pub time: Option<Time>,
    pub with_whom: String,
    pub place: Option<String>,
    pub status: AppointmentStatus,
    pub note: Option<String>,
}

/// An appointment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: AppointmentId,
    pub participant_id: ParticipantId,
    pub details: AppointmentDetails,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
}

impl AppointmentDetails {
    pub fn parse(input: &AppointmentInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = errors.check(
            "kind",
            match input.kind.as_deref().map(str::trim) {
                None | Some("") => Err("is required".to_string()),
                Some(code) => AppointmentKind::parse(code),
            },
        );
        let date = errors.check("date", required_date(input.date.as_deref()));
        let time = errors.check("time", parse_time(input.time.as_deref()));
        let with_whom = errors.check("with_whom", required_text(input.with_whom.as_deref(), 200));
        let place = errors.check("place", optional_text(input.place.as_deref(), 200));
        let status = errors.check(
            "status",
            match input.status.as_deref().map(str::trim) {
                None | Some("") => Ok(AppointmentStatus::Scheduled),
                Some(code) => AppointmentStatus::parse(code),
            },
        );
        let note = errors.check("note", optional_text(input.note.as_deref(), 1000));
        let details = (|| {
            Some(AppointmentDetails {
                kind: kind?,
                date: date?,
                time: time?,
                with_whom: with_whom?,
                place: place?,
                status: status?,
                note: note?,
            })
        })();
        if let Some(details) = &details {
            details.check(today, &mut errors);
        }
        errors.into_result(|| details)
    }

    /// Applies the fields present in `input`.
    pub fn apply_changes(
        &self,
        input: &AppointmentInput,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let current = self.to_input();
        let pick = |given: &Option<String>, now: &Option<String>| given.clone().or(now.clone());
        let merged = AppointmentInput {
            kind: pick(&input.kind, &current.kind),
            date: pick(&input.date, &current.date),
            time: pick(&input.time, &current.time),
            with_whom: pick(&input.with_whom, &current.with_whom),
            place: pick(&input.place, &current.place),
            status: pick(&input.status, &current.status),
            note: pick(&input.note, &current.note),
        };
        Self::parse(&merged, today)
    }

    fn check(&self, today: Date, errors: &mut FieldErrors) {
        let limit = Duration::days(365 * YEARS_EITHER_SIDE);
        if self.date < today - limit || self.date > today + limit {
            errors.add("date", format!("must be within {YEARS_EITHER_SIDE} years of today"));
        }
        let happened =
            matches!(self.status, AppointmentStatus::Attended | AppointmentStatus::Missed);
        if happened && self.date > today {
            errors.add("status", "cannot be attended or missed before the day of the appointment");
        }
    }

    /// When it is, as stored (the wall-clock time taken as UTC; midnight when unknown).
    pub fn scheduled_for(&self) -> OffsetDateTime {
        PrimitiveDateTime::new(self.date, self.time.unwrap_or(Time::MIDNIGHT)).assume_utc()
    }

    /// The date and time in words: "2026-03-11 at 14:30".
    pub fn when(&self) -> String {
        match self.time {
            Some(time) => format!("{} at {:02}:{:02}", self.date, time.hour(), time.minute()),
            None => self.date.to_string(),
        }
    }

    pub fn to_input(&self) -> AppointmentInput {
        AppointmentInput {
            kind: Some(self.kind.code().into()),
            date: Some(self.date.to_string()),
            time: Some(
                self.time.map(|t| format!("{:02}:{:02}", t.hour(), t.minute())).unwrap_or_default(),
            ),
            with_whom: Some(self.with_whom.clone()),
            place: Some(self.place.clone().unwrap_or_default()),
            status: Some(self.status.code().into()),
            note: Some(self.note.clone().unwrap_or_default()),
        }
    }
}

impl Appointment {
    /// Rebuilds the details from storage, where the time of day is part of `scheduled_for`.
    pub fn split_scheduled_for(at: OffsetDateTime) -> (Date, Option<Time>) {
        let time = at.time();
        (at.date(), (time != Time::MIDNIGHT).then_some(time))
    }
}

fn parse_time(value: Option<&str>) -> Result<Option<Time>, String> {
    let Some(text) = value.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let format = time::macros::format_description!("[hour]:[minute]");
    let seconds = time::macros::format_description!("[hour]:[minute]:[second]");
    Time::parse(text, &format)
        .or_else(|_| Time::parse(text, &seconds))
        .map(Some)
        .map_err(|_| format!("must be a time written HH:MM, not \"{text}\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    const TODAY: Date = date!(2026 - 03 - 11);

    fn intake() -> AppointmentInput {
        AppointmentInput {
            kind: Some("substance_use_treatment".into()),
            date: Some("2026-03-20".into()),
            time: Some("14:30".into()),
            with_whom: Some("County Outpatient Services".into()),
            ..Default::default()
        }
    }

    #[test]
    fn an_appointment_needs_a_kind_a_date_and_whom_it_is_with() {
        let details = AppointmentDetails::parse(&intake(), TODAY).unwrap();
        assert_eq!(details.status, AppointmentStatus::Scheduled);
        assert_eq!(details.time, Some(time!(14:30)));
        assert_eq!(details.when(), "2026-03-20 at 14:30");
        let (date, time) = Appointment::split_scheduled_for(details.scheduled_for());
        assert_eq!((date, time), (details.date, details.time));
        let errors = AppointmentDetails::parse(&AppointmentInput::default(), TODAY).unwrap_err();
        for field in ["kind", "date", "with_whom"] {
            assert_eq!(errors.get(field), Some("is required"), "{field}");
        }
    }

    #[test]
    fn a_future_appointment_cannot_have_happened() {
        let attended = AppointmentInput { status: Some("attended".into()), ..intake() };
        let errors = AppointmentDetails::parse(&attended, TODAY).unwrap_err();
        assert!(errors.get("status").is_some());
        let details = AppointmentDetails::parse(&intake(), TODAY).unwrap();
        let later = date!(2026 - 03 - 20);
        let changed = details
            .apply_changes(
                &AppointmentInput { status: Some("attended".into()), ..Default::default() },
                later,
            )
            .unwrap();
        assert_eq!(changed.status, AppointmentStatus::Attended);
        assert_eq!(changed.with_whom, "County Outpatient Services");
        let bad_time = AppointmentInput { time: Some("2pm".into()), ..intake() };
        assert!(AppointmentDetails::parse(&bad_time, TODAY).unwrap_err().get("time").is_some());
    }
}
