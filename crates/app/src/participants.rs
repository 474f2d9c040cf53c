//! Enrolling, viewing, editing and listing participants.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{ParticipantId, ProgramId, UserId};
use kindred_domain::participant::{
    Baseline, Enrolment, NewParticipant, Participant, ParticipantInput,
};
use kindred_domain::user::User;
use kindred_domain::vocabulary::{ParticipantStatus, Role};
use kindred_storage::{
    Edit, Enrol, Grant, Identified, Identifies, ParticipantFacts, ParticipantQuery,
    ParticipantSummary, RecordWork, Research, ResearchRecord, SeeWork, Session, StoredParticipant,
    Write,
};
use time::{Date, OffsetDateTime};

use crate::assignment::{EligibilityOverride, check_eligibility, record_assignment};
use crate::audit::entry;
use crate::caseload_glance::{self, Glance};
use crate::paging::COUNT_CAP;
use crate::policy::{self, Blinding, Measurement, Measures, ParticipantAction, Permission};
use crate::programs::ProgramSummary;
use crate::{Actor, App, AppError, Result, follow_up_sweep, protocol_tasks};

/// Rows per caseload page.
pub const PAGE_SIZE: i64 = 50;

/// What the actor may do to a participant's record: what a page offers (the use cases check
/// again when it is done).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParticipantPermissions {
    pub edit: bool,
    pub consents: bool,
    pub see_work: bool,
    pub record_work: bool,
    pub cancel_tasks: bool,
    pub exclude: bool,
}

/// A participant's identified record, with what the actor may do to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRecord {
    pub participant: Participant,
    pub coach_name: Option<String>,
    pub program_name: Option<String>,
    pub may: ParticipantPermissions,
}

/// The de-identified research record: no names, date of birth or contact details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResearchParticipant {
    pub id: ParticipantId,
    pub reference: String,
    pub enrolment: Enrolment,
    pub baseline: Baseline,
    pub program_name: Option<String>,
}

impl From<ResearchRecord> for ResearchParticipant {
    fn from(r: ResearchRecord) -> Self {
        Self {
            id: r.id,
            reference: r.reference,
            enrolment: r.enrolment,
            baseline: r.baseline,
            program_name: r.program_name,
        }
    }
}

/// One line of a caseload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseloadEntry {
    pub id: ParticipantId,
    pub reference: String,
    pub display_name: String,
    pub status: ParticipantStatus,
    pub enrolled_on: Date,
    pub coach_id: Option<UserId>,
    pub coach_name: Option<String>,
    pub program_id: Option<ProgramId>,
    pub program_name: Option<String>,
    /// The figures at a glance, when the listing asked for them and the actor may see the
    /// participant's work.
    pub glance: Option<Glance>,
}

impl From<ParticipantSummary> for CaseloadEntry {
    fn from(s: ParticipantSummary) -> Self {
        Self {
            id: s.id,
            reference: s.reference,
            display_name: s.display_name,
            status: s.status,
            enrolled_on: s.enrolled_on,
            coach_id: s.coach_id,
            coach_name: s.coach_name,
            program_id: s.program_id,
            program_name: s.program_name,
            glance: None,
        }
    }
}

/// A participant as the actor may see them.
#[derive(Debug, Clone)]
pub enum ParticipantView {
    Identified(Box<ParticipantRecord>),
    Research(ResearchParticipant),
}

/// What to show of a caseload.
#[derive(Debug, Clone, Default)]
pub struct CaseloadFilter {
    pub status: Option<ParticipantStatus>,
    pub search: Option<String>,
    /// 1-based.
    pub page: i64,
    /// Whether identified entries carry their figures at a glance (what the caseload shows;
    /// a picker of people does not need them).
    pub at_a_glance: bool,
}

/// A page of the participants the actor may list.
#[derive(Debug, Clone)]
pub enum CaseloadEntries {
    Identified(Vec<CaseloadEntry>),
    Research(Vec<ResearchParticipant>),
}

#[derive(Debug, Clone)]
pub struct Caseload {
    pub entries: CaseloadEntries,
    /// How many match, counted up to [`COUNT_CAP`]; `capped` says there are more.
    pub total: i64,
    pub capped: bool,
    pub page: i64,
    pub page_count: i64,
}

impl App {
    /// The policy's grant of `A` on a participant of the actor's organisation: the gate every
    /// use case on one participant's record goes through. A participant of another
    /// organisation is not found.
    pub(crate) async fn authorise<A: Permission, M>(
        &self,
        session: &mut Session<M>,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Grant<A>> {
        let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
        self.policy.grant(actor, &facts)
    }

    /// `A` for measuring the participant's outcomes — their follow-up record and assessments —
    /// which a research assessor may hold for a participant of a blinded study (see
    /// `policy::blinding`); with those studies, for the second look once the time point of an
    /// assessment is known.
    pub(crate) async fn authorise_measurement<A: Measures, M>(
        &self,
        session: &mut Session<M>,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<(Grant<A>, Blinding)> {
        let facts = session.participant_facts(participant).await?.ok_or(AppError::NotFound)?;
        let blinding = Blinding::of(session, &facts).await?;
        let grant = self.policy.measure(actor, &facts, &blinding, Measurement::Any)?;
        Ok((grant, blinding))
    }

    /// What the actor may do to this participant's record.
    pub(crate) fn permissions(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
    ) -> ParticipantPermissions {
        let may = |action| self.policy.allows(actor, facts, action);
        ParticipantPermissions {
            edit: may(ParticipantAction::Edit),
            consents: may(ParticipantAction::Consents),
            see_work: may(ParticipantAction::SeeWork),
            record_work: may(ParticipantAction::RecordWork),
            cancel_tasks: may(ParticipantAction::CancelTasks),
            exclude: may(ParticipantAction::Exclude),
        }
    }

    /// The identified record under a grant, with what the actor may do to it.
    pub(crate) async fn record<A: Identifies, M>(
        &self,
        session: &mut Session<M>,
        actor: &Actor,
        grant: &Grant<A>,
    ) -> Result<ParticipantRecord> {
        let stored = session.participant(grant).await?;
        Ok(self.to_record(actor, grant.facts(), stored))
    }

    pub(crate) fn to_record(
        &self,
        actor: &Actor,
        facts: &ParticipantFacts,
        stored: StoredParticipant,
    ) -> ParticipantRecord {
        ParticipantRecord {
            participant: stored.participant,
            coach_name: stored.coach_name,
            program_name: stored.program_name,
            may: self.permissions(actor, facts),
        }
    }

    /// The participants the actor may see, a page at a time.
    pub async fn caseload(&self, actor: &Actor, filter: &CaseloadFilter) -> Result<Caseload> {
        let page = filter.page.max(1);
        let query = ParticipantQuery {
            status: filter.status,
            search: filter.search.clone(),
            limit: PAGE_SIZE,
            offset: (page - 1).saturating_mul(PAGE_SIZE),
            count_up_to: COUNT_CAP + 1,
        };
        let mut session = actor.tenant().read().await?;
        // Identified if the actor may see identities; otherwise the research record, if that.
        let (entries, total, references) = match self.policy.scope::<Identified>(actor) {
            Ok(scope) => {
                let (rows, total) = session.participants(&scope, &query).await?;
                let references: Vec<String> = rows.iter().map(|r| r.reference.clone()).collect();
                let mut rows: Vec<CaseloadEntry> =
                    rows.into_iter().map(CaseloadEntry::from).collect();
                // The figures are the participants' work: only for an actor who may see it.
                if filter.at_a_glance
                    && let Ok(work) = self.policy.scope::<SeeWork>(actor)
                {
                    caseload_glance::fill(&mut session, &work, &mut rows, self.clock().now())
                        .await?;
                }
                (CaseloadEntries::Identified(rows), total, references)
            }
            Err(_) => {
                let scope = self.policy.scope::<Research>(actor)?;
                let (rows, total) = session.research_records(&scope, &query).await?;
                let references: Vec<String> = rows.iter().map(|r| r.reference.clone()).collect();
                let rows = rows.into_iter().map(ResearchParticipant::from).collect();
                (CaseloadEntries::Research(rows), total, references)
            }
        };
        drop(session);
        let detail = format!("listed {} of {total}: {}", references.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "participant", None, detail))
            .await?;
        let capped = total > COUNT_CAP;
        let total = total.min(COUNT_CAP);
        Ok(Caseload {
            entries,
            total,
            capped,
            page,
            page_count: (total + PAGE_SIZE - 1) / PAGE_SIZE,
        })
    }

    /// One participant, as much as the actor may see.
    pub async fn participant(&self, actor: &Actor, id: ParticipantId) -> Result<ParticipantView> {
        let mut session = actor.tenant().read().await?;
        let facts = session.participant_facts(id).await?.ok_or(AppError::NotFound)?;
        let view = match self.policy.grant::<Identified>(actor, &facts) {
            Ok(grant) => ParticipantView::Identified(Box::new(
                self.record(&mut session, actor, &grant).await?,
            )),
            Err(_) => {
                let grant = self.policy.grant::<Research>(actor, &facts)?;
                ParticipantView::Research(session.research_record(&grant).await?.into())
            }
        };
        drop(session);
        let reference = facts.reference().to_owned();
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "participant", Some(id.to_string()), reference),
        )
        .await?;
        Ok(view)
    }

    /// The identified participant, for a page that does `action` to their record; refused,
    /// with the policy's reason, when the actor may not (an evaluator, who sees the research
    /// record only, included).
    pub async fn participant_for(
        &self,
        actor: &Actor,
        id: ParticipantId,
        action: ParticipantAction,
    ) -> Result<ParticipantRecord> {
        let mut session = actor.tenant().read().await?;
        let facts = session.participant_facts(id).await?.ok_or(AppError::NotFound)?;
        if !self.policy.allows(actor, &facts, action) {
            return Err(policy::refusal(action));
        }
        let grant = self.policy.grant::<Identified>(actor, &facts)?;
        let record = self.record(&mut session, actor, &grant).await?;
        drop(session);
        let reference = facts.reference().to_owned();
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "participant", Some(id.to_string()), reference),
        )
        .await?;
        Ok(record)
    }

    /// The identified participant, for the pages that administer an instrument to them and
    /// show the result: for their caseload's staff, or a research assessor of their blinded
    /// study. Its `may.record_work` says whether the actor may administer one.
    pub async fn assessment_subject(
        &self,
        actor: &Actor,
        id: ParticipantId,
    ) -> Result<ParticipantRecord> {
        let mut session = actor.tenant().read().await?;
        let (grant, blinding) =
            self.authorise_measurement::<Identified, _>(&mut session, actor, id).await?;
        let mut record = self.record(&mut session, actor, &grant).await?;
        record.may.record_work = self
            .policy
            .measure::<RecordWork>(actor, grant.facts(), &blinding, Measurement::Any)
            .is_ok();
        drop(session);
        let reference = grant.facts().reference().to_owned();
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "participant", Some(id.to_string()), reference),
        )
        .await?;
        Ok(record)
    }

    /// Enrols a participant. A coach enrolling takes them onto their own caseload. Someone
    /// already enrolled with the same name and date of birth is a conflict unless
    /// `allow_duplicate` confirms this is a different person.
    pub async fn enrol(
        &self,
        actor: &Actor,
        input: &ParticipantInput,
        allow_duplicate: bool,
    ) -> Result<ParticipantRecord> {
        let enrolling = self.policy.scope::<Enrol>(actor)?;
        let default_coach = actor.has_role(Role::Coach).then(|| actor.user_id());
        let today = self.clock().today();
        let new = NewParticipant::parse(input, today, default_coach)?;
        let mut tx = actor.tenant().write().await?;
        let reason = input.coach_override_reason.as_deref();
        let eligibility =
            check_references(&mut tx, actor, &new.enrolment, ALL_NEW, reason, today).await?;
        if !allow_duplicate
            && let Some((_, reference)) = tx.possible_duplicate(&enrolling, &new.identity).await?
        {
            return Err(AppError::Conflict(format!(
                "{reference} is already enrolled with the same name and date of birth; \
                 if this is a different person, confirm to enrol anyway"
            )));
        }
        let id = ParticipantId::generate();
        let reference = format!("P-{:04}", tx.next_counter("participant").await?);
        let now = self.clock().now();
        tx.insert_participant(&enrolling, id, &reference, &new, now).await?;
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
        let facts = tx.participant_facts(id).await?.ok_or(AppError::NotFound)?;
        let grant = self.policy.newly_enrolled(&enrolling, &facts);
        let coach = new.enrolment.coach_id;
        record_assignment(&mut tx, &grant, actor, coach, eligibility, now).await?;
        let stored = tx.participant(&grant).await?;
        protocol_tasks::follow_participant(&mut tx, &grant, None, &stored.participant, now).await?;
        follow_up_sweep::sweep_one(&mut tx, &self.policy.follow_on_work(&grant), today, now)
            .await?;
        tx.commit().await?;
        Ok(self.to_record(actor, &facts, stored))
    }

    /// Changes the fields present in `input`. With `expected_version`, refuses (409) if
    /// someone else saved since that version was read.
    pub async fn update_participant(
        &self,
        actor: &Actor,
        id: ParticipantId,
        input: &ParticipantInput,
        expected_version: Option<i64>,
    ) -> Result<ParticipantRecord> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<Edit, _>(&mut tx, actor, id).await?;
        let stored = tx.participant(&grant).await?;
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
            return Ok(self.to_record(actor, grant.facts(), stored));
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
        tx.update_participant(&grant, &next, now).await?;
        let detail = format!("{}: changed {}", current.reference, changed.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "participant", Some(id.to_string()), detail),
        )
        .await?;
        if coach_changed || eligibility.is_some() {
            record_assignment(&mut tx, &grant, actor, next.enrolment.coach_id, eligibility, now)
                .await?;
        }
        if coach_changed {
            move_open_tasks(&mut tx, &grant, actor, next.enrolment.coach_id, now).await?;
        }
        protocol_tasks::follow_participant(&mut tx, &grant, Some(current), &next, now).await?;
        follow_up_sweep::sweep_one(&mut tx, &self.policy.follow_on_work(&grant), today, now)
            .await?;
        let updated = tx.participant(&grant).await?;
        let facts = tx.participant_facts(id).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(self.to_record(actor, &facts, updated))
    }

    /// Refuses, with the policy's reason, an actor who may not enrol participants (before an
    /// enrolment form is shown).
    pub fn may_enrol(&self, actor: &Actor) -> Result<()> {
        self.policy.scope::<Enrol>(actor).map(|_| ())
    }

    /// The coaches `actor` may assign participants to (for the enrolment form).
    pub async fn assignable_coaches(&self, actor: &Actor) -> Result<Vec<User>> {
        let users = actor.tenant().read().await?.users().await?;
        Ok(users.into_iter().filter(|u| policy::assign_coach(actor, u).is_ok()).collect())
    }

    /// The organisation's programs.
    pub async fn programs(&self, actor: &Actor) -> Result<Vec<ProgramSummary>> {
        let programs = actor.tenant().read().await?.programs().await?;
        Ok(programs.into_iter().map(ProgramSummary::from).collect())
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

/// Moves the participant's open tasks to their new coach (and escalations to the new coach's
/// supervisor), and records the move in the audit log. Done tasks keep who did them.
async fn move_open_tasks(
    tx: &mut Session<Write>,
    grant: &Grant<Edit>,
    actor: &Actor,
    new_coach: Option<UserId>,
    now: OffsetDateTime,
) -> Result<()> {
    let facts = grant.facts();
    let new_supervisor = match new_coach {
        Some(coach) => tx.user(coach).await?.and_then(|u| u.supervisor_id),
        None => None,
    };
    let from = (facts.coach_id(), facts.coach_supervisor_id());
    let moved = tx.move_open_tasks(grant, from, (new_coach, new_supervisor)).await?;
    if moved > 0 {
        let to = new_coach.map(|c| c.to_string()).unwrap_or_else(|| "nobody".into());
        let detail = format!("{}: {moved} open task(s) moved to coach {to}", facts.reference());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "task", Some(facts.id().to_string()), detail),
        )
        .await?;
    }
    Ok(())
}
