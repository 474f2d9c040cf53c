//! Server-rendered pages. Every page works without JavaScript; htmx only makes some of them
//! quicker (live caseload search, consent revocation in place).

mod appointments;
mod audit;
mod caseload;
mod consents;
mod form_page;
mod login;
mod participants;
mod program_edit;
mod programs;
mod sections;
mod staff;
mod tasks;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kindred_app::records::CaseloadScope;
use kindred_app::{Actor, AppError, policy};

use crate::AppState;
use crate::error::PageError;
use crate::extract::SignedIn;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login::form).post(login::submit))
        .route("/logout", post(login::sign_out))
        .route("/caseload", get(caseload::page))
        .route("/participants/new", get(participants::new_form).post(participants::enrol))
        .route("/participants/{id}", get(participants::page))
        .route("/participants/{id}/edit", get(participants::edit_form).post(participants::update))
        .route("/participants/{id}/consents/new", get(consents::new_form).post(consents::record))
        .route("/participants/{id}/consents/{consent_id}/revoke", post(consents::revoke))
        .route("/audit", get(audit::page))
        .merge(coach_work_routes())
}

/// Programs, staff qualifications, tasks and appointments.
fn coach_work_routes() -> Router<AppState> {
    Router::new()
        .route("/programs", get(programs::list))
        .route("/programs/new", get(programs::new_form).post(programs::create))
        .route("/programs/{id}", get(programs::page))
        .route("/programs/{id}/edit", get(program_edit::edit_form).post(program_edit::update))
        .route(
            "/programs/{id}/steps/new",
            get(program_edit::new_step_form).post(program_edit::add_step),
        )
        .route(
            "/programs/{id}/steps/{code}/edit",
            get(program_edit::edit_step_form).post(program_edit::update_step),
        )
        .route("/programs/{id}/steps/{code}/remove", post(program_edit::remove_step))
        .route(
            "/programs/{id}/components/new",
            get(program_edit::new_component_form).post(program_edit::add_component),
        )
        .route("/programs/{id}/components/{position}/remove", post(program_edit::remove_component))
        .route("/staff", get(staff::list))
        .route("/staff/{id}", get(staff::page))
        .route("/staff/{id}/edit", get(staff::edit_form).post(staff::update))
        .route(
            "/staff/{id}/certifications/new",
            get(staff::new_certification_form).post(staff::add_certification),
        )
        .route(
            "/staff/{id}/certifications/{certification_id}/remove",
            post(staff::remove_certification),
        )
        .route("/tasks", get(tasks::page))
        .route("/participants/{id}/tasks/{task_id}/cancel", post(tasks::cancel))
        .route(
            "/participants/{id}/appointments/new",
            get(appointments::new_form).post(appointments::create),
        )
        .route(
            "/participants/{id}/appointments/{appointment_id}/status",
            post(appointments::set_status),
        )
}

/// The page furniture every signed-in page shares.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user_name: String,
    pub csrf_token: String,
    pub nav: Vec<NavLink>,
}

#[derive(Debug, Clone)]
pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    pub current: bool,
}

impl Chrome {
    /// The navigation shows what the policy allows this person (the use cases check again).
    pub fn new(signed_in: &SignedIn, current: &str) -> Option<Self> {
        let actor = &signed_in.actor;
        let mut nav = Vec::new();
        let mut link = |href: &'static str, label: &'static str| {
            nav.push(NavLink { href, label, current: href == current });
        };
        if policy::caseload(actor).is_ok() {
            link("/caseload", caseload_title(actor));
        }
        if policy::task_list(actor, None).is_ok() {
            link("/tasks", "Tasks");
        }
        if policy::enrol(actor).is_ok() {
            link("/participants/new", "Enrol");
        }
        link("/programs", "Programs");
        if policy::staff_list(actor).is_ok() {
            link("/staff", "Staff");
        }
        if policy::browse_audit(actor).is_ok() {
            link("/audit", "Audit log");
        }
        Some(Self {
            user_name: actor.display_name().to_owned(),
            csrf_token: signed_in.csrf_token.clone(),
            nav,
        })
    }
}

pub fn caseload_title(actor: &Actor) -> &'static str {
    match policy::caseload(actor) {
        Ok((CaseloadScope::Coach(_), _)) => "My caseload",
        Ok((CaseloadScope::Team(_), _)) => "Team caseload",
        _ => "Participants",
    }
}

async fn home(signed_in: SignedIn) -> Response {
    let actor = &signed_in.actor;
    if policy::caseload(actor).is_ok() {
        Redirect::to("/caseload").into_response()
    } else if policy::browse_audit(actor).is_ok() {
        Redirect::to("/audit").into_response()
    } else {
        PageError(AppError::Forbidden("your account has no role that uses these pages yet".into()))
            .into_response()
    }
}

pub async fn not_found() -> Response {
    PageError(AppError::NotFound).into_response()
}

/// The short notice shown after a redirect (`?notice=enrolled`). Only known codes show, so a
/// link cannot put arbitrary words on our page.
pub fn notice_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "enrolled" => Some("Participant enrolled."),
        "saved" => Some("Changes saved."),
        "consent-recorded" => Some("Consent recorded."),
        "consent-revoked" => Some("Consent revoked."),
        "program-created" => Some("Program created."),
        "task-cancelled" => Some("Task cancelled."),
        "appointment-saved" => Some("Appointment saved."),
        "certification-recorded" => Some("Certification recorded."),
        "certification-removed" => Some("Certification removed."),
        _ => None,
    }
}
