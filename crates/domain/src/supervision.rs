//! Supervision of peer workers: sessions held, and boundary concerns raised and resolved.
//! Peer work is nonclinical and its boundaries are a known pressure point, so concerns are
//! recorded where the supervisor reviews fidelity.

use time::Date;

use crate::fields::{FieldErrors, optional_date, optional_text, required_text};
use crate::ids::{ParticipantId, UserId};
use crate::vocabulary::{ConcernCategory, SupervisionFormat, Vocabulary};

/// Raw fields of a supervision session.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct SupervisionInput {
    pub coach_id: Option<String>,
    /// ISO date; defaults to today.
    pub held_on: Option<String>,
    pub minutes: Option<String>,
    /// `individual` or `group`; defaults to individual.
    pub format: Option<String>,
    pub topics: Option<String>,
    pub notes: Option<String>,
}

/// A supervision session ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSupervisionSession {
    pub coach_id: UserId,
    pub held_on: Date,
    pub minutes: i32,
    pub format: SupervisionFormat,
    pub topics: String,
    pub notes: Option<String>,
}

impl NewSupervisionSession {
    pub fn parse(input: &SupervisionInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let coach_id = errors.check("coach_id", required_id(input.coach_id.as_deref()).map(UserId));
        let held_on = errors
            .check("held_on", optional_date(input.held_on.as_deref()))
            .map(|d| d.unwrap_or(today));
        if held_on.is_some_and(|d| d > today) {
            errors.add("held_on", "must not be in the future");
        }
        let minutes = errors.check("minutes", minutes(input.minutes.as_deref(), 1, 480));
        let format = errors
            .check("format", optional_code(input.format.as_deref()))
            .map(|f| f.unwrap_or(SupervisionFormat::Individual));
        let topics = errors.check("topics", required_text(input.topics.as_deref(), 500));
        let notes = errors.check("notes", optional_text(input.notes.as_deref(), 2000));
        errors.into_result(|| {
            Some(Self {
                coach_id: coach_id?,
                held_on: held_on?,
                minutes: minutes?,
                format: format?,
                topics: topics?,
                notes: notes?,
            })
        })
    }
}

/// Raw fields of a boundary concern.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ConcernInput {
    pub coach_id: Option<String>,
    /// The participant involved, if any.
    pub participant_id: Option<String>,
    /// ISO date; defaults to today.
    pub raised_on: Option<String>,
    pub category: Option<String>,
    pub description: Option<String>,
}

/// A boundary concern ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBoundaryConcern {
    pub coach_id: UserId,
    pub participant_id: Option<ParticipantId>,
    pub raised_on: Date,
    pub category: ConcernCategory,
    pub description: String,
}

impl NewBoundaryConcern {
    pub fn parse(input: &ConcernInput, today: Date) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let coach_id = errors.check("coach_id", required_id(input.coach_id.as_deref()).map(UserId));
        let participant_id = errors.check(
            "participant_id",
            match input.participant_id.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(text) => uuid::Uuid::parse_str(text)
                    .map(|id| Some(ParticipantId(id)))
                    .map_err(|_| "must be a participant of this organisation".to_string()),
            },
        );
        let raised_on = errors
            .check("raised_on", optional_date(input.raised_on.as_deref()))
            .map(|d| d.unwrap_or(today));
        if raised_on.is_some_and(|d| d > today) {
            errors.add("raised_on", "must not be in the future");
        }
        let category = errors.check(
            "category",
            match input.category.as_deref().map(str::trim) {
                None | Some("") => Err("is required".to_string()),
                Some(code) => ConcernCategory::parse(code),
            },
        );
        let description =
            errors.check("description", required_text(input.description.as_deref(), 2000));
        errors.into_result(|| {
            Some(Self {
                coach_id: coach_id?,
                participant_id: participant_id?,
                raised_on: raised_on?,
                category: category?,
                description: description?,
            })
        })
    }
}

/// How a concern was resolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ResolutionInput {
    pub resolution: Option<String>,
    /// ISO date; defaults to today.
    pub resolved_on: Option<String>,
}

/// A resolution ready to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub resolution: String,
    pub resolved_on: Date,
}

impl Resolution {
    pub fn parse(
        input: &ResolutionInput,
        raised_on: Date,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let resolution =
            errors.check("resolution", required_text(input.resolution.as_deref(), 2000));
        let resolved_on = errors
            .check("resolved_on", optional_date(input.resolved_on.as_deref()))
            .map(|d| d.unwrap_or(today));
        match resolved_on {
            Some(d) if d > today => errors.add("resolved_on", "must not be in the future"),
            Some(d) if d < raised_on => {
                errors.add("resolved_on", "must not be before the concern was raised")
            }
            _ => {}
        }
        errors.into_result(|| Some(Self { resolution: resolution?, resolved_on: resolved_on? }))
    }
}

fn required_id(value: Option<&str>) -> Result<uuid::Uuid, String> {
    match value.map(str::trim) {
        None | Some("") => Err("is required".into()),
        Some(text) => {
            uuid::Uuid::parse_str(text).map_err(|_| "must be a coach of this organisation".into())
        }
    }
}

fn minutes(value: Option<&str>, min: i32, max: i32) -> Result<i32, String> {
    let text = value.map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Err("is required".into());
    }
    match text.parse::<i32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("must be a whole number of minutes from {min} to {max}")),
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

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn a_session_needs_a_coach_minutes_and_topics() {
        let errors = NewSupervisionSession::parse(&SupervisionInput::default(), TODAY).unwrap_err();
        for field in ["coach_id", "minutes", "topics"] {
            assert!(errors.get(field).is_some(), "{field}");
        }
        let input = SupervisionInput {
            coach_id: Some(UserId::generate().to_string()),
            minutes: Some("45".into()),
            topics: Some("Caseload review; self-care".into()),
            ..Default::default()
        };
        let session = NewSupervisionSession::parse(&input, TODAY).unwrap();
        assert_eq!((session.held_on, session.format), (TODAY, SupervisionFormat::Individual));
        let too_long = SupervisionInput { minutes: Some("600".into()), ..input };
        assert!(
            NewSupervisionSession::parse(&too_long, TODAY).unwrap_err().get("minutes").is_some()
        );
    }

    #[test]
    fn a_concern_needs_a_category_and_a_description_and_resolves_after_it_was_raised() {
        let errors = NewBoundaryConcern::parse(&ConcernInput::default(), TODAY).unwrap_err();
        assert_eq!(errors.get("category"), Some("is required"));
        assert_eq!(errors.get("description"), Some("is required"));
        let early = ResolutionInput {
            resolution: Some("Talked it through".into()),
            resolved_on: Some("2026-11-01".into()),
        };
        assert!(
            Resolution::parse(&early, date!(2026 - 11 - 10), TODAY)
                .unwrap_err()
                .get("resolved_on")
                .is_some()
        );
        assert!(Resolution::parse(&early, date!(2026 - 10 - 10), TODAY).is_ok());
    }
}
