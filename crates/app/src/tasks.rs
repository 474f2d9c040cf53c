//! Due lists and a participant's tasks. Tasks are made from the protocol
//! ([`crate::protocol_tasks`]) and closed by the record (the contact that does the step); the
//! only hand-made change is a supervisor cancelling one that no longer applies, with a reason.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::fields::required_text;
use kindred_domain::ids::UserId;
use kindred_domain::ids::{ParticipantId, TaskId};
use kindred_domain::tasks::{Due, Task, UPCOMING_DAYS};
use kindred_storage::{CancelTasks, DueQuery, Reach, Scope, SeeWork, Session};
use time::macros::date;
use time::{Date, Duration};

use crate::audit::entry;
use crate::paging::{COUNT_CAP, PAGE_SIZE, Paged};
use crate::policy::ListReach;
use crate::{Actor, App, AppError, Result};

/// An open task on a due list, with whose it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueTask {
    pub task: Task,
    pub participant_reference: String,
    pub participant_name: String,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub assignee_name: Option<String>,
}

impl From<kindred_storage::DueTask> for DueTask {
    fn from(d: kindred_storage::DueTask) -> Self {
        Self {
            task: d.task,
            participant_reference: d.participant_reference,
            participant_name: d.participant_name,
            coach_id: d.coach_id,
            coach_name: d.coach_name,
            assignee_name: d.assignee_name,
        }
    }
}

/// The sections of a due list, in the order the list runs.
pub const SECTIONS: [Due; 3] = [Due::Overdue, Due::Today, Due::Upcoming];

/// Which part of a due list to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuePart {
    /// The first page of each section.
    Sections,
    /// One page of one section.
    Section(Due, i64),
    /// One page of the sections run together (overdue, then today, then upcoming).
    All(i64),
}

/// One page of a due list or of one of its sections (counted up to [`COUNT_CAP`] per section).
#[derive(Debug, Clone)]
pub struct DuePage {
    /// Which section, or `None` for the sections run together.
    pub section: Option<Due>,
    pub tasks: Vec<DueTask>,
    pub paged: Paged,
}

/// Open tasks that are overdue (most recent first), due today or coming up in the next 14
/// days (by due date), a page at a time.
#[derive(Debug, Clone)]
pub struct DueList {
    /// Which list this is.
    pub reach: ListReach,
    /// The lists the actor may switch to.
    pub choices: Vec<ListReach>,
    pub today: Date,
    pub pages: Vec<DuePage>,
}

/// Before any task's due date, and a date both databases store.
const EARLIEST: Date = date!(0001 - 01 - 01);

/// The due dates (both included) of a section, and whether it runs newest first.
fn section_range(section: Due, today: Date) -> ((Date, Date), bool) {
    let until = today + Duration::days(UPCOMING_DAYS);
    match section {
        Due::Overdue => ((EARLIEST, today.previous_day().unwrap_or(today)), true),
        Due::Today => ((today, today), false),
        Due::Upcoming | Due::Later => ((today.next_day().unwrap_or(today), until), false),
    }
}

/// One page of a section, or of the sections run together: each part's count (exact up to
/// where the page starts, so the page knows where it falls) and only the rows the page shows.
async fn due_page<M>(
    session: &mut Session<M>,
    scope: &Scope<SeeWork>,
    mine: Option<UserId>,
    today: Date,
    section: Option<Due>,
    page: i64,
) -> Result<DuePage> {
    let parts: &[Due] = match &section {
        Some(one) => std::slice::from_ref(one),
        // Today and upcoming are one run of due dates, read soonest first.
        None => &[Due::Overdue, Due::Today],
    };
    let mut skip = Paged::offset(page);
    let mut want = PAGE_SIZE;
    let (mut tasks, mut counted) = (Vec::new(), 0);
    for &part in parts {
        let (due, newest_first) = match (section, part) {
            (None, Due::Today) => ((today, today + Duration::days(UPCOMING_DAYS)), false),
            _ => section_range(part, today),
        };
        let count =
            session.count_due_tasks(scope, mine, due, (COUNT_CAP + 1).max(skip + want)).await?;
        // Each part counts up to the cap, so a capped part keeps the sum past it.
        counted += count;
        if skip >= count {
            // Below its limit, so exact: the page starts in a later part.
            skip -= count;
            continue;
        }
        if want > 0 {
            let query = DueQuery { mine, due, newest_first, limit: want, offset: skip };
            let rows = session.due_tasks(scope, &query).await?;
            want -= i64::try_from(rows.len()).unwrap_or(want);
            tasks.extend(rows.into_iter().map(DueTask::from));
        }
        skip = 0;
    }
    Ok(DuePage { section, tasks, paged: Paged::new(counted, page.max(1)) })
}

impl App {
    /// The actor's due list (their own, their team's or the organisation's), or a part of it.
    pub async fn due_tasks(
        &self,
        actor: &Actor,
        requested: Option<ListReach>,
        part: DuePart,
    ) -> Result<DueList> {
        let (scope, mine) = self.policy.scope_as::<SeeWork>(actor, requested)?;
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let mut pages = Vec::new();
        match part {
            DuePart::Sections => {
                for section in SECTIONS {
                    pages
                        .push(due_page(&mut session, &scope, mine, today, Some(section), 1).await?);
                }
            }
            DuePart::Section(section, page) => {
                pages.push(due_page(&mut session, &scope, mine, today, Some(section), page).await?);
            }
            DuePart::All(page) => {
                pages.push(due_page(&mut session, &scope, mine, today, None, page).await?);
            }
        }
        drop(session);
        let reach = match (mine, scope.reach()) {
            (Some(_), _) | (None, Reach::Coach(_)) => ListReach::Mine,
            (None, Reach::Team(_)) => ListReach::Team,
            (None, Reach::Organisation) => ListReach::Organisation,
        };
        let references: Vec<&str> =
            pages.iter().flat_map(|p| &p.tasks).map(|t| t.participant_reference.as_str()).collect();
        let detail = format!("due list of {} tasks: {}", references.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "task", None, detail)).await?;
        Ok(DueList { reach, choices: self.policy.list_choices::<SeeWork>(actor), today, pages })
    }

    /// A participant's tasks: open ones by due date, then done and cancelled ones.
    pub async fn participant_tasks(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<Task>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let tasks = session.tasks_of_participant(&grant).await?;
        drop(session);
        let detail = format!("{}: {} tasks", grant.facts().reference(), tasks.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "task", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(tasks)
    }

    /// Cancels a task that no longer applies. The reason is required and audited.
    pub async fn cancel_task(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        task: TaskId,
        reason: Option<&str>,
    ) -> Result<Task> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<CancelTasks, _>(&mut tx, actor, participant).await?;
        let existing = tx.task(&grant, task).await?.ok_or(AppError::NotFound)?;
        let reason = required_text(reason, 500).map_err(|m| FieldErrors::single("reason", m))?;
        let now = self.clock().now();
        tx.cancel_task(&grant, task, &reason, actor.user_id(), now).await?;
        let detail = format!(
            "{}: cancelled \"{}\" (due {}): {reason}",
            grant.facts().reference(),
            existing.title,
            existing.due_on
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "task", Some(task.to_string()), detail),
        )
        .await?;
        let cancelled = tx.task(&grant, task).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(cancelled)
    }
}
