//! Answers to one administration, validated on the server item by item. A partial save is
//! normal (a participant stops half-way, a call drops), so missing answers are not errors;
//! every answer that *is* given must be one the instrument allows, and must not answer a
//! question its skip rule hides.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::definition::{
    Constraint, EnableBehavior, InstrumentDefinition, Item, ResponseFormat, SkipRule,
};
use crate::fields::FieldErrors;

/// Answers as sent by a form or a JSON body: item id → value. A value may be a JSON number or
/// its text (forms send text); `null` or blank text means "not answered".
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AnswersInput {
    /// Item id (`phq9_1`) → answer value (`2` or `"2"`).
    pub answers: BTreeMap<String, serde_json::Value>,
}

/// Answers that are all valid for one definition: item id → value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Answers(BTreeMap<String, i64>);

impl Answers {
    /// Validates every answer, reporting each problem under its item id. Nothing is accepted
    /// when anything is wrong, so no score is ever computed from a refused answer.
    pub fn parse(
        definition: &InstrumentDefinition,
        input: &AnswersInput,
    ) -> Result<Answers, FieldErrors> {
        let mut errors = FieldErrors::new();
        let mut values = BTreeMap::new();
        for (id, raw) in &input.answers {
            let Some(item) = definition.item(id) else {
                errors.add(id.as_str(), format!("is not an item of {}", definition.short_name));
                continue;
            };
            match whole_number(raw) {
                Ok(None) => {}
                Ok(Some(value)) if item.response.allows(value) => {
                    values.insert(id.clone(), value);
                }
                Ok(Some(_)) => errors.add(id.as_str(), allowed_values(item)),
                Err(message) => errors.add(id.as_str(), message),
            }
        }
        let answers = Answers(values);
        let shown = answers.shown_items(definition);
        for item in &definition.items {
            if answers.get(&item.id).is_some() && !shown.contains(item.id.as_str()) {
                let rule = item.enable_when.as_ref().map(|r| describe_rule(definition, r));
                errors.add(
                    item.id.as_str(),
                    format!("is not asked {}; leave it blank", rule.unwrap_or_default()),
                );
            }
        }
        check_constraints(definition, &answers, &mut errors);
        errors.into_result(|| Some(answers))
    }

    /// Answers already known to be valid (read back from storage, which only ever saved
    /// parsed answers). Use [`Answers::parse`] for anything a person or client sent.
    pub fn from_trusted(values: BTreeMap<String, i64>) -> Self {
        Answers(values)
    }

    pub fn get(&self, item: &str) -> Option<i64> {
        self.0.get(item).copied()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, i64)> {
        self.0.iter().map(|(id, value)| (id.as_str(), *value))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The ids of every item shown given these answers. Skip rules refer only to earlier
    /// items (the consistency check insists), so one pass in item order settles them all,
    /// and a condition on a hidden item is false even if a stale answer were present.
    pub fn shown_items<'d>(&self, definition: &'d InstrumentDefinition) -> HashSet<&'d str> {
        let mut shown = HashSet::new();
        for item in &definition.items {
            let visible = item.enable_when.as_ref().is_none_or(|rule| {
                let mut results = rule.conditions.iter().map(|c| {
                    shown.contains(c.item.as_str())
                        && self.get(&c.item).is_some_and(|answer| c.operator.holds(answer, c.value))
                });
                match rule.behavior {
                    EnableBehavior::Any => results.any(|holds| holds),
                    EnableBehavior::All => results.all(|holds| holds),
                }
            });
            if visible {
                shown.insert(item.id.as_str());
            }
        }
        shown
    }
}

/// Reads one raw answer as a whole number; `Ok(None)` when it is blank.
fn whole_number(raw: &serde_json::Value) -> Result<Option<i64>, String> {
    const NOT_WHOLE: &str = "must be a whole number";
    match raw {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::Number(number) => match number.as_i64() {
            Some(value) => Ok(Some(value)),
            None => number
                .as_f64()
                .filter(|value| value.fract() == 0.0 && value.abs() < 1e15)
                .map(|value| Some(value as i64))
                .ok_or_else(|| NOT_WHOLE.to_string()),
        },
        serde_json::Value::String(text) => {
            let text = text.trim();
            if text.is_empty() {
                Ok(None)
            } else if let Ok(value) = text.parse::<i64>() {
                Ok(Some(value))
            } else {
                Err(format!("{NOT_WHOLE}, not \"{}\"", text.chars().take(20).collect::<String>()))
            }
        }
        _ => Err(NOT_WHOLE.to_string()),
    }
}

fn allowed_values(item: &Item) -> String {
    match &item.response {
        ResponseFormat::Choice { options } => {
            let listed: Vec<String> =
                options.iter().map(|o| format!("{} ({})", o.value, o.label)).collect();
            format!("must be one of {}", listed.join(", "))
        }
        ResponseFormat::Integer { min, max, .. } => {
            format!("must be a whole number from {min} to {max}")
        }
    }
}

/// "unless phq9_1 is not 0 (Not at all)" in words staff can act on.
fn describe_rule(definition: &InstrumentDefinition, rule: &SkipRule) -> String {
    let parts: Vec<String> = rule
        .conditions
        .iter()
        .map(|c| {
            let label = definition
                .item(&c.item)
                .and_then(|item| item.response.label(c.value))
                .map(|label| format!(" ({label})"))
                .unwrap_or_default();
            format!("{} {} {}{label}", c.item, c.operator.code(), c.value)
        })
        .collect();
    let joiner = match rule.behavior {
        EnableBehavior::Any => " or ",
        EnableBehavior::All => " and ",
    };
    format!("unless {}", parts.join(joiner))
}

fn check_constraints(
    definition: &InstrumentDefinition,
    answers: &Answers,
    errors: &mut FieldErrors,
) {
    for constraint in &definition.scoring.constraints {
        let Constraint::AtLeastEach { item, others } = constraint;
        let Some(value) = answers.get(item) else { continue };
        let largest = others
            .iter()
            .filter_map(|other| answers.get(other).map(|v| (other, v)))
            .max_by_key(|(_, v)| *v);
        if let Some((other, other_value)) = largest.filter(|(_, v)| *v > value) {
            errors.add(
                item.as_str(),
                format!("must be at least {other_value}, the answer given for {other}"),
            );
        }
    }
}
