//! A page holding one form: title, fieldsets, error summary, submit and cancel. Forms that
//! need nothing more use this instead of a template of their own.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_domain::FieldErrors;

use super::Chrome;
use crate::forms::{Fieldset, SummaryItem, attach_errors};

#[derive(Template, WebTemplate)]
#[template(path = "form_page.html")]
pub struct FormPage {
    pub chrome: Option<Chrome>,
    pub title: String,
    pub lede: String,
    pub action: String,
    pub cancel: String,
    pub submit_label: &'static str,
    pub fieldsets: Vec<Fieldset>,
    pub summary: Vec<SummaryItem>,
}

impl FormPage {
    /// Shows `errors` on the fields and answers 422 (nothing was saved).
    pub fn with_errors(mut self, errors: &FieldErrors) -> Response {
        self.summary = attach_errors(&mut self.fieldsets, errors);
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}
