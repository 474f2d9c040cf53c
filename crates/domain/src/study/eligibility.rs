//! Participant eligibility: rules on recorded fields (referral source, setting, age band…)
//! and on the event history before enrolment ("a psychiatric hospitalisation in the two
//! years before"). All rules must hold. The evaluation crate checks them against a record.

use serde::{Deserialize, Serialize};

use super::outcome::EventSpec;
use super::outcome_input::{EventInput, parse_event};
use super::values::unique_list;
use crate::fields::FieldErrors;
use crate::scalar::{flag, text_or_scalar, whole_number};
use crate::vocabulary::{BaselineField, Vocabulary};

/// The most eligibility rules a study has.
const MAX_RULES: usize = 20;

/// One rule a participant must meet to be in the study.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum EligibilityRule {
    /// The field was recorded and its value is one of these codes.
    Field { field: BaselineField, any_of: Vec<String> },
    /// An event of this kind is (`present`) or is not on record within the days before
    /// enrolment (the enrolment day itself excluded).
    EventHistory { event: EventSpec, within_days_before: u32, present: bool },
}

impl EligibilityRule {
    /// The rule in words, for the study page and for the reason a person is not eligible.
    pub fn describe(&self) -> String {
        match self {
            Self::Field { field, any_of } => {
                format!("{} is one of: {}", field.label(), field.values_in_words(any_of))
            }
            Self::EventHistory { event, within_days_before, present } => {
                let event = event.describe();
                let article = if event.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
                let had = if *present { format!("had {article}") } else { "had no".to_owned() };
                format!("{had} {event} in the {within_days_before} days before enrolment")
            }
        }
    }
}

/// One rule as sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct EligibilityRuleInput {
    /// `field` or `event_history`.
    pub rule: Option<String>,
    /// For `field`: a baseline-field code (`setting`, `age_band`…).
    pub field: Option<String>,
    /// For `field`: the codes that qualify.
    pub any_of: Vec<String>,
    /// For `event_history`: the event.
    pub event: Option<EventInput>,
    /// For `event_history`: how many days before enrolment to look (730 for two years).
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "730"))]
    pub within_days_before: Option<String>,
    /// For `event_history`: `true` (the default) if the event must be on record, `false` if
    /// it must not.
    #[serde(deserialize_with = "text_or_scalar")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "true"))]
    pub present: Option<String>,
}

pub(crate) fn parse_rules(
    inputs: &[EligibilityRuleInput],
    errors: &mut FieldErrors,
) -> Vec<EligibilityRule> {
    if inputs.len() > MAX_RULES {
        errors.add("eligibility", format!("at most {MAX_RULES} rules"));
    }
    inputs.iter().enumerate().filter_map(|(i, input)| parse_rule(input, i, errors)).collect()
}

fn parse_rule(
    input: &EligibilityRuleInput,
    i: usize,
    errors: &mut FieldErrors,
) -> Option<EligibilityRule> {
    let at = |name: &str| format!("eligibility[{i}].{name}");
    match input.rule.as_deref().map(str::trim) {
        Some("field") => {
            let field = match input.field.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.add(at("field"), "choose the recorded field");
                    None
                }
                Some(code) => errors.check(&at("field"), BaselineField::parse(code)),
            }?;
            if input.any_of.is_empty() {
                errors.add(at("any_of"), "list the values that qualify");
                return None;
            }
            let before = errors.iter().count();
            let mut any_of = unique_list(&input.any_of, &at("any_of"), errors, |code| {
                field.parse_value(code).map(str::to_owned)
            });
            // In vocabulary order, so the same set always reads (and hashes) the same.
            let allowed = field.allowed_values();
            any_of.sort_by_key(|code| allowed.iter().position(|a| a == code));
            (errors.iter().count() == before).then_some(EligibilityRule::Field { field, any_of })
        }
        Some("event_history") => {
            let event = match &input.event {
                Some(event) => parse_event(event, &at("event"), errors),
                None => {
                    errors.add(at("event"), "choose the event");
                    None
                }
            };
            let days = match input.within_days_before.as_deref().map(str::trim) {
                None | Some("") => {
                    errors.add(at("within_days_before"), "is required");
                    None
                }
                Some(text) => errors.check(&at("within_days_before"), whole_number(text, 1..=3650)),
            };
            let present = match input.present.as_deref().map(str::trim) {
                None | Some("") => Some(true),
                Some(text) => errors.check(&at("present"), flag(text)),
            };
            Some(EligibilityRule::EventHistory {
                event: event?,
                within_days_before: u32::try_from(days?).ok()?,
                present: present?,
            })
        }
        None | Some("") => {
            errors.add(at("rule"), "choose field or event_history");
            None
        }
        Some(_) => {
            errors.add(at("rule"), "must be field or event_history");
            None
        }
    }
}

impl EligibilityRule {
    /// The rule as input.
    pub fn to_input(&self) -> EligibilityRuleInput {
        match self {
            Self::Field { field, any_of } => EligibilityRuleInput {
                rule: Some("field".into()),
                field: Some(field.code().into()),
                any_of: any_of.clone(),
                ..Default::default()
            },
            Self::EventHistory { event, within_days_before, present } => EligibilityRuleInput {
                rule: Some("event_history".into()),
                event: Some(event.to_input()),
                within_days_before: Some(within_days_before.to_string()),
                present: Some(present.to_string()),
                ..Default::default()
            },
        }
    }
}
