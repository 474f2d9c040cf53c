//! Recording, listing and revoking consents to disclose.

use kindred_domain::audit::AuditAction;
use kindred_domain::consent::{Consent, ConsentInput, ConsentTerms};
use kindred_domain::fields::{FieldErrors, optional_text};
use kindred_domain::ids::{ConsentId, ParticipantId};
use kindred_domain::vocabulary::Vocabulary;

use crate::audit::entry;
use kindred_storage::Consents;

use crate::{Actor, App, AppError, Result};

impl App {
    /// A participant's consents, newest first.
    pub async fn consents(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<Consent>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<Consents, _>(&mut session, actor, participant).await?;
        let consents = session.consents(&grant).await?;
        drop(session);
        let detail = format!("{}: {} consents", grant.facts().reference(), consents.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, "consent", Some(participant.to_string()), detail),
        )
        .await?;
        Ok(consents)
    }

    /// Records a consent the participant has signed.
    pub async fn record_consent(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &ConsentInput,
    ) -> Result<Consent> {
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<Consents, _>(&mut tx, actor, participant).await?;
        let terms = ConsentTerms::parse(input, self.clock().today())?;
        let now = self.clock().now();
        let consent = Consent {
            id: ConsentId::generate(),
            participant_id: participant,
            terms,
            recorded_by: actor.user_id(),
            recorded_at: now,
            revocation: None,
        };
        tx.insert_consent(&grant, &consent).await?;
        let detail = format!(
            "{}: {} to {}",
            grant.facts().reference(),
            consent.terms.purpose.label(),
            consent.terms.recipient
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "consent", Some(consent.id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(consent)
    }

    /// Revokes a consent from now on. Revoking twice is a conflict.
    pub async fn revoke_consent(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        consent: ConsentId,
        reason: Option<&str>,
    ) -> Result<Consent> {
        let reason = optional_text(reason, 500).map_err(|m| FieldErrors::single("reason", m))?;
        let mut tx = actor.tenant().write().await?;
        let grant = self.authorise::<Consents, _>(&mut tx, actor, participant).await?;
        let existing = tx.consent(&grant, consent).await?.ok_or(AppError::NotFound)?;
        if existing.revocation.is_some() {
            return Err(AppError::Conflict("this consent was already revoked".into()));
        }
        let now = self.clock().now();
        tx.revoke_consent(&grant, consent, actor.user_id(), reason.as_deref(), now).await?;
        let detail = format!("{}: revoked", grant.facts().reference());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Revoke, "consent", Some(consent.to_string()), detail),
        )
        .await?;
        let revoked = tx.consent(&grant, consent).await?.ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(revoked)
    }
}
