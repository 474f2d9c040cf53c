//! The analysis plan: the primary and secondary outcomes, the significance level α, the
//! covariates to adjust for and the subgroups to report, and whether the assessor is blinded.
//! It is locked (hashed in its canonical form, see [`super::lock`]) before any outcome is shown
//! by arm.

use serde::{Deserialize, Serialize};

use super::catalogue::StudyCatalogue;
use super::outcome::ScoreRef;
use super::values::{decimal, unique_list};
use crate::fields::FieldErrors;
use crate::scalar::{flag, text_or_scalar};
use crate::vocabulary::{BaselineField, Vocabulary};

const MAX_COVARIATES: usize = 20;
const MAX_SUBGROUPS: usize = 10;
/// α when the plan does not say: the conventional two-sided 5 %.
const DEFAULT_ALPHA: f64 = 0.05;

/// A characteristic at baseline an analysis adjusts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum Covariate {
    /// A recorded enrolment or baseline field.
    Field { field: BaselineField },
    /// A score from the assessment at the study's baseline time point.
    BaselineScore { score: ScoreRef },
}

/// One covariate as sent: either `field`, or `instrument` (with an optional `scale`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct CovariateInput {
    /// A baseline-field code (`age_band`).
    pub field: Option<String>,
    /// An instrument code, for its score at baseline.
    pub instrument: Option<String>,
    /// A scale id of the instrument; blank for the total.
    pub scale: Option<String>,
}

/// The locked choices of the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnalysisPlan {
    /// The primary outcome's code.
    pub primary: String,
    /// Secondary outcomes' codes.
    pub secondary: Vec<String>,
    /// The significance level (two-sided), above 0 and at most 0.5.
    pub alpha: f64,
    /// The covariates the adjusted analyses use (a subset of the study's).
    pub covariates: Vec<Covariate>,
    /// The subgroups reported (a subset of the study's).
    pub subgroups: Vec<BaselineField>,
    /// Whether follow-up assessments are given by a research assessor who does not see arms.
    pub blinded_assessor: bool,
}

/// The plan as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AnalysisPlanInput {
    /// An outcome code. Required.
    pub primary: Option<String>,
    pub secondary: Vec<String>,
    /// Defaults to 0.05.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "0.05"))]
    pub alpha: Option<String>,
    /// Absent: all of the study's covariates. Present: each must be one of the study's.
    pub covariates: Option<Vec<CovariateInput>>,
    /// Absent: all of the study's subgroups. Present: each must be one of the study's.
    pub subgroups: Option<Vec<String>>,
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "false"))]
    pub blinded_assessor: Option<String>,
}

impl AnalysisPlanInput {
    /// Whether the plan as stored blinds the outcome assessor (stored plans were parsed when
    /// saved, so anything but a yes is a no).
    pub fn blinds_assessor(&self) -> bool {
        self.blinded_assessor.as_deref().is_some_and(|text| flag(text) == Ok(true))
    }
}

/// Parses covariates under `field[i]`.
pub(crate) fn parse_covariates(
    inputs: &[CovariateInput],
    field: &str,
    catalogue: &StudyCatalogue<'_>,
    errors: &mut FieldErrors,
) -> Vec<Covariate> {
    if inputs.len() > MAX_COVARIATES {
        errors.add(field, format!("at most {MAX_COVARIATES} covariates"));
    }
    let mut covariates: Vec<Covariate> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let blank = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().is_empty();
        let parsed = match (blank(&input.field), blank(&input.instrument)) {
            (false, true) => BaselineField::parse(input.field.as_deref().unwrap_or_default())
                .map(|field| Covariate::Field { field }),
            (true, false) => baseline_score(input, catalogue),
            _ => Err("give either a baseline field or an instrument".into()),
        };
        if let Some(covariate) = errors.check(&at, parsed) {
            if covariates.contains(&covariate) {
                errors.add(at, "is listed twice");
            } else {
                covariates.push(covariate);
            }
        }
    }
    covariates
}

fn baseline_score(
    input: &CovariateInput,
    catalogue: &StudyCatalogue<'_>,
) -> Result<Covariate, String> {
    let code = input.instrument.as_deref().map(str::trim).unwrap_or_default();
    let instrument = catalogue
        .instrument(code)
        .ok_or_else(|| format!("{code} is not an instrument of the library or the organisation"))?;
    let scale = match input.scale.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(id) if instrument.scale(id).is_some() => Some(id.to_owned()),
        Some(id) => return Err(format!("{id} is not a scale of {code}")),
    };
    Ok(Covariate::BaselineScore { score: ScoreRef { instrument: instrument.code.clone(), scale } })
}

/// Parses subgroups under `field[i]`.
pub(crate) fn parse_subgroups(
    inputs: &[String],
    field: &str,
    errors: &mut FieldErrors,
) -> Vec<BaselineField> {
    if inputs.len() > MAX_SUBGROUPS {
        errors.add(field, format!("at most {MAX_SUBGROUPS} subgroups"));
    }
    unique_list(inputs, field, errors, BaselineField::parse)
}

/// What the plan is checked against: the study's outcome codes, covariates and subgroups.
pub(crate) struct PlanContext<'a> {
    pub outcomes: &'a [String],
    pub covariates: &'a [Covariate],
    pub subgroups: &'a [BaselineField],
    pub catalogue: &'a StudyCatalogue<'a>,
}

pub(crate) fn parse_plan(
    input: &AnalysisPlanInput,
    context: &PlanContext<'_>,
    errors: &mut FieldErrors,
) -> Option<AnalysisPlan> {
    let known = |code: &str| -> Result<String, String> {
        let code = code.trim();
        if context.outcomes.iter().any(|c| c == code) {
            Ok(code.to_owned())
        } else {
            Err("is not the code of one of the study's outcomes".into())
        }
    };
    let primary = match input.primary.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add("plan.primary", "choose the primary outcome");
            None
        }
        Some(code) => errors.check("plan.primary", known(code)),
    };
    let secondary = unique_list(&input.secondary, "plan.secondary", errors, |code| {
        let code = known(code)?;
        if primary.as_deref() == Some(code.as_str()) {
            Err("is the primary outcome".into())
        } else {
            Ok(code)
        }
    });
    let alpha = match input.alpha.as_deref().map(str::trim) {
        None | Some("") => Some(DEFAULT_ALPHA),
        text => errors.check(
            "plan.alpha",
            decimal(text).and_then(|a| {
                if a > 0.0 && a <= 0.5 {
                    Ok(a)
                } else {
                    Err("must be above 0 and at most 0.5".into())
                }
            }),
        ),
    };
    let covariates = match &input.covariates {
        None => context.covariates.to_vec(),
        Some(inputs) => {
            let parsed = parse_covariates(inputs, "plan.covariates", context.catalogue, errors);
            for (i, covariate) in parsed.iter().enumerate() {
                if !context.covariates.contains(covariate) {
                    errors.add(
                        format!("plan.covariates[{i}]"),
                        "is not one of the study's covariates",
                    );
                }
            }
            parsed
        }
    };
    let subgroups = match &input.subgroups {
        None => context.subgroups.to_vec(),
        Some(inputs) => {
            let parsed = parse_subgroups(inputs, "plan.subgroups", errors);
            for (i, subgroup) in parsed.iter().enumerate() {
                if !context.subgroups.contains(subgroup) {
                    errors
                        .add(format!("plan.subgroups[{i}]"), "is not one of the study's subgroups");
                }
            }
            parsed
        }
    };
    let blinded_assessor = match input.blinded_assessor.as_deref().map(str::trim) {
        None | Some("") => Some(false),
        Some(text) => errors.check("plan.blinded_assessor", flag(text)),
    };
    Some(AnalysisPlan {
        primary: primary?,
        secondary,
        alpha: alpha?,
        covariates,
        subgroups,
        blinded_assessor: blinded_assessor?,
    })
}

impl Covariate {
    /// The covariate as input.
    pub fn to_input(&self) -> CovariateInput {
        match self {
            Self::Field { field } => {
                CovariateInput { field: Some(field.code().into()), ..Default::default() }
            }
            Self::BaselineScore { score } => CovariateInput {
                instrument: Some(score.instrument.clone()),
                scale: score.scale.clone(),
                ..Default::default()
            },
        }
    }
}

impl AnalysisPlan {
    /// The plan as input; covariates and subgroups are spelled out (not left to default).
    pub fn to_input(&self) -> AnalysisPlanInput {
        AnalysisPlanInput {
            primary: Some(self.primary.clone()),
            secondary: self.secondary.clone(),
            alpha: Some(super::canonical::number(self.alpha)),
            covariates: Some(self.covariates.iter().map(Covariate::to_input).collect()),
            subgroups: Some(self.subgroups.iter().map(|s| s.code().to_owned()).collect()),
            blinded_assessor: Some(self.blinded_assessor.to_string()),
        }
    }
}
