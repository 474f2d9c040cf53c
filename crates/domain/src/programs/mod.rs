//! Programs: a delivered model of peer recovery support, made from one of Kindred's templates
//! (each faithful to a studied intervention) or from scratch: its components, its protocol of
//! timed steps, the qualifications it asks of its peers, its caseload target and its costs.

mod catalogue;
pub mod costs;
pub mod eligibility;
pub mod protocol;
pub mod templates;

use crate::fields::{FieldErrors, optional_text, required_text};
use crate::scalar::{flag, optional_whole_number, text_or_scalar};
use crate::vocabulary::Vocabulary;

pub use costs::{ContactCostInput, CostSettings};
pub use eligibility::{EligibilityRules, Qualifications};
pub use protocol::{ProtocolStep, StepInput, StepSchedule};
pub use templates::{ProgramTemplate, Study};

/// The most components and steps a program holds (a protocol longer than this is a plan, not
/// a protocol, and would swamp a coach's task list).
const MAX_COMPONENTS: usize = 30;
const MAX_STEPS: usize = 50;

/// Raw program fields from a form or JSON body. When creating, an absent field takes the
/// template's value (or is empty, from scratch); when changing, an absent field stays as it
/// is and a present list replaces the whole list.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ProgramInput {
    /// Only when creating: the template to copy (`GET /api/v1/program-templates`).
    pub template_code: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    /// Whether participants are being enrolled in it (`true` or `false`).
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "true"))]
    pub active: Option<String>,
    /// Participants per full-time coach; blank for none.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "25"))]
    pub target_caseload: Option<String>,
    /// Peers must have been in recovery at least this many months; blank for no rule.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "12"))]
    pub min_months_in_recovery: Option<String>,
    /// Peers must hold a current certification (`true` or `false`).
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "true"))]
    pub requires_certification: Option<String>,
    /// Peers must have at least this many training hours; blank for no rule.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "40"))]
    pub min_training_hours: Option<String>,
    /// Cost of an hour of staff time, like `22.50`; blank for not set.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "22.50"))]
    pub hourly_staff_cost: Option<String>,
    /// Cost of one contact by mode, on top of staff time.
    pub contact_costs: Option<Vec<ContactCostInput>>,
    pub components: Option<Vec<ComponentInput>>,
    pub steps: Option<Vec<StepInput>>,
}

/// Raw component fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ComponentInput {
    pub name: Option<String>,
    pub description: Option<String>,
}

/// One part of what a program delivers ("telephone booster", "peer-led groups"). Contacts
/// record which components they delivered, so component effects can be analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Component {
    pub name: String,
    pub description: String,
}

/// A valid program.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramDefinition {
    pub name: String,
    pub description: String,
    /// The template it was made from, if any.
    pub template_code: Option<String>,
    pub active: bool,
    pub target_caseload: Option<i32>,
    pub eligibility: EligibilityRules,
    pub costs: CostSettings,
    pub components: Vec<Component>,
    pub protocol: Vec<ProtocolStep>,
}

impl ProgramDefinition {
    /// A new program from `input`: from its template when it names one, else from scratch.
    pub fn create(input: &ProgramInput) -> Result<Self, FieldErrors> {
        let base = match input.template_code.as_deref().map(str::trim) {
            None | Some("") => ProgramDefinition { active: true, ..Default::default() },
            Some(code) => match templates::template(code) {
                Some(template) => template.definition()?,
                None => {
                    return Err(FieldErrors::single(
                        "template_code",
                        "is not one of Kindred's program templates",
                    ));
                }
            },
        };
        base.apply(input)
    }

    /// This program with the fields present in `input` changed.
    pub fn change(&self, input: &ProgramInput) -> Result<Self, FieldErrors> {
        // A program read back from the API carries its template code: the same code is no
        // change; another one is.
        let given = input.template_code.as_deref().map(str::trim).filter(|c| !c.is_empty());
        if given.is_some() && given != self.template_code.as_deref() {
            return Err(FieldErrors::single(
                "template_code",
                "is only given when creating a program",
            ));
        }
        self.apply(input)
    }

    fn apply(&self, input: &ProgramInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut next = self.clone();
        if let Some(code) = input.template_code.as_deref().map(str::trim).filter(|c| !c.is_empty())
        {
            next.template_code = Some(code.to_owned());
        }
        if input.name.is_some() || next.name.is_empty() {
            next.name =
                errors.check("name", required_text(input.name.as_deref(), 200)).unwrap_or_default();
        }
        if let Some(description) = &input.description {
            next.description = errors
                .check("description", optional_text(Some(description), 2000))
                .flatten()
                .unwrap_or_default();
        }
        if let Some(active) = &input.active {
            next.active = errors.check("active", flag(active)).unwrap_or(next.active);
        }
        let mut number = |field: &str, value: &Option<String>, range, target: &mut Option<i32>| {
            if value.is_some()
                && let Some(parsed) =
                    errors.check(field, optional_whole_number(value.as_deref(), range))
            {
                *target = parsed;
            }
        };
        number("target_caseload", &input.target_caseload, 1..=500, &mut next.target_caseload);
        let rules = &mut next.eligibility;
        number(
            "min_months_in_recovery",
            &input.min_months_in_recovery,
            0..=600,
            &mut rules.min_months_in_recovery,
        );
        number(
            "min_training_hours",
            &input.min_training_hours,
            0..=10_000,
            &mut rules.min_training_hours,
        );
        if let Some(required) = &input.requires_certification {
            rules.requires_certification = errors
                .check("requires_certification", flag(required))
                .unwrap_or(rules.requires_certification);
        }
        if input.hourly_staff_cost.is_some() {
            next.costs.hourly_staff_cost_cents = errors
                .check(
                    "hourly_staff_cost",
                    costs::parse_optional_amount(input.hourly_staff_cost.as_deref()),
                )
                .flatten();
        }
        if let Some(costs) = &input.contact_costs {
            next.costs.per_contact =
                CostSettings::parse_contact_costs(costs, "contact_costs", &mut errors);
        }
        if let Some(components) = &input.components {
            next.components = parse_components(components, &mut errors);
        }
        if let Some(steps) = &input.steps {
            next.protocol = parse_steps(steps, &mut errors);
        }
        errors.into_result(|| Some(next))
    }

    /// The program as input (for a form, or for an API client to change and send back).
    pub fn to_input(&self) -> ProgramInput {
        let number = |n: Option<i32>| Some(n.map(|n| n.to_string()).unwrap_or_default());
        ProgramInput {
            template_code: None,
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            active: Some(self.active.to_string()),
            target_caseload: number(self.target_caseload),
            min_months_in_recovery: number(self.eligibility.min_months_in_recovery),
            requires_certification: Some(self.eligibility.requires_certification.to_string()),
            min_training_hours: number(self.eligibility.min_training_hours),
            hourly_staff_cost: Some(
                self.costs.hourly_staff_cost_cents.map(costs::format_amount).unwrap_or_default(),
            ),
            contact_costs: Some(
                self.costs
                    .per_contact
                    .iter()
                    .map(|(mode, cents)| ContactCostInput {
                        mode: Some(mode.code().into()),
                        cost: Some(costs::format_amount(*cents)),
                    })
                    .collect(),
            ),
            components: Some(
                self.components
                    .iter()
                    .map(|c| ComponentInput {
                        name: Some(c.name.clone()),
                        description: Some(c.description.clone()),
                    })
                    .collect(),
            ),
            steps: Some(self.protocol.iter().map(ProtocolStep::to_input).collect()),
        }
    }

    /// The step with this code.
    pub fn step(&self, code: &str) -> Option<&ProtocolStep> {
        self.protocol.iter().find(|s| s.code == code)
    }
}

fn parse_components(inputs: &[ComponentInput], errors: &mut FieldErrors) -> Vec<Component> {
    if inputs.len() > MAX_COMPONENTS {
        errors.add("components", format!("must be at most {MAX_COMPONENTS}"));
    }
    inputs
        .iter()
        .enumerate()
        .filter_map(|(index, input)| {
            let name = errors.check(
                &format!("components[{index}].name"),
                required_text(input.name.as_deref(), 200),
            );
            let description = errors.check(
                &format!("components[{index}].description"),
                optional_text(input.description.as_deref(), 1000),
            );
            Some(Component { name: name?, description: description?.unwrap_or_default() })
        })
        .collect()
}

fn parse_steps(inputs: &[StepInput], errors: &mut FieldErrors) -> Vec<ProtocolStep> {
    if inputs.len() > MAX_STEPS {
        errors.add("steps", format!("must be at most {MAX_STEPS}"));
    }
    let mut steps: Vec<ProtocolStep> = Vec::new();
    for (index, input) in inputs.iter().enumerate() {
        let prefix = format!("steps[{index}].");
        if let Some(step) = ProtocolStep::parse(input, &prefix, errors) {
            if steps.iter().any(|s| s.code == step.code) {
                errors.add(format!("{prefix}code"), "is already the code of another step");
            } else {
                steps.push(step);
            }
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch() -> ProgramInput {
        ProgramInput {
            name: Some("Night Outreach".into()),
            target_caseload: Some("30".into()),
            requires_certification: Some("yes".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_program_from_scratch_needs_only_a_name() {
        let program = ProgramDefinition::create(&scratch()).unwrap();
        assert_eq!(program.name, "Night Outreach");
        assert!(program.active);
        assert_eq!(program.target_caseload, Some(30));
        assert!(program.eligibility.requires_certification);
        assert!(program.protocol.is_empty());
        let nameless = ProgramDefinition::create(&ProgramInput::default()).unwrap_err();
        assert_eq!(nameless.get("name"), Some("is required"));
    }

    #[test]
    fn a_template_fills_what_is_not_given() {
        let input = ProgramInput {
            template_code: Some("post_discharge_engagement".into()),
            name: Some("After Discharge".into()),
            ..Default::default()
        };
        let program = ProgramDefinition::create(&input).unwrap();
        assert_eq!(program.name, "After Discharge");
        assert_eq!(program.template_code.as_deref(), Some("post_discharge_engagement"));
        assert_eq!(program.eligibility.min_months_in_recovery, Some(6));
        assert!(program.step("escort_first_outpatient").is_some());
        let unknown = ProgramInput { template_code: Some("nope".into()), ..Default::default() };
        assert!(ProgramDefinition::create(&unknown).unwrap_err().get("template_code").is_some());
    }

    #[test]
    fn changes_replace_given_fields_and_report_every_problem_by_path() {
        let program = ProgramDefinition::create(&scratch()).unwrap();
        let input = ProgramInput {
            target_caseload: Some(String::new()),
            hourly_staff_cost: Some("lots".into()),
            components: Some(vec![ComponentInput::default()]),
            steps: Some(vec![
                StepInput {
                    code: Some("call".into()),
                    name: Some("Call".into()),
                    anchor: Some("enrolment".into()),
                    target_day: Some("3".into()),
                    window_start_day: Some("4".into()),
                    window_end_day: Some("5".into()),
                    ..Default::default()
                },
                StepInput { code: Some("call".into()), ..Default::default() },
            ]),
            ..Default::default()
        };
        let errors = program.change(&input).unwrap_err();
        assert_eq!(errors.get("hourly_staff_cost"), Some("must be an amount like 22.50"));
        assert_eq!(errors.get("components[0].name"), Some("is required"));
        assert_eq!(
            errors.get("steps[0].window_start_day"),
            Some("must be on or before the target day (3)")
        );
        assert_eq!(errors.get("steps[1].name"), Some("is required"));

        let cleared = program
            .change(&ProgramInput { target_caseload: Some(String::new()), ..Default::default() })
            .unwrap();
        assert_eq!(cleared.target_caseload, None);
        assert_eq!(ProgramDefinition::create(&cleared.to_input()).unwrap(), cleared);
    }
}
