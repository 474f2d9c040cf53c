//! The administering form: one instrument per page, each question a fieldset with its legend
//! and a radio group (or a number box for counts), errors beside the question they concern
//! and summarised at the top. Skip rules are shown as a hint; the server enforces them.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use kindred_domain::FieldErrors;
use kindred_domain::instruments::InstrumentDefinition;
use kindred_domain::instruments::definition::{EnableBehavior, ResponseFormat};

use crate::pages::Chrome;

/// The form fields that are not answers.
pub const RESERVED: [&str; 6] =
    ["_csrf", "administered_on", "program_id", "time_point_code", "action", "version"];

#[derive(Template, WebTemplate)]
#[template(path = "assessment_form.html")]
pub struct AdministerForm {
    pub chrome: Option<Chrome>,
    pub participant_id: String,
    pub participant_name: String,
    /// Where the form posts.
    pub action: String,
    pub short_name: String,
    pub title: String,
    pub instructions: Option<String>,
    pub licence: String,
    pub citation: String,
    pub items: Vec<ItemView>,
    pub administered_on: String,
    pub program_id: String,
    pub time_point_code: String,
    pub version: Option<i64>,
    pub summary: Vec<ErrorLine>,
    /// Errors on the date and scheduling fields.
    pub date_error: Option<String>,
}

pub struct ItemView {
    pub id: String,
    pub number: usize,
    pub text: String,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub options: Vec<OptionView>,
    /// For counts: the value typed, its bounds and unit.
    pub integer: Option<IntegerView>,
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

pub struct IntegerView {
    pub value: String,
    pub min: i64,
    pub max: i64,
    pub unit: String,
}

pub struct ErrorLine {
    pub field: String,
    pub label: String,
    pub message: String,
}

/// What was filled in (item id → value as text), and the scheduling fields.
#[derive(Debug, Clone, Default)]
pub struct Filled {
    pub answers: BTreeMap<String, String>,
    pub administered_on: String,
    pub program_id: String,
    pub time_point_code: String,
}

/// Lays out `definition` with `filled` values and `errors`.
pub fn items(
    definition: &InstrumentDefinition,
    filled: &Filled,
    errors: &FieldErrors,
) -> (Vec<ItemView>, Vec<ErrorLine>) {
    let mut summary = Vec::new();
    let number_of = |id: &str| definition.items.iter().position(|i| i.id == id).map(|p| p + 1);
    let views = definition
        .items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let given = filled.answers.get(&item.id).map(String::as_str).unwrap_or_default();
            let error = errors.get(&item.id).map(str::to_owned);
            if let Some(message) = &error {
                summary.push(ErrorLine {
                    field: item.id.clone(),
                    label: format!("Question {}", index + 1),
                    message: message.clone(),
                });
            }
            let hint = item.enable_when.as_ref().map(|rule| {
                let parts: Vec<String> = rule
                    .conditions
                    .iter()
                    .map(|c| {
                        let question =
                            number_of(&c.item).map_or(c.item.clone(), |n| format!("question {n}"));
                        let answer = definition
                            .item(&c.item)
                            .and_then(|i| i.response.label(c.value))
                            .map_or(c.value.to_string(), |l| format!("“{l}”"));
                        format!("{question} {} {answer}", c.operator.code())
                    })
                    .collect();
                let joiner = match rule.behavior {
                    EnableBehavior::Any => " or ",
                    EnableBehavior::All => " and ",
                };
                format!("Only asked when {}; otherwise leave it blank.", parts.join(joiner))
            });
            let (options, integer) = match &item.response {
                ResponseFormat::Choice { options } => (
                    options
                        .iter()
                        .map(|o| OptionView {
                            value: o.value.to_string(),
                            label: o.label.clone(),
                            checked: given == o.value.to_string(),
                        })
                        .collect(),
                    None,
                ),
                ResponseFormat::Integer { min, max, unit } => (
                    Vec::new(),
                    Some(IntegerView {
                        value: given.to_owned(),
                        min: *min,
                        max: *max,
                        unit: unit.as_ref().map(|u| u.display.clone()).unwrap_or_default(),
                    }),
                ),
            };
            ItemView {
                id: item.id.clone(),
                number: index + 1,
                text: item.text.clone(),
                hint,
                error,
                options,
                integer,
            }
        })
        .collect();
    for field in ["administered_on", "program_id", "time_point_code", "instrument", "answers"] {
        if let Some(message) = errors.get(field) {
            let label = match field {
                "administered_on" => "Date given",
                "program_id" => "Program",
                "time_point_code" => "Time point",
                "instrument" => "Instrument",
                _ => "Answers",
            };
            summary.push(ErrorLine {
                field: if field == "administered_on" { field.into() } else { String::new() },
                label: label.into(),
                message: message.to_owned(),
            });
        }
    }
    (views, summary)
}
