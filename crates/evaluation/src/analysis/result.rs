//! The building blocks every result is made of: an [`Analysis`] (method, sample per arm,
//! whether it could be estimated and why not), intervals, effects and tests.
//!
//! Optional numbers are left out of the JSON when absent rather than written as `null`, so a
//! `null` anywhere in serialised results would mean a number failed — which
//! the constructor of every estimated [`Analysis`] makes sure never happens, by checking every
//! number it is given.

use serde::Serialize;

use super::finite::all_finite;

/// One analysis: its method, who was analysed, and its result — or, when the data cannot
/// support it, a sentence saying why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis<T> {
    /// The method in words ("Cox proportional hazards, Efron ties, 95% Wald CI").
    pub method: String,
    /// Participants analysed, missing the outcome, and excluded for another missing input,
    /// per arm.
    pub sample: Vec<ArmSample>,
    /// Whether `result` holds an estimate.
    pub estimable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<T>,
    /// Why not, in plain words, when not estimable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Caveats a reader needs (a covariate left out, the test chosen and why).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl<T: Serialize> Analysis<T> {
    /// An estimate — unless a number in it is NaN or infinite, which JSON cannot carry and a
    /// reader cannot use: then the analysis is not estimable and says so.
    pub(crate) fn estimated(method: String, sample: Vec<ArmSample>, result: T) -> Self {
        if !all_finite(&result) {
            return Self::not_estimable(
                method,
                sample,
                "A figure of this analysis came out infinite or undefined (the data are too \
                 extreme for it), so it is not shown."
                    .to_owned(),
            );
        }
        Self { method, sample, estimable: true, result: Some(result), reason: None, notes: vec![] }
    }

    pub(crate) fn not_estimable(method: String, sample: Vec<ArmSample>, reason: String) -> Self {
        Self { method, sample, estimable: false, result: None, reason: Some(reason), notes: vec![] }
    }

    /// An estimate when `result` is `Ok`, the sentence when it is `Err`.
    pub(crate) fn from_result(
        method: String,
        sample: Vec<ArmSample>,
        result: Result<T, String>,
    ) -> Self {
        match result {
            Ok(value) => Self::estimated(method, sample, value),
            Err(reason) => Self::not_estimable(method, sample, reason),
        }
    }

    pub(crate) fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes.extend(notes);
        self
    }
}

/// Who one analysis used, for one arm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArmSample {
    pub arm: usize,
    pub name: String,
    /// Participants whose data entered the analysis.
    pub analysed: usize,
    /// Participants of the arm whose outcome is missing (never counted as zero or no event).
    pub missing: usize,
    /// Participants with the outcome but without another input the analysis needs (a
    /// covariate, a subgroup label, a coach, a cost, time at risk).
    pub excluded: usize,
}

/// A confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Ci {
    pub lower: f64,
    pub upper: f64,
}

impl From<kindred_stats::Interval> for Ci {
    fn from(interval: kindred_stats::Interval) -> Self {
        Self { lower: interval.lower, upper: interval.upper }
    }
}

impl Ci {
    /// Whether `value` lies inside (bounds included).
    pub fn contains(&self, value: f64) -> bool {
        self.lower <= value && value <= self.upper
    }
}

/// The scale an effect is reported on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    RiskDifference,
    RiskRatio,
    OddsRatio,
    HazardRatio,
    RateRatio,
    MeanDifference,
    /// A standardised mean difference (Hedges' g, Cohen's d_z).
    StandardisedDifference,
    /// A regression slope per unit of a covariate (on the outcome's own scale, or as a ratio).
    Slope,
}

/// An estimate with its interval and the p-value of no effect.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    /// What is estimated, in words ("peer support vs usual care").
    pub term: String,
    pub measure: Measure,
    pub estimate: f64,
    pub ci: Ci,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
}

/// A hypothesis test.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Test {
    /// The test in words ("Pearson χ² without continuity correction").
    pub name: String,
    /// The test statistic (absent for Fisher's exact test, which has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statistic: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub df: Option<f64>,
    pub p_value: f64,
}

/// "95%" from a confidence level of 0.95, for method names.
pub(crate) fn percent(level: f64) -> String {
    let value = level * 100.0;
    if (value - value.round()).abs() < 1e-9 {
        format!("{}%", value.round())
    } else {
        format!("{value:.1}%")
    }
}
