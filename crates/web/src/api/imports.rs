//! `POST /api/v1/imports`: the spreadsheet import for programs' own scripts, with the same
//! report as the command line and the upload page. It has the upload page's size limit, not
//! the 1 MiB of every other body (see `upload_router`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_app::import::{ColumnMapping, CsvSource, ImportKind, ImportReport, ImportRequest};
use kindred_app::{AppError, policy};
use kindred_domain::FieldErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson};

/// A spreadsheet to import.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CsvImportRequest {
    /// `participants`, `contacts`, `outcome_events` or `assessments`.
    pub kind: String,
    /// The spreadsheet as CSV text, its first row the headings.
    pub csv: String,
    /// A column mapping: each heading of the spreadsheet to the field it fills, `null` to leave
    /// the column out (`{"Client ID": "reference", "Notes": null}`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub mapping: Option<serde_json::Value>,
    /// Check every row and report; write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// One problem: the spreadsheet's row (the header is row 1; absent for the file as a whole),
/// its column, the value and why.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemBody {
    pub row: Option<u64>,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
}

/// What an import did or would do.
#[derive(Debug, Serialize, ToSchema)]
pub struct CsvImportReportBody {
    pub kind: String,
    pub dry_run: bool,
    /// Whether the record changed.
    pub applied: bool,
    /// The report's first line, as the command line and the page show it.
    pub summary: String,
    pub rows: u64,
    pub added: u64,
    pub unchanged: u64,
    /// Every problem found; when any, nothing was written.
    pub problem_count: u64,
    /// The first 1 000 problems, in file order.
    pub problems: Vec<ProblemBody>,
}

impl From<&ImportReport> for CsvImportReportBody {
    fn from(r: &ImportReport) -> Self {
        let problems = r
            .problems
            .iter()
            .map(|p| ProblemBody {
                row: p.row,
                column: p.column.clone(),
                value: p.value.clone(),
                reason: p.reason.clone(),
            })
            .collect();
        Self {
            kind: r.kind.code().into(),
            dry_run: r.dry_run,
            applied: r.applied(),
            summary: r.summary(),
            rows: r.rows,
            added: r.added,
            unchanged: r.unchanged,
            problem_count: r.problem_count,
            problems,
        }
    }
}

/// Import participants, contacts, outcome events or completed assessments from CSV (managers). All or nothing: any problem writes
/// nothing and answers 422 with every problem by row, column and value; importing the same
/// file again adds nothing.
#[utoipa::path(
    post, path = "/api/v1/imports", tag = "imports", request_body = CsvImportRequest,
    responses(
        (status = 200, body = CsvImportReportBody), (status = 403, body = ErrorBody),
        (status = 413, description = "Larger than an upload may be", body = ErrorBody),
        (status = 422, description = "Problems; nothing imported", body = CsvImportReportBody),
    )
)]
pub async fn import_csv(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiJson(request): ApiJson<CsvImportRequest>,
) -> Result<Response, ApiError> {
    let importer = policy::importer(&actor)?;
    let kind = ImportKind::parse(&request.kind)
        .ok_or_else(|| field("kind", format!("must be {}", ImportKind::codes())))?;
    let mapping = match &request.mapping {
        Some(mapping) => {
            Some(ColumnMapping::parse(&mapping.to_string()).map_err(|m| field("mapping", m))?)
        }
        None => None,
    };
    let source = CsvSource::Bytes(request.csv.into_bytes().into());
    let request = ImportRequest { kind, source, mapping, dry_run: request.dry_run };
    let report = state.app.import_csv(&importer, &request, &|_| {}).await?;
    let status =
        if report.problem_count > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, Json(CsvImportReportBody::from(&report))).into_response())
}

fn field(name: &str, message: String) -> ApiError {
    AppError::from(FieldErrors::single(name, message)).into()
}
