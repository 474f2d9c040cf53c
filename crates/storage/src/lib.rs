//! Kindred's storage: one tenant-scoped API over SQLite (the embedded default) and PostgreSQL.
//!
//! The only way to reach tenant-owned rows is a [`Tenant`] handle, which carries the
//! organisation id and binds it into every query itself; the application layer hands one out
//! only to an authenticated actor. Each query is written once, in SQL both databases accept,
//! and run through the [`on_conn!`] macro against whichever backend the [`Database`] holds;
//! the same integration suite runs on both to catch drift.
//!
//! Reads run on a [`Session<Read>`]; writes on a [`Session<Write>`], a transaction that must be
//! committed (dropping it rolls back). On SQLite, writes go through a single writer connection
//! (SQLite allows one writer at a time; queueing in-process avoids its sleep-and-retry busy
//! handler, which ruins tail latency) and reads through a pool of read-only connections.

mod access;
mod address_throttle;
mod appointments;
mod assessments;
mod audit;
mod backend;
mod caseload_glance;
mod coach_assignments;
pub mod conflict;
mod consents;
mod contacts;
mod error;
mod fidelity;
mod follow_up;
mod follow_up_log;
mod group_sessions;
mod imports;
mod login_throttle;
mod migrate;
mod open_windows;
mod org_instruments;
mod organisations;
mod outcome_events;
mod participant_lists;
mod participants;
mod program_dashboard;
mod programs;
mod recovery_plans;
mod referrals;
mod research;
mod research_export;
mod resources;
mod rollup_span;
mod search_keys;
mod security;
mod session;
mod staff;
mod studies;
mod supervision;
mod tasks;
mod timestamp;
mod users;

pub use access::{
    Access, Among, CancelTasks, Consents, Edit, Enrol, Exclude, Grant, Identified, Identifies,
    ParticipantFacts, PolicyKey, Reach, RecordWork, Research, Scope, SeeWork, Writes,
};
pub use address_throttle::{AddressAttempt, AddressReservation};
pub use audit::AuditQuery;
pub use backend::{Backend, Database, DatabaseLocation};
pub use caseload_glance::{AnswersRow, GLANCE_IDS};
pub use coach_assignments::CoachAssignment;
pub use conflict::Conflict;
pub use contacts::{COUNT_CAP, ContactPage, ContactQuery};
pub use error::StorageError;
pub use fidelity::{CaseloadRow, DoseRow, DoseTotalRow, FidelityScope, FirstContactRow, StepRow};
pub use follow_up::{FollowUpSubject, RateSubject, Settle, TimePointTask};
pub use login_throttle::{LoginAttempt, LoginFailures, Reservation};
pub use open_windows::{OpenWindowQuery, OpenWindowSubject};
pub use participant_lists::{ParticipantQuery, ParticipantSummary};
pub use participants::{ResearchRecord, StoredParticipant};
pub use program_dashboard::{CountRow, EnrolmentRow};
pub use programs::{Program, ProgramOverview, StoredProgram};
pub use referrals::{NewReferralRecord, ReferralFollowUp, StoredReferral};
pub use research::{ResearchAssessment, ResearchDose, ResearchEvent, ResearchLoad};
pub use research_export::{ExportIdentity, ResearchContact};
pub use resources::ResourceQuery;
pub use security::{ApiTokenRecord, SessionRecord};
pub use session::{Read, Session, Tenant, Write};
pub use studies::{NewAllocation, StudyWrite};
pub use supervision::{BoundaryConcern, CoachFilter, SupervisionSession};
pub use tasks::{CancelScope, DueQuery, DueTask, StepTask, StepTaskRefresh};
pub use timestamp::Timestamp;
pub use users::NewUser;

/// The result of every storage call.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
