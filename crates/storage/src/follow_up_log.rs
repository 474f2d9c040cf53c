//! What follow-up work records: contact attempts (`contact_attempts`), the locator record
//! (`locator_entries`) and administrative exclusions (`follow_up_exclusions`).

use kindred_domain::follow_up_log::{
    ContactAttempt, Exclusion, LocatorEntry, NewAttempt, NewExclusion, NewLocatorEntry,
};
use kindred_domain::ids::{ConsentId, ContactAttemptId, LocatorEntryId, ParticipantId, UserId};
use kindred_domain::vocabulary::Vocabulary;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::{Exclude, Grant, Identifies, RecordWork};
use crate::error::decode_code;
use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

#[derive(sqlx::FromRow)]
struct AttemptRow {
    id: Uuid,
    participant_id: Uuid,
    time_point_code: Option<String>,
    attempted_at: Timestamp,
    channel: String,
    outcome: String,
    note: Option<String>,
    made_by: Uuid,
    made_by_name: String,
}

#[derive(sqlx::FromRow)]
struct LocatorRow {
    id: Uuid,
    participant_id: Uuid,
    kind: String,
    value: String,
    relationship: Option<String>,
    consent_id: Option<Uuid>,
    note: Option<String>,
    created_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct ExclusionRow {
    participant_id: Uuid,
    time_point_code: String,
    reason: String,
    note: Option<String>,
    recorded_by_name: String,
    recorded_at: Timestamp,
}

impl<M> Session<M> {
    /// A participant's contact attempts, newest first.
    pub async fn contact_attempts<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<ContactAttempt>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<AttemptRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT a.id, a.participant_id, a.time_point_code, a.attempted_at, a.channel,
                        a.outcome, a.note, a.made_by, u.display_name AS made_by_name
                 FROM contact_attempts a
                 JOIN users u ON u.org_id = a.org_id AND u.id = a.made_by
                 WHERE a.org_id = $1 AND a.participant_id = $2
                 ORDER BY a.attempted_at DESC, a.id DESC",
            ).bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(ContactAttempt {
                    id: ContactAttemptId(r.id),
                    participant_id: ParticipantId(r.participant_id),
                    time_point_code: r.time_point_code,
                    attempted_at: r.attempted_at.0,
                    channel: decode_code(&r.channel)?,
                    outcome: decode_code(&r.outcome)?,
                    note: r.note,
                    made_by: UserId(r.made_by),
                    made_by_name: r.made_by_name,
                })
            })
            .collect()
    }

    /// A participant's active locator entries, oldest first.
    pub async fn locator_entries<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<LocatorEntry>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<LocatorRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, participant_id, kind, value, relationship, consent_id, note, created_at
                 FROM locator_entries
                 WHERE org_id = $1 AND participant_id = $2 AND active = $3
                 ORDER BY created_at, id",
            ).bind(participant).bind(true)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(LocatorEntry {
                    id: LocatorEntryId(r.id),
                    participant_id: ParticipantId(r.participant_id),
                    kind: decode_code(&r.kind)?,
                    value: r.value,
                    relationship: r.relationship,
                    consent_id: r.consent_id.map(ConsentId),
                    note: r.note,
                    created_at: r.created_at.0,
                })
            })
            .collect()
    }

    /// A participant's administrative exclusions.
    pub async fn follow_up_exclusions<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<Exclusion>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<ExclusionRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT e.participant_id, e.time_point_code, e.reason, e.note,
                        u.display_name AS recorded_by_name, e.recorded_at
                 FROM follow_up_exclusions e
                 JOIN users u ON u.org_id = e.org_id AND u.id = e.recorded_by
                 WHERE e.org_id = $1 AND e.participant_id = $2
                 ORDER BY e.recorded_at",
            ).bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(Exclusion {
                    participant_id: ParticipantId(r.participant_id),
                    time_point_code: r.time_point_code,
                    reason: decode_code(&r.reason)?,
                    note: r.note,
                    recorded_by_name: r.recorded_by_name,
                    recorded_at: r.recorded_at.0,
                })
            })
            .collect()
    }
}

impl Session<Write> {
    pub async fn insert_contact_attempt(
        &mut self,
        grant: &Grant<RecordWork>,
        id: ContactAttemptId,
        attempt: &NewAttempt,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO contact_attempts (org_id, id, participant_id, time_point_code,
                    attempted_at, channel, outcome, note, made_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(&attempt.time_point_code)
            .bind(Timestamp(at))
            .bind(attempt.channel.code())
            .bind(attempt.outcome.code())
            .bind(&attempt.note)
            .bind(by.0)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    pub async fn insert_locator_entry(
        &mut self,
        grant: &Grant<RecordWork>,
        id: LocatorEntryId,
        entry: &NewLocatorEntry,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO locator_entries (org_id, id, participant_id, kind, value,
                    relationship, consent_id, note, active, created_by, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $11, $9, $10, $10)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(entry.kind.code())
            .bind(&entry.value)
            .bind(&entry.relationship)
            .bind(entry.consent_id.map(|c| c.0))
            .bind(&entry.note)
            .bind(by.0)
            .bind(Timestamp(at))
            .bind(true)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Records (or replaces) the exclusion of one time point.
    pub async fn upsert_exclusion(
        &mut self,
        grant: &Grant<Exclude>,
        exclusion: &NewExclusion,
        by: UserId,
        at: OffsetDateTime,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO follow_up_exclusions (org_id, participant_id, time_point_code, reason,
                    note, recorded_by, recorded_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (org_id, participant_id, time_point_code) DO UPDATE SET
                    reason = excluded.reason, note = excluded.note,
                    recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at",
            )
            .bind(participant)
            .bind(&exclusion.time_point_code)
            .bind(exclusion.reason.code())
            .bind(&exclusion.note)
            .bind(by.0)
            .bind(Timestamp(at))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
