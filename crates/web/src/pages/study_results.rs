//! A study's results page (evaluators): pooled follow-up until the plan is locked, then each
//! outcome's sample per arm and its effects with their CIs — or, in words, why an effect
//! could not be estimated — with the study's flow drawn above them (pooled until the lock).
//! The JSON of the same analysis is at `/api/v1/studies/{id}/analysis`, of the flow at
//! `/api/v1/studies/{id}/flow`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kindred_app::policy;
use kindred_app::studies::{AnalysedStudy, Finding, StudyResults};
use kindred_domain::ids::StudyId;

use super::Chrome;
use crate::AppState;
use crate::charts::flow::FlowChart;
use crate::error::PageError;
use crate::extract::{PagePath, SignedIn};

#[derive(Template, WebTemplate)]
#[template(path = "study_results.html")]
struct ResultsPage {
    chrome: Option<Chrome>,
    id: String,
    title: String,
    cut_off: String,
    /// Until the plan is locked: enrolled, and per outcome (name, observed, missing).
    pooled: Option<(usize, Vec<PooledLine>)>,
    outcomes: Vec<OutcomeLines>,
    plan_hash: Option<String>,
    /// The flow diagram and its tables, as HTML.
    flow: String,
    /// Once locked: the plain-language findings, primary first, with their figures.
    findings: Vec<String>,
    /// Once locked: what the record says limits the findings.
    limitations: Vec<String>,
    /// Once locked: the arms' names and the baseline table's rows.
    baseline: Option<(Vec<String>, Vec<BaselineLine>)>,
}

/// One characteristic at baseline: each arm's summary, then each compared arm's
/// standardised difference.
struct BaselineLine {
    characteristic: String,
    arms: Vec<String>,
    differences: Vec<String>,
}

/// An outcome's name, how many have it and how many miss it.
type PooledLine = (String, usize, usize);

struct OutcomeLines {
    heading: String,
    sample: String,
    effects: Vec<EffectLine>,
}

struct EffectLine {
    what: String,
    /// "1.50 (1.05 to 2.14)", or the reason it is not estimated.
    value: String,
    p_value: String,
    method: String,
}

/// Two decimals for effects near 1, more for small ones, so a risk difference of 0.004 does
/// not read as 0.00.
fn number(value: f64) -> String {
    if value != 0.0 && value.abs() < 0.1 { format!("{value:.3}") } else { format!("{value:.2}") }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<StudyId>,
) -> Result<Response, PageError> {
    let lead = policy::study_lead(&signed_in.actor)?;
    let view = state.app.study(&signed_in.actor, id).await?;
    let results = state.app.study_results(&lead, id).await?;
    let mut page = ResultsPage {
        chrome: Chrome::new(&signed_in, "/studies"),
        id: id.to_string(),
        title: view.definition.title.clone(),
        cut_off: String::new(),
        pooled: None,
        outcomes: Vec::new(),
        plan_hash: None,
        flow: String::new(),
        findings: Vec::new(),
        limitations: Vec::new(),
        baseline: None,
    };
    match results {
        StudyResults::Pooled(pooled) => {
            page.cut_off = pooled.data_cut_off.to_string();
            page.flow = FlowChart::new("study-flow", &pooled.flow).html();
            let rows =
                pooled.outcomes.into_iter().map(|o| (o.name, o.observed, o.missing)).collect();
            page.pooled = Some((pooled.enrolled, rows));
        }
        StudyResults::Analysed(analysed) => {
            page.cut_off = analysed.data_cut_off.to_string();
            page.plan_hash = Some(analysed.plan_hash.clone());
            page.flow = FlowChart::new("study-flow", &analysed.flow).html();
            let summary = analysed.summary();
            let level = percent_of(analysed.analysis.confidence_level);
            page.findings = summary.findings.iter().map(|f| finding_line(f, &level)).collect();
            page.limitations = summary.limitations;
            page.baseline = baseline_lines(&analysed);
            page.outcomes = analysed
                .headlines()
                .into_iter()
                .map(|h| OutcomeLines {
                    heading: format!(
                        "{} ({})",
                        h.outcome,
                        match h.role {
                            kindred_app::studies::OutcomeRole::Primary => "primary",
                            kindred_app::studies::OutcomeRole::Secondary => "secondary",
                        }
                    ),
                    sample: h
                        .sample
                        .iter()
                        .map(|s| {
                            format!("{}: {} analysed, {} missing", s.name, s.analysed, s.missing)
                        })
                        .collect::<Vec<_>>()
                        .join("; "),
                    effects: h
                        .effects
                        .into_iter()
                        .map(|e| match e.effect {
                            Ok(effect) => EffectLine {
                                what: format!("{}, {}", effect.measure.label(), effect.term),
                                value: format!(
                                    "{} ({} to {})",
                                    number(effect.estimate),
                                    number(effect.ci.lower),
                                    number(effect.ci.upper)
                                ),
                                p_value: effect.p_value.map_or("–".into(), |p| {
                                    if p < 0.001 { "< 0.001".into() } else { format!("{p:.3}") }
                                }),
                                method: e.method,
                            },
                            Err(reason) => EffectLine {
                                what: "Not estimated".into(),
                                value: reason,
                                p_value: "–".into(),
                                method: e.method,
                            },
                        })
                        .collect(),
                })
                .collect();
        }
    }
    Ok(page.into_response())
}

/// "95%" from 0.95.
fn percent_of(level: f64) -> String {
    format!("{}%", (level * 100.0).round())
}

/// A finding as one sentence with its figures.
fn finding_line(finding: &Finding, level: &str) -> String {
    let mut sentence = capitalised(&finding.sentence);
    if let Some(e) = &finding.effect {
        let e = &e.effect;
        sentence.push_str(&format!(
            " ({} {}, {level} CI {} to {})",
            e.measure.label(),
            number(e.estimate),
            number(e.ci.lower),
            number(e.ci.upper)
        ));
    }
    if !sentence.ends_with('.') {
        sentence.push('.');
    }
    sentence
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
}

/// The baseline table as text: a mean (SD) or a percentage per arm, with the number recorded.
fn baseline_lines(analysed: &AnalysedStudy) -> Option<(Vec<String>, Vec<BaselineLine>)> {
    let analysis = &analysed.analysis;
    if analysis.baseline.rows.is_empty() {
        return None;
    }
    let arms = analysis.arms.iter().map(|a| a.name.clone()).collect();
    let rows = analysis
        .baseline
        .rows
        .iter()
        .map(|row| BaselineLine {
            characteristic: row.characteristic.clone(),
            arms: row
                .arms
                .iter()
                .map(|cell| match (cell.mean, row.proportion) {
                    (None, _) => format!("none recorded ({} missing)", cell.missing),
                    (Some(mean), true) => format!("{:.1}% of {}", 100.0 * mean, cell.n),
                    (Some(mean), false) => match cell.sd {
                        Some(sd) => format!("{} (SD {}), n = {}", number(mean), number(sd), cell.n),
                        None => format!("{}, n = {}", number(mean), cell.n),
                    },
                })
                .collect(),
            differences: row
                .differences
                .iter()
                .map(|d| d.smd.map_or_else(|| "–".to_owned(), |smd| format!("{smd:.2}")))
                .collect(),
        })
        .collect();
    Some((arms, rows))
}
