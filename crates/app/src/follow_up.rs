//! Follow-up: program schedules, where each participant stands at each time point, the
//! attempts to reach them, their locator record, administrative exclusions and the list of
//! open windows. A research assessor of a blinded study measures its participants, so they may
//! read the follow-up record and log attempts and locator entries too (`policy::blinding`).
//! Every read and write of a participant's follow-up record is audited (record
//! types `follow_up`, `contact_attempt`, `locator_entry`, `follow_up_exclusion`).

use kindred_domain::audit::AuditAction;
use kindred_domain::follow_up::{FollowUpStatus, escalation_lead, needs_escalation};
use kindred_domain::follow_up_log::{
    AttemptInput, ContactAttempt, Exclusion, ExclusionInput, LocatorEntry, LocatorInput,
    NewAttempt, NewExclusion, NewLocatorEntry, PointStatus, reached, statuses,
};
use kindred_domain::ids::{ContactAttemptId, LocatorEntryId, ParticipantId, ProgramId};
use kindred_domain::schedule::{Schedule, ScheduleInput};
use kindred_domain::vocabulary::{TaskKind, Vocabulary};
use kindred_storage::{Among, Exclude, OpenWindowQuery, RecordWork, SeeWork, Session, Settle};
use time::{Date, Duration};

use crate::audit::entry;
use crate::follow_up_sweep::{sweep_one, sweep_organisation};
use crate::paging::{COUNT_CAP, PAGE_SIZE, Paged};
use crate::policy::{Manager, ParticipantAction};
use crate::{Actor, App, AppError, Result};

/// A participant's follow-up record.
#[derive(Debug, Clone)]
pub struct ParticipantFollowUp {
    pub participant_id: ParticipantId,
    pub reference: String,
    pub program_id: Option<ProgramId>,
    pub today: Date,
    /// Each time point of their program's schedule (empty without a program or schedule).
    pub points: Vec<PointStatus>,
    pub attempts: Vec<ContactAttempt>,
    /// Entries usable today; one naming a person whose consent has lapsed is left out.
    pub locator: Vec<LocatorEntry>,
    /// How many entries were left out because their consent is no longer current.
    pub locator_withheld: usize,
    pub exclusions: Vec<Exclusion>,
    /// Whether the actor may record an exclusion (for showing the form).
    pub can_exclude: bool,
}

/// One open follow-up window on the follow-up list.
#[derive(Debug, Clone)]
pub struct OpenWindow {
    pub participant_id: ParticipantId,
    pub reference: String,
    pub name: String,
    pub coach_name: Option<String>,
    pub program_id: ProgramId,
    pub point: PointStatus,
}

/// A page of open windows, soonest closing first.
#[derive(Debug, Clone)]
pub struct WindowPage {
    pub windows: Vec<OpenWindow>,
    pub paged: Paged,
}

/// Which windows of the follow-up list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowList {
    /// Every open window.
    Open,
    /// Those closing soon with no one reached since they opened (see [`needs_escalation`]).
    Escalated,
}

/// The follow-up list: a page of the open windows or of those escalated.
#[derive(Debug, Clone)]
pub struct FollowUpList {
    pub today: Date,
    pub list: WindowList,
    pub page: WindowPage,
}

/// The schedule of the participant's current program (empty without one).
async fn schedule_of<M>(session: &mut Session<M>, program: Option<ProgramId>) -> Result<Schedule> {
    Ok(match program {
        Some(program) => {
            session.schedules(Some(program)).await?.remove(&program).unwrap_or_default()
        }
        None => Schedule::default(),
    })
}

impl App {
    /// A program's schedule (everyone who may read programs may read it).
    pub async fn program_schedule(&self, actor: &Actor, program: ProgramId) -> Result<Schedule> {
        let mut session = actor.tenant().read().await?;
        session.program_definition(program).await?.ok_or(AppError::NotFound)?;
        Ok(session.schedules(Some(program)).await?.remove(&program).unwrap_or_default())
    }

    /// Replaces a program's schedule, then makes the tasks of windows that are now open.
    pub async fn set_program_schedule(
        &self,
        manager: &Manager<'_>,
        program: ProgramId,
        input: &ScheduleInput,
    ) -> Result<Schedule> {
        let actor = manager.actor();
        let schedule = Schedule::parse(input)?;
        let mut tx = actor.tenant().write().await?;
        let stored = tx.program_definition(program).await?.ok_or(AppError::NotFound)?;
        let now = self.clock().now();
        tx.replace_schedule(program, &schedule).await?;
        let codes: Vec<&str> = schedule.points.iter().map(|p| p.time_point.code.as_str()).collect();
        let detail = format!("{}: schedule {}", stored.definition.name, codes.join(", "));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "program", Some(program.to_string()), detail),
        )
        .await?;
        sweep_organisation(&mut tx, &self.policy, actor.org_id(), self.clock().today(), now)
            .await?;
        tx.commit().await?;
        Ok(schedule)
    }

    /// A participant's follow-up record.
    pub async fn follow_up(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<ParticipantFollowUp> {
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let (grant, _) =
            self.authorise_measurement::<SeeWork, _>(&mut session, actor, participant).await?;
        let enrolment = session.participant(&grant).await?.participant.enrolment;
        let schedule = schedule_of(&mut session, enrolment.program_id).await?;
        let evidence = session.follow_up_evidence(Among::One(&grant)).await?.remove(&participant);
        let points =
            statuses(&schedule, enrolment.enrolled_on, &evidence.unwrap_or_default(), today);
        let consents = session.consents(&grant).await?;
        let (locator, withheld): (Vec<LocatorEntry>, Vec<LocatorEntry>) = session
            .locator_entries(&grant)
            .await?
            .into_iter()
            .partition(|e| e.usable(&consents, today));
        let record = ParticipantFollowUp {
            participant_id: participant,
            reference: grant.facts().reference().to_owned(),
            program_id: enrolment.program_id,
            today,
            points,
            attempts: session.contact_attempts(&grant).await?,
            locator,
            locator_withheld: withheld.len(),
            exclusions: session.follow_up_exclusions(&grant).await?,
            can_exclude: self.policy.allows(actor, grant.facts(), ParticipantAction::Exclude),
        };
        drop(session);
        let detail =
            format!("{}: follow-up, {} locator entries", record.reference, record.locator.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "follow_up", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(record)
    }

    /// Logs an attempt to reach the participant, now.
    pub async fn log_contact_attempt(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &AttemptInput,
    ) -> Result<ContactAttempt> {
        let mut tx = actor.tenant().write().await?;
        let (grant, _) =
            self.authorise_measurement::<RecordWork, _>(&mut tx, actor, participant).await?;
        let today = self.clock().today();
        let program = grant.facts().program_id();
        let attempt = NewAttempt::parse(input, &schedule_of(&mut tx, program).await?, today)?;
        let (id, now) = (ContactAttemptId::generate(), self.clock().now());
        // Logged afterwards: noon that day (the hour is not asked; the day is what counts).
        let at = match attempt.attempted_on {
            Some(day) if day < today => day.midnight().assume_utc() + time::Duration::hours(12),
            _ => now,
        };
        tx.insert_contact_attempt(&grant, id, &attempt, actor.user_id(), at).await?;
        // Reaching them is what the escalation asked for; the assessment task stays open.
        if let (true, Some(program), Some(code)) =
            (reached(attempt.outcome), program, attempt.time_point_code.as_deref())
        {
            let settle = Settle::Done(self.clock().today());
            tx.settle_time_point_tasks(&grant, program, code, Some(TaskKind::Urgent), &settle, now)
                .await?;
        }
        let detail = format!(
            "{}: {} attempt, {}{}",
            grant.facts().reference(),
            attempt.channel.label(),
            attempt.outcome.label(),
            attempt.time_point_code.as_deref().map(|c| format!(" ({c})")).unwrap_or_default()
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "contact_attempt", Some(id.to_string()), detail),
        )
        .await?;
        let logged = tx.contact_attempts(&grant).await?.into_iter().find(|a| a.id == id);
        tx.commit().await?;
        logged.ok_or(AppError::NotFound)
    }

    /// Adds a way to reach the participant; naming a person needs a current consent.
    pub async fn add_locator_entry(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &LocatorInput,
    ) -> Result<LocatorEntry> {
        let mut tx = actor.tenant().write().await?;
        let (grant, _) =
            self.authorise_measurement::<RecordWork, _>(&mut tx, actor, participant).await?;
        let consents = tx.consents(&grant).await?;
        let new = NewLocatorEntry::parse(input, &consents, self.clock().today())?;
        let (id, now) = (LocatorEntryId::generate(), self.clock().now());
        tx.insert_locator_entry(&grant, id, &new, actor.user_id(), now).await?;
        let mut detail = format!("{}: {}", grant.facts().reference(), new.kind.label());
        if let Some(consent) = new.consent_id {
            detail.push_str(&format!(" under consent {consent}"));
        }
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "locator_entry", Some(id.to_string()), detail),
        )
        .await?;
        let added = tx.locator_entries(&grant).await?.into_iter().find(|e| e.id == id);
        tx.commit().await?;
        added.ok_or(AppError::NotFound)
    }

    /// Records (or replaces) an administrative exclusion; its open tasks are cancelled.
    pub async fn record_exclusion(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &ExclusionInput,
    ) -> Result<Exclusion> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<Exclude, _>(&mut tx, actor, participant).await?;
        let program = grant.facts().program_id();
        let exclusion = NewExclusion::parse(input, &schedule_of(&mut tx, program).await?)?;
        let now = self.clock().now();
        tx.upsert_exclusion(&grant, &exclusion, actor.user_id(), now).await?;
        let detail = format!(
            "{}: {} excluded, {}",
            grant.facts().reference(),
            exclusion.time_point_code,
            exclusion.reason.label()
        );
        let record = Some(format!("{participant}/{}", exclusion.time_point_code));
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "follow_up_exclusion", record, detail),
        )
        .await?;
        let work = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        sweep_one(&mut tx, &work, self.clock().today(), now).await?;
        let recorded = tx
            .follow_up_exclusions(&grant)
            .await?
            .into_iter()
            .find(|e| e.time_point_code == exclusion.time_point_code);
        tx.commit().await?;
        recorded.ok_or(AppError::NotFound)
    }

    /// The open follow-up windows of the actor's caseload (own, team or organisation).
    pub async fn follow_up_list(
        &self,
        actor: &Actor,
        list: WindowList,
        page: i64,
    ) -> Result<FollowUpList> {
        let scope = self.policy.scope::<SeeWork>(actor)?;
        let today = self.clock().today();
        let mut session = actor.tenant().read().await?;
        let schedules = session.schedules(None).await?;
        let skip = Paged::offset(page);
        let (mut open, mut counted) = (Vec::new(), 0);
        // One query (and a count) per time point of each schedule, never per participant: a
        // time point's open windows are a range of enrolment days, soonest closing first.
        for (program, schedule) in &schedules {
            for point in &schedule.points {
                let tp = &point.time_point;
                let day = |offset: i32| today - Duration::days(i64::from(offset));
                let lead = escalation_lead(i64::from(tp.window_end_day - tp.window_start_day));
                let enrolled = match list {
                    WindowList::Open => (day(tp.window_end_day), day(tp.window_start_day)),
                    // Closing within the lead: enrolled no later than that many days less.
                    WindowList::Escalated => (
                        day(tp.window_end_day),
                        day(tp.window_start_day).min(day(tp.window_end_day) + Duration::days(lead)),
                    ),
                };
                let query = OpenWindowQuery {
                    program: *program,
                    time_point_code: &tp.code,
                    enrolled,
                    // Escalation leaves out those reached, which only the rows tell: read up
                    // to the cap (a lead's days of enrolments) and filter.
                    limit: match list {
                        WindowList::Open => skip + PAGE_SIZE,
                        WindowList::Escalated => COUNT_CAP + 1,
                    },
                };
                let subjects = session.open_windows(&scope, &query).await?;
                let found = subjects.len();
                let windows = subjects.into_iter().map(|subject| {
                    let window = tp.dates(subject.enrolled_on);
                    let reached = subject.last_reached_on.is_some_and(|d| d >= window.opens_on);
                    let status = FollowUpStatus::WindowOpen;
                    OpenWindow {
                        participant_id: subject.participant_id,
                        reference: subject.reference,
                        name: subject.name,
                        coach_name: subject.coach_name,
                        program_id: *program,
                        point: PointStatus {
                            code: tp.code.clone(),
                            label: tp.label.clone(),
                            instruments: point.instruments.clone(),
                            window,
                            status,
                            completed_on: None,
                            escalate: needs_escalation(&window, status, reached, today),
                        },
                    }
                });
                match list {
                    WindowList::Open => {
                        open.extend(windows);
                        counted +=
                            session.count_open_windows(&scope, &query, COUNT_CAP + 1).await?;
                    }
                    WindowList::Escalated => {
                        let before = open.len();
                        open.extend(windows.filter(|w| w.point.escalate));
                        let kept = i64::try_from(open.len() - before).unwrap_or(COUNT_CAP);
                        // A full read may have had more beyond it: count it as past the cap.
                        counted += if found > usize::try_from(COUNT_CAP).unwrap_or(usize::MAX) {
                            COUNT_CAP + 1
                        } else {
                            kept
                        };
                    }
                }
            }
        }
        drop(session);
        // Each time point's first `skip + PAGE_SIZE` in order hold the whole list's.
        open.sort_by(|a, b| {
            (a.point.window.closes_on, &a.reference).cmp(&(b.point.window.closes_on, &b.reference))
        });
        let windows: Vec<OpenWindow> = open
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(PAGE_SIZE).unwrap_or(usize::MAX))
            .collect();
        let references: Vec<&str> = windows.iter().map(|w| w.reference.as_str()).collect();
        let detail = format!("{} open windows: {}", references.len(), references.join(" "));
        self.audit_read(actor, entry(actor, AuditAction::List, "follow_up", None, detail)).await?;
        Ok(FollowUpList {
            today,
            list,
            page: WindowPage { windows, paged: Paged::new(counted, page.max(1)) },
        })
    }
}
