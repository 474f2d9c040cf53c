//! Extractors: the only way a handler gets an [`Actor`]. Pages use [`SignedIn`] (session
//! cookie) and [`CsrfForm`] (session cookie + CSRF token + form body); the API uses
//! [`ApiCaller`] (bearer token). Rejections are already in the right shape: a redirect to the
//! login page, an error page, or the API's JSON error.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::auth::SessionActor;
use kindred_app::{Actor, AppError};
use serde::de::DeserializeOwned;

use crate::AppState;
use crate::error::{ApiError, PageError};
use crate::security::{CSRF_HEADER, SESSION_COOKIE, read_cookie, tokens_match};

/// A signed-in person viewing a page.
#[derive(Debug)]
pub struct SignedIn {
    pub actor: Actor,
    pub csrf_token: String,
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let Some(cookie) = read_cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(to_login(parts));
        };
        match state.app.session_actor(cookie).await {
            Ok(SessionActor { actor, csrf_token }) => Ok(Self { actor, csrf_token }),
            Err(AppError::Unauthenticated) => Err(to_login(parts)),
            Err(other) => Err(PageError(other).into_response()),
        }
    }
}

/// Whether htmx sent the request (it then wants fragments and `HX-Redirect`, not redirects).
pub fn is_htmx(headers: &axum::http::HeaderMap) -> bool {
    headers.get("hx-request").is_some_and(|v| v == "true")
}

fn to_login(parts: &Parts) -> Response {
    let here = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let query = serde_html_form::to_string([("next", here)]).unwrap_or_default();
    let location = format!("/login?{query}");
    if is_htmx(&parts.headers) {
        let mut response = StatusCode::NO_CONTENT.into_response();
        if let Ok(value) = HeaderValue::from_str(&location) {
            response.headers_mut().insert("hx-redirect", value);
        }
        response
    } else {
        Redirect::to(&location).into_response()
    }
}

/// A state-changing form from a signed-in person, its CSRF token checked (from the `_csrf`
/// field, or the `X-CSRF-Token` header htmx adds) before the handler runs.
#[derive(Debug)]
pub struct CsrfForm<T> {
    pub signed_in: SignedIn,
    pub form: T,
}

#[derive(serde::Deserialize)]
struct CsrfField {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let signed_in = SignedIn::from_request_parts(&mut parts, state).await?;
        let header_token =
            parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let field_token =
            serde_html_form::from_bytes::<CsrfField>(&bytes).ok().and_then(|f| f.csrf);
        let given = field_token.or(header_token).unwrap_or_default();
        if !tokens_match(&signed_in.csrf_token, &given) {
            return Err(csrf_refusal());
        }
        let form = serde_html_form::from_bytes::<T>(&bytes).map_err(|e| {
            PageError(AppError::Forbidden(format!("the form could not be read ({e})")))
                .into_response()
        })?;
        Ok(Self { signed_in, form })
    }
}

pub fn csrf_refusal() -> Response {
    PageError(AppError::Forbidden(
        "this form was open too long or came from another site; go back, reload the page and try again".into(),
    ))
    .into_response()
}

/// An API caller, authenticated by `Authorization: Bearer <token>`.
#[derive(Debug)]
pub struct ApiCaller(pub Actor);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "send Authorization: Bearer <token>",
                )
            })?;
        Ok(Self(state.app.api_actor(token.trim()).await?))
    }
}

/// A JSON body whose problems are answered in the API's own error shape.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send a JSON body with Content-Type: application/json",
            )),
            // Only the upload routes let a body grow past the global limit to this one.
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(crate::upload_limit::too_large().into())
            }
            Err(rejection) => Err(ApiError::bad_request(rejection.body_text())),
        }
    }
}

/// Path parameters; one that cannot be an id of ours is simply not found.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|_| AppError::NotFound.into())
    }
}

/// The page equivalent of [`ApiPath`].
#[derive(Debug)]
pub struct PagePath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for PagePath<T> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, PageError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| Self(v))
            .map_err(|_| PageError(AppError::NotFound))
    }
}

/// Query parameters, refused with a clear 400 when malformed.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| Self(v))
            .map_err(|rejection| ApiError::bad_request(rejection.body_text()))
    }
}
