//! What an instrument *is*: its items, response formats, skip rules, scoring rules, bands,
//! flags, licence and citation. Definitions are data (one JSON file per instrument under
//! `crates/domain/instruments/`), so a reviewer can check a definition against its published
//! source without reading Rust, and a new version is a new file rather than a code change.

use serde::{Deserialize, Serialize};

/// One versioned instrument, exactly as its definition file states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstrumentDefinition {
    /// Stable code (`phq-9`); with `version`, it names the definition a score was made with.
    pub code: String,
    pub version: String,
    pub title: String,
    /// What staff call it on screens (`PHQ-9`).
    pub short_name: String,
    /// What it measures and how to read it, for staff.
    pub description: String,
    /// What the participant is told before the items (time frame, how to answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    pub licence: Licence,
    /// The journal reference (or official document) the definition was checked against.
    pub citation: String,
    /// What was left unverified when the definition was checked, said plainly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<String>,
    pub items: Vec<Item>,
    pub scoring: Scoring,
}

/// The terms under which Kindred may show and administer the instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Licence {
    /// One line for lists ("Free for non-commercial use with credit to Harvey A. Skinner").
    pub summary: String,
    /// The terms as the rights holder states them (quoted where a statement was found).
    pub terms: String,
    pub status: LicenceStatus,
    /// Where the terms were read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Whether the licence terms were confirmed from a statement by, or quoting, the rights holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LicenceStatus {
    /// The terms were read in a statement by, or quoting, the rights holder.
    Verified,
    /// Only secondary sources were found; check before relying on it.
    Uncertain,
    /// Written by Kindred; free to use under the project's licence.
    KindredAuthored,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable id (`phq9_9`); answers, errors and FHIR `linkId`s use it.
    pub id: String,
    pub text: String,
    /// True when `text` is a faithful short paraphrase rather than the published wording
    /// (the wording could not be verified, or is not free to reproduce).
    #[serde(default, skip_serializing_if = "is_false")]
    pub paraphrase: bool,
    /// Whether the result is partial until this item is answered (when it is shown).
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub required: bool,
    pub response: ResponseFormat,
    /// When present, the item is shown only while this rule holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_when: Option<SkipRule>,
    /// The score the item counts for while its skip rule hides it (AUDIT-C: a person who never
    /// drinks scores 0 on the quantity questions). Without it a hidden item is not counted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_when_hidden: Option<i64>,
}

/// How an item is answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum ResponseFormat {
    /// One of a fixed list of options, each with its value.
    Choice { options: Vec<AnswerOption> },
    /// A whole number between `min` and `max` inclusive.
    Integer {
        min: i64,
        max: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        unit: Option<Unit>,
    },
}

/// A response option: the value recorded (and scored, unless the item is reverse-scored) and
/// the words shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AnswerOption {
    pub value: i64,
    pub label: String,
}

/// A unit for numeric answers, as a UCUM code (FHIR's `questionnaire-unit` needs one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Unit {
    pub ucum: String,
    pub display: String,
}

/// When an item is shown: FHIR `enableWhen` semantics, restricted to whole-number answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SkipRule {
    pub behavior: EnableBehavior,
    pub conditions: Vec<Condition>,
}

/// Whether any or all conditions must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EnableBehavior {
    Any,
    All,
}

/// `item` `operator` `value`. A condition on an unanswered item is false, as in FHIR.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub item: String,
    pub operator: Operator,
    pub value: i64,
}

/// Comparison operators, spelled as FHIR spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Operator {
    #[serde(rename = "=")]
    Equal,
    #[serde(rename = "!=")]
    NotEqual,
    #[serde(rename = ">")]
    Greater,
    #[serde(rename = ">=")]
    GreaterOrEqual,
    #[serde(rename = "<")]
    Less,
    #[serde(rename = "<=")]
    LessOrEqual,
}

impl Operator {
    pub fn holds(self, left: i64, right: i64) -> bool {
        match self {
            Self::Equal => left == right,
            Self::NotEqual => left != right,
            Self::Greater => left > right,
            Self::GreaterOrEqual => left >= right,
            Self::Less => left < right,
            Self::LessOrEqual => left <= right,
        }
    }

    /// The FHIR code (`!=`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Equal => "=",
            Self::NotEqual => "!=",
            Self::Greater => ">",
            Self::GreaterOrEqual => ">=",
            Self::Less => "<",
            Self::LessOrEqual => "<=",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Self::Equal,
            Self::NotEqual,
            Self::Greater,
            Self::GreaterOrEqual,
            Self::Less,
            Self::LessOrEqual,
        ]
        .into_iter()
        .find(|op| op.code() == code)
    }
}

/// How answers become scores, bands and flags.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scoring {
    /// Items scored as (lowest option + highest option − value), e.g. DAST-10 item 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reverse_scored: Vec<String>,
    /// The total first (the headline score), then subscales and derived scores.
    pub scales: Vec<Scale>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<FlagRule>,
    /// Rules between answers (a count of "any use" days cannot be below one substance's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
}

/// A score computed from some items: the total, a subscale, or a rescaled form of either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub id: String,
    pub title: String,
    pub items: Vec<String>,
    pub method: ScoringMethod,
    /// Multiplies the result (WHO-5: raw × 4 gives the percentage score).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub multiplier: i64,
    /// The valid score range.
    pub min: f64,
    pub max: f64,
    /// At most this many of the scale's items may be missing; the score is then prorated
    /// (a sum is scaled up to all items; a mean uses the answered items). More missing: no score.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub max_missing_prorated: usize,
    pub direction: Direction,
    /// Interpretation bands in ascending order; a score falls in the last band whose `min` it
    /// reaches. Bands with `sex` apply to that sex; bands without apply otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bands: Vec<Band>,
}

/// How item scores combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ScoringMethod {
    Sum,
    Mean,
    /// The largest item score (used days of the heaviest-used substance).
    Max,
}

/// Which way is better, so a change can be called an improvement or a worsening.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    HigherIsWorse,
}

/// Sex, used only where an instrument's cut-offs differ by sex (AUDIT-C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Female,
    Male,
}

/// An interpretation band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Band {
    pub code: String,
    pub label: String,
    pub min: f64,
    pub max: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
}

/// A rule that raises a flag from one item's answer, whatever the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FlagRule {
    pub code: String,
    pub item: String,
    pub trigger: FlagTrigger,
    pub severity: FlagSeverity,
    /// What staff should do, in words.
    pub message: String,
}

/// When a flag is raised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "when", rename_all = "snake_case", deny_unknown_fields)]
pub enum FlagTrigger {
    /// The item is answered and `answer operator value` holds.
    Answer { operator: Operator, value: i64 },
    /// The item is shown but not answered.
    Unanswered,
}

/// How fast a flag needs a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlagSeverity {
    /// Review at the next contact.
    Review,
    /// Needs the supervisor now (the follow-up engine turns it into an urgent task).
    Urgent,
}

/// A rule between answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum Constraint {
    /// `item`'s answer must be at least each answered item of `others`.
    AtLeastEach { item: String, others: Vec<String> },
}

impl InstrumentDefinition {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|item| item.id == id)
    }

    pub fn scale(&self, id: &str) -> Option<&Scale> {
        self.scoring.scales.iter().find(|scale| scale.id == id)
    }
}

impl ResponseFormat {
    /// The lowest and highest value an answer may take.
    pub fn bounds(&self) -> Option<(i64, i64)> {
        match self {
            Self::Choice { options } => {
                let values = options.iter().map(|o| o.value);
                Some((values.clone().min()?, values.max()?))
            }
            Self::Integer { min, max, .. } => Some((*min, *max)),
        }
    }

    /// Whether `value` is an allowed answer.
    pub fn allows(&self, value: i64) -> bool {
        match self {
            Self::Choice { options } => options.iter().any(|o| o.value == value),
            Self::Integer { min, max, .. } => (*min..=*max).contains(&value),
        }
    }

    /// The label of a choice value.
    pub fn label(&self, value: i64) -> Option<&str> {
        match self {
            Self::Choice { options } => {
                options.iter().find(|o| o.value == value).map(|o| o.label.as_str())
            }
            Self::Integer { .. } => None,
        }
    }
}

fn yes() -> bool {
    true
}
fn one() -> i64 {
    1
}
fn is_true(value: &bool) -> bool {
    *value
}
fn is_false(value: &bool) -> bool {
    !*value
}
fn is_one(value: &i64) -> bool {
    *value == 1
}
fn is_zero(value: &usize) -> bool {
    *value == 0
}
