//! Outcome events (`outcome_events`): dated events of a participant, newest first.

use kindred_domain::ids::{OutcomeEventId, ParticipantId, UserId};
use kindred_domain::outcome_event::{NewOutcomeEvent, OutcomeEvent};
use kindred_domain::vocabulary::Vocabulary;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

#[derive(sqlx::FromRow)]
struct EventRow {
    id: Uuid,
    participant_id: Uuid,
    kind: String,
    occurred_on: Date,
    substance: Option<String>,
    hospitalisation_kind: Option<String>,
    detail: Option<String>,
    appointment_kind: Option<String>,
    recorded_by: Uuid,
    recorded_by_name: String,
    recorded_at: Timestamp,
}

impl<M> Session<M> {
    /// A participant's events, newest first (appointment outcomes included).
    pub async fn outcome_events<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<OutcomeEvent>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<EventRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT e.id, e.participant_id, e.kind, e.occurred_on, e.substance,
                        e.hospitalisation_kind, e.detail, a.kind AS appointment_kind,
                        e.recorded_by, u.display_name AS recorded_by_name, e.recorded_at
                 FROM outcome_events e
                 JOIN users u ON u.org_id = e.org_id AND u.id = e.recorded_by
                 LEFT JOIN appointments a ON a.org_id = e.org_id AND a.id = e.appointment_id
                 WHERE e.org_id = $1 AND e.participant_id = $2
                 ORDER BY e.occurred_on DESC, e.recorded_at DESC, e.id",
            )
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(OutcomeEvent {
                    id: OutcomeEventId(r.id),
                    participant_id: ParticipantId(r.participant_id),
                    event: NewOutcomeEvent {
                        kind: decode_code(&r.kind)?,
                        occurred_on: r.occurred_on,
                        substance: r.substance.as_deref().map(decode_code).transpose()?,
                        hospitalisation_kind: r
                            .hospitalisation_kind
                            .as_deref()
                            .map(decode_code)
                            .transpose()?,
                        detail: r.detail,
                    },
                    appointment_kind: r.appointment_kind.as_deref().map(decode_code).transpose()?,
                    recorded_by: UserId(r.recorded_by),
                    recorded_by_name: r.recorded_by_name,
                    recorded_at: r.recorded_at.0,
                })
            })
            .collect()
    }
}

impl Session<Write> {
    pub async fn insert_outcome_event(
        &mut self,
        grant: &Grant<RecordWork>,
        id: OutcomeEventId,
        event: &NewOutcomeEvent,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO outcome_events (org_id, id, participant_id, kind, occurred_on,
                    substance, hospitalisation_kind, detail, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(event.kind.code())
            .bind(event.occurred_on)
            .bind(event.substance.map(|s| s.code()))
            .bind(event.hospitalisation_kind.map(|h| h.code()))
            .bind(event.detail.as_deref())
            .bind(by.0)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
