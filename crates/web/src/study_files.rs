//! A study export's files as HTTP responses, for the API and the results page alike: the
//! table is written to an unnamed temporary file and streamed from it, so a million contacts
//! never sit in the server's memory; the dictionary is small and sent whole.

use std::io::{BufWriter, Seek, SeekFrom};

use axum::Json;
use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kindred_app::export::{
    ExportFormat, ExportRequest, IdentifiedExport, StudyTable, dictionary_csv,
};
use kindred_app::{Actor, AppError, policy};
use kindred_domain::ids::StudyId;

use crate::AppState;
use crate::api::dictionary_bodies;

/// The table a route names; 404 for any other.
pub fn table_of(code: &str) -> Result<StudyTable, AppError> {
    StudyTable::parse(code).ok_or(AppError::NotFound)
}

/// The file format asked for (CSV when none is), or why it is not one.
pub fn format_of(format: Option<&str>) -> Result<ExportFormat, String> {
    match format {
        None | Some("") => Ok(ExportFormat::Csv),
        Some(text) => ExportFormat::parse(text)
            .ok_or_else(|| format!("format {text:?} is not one of: csv, parquet")),
    }
}

/// One table of the study's export as a download.
pub async fn export(
    state: &AppState,
    actor: &Actor,
    id: StudyId,
    table: StudyTable,
    format: ExportFormat,
    identified: Option<&IdentifiedExport>,
) -> Result<Response, AppError> {
    let lead = policy::study_lead(actor)?;
    let internal = |e: std::io::Error| AppError::Internal(Box::new(e));
    let mut file = tempfile::tempfile().map_err(internal)?;
    let out = BufWriter::new(file.try_clone().map_err(internal)?);
    let request =
        ExportRequest { identified: identified.cloned(), ..ExportRequest::new(table, format) };
    state.app.study_export(&lead, id, &request, Box::new(out)).await?;
    file.seek(SeekFrom::Start(0)).map_err(internal)?;
    let stream = tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file));
    let name = format!(
        "attachment; filename=\"study-{id}-{}{}.{}\"",
        table.code(),
        if identified.is_some() { "-identified" } else { "" },
        format.extension()
    );
    Ok((
        [
            (header::CONTENT_TYPE, format.media_type().to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// The data dictionary of the study's de-identified export, as JSON or CSV.
pub async fn dictionary(
    state: &AppState,
    actor: &Actor,
    id: StudyId,
    csv: bool,
) -> Result<Response, AppError> {
    let lead = policy::study_lead(actor)?;
    let tables = state.app.study_export_dictionary(&lead, id, None).await?;
    Ok(if csv {
        let name = format!("attachment; filename=\"study-{id}-dictionary.csv\"");
        (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                (header::CONTENT_DISPOSITION, name),
            ],
            dictionary_csv(&tables),
        )
            .into_response()
    } else {
        Json(dictionary_bodies(&tables)).into_response()
    })
}
