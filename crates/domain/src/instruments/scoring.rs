//! Scoring: validated answers in, scores, bands and flags out. The server scores, never the
//! browser. Every number is finite (no division happens without at least one answered item)
//! and every path returns a result, so no input can make scoring panic or produce NaN.

use serde::Serialize;

use super::answers::Answers;
use super::bands::{BandResult, band_for};
use super::definition::{
    FlagSeverity, FlagTrigger, InstrumentDefinition, Scale, ScoringMethod, Sex,
};

/// What scoring needs beyond the answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoringContext {
    /// Sex for instruments with sex-specific cut-offs; `None` when not recorded.
    pub sex: Option<Sex>,
}

/// The scored result of one administration.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreResult {
    pub instrument: String,
    pub version: String,
    pub completeness: Completeness,
    /// Items shown and answered / items shown and required.
    pub answered: usize,
    pub expected: usize,
    /// The total first, then subscales, as the definition lists them.
    pub scales: Vec<ScaleScore>,
    /// Flags raised by single answers (PHQ-9 item 9), most severe first.
    pub flags: Vec<RaisedFlag>,
}

/// Whether every shown, required item has an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Completeness {
    Complete,
    Partial,
}

/// One scale's score.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleScore {
    pub scale: String,
    pub title: String,
    /// Rounded to two decimals; `None` when too many items are missing to score.
    pub value: Option<f64>,
    pub status: ScaleStatus,
    /// Scale items counted (answered, or scored by a skip rule) / scale items that count.
    pub answered: usize,
    pub expected: usize,
    pub band: Option<BandResult>,
}

/// How a scale's value came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScaleStatus {
    /// Every item answered.
    Scored,
    /// A few items missing, within the instrument's rule; the score was prorated.
    Prorated,
    /// Too many items missing for the instrument's rule: no score.
    TooManyMissing,
}

/// A raised flag, for the follow-up engine to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RaisedFlag {
    pub code: String,
    pub item: String,
    pub severity: FlagSeverity,
    pub message: String,
}

impl ScoreResult {
    /// The headline score (the definition's first scale).
    pub fn total(&self) -> Option<&ScaleScore> {
        self.scales.first()
    }

    pub fn scale(&self, id: &str) -> Option<&ScaleScore> {
        self.scales.iter().find(|s| s.scale == id)
    }

    /// Flags that need the supervisor now (PHQ-9 item 9 above 0).
    pub fn urgent_flags(&self) -> impl Iterator<Item = &RaisedFlag> {
        self.flags.iter().filter(|f| f.severity == FlagSeverity::Urgent)
    }

    pub fn has_urgent_flag(&self) -> bool {
        self.urgent_flags().next().is_some()
    }
}

/// Scores `answers` (already validated against `definition`).
pub fn score(
    definition: &InstrumentDefinition,
    answers: &Answers,
    context: ScoringContext,
) -> ScoreResult {
    let shown = answers.shown_items(definition);
    let required: Vec<&str> = definition
        .items
        .iter()
        .filter(|item| item.required && shown.contains(item.id.as_str()))
        .map(|item| item.id.as_str())
        .collect();
    let answered = required.iter().filter(|id| answers.get(id).is_some()).count();
    let completeness =
        if answered == required.len() { Completeness::Complete } else { Completeness::Partial };

    let scales = definition
        .scoring
        .scales
        .iter()
        .map(|scale| score_scale(definition, scale, answers, &shown, context))
        .collect();

    let mut flags: Vec<RaisedFlag> = definition
        .scoring
        .flags
        .iter()
        .filter(|rule| shown.contains(rule.item.as_str()))
        .filter(|rule| match (&rule.trigger, answers.get(&rule.item)) {
            (FlagTrigger::Answer { operator, value }, Some(answer)) => {
                operator.holds(answer, *value)
            }
            (FlagTrigger::Unanswered, None) => true,
            _ => false,
        })
        .map(|rule| RaisedFlag {
            code: rule.code.clone(),
            item: rule.item.clone(),
            severity: rule.severity,
            message: rule.message.clone(),
        })
        .collect();
    flags.sort_by_key(|flag| std::cmp::Reverse(flag.severity));

    ScoreResult {
        instrument: definition.code.clone(),
        version: definition.version.clone(),
        completeness,
        answered,
        expected: required.len(),
        scales,
        flags,
    }
}

fn score_scale(
    definition: &InstrumentDefinition,
    scale: &Scale,
    answers: &Answers,
    shown: &std::collections::HashSet<&str>,
    context: ScoringContext,
) -> ScaleScore {
    let mut item_scores = Vec::new();
    let mut expected = 0;
    for id in &scale.items {
        let Some(item) = definition.item(id) else { continue };
        if shown.contains(id.as_str()) {
            expected += 1;
            if let Some(value) = answers.get(id) {
                item_scores.push(scored_value(definition, id, value));
            }
        } else if let Some(hidden_score) = item.score_when_hidden {
            expected += 1;
            item_scores.push(hidden_score);
        }
        // A hidden item without a hidden score does not count either way.
    }
    let counted = item_scores.len();
    let missing = expected - counted;
    let value = (counted > 0 && missing <= scale.max_missing_prorated)
        .then(|| combine(scale, &item_scores, expected))
        .flatten();
    let status = match value {
        None => ScaleStatus::TooManyMissing,
        Some(_) if missing > 0 => ScaleStatus::Prorated,
        Some(_) => ScaleStatus::Scored,
    };
    ScaleScore {
        scale: scale.id.clone(),
        title: scale.title.clone(),
        value,
        status,
        answered: counted,
        expected,
        band: value.and_then(|v| band_for(scale, v, context.sex)),
    }
}

/// The item's score: its value, reversed when the definition says so.
fn scored_value(definition: &InstrumentDefinition, id: &str, value: i64) -> i64 {
    let reversed = definition.scoring.reverse_scored.iter().any(|r| r == id);
    match definition.item(id).and_then(|item| item.response.bounds()) {
        Some((low, high)) if reversed => low + high - value,
        _ => value,
    }
}

/// Combines item scores; `expected` is how many items the scale would have had answered.
fn combine(scale: &Scale, scores: &[i64], expected: usize) -> Option<f64> {
    let counted = scores.len();
    if counted == 0 {
        return None;
    }
    let sum: i64 = scores.iter().sum();
    let raw = match scale.method {
        // Prorating a sum scales it up to all items: mean of answered × number of items.
        ScoringMethod::Sum => sum as f64 * expected as f64 / counted as f64,
        ScoringMethod::Mean => sum as f64 / counted as f64,
        ScoringMethod::Max => *scores.iter().max()? as f64,
    };
    let value = round2(raw * scale.multiplier as f64);
    value.is_finite().then_some(value)
}

/// Rounds to two decimals, the precision every score is reported and compared at.
/// Adding 0.0 turns a negative zero (a tiny negative difference) into plain 0.
pub fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0 + 0.0
}
