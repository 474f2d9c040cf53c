//! Server-rendered pages. Every page works without JavaScript; htmx only makes some of them
//! quicker (live caseload search, consent revocation in place).

mod appointments;
mod assessments;
mod audit;
mod blinded_follow_up;
mod caseload;
mod consents;
mod contacts;
mod fidelity;
mod follow_up;
mod form_page;
mod group_sessions;
mod imports;
mod instruments;
mod login;
mod outcome_events;
mod participants;
mod program_dashboard;
mod program_edit;
mod program_follow_up;
mod programs;
mod recovery_plans;
mod referrals;
mod research;
mod resources;
mod sections;
mod staff;
mod studies;
mod study_export;
mod study_report;
mod study_results;
mod supervision;
mod tasks;

use axum::Router;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use kindred_app::policy::CaseloadKind;
use kindred_app::{Actor, AppError, policy};
pub(crate) use program_dashboard::funder_report_html;

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
        .route("/fidelity", get(fidelity::page))
        .route("/supervision/new", get(supervision::new_session).post(supervision::record_session))
        .route("/concerns/new", get(supervision::new_concern).post(supervision::raise_concern))
        .route("/concerns/{id}/resolve", post(supervision::resolve_concern))
        .merge(program_and_task_routes())
        .merge(plan_and_referral_routes())
        .merge(assessment_routes())
        .merge(study_routes())
}

/// The spreadsheet upload: outside the 1 MiB limit of every other form, under its own (see
/// `imports`), so an oversized file gets the import's 413 page rather than a bare refusal.
pub fn upload_router() -> Router<AppState> {
    Router::new()
        .route("/imports/new", get(imports::form))
        .route("/imports", post(imports::upload))
        .layer(axum::extract::DefaultBodyLimit::max(crate::upload_limit::BODY_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(crate::upload_limit::pages))
}

/// Recovery plans, referrals and the resource directory.
fn plan_and_referral_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/participants/{id}/goals",
            get(recovery_plans::new_goal).post(recovery_plans::add_goal),
        )
        .route("/participants/{id}/goals/{goal_id}/status", post(recovery_plans::change_status))
        .route("/participants/{id}/goals/{goal_id}/steps", post(recovery_plans::add_step))
        .route(
            "/participants/{id}/goals/{goal_id}/steps/{step_id}/toggle",
            post(recovery_plans::toggle_step),
        )
        .route("/participants/{id}/referrals/new", get(referrals::new_form).post(referrals::make))
        .route("/participants/{id}/referrals/{referral_id}/status", post(referrals::change_status))
        .route("/referrals", get(referrals::follow_ups))
        .route("/resources", get(resources::directory))
        .route("/resources/new", get(resources::new_form).post(resources::create))
        .route("/resources/{id}/edit", get(resources::edit_form).post(resources::update))
        .route("/resources/{id}/active", post(resources::set_active))
}

/// Programs, staff qualifications, tasks and appointments.
/// The instrument library and administering instruments.
fn study_routes() -> Router<AppState> {
    Router::new()
        .route("/studies", get(studies::list))
        .route("/studies/new", get(studies::new_form).post(studies::create))
        .route("/studies/replicate", post(studies::replicate))
        .route("/studies/{id}", get(studies::page))
        .route("/studies/{id}/edit", get(studies::edit_form).post(studies::update))
        .route("/studies/{id}/amend", post(studies::amend))
        .route("/studies/{id}/open", post(studies::open))
        .route("/studies/{id}/lock", post(studies::lock))
        .route("/studies/{id}/verify", post(studies::verify))
        .route("/studies/{id}/results", get(study_results::page))
        .route("/studies/{id}/report", get(study_report::page))
        .route("/studies/{id}/export", post(study_export::identified))
        .route("/studies/{id}/export/{table}", get(study_export::download))
        .route("/studies/{id}/export-dictionary", get(study_export::dictionary))
}

fn assessment_routes() -> Router<AppState> {
    Router::new()
        .route("/instruments", get(instruments::page))
        .route(
            "/participants/{id}/assessments/new",
            get(assessments::new_form).post(assessments::create),
        )
        .route("/participants/{id}/assessments/{assessment_id}", get(assessments::page))
        .route(
            "/participants/{id}/assessments/{assessment_id}/edit",
            get(assessments::edit_form).post(assessments::update),
        )
}

fn program_and_task_routes() -> Router<AppState> {
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
        .route("/follow-up", get(follow_up::list))
        .route("/blinded-follow-up", get(blinded_follow_up::list))
        .route("/programs/{id}/follow-up", get(program_follow_up::page))
        .route("/programs/{id}/dashboard", get(program_dashboard::page))
        .route("/programs/{id}/dashboard.csv", get(program_dashboard::csv))
        .route("/programs/{id}/funder-report", get(program_dashboard::funder_report))
        .route("/programs/{id}/follow-up/points", post(program_follow_up::save_point))
        .route(
            "/programs/{id}/follow-up/points/{code}/remove",
            post(program_follow_up::remove_point),
        )
        .route("/participants/{id}/follow-up", get(follow_up::participant_page))
        .route("/participants/{id}/follow-up/attempts", post(follow_up::log_attempt))
        .route("/participants/{id}/follow-up/locator", post(follow_up::add_locator))
        .route("/participants/{id}/follow-up/exclusions", post(follow_up::record_exclusion))
        .route("/participants/{id}/tasks/{task_id}/cancel", post(tasks::cancel))
        .route(
            "/participants/{id}/appointments/new",
            get(appointments::new_form).post(appointments::create),
        )
        .route(
            "/participants/{id}/appointments/{appointment_id}/status",
            post(appointments::set_status),
        )
        // Contacts (issue 5).
        .route("/participants/{id}/contacts/new", get(contacts::new_form).post(contacts::create))
        .route("/contacts", get(contacts::list))
        .route("/research", get(research::page))
        .route("/contacts/{id}", get(contacts::page))
        .route("/contacts/{id}/edit", get(contacts::edit_form).post(contacts::update))
        .route("/group-sessions/new", get(group_sessions::new_form).post(group_sessions::create))
        .route(
            "/participants/{id}/outcome-events/new",
            get(outcome_events::new_form).post(outcome_events::create),
        )
}

/// The page furniture every signed-in page shares.
#[derive(Debug, Clone)]
pub struct Chrome {
    pub user_name: String,
    pub csrf_token: String,
    /// The daily pages, always in the bar.
    pub nav: Vec<NavLink>,
    /// Everything else, under "More" (a disclosure, so a phone's header stays one line).
    pub more: Vec<NavLink>,
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
        let may = policy::capabilities(actor);
        let (mut nav, mut more) = (Vec::new(), Vec::new());
        let link = |href: &'static str, label: &'static str| NavLink {
            href,
            label,
            current: href == current,
        };
        if may.caseload.is_some() {
            nav.push(link("/caseload", caseload_title(actor)));
        }
        if may.caseload_work {
            nav.push(link("/tasks", "Tasks"));
            more.push(link("/follow-up", "Follow-up"));
        }
        if may.assess_blinded {
            nav.push(link("/blinded-follow-up", "Blinded follow-up"));
        }
        if may.enrol {
            more.push(link("/participants/new", "Enrol a participant"));
        }
        if may.caseload_work {
            more.push(link("/referrals", "Referrals"));
        }
        if may.read_directory {
            more.push(link("/resources", "Resources"));
        }
        if may.caseload_work {
            more.push(link("/contacts", "Contacts"));
            more.push(link("/group-sessions/new", "Group session"));
        }
        if may.fidelity {
            more.push(link("/fidelity", "Fidelity"));
        }
        if may.lead_studies {
            nav.push(link("/studies", "Studies"));
        } else {
            more.push(link("/studies", "Studies"));
        }
        more.push(link("/programs", "Programs"));
        more.push(link("/instruments", "Instruments"));
        if may.staff {
            more.push(link("/staff", "Staff"));
        }
        if may.import_spreadsheets {
            more.push(link("/imports/new", "Import a spreadsheet"));
        }
        if may.audit_log {
            let audit = link("/audit", "Audit log");
            // The audit log is an admin's daily page.
            if nav.is_empty() { nav.push(audit) } else { more.push(audit) }
        }
        Some(Self {
            user_name: actor.display_name().to_owned(),
            csrf_token: signed_in.csrf_token.clone(),
            nav,
            more,
        })
    }
}

pub fn caseload_title(actor: &Actor) -> &'static str {
    match policy::capabilities(actor).caseload {
        Some(CaseloadKind::Own) => "My caseload",
        Some(CaseloadKind::Team) => "Team caseload",
        _ => "Participants",
    }
}

/// Where a person starts: their caseload, or the audit log for an admin.
async fn home(signed_in: SignedIn) -> Response {
    let may = policy::capabilities(&signed_in.actor);
    if may.caseload.is_some() {
        Redirect::to("/caseload").into_response()
    } else if may.audit_log {
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
        "supervision-recorded" => Some("Supervision session recorded."),
        "concern-raised" => Some("Boundary concern raised."),
        "concern-resolved" => Some("Concern resolved."),
        "goal-added" => Some("Goal added to the plan."),
        "goal-updated" => Some("Goal updated."),
        "step-added" => Some("Step added."),
        "referral-made" => Some("Referral made."),
        "referral-updated" => Some("Referral updated."),
        "resource-saved" => Some("Resource saved."),
        "resource-deactivated" => {
            Some("Resource deactivated: it is no longer offered for new referrals.")
        }
        "resource-reactivated" => Some("Resource reactivated."),
        "program-created" => Some("Program created."),
        "task-cancelled" => Some("Task cancelled."),
        "appointment-saved" => Some("Appointment saved."),
        "contact-logged" => Some("Contact logged."),
        "event-recorded" => Some("Event recorded."),
        "certification-recorded" => Some("Certification recorded."),
        "certification-removed" => Some("Certification removed."),
        "assessment-saved" => Some("Assessment saved; it can be finished later."),
        "assessment-completed" => Some("Assessment completed and scored."),
        _ => None,
    }
}

/// A capped count as a badge shows it: "12", or "500+" past the cap.
pub(crate) fn count_words(paged: &kindred_app::paging::Paged) -> String {
    if paged.capped { format!("{}+", paged.total) } else { paged.total.to_string() }
}

#[cfg(test)]
mod tests {
    use kindred_app::paging::Paged;

    use super::count_words;

    #[test]
    fn a_capped_count_reads_as_at_least() {
        let capped = Paged { total: 500, capped: true, page: 1, page_count: 25 };
        assert_eq!(count_words(&capped), "500+");
        assert_eq!(count_words(&Paged { capped: false, total: 12, ..capped }), "12");
    }
}
