//! What a study's storage hands back: the study, its list line, its allocation log and its
//! locked plan, as plain values. Defined here rather than in storage so the application can
//! hand them to the web layer without a storage type crossing its public surface.

use time::OffsetDateTime;

use crate::ids::{ParticipantId, StudyId, UserId};
use crate::study::{StudyInput, StudyStatus};

/// A study as stored: its definition as input (the application parses it), never its seed.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredStudy {
    pub id: StudyId,
    pub title: String,
    /// The design's code (`randomised`…).
    pub design: String,
    pub status: StudyStatus,
    pub input: StudyInput,
    /// The program template it replicates, if it was made with "Replicate this study".
    pub template_code: Option<String>,
    pub created_by: UserId,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub opened_at: Option<OffsetDateTime>,
    /// Bumped by every change; an edit names the version it read.
    pub version: i64,
}

/// A line of the studies list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudySummary {
    pub id: StudyId,
    pub title: String,
    pub design: String,
    pub status: StudyStatus,
    pub enrolled: i64,
    pub plan_locked: bool,
}

/// One entry of the allocation log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllocationRecord {
    /// The study's enrolments numbered from 1, in the order they were made.
    pub sequence: i64,
    pub participant_id: ParticipantId,
    /// The participant's reference (`P-0042`), never a name.
    pub participant_reference: String,
    pub stratum: String,
    /// The count allocated before in the stratum.
    pub position: i64,
    /// The arm's code.
    pub arm: String,
    /// `randomised` (drawn from the seeded sequence) or `membership` (read from the record).
    pub method: String,
    pub block: Option<i64>,
    pub block_size: Option<i64>,
    pub enrolled_by: UserId,
    pub enrolled_at: OffsetDateTime,
}

/// The plan as locked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLockRecord {
    pub hash: String,
    pub canonical: String,
    pub locked_by: UserId,
    pub locked_at: OffsetDateTime,
}

/// One amendment, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmendmentRecord {
    /// From 1.
    pub seq: i64,
    pub reason: String,
    pub previous_hash: String,
    pub plan_hash: String,
    pub hash: String,
    /// The amended plan's canonical form.
    pub canonical: String,
    pub amended_by: UserId,
    pub amended_at: OffsetDateTime,
}
