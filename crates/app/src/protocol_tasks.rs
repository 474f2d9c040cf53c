//! Protocol steps made due: when a participant is enrolled in or moved to a program, each of
//! its steps becomes a task dated from the step's anchor (the enrolment date, or the first
//! appointment of the step's kind once one is scheduled). Moving program cancels the old
//! program's open steps; leaving the service cancels every open task.

use kindred_domain::ids::ProgramId;
use kindred_domain::participant::Participant;
use kindred_domain::vocabulary::{AppointmentKind, ParticipantStatus, StepAnchor, Vocabulary};
use kindred_storage::{
    CancelScope, Grant, Identifies, Session, StepTask, StepTaskRefresh, Write, Writes,
};
use time::{Date, OffsetDateTime};

use crate::Result;

/// Whether a participant in this status is receiving the program.
fn in_service(status: ParticipantStatus) -> bool {
    matches!(status, ParticipantStatus::Active | ParticipantStatus::SteppedDown)
}

/// Brings the participant's tasks in line with an enrolment (`before` is `None`) or a change.
/// A participant returning to active after leaving gets no tasks back: their steps' windows
/// were measured from an enrolment that is over, and a new enrolment is the honest record.
pub(crate) async fn follow_participant<A: Writes + Identifies>(
    tx: &mut Session<Write>,
    grant: &Grant<A>,
    before: Option<&Participant>,
    after: &Participant,
    now: OffsetDateTime,
) -> Result<()> {
    let enrolment = &after.enrolment;
    if !in_service(enrolment.status) {
        if before.is_some_and(|b| in_service(b.enrolment.status)) {
            let reason = format!("participant {}", enrolment.status.label().to_lowercase());
            tx.cancel_open_tasks(grant, CancelScope::All, &reason, None, now).await?;
        }
        return Ok(());
    }
    let Some(before) = before else {
        if let Some(program) = enrolment.program_id {
            schedule(
                tx,
                grant,
                program,
                enrolment.enrolled_on,
                StepTaskRefresh::ReopenCancelled,
                now,
            )
            .await?;
        }
        return Ok(());
    };
    if !in_service(before.enrolment.status) {
        return Ok(());
    }
    if before.enrolment.program_id != enrolment.program_id {
        if let Some(old) = before.enrolment.program_id {
            let reason = "moved to another program";
            tx.cancel_open_tasks(grant, CancelScope::ProgramSteps(old), reason, None, now).await?;
        }
        if let Some(program) = enrolment.program_id {
            schedule(
                tx,
                grant,
                program,
                enrolment.enrolled_on,
                StepTaskRefresh::ReopenCancelled,
                now,
            )
            .await?;
        }
    } else if before.enrolment.enrolled_on != enrolment.enrolled_on
        && let Some(program) = enrolment.program_id
    {
        schedule(tx, grant, program, enrolment.enrolled_on, StepTaskRefresh::OpenOnly, now).await?;
    }
    Ok(())
}

/// Re-dates (or creates, or cancels) the steps of the participant's program measured from
/// their first appointment of `kind`, after one of their appointments changed.
pub(crate) async fn follow_appointments<A: Writes + Identifies>(
    tx: &mut Session<Write>,
    grant: &Grant<A>,
    participant: &Participant,
    kind: AppointmentKind,
    now: OffsetDateTime,
) -> Result<()> {
    let enrolment = &participant.enrolment;
    let (Some(program), true) = (enrolment.program_id, in_service(enrolment.status)) else {
        return Ok(());
    };
    let first = tx.first_appointment_on(grant, kind).await?;
    for step in tx.protocol_steps(program).await? {
        if step.anchor != StepAnchor::FirstAppointment || step.appointment_kind != Some(kind) {
            continue;
        }
        match first {
            Some(anchor) => {
                let task = step_task(program, &step, anchor);
                tx.upsert_step_task(grant, &task, StepTaskRefresh::OpenOnly, now).await?;
            }
            None => {
                let reason = "the appointment it was measured from was cancelled";
                tx.cancel_step_task(grant, program, &step.code, reason, now).await?;
            }
        }
    }
    Ok(())
}

async fn schedule<A: Writes + Identifies>(
    tx: &mut Session<Write>,
    grant: &Grant<A>,
    program: ProgramId,
    enrolled_on: Date,
    refresh: StepTaskRefresh,
    now: OffsetDateTime,
) -> Result<()> {
    for step in tx.protocol_steps(program).await? {
        let anchor = match (step.anchor, step.appointment_kind) {
            (StepAnchor::Enrolment, _) => Some(enrolled_on),
            (StepAnchor::FirstAppointment, Some(kind)) => {
                tx.first_appointment_on(grant, kind).await?
            }
            (StepAnchor::FirstAppointment, None) => None,
        };
        if let Some(anchor) = anchor {
            let task = step_task(program, &step, anchor);
            tx.upsert_step_task(grant, &task, refresh, now).await?;
        }
    }
    Ok(())
}

fn step_task(
    program: ProgramId,
    step: &kindred_domain::programs::ProtocolStep,
    anchor: Date,
) -> StepTask {
    StepTask {
        program_id: program,
        step_code: step.code.clone(),
        title: step.name.clone(),
        schedule: step.schedule(anchor),
    }
}
