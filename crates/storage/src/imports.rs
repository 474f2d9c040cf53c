//! What a spreadsheet import needs beyond the records themselves: the program's own reference
//! of each imported contact (`contact_references`), so a second import of the same file finds
//! its contacts, and the participant counter kept ahead of imported references.

use kindred_domain::ids::ContactId;
use uuid::Uuid;

use crate::Result;
use crate::access::{Grant, Identifies, RecordWork};
use crate::session::{Session, Write, on_conn};

impl<M> Session<M> {
    /// The contact imported earlier under `reference` for the granted participant, if any.
    pub async fn contact_by_reference<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        reference: &str,
    ) -> Result<Option<ContactId>> {
        let participant = grant.bound_to(self.org_id)?;
        let id: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT r.contact_id FROM contact_references r
                 WHERE r.org_id = $1 AND r.participant_id = $2 AND r.reference = $3",
            )
            .bind(participant)
            .bind(reference)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(id.map(ContactId))
    }
}

impl Session<Write> {
    /// Records the program's reference of a contact just imported for the granted participant.
    pub async fn insert_contact_reference(
        &mut self,
        grant: &Grant<RecordWork>,
        reference: &str,
        contact: ContactId,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO contact_references (org_id, participant_id, reference, contact_id)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(participant)
            .bind(reference)
            .bind(contact.0)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Moves a per-organisation counter up to at least `value` (never down): imported
    /// references such as `P-0042` must not be handed out again by the next enrolment.
    pub async fn raise_counter(&mut self, name: &str, value: i64) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO org_counters (org_id, name, last_value) VALUES ($1, $2, $3)
                 ON CONFLICT (org_id, name) DO UPDATE SET last_value =
                    CASE WHEN org_counters.last_value < $3 THEN $3 ELSE org_counters.last_value END",
            )
            .bind(name)
            .bind(value)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
