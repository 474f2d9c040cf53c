//! The instrument library: validated questionnaires (recovery capital, depression, anxiety,
//! alcohol and drug screening, readiness, use days, well-being, social support, self-efficacy,
//! stress and satisfaction) as versioned data, scored on the server.
//!
//! - [`definition`]: what an instrument is (items, scoring rules, bands, licence, citation);
//! - [`consistency`]: a definition must agree with itself;
//! - [`answers`]: validating one administration's answers, item by item;
//! - [`scoring`] and [`bands`]: scores, bands and flags (PHQ-9 item 9 raises an urgent flag);
//! - [`change`]: change since the previous administration;
//! - [`fhir`]: FHIR R4 SDC `Questionnaire` and `QuestionnaireResponse` import and export.
//!
//! Each definition file was checked against its published source; what could not be verified
//! is recorded in the file's `caveats` and shown with it.

pub mod answers;
pub mod bands;
pub mod change;
mod consistency;
pub mod definition;
pub mod fhir;
pub mod scoring;

use std::sync::OnceLock;

pub use answers::{Answers, AnswersInput};
pub use change::{Change, Trend, change_since};
pub use definition::{InstrumentDefinition, Licence, LicenceStatus, Sex};
pub use scoring::{Completeness, RaisedFlag, ScoreResult, ScoringContext, score};

/// The shipped definition files, embedded at build time.
const SOURCES: [(&str, &str); 12] = [
    ("barc-10", include_str!("../../instruments/barc-10.json")),
    ("phq-9", include_str!("../../instruments/phq-9.json")),
    ("gad-7", include_str!("../../instruments/gad-7.json")),
    ("audit-c", include_str!("../../instruments/audit-c.json")),
    ("dast-10", include_str!("../../instruments/dast-10.json")),
    ("readiness-ruler", include_str!("../../instruments/readiness-ruler.json")),
    ("use-days-30", include_str!("../../instruments/use-days-30.json")),
    ("who-5", include_str!("../../instruments/who-5.json")),
    ("mspss", include_str!("../../instruments/mspss.json")),
    ("gse", include_str!("../../instruments/gse.json")),
    ("stress-rating", include_str!("../../instruments/stress-rating.json")),
    ("service-satisfaction", include_str!("../../instruments/service-satisfaction.json")),
];

/// Every shipped definition, in the order above. A file that failed to parse or is
/// inconsistent is left out rather than panicking; the test `every_definition_file_parses_and_is_consistent`
/// proves none is.
pub fn library() -> &'static [InstrumentDefinition] {
    static LIBRARY: OnceLock<Vec<InstrumentDefinition>> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        SOURCES
            .iter()
            .filter_map(|(_, json)| serde_json::from_str::<InstrumentDefinition>(json).ok())
            .filter(|definition| definition.problems().is_empty())
            .collect()
    })
}

/// The shipped definition with this code.
pub fn find(code: &str) -> Option<&'static InstrumentDefinition> {
    library().iter().find(|definition| definition.code == code)
}

/// One instrument as listed at `GET /api/v1/instruments`.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentSummary {
    pub code: String,
    pub version: String,
    pub title: String,
    pub short_name: String,
    pub description: String,
    pub item_count: usize,
    /// Scale ids and titles, the total first.
    pub scales: Vec<ScaleSummary>,
    pub licence: Licence,
    pub citation: String,
    pub caveats: Vec<String>,
}

/// A scale as listed.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleSummary {
    pub id: String,
    pub title: String,
    pub min: f64,
    pub max: f64,
}

/// Every shipped instrument with its licence and citation.
pub fn summaries() -> Vec<InstrumentSummary> {
    library().iter().map(summary).collect()
}

/// One instrument as listed (shipped, or an organisation's own).
pub fn summary(d: &InstrumentDefinition) -> InstrumentSummary {
    InstrumentSummary {
        code: d.code.clone(),
        version: d.version.clone(),
        title: d.title.clone(),
        short_name: d.short_name.clone(),
        description: d.description.clone(),
        item_count: d.items.len(),
        scales: d
            .scoring
            .scales
            .iter()
            .map(|s| ScaleSummary {
                id: s.id.clone(),
                title: s.title.clone(),
                min: s.min,
                max: s.max,
            })
            .collect(),
        licence: d.licence.clone(),
        citation: d.citation.clone(),
        caveats: d.caveats.clone(),
    }
}

/// Validates `input` against `definition` and scores it: the one call a use case needs.
pub fn administer(
    definition: &InstrumentDefinition,
    input: &AnswersInput,
    context: ScoringContext,
) -> Result<(Answers, ScoreResult), crate::FieldErrors> {
    let answers = Answers::parse(definition, input)?;
    let result = score(definition, &answers, context);
    Ok((answers, result))
}

#[cfg(test)]
mod tests;
