//! Enrolling, viewing, editing and listing participants.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ParticipantId, UserId};
use kindred_domain::participant::{Enrolment, NewParticipant, ParticipantInput};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{ParticipantStatus, Role};
use kindred_storage::{
    ParticipantQuery, ParticipantSummary, Program, ResearchRecord, Session, StoredParticipant,
};

use time::Date;

use crate::assignment::{EligibilityOverride, check_eligibility, record_assignment};
use crate::audit::entry;
use crate::policy::{self, ParticipantAction, ParticipantFacts, Visibility};
use crate::{Actor, App, AppError, Result, follow_up_sweep, protocol_tasks};

/// Rows per caseload page.
pub const PAGE_SIZE: i64 = 50;

/// A participant as the actor may see them.
#[derive(Debug, Clone)]
pub enum ParticipantView {
    Identified(StoredParticipant),
    Research(ResearchRecord),
}

/// What to show of a caseload.
#[derive(Debug, Clone, Default)]
pub struct CaseloadFilter {
    pub status: Option<ParticipantStatus>,
    pub search: Option<String>,
    /// 1-based.
    pub page: i64,
}

/// A page of the participants the actor may list.
#[derive(Debug, Clone)]
pub enum CaseloadEntries {
    Identified(Vec<ParticipantSummary>),
    Research(Vec<ResearchRecord>),
}

#[derive(Debug, Clone)]
pub struct Caseload {
    pub entries: CaseloadEntries,
    pub total: i64,
    pub page: i64,
    pub page_count: i64,
}

pub(crate) fn facts(stored: &StoredParticipant) -> ParticipantFacts {
    ParticipantFacts {
        coach_id: stored.participant.enrolment.coach_id,
        coach_supervisor_id: stored.coach_supervisor_id,
    }
}

/// The participant, if `actor` may do `action` to their record: the gate every use case on one
/// participant's record goes through. A participant of another organisation is not found.
pub(crate) async fn authorised<M>(
    session: &mut Session<M>,
    actor: &Actor,
    participant: ParticipantId,
    action: ParticipantAction,
) -> Result<StoredParticipant> {
    let stored = session.participant(participant).await?.ok_or(AppError::NotFound)?;
    policy::participant(actor, &facts(&stored), action)?;
    Ok(stored)
}

/// Whether `actor` may do `action` to this participant (for showing or hiding a button; the
/// use case checks again).
pub fn allowed(actor: &Actor, stored: &StoredParticipant, action: ParticipantAction) -> bool {
    policy::participant(actor, &facts(stored), action).is_ok()
}

/// Whether `actor` may cancel this participant's tasks (for showing the button).
pub fn may_cancel_tasks(actor: &Actor, stored: &StoredParticipant) -> bool {
    policy::cancel_task(actor, &facts(stored)).is_ok()
}

impl App {
    /// The participants the actor may see, a page at a time.
    pub async fn caseload(&self, actor: &Actor, filter: &CaseloadFilter) -> Result<Caseload> {
        let (scope, visibility) = policy::caseload(actor)?;
        let page = filter.page.max(1);
        let query = ParticipantQuery {
            scope,
            status: filter.status,
            search: filter.search.clone(),
            limit: PAGE_SIZE,
            offset: (page - 1).saturating_mul(PAGE_SIZE),
        };
        let mut session = actor.tenant().read().await?;
        let (entries, total, references) = match visibility {
            Visibility::Identified => {
                let (rows, total) = session.participants(&query).await?;
                let references: Vec<String> = rows.iter().map(|r| r.reference.clone()).collect();
                (CaseloadEntries::Identified(rows), total, references)
            }
            Visibility::Research => {
                let (rows, total) = session.research_records(&query).await?;
                let references: Vec<String> = rows.iter().map(|r| r.reference.clone()).collect();
                (CaseloadEntries::Research(rows), total, references)
            }
        };
        drop(session);
        let detail = format!("listed {} of {total}: {}", references.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "participant", None, detail))
            .await?;
        Ok(Caseload { entries, total, page, page_count: (total + PAGE_SIZE - 1) / PAGE_SIZE })
    }

    /// One participant, as much as the actor may see.
    pub async fn participant(&self, actor: &Actor, id: ParticipantId) -> Result<ParticipantView> {
        let mut session = actor.tenant().read().await?;
        let stored = session.participant(id).await?.ok_or(AppError::NotFound)?;
        let view = match policy::participant(actor, &facts(&stored), ParticipantAction::View)? {
            Visibility::Identified => ParticipantView::Identified(stored),
            Visibility::Research => ParticipantView::Research(
                session.research_record(id).await?.ok_or(AppError::NotFound)?,
            ),
        };
        drop(session);
        let reference = match &view {
            ParticipantView::Identified(s) => s.participant.reference.clone(),
            ParticipantView::Research(r) => r.reference.clone(),
        };
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "participant", Some(id.to_string()), reference),
        )
        .await?;
        Ok(view)
    }

    /// Enrols a participant. A coach enrolling takes them onto their own caseload. Someone
    /// already enrolled with the same name and date of birth is a conflict unless
    /// `allow_duplicate` confirms this is a different person.
    pub async fn enrol(
        &self,
        actor: &Actor,
        input: &ParticipantInput,
        allow_duplicate: bool,
    ) -> Result<StoredParticipant> {
        policy::enrol(actor)?;
        let default_coach = actor.has_role(Role::Coach).then(|| actor.user_id());
        let today = self.clock().today();
        let new = NewParticipant::parse(input, today, default_coach)?;
        let mut tx = actor.tenant().write().await?;
        let reason = input.coach_override_reason.as_deref();
        let eligibility =
            check_references(&mut tx, actor, &new.enrolment, ALL_NEW, reason, today).await?;
        if !allow_duplicate
            && let Some((_, reference)) = tx.possible_duplicate(&new.identity).await?
        {
            return Err(AppError::Conflict(format!(
                "{reference} is already enrolled with the same name and date of birth; \
                 if this is a different person, confirm to enrol anyway"
            )));
        }
        let id = ParticipantId::generate();
        let reference = format!("P-{:04}", tx.next_counter("participant").await?);
        let now = self.clock().now();
        tx.insert_participant(id, &reference, &new, now).await?;
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "participant",
                Some(id.to_string()),
                reference.clone(),
            ),
        )
        .await?;
        let coach = new.enrolment.coach_id;
        record_assignment(&mut tx, actor, id, &reference, coach, eligibility, now).await?;
        let stored = tx.participant(id).await?.ok_or(AppError::NotFound)?;
        protocol_tasks::follow_participant(&mut tx, None, &stored.participant, now).await?;
        follow_up_sweep::sweep(&mut tx, Some(id), today, now).await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Changes the fields present in `input`. With `expected_version`, refuses (409) if
    /// someone else saved since that version was read.
    pub async fn update_participant(
        &self,
        actor: &Actor,
        id: ParticipantId,
        input: &ParticipantInput,
        expected_version: Option<i64>,
    ) -> Result<StoredParticipant> {
        let mut tx = actor.tenant().write().await?;
        let stored = tx.participant(id).await?.ok_or(AppError::NotFound)?;
        policy::participant(actor, &facts(&stored), ParticipantAction::Edit)?;
        let current = &stored.participant;
        if expected_version.is_some_and(|v| v != current.version) {
            return Err(AppError::Conflict(format!(
                "{} was changed by someone else after you opened it; reload to see their changes",
                current.reference
            )));
        }
        let today = self.clock().today();
        let (next, changed) = current.apply_changes(input, today)?;
        if changed.is_empty() {
            return Ok(stored);
        }
        let coach_changed = next.enrolment.coach_id != current.enrolment.coach_id;
        let program_changed = next.enrolment.program_id != current.enrolment.program_id;
        // Only what this edit changes is judged again.
        let eligibility = if program_changed || coach_changed {
            let reason = input.coach_override_reason.as_deref();
            let changed = Changed { program: program_changed, coach: coach_changed };
            check_references(&mut tx, actor, &next.enrolment, changed, reason, today).await?
        } else {
            None
        };
        let now = self.clock().now();
        tx.update_participant(&next, now).await?;
        let detail = format!("{}: changed {}", current.reference, changed.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "participant", Some(id.to_string()), detail),
        )
        .await?;
        if coach_changed || eligibility.is_some() {
            let (reference, coach) = (&current.reference, next.enrolment.coach_id);
            record_assignment(&mut tx, actor, id, reference, coach, eligibility, now).await?;
        }
        protocol_tasks::follow_participant(&mut tx, Some(current), &next, now).await?;
        follow_up_sweep::sweep(&mut tx, Some(id), today, now).await?;
        let updated = tx.participant(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(updated)
    }

    /// The coaches `actor` may assign participants to (for the enrolment form).
    pub async fn assignable_coaches(&self, actor: &Actor) -> Result<Vec<User>> {
        let users = actor.tenant().read().await?.users().await?;
        Ok(users.into_iter().filter(|u| policy::assign_coach(actor, u).is_ok()).collect())
    }

    /// The organisation's programs.
    pub async fn programs(&self, actor: &Actor) -> Result<Vec<Program>> {
        Ok(actor.tenant().read().await?.programs().await?)
    }

    /// A user of the actor's organisation, by id (for showing names).
    pub async fn colleague(&self, actor: &Actor, id: UserId) -> Result<Option<User>> {
        Ok(actor.tenant().read().await?.user(id).await?)
    }
}

/// What an edit changes of the enrolment (everything, when enrolling).
#[derive(Debug, Clone, Copy)]
struct Changed {
    program: bool,
    coach: bool,
}

const ALL_NEW: Changed = Changed { program: true, coach: true };

/// The program must exist (and be enrolling, if newly chosen); a newly assigned coach must
/// exist and be one the actor may assign; the coach must meet the program's eligibility rules
/// unless a supervisor or manager overrides them with a reason (the override is returned, to
/// be recorded).
async fn check_references<M>(
    session: &mut Session<M>,
    actor: &Actor,
    enrolment: &Enrolment,
    changed: Changed,
    override_reason: Option<&str>,
    today: Date,
) -> Result<Option<EligibilityOverride>> {
    let mut errors = FieldErrors::new();
    if let Some(program) = enrolment.program_id {
        match session.program(program).await? {
            None => errors.add("program_id", "is not a program of this organisation"),
            Some(p) if !p.active && changed.program => {
                errors.add("program_id", format!("{} is not enrolling participants", p.name));
            }
            Some(_) => {}
        }
    }
    if let (Some(coach_id), true) = (enrolment.coach_id, changed.coach) {
        match session.user(coach_id).await? {
            None => errors.add("coach_id", "is not a coach of this organisation"),
            Some(coach) => {
                if let Err(reason) = policy::assign_coach(actor, &coach) {
                    errors.add("coach_id", reason);
                }
            }
        }
    }
    let eligibility = if errors.is_empty() {
        let (program, coach) = (enrolment.program_id, enrolment.coach_id);
        check_eligibility(session, actor, program, coach, override_reason, today, &mut errors)
            .await?
    } else {
        None
    };
    if errors.is_empty() { Ok(eligibility) } else { Err(AppError::Invalid(errors)) }
}
