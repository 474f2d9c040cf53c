//! A study's analysis-ready files from its results page (evaluators): each table de-identified
//! as CSV or Parquet, the data dictionary, and the identified export's form (the recipient
//! and purpose; refused with the reason unless every participant consented).

use axum::extract::{Query, State};
use axum::response::Response;
use kindred_app::AppError;
use kindred_app::export::IdentifiedExport;
use kindred_domain::fields::FieldErrors;
use kindred_domain::ids::StudyId;
use serde::Deserialize;

use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::study_files;

#[derive(Debug, Deserialize)]
pub struct FormatParams {
    format: Option<String>,
}

fn format_of(format: Option<&str>) -> Result<kindred_app::export::ExportFormat, PageError> {
    study_files::format_of(format)
        .map_err(|message| PageError(AppError::Invalid(FieldErrors::single("format", message))))
}

/// One table, de-identified.
pub async fn download(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath((id, table)): PagePath<(StudyId, String)>,
    Query(params): Query<FormatParams>,
) -> Result<Response, PageError> {
    let table = study_files::table_of(&table)?;
    let format = format_of(params.format.as_deref())?;
    Ok(study_files::export(&state, &signed_in.actor, id, table, format, None).await?)
}

/// The data dictionary, as CSV or JSON.
pub async fn dictionary(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<StudyId>,
    Query(params): Query<FormatParams>,
) -> Result<Response, PageError> {
    let csv = params.format.as_deref() == Some("csv");
    Ok(study_files::dictionary(&state, &signed_in.actor, id, csv).await?)
}

#[derive(Debug, Deserialize)]
pub struct IdentifiedForm {
    table: String,
    format: Option<String>,
    recipient: String,
    purpose: String,
}

/// One table, identified, for the recipient the form names.
pub async fn identified(
    State(state): State<AppState>,
    PagePath(id): PagePath<StudyId>,
    CsrfForm { signed_in, form }: CsrfForm<IdentifiedForm>,
) -> Result<Response, PageError> {
    let table = study_files::table_of(&form.table)?;
    let format = format_of(form.format.as_deref())?;
    let terms = IdentifiedExport { recipient: form.recipient, purpose: form.purpose };
    Ok(study_files::export(&state, &signed_in.actor, id, table, format, Some(&terms)).await?)
}
