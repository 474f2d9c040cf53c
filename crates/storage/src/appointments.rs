//! A participant's appointments with other services, and the outcome event that records
//! whether they went. (Outcome events in general belong to the contacts work; this module
//! writes only the `appointment_attended` / `appointment_missed` event of an appointment,
//! replaced whenever the appointment's status changes so there is one per appointment.)

use kindred_domain::appointments::{Appointment, AppointmentDetails};
use kindred_domain::ids::{AppointmentId, ParticipantId, UserId};
use kindred_domain::vocabulary::{AppointmentKind, OutcomeEventKind, Vocabulary};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
struct AppointmentRow {
    id: Uuid,
    participant_id: Uuid,
    kind: String,
    scheduled_for: Timestamp,
    with_whom: String,
    place: Option<String>,
    status: String,
    note: Option<String>,
    created_by: Uuid,
    created_at: Timestamp,
}

impl AppointmentRow {
    fn into_appointment(self) -> Result<Appointment> {
        let (date, time) = Appointment::split_scheduled_for(self.scheduled_for.0);
        Ok(Appointment {
            id: AppointmentId(self.id),
            participant_id: ParticipantId(self.participant_id),
            details: AppointmentDetails {
                kind: decode_code(&self.kind)?,
                date,
                time,
                with_whom: self.with_whom,
                place: self.place,
                status: decode_code(&self.status)?,
                note: self.note,
            },
            created_by: UserId(self.created_by),
            created_at: self.created_at.0,
        })
    }
}

macro_rules! select_appointment {
    ($rest:literal) => {
        concat!(
            "SELECT id, participant_id, kind, scheduled_for, with_whom, place, status, note,
                    created_by, created_at
             FROM appointments WHERE org_id = $1 ",
            $rest
        )
    };
}

impl<M> Session<M> {
    /// A participant's appointments, earliest first.
    pub async fn appointments<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<Appointment>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<AppointmentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_appointment!(
                "AND participant_id = $2 ORDER BY scheduled_for, id"
            ))
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(AppointmentRow::into_appointment).collect()
    }

    /// Whose appointment this is: the participant the policy must grant before it is read.
    pub async fn appointment_owner(&mut self, id: AppointmentId) -> Result<Option<ParticipantId>> {
        let owner: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT participant_id FROM appointments WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        Ok(owner.map(ParticipantId))
    }

    /// One appointment of the granted participant.
    pub async fn appointment<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: AppointmentId,
    ) -> Result<Option<Appointment>> {
        let participant = grant.bound_to(self.org_id)?;
        let row: Option<AppointmentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_appointment!("AND id = $2 AND participant_id = $3"))
                .bind(id.0)
                .bind(participant)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(AppointmentRow::into_appointment).transpose()
    }

    /// The date of the participant's first appointment of `kind` that was not cancelled: the
    /// anchor of protocol steps measured from it.
    pub async fn first_appointment_on<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        kind: AppointmentKind,
    ) -> Result<Option<Date>> {
        let participant = grant.bound_to(self.org_id)?;
        let first: Option<Timestamp> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT scheduled_for FROM appointments
                 WHERE org_id = $1 AND participant_id = $2 AND kind = $3 AND status <> 'cancelled'
                 ORDER BY scheduled_for LIMIT 1",
            )
            .bind(participant)
            .bind(kind.code())
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(first.map(|at| at.0.date()))
    }
}

impl Session<Write> {
    /// Saves an appointment of the granted participant (the appointment's participant is the
    /// grant's).
    pub async fn insert_appointment(
        &mut self,
        grant: &Grant<RecordWork>,
        appointment: &Appointment,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let (a, d) = (appointment, &appointment.details);
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO appointments (org_id, id, participant_id, kind, scheduled_for,
                    with_whom, place, status, note, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)",
            )
            .bind(a.id.0)
            .bind(participant)
            .bind(d.kind.code())
            .bind(Timestamp(d.scheduled_for()))
            .bind(&d.with_whom)
            .bind(d.place.as_deref())
            .bind(d.status.code())
            .bind(d.note.as_deref())
            .bind(a.created_by.0)
            .bind(Timestamp(a.created_at))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn update_appointment(
        &mut self,
        grant: &Grant<RecordWork>,
        id: AppointmentId,
        details: &AppointmentDetails,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let d = details;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE appointments SET kind = $3, scheduled_for = $4, with_whom = $5, place = $6,
                    status = $7, note = $8, updated_at = $9
                 WHERE org_id = $1 AND id = $2 AND participant_id = $10",
            )
            .bind(id.0)
            .bind(d.kind.code())
            .bind(Timestamp(d.scheduled_for()))
            .bind(&d.with_whom)
            .bind(d.place.as_deref())
            .bind(d.status.code())
            .bind(d.note.as_deref())
            .bind(Timestamp(now))
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }

    /// Makes the appointment's outcome event match its status: replaces any earlier
    /// attended/missed event of this appointment with `event` (or removes it, for `None`).
    pub async fn record_appointment_outcome(
        &mut self,
        grant: &Grant<RecordWork>,
        appointment: &Appointment,
        event: Option<OutcomeEventKind>,
        recorded_by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "DELETE FROM outcome_events WHERE org_id = $1 AND appointment_id = $2
                   AND participant_id = $3
                   AND kind IN ('appointment_attended', 'appointment_missed')",
            )
            .bind(appointment.id.0)
            .bind(participant)
            .execute(&mut *c)
            .await?;
            if let Some(kind) = event {
                c.query(
                    "INSERT INTO outcome_events (org_id, id, participant_id, kind, occurred_on,
                        detail, appointment_id, recorded_by, recorded_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(Uuid::now_v7())
                .bind(participant)
                .bind(kind.code())
                .bind(appointment.details.date)
                .bind(format!(
                    "{} with {}",
                    appointment.details.kind.label(),
                    appointment.details.with_whom
                ))
                .bind(appointment.id.0)
                .bind(recorded_by.0)
                .bind(Timestamp(now))
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }
}
