//! What a spreadsheet import needs beyond the records themselves: the program's own reference
//! of each imported contact, outcome event and assessment (`contact_references`,
//! `outcome_event_references`, `assessment_references`), so a second import of the same file
//! finds its records, and the participant counter kept ahead of imported references.

use kindred_domain::ids::{AssessmentId, ContactId, OutcomeEventId};
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

    /// The outcome event imported earlier under `reference` for the granted participant.
    pub async fn outcome_event_by_reference<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        reference: &str,
    ) -> Result<Option<OutcomeEventId>> {
        let participant = grant.bound_to(self.org_id)?;
        let id: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT r.outcome_event_id FROM outcome_event_references r
                 WHERE r.org_id = $1 AND r.participant_id = $2 AND r.reference = $3",
            )
            .bind(participant)
            .bind(reference)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(id.map(OutcomeEventId))
    }

    /// The assessment imported earlier under `reference` for the granted participant.
    pub async fn assessment_by_reference<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        reference: &str,
    ) -> Result<Option<AssessmentId>> {
        let participant = grant.bound_to(self.org_id)?;
        let id: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT r.assessment_id FROM assessment_references r
                 WHERE r.org_id = $1 AND r.participant_id = $2 AND r.reference = $3",
            )
            .bind(participant)
            .bind(reference)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(id.map(AssessmentId))
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

    /// Records the program's reference of an outcome event just imported.
    pub async fn insert_outcome_event_reference(
        &mut self,
        grant: &Grant<RecordWork>,
        reference: &str,
        event: OutcomeEventId,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO outcome_event_references
                    (org_id, participant_id, reference, outcome_event_id)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(participant)
            .bind(reference)
            .bind(event.0)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Records the program's reference of an assessment just imported.
    pub async fn insert_assessment_reference(
        &mut self,
        grant: &Grant<RecordWork>,
        reference: &str,
        assessment: AssessmentId,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO assessment_references (org_id, participant_id, reference, assessment_id)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(participant)
            .bind(reference)
            .bind(assessment.0)
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
