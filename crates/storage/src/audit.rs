//! Appending to and reading the hash-chained audit log.

use kindred_domain::audit::{AuditAction, AuditEntry, AuditEvent, ChainHash};
use kindred_domain::ids::{OrgId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// A page of the audit log, newest first, optionally filtered.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub actor_id: Option<UserId>,
    pub action: Option<AuditAction>,
    /// Only events before this sequence number (the cursor for the next page).
    pub before_seq: Option<i64>,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
struct EventRow {
    seq: i64,
    at: Timestamp,
    actor_id: Option<Uuid>,
    actor_label: String,
    action: String,
    record_type: String,
    record_id: Option<String>,
    detail: String,
    prev_hash: Vec<u8>,
    hash: Vec<u8>,
}

fn to_hash(bytes: &[u8], seq: i64) -> Result<ChainHash> {
    bytes
        .try_into()
        .map_err(|_| StorageError::Corrupt(format!("audit event #{seq} has a malformed hash")))
}

impl EventRow {
    fn into_event(self, org_id: OrgId) -> Result<AuditEvent> {
        let action = AuditAction::from_code(&self.action).ok_or_else(|| {
            StorageError::Corrupt(format!("audit event #{} has action {:?}", self.seq, self.action))
        })?;
        Ok(AuditEvent {
            org_id,
            seq: self.seq,
            at: self.at.0,
            prev_hash: to_hash(&self.prev_hash, self.seq)?,
            hash: to_hash(&self.hash, self.seq)?,
            entry: AuditEntry {
                actor_id: self.actor_id.map(UserId),
                actor_label: self.actor_label,
                action,
                record_type: self.record_type,
                record_id: self.record_id,
                detail: self.detail,
            },
        })
    }
}

macro_rules! select_event {
    ($rest:literal) => {
        concat!(
            "SELECT seq, at, actor_id, actor_label, action, record_type, record_id, detail, prev_hash, hash
             FROM audit_events WHERE org_id = $1 ",
            $rest
        )
    };
}

impl<M> Session<M> {
    /// A filtered page of events, newest first.
    pub async fn audit_events(&mut self, query: &AuditQuery) -> Result<Vec<AuditEvent>> {
        let org = self.org_id;
        let rows: Vec<EventRow> = on_conn!(self.conn(), c => {
            c.query_as(select_event!(
                "AND ($2 IS NULL OR record_type = $2)
                   AND ($3 IS NULL OR record_id = $3)
                   AND ($4 IS NULL OR actor_id = $4)
                   AND ($5 IS NULL OR action = $5)
                   AND ($6 IS NULL OR seq < $6)
                 ORDER BY seq DESC LIMIT $7"
            ))
            .bind(query.record_type.as_deref())
            .bind(query.record_id.as_deref())
            .bind(query.actor_id.map(|a| a.0))
            .bind(query.action.map(AuditAction::code))
            .bind(query.before_seq)
            .bind(query.limit)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(|r| r.into_event(org)).collect()
    }

    /// Events in chain order after `after_seq`, for verification.
    pub async fn audit_chain(&mut self, after_seq: i64, limit: i64) -> Result<Vec<AuditEvent>> {
        let org = self.org_id;
        let rows: Vec<EventRow> = on_conn!(self.conn(), c => {
            c.query_as(select_event!("AND seq > $2 ORDER BY seq LIMIT $3"))
                .bind(after_seq)
                .bind(limit)
                .fetch_all(&mut *c)
                .await?
        });
        rows.into_iter().map(|r| r.into_event(org)).collect()
    }

    /// The sequence number of the last event appended.
    pub async fn audit_head(&mut self) -> Result<i64> {
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar("SELECT seq FROM audit_heads WHERE org_id = $1")
                .fetch_one(&mut *c)
                .await?
        }))
    }
}

impl Session<Write> {
    /// Appends an event to the organisation's chain, inside this transaction.
    pub async fn append_audit(
        &mut self,
        at: OffsetDateTime,
        entry: AuditEntry,
    ) -> Result<AuditEvent> {
        let org = self.org_id;
        let event = on_conn!(self.conn(), c => {
            // Bumping the head first takes its row lock (PostgreSQL) for the rest of the
            // transaction, so concurrent appends of one organisation queue here; the returned
            // hash is still the previous link's.
            let (seq, prev): (i64, Vec<u8>) = c.query_as(
                "UPDATE audit_heads SET seq = seq + 1 WHERE org_id = $1 RETURNING seq, hash",
            )
            .fetch_one(&mut *c)
            .await?;
            let event = AuditEvent::chain(org, seq - 1, to_hash(&prev, seq - 1)?, at, entry);
            let e = &event.entry;
            c.query(
                "INSERT INTO audit_events (org_id, seq, at, actor_id, actor_label, action, record_type,
                    record_id, detail, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(event.seq)
            .bind(Timestamp(event.at))
            .bind(e.actor_id.map(|a| a.0))
            .bind(&e.actor_label)
            .bind(e.action.code())
            .bind(&e.record_type)
            .bind(e.record_id.as_deref())
            .bind(&e.detail)
            .bind(&event.prev_hash[..])
            .bind(&event.hash[..])
            .execute(&mut *c)
            .await?;
            c.query("UPDATE audit_heads SET hash = $2 WHERE org_id = $1")
                .bind(&event.hash[..])
                .execute(&mut *c)
                .await?;
            event
        });
        Ok(event)
    }
}
