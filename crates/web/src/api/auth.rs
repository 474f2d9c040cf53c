//! API tokens and "who am I".

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use kindred_app::auth::Credentials;

use super::schema::{Me, TokenRequest, TokenResponse, timestamp};
use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiCaller, ApiJson};

/// Exchange an email and password for a bearer token (valid 30 days). Failed attempts are
/// throttled exactly as on the sign-in page.
#[utoipa::path(
    post, path = "/api/v1/auth/token", tag = "auth", security(()),
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Token issued", body = TokenResponse),
        (status = 401, description = "Wrong organisation, email or password", body = ErrorBody),
        (status = 429, description = "Too many failed attempts for this account or from this address (see Retry-After)", body = ErrorBody),
        (status = 503, description = "Too many sign-ins at once; nothing was checked (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn issue_token(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<(StatusCode, Json<TokenResponse>), ApiError> {
    let credentials = Credentials {
        organisation: &request.org,
        email: &request.email,
        password: &request.password,
        client,
    };
    let issued = state.app.issue_api_token(credentials).await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenResponse { token: issued.token, expires_at: timestamp(issued.expires_at) }),
    ))
}

/// The caller's own account.
#[utoipa::path(
    get, path = "/api/v1/me", tag = "auth",
    responses((status = 200, body = Me), (status = 401, body = ErrorBody))
)]
pub async fn me(ApiCaller(actor): ApiCaller) -> Json<Me> {
    Json(Me {
        id: actor.user_id(),
        organisation_id: actor.org_id(),
        email: actor.email().to_owned(),
        display_name: actor.display_name().to_owned(),
        roles: actor.roles().iter().collect(),
    })
}
