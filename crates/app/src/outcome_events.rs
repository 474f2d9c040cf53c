//! Outcome events of a participant: recorded and listed by the people who work with them,
//! audited (record type `outcome_event`). They are identified records with a free-text detail,
//! so the policy is the contacts' one.

use kindred_domain::audit::AuditAction;
use kindred_domain::ids::{OutcomeEventId, ParticipantId};
use kindred_domain::outcome_event::{NewOutcomeEvent, OutcomeEvent, OutcomeEventInput};
use kindred_domain::vocabulary::Vocabulary;

use crate::audit::entry;
use kindred_storage::{RecordWork, SeeWork};

use crate::{Actor, App, AppError, Result};

const RECORD: &str = "outcome_event";

impl App {
    pub async fn outcome_events(
        &self,
        actor: &Actor,
        participant: ParticipantId,
    ) -> Result<Vec<OutcomeEvent>> {
        let mut session = actor.tenant().read().await?;
        let grant = self.authorise::<SeeWork, _>(&mut session, actor, participant).await?;
        let events = session.outcome_events(&grant).await?;
        drop(session);
        let detail = format!("{}: {} events", grant.facts().reference(), events.len());
        self.audit_read(
            actor,
            entry(actor, AuditAction::Read, RECORD, Some(participant.to_string()), detail),
        )
        .await?;
        Ok(events)
    }

    pub async fn record_outcome_event(
        &self,
        actor: &Actor,
        participant: ParticipantId,
        input: &OutcomeEventInput,
    ) -> Result<OutcomeEvent> {
        let mut tx = actor.tenant().write().await?;
        // Whose record first: someone else's participant is not found, whatever the input.
        let grant = self.authorise::<RecordWork, _>(&mut tx, actor, participant).await?;
        let event = NewOutcomeEvent::parse(input, self.clock().today())?;
        let id = OutcomeEventId::generate();
        let now = self.clock().now();
        tx.insert_outcome_event(&grant, id, &event, actor.user_id(), now).await?;
        let detail = format!(
            "{}: {} on {}",
            grant.facts().reference(),
            event.kind.code(),
            event.occurred_on
        );
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, RECORD, Some(id.to_string()), detail),
        )
        .await?;
        let saved = tx
            .outcome_events(&grant)
            .await?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(AppError::NotFound)?;
        tx.commit().await?;
        Ok(saved)
    }
}
