//! The follow-up sweep: turns each participant's time points into work. When a window is open
//! and nothing is completed, the coach gets an `assessment` task (opens, due and closes with
//! the window); when it closes within 14 days (a short window: in its second half) and no one
//! has reached the participant since it opened, the coach's supervisor gets an `urgent` task; a completed assessment closes both,
//! an administrative exclusion cancels them. Tasks are unique per participant, program, time
//! point and kind, so the sweep can run any number of times. It runs at server start, daily
//! in `serve`, and for one participant on enrolment (a window may already be open).

use kindred_domain::follow_up::FollowUpStatus;
use kindred_domain::follow_up_log::{Evidence, PointStatus, statuses};
use kindred_domain::ids::OrgId;
use kindred_domain::instruments;
use kindred_domain::vocabulary::{ParticipantStatus, TaskKind, Vocabulary};
use kindred_storage::{
    Among, FollowUpSubject, Grant, ParticipantFacts, RecordWork, Session, Settle, TimePointTask,
    Write,
};
use time::{Date, OffsetDateTime};

use crate::policy::Policy;
use crate::{App, Result};

/// What a sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SweepReport {
    /// Assessment tasks made, or re-dated to a corrected window.
    pub assessment_tasks: u64,
    pub escalations: u64,
    /// Tasks closed (done or cancelled): completed, excluded, or no longer scheduled.
    pub closed: u64,
}

/// Whether the participant is still in the program (people who left are not chased, though
/// their time points still count in the rates).
pub(crate) fn followed(status: ParticipantStatus) -> bool {
    matches!(status, ParticipantStatus::Active | ParticipantStatus::SteppedDown)
}

impl App {
    /// Sweeps every organisation. Errors in one organisation do not stop the others.
    pub async fn sweep_follow_ups(&self) -> Result<SweepReport> {
        let mut total = SweepReport::default();
        for org in self.database.organisations().await? {
            let mut tx = self.database.tenant(org.id).write().await?;
            let (today, now) = (self.clock().today(), self.clock().now());
            match sweep_organisation(&mut tx, &self.policy, org.id, today, now).await {
                Ok(report) => {
                    tx.commit().await?;
                    total.assessment_tasks += report.assessment_tasks;
                    total.escalations += report.escalations;
                    total.closed += report.closed;
                }
                Err(error) => tracing::warn!(org = %org.slug, %error, "follow-up sweep failed"),
            }
        }
        Ok(total)
    }
}

/// Sweeps a whole organisation inside `tx`: the system's own work, every participant on their
/// coach's behalf (at start-up, daily, after a schedule changes).
pub(crate) async fn sweep_organisation(
    tx: &mut Session<Write>,
    policy: &Policy,
    org_id: OrgId,
    today: Date,
    now: OffsetDateTime,
) -> Result<SweepReport> {
    let scope = policy.system_scope::<RecordWork>(org_id);
    let grant_of = |facts: &ParticipantFacts| policy.system_grant(facts);
    sweep(tx, Among::All(&scope), &grant_of, today, now).await
}

/// Sweeps one participant inside `tx` (on enrolment, an edit, an assessment).
pub(crate) async fn sweep_one(
    tx: &mut Session<Write>,
    grant: &Grant<RecordWork>,
    today: Date,
    now: OffsetDateTime,
) -> Result<SweepReport> {
    sweep(tx, Among::One(grant), &|_| grant.clone(), today, now).await
}

/// Sweeps the participants among `among` inside `tx`, each under the grant `grant_of` gives.
async fn sweep(
    tx: &mut Session<Write>,
    among: Among<'_, RecordWork>,
    grant_of: &(dyn Fn(&ParticipantFacts) -> Grant<RecordWork> + Sync),
    today: Date,
    now: OffsetDateTime,
) -> Result<SweepReport> {
    let mut report = SweepReport::default();
    report.closed += tx.cancel_stale_time_point_tasks(among, now).await?;
    let subjects = tx.follow_up_subjects(among, None).await?;
    if subjects.is_empty() {
        return Ok(report);
    }
    let schedules = tx.schedules(None).await?;
    let evidence = tx.follow_up_evidence(among).await?;
    let none = Evidence::default();
    for subject in subjects.iter().filter(|s| followed(s.status)) {
        let Some(schedule) = schedules.get(&subject.program_id) else { continue };
        let e = evidence.get(&subject.participant_id).unwrap_or(&none);
        let grant = grant_of(&subject.facts);
        for point in statuses(schedule, subject.enrolled_on, e, today) {
            act_on(tx, &grant, subject, &point, &mut report, today, now).await?;
        }
    }
    Ok(report)
}

async fn act_on(
    tx: &mut Session<Write>,
    grant: &Grant<RecordWork>,
    subject: &FollowUpSubject,
    point: &PointStatus,
    report: &mut SweepReport,
    today: Date,
    now: OffsetDateTime,
) -> Result<()> {
    let program = subject.program_id;
    let task = |kind, assignee_id, title: String, window| TimePointTask {
        program_id: program,
        time_point_code: point.code.clone(),
        kind,
        assignee_id,
        title,
        window,
    };
    match point.status {
        FollowUpStatus::WindowOpen => {
            let title =
                format!("{} follow-up: {}", point.label, instrument_names(&point.instruments));
            let made = tx
                .ensure_time_point_task(
                    grant,
                    &task(TaskKind::Assessment, None, title, point.window),
                    now,
                )
                .await?;
            report.assessment_tasks += u64::from(made);
            if point.escalate {
                let title = format!(
                    "Not reached: {} follow-up window closes on {}",
                    point.label, point.window.closes_on
                );
                let mut window = point.window;
                window.opens_on = today;
                window.due_on = today;
                let urgent = task(TaskKind::Urgent, subject.coach_supervisor_id, title, window);
                report.escalations +=
                    u64::from(tx.ensure_time_point_task(grant, &urgent, now).await?);
            }
        }
        FollowUpStatus::CompletedInWindow | FollowUpStatus::CompletedLate => {
            if let Some(day) = point.completed_on {
                let settle = Settle::Done(day);
                report.closed += tx
                    .settle_time_point_tasks(grant, program, &point.code, None, &settle, now)
                    .await?;
            }
        }
        FollowUpStatus::Administrative(reason) => {
            let settle = Settle::Cancelled(format!("administrative: {}", reason.label()));
            report.closed +=
                tx.settle_time_point_tasks(grant, program, &point.code, None, &settle, now).await?;
        }
        FollowUpStatus::NotYetDue | FollowUpStatus::Missed => {}
    }
    Ok(())
}

/// "BARC-10, PHQ-9" from instrument codes.
pub fn instrument_names(codes: &[String]) -> String {
    let names: Vec<String> = codes
        .iter()
        .map(|code| instruments::find(code).map_or_else(|| code.clone(), |d| d.short_name.clone()))
        .collect();
    if names.is_empty() { "no instruments".into() } else { names.join(", ") }
}
