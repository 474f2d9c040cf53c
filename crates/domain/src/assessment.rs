//! Assessments: one administration of an instrument to a participant. The answers are kept as
//! given (validated against the instrument's definition); the score, subscores, band and flags
//! stored beside them were computed by the server when the answers were saved, so reports can
//! query them without re-scoring.
//!
//! An assessment is *in progress* until completed; it may be saved partially any number of
//! times. Completing it needs a headline score (every required item answered, or few enough
//! missing for the instrument's prorating rule); after that it no longer changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::fields::{FieldErrors, iso_date, optional_text};
use crate::ids::{AssessmentId, ParticipantId, ProgramId, UserId};
use crate::instruments::scoring::ScaleStatus;
use crate::instruments::{Answers, AnswersInput, InstrumentDefinition, ScoreResult};

/// Where an administration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AssessmentStatus {
    /// Saved partially; answers may still change.
    InProgress,
    /// Completed and scored; no longer changes.
    Completed,
}

impl AssessmentStatus {
    pub fn code(self) -> &'static str {
        match self {
            AssessmentStatus::InProgress => "in_progress",
            AssessmentStatus::Completed => "completed",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "in_progress" => Some(AssessmentStatus::InProgress),
            "completed" => Some(AssessmentStatus::Completed),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AssessmentStatus::InProgress => "In progress",
            AssessmentStatus::Completed => "Completed",
        }
    }
}

/// An assessment as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    pub id: AssessmentId,
    pub participant_id: ParticipantId,
    pub instrument_code: String,
    pub instrument_version: String,
    /// The program and follow-up time point it was given for, when it was scheduled.
    pub program_id: Option<ProgramId>,
    pub time_point_code: Option<String>,
    pub administered_on: Date,
    pub status: AssessmentStatus,
    pub answers: Answers,
    /// The stored summary of the server's scoring (see [`ScoredSummary`]).
    pub scored: ScoredSummary,
    pub administered_by: UserId,
    pub administered_by_name: String,
    /// Incremented on every save, so concurrent saves are detected rather than lost.
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// What is stored of a [`ScoreResult`]: the headline score and its band, every scale's value
/// and the codes of raised flags.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoredSummary {
    pub score: Option<f64>,
    /// Scale id → value (`None` when too many items were missing), the total included.
    pub subscores: BTreeMap<String, Option<f64>>,
    /// Band code of the headline score.
    pub band: Option<String>,
    /// Codes of the raised flags, most severe first.
    pub flags: Vec<String>,
}

impl ScoredSummary {
    pub fn of(result: &ScoreResult) -> Self {
        let total = result.total();
        Self {
            score: total.and_then(|s| s.value),
            subscores: result.scales.iter().map(|s| (s.scale.clone(), s.value)).collect(),
            band: total.and_then(|s| s.band.as_ref()).map(|b| b.code.clone()),
            flags: result.flags.iter().map(|f| f.code.clone()).collect(),
        }
    }
}

/// Raw fields of an administration from the form or a JSON body. When saving an existing
/// assessment, absent fields stay as they are, and answers are merged: an item given `null`
/// or blank is cleared, an item not mentioned keeps its answer.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AssessmentInput {
    /// The instrument's code (`phq-9`). Required to start an assessment; ignored afterwards.
    pub instrument: Option<String>,
    /// ISO 8601 date; defaults to today. Not in the future.
    pub administered_on: Option<String>,
    /// The program it is given for (a program id), if scheduled.
    pub program_id: Option<String>,
    /// The follow-up time point code (`intake`, `6m`…), if scheduled.
    pub time_point_code: Option<String>,
    /// Item id → answer value.
    pub answers: BTreeMap<String, serde_json::Value>,
    /// True to complete (score and close) the assessment; false saves it in progress.
    pub complete: bool,
    /// The version last read, to detect a concurrent save (optional).
    pub version: Option<i64>,
}

/// The checked fields of a save, apart from the answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdministrationFields {
    pub administered_on: Date,
    pub program_id: Option<ProgramId>,
    pub time_point_code: Option<String>,
}

impl AdministrationFields {
    /// Parses the date and scheduling fields; absent ones keep `current` (or their defaults).
    pub fn parse(
        input: &AssessmentInput,
        current: Option<&AdministrationFields>,
        today: Date,
    ) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let administered_on = match input.administered_on.as_deref().map(str::trim) {
            None | Some("") => Some(current.map_or(today, |c| c.administered_on)),
            Some(text) => match iso_date(text) {
                Ok(date) if date > today => {
                    errors.add("administered_on", "must not be in the future");
                    None
                }
                Ok(date) => Some(date),
                Err(message) => {
                    errors.add("administered_on", message);
                    None
                }
            },
        };
        let program_id = match input.program_id.as_deref().map(str::trim) {
            None => current.and_then(|c| c.program_id),
            Some("") => None,
            Some(text) => match text.parse::<ProgramId>() {
                Ok(id) => Some(id),
                Err(_) => {
                    errors.add("program_id", "is not a program id");
                    None
                }
            },
        };
        let time_point_code = match &input.time_point_code {
            None => current.and_then(|c| c.time_point_code.clone()),
            Some(text) => errors.check("time_point_code", optional_text(Some(text), 40)).flatten(),
        };
        if time_point_code.is_some() && program_id.is_none() && errors.get("program_id").is_none() {
            errors.add("program_id", "is needed with a time point");
        }
        errors.into_result(|| {
            Some(Self { administered_on: administered_on?, program_id, time_point_code })
        })
    }
}

/// Merges newly given answers over the answers already saved: a given value replaces, a
/// `null` or blank clears, an item not mentioned keeps its answer.
pub fn merge_answers(saved: &Answers, given: &BTreeMap<String, serde_json::Value>) -> AnswersInput {
    let mut merged: BTreeMap<String, serde_json::Value> =
        saved.iter().map(|(id, value)| (id.to_string(), serde_json::Value::from(value))).collect();
    for (id, value) in given {
        merged.insert(id.clone(), value.clone());
    }
    AnswersInput { answers: merged }
}

/// Completion needs a headline score. Otherwise, one error per unanswered item shown, so the
/// form can point at each.
pub fn check_complete(
    definition: &InstrumentDefinition,
    answers: &Answers,
    result: &ScoreResult,
) -> Result<(), FieldErrors> {
    let scorable = result.total().is_some_and(|t| t.status != ScaleStatus::TooManyMissing);
    if scorable {
        return Ok(());
    }
    let shown = answers.shown_items(definition);
    let mut errors = FieldErrors::new();
    for item in &definition.items {
        if item.required && shown.contains(item.id.as_str()) && answers.get(&item.id).is_none() {
            errors.add(item.id.as_str(), "needs an answer before the assessment can be completed");
        }
    }
    if errors.is_empty() {
        errors.add("answers", "too few answers to score this instrument");
    }
    Err(errors)
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;
    use crate::instruments::{ScoringContext, administer, find};

    const TODAY: Date = date!(2026 - 03 - 10);

    fn input(pairs: &[(&str, serde_json::Value)]) -> AssessmentInput {
        AssessmentInput {
            answers: pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect(),
            ..AssessmentInput::default()
        }
    }

    #[test]
    fn the_date_defaults_to_today_and_may_not_be_in_the_future() {
        let fields = AdministrationFields::parse(&input(&[]), None, TODAY).unwrap();
        assert_eq!(fields.administered_on, TODAY);
        let future = AssessmentInput {
            administered_on: Some("2026-03-11".into()),
            ..AssessmentInput::default()
        };
        let errors = AdministrationFields::parse(&future, None, TODAY).unwrap_err();
        assert!(errors.get("administered_on").is_some());
    }

    #[test]
    fn a_time_point_needs_its_program() {
        let only_point =
            AssessmentInput { time_point_code: Some("6m".into()), ..AssessmentInput::default() };
        let errors = AdministrationFields::parse(&only_point, None, TODAY).unwrap_err();
        assert!(errors.get("program_id").is_some());
        let bad_program =
            AssessmentInput { program_id: Some("nope".into()), ..AssessmentInput::default() };
        assert!(AdministrationFields::parse(&bad_program, None, TODAY).is_err());
    }

    #[test]
    fn absent_fields_keep_the_saved_ones() {
        let current = AdministrationFields {
            administered_on: date!(2026 - 03 - 01),
            program_id: Some(ProgramId::generate()),
            time_point_code: Some("intake".into()),
        };
        let kept = AdministrationFields::parse(&input(&[]), Some(&current), TODAY).unwrap();
        assert_eq!(kept, current);
    }

    #[test]
    fn merging_replaces_clears_and_keeps() {
        let saved = Answers::from_trusted([("a".to_string(), 1), ("b".to_string(), 2)].into());
        let given: BTreeMap<String, serde_json::Value> =
            [("a".to_string(), serde_json::Value::Null), ("c".to_string(), serde_json::json!(3))]
                .into();
        let merged = merge_answers(&saved, &given);
        assert_eq!(merged.answers.get("a"), Some(&serde_json::Value::Null));
        assert_eq!(merged.answers.get("b"), Some(&serde_json::json!(2)));
        assert_eq!(merged.answers.get("c"), Some(&serde_json::json!(3)));
    }

    #[test]
    fn completion_names_each_missing_item_when_the_score_cannot_be_made() {
        let phq9 = find("phq-9").unwrap();
        let half = input(&[("phq9_1", serde_json::json!(1)), ("phq9_2", serde_json::json!(2))]);
        let answers_input = AnswersInput { answers: half.answers };
        let (answers, result) =
            administer(phq9, &answers_input, ScoringContext::default()).unwrap();
        let errors = check_complete(phq9, &answers, &result).unwrap_err();
        assert!(errors.get("phq9_9").is_some());
        assert!(errors.get("phq9_1").is_none());
    }

    #[test]
    fn completion_is_allowed_with_every_item_answered() {
        let phq9 = find("phq-9").unwrap();
        let all: BTreeMap<String, serde_json::Value> =
            phq9.items.iter().map(|i| (i.id.clone(), serde_json::json!(1))).collect();
        let (answers, result) =
            administer(phq9, &AnswersInput { answers: all }, ScoringContext::default()).unwrap();
        assert!(check_complete(phq9, &answers, &result).is_ok());
        let summary = ScoredSummary::of(&result);
        assert_eq!(summary.score, Some(9.0));
        assert_eq!(
            summary.band.as_deref(),
            result.total().unwrap().band.as_ref().map(|b| b.code.as_str())
        );
        assert_eq!(summary.flags, vec!["phq9_item9_positive".to_string()]);
    }
}
