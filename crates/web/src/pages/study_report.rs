//! A study's evaluation report (evaluators), as the one self-contained HTML file
//! [`EvaluationReport`] makes — the same file `kindred report evaluation` writes. Refused
//! (409) until the plan is locked; each one made is audited as an export.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kindred_app::policy;
use kindred_domain::ids::StudyId;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{PagePath, SignedIn};
use crate::report::EvaluationReport;

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<StudyId>,
) -> Result<Response, PageError> {
    let lead = policy::study_lead(&signed_in.actor)?;
    let report = state.app.study_report(&lead, id).await?;
    let html = EvaluationReport::new(&report).html();
    let file = format!("inline; filename=\"evaluation-report-{id}.html\"");
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_owned()),
            (header::CONTENT_SECURITY_POLICY, crate::report::POLICY.to_owned()),
            (header::CONTENT_DISPOSITION, file),
        ],
        html,
    )
        .into_response())
}
