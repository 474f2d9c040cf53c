//! Follow-up pages: a participant's follow-up (each time point's status with a link to
//! administer what is due, attempts, the locator and exclusions, each with a small form) and
//! the follow-up list of open windows, escalations first.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::follow_up::{FollowUpList, OpenWindow, ParticipantFollowUp, WindowList};
use kindred_domain::FieldErrors;
use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::{AttemptInput, ExclusionInput, LocatorInput, PointStatus};
use kindred_domain::ids::ParticipantId;
use kindred_domain::vocabulary::{
    AdministrativeReason, AttemptChannel, AttemptOutcome, LocatorKind, Vocabulary,
};
use serde::Deserialize;

use super::{Chrome, count_words};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};

#[derive(Debug, Deserialize)]
pub struct Notice {
    pub saved: Option<String>,
}

/// One problem of a refused form, linking to its field.
pub struct Problem {
    pub field_id: String,
    pub message: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "follow_up.html")]
struct FollowUpPage {
    chrome: Option<Chrome>,
    id: String,
    reference: String,
    notice: Option<&'static str>,
    points: Vec<PointCard>,
    attempts: Vec<String>,
    locator: Vec<String>,
    locator_withheld: usize,
    exclusions: Vec<String>,
    can_exclude: bool,
    time_points: Vec<(String, String)>,
    channels: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    kinds: Vec<(&'static str, &'static str)>,
    reasons: Vec<(&'static str, &'static str)>,
    /// Which form was refused, and why.
    refused: Option<(&'static str, Vec<Problem>)>,
}

impl FollowUpPage {
    fn problems(&self, form: &str) -> Option<&[Problem]> {
        self.refused.as_ref().filter(|(f, _)| *f == form).map(|(_, p)| p.as_slice())
    }
}

struct PointCard {
    label: String,
    status_code: &'static str,
    status: String,
    window: String,
    escalate: bool,
    /// Links to administer each instrument for this time point, while it can still be done.
    administer: Vec<(String, String)>,
}

fn vocabulary<V: Vocabulary>() -> Vec<(&'static str, &'static str)> {
    V::ALL.iter().map(|t| (t.code(), t.label())).collect()
}

/// "Window 31 May – 29 Aug 2026 (target 30 Jun)".
pub fn window_text(point: &PointStatus) -> String {
    let w = &point.window;
    format!("Window {} to {}, target {}", w.opens_on, w.closes_on, w.due_on)
}

pub fn status_text(point: &PointStatus) -> String {
    match (point.status, point.completed_on) {
        (FollowUpStatus::Administrative(reason), _) => {
            format!("Administrative: {}", reason.label())
        }
        (_, Some(day)) => format!("{} on {day}", point.status.label()),
        _ => point.status.label().to_owned(),
    }
}

fn page(
    signed_in: &SignedIn,
    record: &ParticipantFollowUp,
    notice: Option<&'static str>,
    refused: Option<(&'static str, Vec<Problem>)>,
) -> FollowUpPage {
    let id = record.participant_id;
    let points = record
        .points
        .iter()
        .map(|p| {
            let open = matches!(p.status, FollowUpStatus::WindowOpen | FollowUpStatus::Missed);
            let administer = match (open, record.program_id) {
                (true, Some(program)) => p
                    .instruments
                    .iter()
                    .map(|code| {
                        let name = kindred_domain::instruments::find(code)
                            .map_or_else(|| code.clone(), |d| d.short_name.clone());
                        let href = format!(
                            "/participants/{id}/assessments/new?instrument={code}&program={program}&time_point={}",
                            p.code
                        );
                        (href, name)
                    })
                    .collect(),
                _ => Vec::new(),
            };
            PointCard {
                label: p.label.clone(),
                status_code: p.status.code(),
                status: status_text(p),
                window: window_text(p),
                escalate: p.escalate,
                administer,
            }
        })
        .collect();
    let attempts = record
        .attempts
        .iter()
        .map(|a| {
            let mut line = format!(
                "{}: {}, {}{} by {}",
                a.attempted_at.date(),
                a.channel.label(),
                a.outcome.label().to_lowercase(),
                a.time_point_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default(),
                a.made_by_name
            );
            if let Some(note) = &a.note {
                line.push_str(&format!(". {note}"));
            }
            line
        })
        .collect();
    let locator = record
        .locator
        .iter()
        .map(|e| {
            let mut line = format!("{}: {}", e.kind.label(), e.value);
            if let Some(r) = &e.relationship {
                line.push_str(&format!(" ({r})"));
            }
            if let Some(note) = &e.note {
                line.push_str(&format!(". {note}"));
            }
            line
        })
        .collect();
    let exclusions = record
        .exclusions
        .iter()
        .map(|e| {
            format!(
                "{}: {}{}, recorded by {} on {}",
                e.time_point_code,
                e.reason.label(),
                e.note.as_deref().map(|n| format!(" ({n})")).unwrap_or_default(),
                e.recorded_by_name,
                e.recorded_at.date()
            )
        })
        .collect();
    FollowUpPage {
        chrome: Chrome::new(signed_in, ""),
        id: id.to_string(),
        reference: record.reference.clone(),
        notice,
        points,
        attempts,
        locator,
        locator_withheld: record.locator_withheld,
        exclusions,
        can_exclude: record.can_exclude,
        time_points: record.points.iter().map(|p| (p.code.clone(), p.label.clone())).collect(),
        channels: vocabulary::<AttemptChannel>(),
        outcomes: vocabulary::<AttemptOutcome>(),
        kinds: vocabulary::<LocatorKind>(),
        reasons: vocabulary::<AdministrativeReason>(),
        refused,
    }
}

pub async fn participant_page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    PagePath(id): PagePath<ParticipantId>,
    Query(query): Query<Notice>,
) -> Result<Response, PageError> {
    let record = state.app.follow_up(&signed_in.actor, id).await?;
    let notice = match query.saved.as_deref() {
        Some("attempt") => Some("Attempt logged."),
        Some("locator") => Some("Locator entry added."),
        Some("exclusion") => Some("Exclusion recorded."),
        _ => None,
    };
    Ok(page(&signed_in, &record, notice, None).into_response())
}

/// After a form: back to the page with a notice, or the page again with the form's problems.
async fn answer<T>(
    state: &AppState,
    signed_in: &SignedIn,
    id: ParticipantId,
    form: &'static str,
    result: Result<T, AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(_) => {
            Ok(Redirect::to(&format!("/participants/{id}/follow-up?saved={form}")).into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let record = state.app.follow_up(&signed_in.actor, id).await?;
            let problems = problems(form, &errors);
            let page = page(signed_in, &record, None, Some((form, problems)));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(PageError(other)),
    }
}

fn problems(form: &str, errors: &FieldErrors) -> Vec<Problem> {
    errors
        .iter()
        .map(|e| Problem {
            field_id: format!("{form}-{}", e.field),
            message: format!("{}: {}", e.field.replace('_', " "), e.message),
        })
        .collect()
}

pub async fn log_attempt(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    CsrfForm { signed_in, form }: CsrfForm<AttemptInput>,
) -> Result<Response, PageError> {
    let result = state.app.log_contact_attempt(&signed_in.actor, id, &form).await;
    answer(&state, &signed_in, id, "attempt", result).await
}

pub async fn add_locator(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    CsrfForm { signed_in, form }: CsrfForm<LocatorInput>,
) -> Result<Response, PageError> {
    let result = state.app.add_locator_entry(&signed_in.actor, id, &form).await;
    answer(&state, &signed_in, id, "locator", result).await
}

pub async fn record_exclusion(
    State(state): State<AppState>,
    PagePath(id): PagePath<ParticipantId>,
    CsrfForm { signed_in, form }: CsrfForm<ExclusionInput>,
) -> Result<Response, PageError> {
    let result = state.app.record_exclusion(&signed_in.actor, id, &form).await;
    answer(&state, &signed_in, id, "exclusion", result).await
}

/// The "Follow-up" section of the participant page: each time point's status.
#[derive(Template)]
#[template(path = "_follow_up.html")]
pub struct SummarySection {
    id: String,
    points: Vec<PointCard>,
}

pub fn summary_section(record: &ParticipantFollowUp) -> SummarySection {
    SummarySection {
        id: record.participant_id.to_string(),
        points: record
            .points
            .iter()
            .map(|p| PointCard {
                label: p.label.clone(),
                status_code: p.status.code(),
                status: status_text(p),
                window: window_text(p),
                escalate: p.escalate,
                administer: Vec::new(),
            })
            .collect(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "follow_up_list.html")]
struct ListPage {
    chrome: Option<Chrome>,
    sections: Vec<WindowSection>,
    /// Showing one list's pages rather than the first page of each.
    one_list: bool,
}

struct WindowSection {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    badge: &'static str,
    /// "12", or "500+" past the count's cap.
    count: String,
    rows: Vec<WindowRow>,
    page: i64,
    page_count: i64,
    previous: Option<String>,
    next: Option<String>,
}

impl WindowSection {
    fn new(list: &FollowUpList) -> Self {
        let (id, heading, empty, badge) = match list.list {
            WindowList::Escalated => (
                "escalated",
                "Closing soon, not reached",
                "No window closes within 14 days without contact.",
                "badge task-overdue",
            ),
            WindowList::Open => ("open", "Open windows", "No follow-up window is open.", "badge"),
        };
        let paged = list.page.paged;
        let link = |n: i64| format!("/follow-up?list={id}&page={n}#{id}");
        Self {
            id,
            heading,
            empty,
            badge,
            count: count_words(&paged),
            rows: list.page.windows.iter().map(WindowRow::new).collect(),
            page: paged.page,
            page_count: paged.page_count,
            previous: (paged.page > 1).then(|| link(paged.page - 1)),
            next: (paged.page < paged.page_count).then(|| link(paged.page + 1)),
        }
    }
}

struct WindowRow {
    href: String,
    title: String,
    participant: String,
    window: String,
}

impl WindowRow {
    fn new(w: &OpenWindow) -> Self {
        let coach = w.coach_name.as_deref().map(|c| format!(" · coach {c}")).unwrap_or_default();
        Self {
            href: format!("/participants/{}/follow-up", w.participant_id),
            title: format!("{} follow-up", w.point.label),
            participant: format!("{} ({}){coach}", w.name, w.reference),
            window: format!(
                "Closes {} (target {})",
                w.point.window.closes_on, w.point.window.due_on
            ),
        }
    }
}

#[derive(Debug, Deserialize, Default)]
pub struct ListParams {
    /// One list (`escalated` or `open`), a page at a time.
    list: Option<String>,
    page: Option<i64>,
}

pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, PageError> {
    let one = match params.list.as_deref() {
        Some("escalated") => Some(WindowList::Escalated),
        Some("open") => Some(WindowList::Open),
        _ => None,
    };
    let lists = match one {
        Some(list) => vec![(list, params.page.unwrap_or(1))],
        None => vec![(WindowList::Escalated, 1), (WindowList::Open, 1)],
    };
    let mut sections = Vec::new();
    for (list, page) in lists {
        let found = state.app.follow_up_list(&signed_in.actor, list, page).await?;
        sections.push(WindowSection::new(&found));
    }
    Ok(ListPage {
        chrome: Chrome::new(&signed_in, "/follow-up"),
        sections,
        one_list: one.is_some(),
    }
    .into_response())
}
