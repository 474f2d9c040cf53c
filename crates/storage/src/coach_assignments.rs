//! Who coached a participant when: one row per enrolment and coach change, with the reason
//! when someone overrode the program's eligibility rules. Fidelity reads it to know whose
//! caseload a participant was on at any date.

use kindred_domain::ids::{CoachAssignmentId, ParticipantId, UserId};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::{Edit, Grant, Identifies};
use crate::session::{Session, Write, on_conn};
use crate::{Result, Timestamp};

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoachAssignment {
    pub id: CoachAssignmentId,
    pub participant_id: ParticipantId,
    /// `None` when the participant was left without a coach.
    pub coach_id: Option<UserId>,
    pub assigned_by: UserId,
    pub assigned_at: OffsetDateTime,
    pub override_reason: Option<String>,
}

#[derive(sqlx::FromRow)]
struct AssignmentRow {
    id: Uuid,
    participant_id: Uuid,
    coach_id: Option<Uuid>,
    assigned_by: Uuid,
    assigned_at: Timestamp,
    override_reason: Option<String>,
}

impl<M> Session<M> {
    /// A participant's coach history, oldest first.
    pub async fn coach_assignments<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<CoachAssignment>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<AssignmentRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, participant_id, coach_id, assigned_by, assigned_at, override_reason
                 FROM coach_assignments WHERE org_id = $1 AND participant_id = $2
                 ORDER BY assigned_at, id",
            )
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| CoachAssignment {
                id: CoachAssignmentId(row.id),
                participant_id: ParticipantId(row.participant_id),
                coach_id: row.coach_id.map(UserId),
                assigned_by: UserId(row.assigned_by),
                assigned_at: row.assigned_at.0,
                override_reason: row.override_reason,
            })
            .collect())
    }
}

impl Session<Write> {
    /// Adds to the granted participant's coach history (the assignment's participant is the
    /// grant's).
    pub async fn insert_coach_assignment(
        &mut self,
        grant: &Grant<Edit>,
        assignment: &CoachAssignment,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let a = assignment;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO coach_assignments (org_id, id, participant_id, coach_id, assigned_by,
                    assigned_at, override_reason)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(a.id.0)
            .bind(participant)
            .bind(a.coach_id.map(|c| c.0))
            .bind(a.assigned_by.0)
            .bind(Timestamp(a.assigned_at))
            .bind(a.override_reason.as_deref())
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }
}
