//! Due lists and a participant's tasks. Tasks are made from the protocol
//! ([`crate::protocol_tasks`]) and closed by the record (the contact that does the step); the
//! only hand-made change is a supervisor cancelling one that no longer applies, with a reason.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::fields::required_text;
use kindred_domain::ids::UserId;
use kindred_domain::ids::{ParticipantId, TaskId};
use kindred_domain::tasks::{Due, Task, UPCOMING_DAYS};
use kindred_storage::{CancelTasks, Reach, SeeWork};
use time::{Date, Duration};

use crate::audit::entry;
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

/// The most tasks one due list shows (an overdue backlog beyond this needs a supervisor, not
/// a longer page).
const DUE_LIST_LIMIT: i64 = 500;

/// Open tasks split into what is overdue (most recent first), due today and coming up in the
/// next 14 days (by due date).
#[derive(Debug, Clone)]
pub struct DueList {
    /// Which list this is.
    pub reach: ListReach,
    /// The lists the actor may switch to.
    pub choices: Vec<ListReach>,
    pub today: Date,
    pub overdue: Vec<DueTask>,
    pub due_today: Vec<DueTask>,
    pub upcoming: Vec<DueTask>,
}

impl DueList {
    pub fn len(&self) -> usize {
        self.overdue.len() + self.due_today.len() + self.upcoming.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl App {
    /// The actor's due list: their own, their team's or the organisation's.
    pub async fn due_tasks(&self, actor: &Actor, requested: Option<ListReach>) -> Result<DueList> {
        let (scope, mine) = self.policy.scope_as::<SeeWork>(actor, requested)?;
        let today = self.clock().today();
        let until = today + Duration::days(UPCOMING_DAYS);
        let mut session = actor.tenant().read().await?;
        let tasks = session.due_tasks(&scope, mine, today, until, DUE_LIST_LIMIT).await?;
        drop(session);
        let reach = match (mine, scope.reach()) {
            (Some(_), _) | (None, Reach::Coach(_)) => ListReach::Mine,
            (None, Reach::Team(_)) => ListReach::Team,
            (None, Reach::Organisation) => ListReach::Organisation,
        };
        let mut list = DueList {
            reach,
            choices: self.policy.list_choices::<SeeWork>(actor),
            today,
            overdue: Vec::new(),
            due_today: Vec::new(),
            upcoming: Vec::new(),
        };
        for task in tasks.into_iter().map(DueTask::from) {
            match task.task.due(today) {
                Due::Overdue => list.overdue.push(task),
                Due::Today => list.due_today.push(task),
                Due::Upcoming | Due::Later => list.upcoming.push(task),
            }
        }
        let references: Vec<&str> = [&list.overdue, &list.due_today, &list.upcoming]
            .into_iter()
            .flatten()
            .map(|t| t.participant_reference.as_str())
            .collect();
        let detail = format!("due list of {} tasks: {}", references.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "task", None, detail)).await?;
        Ok(list)
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
