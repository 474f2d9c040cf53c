//! `/research`: the evaluator's research view, one row per participant in their research
//! scope — reference, program, enrolment, baseline, dose, events, scores and follow-up. No
//! names, dates of birth, contact details or free text reach this page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use kindred_domain::vocabulary::Vocabulary;

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::SignedIn;

#[derive(Template, WebTemplate)]
#[template(path = "research.html")]
struct ResearchPage {
    chrome: Option<Chrome>,
    rows: Vec<Row>,
}

struct Row {
    reference: String,
    program: String,
    enrolled: String,
    baseline: String,
    dose: String,
    components: String,
    events: String,
    scores: String,
    follow_up: String,
    studies: String,
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() { "–".to_owned() } else { items.join("; ") }
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
) -> Result<Response, PageError> {
    let records = state.app.research_records(&signed_in.actor).await?;
    let rows = records
        .iter()
        .map(|p| Row {
            reference: p.reference.clone(),
            program: p.program.clone().unwrap_or_else(|| "–".into()),
            enrolled: format!("{} · {}", p.enrolled_on, p.status.label()),
            baseline: list(p.baseline.iter().map(|(f, v)| format!("{f}: {v}")).collect()),
            dose: format!(
                "{} contacts, {} min ({})",
                p.dose.contacts,
                p.dose.minutes,
                list(
                    p.dose
                        .by_support_kind
                        .iter()
                        .map(|(k, n, _)| format!("{} {n}", k.label()))
                        .collect()
                )
            ),
            components: list(
                p.dose.by_component.iter().map(|(c, n, m)| format!("{c}: {n} ({m} min)")).collect(),
            ),
            events: list(
                p.events
                    .iter()
                    .map(|e| match e.hospitalisation_kind {
                        Some(h) => format!("{} {} ({})", e.occurred_on, e.kind.label(), h.label()),
                        None => format!("{} {}", e.occurred_on, e.kind.label()),
                    })
                    .collect(),
            ),
            scores: list(
                p.assessments
                    .iter()
                    .map(|a| {
                        let score = a.score.map_or("not scored".into(), |s| format!("{s}"));
                        let band = a.band.as_deref().map(|b| format!(", {b}")).unwrap_or_default();
                        let point = a.time_point.as_deref().unwrap_or("unscheduled");
                        format!("{} {} {point}: {score}{band}", a.administered_on, a.instrument)
                    })
                    .collect(),
            ),
            follow_up: list(
                p.follow_up.iter().map(|(_, label, status)| format!("{label}: {status}")).collect(),
            ),
            studies: list(
                p.studies
                    .iter()
                    .map(|s| match &s.arm {
                        Some((_, arm)) => format!("{}: {arm}", s.study_title),
                        None => format!("{}: arm shown once the plan is locked", s.study_title),
                    })
                    .collect(),
            ),
        })
        .collect();
    Ok(ResearchPage { chrome: Chrome::new(&signed_in, "/research"), rows }.into_response())
}
