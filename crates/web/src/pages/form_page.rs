//! A page holding one form: a title, an optional lede, the fields as fieldsets, the error
//! summary and the buttons. Shown empty, filled for editing, and again with what was typed
//! and the problems (422) when a submission is refused.

use askama::Template;
use askama_web::WebTemplate;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kindred_domain::FieldErrors;

use super::Chrome;
use crate::extract::SignedIn;
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
    pub fn new(
        signed_in: &SignedIn,
        title: impl Into<String>,
        action: impl Into<String>,
        cancel: impl Into<String>,
        submit_label: &'static str,
        fieldsets: Vec<Fieldset>,
    ) -> Self {
        Self {
            chrome: Chrome::new(signed_in, ""),
            title: title.into(),
            lede: String::new(),
            action: action.into(),
            cancel: cancel.into(),
            submit_label,
            fieldsets,
            summary: Vec::new(),
        }
    }

    pub fn lede(mut self, lede: impl Into<String>) -> Self {
        self.lede = lede.into();
        self
    }

    /// The form again with `errors` beside their fields, answered 422.
    pub fn refused(mut self, errors: &FieldErrors) -> Response {
        self.summary = attach_errors(&mut self.fieldsets, errors);
        (StatusCode::UNPROCESSABLE_ENTITY, self).into_response()
    }
}
