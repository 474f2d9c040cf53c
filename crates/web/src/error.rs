//! How failures reach people: a page for browsers, `{"error": {...}}` for the API. The HTTP
//! status for each [`AppError`] is decided here and only here.
//!
//! This is also the one place an internal error's cause is logged: where it becomes a
//! response, inside the request's span (method, route, request id). The answer says only
//! "something went wrong on our side" and the request id as a reference, so support can find
//! the log line; never SQL or other internal text.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kindred_app::{AppError, LoginRefused};
use serde::Serialize;

use crate::request_context::current_request_id;

/// The status a failure is answered with.
pub fn status_of(error: &AppError) -> StatusCode {
    match error {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound => StatusCode::NOT_FOUND,
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::NoConsent(_) => StatusCode::FORBIDDEN,
        AppError::Login(LoginRefused::BadCredentials) => StatusCode::UNAUTHORIZED,
        AppError::Login(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn code_of(error: &AppError) -> &'static str {
    match error {
        AppError::Unauthenticated => "unauthenticated",
        AppError::Forbidden(_) => "forbidden",
        AppError::NotFound => "not_found",
        AppError::Invalid(_) => "invalid",
        AppError::Conflict(_) => "conflict",
        AppError::NoConsent(_) => "no_consent",
        AppError::Login(LoginRefused::BadCredentials) => "bad_credentials",
        AppError::Login(_) => "rate_limited",
        AppError::Busy { .. } => "busy",
        AppError::TooLarge(_) => "too_large",
        AppError::Internal(_) => "internal",
    }
}

/// The `Retry-After` a failure is answered with, in seconds: when a throttle or the server's
/// capacity says how long to wait.
pub fn retry_after_of(error: &AppError) -> Option<i64> {
    match error {
        AppError::Login(refusal) => refusal.retry_after_seconds(),
        AppError::Busy { seconds } => Some(*seconds),
        _ => None,
    }
}

/// Adds `Retry-After` to a response when the failure says how long to wait.
pub fn with_retry_after(mut response: Response, error: &AppError) -> Response {
    if let Some(seconds) =
        retry_after_of(error).and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
    {
        response.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    response
}

/// The JSON error body: `{"error": {"code", "message", "fields"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code (`invalid`, `not_found`, `conflict`…).
    pub code: String,
    /// What went wrong, for people.
    pub message: String,
    /// Per-field messages, for validation errors; empty otherwise.
    pub fields: BTreeMap<String, String>,
    /// For a failure on our side: the request id support finds the log line by.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A failure answered as JSON.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after: Option<i64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        let detail = ErrorDetail {
            code: code.into(),
            message: message.into(),
            fields: BTreeMap::new(),
            reference: None,
        };
        Self { status, body: ErrorBody { error: detail }, retry_after: None }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        let mut api = ApiError::new(status_of(&error), code_of(&error), error.to_string());
        api.retry_after = retry_after_of(&error);
        if let AppError::Internal(cause) = &error {
            let reference = log_internal(cause.as_ref());
            api.body.error.message = internal_message(&reference);
            api.body.error.reference = Some(reference);
        }
        if let AppError::Invalid(errors) = &error {
            api.body.error.message = "some fields need attention".into();
            api.body.error.fields =
                errors.iter().map(|e| (e.field.clone(), e.message.clone())).collect();
        }
        api
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body)).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) =
            self.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok())
        {
            response.headers_mut().insert(header::RETRY_AFTER, seconds);
        }
        response
    }
}

/// A failure answered as a page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl From<AppError> for PageError {
    fn from(error: AppError) -> Self {
        Self(error)
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
struct ErrorPage {
    chrome: Option<crate::pages::Chrome>,
    title: &'static str,
    message: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let title = match status {
            StatusCode::NOT_FOUND => "Not found",
            StatusCode::FORBIDDEN => "Not allowed",
            // Conflicts are edits that crossed and steps taken out of order: the message says which.
            StatusCode::CONFLICT => "Not possible right now",
            StatusCode::INTERNAL_SERVER_ERROR => "Something went wrong",
            StatusCode::SERVICE_UNAVAILABLE => "Busy",
            StatusCode::PAYLOAD_TOO_LARGE => "Too large",
            _ => "That did not work",
        };
        let message = match &self.0 {
            AppError::Internal(cause) => sentence(&internal_message(&log_internal(cause.as_ref()))),
            AppError::NotFound => {
                "There is nothing here, or it is not part of your organisation.".into()
            }
            other => sentence(&other.to_string()),
        };
        with_retry_after(
            (status, ErrorPage { chrome: None, title, message }).into_response(),
            &self.0,
        )
    }
}

/// Logs an internal error's whole cause chain (once: only the two conversions above call
/// this) and returns the reference to show.
fn log_internal(cause: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = cause.to_string();
    let mut next = cause.source();
    while let Some(inner) = next {
        chain.push_str(": ");
        chain.push_str(&inner.to_string());
        next = inner.source();
    }
    let reference = current_request_id().unwrap_or_else(|| "none".into());
    tracing::error!(reference = %reference, cause = %chain, "internal error");
    reference
}

fn internal_message(reference: &str) -> String {
    format!("something went wrong on our side; reference {reference}")
}

/// Capitalises a message for display on its own.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}
