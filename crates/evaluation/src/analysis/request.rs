//! What to analyse: the integrator maps a study's locked plan onto an [`AnalysisRequest`].

pub use kindred_domain::vocabulary::StudyDesign;
use serde::{Deserialize, Serialize};

/// The analyses a locked plan names, in the engine's terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisRequest {
    /// Randomised, quasi-experimental or pre-post: decides which comparisons are made (a
    /// pre-post study compares people with their own baseline; a quasi-experimental one adds
    /// propensity-score weighting).
    pub design: StudyDesign,
    /// One entry per outcome of the table, in the same order.
    pub outcomes: Vec<OutcomePlan>,
    /// The significance level α; every interval is at confidence 1 − α.
    pub alpha: f64,
    /// Covariates (table names) for the adjusted models; empty for none.
    pub adjust_for: Vec<String>,
    /// Covariates of the propensity model (quasi-experimental designs); empty means
    /// `adjust_for`.
    pub propensity_covariates: Vec<String>,
    /// Subgroup variables (table names) for the for-whom analyses.
    pub subgroups: Vec<String>,
    /// The arm every other arm is compared with (the comparison condition, e.g. usual care).
    pub reference_arm: usize,
    /// The bootstrap of the cost-effectiveness ratio.
    pub bootstrap: BootstrapPlan,
    /// Days at which the survival tables give the number at risk; empty means five times
    /// from 0 to the longest follow-up, evenly spaced and rounded to whole days.
    pub risk_table_days: Vec<f64>,
    /// The binary outcome that counts as a good outcome for the cost analyses, if any.
    pub good_outcome: Option<GoodOutcome>,
    /// How the quasi-experimental weights are formed.
    pub weighting: WeightingPlan,
}

/// One outcome of the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomePlan {
    pub kind: OutcomeKind,
    pub role: OutcomeRole,
}

/// The type of an outcome; each participant's [`crate::Observation`] must be of it (or
/// missing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Binary,
    Continuous,
    Change,
    TimeToEvent,
    Count,
    Repeated,
}

/// Whether the plan made an outcome primary (the study's question) or secondary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeRole {
    Primary,
    Secondary,
}

/// Seed and size of the bootstrap; the same seed gives the same interval on every machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapPlan {
    pub seed: u64,
    pub replicates: usize,
}

/// Which binary outcome, and which of its values, is a good outcome (abstinent = `true`;
/// rehospitalised within 90 days = `false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoodOutcome {
    /// Index of the outcome in the table.
    pub outcome: usize,
    /// The value that is good.
    pub good_value: bool,
}

/// The population the weighted comparison speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Estimand {
    /// Everyone in the study (average treatment effect).
    Ate,
    /// The people who received the program (average treatment effect in the treated).
    Att,
}

/// Inverse-probability weights: estimand, stabilisation and truncation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct WeightingPlan {
    pub estimand: Estimand,
    pub stabilised: bool,
    /// Truncate the weights at these percentiles (e.g. 1 and 99); `None` keeps them.
    pub truncate_percentiles: Option<(f64, f64)>,
}

impl Default for WeightingPlan {
    /// Stabilised ATE weights without truncation.
    fn default() -> Self {
        Self { estimand: Estimand::Ate, stabilised: true, truncate_percentiles: None }
    }
}

impl AnalysisRequest {
    /// A request with the conventional defaults: α = 0.05, the first arm as reference, no
    /// adjustment or subgroups, 1 000 bootstrap replicates from seed 1, stabilised ATE weights.
    pub fn new(design: StudyDesign, outcomes: Vec<OutcomePlan>) -> Self {
        Self {
            design,
            outcomes,
            alpha: 0.05,
            adjust_for: Vec::new(),
            propensity_covariates: Vec::new(),
            subgroups: Vec::new(),
            reference_arm: 0,
            bootstrap: BootstrapPlan { seed: 1, replicates: 1_000 },
            risk_table_days: Vec::new(),
            good_outcome: None,
            weighting: WeightingPlan::default(),
        }
    }

    /// The confidence level of every interval, 1 − α.
    pub fn level(&self) -> f64 {
        1.0 - self.alpha
    }
}

impl OutcomePlan {
    /// A primary outcome of the given type.
    pub fn primary(kind: OutcomeKind) -> Self {
        Self { kind, role: OutcomeRole::Primary }
    }

    /// A secondary outcome of the given type.
    pub fn secondary(kind: OutcomeKind) -> Self {
        Self { kind, role: OutcomeRole::Secondary }
    }
}
