//! The audit log for organisation admins: newest first, filterable, a page at a time.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kindred_app::audit::AuditQuery;
use kindred_app::policy;
use kindred_domain::audit::AuditAction;
use serde::Deserialize;
use time::macros::format_description;

use super::Chrome;
use crate::AppState;
use crate::error::PageError;
use crate::extract::SignedIn;
use crate::forms::{Choice, Field};

const PAGE_SIZE: i64 = 100;

#[derive(Debug, Deserialize, Default)]
pub struct AuditParams {
    record: Option<String>,
    action: Option<String>,
    before: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    chrome: Option<Chrome>,
    record: String,
    action: Field,
    rows: Vec<AuditRow>,
    older: Option<String>,
}

struct AuditRow {
    seq: i64,
    at: String,
    actor: String,
    action: &'static str,
    record: String,
    detail: String,
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<AuditParams>,
) -> Result<Response, PageError> {
    let action = params.action.as_deref().and_then(AuditAction::from_code);
    let record = params.record.clone().unwrap_or_default().trim().to_owned();
    let query = AuditQuery {
        record_id: (!record.is_empty()).then(|| record.clone()),
        action,
        before_seq: params.before,
        limit: PAGE_SIZE,
        ..AuditQuery::default()
    };
    let events = state.app.audit_log(&policy::audit_reader(&signed_in.actor)?, &query).await?;
    let when = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
    let older = (events.len() as i64 == PAGE_SIZE).then(|| {
        let last = events.last().map(|e| e.seq).unwrap_or_default();
        let query = [
            ("record", record.clone()),
            ("action", params.action.clone().unwrap_or_default()),
            ("before", last.to_string()),
        ];
        format!("/audit?{}", serde_html_form::to_string(query).unwrap_or_default())
    });
    let rows = events
        .into_iter()
        .map(|e| AuditRow {
            seq: e.seq,
            at: e.at.format(&when).unwrap_or_default(),
            actor: if e.entry.actor_label.is_empty() {
                "unknown".into()
            } else {
                e.entry.actor_label
            },
            action: e.entry.action.code(),
            record: match e.entry.record_id {
                Some(id) => format!("{} {id}", e.entry.record_type),
                None => e.entry.record_type,
            },
            detail: e.entry.detail,
        })
        .collect();
    let mut action_field = Field::new("select", "action", "Action");
    action_field.choices = std::iter::once(Choice {
        value: String::new(),
        label: "Any action".into(),
        hint: String::new(),
        selected: action.is_none(),
    })
    .chain(AuditAction::ALL.iter().map(|a| Choice {
        value: a.code().into(),
        label: a.code().replace('_', " "),
        hint: String::new(),
        selected: Some(*a) == action,
    }))
    .collect();
    Ok(AuditPage {
        chrome: Chrome::new(&signed_in, "/audit"),
        record,
        action: action_field,
        rows,
        older,
    }
    .into_response())
}
