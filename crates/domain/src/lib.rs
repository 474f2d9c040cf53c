//! Kindred's domain: the nouns of peer recovery support and the rules that keep them valid.
//!
//! Values are *parsed, not validated*: a [`participant::NewParticipant`] can only hold a valid
//! participant, so code that receives one never checks again. Nothing here knows about HTTP,
//! SQL or async; the storage and web crates translate to and from these types.

pub mod appointments;
pub mod assessment;
pub mod audit;
pub mod consent;
pub mod contact;
pub mod fidelity;
pub mod fields;
pub mod follow_up;
pub mod follow_up_log;
pub mod group_session;
pub mod ids;
pub mod instruments;
pub mod org;
pub mod outcome_event;
pub mod participant;
pub mod programs;
pub mod recovery_plan;
pub mod referral;
pub mod resource;
pub mod scalar;
pub mod schedule;
pub mod staff;
pub mod study;
pub mod supervision;
pub mod tasks;
pub mod text;
pub mod user;
pub mod vocabulary;

pub use fields::{FieldError, FieldErrors};
