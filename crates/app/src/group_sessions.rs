//! Group sessions: the session and one contact per attendee, in one transaction. Every
//! attendee must be someone the facilitator may log contacts for; one who is not refuses the
//! whole session and nothing is saved.

use kindred_domain::FieldErrors;
use kindred_domain::audit::AuditAction;
use kindred_domain::contact::NewContact;
use kindred_domain::group_session::{GroupSessionInput, NewGroupSession};
use kindred_domain::ids::{ContactId, GroupSessionId};
use kindred_storage::RecordWork;

use crate::audit::entry;
use crate::contacts::record_contact;
use crate::{Actor, App, Result};

/// A saved session and the contacts it made (in attendee order).
#[derive(Debug, Clone)]
pub struct RecordedSession {
    pub id: GroupSessionId,
    pub contacts: Vec<ContactId>,
}

impl App {
    pub async fn record_group_session(
        &self,
        actor: &Actor,
        input: &GroupSessionInput,
    ) -> Result<RecordedSession> {
        let now = self.clock().now();
        let session = NewGroupSession::parse(input, now)?;
        let mut tx = actor.tenant().write().await?;
        let id = GroupSessionId::generate();
        tx.insert_group_session(id, actor.user_id(), &session.topic, &session.fields, now).await?;
        let mut contacts = Vec::new();
        for attendee in &session.attendees {
            let Some(facts) = tx.participant_facts(*attendee).await? else {
                return Err(FieldErrors::single(
                    "attendees",
                    format!("{attendee} is not a participant"),
                )
                .into());
            };
            let grant = self.policy.grant::<RecordWork>(actor, &facts)?;
            let contact = NewContact {
                participant_id: *attendee,
                task_id: None,
                fields: session.fields.clone(),
            };
            contacts.push(record_contact(&mut tx, actor, &grant, &contact, Some(id), now).await?);
        }
        let detail = format!("group session of {} attendees", contacts.len());
        tx.append_audit(
            now,
            entry(actor, AuditAction::Create, "group_session", Some(id.to_string()), detail),
        )
        .await?;
        tx.commit().await?;
        Ok(RecordedSession { id, contacts })
    }
}
