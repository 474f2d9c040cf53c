//! What is due: the `/tasks` page (today's work first, then what is overdue, then the next 14
//! days, each its first page with a link to the rest; a team's grouped by coach) and the "Due"
//! section of a participant's page, where a supervisor can cancel a task that no longer
//! applies.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy::ListReach;
use kindred_app::tasks::{DueList, DuePage, DuePart};
use kindred_domain::ids::{ParticipantId, TaskId};
use kindred_domain::tasks::{Due, Task};
use kindred_domain::vocabulary::{TaskStatus, Vocabulary};
use serde::Deserialize;
use time::Date;

use super::form_page::FormPage;
use super::{Chrome, count_words};
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset};

#[derive(Debug, Deserialize, Default)]
pub struct TasksParams {
    scope: Option<String>,
    /// One section (`overdue`, `today`, `upcoming`), a page at a time.
    when: Option<String>,
    page: Option<i64>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Option<Chrome>,
    title: &'static str,
    scopes: Vec<(String, &'static str, bool)>,
    sections: Vec<TaskSection>,
    /// Showing one section's pages rather than the first page of each.
    one_section: bool,
    /// The whole list (first pages of each section).
    home: String,
}

struct TaskSection {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    /// "12", or "500+" past the count's cap.
    count: String,
    groups: Vec<TaskGroup>,
    page: i64,
    page_count: i64,
    previous: Option<String>,
    next: Option<String>,
}

struct TaskGroup {
    coach: Option<String>,
    items: Vec<TaskItem>,
}

struct TaskItem {
    href: String,
    participant: String,
    title: String,
    when: String,
}

/// "Due 12 March · on time 10–14 March", in ISO dates.
fn window_words(task: &Task, today: Date) -> String {
    let closes = task.closes_on.unwrap_or(task.due_on);
    let window = if task.opens_on == closes {
        String::new()
    } else {
        format!(" · on time {} to {}", task.opens_on, closes)
    };
    let closed = if task.status == TaskStatus::Open && task.window_closed(today) {
        " · window closed"
    } else {
        ""
    };
    format!("Due {}{window}{closed}", task.due_on)
}

/// A section's page, its tasks grouped by coach on a team's or the organisation's list, with
/// links to the pages around it (`scope` is the list's, for the links).
fn section(page: &DuePage, by_coach: bool, scope: ListReach, today: Date) -> TaskSection {
    let due = page.section.unwrap_or(Due::Overdue);
    let (id, heading, empty) = match due {
        Due::Overdue => ("overdue", "Overdue", "Nothing overdue."),
        Due::Today => ("today", "Due today", "Nothing due today."),
        Due::Upcoming | Due::Later => {
            ("upcoming", "Next 14 days", "Nothing due in the next 14 days.")
        }
    };
    let mut groups: Vec<TaskGroup> = Vec::new();
    for t in &page.tasks {
        let coach = by_coach.then(|| t.coach_name.clone().unwrap_or_else(|| "No coach".into()));
        let item = TaskItem {
            href: format!("/participants/{}#due", t.task.participant_id),
            participant: format!("{} ({})", t.participant_name, t.participant_reference),
            title: t.task.title.clone(),
            when: window_words(&t.task, today),
        };
        match groups.iter_mut().find(|g| g.coach == coach) {
            Some(group) => group.items.push(item),
            None => groups.push(TaskGroup { coach, items: vec![item] }),
        }
    }
    groups.sort_by(|a, b| a.coach.cmp(&b.coach));
    let link = |n: i64| format!("/tasks?scope={}&when={id}&page={n}#{id}", scope.code());
    let paged = page.paged;
    TaskSection {
        id,
        heading,
        empty,
        count: count_words(&paged),
        groups,
        page: paged.page,
        page_count: paged.page_count,
        previous: (paged.page > 1).then(|| link(paged.page - 1)),
        next: (paged.page < paged.page_count).then(|| link(paged.page + 1)),
    }
}

/// The lists the person may switch between, the current one marked.
fn scope_choices(list: &DueList) -> Vec<(String, &'static str, bool)> {
    list.choices
        .iter()
        .map(|reach| {
            (format!("/tasks?scope={}", reach.code()), reach.label(), *reach == list.reach)
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(params): Query<TasksParams>,
) -> Result<Response, PageError> {
    let requested = params.scope.as_deref().and_then(ListReach::parse);
    let when = params.when.as_deref().and_then(|w| Due::parse(w).ok()).filter(|w| *w != Due::Later);
    let part = match when {
        Some(due) => DuePart::Section(due, params.page.unwrap_or(1)),
        None => DuePart::Sections,
    };
    let actor = &signed_in.actor;
    let list = state.app.due_tasks(actor, requested, part).await?;
    let by_coach = list.reach != ListReach::Mine;
    let title = match list.reach {
        ListReach::Mine => "My tasks",
        ListReach::Team => "Team tasks",
        ListReach::Organisation => "Everyone's tasks",
    };
    // Today's work first on the page; the list itself runs overdue, today, upcoming.
    let mut sections: Vec<TaskSection> =
        list.pages.iter().map(|p| section(p, by_coach, list.reach, list.today)).collect();
    sections.sort_by_key(|s| s.id != "today");
    let scopes = scope_choices(&list);
    Ok(TasksPage {
        chrome: Chrome::new(&signed_in, "/tasks"),
        title,
        scopes,
        sections,
        one_section: when.is_some(),
        home: format!("/tasks?scope={}", list.reach.code()),
    }
    .into_response())
}

/// The "Due" section of a participant's page.
#[derive(Template, WebTemplate)]
#[template(path = "_due.html")]
pub struct DueSection {
    participant_id: String,
    csrf_token: String,
    can_cancel: bool,
    open: Vec<DueRow>,
    closed: Vec<DueRow>,
}

struct DueRow {
    id: String,
    title: String,
    label: &'static str,
    due_code: &'static str,
    when: String,
}

pub fn due_section(
    participant: ParticipantId,
    tasks: Vec<Task>,
    csrf_token: &str,
    can_cancel: bool,
    today: Date,
) -> DueSection {
    let (open, closed): (Vec<Task>, Vec<Task>) =
        tasks.into_iter().partition(|t| t.status == TaskStatus::Open);
    let row = |t: &Task, label: &'static str, due_code: &'static str, when: String| DueRow {
        id: t.id.to_string(),
        title: t.title.clone(),
        label,
        due_code,
        when,
    };
    DueSection {
        participant_id: participant.to_string(),
        csrf_token: csrf_token.to_owned(),
        can_cancel,
        open: open
            .iter()
            .map(|t| {
                let due: Due = t.due(today);
                row(t, due.label(), due.code(), window_words(t, today))
            })
            .collect(),
        closed: closed
            .iter()
            .map(|t| {
                let when = match (&t.cancellation, t.completed_on) {
                    (Some(c), _) => format!("Cancelled: {}", c.reason),
                    (None, Some(done)) => format!("Done {done} (due {})", t.due_on),
                    (None, None) => format!("Due {}", t.due_on),
                };
                row(t, t.status.label(), t.status.code(), when)
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize)]
pub struct CancelForm {
    reason: Option<String>,
}

pub async fn cancel(
    State(state): State<AppState>,
    PagePath((id, task)): PagePath<(ParticipantId, TaskId)>,
    form: CsrfForm<CancelForm>,
) -> Result<Response, PageError> {
    let CsrfForm { signed_in, form } = form;
    match state.app.cancel_task(&signed_in.actor, id, task, form.reason.as_deref()).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/participants/{id}?notice=task-cancelled#due"))
                .into_response())
        }
        Err(AppError::Invalid(errors)) => {
            let reason = Field::new("text", "reason", "Why it no longer applies")
                .value(form.reason.as_deref())
                .required();
            let page = FormPage::new(
                &signed_in,
                "Cancel a task",
                format!("/participants/{id}/tasks/{task}/cancel"),
                format!("/participants/{id}#due"),
                "Cancel the task",
                vec![Fieldset { legend: "Cancelling", fields: vec![reason] }],
            )
            .lede("Protocol steps close when the work is recorded. Cancel one only when it no longer applies.");
            Ok(page.refused(&errors))
        }
        Err(other) => Err(other.into()),
    }
}
