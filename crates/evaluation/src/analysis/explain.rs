//! Statistics errors in plain words. The analyses check the common degenerate cases first
//! (an empty arm, no events, nobody with the outcome) and say so in their own words; this is
//! the fallback for what the statistics crate finds beyond those.

use kindred_stats::StatsError;

/// A sentence saying why `what` ("the adjusted odds ratio") cannot be estimated.
/// `covariates` names the model's covariates in order, so a constant one can be named.
pub(crate) fn explain(error: &StatsError, what: &str, covariates: &[String]) -> String {
    let tail = format!("so {what} cannot be estimated");
    match error {
        StatsError::Empty { .. } => format!("There is nobody to analyse, {tail}."),
        StatsError::TooFew { what: unit, needed, got } => format!(
            "There are too few {} ({got}; the analysis needs at least {needed}), {tail}.",
            plain_unit(unit)
        ),
        StatsError::NoEvents { .. } => {
            format!("No participant analysed had the event, {tail}.")
        }
        StatsError::ConstantCovariate { index } => match covariates.get(*index) {
            Some(name) => format!("'{name}' has the same value for everyone analysed, {tail}."),
            None => format!("A covariate has the same value for everyone analysed, {tail}."),
        },
        StatsError::Singular => format!(
            "Some of the model's terms are exact combinations of others (two indicators for the \
             same participants, say), {tail}."
        ),
        StatsError::Separation => format!(
            "The model's terms predict the outcome perfectly for some participants (separation), \
             which makes the estimate infinite, {tail}."
        ),
        StatsError::NotConverged { iterations } => {
            format!("The model did not converge in {iterations} iterations, {tail}.")
        }
        StatsError::Undefined(detail) => format!("The data leave it undefined ({detail}), {tail}."),
        StatsError::LengthMismatch { .. }
        | StatsError::NonFinite { .. }
        | StatsError::OutOfRange { .. }
        | StatsError::InvalidArgument(_) => {
            format!("The analysis could not be run on these data ({error}), {tail}.")
        }
    }
}

/// The statistics crate names what it counts in its own terms; a reader counts people.
fn plain_unit(unit: &str) -> &str {
    match unit {
        "observations" | "design rows" | "x" | "y" | "x and y together" => "participants",
        "paired measurements" | "paired differences" => "participants with both measurements",
        "clusters" => "clusters",
        "within-cluster pairs" => "pairs of measurements of the same participant or coach",
        other => other,
    }
}
