//! The spreadsheet upload for managers: choose what the rows are, the file and (for someone
//! else's headings) a saved column mapping; the page checks the file and shows the dry run's
//! report, and only a second post, confirmed from that report, writes anything. The file
//! rides along in the confirmation form, so nothing is kept on the server in between.

use std::sync::Arc;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_app::AppError;
use kindred_app::import::{
    ColumnMapping, CsvSource, ImportKind, ImportReport, ImportRequest, UPLOAD_LIMIT_BYTES,
};
use kindred_app::policy;

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{SignedIn, csrf_refusal};
use crate::security::tokens_match;

#[derive(Template, WebTemplate)]
#[template(path = "import.html")]
struct ImportPage {
    chrome: Option<Chrome>,
    kinds: Vec<KindChoice>,
    limit_mb: usize,
    /// After a check or an import.
    report: Option<ImportReport>,
    /// What the confirmation re-posts, when the check found nothing wrong.
    confirm: Option<Confirm>,
}

struct KindChoice {
    code: &'static str,
    label: &'static str,
    fields: String,
    selected: bool,
}

struct Confirm {
    kind: &'static str,
    csv: String,
    mapping: String,
}

/// The form as posted.
#[derive(Default)]
struct Upload {
    csrf: String,
    kind: String,
    csv: Vec<u8>,
    mapping: Vec<u8>,
    commit: bool,
}

pub async fn form(State(_): State<AppState>, signed_in: SignedIn) -> Result<Response, PageError> {
    policy::importer(&signed_in.actor)?;
    Ok(page(&signed_in, None, None, ImportKind::Participants).into_response())
}

pub async fn upload(
    State(state): State<AppState>,
    signed_in: SignedIn,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let importer = policy::importer(&signed_in.actor)?;
    let upload = read(multipart).await?;
    if !tokens_match(&signed_in.csrf_token, &upload.csrf) {
        return Ok(csrf_refusal());
    }
    let kind = ImportKind::parse(&upload.kind).ok_or_else(|| {
        AppError::from(kindred_domain::FieldErrors::single("kind", "choose what the rows are"))
    })?;
    if upload.csv.is_empty() {
        let missing =
            kindred_domain::FieldErrors::single("file", "choose the spreadsheet to import");
        return Err(AppError::from(missing).into());
    }
    let mapping_text = String::from_utf8_lossy(&upload.mapping).trim().to_owned();
    let mapping = match mapping_text.as_str() {
        "" => None,
        text => Some(
            ColumnMapping::parse(text)
                .map_err(|m| AppError::from(kindred_domain::FieldErrors::single("mapping", m)))?,
        ),
    };
    let csv_text = String::from_utf8_lossy(&upload.csv).into_owned();
    let request = ImportRequest {
        kind,
        source: CsvSource::Bytes(Arc::from(upload.csv)),
        mapping,
        dry_run: !upload.commit,
    };
    let report = state.app.import_csv(&importer, &request, &|_| {}).await?;
    let confirm = (report.dry_run && report.problem_count == 0 && report.added > 0)
        .then(|| Confirm { kind: kind.code(), csv: csv_text, mapping: mapping_text });
    let status =
        if report.problem_count > 0 { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    Ok((status, page(&signed_in, Some(report), confirm, kind)).into_response())
}

fn page(
    signed_in: &SignedIn,
    report: Option<ImportReport>,
    confirm: Option<Confirm>,
    chosen: ImportKind,
) -> ImportPage {
    let kinds =
        ImportKind::ALL
            .into_iter()
            .map(|kind| KindChoice {
                code: kind.code(),
                label: kind.label(),
                fields: kind
                    .fields()
                    .iter()
                    .map(|f| {
                        if f.required {
                            format!("{} (required)", f.name)
                        } else {
                            f.name.to_owned()
                        }
                    })
                    .chain(kind.has_item_columns().then(|| {
                        "and one column per item of the instrument, named by its item id \
                         (phq9_1…)"
                            .to_owned()
                    }))
                    .collect::<Vec<_>>()
                    .join(", "),
                selected: kind == chosen,
            })
            .collect();
    ImportPage {
        chrome: Chrome::new(signed_in, "/imports/new"),
        kinds,
        limit_mb: UPLOAD_LIMIT_BYTES / (1024 * 1024),
        report,
        confirm,
    }
}

/// Reads the form's parts: `file` or (from the confirmation) `csv`, `mapping` or
/// `mapping_json`, and the small fields. An over-long body is the import's 413.
async fn read(mut multipart: Multipart) -> Result<Upload, AppError> {
    let mut upload = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(upload),
            Err(e) => return Err(unreadable(e.status())),
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| unreadable(e.status()))?;
        match name.as_str() {
            "_csrf" => upload.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "kind" => upload.kind = String::from_utf8_lossy(&bytes).into_owned(),
            "commit" => upload.commit = bytes.as_ref() == b"1",
            "file" | "csv" if !bytes.is_empty() => upload.csv = bytes.to_vec(),
            "mapping" | "mapping_json" if !bytes.is_empty() => upload.mapping = bytes.to_vec(),
            _ => {}
        }
    }
}

fn unreadable(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        crate::upload_limit::too_large()
    } else {
        AppError::Forbidden(
            "the upload could not be read; choose the file and send it again".into(),
        )
    }
}
