//! Logging, reading, editing and listing contacts. A contact is the record that closes work:
//! the protocol step it names becomes done on the contact's date (so a step done after its
//! window counts as not on time), open follow-ups due by then are closed, and a next
//! follow-up date makes a new follow-up task for the coach. All in one transaction, audited
//! (record type `contact`).

use kindred_domain::audit::AuditAction;
use kindred_domain::contact::{
    Contact, ContactFields, ContactInput, FieldChange, NewContact, Revision, fulfils,
};
use kindred_domain::ids::{ContactId, GroupSessionId, ParticipantId, UserId};
use kindred_domain::tasks::Task;
use kindred_domain::{FieldErrors, vocabulary::Vocabulary};
use kindred_storage::{ContactQuery, Session, StoredParticipant, Write};
use time::OffsetDateTime;

use crate::audit::entry;
use crate::participants::{authorised, facts};
use crate::policy::{self, ParticipantAction};
use crate::{Actor, App, AppError, Result};

pub(crate) const RECORD: &str = "contact";
/// Contacts per page on the lists.
pub const PAGE_SIZE: i64 = 20;

/// Which contacts to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct ContactFilter {
    pub participant: Option<ParticipantId>,
    pub coach: Option<UserId>,
    /// 1-based.
    pub page: i64,
}

/// One page of contacts, newest first.
#[derive(Debug, Clone)]
pub struct ContactPage {
    pub contacts: Vec<Contact>,
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

/// What the log-a-contact form offers for a participant.
#[derive(Debug, Clone)]
pub struct ContactOptions {
    pub participant: StoredParticipant,
    /// Open protocol-step tasks whose window is open or overdue, soonest due first.
    pub steps: Vec<Task>,
}

/// Short description for the audit log: never the note.
fn summary(reference: &str, fields: &ContactFields) -> String {
    let kinds: Vec<&str> = fields.support_kinds.iter().map(|k| k.code()).collect();
    format!(
        "{reference}: {} min {} {} ({})",
        fields.minutes,
        fields.mode.code(),
        fields.occurred_at.date(),
        kinds.join(", ")
    )
}

/// Saves a contact and makes the task changes it implies. Shared by single contacts and
/// group sessions; the caller has checked the policy.
pub(crate) async fn record_contact(
    tx: &mut Session<Write>,
    actor: &Actor,
    stored: &StoredParticipant,
    new: &NewContact,
    group_session: Option<GroupSessionId>,
    now: OffsetDateTime,
) -> Result<ContactId> {
    let on = new.fields.occurred_at.date();
    if let Some(task_id) = new.task_id {
        let task =
            tx.task(task_id).await?.filter(|t| t.participant_id == new.participant_id).ok_or_else(
                || FieldErrors::single("task_id", "is not a task of this participant"),
            )?;
        if !fulfils(&task, on) {
            return Err(FieldErrors::single(
                "task_id",
                "is not an open protocol step whose window has opened by the contact's date",
            )
            .into());
        }
    }
    let id = ContactId::generate();
    let me = actor.user_id();
    tx.insert_contact(id, me, new, group_session, now).await?;
    let mut detail = summary(&stored.participant.reference, &new.fields);
    if let Some(task_id) = new.task_id {
        tx.complete_task(task_id, id, on, me, now).await?;
        detail.push_str(&format!("; did task {task_id}"));
    }
    let closed = tx.complete_follow_ups(new.participant_id, id, on, me, now).await?;
    if closed > 0 {
        detail.push_str(&format!("; closed {closed} follow-up(s)"));
    }
    if let Some(next) = new.fields.next_follow_up_on {
        let task = tx.insert_follow_up_task(new.participant_id, me, next, now).await?;
        detail.push_str(&format!("; follow-up {task} on {next}"));
    }
    tx.append_audit(now, entry(actor, AuditAction::Create, RECORD, Some(id.to_string()), detail))
        .await?;
    Ok(id)
}

impl App {
    /// The participant and the protocol steps a contact today may fulfil (for the form).
    pub async fn contact_options(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<ContactOptions> {
        let mut session = actor.tenant().read().await?;
        let stored =
            authorised(&mut session, actor, participant, ParticipantAction::SeeWork).await?;
        let today = self.clock().today();
        let mut steps: Vec<Task> = session
            .tasks_of_participant(participant)
            .await?
            .into_iter()
            .filter(|t| fulfils(t, today))
            .collect();
        steps.sort_by_key(|t| t.due_on);
        drop(session);
        let detail = format!("{}: {} steps offered", stored.participant.reference, steps.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "task", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(ContactOptions { participant: stored, steps })
    }

    /// Logs a contact (and closes or makes the tasks it implies).
    pub async fn log_contact(&self, actor: &Actor, input: &ContactInput) -> Result<Contact> {
        let now = self.clock().now();
        let new = NewContact::parse(input, now)?;
        let mut tx = actor.tenant().write().await?;
        let stored = match tx.participant(new.participant_id).await? {
            Some(stored) => stored,
            // An unknown participant in a body is a field problem, not a missing page.
            None => {
                return Err(FieldErrors::single("participant_id", "is not a participant").into());
            }
        };
        policy::participant(actor, &facts(&stored), ParticipantAction::RecordWork)?;
        let id = record_contact(&mut tx, actor, &stored, &new, None, now).await?;
        tx.commit().await?;
        // Read back on a read connection: SQLite has one writer, so the less it holds the
        // write transaction, the more contacts per second it logs.
        let contact = actor.tenant().read().await?.contact(id).await?;
        contact.ok_or(AppError::NotFound)
    }

    /// One contact, if the actor may see its participant's contacts.
    pub async fn contact(&self, actor: &Actor, id: ContactId) -> Result<Contact> {
        let mut session = actor.tenant().read().await?;
        let contact = session.contact(id).await?.ok_or(AppError::NotFound)?;
        let stored =
            authorised(&mut session, actor, contact.participant_id, ParticipantAction::SeeWork)
                .await?;
        drop(session);
        let detail = format!("{}: contact", stored.participant.reference);
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        Ok(contact)
    }

    /// Edits a contact, keeping what each changed field was. An edit that changes nothing
    /// saves nothing.
    pub async fn update_contact(
        &self,
        actor: &Actor,
        id: ContactId,
        input: &ContactInput,
    ) -> Result<Contact> {
        let now = self.clock().now();
        let mut tx = actor.tenant().write().await?;
        let current = tx.contact(id).await?.ok_or(AppError::NotFound)?;
        let stored =
            authorised(&mut tx, actor, current.participant_id, ParticipantAction::RecordWork)
                .await?;
        let (fields, changes) = current.apply(input, now)?;
        if changes.is_empty() {
            return Ok(current);
        }
        tx.update_contact(id, current.version, &fields, &changes, actor.user_id(), now).await?;
        let names: Vec<&str> = changes.iter().map(|c: &FieldChange| c.field.as_str()).collect();
        let detail = format!("{}: changed {}", stored.participant.reference, names.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let updated = tx.contact(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// A contact's edit history, oldest first.
    pub async fn contact_revisions(&self, actor: &Actor, id: ContactId) -> Result<Vec<Revision>> {
        let mut session = actor.tenant().read().await?;
        let contact = session.contact(id).await?.ok_or(AppError::NotFound)?;
        let stored =
            authorised(&mut session, actor, contact.participant_id, ParticipantAction::SeeWork)
                .await?;
        let revisions = session.contact_revisions(id).await?;
        drop(session);
        let detail =
            format!("{}: {} revisions of contact", stored.participant.reference, revisions.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        Ok(revisions)
    }

    /// Contacts of one participant, or by one coach (or everyone the actor may see), newest
    /// first, a page at a time.
    pub async fn contacts(&self, actor: &Actor, filter: &ContactFilter) -> Result<ContactPage> {
        let mut session = actor.tenant().read().await?;
        let mut query = ContactQuery { limit: PAGE_SIZE, ..Default::default() };
        let mut about = Vec::new();
        if let Some(participant) = filter.participant {
            let stored =
                authorised(&mut session, actor, participant, ParticipantAction::SeeWork).await?;
            query.participant = Some(participant);
            about.push(stored.participant.reference);
        }
        if filter.coach.is_some() || filter.participant.is_none() {
            let coach = match filter.coach {
                Some(id) => Some(session.user(id).await?.ok_or(AppError::NotFound)?),
                None => None,
            };
            let scope = policy::contact_list(actor, coach.as_ref())?;
            query.coach = scope.coach;
            query.team_of = scope.team_of;
            if let Some(coach) = &coach {
                about.push(format!("coach {}", coach.id));
            }
        }
        let page = filter.page.max(1);
        query.offset = (page - 1) * PAGE_SIZE;
        let total = session.count_contacts(&query).await?;
        let contacts = session.contacts(&query).await?;
        drop(session);
        let detail = format!("{} contacts of {}: page {page}", total, about.join(", "));
        self.audit_read(actor, entry(actor, AuditAction::List, RECORD, None, detail)).await?;
        let page_count = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Ok(ContactPage { contacts, total, page, page_count })
    }
}
