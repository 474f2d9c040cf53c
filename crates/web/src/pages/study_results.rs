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
use kindred_app::studies::StudyResults;
use kindred_domain::ids::StudyId;

use super::Chrome;
use crate::AppState;
use crate::charts::flow::FlowChart;
use crate::error::PageError;
use crate::extract::{PagePath, SignedIn};
use crate::figure::{confidence_level, number};
use crate::report::{Baseline, baseline, finding};
use kindred_app::export::{SMALLEST_SHOWN, StudyTable};

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
    /// Once locked: the arms at baseline, as the report shows them.
    baseline: Option<Baseline>,
    /// Once locked: the export's tables (code, title).
    export_tables: Vec<(&'static str, &'static str)>,
    /// How small a count the aggregate table still shows.
    smallest_shown: u64,
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
        export_tables: Vec::new(),
        smallest_shown: SMALLEST_SHOWN,
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
            page.export_tables = StudyTable::ALL.iter().map(|t| (t.code(), t.title())).collect();
            page.flow = FlowChart::new("study-flow", &analysed.flow).html();
            let summary = analysed.summary();
            let level = confidence_level(analysed.analysis.confidence_level);
            page.findings = summary.findings.iter().map(|f| finding(f, &level)).collect();
            page.limitations = summary.limitations;
            page.baseline = baseline(&analysed.analysis);
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
