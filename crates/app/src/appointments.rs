//! A participant's appointments with other services. Scheduling the first appointment of a
//! kind dates the protocol steps measured from it (an escort, a ride); marking one attended or
//! missed records the outcome event.

use kindred_domain::appointments::{Appointment, AppointmentDetails, AppointmentInput};
use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{AppointmentId, ParticipantId};
use kindred_domain::vocabulary::{AppointmentStatus, OutcomeEventKind, Vocabulary};

use crate::audit::entry;
use kindred_storage::{RecordWork, SeeWork};

use crate::{Actor, App, AppError, Result, protocol_tasks};

/// The outcome event an appointment's status stands for.
fn outcome_event(status: AppointmentStatus) -> Option<OutcomeEventKind> {
    match status {
        AppointmentStatus::Attended => Some(OutcomeEventKind::AppointmentAttended),
        AppointmentStatus::Missed => Some(OutcomeEventKind::AppointmentMissed),
        AppointmentStatus::Scheduled | AppointmentStatus::Cancelled => None,
    }
}

impl App {
    /// A participant's appointments, earliest first.
    pub async fn appointments(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<Appointment>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let appointments = session.appointments(&grant).await?;
        drop(session);
        let detail = format!("{}: {} appointments", grant.facts().reference(), appointments.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "appointment", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(appointments)
    }

    /// Records an appointment.
    pub async fn schedule_appointment(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &AppointmentInput,
    ) -> Result<Appointment> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let details = AppointmentDetails::parse(input, self.clock().today())?;
        let now = self.clock().now();
        let appointment = Appointment {
            id: AppointmentId::generate(),
            participant_id: participant,
            details,
            created_by: actor.user_id(),
            created_at: now,
        };
        tx.insert_appointment(&grant, &appointment).await?;
        let status = appointment.details.status;
        if let Some(event) = outcome_event(status) {
            tx.record_appointment_outcome(&grant, &appointment, Some(event), actor.user_id(), now)
                .await?;
        }
        let participant = tx.participant(&grant).await?.participant;
        protocol_tasks::follow_appointments(
            &mut tx,
            &grant,
            &participant,
            appointment.details.kind,
            now,
        )
        .await?;
        let detail = format!(
            "{}: {} appointment on {} ({})",
            grant.facts().reference(),
            appointment.details.kind.label(),
            appointment.details.date,
            status.code()
        );
        tx.append_audit(
            now,
            entry(
                actor,
                AuditAction::Create,
                "appointment",
                Some(appointment.id.to_string()),
                detail,
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(appointment)
    }

    /// Changes the fields present in `input` (reschedule, mark attended or missed, cancel).
    pub async fn update_appointment(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        id: AppointmentId,
        input: &AppointmentInput,
    ) -> Result<Appointment> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let current = tx.appointment(&grant, id).await?.ok_or(AppError::NotFound)?;
        let details = current.details.apply_changes(input, self.clock().today())?;
        if details == current.details {
            return Ok(current);
        }
        let now = self.clock().now();
        tx.update_appointment(&grant, id, &details, now).await?;
        let updated = Appointment { details, ..current.clone() };
        let (before, after) = (&current.details, &updated.details);
        if outcome_event(before.status) != outcome_event(after.status) || before.date != after.date
        {
            let event = outcome_event(after.status);
            tx.record_appointment_outcome(&grant, &updated, event, actor.user_id(), now).await?;
        }
        let participant = tx.participant(&grant).await?.participant;
        for kind in [before.kind, after.kind] {
            protocol_tasks::follow_appointments(&mut tx, &grant, &participant, kind, now).await?;
            if before.kind == after.kind {
                break;
            }
        }
        let detail = format!(
            "{}: {} appointment on {} ({})",
            grant.facts().reference(),
            after.kind.label(),
            after.date,
            after.status.code()
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Update, "appointment", Some(id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(updated)
    }
}
