//! Audit events for every read and write of participant data, the admin's view of the log,
//! and verification of every organisation's chain.

use kindred_domain::audit::{AuditAction, AuditEntry, AuditEvent, BrokenLink, ChainVerifier};
use kindred_domain::ids::UserId;
use kindred_domain::org::Organisation;
use kindred_domain::user::User;

use crate::policy::AuditReader;
use crate::{Actor, App, Result};

/// Which page of the audit log to read, newest first, optionally filtered.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub record_type: Option<String>,
    pub record_id: Option<String>,
    pub actor_id: Option<UserId>,
    pub action: Option<AuditAction>,
    /// Only events before this sequence number (the cursor for the next page).
    pub before_seq: Option<i64>,
    /// At most this many events (1 to 500).
    pub limit: i64,
}

/// An event by a signed-in actor about one record (or a listing, with `record_id` `None`).
pub(crate) fn entry(
    actor: &Actor,
    action: AuditAction,
    record_type: &str,
    record_id: Option<String>,
    detail: impl Into<String>,
) -> AuditEntry {
    AuditEntry {
        actor_id: Some(actor.user_id()),
        actor_label: actor.email().to_owned(),
        action,
        record_type: record_type.to_owned(),
        record_id,
        detail: detail.into(),
    }
}

/// An event about a user's own account (sign-in and sign-out).
pub(crate) fn system_entry(
    user: Option<&User>,
    action: AuditAction,
    record_type: &str,
    detail: &str,
) -> AuditEntry {
    AuditEntry {
        actor_id: user.map(|u| u.id),
        actor_label: user.map(|u| u.email.to_string()).unwrap_or_default(),
        action,
        record_type: record_type.to_owned(),
        record_id: user.map(|u| u.id.to_string()),
        detail: detail.to_owned(),
    }
}

impl App {
    /// Records that `actor` read something. Called after the read and before the data is
    /// returned: if the event cannot be written, the caller gets an error, not the data.
    pub(crate) async fn audit_read(&self, actor: &Actor, entry: AuditEntry) -> Result<()> {
        let mut tx = actor.tenant().write().await?;
        tx.append_audit(self.clock().now(), entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the organisation's audit log, newest first (admins only).
    pub async fn audit_log(
        &self,
        reader: &AuditReader<'_>,
        query: &AuditQuery,
    ) -> Result<Vec<AuditEvent>> {
        let actor = reader.actor();
        let query = kindred_storage::AuditQuery {
            record_type: query.record_type.clone(),
            record_id: query.record_id.clone(),
            actor_id: query.actor_id,
            action: query.action,
            before_seq: query.before_seq,
            limit: query.limit.clamp(1, 500),
        };
        Ok(actor.tenant().read().await?.audit_events(&query).await?)
    }

    /// Verifies every organisation's chain from its first event.
    pub async fn verify_audit_chains(&self) -> Result<Vec<ChainReport>> {
        const PAGE: i64 = 10_000;
        let mut reports = Vec::new();
        for organisation in self.database.organisations().await? {
            let mut session = self.database.tenant(organisation.id).read().await?;
            let head = session.audit_head().await?;
            let mut verifier = ChainVerifier::default();
            let mut after = 0;
            let outcome = loop {
                let page = session.audit_chain(after, PAGE).await?;
                if let Err(broken) = page.iter().try_for_each(|event| verifier.check(event)) {
                    break Err(broken);
                }
                match page.last() {
                    Some(last) => after = last.seq,
                    None => break verifier.finish(head),
                }
            };
            reports.push(ChainReport { organisation, outcome });
        }
        Ok(reports)
    }
}

/// One organisation's chain: how many events verified, or the first broken link.
#[derive(Debug, Clone)]
pub struct ChainReport {
    pub organisation: Organisation,
    pub outcome: std::result::Result<i64, BrokenLink>,
}
