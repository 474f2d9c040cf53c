//! Assessments (`assessments`): administrations of instruments with the server's scores.
//! Answers, subscores and flags are JSON text; the headline score and band are columns of
//! their own so reports can filter and average them in SQL.

use std::collections::BTreeMap;

use kindred_domain::assessment::{Assessment, AssessmentStatus, ScoredSummary};
use kindred_domain::ids::{AssessmentId, ParticipantId, ProgramId, TaskId, UserId};
use kindred_domain::instruments::Answers;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::access::{Grant, Identifies, RecordWork};
use crate::session::{Session, Write, on_conn};
use crate::{Conflict, Result, StorageError, Timestamp};

#[derive(sqlx::FromRow)]
struct AssessmentRow {
    id: Uuid,
    participant_id: Uuid,
    instrument_code: String,
    instrument_version: String,
    program_id: Option<Uuid>,
    time_point_code: Option<String>,
    administered_on: Date,
    status: String,
    answers: String,
    score: Option<f64>,
    subscores: Option<String>,
    band: Option<String>,
    flags: Option<String>,
    administered_by: Uuid,
    administered_by_name: String,
    version: i64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

fn corrupt(what: &str, error: serde_json::Error) -> StorageError {
    StorageError::Corrupt(format!("assessment {what}: {error}"))
}

impl AssessmentRow {
    fn into_assessment(self) -> Result<Assessment> {
        let answers: BTreeMap<String, i64> =
            serde_json::from_str(&self.answers).map_err(|e| corrupt("answers", e))?;
        let subscores = match &self.subscores {
            Some(text) => serde_json::from_str(text).map_err(|e| corrupt("subscores", e))?,
            None => BTreeMap::new(),
        };
        let flags = match &self.flags {
            Some(text) => serde_json::from_str(text).map_err(|e| corrupt("flags", e))?,
            None => Vec::new(),
        };
        Ok(Assessment {
            id: AssessmentId(self.id),
            participant_id: ParticipantId(self.participant_id),
            instrument_code: self.instrument_code,
            instrument_version: self.instrument_version,
            program_id: self.program_id.map(ProgramId),
            time_point_code: self.time_point_code,
            administered_on: self.administered_on,
            status: AssessmentStatus::from_code(&self.status).ok_or_else(|| {
                StorageError::Corrupt(format!("unknown assessment status {:?}", self.status))
            })?,
            answers: Answers::from_trusted(answers),
            scored: ScoredSummary { score: self.score, subscores, band: self.band, flags },
            administered_by: UserId(self.administered_by),
            administered_by_name: self.administered_by_name,
            version: self.version,
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
        })
    }
}

macro_rules! select_assessment {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.participant_id, a.instrument_code, a.instrument_version, a.program_id,
                    a.time_point_code, a.administered_on, a.status, a.answers, a.score,
                    a.subscores, a.band, a.flags, a.administered_by,
                    u.display_name AS administered_by_name, a.version, a.created_at, a.updated_at
             FROM assessments a
             JOIN users u ON u.org_id = a.org_id AND u.id = a.administered_by
             WHERE a.org_id = $1 ",
            $rest
        )
    };
}

/// The JSON columns of an assessment, encoded once for insert and update.
struct Encoded {
    answers: String,
    subscores: String,
    flags: String,
}

fn encode(assessment: &Assessment) -> Result<Encoded> {
    let answers: BTreeMap<&str, i64> = assessment.answers.iter().collect();
    let text = |value: serde_json::Result<String>| value.map_err(|e| corrupt("encoding", e));
    Ok(Encoded {
        answers: text(serde_json::to_string(&answers))?,
        subscores: text(serde_json::to_string(&assessment.scored.subscores))?,
        flags: text(serde_json::to_string(&assessment.scored.flags))?,
    })
}

impl<M> Session<M> {
    /// A participant's assessments, oldest first (by the day given, then when entered).
    pub async fn assessments_of_participant<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<Assessment>> {
        let participant = grant.bound_to(self.org_id)?;
        let rows: Vec<AssessmentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_assessment!(
                "AND a.participant_id = $2
                 ORDER BY a.administered_on, a.created_at, a.id"
            ))
            .bind(participant)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(AssessmentRow::into_assessment).collect()
    }

    /// Whose assessment this is: the participant the policy must grant before it is read.
    pub async fn assessment_owner(&mut self, id: AssessmentId) -> Result<Option<ParticipantId>> {
        let owner: Option<Uuid> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT participant_id FROM assessments WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        Ok(owner.map(ParticipantId))
    }

    /// One assessment of the granted participant.
    pub async fn assessment<A: Identifies>(
        &mut self,
        grant: &Grant<A>,
        id: AssessmentId,
    ) -> Result<Option<Assessment>> {
        let participant = grant.bound_to(self.org_id)?;
        let row: Option<AssessmentRow> = on_conn!(self.conn(), c => {
            c.query_as(select_assessment!("AND a.id = $2 AND a.participant_id = $3"))
                .bind(id.0)
                .bind(participant)
                .fetch_optional(&mut *c)
                .await?
        });
        row.map(AssessmentRow::into_assessment).transpose()
    }
}

impl Session<Write> {
    /// Stores a new assessment of the granted participant (the assessment's participant is the
    /// grant's).
    pub async fn insert_assessment(
        &mut self,
        grant: &Grant<RecordWork>,
        assessment: &Assessment,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let encoded = encode(assessment)?;
        let a = assessment;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO assessments (org_id, id, participant_id, instrument_code,
                    instrument_version, program_id, time_point_code, administered_on, status,
                    answers, score, subscores, band, flags, administered_by, version,
                    created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18)",
            )
            .bind(a.id.0)
            .bind(participant)
            .bind(&a.instrument_code)
            .bind(&a.instrument_version)
            .bind(a.program_id.map(|p| p.0))
            .bind(&a.time_point_code)
            .bind(a.administered_on)
            .bind(a.status.code())
            .bind(&encoded.answers)
            .bind(a.scored.score)
            .bind(&encoded.subscores)
            .bind(&a.scored.band)
            .bind(&encoded.flags)
            .bind(a.administered_by.0)
            .bind(a.version)
            .bind(Timestamp(a.created_at))
            .bind(Timestamp(a.updated_at))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Saves an assessment's answers, scores and status, if it is still at `expected_version`
    /// and in progress; the stored version becomes `assessment.version`. A completed
    /// assessment, or one saved by someone else meanwhile, is a conflict.
    pub async fn update_assessment(
        &mut self,
        grant: &Grant<RecordWork>,
        assessment: &Assessment,
        expected_version: i64,
    ) -> Result<()> {
        let participant = grant.bound_to(self.org_id)?;
        let encoded = encode(assessment)?;
        let a = assessment;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE assessments SET program_id = $3, time_point_code = $4,
                    administered_on = $5, status = $6, answers = $7, score = $8, subscores = $9,
                    band = $10, flags = $11, version = $12, updated_at = $13
                 WHERE org_id = $1 AND id = $2 AND version = $14 AND status = 'in_progress'
                   AND participant_id = $15",
            )
            .bind(a.id.0)
            .bind(a.program_id.map(|p| p.0))
            .bind(&a.time_point_code)
            .bind(a.administered_on)
            .bind(a.status.code())
            .bind(&encoded.answers)
            .bind(a.scored.score)
            .bind(&encoded.subscores)
            .bind(&a.scored.band)
            .bind(&encoded.flags)
            .bind(a.version)
            .bind(Timestamp(a.updated_at))
            .bind(expected_version)
            .bind(participant)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 { Ok(()) } else { Err(StorageError::Conflict(Conflict::Changed)) }
    }

    /// Opens an urgent task for a participant, assigned to `assignee` and due on `due_on`
    /// (a safety flag raised by an answer).
    pub async fn insert_urgent_task(
        &mut self,
        grant: &Grant<RecordWork>,
        assignee: UserId,
        title: &str,
        due_on: Date,
        now: OffsetDateTime,
    ) -> Result<TaskId> {
        let participant = grant.bound_to(self.org_id)?;
        let id = TaskId::generate();
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO tasks (org_id, id, participant_id, kind, assignee_id, title,
                    opens_on, due_on, status, created_at)
                 VALUES ($1, $2, $3, 'urgent', $4, $5, $6, $6, 'open', $7)",
            )
            .bind(id.0)
            .bind(participant)
            .bind(assignee.0)
            .bind(title)
            .bind(due_on)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(id)
    }
}
