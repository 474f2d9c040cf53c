//! Studies (`studies`, `study_programs`), their allocation log (`study_allocations`) and their
//! locked plans (`study_plan_locks`, `study_amendments`).
//!
//! The allocation log, the lock and the amendments are append-only: this module has no path
//! that changes or removes a row of them, and the database refuses one too (triggers in
//! migration 0011). A study's seed is read only by [`Session::study_seed`], never with the
//! study, so nothing that lists or shows a study can carry it by accident.

use kindred_domain::ids::{ParticipantId, ProgramId, StudyId, UserId};
use kindred_domain::study::records::{
    AllocationRecord, AmendmentRecord, PlanLockRecord, StoredStudy, StudySummary,
};
use kindred_domain::study::{StudyInput, StudyStatus};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::access::{Access, Grant, ParticipantFacts, Research, Scope};
use crate::session::{Session, Write, on_conn, scoped_sql};
use crate::{Result, StorageError, Timestamp};

/// A study to insert, or the new state of a draft.
#[derive(Debug, Clone, Copy)]
pub struct StudyWrite<'a> {
    pub title: &'a str,
    pub design: &'a str,
    pub input: &'a StudyInput,
    pub program_ids: &'a [ProgramId],
}

/// An allocation to append.
#[derive(Debug, Clone, Copy)]
pub struct NewAllocation<'a> {
    pub stratum: &'a str,
    pub position: i64,
    pub arm: &'a str,
    pub method: &'a str,
    pub block: Option<i64>,
    pub block_size: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct StudyRow {
    id: Uuid,
    title: String,
    design: String,
    status: String,
    definition: String,
    template_code: Option<String>,
    created_by: Uuid,
    created_at: Timestamp,
    updated_at: Timestamp,
    opened_at: Option<Timestamp>,
    version: i64,
}

impl StudyRow {
    fn into_stored(self) -> Result<StoredStudy> {
        let input = serde_json::from_str(&self.definition)
            .map_err(|e| StorageError::Corrupt(format!("study definition: {e}")))?;
        Ok(StoredStudy {
            id: StudyId(self.id),
            title: self.title,
            design: self.design,
            status: status(&self.status)?,
            input,
            template_code: self.template_code,
            created_by: UserId(self.created_by),
            created_at: self.created_at.0,
            updated_at: self.updated_at.0,
            opened_at: self.opened_at.map(|t| t.0),
            version: self.version,
        })
    }
}

fn status(code: &str) -> Result<StudyStatus> {
    StudyStatus::parse(code)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown study status {code:?}")))
}

fn definition_json(input: &StudyInput) -> Result<String> {
    serde_json::to_string(input)
        .map_err(|e| StorageError::Corrupt(format!("study definition: {e}")))
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: Uuid,
    title: String,
    design: String,
    status: String,
    enrolled: i64,
    locked: i64,
}

#[derive(sqlx::FromRow)]
struct AllocationRow {
    sequence: i64,
    participant_id: Uuid,
    reference: String,
    stratum: String,
    position: i64,
    arm: String,
    method: String,
    block: Option<i64>,
    block_size: Option<i64>,
    enrolled_by: Uuid,
    enrolled_at: Timestamp,
}

impl From<AllocationRow> for AllocationRecord {
    fn from(r: AllocationRow) -> Self {
        Self {
            sequence: r.sequence,
            participant_id: ParticipantId(r.participant_id),
            participant_reference: r.reference,
            stratum: r.stratum,
            position: r.position,
            arm: r.arm,
            method: r.method,
            block: r.block,
            block_size: r.block_size,
            enrolled_by: UserId(r.enrolled_by),
            enrolled_at: r.enrolled_at.0,
        }
    }
}

#[derive(sqlx::FromRow)]
struct LockRow {
    hash: String,
    canonical: String,
    locked_by: Uuid,
    locked_at: Timestamp,
}

#[derive(sqlx::FromRow)]
struct AmendmentRow {
    seq: i64,
    reason: String,
    previous_hash: String,
    plan_hash: String,
    hash: String,
    canonical: String,
    amended_by: Uuid,
    amended_at: Timestamp,
}

macro_rules! select_allocation {
    ($($where:literal),+) => {
        concat!(
            "SELECT a.sequence, a.participant_id, p.reference, a.stratum, a.position, a.arm,
                    a.method, a.block, a.block_size, a.enrolled_by, a.enrolled_at
             FROM study_allocations a
             JOIN participants p ON p.org_id = a.org_id AND p.id = a.participant_id
             WHERE a.org_id = $1 ",
            $($where),+
        )
    };
}

impl<M> Session<M> {
    /// Every study of the organisation, by title, with its enrolment count.
    pub async fn studies(&mut self) -> Result<Vec<StudySummary>> {
        let rows: Vec<SummaryRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT s.id, s.title, s.design, s.status,
                    (SELECT COUNT(*) FROM study_allocations a
                     WHERE a.org_id = s.org_id AND a.study_id = s.id) AS enrolled,
                    (SELECT COUNT(*) FROM study_plan_locks l
                     WHERE l.org_id = s.org_id AND l.study_id = s.id) AS locked
                 FROM studies s WHERE s.org_id = $1 ORDER BY s.title, s.id",
            )
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter()
            .map(|r| {
                Ok(StudySummary {
                    id: StudyId(r.id),
                    title: r.title,
                    design: r.design,
                    status: status(&r.status)?,
                    enrolled: r.enrolled,
                    plan_locked: r.locked > 0,
                })
            })
            .collect()
    }

    /// One study, without its seed.
    pub async fn study(&mut self, id: StudyId) -> Result<Option<StoredStudy>> {
        let row: Option<StudyRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT id, title, design, status, definition, template_code, created_by,
                        created_at, updated_at, opened_at, version
                 FROM studies WHERE org_id = $1 AND id = $2",
            )
            .bind(id.0)
            .fetch_optional(&mut *c)
            .await?
        });
        row.map(StudyRow::into_stored).transpose()
    }

    /// The studies a participant is allocated in, without the arm: what the policy's blinding
    /// rule reads (like [`Session::participant_facts`], before any grant: which studies hold a
    /// participant is not their data, the arm is).
    pub async fn studies_allocating(
        &mut self,
        facts: &ParticipantFacts,
    ) -> Result<Vec<StoredStudy>> {
        let rows: Vec<StudyRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT s.id, s.title, s.design, s.status, s.definition, s.template_code,
                        s.created_by, s.created_at, s.updated_at, s.opened_at, s.version
                 FROM study_allocations a
                 JOIN studies s ON s.org_id = a.org_id AND s.id = a.study_id
                 WHERE a.org_id = $1 AND a.participant_id = $2 ORDER BY s.title, s.id",
            )
            .bind(facts.id().0)
            .fetch_all(&mut *c)
            .await?
        });
        rows.into_iter().map(StudyRow::into_stored).collect()
    }

    /// The study's allocation seed, once it is open. Only the application's allocation and
    /// re-derivation read it; no response carries it.
    pub async fn study_seed(&mut self, id: StudyId) -> Result<Option<[u8; 32]>> {
        let seed: Option<Option<Vec<u8>>> = on_conn!(self.conn(), c => {
            c.query_scalar("SELECT seed FROM studies WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .fetch_optional(&mut *c)
                .await?
        });
        match seed.flatten() {
            None => Ok(None),
            Some(bytes) => <[u8; 32]>::try_from(bytes.as_slice())
                .map(Some)
                .map_err(|_| StorageError::Corrupt("a study seed is not 32 bytes".into())),
        }
    }

    /// The allocation log of a study in sequence order, over the participants in `scope`
    /// (for the study's evaluator, the whole organisation).
    pub async fn study_allocations(
        &mut self,
        scope: &Scope<Research>,
        study: StudyId,
    ) -> Result<Vec<AllocationRecord>> {
        macro_rules! sql {
            ($scope:literal) => {
                select_allocation!("AND a.study_id = $3 AND ", $scope, " ORDER BY a.sequence")
            };
        }
        let rows: Vec<AllocationRow> = on_conn!(self.conn(), c => {
            c.scoped_query_as(scoped_sql!(scope, sql), scope)?
                .bind(study.0)
                .fetch_all(&mut *c)
                .await?
        });
        Ok(rows.into_iter().map(AllocationRecord::from).collect())
    }

    /// One participant's allocation in a study, if they are in it.
    pub async fn study_allocation<A: Access>(
        &mut self,
        grant: &Grant<A>,
        study: StudyId,
    ) -> Result<Option<AllocationRecord>> {
        let row: Option<AllocationRow> = on_conn!(self.conn(), c => {
            c.granted_query_as(
                select_allocation!("AND a.participant_id = $2 AND a.study_id = $3"),
                grant,
            )?
            .bind(study.0)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(AllocationRecord::from))
    }

    /// Every study a participant is in, with their arm: `(study, title, arm code)`.
    pub async fn studies_of_participant<A: Access>(
        &mut self,
        grant: &Grant<A>,
    ) -> Result<Vec<(StudyId, String, String)>> {
        let rows: Vec<(Uuid, String, String)> = on_conn!(self.conn(), c => {
            c.granted_query_as(
                "SELECT s.id, s.title, a.arm FROM study_allocations a
                 JOIN studies s ON s.org_id = a.org_id AND s.id = a.study_id
                 WHERE a.org_id = $1 AND a.participant_id = $2 ORDER BY s.title, s.id",
                grant,
            )?
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows.into_iter().map(|(id, title, arm)| (StudyId(id), title, arm)).collect())
    }

    /// How many are allocated in each arm (codes; arms with none are absent).
    pub async fn study_arm_counts(&mut self, study: StudyId) -> Result<Vec<(String, i64)>> {
        Ok(on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT arm, COUNT(*) FROM study_allocations
                 WHERE org_id = $1 AND study_id = $2 GROUP BY arm ORDER BY arm",
            )
            .bind(study.0)
            .fetch_all(&mut *c)
            .await?
        }))
    }

    /// How many are allocated in a stratum: the next allocation's position in it.
    pub async fn study_stratum_count(&mut self, study: StudyId, stratum: &str) -> Result<i64> {
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar(
                "SELECT COUNT(*) FROM study_allocations
                 WHERE org_id = $1 AND study_id = $2 AND stratum = $3",
            )
            .bind(study.0)
            .bind(stratum)
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// The plan as locked, if it is.
    pub async fn study_plan_lock(&mut self, study: StudyId) -> Result<Option<PlanLockRecord>> {
        let row: Option<LockRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT hash, canonical, locked_by, locked_at FROM study_plan_locks
                 WHERE org_id = $1 AND study_id = $2",
            )
            .bind(study.0)
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(|r| PlanLockRecord {
            hash: r.hash,
            canonical: r.canonical,
            locked_by: UserId(r.locked_by),
            locked_at: r.locked_at.0,
        }))
    }

    /// The plan's amendments, in order.
    pub async fn study_amendments(&mut self, study: StudyId) -> Result<Vec<AmendmentRecord>> {
        let rows: Vec<AmendmentRow> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT seq, reason, previous_hash, plan_hash, hash, canonical, amended_by,
                        amended_at
                 FROM study_amendments WHERE org_id = $1 AND study_id = $2 ORDER BY seq",
            )
            .bind(study.0)
            .fetch_all(&mut *c)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|r| AmendmentRecord {
                seq: r.seq,
                reason: r.reason,
                previous_hash: r.previous_hash,
                plan_hash: r.plan_hash,
                hash: r.hash,
                canonical: r.canonical,
                amended_by: UserId(r.amended_by),
                amended_at: r.amended_at.0,
            })
            .collect())
    }
}

impl Session<Write> {
    /// Inserts a draft study.
    pub async fn insert_study(
        &mut self,
        id: StudyId,
        study: StudyWrite<'_>,
        template_code: Option<&str>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        let definition = definition_json(study.input)?;
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO studies (org_id, id, title, design, status, definition,
                    template_code, seed, created_by, created_at, updated_at, opened_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, $9, NULL, 1)",
            )
            .bind(id.0)
            .bind(study.title)
            .bind(study.design)
            .bind(StudyStatus::Draft.code())
            .bind(definition)
            .bind(template_code)
            .bind(by.0)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        self.replace_study_programs(id, study.program_ids).await
    }

    /// Saves a study's definition if it is still at `version` (a `Conflict` otherwise), and
    /// bumps the version.
    pub async fn update_study(
        &mut self,
        id: StudyId,
        version: i64,
        study: StudyWrite<'_>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let definition = definition_json(study.input)?;
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE studies SET title = $3, design = $4, definition = $5, updated_at = $6,
                    version = version + 1
                 WHERE org_id = $1 AND id = $2 AND version = $7",
            )
            .bind(id.0)
            .bind(study.title)
            .bind(study.design)
            .bind(definition)
            .bind(Timestamp(now))
            .bind(version)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated != 1 {
            return Err(StorageError::Conflict("the study was changed by someone else".into()));
        }
        self.replace_study_programs(id, study.program_ids).await
    }

    async fn replace_study_programs(&mut self, id: StudyId, programs: &[ProgramId]) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query("DELETE FROM study_programs WHERE org_id = $1 AND study_id = $2")
                .bind(id.0)
                .execute(&mut *c)
                .await?;
            for program in programs {
                c.query(
                    "INSERT INTO study_programs (org_id, study_id, program_id) VALUES ($1, $2, $3)",
                )
                .bind(id.0)
                .bind(program.0)
                .execute(&mut *c)
                .await?;
            }
        });
        Ok(())
    }

    /// Opens a draft at `version` for enrolment with its seed (`None` for a study that does
    /// not randomise).
    pub async fn open_study(
        &mut self,
        id: StudyId,
        version: i64,
        seed: Option<[u8; 32]>,
        now: OffsetDateTime,
    ) -> Result<()> {
        let updated = on_conn!(self.conn(), c => {
            c.query(
                "UPDATE studies SET status = $3, seed = $4, opened_at = $5, updated_at = $5,
                    version = version + 1
                 WHERE org_id = $1 AND id = $2 AND version = $6 AND status = $7",
            )
            .bind(id.0)
            .bind(StudyStatus::Open.code())
            .bind(seed.map(|s| s.to_vec()))
            .bind(Timestamp(now))
            .bind(version)
            .bind(StudyStatus::Draft.code())
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StorageError::Conflict("the study was changed by someone else".into()))
        }
    }

    /// Holds the study for this transaction's enrolment: on PostgreSQL the row lock makes
    /// concurrent enrolments in one study take their turn, so each reads the count before it
    /// (SQLite's single writer already does). `NotFound` if there is no such study.
    pub async fn hold_study_for_enrolment(&mut self, id: StudyId) -> Result<()> {
        let held = on_conn!(self.conn(), c => {
            c.query("UPDATE studies SET version = version WHERE org_id = $1 AND id = $2")
                .bind(id.0)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if held == 1 { Ok(()) } else { Err(StorageError::NotFound) }
    }

    /// Appends an allocation to the log (the next sequence number); returns its number. A
    /// second allocation of the same participant, or of the same position in a stratum, is
    /// a `Conflict`.
    pub async fn append_allocation<A: Access>(
        &mut self,
        grant: &Grant<A>,
        study: StudyId,
        allocation: NewAllocation<'_>,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<i64> {
        let participant = grant.bound_to(self.org_id)?;
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar(
                "INSERT INTO study_allocations (org_id, study_id, sequence, participant_id,
                    stratum, position, arm, method, block, block_size, enrolled_by, enrolled_at)
                 VALUES ($1, $2,
                    (SELECT COALESCE(MAX(sequence), 0) + 1 FROM study_allocations
                     WHERE org_id = $1 AND study_id = $2),
                    $3, $4, $5, $6, $7, $8, $9, $10, $11)
                 RETURNING sequence",
            )
            .bind(study.0)
            .bind(participant)
            .bind(allocation.stratum)
            .bind(allocation.position)
            .bind(allocation.arm)
            .bind(allocation.method)
            .bind(allocation.block)
            .bind(allocation.block_size)
            .bind(by.0)
            .bind(Timestamp(now))
            .fetch_one(&mut *c)
            .await?
        }))
    }

    /// Records the plan's lock. A plan is locked once: a second lock is a `Conflict`.
    pub async fn insert_plan_lock(
        &mut self,
        study: StudyId,
        hash: &str,
        canonical: &str,
        by: UserId,
        now: OffsetDateTime,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "INSERT INTO study_plan_locks (org_id, study_id, hash, canonical, locked_by,
                    locked_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(study.0)
            .bind(hash)
            .bind(canonical)
            .bind(by.0)
            .bind(Timestamp(now))
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Appends an amendment (the next number); returns its number.
    pub async fn append_amendment(
        &mut self,
        study: StudyId,
        amendment: &AmendmentRecord,
    ) -> Result<i64> {
        Ok(on_conn!(self.conn(), c => {
            c.query_scalar(
                "INSERT INTO study_amendments (org_id, study_id, seq, reason, previous_hash,
                    plan_hash, hash, canonical, amended_by, amended_at)
                 VALUES ($1, $2,
                    (SELECT COALESCE(MAX(seq), 0) + 1 FROM study_amendments
                     WHERE org_id = $1 AND study_id = $2),
                    $3, $4, $5, $6, $7, $8, $9)
                 RETURNING seq",
            )
            .bind(study.0)
            .bind(&amendment.reason)
            .bind(&amendment.previous_hash)
            .bind(&amendment.plan_hash)
            .bind(&amendment.hash)
            .bind(&amendment.canonical)
            .bind(amendment.amended_by.0)
            .bind(Timestamp(amendment.amended_at))
            .fetch_one(&mut *c)
            .await?
        }))
    }
}
