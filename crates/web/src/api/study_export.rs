//! A study's analysis-ready export over the API (evaluators): each table as CSV or Parquet,
//! de-identified with `GET`; identified with `POST`, naming the recipient and the purpose
//! (refused unless every participant consented); and the data dictionary (see
//! [`study_files`] for how the files are sent).

use axum::extract::State;
use axum::response::Response;
use kindred_app::export::{ExportFormat, IdentifiedExport, StudyTable, TableDictionary};
use kindred_domain::ids::StudyId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};
use crate::{AppState, study_files};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct FormatParams {
    /// `csv` (the default) or `parquet`; for the dictionary, `csv` or `json`.
    format: Option<String>,
}

/// An identified export's terms.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentifiedExportBody {
    /// `csv` (the default) or `parquet`.
    pub format: Option<String>,
    /// As the participants' consents name them.
    pub recipient: String,
    /// Why the recipient needs identified data (recorded with the export).
    pub purpose: String,
}

fn table_of(code: &str) -> Result<StudyTable, ApiError> {
    study_files::table_of(code).map_err(ApiError::from)
}

fn format_of(format: Option<&str>) -> Result<ExportFormat, ApiError> {
    study_files::format_of(format).map_err(ApiError::bad_request)
}

/// One table of the study's export, de-identified (evaluators; audited as an export): no
/// names, dates of birth, contact details or free text; pseudonyms and per-participant date
/// shifts. `table` is `participants`, `person_periods`, `contacts` or `aggregates`. 409
/// before the plan is locked.
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/export/{table}", tag = "studies",
    params(
        ("id" = StudyId, Path, description = "Study id"),
        ("table" = String, Path, description = "participants, person_periods, contacts or aggregates"),
        FormatParams,
    ),
    responses(
        (status = 200, description = "The table", content(
            (String = "text/csv"), (Vec<u8> = "application/vnd.apache.parquet"),
        )),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn deidentified(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, table)): ApiPath<(StudyId, String)>,
    ApiQuery(params): ApiQuery<FormatParams>,
) -> Result<Response, ApiError> {
    let table = table_of(&table)?;
    let format = format_of(params.format.as_deref())?;
    Ok(study_files::export(&state, &actor, id, table, format, None).await?)
}

/// One table of the study's export, identified (evaluators; audited as an export with its
/// recipient and purpose): the record id, reference, names, date of birth and real dates.
/// Refused (403, with the reason) unless every participant holds a current consent naming the
/// recipient for program evaluation that covers contact details, participation and
/// assessment results.
#[utoipa::path(
    post, path = "/api/v1/studies/{id}/export/{table}", tag = "studies",
    params(
        ("id" = StudyId, Path, description = "Study id"),
        ("table" = String, Path, description = "participants, person_periods, contacts or aggregates"),
    ),
    request_body = IdentifiedExportBody,
    responses(
        (status = 200, description = "The table", content(
            (String = "text/csv"), (Vec<u8> = "application/vnd.apache.parquet"),
        )),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn identified(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, table)): ApiPath<(StudyId, String)>,
    ApiJson(body): ApiJson<IdentifiedExportBody>,
) -> Result<Response, ApiError> {
    let table = table_of(&table)?;
    let format = format_of(body.format.as_deref())?;
    let terms = IdentifiedExport { recipient: body.recipient, purpose: body.purpose };
    Ok(study_files::export(&state, &actor, id, table, format, Some(&terms)).await?)
}

/// The data dictionary of the study's de-identified export (evaluators): every table's
/// columns with label, type, allowed values and their labels, unit and derivation; as JSON
/// (the default) or CSV. 409 before the plan is locked.
#[utoipa::path(
    get, path = "/api/v1/studies/{id}/export-dictionary", tag = "studies",
    params(("id" = StudyId, Path, description = "Study id"), FormatParams),
    responses(
        (status = 200, description = "The dictionary", content(
            (Vec<DictionaryTableBody> = "application/json"), (String = "text/csv"),
        )),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
    )
)]
pub async fn dictionary(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<StudyId>,
    ApiQuery(params): ApiQuery<FormatParams>,
) -> Result<Response, ApiError> {
    let csv = match params.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "format {other:?} is not one of: json, csv"
            )));
        }
    };
    Ok(study_files::dictionary(&state, &actor, id, csv).await?)
}

pub fn dictionary_bodies(tables: &[TableDictionary]) -> Vec<DictionaryTableBody> {
    tables.iter().map(DictionaryTableBody::from).collect()
}

/// The dictionary as the API serves it: for the JSON response, and a file beside the
/// exported tables.
pub fn dictionary_json(tables: &[TableDictionary]) -> String {
    serde_json::to_string_pretty(&dictionary_bodies(tables)).unwrap_or_default()
}

/// One table of the export's dictionary.
#[derive(Debug, Serialize, ToSchema)]
pub struct DictionaryTableBody {
    /// The table's code (its file's base name).
    pub table: String,
    pub title: String,
    pub columns: Vec<DictionaryColumnBody>,
}

/// One column of the dictionary.
#[derive(Debug, Serialize, ToSchema)]
pub struct DictionaryColumnBody {
    pub name: String,
    pub label: String,
    /// `integer`, `number`, `text`, `code`, `date` or `boolean` (1 yes, 0 no).
    #[serde(rename = "type")]
    pub kind: String,
    /// For a coded or boolean column: every value with its label.
    pub allowed: Vec<AllowedValueBody>,
    pub unit: Option<String>,
    /// How the value is derived from the record.
    pub derivation: String,
    /// Whether it identifies a person (only an identified export has such columns).
    pub identifier: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AllowedValueBody {
    pub code: String,
    pub label: String,
}

impl From<&TableDictionary> for DictionaryTableBody {
    fn from(table: &TableDictionary) -> Self {
        Self {
            table: table.table.to_owned(),
            title: table.title.to_owned(),
            columns: table
                .columns
                .iter()
                .map(|c| DictionaryColumnBody {
                    name: c.name.clone(),
                    label: c.label.clone(),
                    kind: c.kind.code().to_owned(),
                    allowed: c
                        .allowed
                        .iter()
                        .map(|v| AllowedValueBody { code: v.code.clone(), label: v.label.clone() })
                        .collect(),
                    unit: c.unit.map(str::to_owned),
                    derivation: c.derivation.clone(),
                    identifier: c.identifier,
                })
                .collect(),
        }
    }
}
