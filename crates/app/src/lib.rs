//! Kindred's use cases.
//!
//! Every operation on the record goes through here: it authenticates the caller into an
//! [`Actor`], asks the [`policy`] whether the actor may act, does the work through a tenant
//! handle that only an actor carries, and appends the audit event. The web layer depends on
//! this crate only, so a handler cannot reach the database without passing those checks.

pub mod actor;
pub mod admin;
pub mod appointments;
pub mod assessments;
mod assignment;
pub mod audit;
pub mod auth;
pub mod blinded_follow_up;
pub mod caseload_glance;
mod clock;
pub mod consents;
pub mod contacts;
pub mod demo;
mod error;
pub mod export;
pub mod fhir;
pub mod fidelity;
pub mod follow_up;
pub mod follow_up_rates;
pub mod follow_up_sweep;
pub mod group_sessions;
pub mod hsds;
pub mod import;
pub mod outcome_events;
pub mod paging;
pub mod participants;
pub mod policy;
pub mod program_dashboard;
pub mod programs;
mod protocol_tasks;
pub mod recovery_plans;
pub mod referrals;
pub mod research;
pub mod resources;
pub mod staff;
pub mod studies;
pub mod supervision;
pub mod tasks;

pub use actor::Actor;
pub use clock::Clock;
pub use error::{AppError, LoginRefused};
pub use kindred_storage::{Backend, DatabaseLocation};

use std::sync::Arc;

use kindred_storage::Database;

use crate::auth::{SignInGuard, SignInLimits};
use crate::policy::Policy;

/// The result of every use case.
pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// The application: the database and the clock. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    database: Database,
    clock: Clock,
    /// The only holder of the database's policy key: every grant and scope comes from here.
    policy: Arc<Policy>,
    /// The sign-in limits and the bounded password hasher, shared by every clone.
    sign_in: SignInGuard,
    /// Programs' follow-up rates for the day, while their data's version holds.
    rates_cache: Arc<follow_up_rates::RatesCache>,
    /// The secret export pseudonyms and date shifts come from; `None` refuses exports.
    export_key: Option<Arc<export::ExportKey>>,
}

impl App {
    /// Opens (and migrates) the database at `location`.
    pub async fn open(location: &DatabaseLocation, clock: Clock) -> Result<Self> {
        let database = Database::open(location).await?;
        let key = database.policy_key().ok_or_else(|| {
            AppError::Internal("the database's policy key was already taken".into())
        })?;
        let sign_in = SignInGuard::new(SignInLimits::default());
        Ok(Self {
            database,
            clock,
            policy: Arc::new(Policy::new(key)),
            sign_in,
            rates_cache: Arc::default(),
            export_key: None,
        })
    }

    /// The same application with other sign-in limits (a deployment's settings, or a test's).
    pub fn with_sign_in_limits(mut self, limits: SignInLimits) -> Self {
        self.sign_in = SignInGuard::new(limits);
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn backend(&self) -> Backend {
        self.database.backend()
    }

    /// Finishes in-flight work and closes the database.
    pub async fn close(&self) {
        self.database.close().await;
    }
}
