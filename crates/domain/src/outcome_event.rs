//! Outcome events: dated things that happened to a participant (a treatment admission, an
//! arrest, a new job), recorded from the participant page or the API, for the evaluation.
//! Appointment outcomes are recorded with the appointment itself.

use time::{Date, Duration, OffsetDateTime};

use crate::fields::{FieldErrors, optional_text, required_date};
use crate::ids::{OutcomeEventId, ParticipantId, UserId};
use crate::vocabulary::{
    AppointmentKind, HospitalisationKind, OutcomeEventKind, PrimarySubstance, Vocabulary,
};

const DETAIL_MAX: usize = 280;
/// How far back an event may be dated: the evaluation follows people for a few years.
const MAX_AGE_DAYS: i64 = 3 * 366;

/// Raw event fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OutcomeEventInput {
    /// An outcome-event-kind code (`treatment_admission`, `arrest`…). Required.
    pub kind: Option<String>,
    /// ISO 8601 date; not in the future. Required.
    pub occurred_on: Option<String>,
    /// A primary-substance code, for use and overdose events.
    pub substance: Option<String>,
    /// For a hospitalisation: its kind (`psychiatric`, `medical`, `detox`, `residential`), so
    /// an outcome can count only the kind it names. Refused on any other event.
    pub hospitalisation_kind: Option<String>,
    /// A short nonclinical detail (at most 280 characters).
    pub detail: Option<String>,
}

/// A valid event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOutcomeEvent {
    pub kind: OutcomeEventKind,
    pub occurred_on: Date,
    pub substance: Option<PrimarySubstance>,
    /// Only on a hospitalisation, and optional there (an old admission of unknown kind).
    pub hospitalisation_kind: Option<HospitalisationKind>,
    pub detail: Option<String>,
}

/// An event as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeEvent {
    pub id: OutcomeEventId,
    pub participant_id: ParticipantId,
    pub event: NewOutcomeEvent,
    /// For an appointment's attended or missed event: the appointment's kind.
    pub appointment_kind: Option<AppointmentKind>,
    pub recorded_by: UserId,
    pub recorded_by_name: String,
    pub recorded_at: OffsetDateTime,
}

impl NewOutcomeEvent {
    pub fn parse(input: &OutcomeEventInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let kind = match input.kind.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("kind", "choose what happened");
                None
            }
            Some(code) => errors.check("kind", OutcomeEventKind::parse(code)),
        };
        let occurred_on = errors.check("occurred_on", required_date(input.occurred_on.as_deref()));
        if let Some(on) = occurred_on {
            if on > today {
                errors.add("occurred_on", "must not be in the future");
            } else if on < today - Duration::days(MAX_AGE_DAYS) {
                errors.add("occurred_on", "must be within the last three years");
            }
        }
        let substance = match input.substance.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(code) => errors.check("substance", PrimarySubstance::parse(code).map(Some)),
        };
        let hospitalisation_kind = match input.hospitalisation_kind.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(_) if kind.is_some_and(|k| k != OutcomeEventKind::Hospitalisation) => {
                errors.add("hospitalisation_kind", "is only recorded for a hospitalisation");
                None
            }
            Some(code) => {
                errors.check("hospitalisation_kind", HospitalisationKind::parse(code).map(Some))
            }
        };
        let detail = errors.check("detail", optional_text(input.detail.as_deref(), DETAIL_MAX));
        errors.into_result(|| {
            Some(NewOutcomeEvent {
                kind: kind?,
                occurred_on: occurred_on?,
                substance: substance?,
                hospitalisation_kind: hospitalisation_kind?,
                detail: detail?,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn an_event_needs_a_kind_and_a_past_date() {
        let today = date!(2026 - 11 - 23);
        let errors = NewOutcomeEvent::parse(&OutcomeEventInput::default(), today).unwrap_err();
        assert_eq!(errors.get("kind"), Some("choose what happened"));
        assert_eq!(errors.get("occurred_on"), Some("is required"));
        let future = OutcomeEventInput {
            kind: Some("arrest".into()),
            occurred_on: Some("2026-11-24".into()),
            ..Default::default()
        };
        let errors = NewOutcomeEvent::parse(&future, today).unwrap_err();
        assert_eq!(errors.get("occurred_on"), Some("must not be in the future"));
        let ok = OutcomeEventInput { occurred_on: Some("2026-11-23".into()), ..future };
        let event = NewOutcomeEvent::parse(&ok, today).unwrap();
        assert_eq!(event.kind, OutcomeEventKind::Arrest);
        assert_eq!(event.substance, None);
        assert_eq!(event.hospitalisation_kind, None);
    }

    #[test]
    fn a_hospitalisation_kind_belongs_to_a_hospitalisation() {
        let today = date!(2026 - 11 - 23);
        let stay = OutcomeEventInput {
            kind: Some("hospitalisation".into()),
            occurred_on: Some("2026-11-20".into()),
            hospitalisation_kind: Some("psychiatric".into()),
            ..Default::default()
        };
        let event = NewOutcomeEvent::parse(&stay, today).unwrap();
        assert_eq!(event.hospitalisation_kind, Some(HospitalisationKind::Psychiatric));
        let arrest = OutcomeEventInput { kind: Some("arrest".into()), ..stay.clone() };
        let errors = NewOutcomeEvent::parse(&arrest, today).unwrap_err();
        assert_eq!(
            errors.get("hospitalisation_kind"),
            Some("is only recorded for a hospitalisation")
        );
        let unknown = OutcomeEventInput { hospitalisation_kind: Some("spa".into()), ..stay };
        assert!(
            NewOutcomeEvent::parse(&unknown, today)
                .unwrap_err()
                .get("hospitalisation_kind")
                .is_some()
        );
    }
}
