//! Studies: an evaluation run from the record. A [`StudyInput`] (a form or JSON body) parses
//! into a [`StudyDefinition`], which can only hold a coherent study: its design, arms,
//! eligibility, enrolment period, follow-up horizon, randomisation settings, outcomes,
//! covariates, subgroups and analysis plan all agree with each other and with the instruments
//! and schedules they name. Every refusal names its field (`arms[1].name`).
//!
//! - [`arms`]: the design and its arms (ratios, or how a comparison cohort is formed);
//! - [`eligibility`]: who may be in the study;
//! - [`outcome`] and [`outcome_input`]: what is measured, from assessments and events;
//! - [`randomisation`]: stratification and block sizes;
//! - [`plan`]: the analysis plan; [`lock`]: its canonical form, hash and amendments;
//! - [`template`]: the studied designs the program templates carry ("Replicate this study").

pub mod arms;
pub mod baseline;
pub mod canonical;
pub mod catalogue;
pub mod eligibility;
pub mod lock;
pub mod outcome;
pub mod outcome_input;
pub mod plan;
pub mod randomisation;
pub mod records;
pub mod status;
pub mod template;
mod values;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::fields::{FieldErrors, optional_text, required_date, required_text};
use crate::ids::ProgramId;
use crate::scalar::{text_or_scalar, whole_number};
use crate::vocabulary::{BaselineField, ComparisonKind, StudyDesign, Vocabulary};

pub use arms::{Arm, ArmInput, Design, Membership, MembershipInput};
pub use baseline::baseline_values;
pub use catalogue::StudyCatalogue;
pub use eligibility::{EligibilityRule, EligibilityRuleInput};
pub use lock::{Amendment, ChainBreak, PlanHash, PlanState, verify_chain};
pub use outcome::{
    BinaryRule, EventSpec, Origin, OutcomeDefinition, OutcomeMeasure, OutcomeType, ScoreRef,
};
pub use outcome_input::{BinaryRuleInput, EventInput, OutcomeInput};
pub use plan::{AnalysisPlan, AnalysisPlanInput, Covariate, CovariateInput};
pub use randomisation::{Randomisation, RandomisationInput};
pub use status::StudyStatus;
pub use template::StudyTemplate;

/// The time point a study's baseline is read from when it does not say.
pub const DEFAULT_BASELINE_TIME_POINT: &str = "intake";
/// The most programs a study covers.
const MAX_PROGRAMS: usize = 10;

/// A study as sent by an evaluator. Every field is optional so parsing reports every problem
/// at once, by field.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct StudyInput {
    pub title: Option<String>,
    /// The question the study answers. Required.
    pub question: Option<String>,
    /// `randomised`, `quasi_experimental` or `pre_post`.
    pub design: Option<String>,
    /// Quasi-experimental only: `other_program`, `component_not_received` or
    /// `historical_cohort`.
    pub comparison: Option<String>,
    /// The programs whose participants the study covers (program ids).
    pub program_ids: Vec<String>,
    pub arms: Vec<ArmInput>,
    pub eligibility: Vec<EligibilityRuleInput>,
    /// ISO 8601 dates of the enrolment period, both included.
    pub enrolment_from: Option<String>,
    pub enrolment_to: Option<String>,
    /// Days of follow-up from each participant's enrolment (1 to 3650).
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "180"))]
    pub follow_up_days: Option<String>,
    /// The schedule's time point the baseline is read from; defaults to `intake`.
    pub baseline_time_point: Option<String>,
    /// Randomised studies only.
    pub randomisation: Option<RandomisationInput>,
    pub outcomes: Vec<OutcomeInput>,
    /// Characteristics at baseline the analyses may adjust for.
    pub covariates: Vec<CovariateInput>,
    /// Baseline-field codes to report results by.
    pub subgroups: Vec<String>,
    pub plan: Option<AnalysisPlanInput>,
}

/// The enrolment period: participants enrolled from `from` to `to`, both included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EnrolmentPeriod {
    #[serde(serialize_with = "values::iso_date::serialize")]
    pub from: Date,
    #[serde(serialize_with = "values::iso_date::serialize")]
    pub to: Date,
}

impl EnrolmentPeriod {
    /// Whether `day` is in the period (both ends included).
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

/// A valid study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StudyDefinition {
    pub title: String,
    pub question: String,
    pub design: Design,
    pub program_ids: Vec<ProgramId>,
    pub arms: Vec<Arm>,
    pub eligibility: Vec<EligibilityRule>,
    pub enrolment: EnrolmentPeriod,
    pub follow_up_days: u32,
    pub baseline_time_point: String,
    /// Present exactly when the design is randomised.
    pub randomisation: Option<Randomisation>,
    pub outcomes: Vec<OutcomeDefinition>,
    pub covariates: Vec<Covariate>,
    pub subgroups: Vec<BaselineField>,
    pub plan: AnalysisPlan,
}

impl StudyDefinition {
    /// Parses a study, checking every instrument, scale, item, band and time point it names
    /// against `catalogue`.
    pub fn parse(input: &StudyInput, catalogue: &StudyCatalogue<'_>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = errors.check("title", required_text(input.title.as_deref(), 200));
        let question = errors.check("question", required_text(input.question.as_deref(), 2000));
        let design = parse_design(input, &mut errors);
        let program_ids = parse_program_ids(&input.program_ids, &mut errors);
        let from = errors.check("enrolment_from", required_date(input.enrolment_from.as_deref()));
        let to = errors.check("enrolment_to", required_date(input.enrolment_to.as_deref()));
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            errors.add("enrolment_to", "must be on or after the start of enrolment");
        }
        let follow_up_days = match input.follow_up_days.as_deref().map(str::trim) {
            None | Some("") => {
                errors.add("follow_up_days", "is required");
                None
            }
            Some(text) => errors
                .check("follow_up_days", whole_number(text, 1..=3650))
                .and_then(|d| u32::try_from(d).ok()),
        };
        let baseline_time_point = errors.check(
            "baseline_time_point",
            optional_text(input.baseline_time_point.as_deref(), 40).and_then(|given| {
                let code =
                    values::code(Some(given.as_deref().unwrap_or(DEFAULT_BASELINE_TIME_POINT)))?;
                catalogue.check_time_point(&code).map(|()| code)
            }),
        );
        let context = arms::ArmContext { design, program_ids: &program_ids, enrolment_from: from };
        let arms = arms::parse_arms(&input.arms, &context, &mut errors);
        let randomisation = parse_randomisation_for(input, design, &arms, &mut errors);
        let eligibility = eligibility::parse_rules(&input.eligibility, &mut errors);
        let outcomes =
            outcome_input::parse_outcomes(&input.outcomes, follow_up_days, catalogue, &mut errors);
        check_baseline_use(&input.outcomes, &outcomes, baseline_time_point.as_deref(), &mut errors);
        let covariates =
            plan::parse_covariates(&input.covariates, "covariates", catalogue, &mut errors);
        let subgroups = plan::parse_subgroups(&input.subgroups, "subgroups", &mut errors);
        let codes: Vec<String> = input
            .outcomes
            .iter()
            .filter_map(|o| o.code.as_deref().map(str::trim).map(str::to_owned))
            .collect();
        let plan = match &input.plan {
            Some(plan) => {
                let context = plan::PlanContext {
                    outcomes: &codes,
                    covariates: &covariates,
                    subgroups: &subgroups,
                    catalogue,
                };
                plan::parse_plan(plan, &context, &mut errors)
            }
            None => {
                errors.add("plan", "give the analysis plan (at least the primary outcome)");
                None
            }
        };
        errors.into_result(|| {
            Some(StudyDefinition {
                title: title?,
                question: question?,
                design: design?,
                program_ids,
                arms,
                eligibility,
                enrolment: EnrolmentPeriod { from: from?, to: to? },
                follow_up_days: follow_up_days?,
                baseline_time_point: baseline_time_point?,
                randomisation: randomisation?,
                outcomes,
                covariates,
                subgroups,
                plan: plan?,
            })
        })
    }

    /// The study as input (for the edit form, and to store and parse again).
    pub fn to_input(&self) -> StudyInput {
        StudyInput {
            title: Some(self.title.clone()),
            question: Some(self.question.clone()),
            design: Some(self.design.code().code().into()),
            comparison: self.design.comparison().map(|c| c.code().into()),
            program_ids: self.program_ids.iter().map(ToString::to_string).collect(),
            arms: self.arms.iter().map(Arm::to_input).collect(),
            eligibility: self.eligibility.iter().map(EligibilityRule::to_input).collect(),
            enrolment_from: Some(canonical::date(self.enrolment.from)),
            enrolment_to: Some(canonical::date(self.enrolment.to)),
            follow_up_days: Some(self.follow_up_days.to_string()),
            baseline_time_point: Some(self.baseline_time_point.clone()),
            randomisation: self.randomisation.as_ref().map(Randomisation::to_input),
            outcomes: self.outcomes.iter().map(OutcomeDefinition::to_input).collect(),
            covariates: self.covariates.iter().map(Covariate::to_input).collect(),
            subgroups: self.subgroups.iter().map(|s| s.code().to_owned()).collect(),
            plan: Some(self.plan.to_input()),
        }
    }

    /// The outcome with this code.
    pub fn outcome(&self, code: &str) -> Option<&OutcomeDefinition> {
        self.outcomes.iter().find(|o| o.code == code)
    }

    /// The arm with this code.
    pub fn arm(&self, code: &str) -> Option<&Arm> {
        self.arms.iter().find(|a| a.code == code)
    }
}

fn parse_design(input: &StudyInput, errors: &mut FieldErrors) -> Option<Design> {
    let design = match input.design.as_deref().map(str::trim) {
        None | Some("") => {
            errors.add("design", "choose randomised, quasi_experimental or pre_post");
            None
        }
        Some(code) => errors.check("design", StudyDesign::parse(code)),
    }?;
    let comparison = input.comparison.as_deref().map(str::trim).filter(|c| !c.is_empty());
    match (design, comparison) {
        (StudyDesign::QuasiExperimental, Some(code)) => errors
            .check("comparison", ComparisonKind::parse(code))
            .map(|comparison| Design::QuasiExperimental { comparison }),
        (StudyDesign::QuasiExperimental, None) => {
            errors.add("comparison", "say how the comparison group is formed");
            None
        }
        (_, Some(_)) => {
            errors.add("comparison", "only a quasi-experimental study names its comparison");
            None
        }
        (StudyDesign::Randomised, None) => Some(Design::Randomised),
        (StudyDesign::PrePost, None) => Some(Design::PrePost),
    }
}

fn parse_program_ids(inputs: &[String], errors: &mut FieldErrors) -> Vec<ProgramId> {
    if inputs.is_empty() {
        errors.add("program_ids", "choose at least one program");
    } else if inputs.len() > MAX_PROGRAMS {
        errors.add("program_ids", format!("at most {MAX_PROGRAMS} programs"));
    }
    values::unique_list(inputs, "program_ids", errors, |text| {
        text.trim().parse::<ProgramId>().map_err(|_| "is not a program id".to_owned())
    })
}

fn parse_randomisation_for(
    input: &StudyInput,
    design: Option<Design>,
    arms: &[Arm],
    errors: &mut FieldErrors,
) -> Option<Option<Randomisation>> {
    match (&input.randomisation, design) {
        (Some(settings), Some(Design::Randomised)) => {
            let all_parsed = arms.len() == input.arms.len();
            let ratio_sum = arms.iter().map(|a| a.ratio.unwrap_or(0)).sum::<u32>();
            let ratio_sum = (all_parsed && ratio_sum > 0).then_some(ratio_sum);
            randomisation::parse_randomisation(settings, ratio_sum, errors).map(Some)
        }
        (None, Some(Design::Randomised)) => {
            errors.add("randomisation", "give the block sizes (and any stratification factors)");
            None
        }
        (Some(_), Some(_)) => {
            errors.add("randomisation", "only a randomised study has randomisation settings");
            None
        }
        (_, None) => None,
        (None, Some(_)) => Some(None),
    }
}

/// A change from baseline must be measured at a time point after the baseline one.
fn check_baseline_use(
    inputs: &[OutcomeInput],
    outcomes: &[OutcomeDefinition],
    baseline: Option<&str>,
    errors: &mut FieldErrors,
) {
    for outcome in outcomes {
        if let OutcomeMeasure::ChangeFromBaseline { time_point, .. } = &outcome.measure
            && Some(time_point.as_str()) == baseline
        {
            // Report under the input's own index: outcomes that failed to parse are not in
            // `outcomes`, so its positions can differ.
            let i = inputs
                .iter()
                .position(|o| o.code.as_deref().map(str::trim) == Some(outcome.code.as_str()))
                .unwrap_or_default();
            errors.add(
                format!("outcomes[{i}].time_point"),
                "is the baseline time point; a change needs a later one",
            );
        }
    }
}

#[cfg(test)]
mod tests;
