//! The caseload at a glance: for one page of participants, their last contact, next planned
//! contact, next appointment, overdue tasks, latest PHQ-9 answers and follow-up evidence.
//!
//! Each figure is one query over the page's ids, never one per row: the ids are bound as
//! `$3` … `$52` ([`GLANCE_IDS`] of them, unused ones NULL, which matches nothing), so the SQL
//! stays one static text for both databases. A longer list is read [`GLANCE_IDS`] at a time.
//! Every query is also filtered by the scope, so an id outside it finds nothing.

use std::collections::HashMap;

use kindred_domain::follow_up_log::Evidence;
use kindred_domain::ids::ParticipantId;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Scope, SeeWork};
use crate::follow_up::{
    CompletionRow, ExclusionRow, evidence_completions, evidence_exclusions, evidence_from,
};
use crate::session::{Session, on_conn, scoped_sql};
use crate::{Result, Timestamp};

/// How many ids one query binds (a caseload page's size).
pub const GLANCE_IDS: usize = 50;

/// `p.id` among `$3` … `$52`.
macro_rules! page_ids {
    () => {
        " AND p.id IN ($3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
           $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35,
           $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50, $51, $52)"
    };
}

/// Binds one chunk of ids as `$3` … `$52`, NULL past its end.
macro_rules! bind_ids {
    ($query:expr, $ids:expr) => {{
        let mut query = $query;
        for i in 0..GLANCE_IDS {
            query = query.bind($ids.get(i).map(|id: &ParticipantId| id.0));
        }
        query
    }};
}

/// One administration of an instrument: whose, when, and the answers as stored (JSON text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswersRow {
    pub participant_id: ParticipantId,
    pub administered_on: Date,
    /// `{"item_code": value, …}`, as `assessments.answers` holds it.
    pub answers: String,
}

impl<M> Session<M> {
    /// When each participant was last in contact (the latest contact's time), read from the
    /// dose rollup the triggers keep equal to `MAX(occurred_at)` (migration 0015): one row
    /// per participant rather than their every contact.
    pub async fn last_contacts(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
    ) -> Result<HashMap<ParticipantId, OffsetDateTime>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT d.participant_id, d.last_contact_at FROM participant_dose_totals d
                     JOIN participants p ON p.org_id = $1 AND p.id = d.participant_id
                     WHERE d.org_id = $1 AND ",
                    $scope,
                    page_ids!()
                )
            };
        }
        let mut found = HashMap::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let rows: Vec<(Uuid, Option<Timestamp>)> = on_conn!(self.conn(), c => {
                bind_ids!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, chunk)
                    .fetch_all(&mut *c)
                    .await?
            });
            found.extend(rows.into_iter().filter_map(|(id, at)| Some((ParticipantId(id), at?.0))));
        }
        Ok(found)
    }

    /// Each participant's earliest open task of `kind` due on or after `from` (its due date),
    /// e.g. the follow-up contact a coach planned when logging the last one.
    pub async fn next_open_tasks(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
        kind: &str,
        from: Date,
    ) -> Result<HashMap<ParticipantId, Date>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT t.participant_id, MIN(t.due_on) FROM tasks t
                     JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id
                     WHERE t.org_id = $1 AND ",
                    $scope,
                    page_ids!(),
                    " AND t.status = 'open' AND t.kind = $53 AND t.due_on >= $54
                     GROUP BY t.participant_id"
                )
            };
        }
        let mut found = HashMap::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let rows: Vec<(Uuid, Option<Date>)> = on_conn!(self.conn(), c => {
                bind_ids!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, chunk)
                    .bind(kind)
                    .bind(from)
                    .fetch_all(&mut *c)
                    .await?
            });
            found.extend(rows.into_iter().filter_map(|(id, on)| Some((ParticipantId(id), on?))));
        }
        Ok(found)
    }

    /// Each participant's next scheduled appointment at or after `from`.
    pub async fn next_appointments(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
        from: OffsetDateTime,
    ) -> Result<HashMap<ParticipantId, OffsetDateTime>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT a.participant_id, MIN(a.scheduled_for) FROM appointments a
                     JOIN participants p ON p.org_id = $1 AND p.id = a.participant_id
                     WHERE a.org_id = $1 AND ",
                    $scope,
                    page_ids!(),
                    " AND a.status = 'scheduled' AND a.scheduled_for >= $53
                     GROUP BY a.participant_id"
                )
            };
        }
        let mut found = HashMap::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let rows: Vec<(Uuid, Option<Timestamp>)> = on_conn!(self.conn(), c => {
                bind_ids!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, chunk)
                    .bind(Timestamp(from))
                    .fetch_all(&mut *c)
                    .await?
            });
            found.extend(rows.into_iter().filter_map(|(id, at)| Some((ParticipantId(id), at?.0))));
        }
        Ok(found)
    }

    /// How many open tasks each participant has that were due before `today` (participants
    /// with none are absent).
    pub async fn overdue_task_counts(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
        today: Date,
    ) -> Result<HashMap<ParticipantId, i64>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT t.participant_id, COUNT(*) FROM tasks t
                     JOIN participants p ON p.org_id = $1 AND p.id = t.participant_id
                     WHERE t.org_id = $1 AND ",
                    $scope,
                    page_ids!(),
                    " AND t.status = 'open' AND t.due_on < $53 GROUP BY t.participant_id"
                )
            };
        }
        let mut found = HashMap::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let rows: Vec<(Uuid, i64)> = on_conn!(self.conn(), c => {
                bind_ids!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, chunk)
                    .bind(today)
                    .fetch_all(&mut *c)
                    .await?
            });
            found.extend(rows.into_iter().map(|(id, n)| (ParticipantId(id), n)));
        }
        Ok(found)
    }

    /// Every administration of the instrument `instrument_code` (in progress or completed)
    /// for the participants, each participant's most recent first.
    pub async fn instrument_answers(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
        instrument_code: &str,
    ) -> Result<Vec<AnswersRow>> {
        macro_rules! sql {
            ($scope:literal) => {
                concat!(
                    "SELECT a.participant_id, a.administered_on, a.answers FROM assessments a
                     JOIN participants p ON p.org_id = $1 AND p.id = a.participant_id
                     WHERE a.org_id = $1 AND ",
                    $scope,
                    page_ids!(),
                    " AND a.instrument_code = $53
                     ORDER BY a.participant_id, a.administered_on DESC, a.created_at DESC, a.id"
                )
            };
        }
        let mut found = Vec::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let rows: Vec<(Uuid, Date, String)> = on_conn!(self.conn(), c => {
                bind_ids!(c.scoped_query_as(scoped_sql!(scope, sql), scope)?, chunk)
                    .bind(instrument_code)
                    .fetch_all(&mut *c)
                    .await?
            });
            found.extend(rows.into_iter().map(|(id, administered_on, answers)| AnswersRow {
                participant_id: ParticipantId(id),
                administered_on,
                answers,
            }));
        }
        Ok(found)
    }

    /// The follow-up evidence of the participants (completed time points and exclusions; the
    /// attempts that reached them are left out), as `follow_up_evidence` reads it for a scope.
    pub async fn page_follow_up_evidence(
        &mut self,
        scope: &Scope<SeeWork>,
        ids: &[ParticipantId],
    ) -> Result<HashMap<ParticipantId, Evidence>> {
        macro_rules! completions {
            ($scope:literal) => {
                evidence_completions!(concat!($scope, page_ids!()))
            };
        }
        macro_rules! exclusions {
            ($scope:literal) => {
                evidence_exclusions!(concat!($scope, page_ids!()))
            };
        }
        let mut found = HashMap::new();
        for chunk in ids.chunks(GLANCE_IDS) {
            let (completions, exclusions): (Vec<CompletionRow>, Vec<ExclusionRow>) = on_conn!(self.conn(), c => {
                let completions =
                    bind_ids!(c.scoped_query_as(scoped_sql!(scope, completions), scope)?, chunk)
                        .fetch_all(&mut *c)
                        .await?;
                let exclusions =
                    bind_ids!(c.scoped_query_as(scoped_sql!(scope, exclusions), scope)?, chunk)
                        .fetch_all(&mut *c)
                        .await?;
                (completions, exclusions)
            });
            found.extend(evidence_from(completions, exclusions)?);
        }
        Ok(found)
    }
}
