//! Logging, reading, editing and listing contacts. A contact is the record that closes work:
//! the protocol step it names becomes done on the contact's date (so a step done after its
//! window counts as not on time), open follow-ups due by then are closed, and a next
//! follow-up date makes a new follow-up task for the coach. All in one transaction, audited
//! (record type `contact`).

use kindred_domain::audit::AuditAction;
use kindred_domain::contact::{
    Contact, ContactFields, ContactInput, FieldChange, NewContact, Revision, check_component,
    fulfils,
};
use kindred_domain::ids::{ContactId, GroupSessionId, ParticipantId, UserId};
use kindred_domain::tasks::Task;
use kindred_domain::vocabulary::Role;
use kindred_domain::{FieldErrors, vocabulary::Vocabulary};
use kindred_storage::{ContactQuery, Grant, Reach, RecordWork, SeeWork, Session, Write};
use time::OffsetDateTime;

use crate::audit::entry;
use crate::participants::ParticipantRecord;
use crate::{Actor, App, AppError, Result};

pub(crate) const RECORD: &str = "contact";
/// Contacts per page on the lists.
pub const PAGE_SIZE: i64 = 20;

/// Which contacts to list: one participant's, or those of everyone the actor works with
/// (optionally only those one coach made).
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
    /// How many match, counted up to [`kindred_storage::COUNT_CAP`]; `capped` says there are
    /// more (narrow the list by coach or participant to count them).
    pub total: i64,
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
    /// The coaches the list can be narrowed to (a supervisor's team, or every coach for a
    /// manager; none for a coach, whose list is their caseload).
    pub coach_choices: Vec<(UserId, String)>,
}

/// What the log-a-contact form offers for a participant.
#[derive(Debug, Clone)]
pub struct ContactOptions {
    pub participant: ParticipantRecord,
    /// Open protocol-step tasks whose window is open or overdue, soonest due first.
    pub steps: Vec<Task>,
    /// The names of the participant's program's components (empty without a program or
    /// components): what the contact may say it delivered.
    pub components: Vec<String>,
}

/// The participant's program's component names, for the form and the check.
pub(crate) async fn program_components<M>(
    session: &mut Session<M>,
    facts: &kindred_storage::ParticipantFacts,
) -> Result<Vec<String>> {
    let Some(program) = facts.program_id() else { return Ok(Vec::new()) };
    Ok(session
        .program_definition(program)
        .await?
        .map(|p| p.definition.components.into_iter().map(|c| c.name).collect())
        .unwrap_or_default())
}

/// Refuses a component that is not one of the participant's program's.
async fn check_contact_component<M>(
    session: &mut Session<M>,
    facts: &kindred_storage::ParticipantFacts,
    fields: &ContactFields,
) -> Result<()> {
    let Some(named) = fields.component.as_deref() else { return Ok(()) };
    let components = program_components(session, facts).await?;
    check_component(Some(named), components.iter().map(String::as_str))
        .map_err(|message| FieldErrors::single("component", message).into())
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
    grant: &Grant<RecordWork>,
    new: &NewContact,
    group_session: Option<GroupSessionId>,
    now: OffsetDateTime,
) -> Result<ContactId> {
    let on = new.fields.occurred_at.date();
    check_contact_component(tx, grant.facts(), &new.fields).await?;
    if let Some(task_id) = new.task_id {
        let task = tx
            .task(grant, task_id)
            .await?
            .ok_or_else(|| FieldErrors::single("task_id", "is not a task of this participant"))?;
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
    tx.insert_contact(grant, id, me, new, group_session, now).await?;
    let mut detail = summary(grant.facts().reference(), &new.fields);
    if let Some(task_id) = new.task_id {
        tx.complete_task(grant, task_id, id, on, me, now).await?;
        detail.push_str(&format!("; did task {task_id}"));
    }
    let closed = tx.complete_follow_ups(grant, id, on, me, now).await?;
    if closed > 0 {
        detail.push_str(&format!("; closed {closed} follow-up(s)"));
    }
    if let Some(next) = new.fields.next_follow_up_on {
        let task = tx.insert_follow_up_task(grant, me, next, now).await?;
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
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let record = self.record(&mut session, actor, &grant).await?;
        let today = self.clock().today();
        let mut steps: Vec<Task> = session
            .tasks_of_participant(&grant)
            .await?
            .into_iter()
            .filter(|t| fulfils(t, today))
            .collect();
        steps.sort_by_key(|t| t.due_on);
        let components = program_components(&mut session, grant.facts()).await?;
        drop(session);
        let detail = format!("{}: {} steps offered", grant.facts().reference(), steps.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "task", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(ContactOptions { participant: record, steps, components })
    }

    /// Logs a contact (and closes or makes the tasks it implies).
    pub async fn log_contact(&self, actor: &Actor, input: &ContactInput) -> Result<Contact> {
        let now = self.clock().now();
        let new = NewContact::parse(input, now)?;
        let mut tx = actor.tenant().write().await?;
        let Some(facts) = tx.participant_facts(new.participant_id).await? else {
            // An unknown participant in a body is a field problem, not a missing page.
            return Err(FieldErrors::single("participant_id", "is not a participant").into());
        };
        let grant = self.policy.grant::<RecordWork>(actor, &facts)?;
        let see = self.policy.grant::<SeeWork>(actor, &facts)?;
        let id = record_contact(&mut tx, actor, &grant, &new, None, now).await?;
        tx.commit().await?;
        // Read back on a read connection: SQLite has one writer, so the less it holds the
        // write transaction, the more contacts per second it logs.
        let contact = actor.tenant().read().await?.contact(&see, id).await?;
        contact.ok_or(AppError::NotFound)
    }

    /// One contact, if the actor may see its participant's contacts.
    pub async fn contact(&self, actor: &Actor, id: ContactId) -> Result<Contact> {
        let mut session = actor.tenant().read().await?;
        let owner = session.contact_owner(id).await?.ok_or(AppError::NotFound)?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, owner).await?;
        let contact = session.contact(&grant, id).await?.ok_or(AppError::NotFound)?;
        drop(session);
        let detail = format!("{}: contact", grant.facts().reference());
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
        let owner = tx.contact_owner(id).await?.ok_or(AppError::NotFound)?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, owner).await?;
        let see = self.authorise::<SeeWork, _>(&mut tx, actor, owner).await?;
        let current = tx.contact(&see, id).await?.ok_or(AppError::NotFound)?;
        let (fields, changes) = current.apply(input, now)?;
        if changes.is_empty() {
            return Ok(current);
        }
        // Only a changed component is checked: an old contact keeps the component it
        // delivered even after the participant moved program.
        if changes.iter().any(|c| c.field == "component") {
            check_contact_component(&mut tx, grant.facts(), &fields).await?;
        }
        tx.update_contact(&grant, id, current.version, &fields, &changes, actor.user_id(), now)
            .await?;
        let names: Vec<&str> = changes.iter().map(|c: &FieldChange| c.field.as_str()).collect();
        let detail = format!("{}: changed {}", grant.facts().reference(), names.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let updated = tx.contact(&see, id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// A contact's edit history, oldest first.
    pub async fn contact_revisions(&self, actor: &Actor, id: ContactId) -> Result<Vec<Revision>> {
        let mut session = actor.tenant().read().await?;
        let owner = session.contact_owner(id).await?.ok_or(AppError::NotFound)?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, owner).await?;
        let revisions = session.contact_revisions(&grant, id).await?;
        drop(session);
        let detail =
            format!("{}: {} revisions of contact", grant.facts().reference(), revisions.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        Ok(revisions)
    }

    /// Contacts of one participant, or of everyone the actor works with (optionally only those
    /// one coach made), newest first, a page at a time.
    pub async fn contacts(&self, actor: &Actor, filter: &ContactFilter) -> Result<ContactPage> {
        let page = filter.page.max(1);
        let query = ContactQuery {
            coach: filter.coach,
            limit: PAGE_SIZE,
            offset: (page - 1).saturating_mul(PAGE_SIZE),
        };
        let mut session = actor.tenant().read().await?;
        let scope = self.policy.scope::<SeeWork>(actor)?;
        if let Some(coach) = filter.coach {
            let coach = session.user(coach).await?.ok_or(AppError::NotFound)?;
            crate::policy::filter_by_coach(actor, &coach)?;
        }
        let (found, about) = match filter.participant {
            Some(participant) => {
                let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
                (session.contacts_of(&grant, &query).await?, grant.facts().reference().to_owned())
            }
            None => (session.contacts(&scope, &query).await?, "the caseload".to_owned()),
        };
        let coach_choices = match scope.reach() {
            Reach::Coach(_) => Vec::new(),
            reach => session
                .users()
                .await?
                .into_iter()
                .filter(|u| u.active && u.roles.has(Role::Coach))
                .filter(|u| match reach {
                    Reach::Team(me) => u.id == me || u.supervisor_id == Some(me),
                    _ => true,
                })
                .map(|u| (u.id, u.display_name))
                .collect(),
        };
        drop(session);
        let coach = filter.coach.map(|c| format!(" by coach {c}")).unwrap_or_default();
        let references: Vec<String> =
            found.contacts.iter().map(|c| c.participant_id.to_string()).collect();
        let detail = format!(
            "contacts of {about}{coach}: page {page}, {} shown (participants {})",
            found.contacts.len(),
            references.join(" ")
        );
        self.audit_read(actor, entry(actor, AuditAction::List, RECORD, None, detail)).await?;
        let capped = found.total > kindred_storage::COUNT_CAP;
        let total = found.total.min(kindred_storage::COUNT_CAP);
        let page_count = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
        Ok(ContactPage { contacts: found.contacts, total, capped, page, page_count, coach_choices })
    }
}
