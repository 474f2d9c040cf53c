//! Referrals over the API: making them (with consent-checked sharing), their closed loop, and
//! the open ones to follow up.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::referrals::{Referral, ReferralFollowUp};
use kindred_domain::ids::{ConsentId, ParticipantId, ReferralId, ResourceId, UserId};
use kindred_domain::referral::{ReferralInput, ReferralStatusInput, next_statuses};
use kindred_domain::vocabulary::{DisclosureItem, ReferralStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::timestamp;
use crate::AppState;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson, ApiPath, ApiQuery};

/// One step of a referral's loop.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralEventBody {
    pub status: ReferralStatus,
    pub changed_by: UserId,
    pub changed_by_name: String,
    /// RFC 3339.
    pub changed_at: String,
    pub note: Option<String>,
}

/// A referral, where its loop stands and what was shared under which consent.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferralBody {
    pub id: ReferralId,
    pub participant_id: ParticipantId,
    pub resource_id: ResourceId,
    pub organisation_name: String,
    pub service_name: String,
    pub made_by: UserId,
    pub made_by_name: String,
    /// ISO 8601 date.
    pub made_on: String,
    pub status: ReferralStatus,
    /// Where the loop may go next (empty when it is closed).
    pub next_statuses: Vec<ReferralStatus>,
    /// Whether any of the participant's details were shared with the service.
    pub shared: bool,
    /// The consent relied on for sharing.
    pub consent_id: Option<ConsentId>,
    pub shared_items: Vec<DisclosureItem>,
    pub note: Option<String>,
    pub updated_at: String,
    /// The loop so far, oldest first. Empty in follow-up listings.
    pub events: Vec<ReferralEventBody>,
}

impl From<&Referral> for ReferralBody {
    fn from(r: &Referral) -> Self {
        Self {
            id: r.id,
            participant_id: r.participant_id,
            resource_id: r.resource_id,
            organisation_name: r.organisation_name.clone(),
            service_name: r.service_name.clone(),
            made_by: r.made_by,
            made_by_name: r.made_by_name.clone(),
            made_on: r.made_on.to_string(),
            status: r.status,
            next_statuses: next_statuses(r.status).to_vec(),
            shared: r.sharing.is_some(),
            consent_id: r.sharing.as_ref().map(|s| s.consent_id),
            shared_items: r.sharing.as_ref().map(|s| s.items.clone()).unwrap_or_default(),
            note: r.note.clone(),
            updated_at: timestamp(r.updated_at),
            events: r
                .events
                .iter()
                .map(|e| ReferralEventBody {
                    status: e.status,
                    changed_by: e.changed_by,
                    changed_by_name: e.changed_by_name.clone(),
                    changed_at: timestamp(e.changed_at),
                    note: e.note.clone(),
                })
                .collect(),
        }
    }
}

/// An open referral and whose it is.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpBody {
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_name: Option<String>,
    pub referral: ReferralBody,
}

/// A participant's referrals, newest first.
#[utoipa::path(
    get, path = "/api/v1/participants/{id}/referrals", tag = "referrals",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    responses((status = 200, body = Vec<ReferralBody>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
) -> Result<Json<Vec<ReferralBody>>, ApiError> {
    let referrals = state.app.referrals(&actor, id).await?;
    Ok(Json(referrals.iter().map(ReferralBody::from).collect()))
}

/// Refer the participant to a resource. `share` lists what to share with the service; it is
/// refused (422, with the reason under `fields.share`, nothing saved) unless one current
/// consent names the resource's organisation, for referral, and includes every item. An
/// empty `share` needs no consent.
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/referrals", tag = "referrals",
    params(("id" = ParticipantId, Path, description = "Participant id")),
    request_body = ReferralInput,
    responses(
        (status = 201, body = ReferralBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Invalid fields, or sharing refused for want of a covering consent", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath(id): ApiPath<ParticipantId>,
    ApiJson(input): ApiJson<ReferralInput>,
) -> Result<Response, ApiError> {
    let referral = state.app.make_referral(&actor, id, &input).await?;
    let location = format!("/api/v1/participants/{id}/referrals/{}", referral.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(ReferralBody::from(&referral)))
        .into_response())
}

#[utoipa::path(
    get, path = "/api/v1/participants/{id}/referrals/{referral_id}", tag = "referrals",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("referral_id" = ReferralId, Path, description = "Referral id"),
    ),
    responses((status = 200, body = ReferralBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn read(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, referral)): ApiPath<(ParticipantId, ReferralId)>,
) -> Result<Json<ReferralBody>, ApiError> {
    Ok(Json(ReferralBody::from(&state.app.referral(&actor, id, referral).await?)))
}

/// Move the referral along its loop: sent → accepted or declined; accepted → attended,
/// not attended or declined. Other moves are refused (422).
#[utoipa::path(
    post, path = "/api/v1/participants/{id}/referrals/{referral_id}/status", tag = "referrals",
    params(
        ("id" = ParticipantId, Path, description = "Participant id"),
        ("referral_id" = ReferralId, Path, description = "Referral id"),
    ),
    request_body = ReferralStatusInput,
    responses(
        (status = 200, body = ReferralBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn change_status(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiPath((id, referral)): ApiPath<(ParticipantId, ReferralId)>,
    ApiJson(input): ApiJson<ReferralStatusInput>,
) -> Result<Json<ReferralBody>, ApiError> {
    Ok(Json(ReferralBody::from(&state.app.move_referral(&actor, id, referral, &input).await?)))
}

/// One page of open referrals.
#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    /// The longest untouched first.
    pub items: Vec<FollowUpBody>,
    /// How many there are, counted up to 500.
    pub total: i64,
    /// More than `total` (the count stopped at its cap).
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct FollowUpParams {
    /// 1-based; 20 a page.
    page: Option<i64>,
}

/// Open referrals (sent or accepted) of the caller's caseload, team or organisation, the
/// longest untouched first: what needs following up.
#[utoipa::path(
    get, path = "/api/v1/referrals/open", tag = "referrals", params(FollowUpParams),
    responses((status = 200, body = FollowUpList), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody))
)]
pub async fn open(
    State(state): State<AppState>,
    ApiCaller(actor): ApiCaller,
    ApiQuery(params): ApiQuery<FollowUpParams>,
) -> Result<Json<FollowUpList>, ApiError> {
    let open = state.app.referral_follow_ups(&actor, params.page.unwrap_or(1)).await?;
    Ok(Json(FollowUpList {
        items: open.referrals.iter().map(follow_up).collect(),
        total: open.paged.total,
        capped: open.paged.capped,
        page: open.paged.page,
        page_count: open.paged.page_count,
    }))
}

fn follow_up(f: &ReferralFollowUp) -> FollowUpBody {
    FollowUpBody {
        participant_reference: f.participant_reference.clone(),
        participant_name: f.participant_name.clone(),
        coach_name: f.coach_name.clone(),
        referral: ReferralBody::from(&f.referral),
    }
}
