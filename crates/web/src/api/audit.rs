//! The audit log and the shared taxonomy over the API.

use axum::Json;
use axum::extract::State;
use kindred_app::audit::AuditQuery;
use kindred_app::policy;
use kindred_domain::audit::AuditAction;
use kindred_domain::vocabulary::{self, Listing};
use serde::Deserialize;
use utoipa::IntoParams;

use super::schema::AuditEventBody;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiQuery};

#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditParams {
    record_type: Option<String>,
    record_id: Option<String>,
    action: Option<AuditAction>,
    /// Events before this sequence number (the next page's cursor).
    before: Option<i64>,
    /// At most 500; default 100.
    limit: Option<i64>,
}

/// The organisation's audit events, newest first (organisation admins only).
#[utoipa::path(
    get, path = "/api/v1/audit-events", tag = "audit", params(AuditParams),
    responses((status = 200, body = Vec<AuditEventBody>), (status = 403, body = ErrorBody))
)]
pub async fn events(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<AuditParams>,
) -> Result<Json<Vec<AuditEventBody>>, ApiError> {
    let query = AuditQuery {
        record_type: params.record_type,
        record_id: params.record_id,
        actor_id: None,
        action: params.action,
        before_seq: params.before,
        limit: params.limit.unwrap_or(100),
    };
    let events = state.app.audit_log(&policy::audit_reader(&actor)?, &query).await?;
    Ok(Json(events.iter().map(AuditEventBody::from).collect()))
}

/// Every coded term Kindred uses, with its label and plain-language description. Public:
/// it holds no one's data.
#[utoipa::path(
    get, path = "/api/v1/taxonomy", tag = "taxonomy", security(()),
    responses((status = 200, body = Vec<Listing>))
)]
pub async fn taxonomy() -> Json<Vec<Listing>> {
    Json(vocabulary::taxonomy())
}
