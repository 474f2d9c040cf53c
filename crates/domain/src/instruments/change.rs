//! Change since the previous administration of the same instrument: the difference per scale
//! and whether the band moved, named as better or worse by the scale's own direction (a rise
//! is good on BARC-10 and bad on PHQ-9).

use serde::Serialize;

use super::definition::{Direction, InstrumentDefinition};
use super::scoring::{ScoreResult, round2};

/// How each scale moved between two administrations.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    pub instrument: String,
    pub scales: Vec<ScaleChange>,
}

/// One scale's movement.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleChange {
    pub scale: String,
    pub previous: Option<f64>,
    pub current: Option<f64>,
    /// current − previous, when both were scored.
    pub difference: Option<f64>,
    pub trend: Trend,
    pub previous_band: Option<String>,
    pub current_band: Option<String>,
    /// True when both have a band and the bands differ.
    pub band_moved: bool,
}

/// The direction of a change, in the scale's own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    Improved,
    Worsened,
    Unchanged,
    /// One of the two administrations has no score for this scale.
    NotComparable,
}

/// The change from `previous` to `current`, or `None` when they are of different instruments.
/// Scales are matched by id, so a newer definition version with the same scales compares.
pub fn change_since(
    definition: &InstrumentDefinition,
    previous: &ScoreResult,
    current: &ScoreResult,
) -> Option<Change> {
    if previous.instrument != current.instrument || current.instrument != definition.code {
        return None;
    }
    let scales = definition
        .scoring
        .scales
        .iter()
        .map(|scale| {
            let before = previous.scale(&scale.id);
            let after = current.scale(&scale.id);
            let previous_value = before.and_then(|s| s.value);
            let current_value = after.and_then(|s| s.value);
            let difference = previous_value.zip(current_value).map(|(p, c)| round2(c - p));
            let trend = match difference {
                None => Trend::NotComparable,
                Some(0.0) => Trend::Unchanged,
                Some(d) => match (d > 0.0, scale.direction) {
                    (true, Direction::HigherIsBetter) | (false, Direction::HigherIsWorse) => {
                        Trend::Improved
                    }
                    _ => Trend::Worsened,
                },
            };
            let previous_band = before.and_then(|s| s.band.as_ref()).map(|b| b.code.clone());
            let current_band = after.and_then(|s| s.band.as_ref()).map(|b| b.code.clone());
            let band_moved =
                matches!((&previous_band, &current_band), (Some(p), Some(c)) if p != c);
            ScaleChange {
                scale: scale.id.clone(),
                previous: previous_value,
                current: current_value,
                difference,
                trend,
                previous_band,
                current_band,
                band_moved,
            }
        })
        .collect();
    Some(Change { instrument: definition.code.clone(), scales })
}
