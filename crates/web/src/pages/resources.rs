//! The resource directory: searchable by everyone who refers; supervisors and managers add,
//! edit and deactivate services.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::resources::ResourceFilter;
use kindred_app::{AppError, policy};
use kindred_domain::FieldErrors;
use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceInput};
use serde::Deserialize;

use super::{Chrome, notice_text};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset, SummaryItem, attach_errors};

#[derive(Debug, Default, Deserialize)]
pub struct DirectoryParams {
    q: Option<String>,
    category: Option<String>,
    city: Option<String>,
    page: Option<i64>,
    notice: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "resources.html")]
struct DirectoryPage {
    chrome: Option<Chrome>,
    notice: Option<&'static str>,
    can_manage: bool,
    csrf_token: String,
    q: String,
    city: String,
    category: Field,
    rows: Vec<ResourceRow>,
    total: i64,
    previous: Option<String>,
    next: Option<String>,
}

struct ResourceRow {
    id: String,
    service: String,
    organisation: String,
    active: bool,
    category: Option<String>,
    place: Option<String>,
    phone: Option<String>,
    website: Option<String>,
    hours: Option<String>,
    description: Option<String>,
}

fn row(r: &Resource) -> ResourceRow {
    let d = &r.details;
    let place: Vec<&str> = [d.address.as_deref(), d.city.as_deref(), d.postal_code.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    ResourceRow {
        id: r.id.to_string(),
        service: d.service_name.clone(),
        organisation: d.organisation_name.clone(),
        active: r.active,
        category: d.category.clone(),
        place: (!place.is_empty()).then(|| place.join(", ")),
        phone: d.phone.clone(),
        website: d.website.clone(),
        hours: d.hours.clone(),
        description: d.description.clone(),
    }
}

fn page_link(params: &DirectoryParams, page: i64) -> String {
    let query = serde_html_form::to_string([
        ("q", params.q.as_deref().unwrap_or_default()),
        ("category", params.category.as_deref().unwrap_or_default()),
        ("city", params.city.as_deref().unwrap_or_default()),
        ("page", &page.to_string()),
    ])
    .unwrap_or_default();
    format!("/resources?{query}")
}

pub async fn directory(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<DirectoryParams>,
) -> Result<Response, PageError> {
    let actor = &signed_in.actor;
    let can_manage = policy::capabilities(actor).curate_directory;
    let filter = ResourceFilter {
        search: params.q.clone(),
        category: params.category.clone(),
        city: params.city.clone(),
        include_inactive: can_manage,
        page: params.page.unwrap_or(1),
    };
    let page = state.app.resources(&policy::directory_reader(actor)?, &filter).await?;
    let mut category = Field::new("select", "category", "Category");
    category.choices = state
        .app
        .resource_categories(&policy::directory_reader(actor)?)
        .await?
        .into_iter()
        .map(|c| crate::forms::Choice {
            selected: params.category.as_deref() == Some(c.as_str()),
            value: c.clone(),
            label: c,
            hint: String::new(),
        })
        .collect();
    category.value = params.category.clone().unwrap_or_default();
    let category = category.with_blank("Any category");
    Ok(DirectoryPage {
        chrome: Chrome::new(&signed_in, "/resources"),
        notice: notice_text(params.notice.as_deref()),
        can_manage,
        csrf_token: signed_in.csrf_token.clone(),
        q: params.q.clone().unwrap_or_default(),
        city: params.city.clone().unwrap_or_default(),
        category,
        rows: page.resources.iter().map(row).collect(),
        total: page.total,
        previous: (page.page > 1).then(|| page_link(&params, page.page - 1)),
        next: (page.page < page.page_count).then(|| page_link(&params, page.page + 1)),
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "resource_form.html")]
struct ResourceForm {
    chrome: Option<Chrome>,
    title: &'static str,
    action: String,
    fieldsets: Vec<Fieldset>,
    summary: Vec<SummaryItem>,
}

fn resource_fieldsets(i: &ResourceInput) -> Vec<Fieldset> {
    let text = |kind, name, label, value: &Option<String>| {
        Field::new(kind, name, label).value(value.as_deref())
    };
    vec![
        Fieldset {
            legend: "The service",
            fields: vec![
                text("text", "organisation_name", "Organisation", &i.organisation_name)
                    .required()
                    .hint("As consents name it: sharing is checked against this name."),
                text("text", "service_name", "Service", &i.service_name).required(),
                text("text", "category", "Category", &i.category)
                    .hint("For example Housing, Treatment, Food."),
                text("textarea", "description", "Description", &i.description),
            ],
        },
        Fieldset {
            legend: "Where and when",
            fields: vec![
                text("text", "address", "Address", &i.address),
                text("text", "city", "City", &i.city),
                text("text", "postal_code", "Postal code", &i.postal_code),
                text("text", "hours", "Hours", &i.hours),
            ],
        },
        Fieldset {
            legend: "Contact",
            fields: vec![
                text("tel", "phone", "Phone", &i.phone),
                text("email", "email", "Email", &i.email),
                text("text", "website", "Website", &i.website).hint("Starting with https://"),
            ],
        },
    ]
}

fn form_page(
    signed_in: &SignedIn,
    title: &'static str,
    action: String,
    input: &ResourceInput,
    errors: &FieldErrors,
) -> ResourceForm {
    let mut fieldsets = resource_fieldsets(input);
    let summary = attach_errors(&mut fieldsets, errors);
    ResourceForm { chrome: Chrome::new(signed_in, "/resources"), title, action, fieldsets, summary }
}

pub async fn new_form(signed_in: SignedIn) -> Result<Response, PageError> {
    policy::curator(&signed_in.actor)?;
    let page = form_page(
        &signed_in,
        "Add a resource",
        "/resources/new".into(),
        &ResourceInput::default(),
        &FieldErrors::new(),
    );
    Ok(page.into_response())
}

pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<ResourceInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.create_resource(&policy::curator(&signed_in.actor)?, &form).await {
        Ok(_) => Ok(Redirect::to("/resources?notice=resource-saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page =
                form_page(&signed_in, "Add a resource", "/resources/new".into(), &form, &errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ResourceId>,
) -> Result<Response, PageError> {
    policy::curator(&signed_in.actor)?;
    let resource = state.app.resource(&policy::directory_reader(&signed_in.actor)?, id).await?;
    let page = form_page(
        &signed_in,
        "Edit a resource",
        format!("/resources/{id}/edit"),
        &resource.details.to_input(),
        &FieldErrors::new(),
    );
    Ok(page.into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PagePath(id): PagePath<ResourceId>,
    form: CsrfForm<ResourceInput>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    // Every field of the form is sent; an emptied one is cleared.
    let full = ResourceInput {
        description: Some(form.description.clone().unwrap_or_default()),
        category: Some(form.category.clone().unwrap_or_default()),
        address: Some(form.address.clone().unwrap_or_default()),
        city: Some(form.city.clone().unwrap_or_default()),
        postal_code: Some(form.postal_code.clone().unwrap_or_default()),
        phone: Some(form.phone.clone().unwrap_or_default()),
        email: Some(form.email.clone().unwrap_or_default()),
        website: Some(form.website.clone().unwrap_or_default()),
        hours: Some(form.hours.clone().unwrap_or_default()),
        ..form.clone()
    };
    match state.app.update_resource(&policy::curator(&signed_in.actor)?, id, &full).await {
        Ok(_) => Ok(Redirect::to("/resources?notice=resource-saved").into_response()),
        Err(AppError::Invalid(errors)) => {
            let page = form_page(
                &signed_in,
                "Edit a resource",
                format!("/resources/{id}/edit"),
                &form,
                &errors,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct ActiveForm {
    active: Option<String>,
}

pub async fn set_active(
    State(state): State<AppState>,
    PagePath(id): PagePath<ResourceId>,
    form: CsrfForm<ActiveForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    let active = form.active.as_deref() == Some("true");
    state.app.set_resource_active(&policy::curator(&signed_in.actor)?, id, active).await?;
    let notice = if active { "resource-reactivated" } else { "resource-deactivated" };
    Ok(Redirect::to(&format!("/resources?notice={notice}")).into_response())
}
