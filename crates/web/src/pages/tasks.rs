//! What is due: the `/tasks` page (today's work first, then what is overdue, then the next 14
//! days; a team's grouped by coach) and the "Due" section of a participant's page, where a
//! supervisor can cancel a task that no longer applies.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use kindred_app::AppError;
use kindred_app::policy::ListReach;
use kindred_app::tasks::DueList;
use kindred_app::tasks::DueTask;
use kindred_domain::ids::{ParticipantId, TaskId};
use kindred_domain::tasks::{Due, Task};
use kindred_domain::vocabulary::{TaskStatus, Vocabulary};
use serde::Deserialize;
use time::Date;

use super::Chrome;
use super::form_page::FormPage;
use crate::AppState;
use crate::error::PageError;
use crate::extract::{CsrfForm, PagePath, SignedIn};
use crate::forms::{Field, Fieldset};

#[derive(Debug, Deserialize, Default)]
pub struct TasksParams {
    scope: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
struct TasksPage {
    chrome: Option<Chrome>,
    title: &'static str,
    scopes: Vec<(String, &'static str, bool)>,
    sections: Vec<TaskSection>,
    total: usize,
}

struct TaskSection {
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    count: usize,
    groups: Vec<TaskGroup>,
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

fn section(
    id: &'static str,
    heading: &'static str,
    empty: &'static str,
    tasks: &[DueTask],
    by_coach: bool,
    today: Date,
) -> TaskSection {
    let mut groups: Vec<TaskGroup> = Vec::new();
    for t in tasks {
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
    TaskSection { id, heading, empty, count: tasks.len(), groups }
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
    let actor = &signed_in.actor;
    let list = state.app.due_tasks(actor, requested).await?;
    let by_coach = list.reach != ListReach::Mine;
    let today = list.today;
    let title = match list.reach {
        ListReach::Mine => "My tasks",
        ListReach::Team => "Team tasks",
        ListReach::Organisation => "Everyone's tasks",
    };
    let sections = vec![
        section("today", "Due today", "Nothing due today.", &list.due_today, by_coach, today),
        section("overdue", "Overdue", "Nothing overdue.", &list.overdue, by_coach, today),
        section(
            "upcoming",
            "Next 14 days",
            "Nothing due in the next 14 days.",
            &list.upcoming,
            by_coach,
            today,
        ),
    ];
    let scopes = scope_choices(&list);
    Ok(TasksPage {
        chrome: Chrome::new(&signed_in, "/tasks"),
        title,
        scopes,
        sections,
        total: list.len(),
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
