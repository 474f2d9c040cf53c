//! One participant's value of one outcome: what outcome derivation produces and what the
//! analyses consume.

use serde::{Deserialize, Serialize};

/// A participant's value of one outcome, by the outcome's type. `Missing` is its own value
/// (not assessed, outside the window, lost to follow-up): analyses count it per arm and never
/// treat it as zero or as "no event".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Observation {
    /// The outcome could not be observed for this participant (the reason, in plain words).
    Missing { reason: String },
    /// Yes or no (no use in the past 30 days at 6 months; a score past a cut-off; an event
    /// within N days).
    Binary { value: bool },
    /// A score at a time point.
    Continuous { value: f64 },
    /// A score at baseline and at the follow-up time point (the change is `follow_up − baseline`).
    Change { baseline: f64, follow_up: f64 },
    /// Days from the origin (enrolment or an index event) to the first event, or to censoring
    /// (last follow-up, withdrawal, the study's end) when `event` is false.
    TimeToEvent { days: f64, event: bool },
    /// Events over exposure time (appointments attended over days enrolled).
    Count { events: f64, exposure_days: f64 },
    /// Values at each time point observed, in schedule order (time points not observed are
    /// absent, not zero).
    Repeated { points: Vec<RepeatedPoint> },
}

/// One time point of a repeated measure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RepeatedPoint {
    /// The time point's code (`intake`, `6m`…).
    pub time_point: String,
    /// Its position in the schedule (0 for the first).
    pub position: usize,
    /// Days from enrolment to the assessment.
    pub day: f64,
    pub value: f64,
}

impl Observation {
    pub fn missing(reason: impl Into<String>) -> Self {
        Self::Missing { reason: reason.into() }
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing { .. })
    }
}
