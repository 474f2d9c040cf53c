//! Signing in and out. The login form has no session yet, so it is protected against
//! cross-site posting by a double-submit token: a random value in a cookie and in the form,
//! which another site can neither read nor set.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::auth::{Credentials, SESSION_LIFETIME, new_form_token};
use kindred_app::{AppError, LoginRefused};
use serde::Deserialize;

use super::Chrome;
use crate::AppState;
use crate::client_address::ClientAddress;
use crate::error::{PageError, sentence, status_of, with_retry_after};
use crate::extract::{CsrfForm, csrf_refusal};
use crate::security::{
    LOGIN_CSRF_COOKIE, ORGANISATION_COOKIE, SESSION_COOKIE, local_path, read_cookie, set_cookie,
    tokens_match,
};

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    chrome: Option<Chrome>,
    csrf_token: String,
    next: String,
    organisation: String,
    email: String,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    next: Option<String>,
}

/// The login form stays valid for an hour.
const LOGIN_FORM_SECONDS: i64 = 3600;
/// The remembered organisation lasts a year.
const ORGANISATION_SECONDS: i64 = 365 * 24 * 3600;

pub async fn form(headers: HeaderMap, Query(query): Query<LoginQuery>) -> Response {
    let page = LoginPage {
        chrome: None,
        csrf_token: String::new(),
        next: local_path(query.next.as_deref()),
        organisation: read_cookie(&headers, ORGANISATION_COOKIE).unwrap_or_default().to_owned(),
        email: String::new(),
        error: None,
    };
    render_with_token(StatusCode::OK, page)
}

/// Renders the form with a fresh double-submit token in the form and the cookie.
fn render_with_token(status: StatusCode, mut page: LoginPage) -> Response {
    let token = match new_form_token() {
        Ok(token) => token,
        Err(error) => return PageError(error).into_response(),
    };
    page.csrf_token.clone_from(&token);
    (
        status,
        [(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, &token, LOGIN_FORM_SECONDS))],
        page,
    )
        .into_response()
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(rename = "_csrf", default)]
    csrf: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

pub async fn submit(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = read_cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    if !tokens_match(expected, &form.csrf) {
        return csrf_refusal();
    }
    let credentials = Credentials {
        organisation: &form.organisation,
        email: &form.email,
        password: &form.password,
        client,
    };
    match state.app.sign_in(credentials).await {
        Ok(session) => {
            let mut response = Redirect::to(&local_path(form.next.as_deref())).into_response();
            let cookies = response.headers_mut();
            cookies.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.cookie_value, SESSION_LIFETIME.whole_seconds()),
            );
            cookies.append(
                header::SET_COOKIE,
                set_cookie(ORGANISATION_COOKIE, form.organisation.trim(), ORGANISATION_SECONDS),
            );
            cookies.append(header::SET_COOKIE, set_cookie(LOGIN_CSRF_COOKIE, "", 0));
            response
        }
        // Refused or busy: the form again, with what was typed (but the password) and why.
        Err(error @ (AppError::Login(_) | AppError::Busy { .. })) => {
            let message = match &error {
                AppError::Login(LoginRefused::BadCredentials) => {
                    "The organisation, email or password is not right. Check them and try again."
                        .to_owned()
                }
                other => sentence(&other.to_string()),
            };
            let page = LoginPage {
                chrome: None,
                csrf_token: String::new(),
                next: local_path(form.next.as_deref()),
                organisation: form.organisation,
                email: form.email,
                error: Some(message),
            };
            with_retry_after(render_with_token(status_of(&error), page), &error)
        }
        Err(other) => PageError(other).into_response(),
    }
}

#[derive(Debug, Deserialize)]
pub struct NoFields {}

pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
    _form: CsrfForm<NoFields>,
) -> Response {
    if let Some(cookie) = read_cookie(&headers, SESSION_COOKIE)
        && let Err(error) = state.app.sign_out(cookie).await
    {
        return PageError(error).into_response();
    }
    ([(header::SET_COOKIE, set_cookie(SESSION_COOKIE, "", 0))], Redirect::to("/login"))
        .into_response()
}
