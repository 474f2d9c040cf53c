//! The audit log: who read or wrote which record, when. Append-only and hash-chained per
//! organisation: each event's hash covers its contents and the previous event's hash, so
//! changing, removing or reordering any past event breaks every link after it.
//!
//! The chain is per organisation (not global) so that a deployment sharded by organisation
//! never needs a cross-shard lock to append.

use sha2::{Digest, Sha256};
use time::OffsetDateTime;

use crate::ids::{OrgId, UserId};

/// What happened to the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    Read,
    List,
    Create,
    Update,
    Revoke,
    Export,
    Login,
    LoginFailed,
    Logout,
}

impl AuditAction {
    pub const ALL: [AuditAction; 9] = [
        Self::Read,
        Self::List,
        Self::Create,
        Self::Update,
        Self::Revoke,
        Self::Export,
        Self::Login,
        Self::LoginFailed,
        Self::Logout,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::List => "list",
            Self::Create => "create",
            Self::Update => "update",
            Self::Revoke => "revoke",
            Self::Export => "export",
            Self::Login => "login",
            Self::LoginFailed => "login_failed",
            Self::Logout => "logout",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.code() == code)
    }
}

/// What an event records, before it is placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// The user who acted; `None` for the system or an unknown login name.
    pub actor_id: Option<UserId>,
    /// How the actor was identified, kept even if the account is later removed.
    pub actor_label: String,
    pub action: AuditAction,
    /// The kind of record (`participant`, `consent`, `user`, `session`).
    pub record_type: String,
    pub record_id: Option<String>,
    /// Why or what, in a few words (changed field names, the list filter); never the values
    /// of identifying fields.
    pub detail: String,
}

/// The hash of one link: SHA-256.
pub type ChainHash = [u8; 32];

/// The hash before the first event of every organisation.
pub const GENESIS: ChainHash = [0; 32];

/// An event as placed in the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub org_id: OrgId,
    /// 1, 2, 3… within the organisation, without gaps.
    pub seq: i64,
    pub at: OffsetDateTime,
    pub entry: AuditEntry,
    pub prev_hash: ChainHash,
    pub hash: ChainHash,
}

impl AuditEvent {
    /// Places `entry` after the event with `prev_seq` and `prev_hash`. `at` is truncated to
    /// microseconds, the precision both databases store, so the hash survives a round trip.
    pub fn chain(
        org_id: OrgId,
        prev_seq: i64,
        prev_hash: ChainHash,
        at: OffsetDateTime,
        entry: AuditEntry,
    ) -> Self {
        let at = truncate_to_micros(at);
        let seq = prev_seq + 1;
        let hash = link_hash(org_id, seq, at, &entry, &prev_hash);
        Self { org_id, seq, at, entry, prev_hash, hash }
    }

    /// Recomputes this event's hash from its contents.
    pub fn recomputed_hash(&self) -> ChainHash {
        link_hash(self.org_id, self.seq, self.at, &self.entry, &self.prev_hash)
    }
}

pub fn truncate_to_micros(at: OffsetDateTime) -> OffsetDateTime {
    let micros = at.microsecond();
    at.replace_microsecond(micros).unwrap_or(at).to_offset(time::UtcOffset::UTC)
}

/// Each field is length-prefixed, so no two different events can serialise alike.
fn link_hash(
    org_id: OrgId,
    seq: i64,
    at: OffsetDateTime,
    entry: &AuditEntry,
    prev: &ChainHash,
) -> ChainHash {
    let mut hasher = Sha256::new();
    let mut field = |bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_be_bytes());
        hasher.update(bytes);
    };
    field(org_id.0.as_bytes());
    field(&seq.to_be_bytes());
    field(&(at.unix_timestamp_nanos() / 1000).to_be_bytes());
    field(entry.actor_id.map(|id| id.0.to_string()).unwrap_or_default().as_bytes());
    field(entry.actor_label.as_bytes());
    field(entry.action.code().as_bytes());
    field(entry.record_type.as_bytes());
    field(entry.record_id.as_deref().unwrap_or_default().as_bytes());
    field(entry.detail.as_bytes());
    field(prev);
    hasher.finalize().into()
}

/// The first place a chain is broken, and how.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrokenLink {
    #[error("event #{seq}: its contents no longer match its hash (changed after it was written)")]
    Altered { seq: i64 },
    #[error("event #{seq}: does not follow event #{previous} (its previous hash does not match)")]
    Unlinked { seq: i64, previous: i64 },
    #[error("event #{expected} is missing (the next event present is #{found})")]
    Missing { expected: i64, found: i64 },
    #[error(
        "the log ends at event #{last} but {head} events were written (events were removed from the end)"
    )]
    Truncated { last: i64, head: i64 },
}

/// Checks events of one organisation, in `seq` order, from the start of its chain.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: ChainHash,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { expected_seq: 1, prev_hash: GENESIS }
    }
}

impl ChainVerifier {
    /// Checks the next event; returns the first broken link.
    pub fn check(&mut self, event: &AuditEvent) -> Result<(), BrokenLink> {
        if event.seq != self.expected_seq {
            return Err(BrokenLink::Missing { expected: self.expected_seq, found: event.seq });
        }
        if event.prev_hash != self.prev_hash {
            return Err(BrokenLink::Unlinked { seq: event.seq, previous: event.seq - 1 });
        }
        if event.recomputed_hash() != event.hash {
            return Err(BrokenLink::Altered { seq: event.seq });
        }
        self.expected_seq += 1;
        self.prev_hash = event.hash;
        Ok(())
    }

    /// Checks that the chain reached the head the database recorded when appending.
    pub fn finish(&self, head_seq: i64) -> Result<i64, BrokenLink> {
        let last = self.expected_seq - 1;
        if last < head_seq { Err(BrokenLink::Truncated { last, head: head_seq }) } else { Ok(last) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn entry(detail: &str) -> AuditEntry {
        AuditEntry {
            actor_id: Some(UserId::generate()),
            actor_label: "coach@example.org".into(),
            action: AuditAction::Read,
            record_type: "participant".into(),
            record_id: Some("p1".into()),
            detail: detail.into(),
        }
    }

    fn chain(n: usize) -> Vec<AuditEvent> {
        let org = OrgId::generate();
        let mut events: Vec<AuditEvent> = Vec::new();
        for i in 0..n {
            let (seq, hash) = events.last().map(|e| (e.seq, e.hash)).unwrap_or((0, GENESIS));
            events.push(AuditEvent::chain(
                org,
                seq,
                hash,
                datetime!(2026-11-23 10:00:00.123456789 UTC),
                entry(&i.to_string()),
            ));
        }
        events
    }

    fn verify(events: &[AuditEvent], head: i64) -> Result<i64, BrokenLink> {
        let mut verifier = ChainVerifier::default();
        events.iter().try_for_each(|e| verifier.check(e))?;
        verifier.finish(head)
    }

    #[test]
    fn an_intact_chain_verifies() {
        assert_eq!(verify(&chain(5), 5), Ok(5));
    }

    #[test]
    fn timestamps_are_kept_to_the_microsecond() {
        assert_eq!(chain(1)[0].at.nanosecond(), 123_456_000);
    }

    #[test]
    fn each_kind_of_tampering_names_the_first_broken_link() {
        let mut altered = chain(5);
        altered[2].entry.detail = "nothing to see".into();
        assert_eq!(verify(&altered, 5), Err(BrokenLink::Altered { seq: 3 }));

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify(&removed, 5), Err(BrokenLink::Missing { expected: 2, found: 3 }));

        let mut rehashed = chain(5);
        rehashed[1].entry.detail = "forged".into();
        rehashed[1].hash = rehashed[1].recomputed_hash();
        assert_eq!(verify(&rehashed, 5), Err(BrokenLink::Unlinked { seq: 3, previous: 2 }));

        assert_eq!(verify(&chain(5)[..4], 5), Err(BrokenLink::Truncated { last: 4, head: 5 }));
    }
}
