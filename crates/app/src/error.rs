//! The application's error policy.
//!
//! - A use case returns [`AppError`]: the few outcomes a caller must treat differently (not
//!   signed in, not allowed, not found, invalid input with its fields, a conflict, a refused
//!   login) are variants, and the web layer maps each to one HTTP status and message.
//! - Storage failures that are not one of those become [`AppError::Internal`]: logged here
//!   with their cause, shown to people only as "something went wrong", never with SQL.
//! - A record of another organisation is [`AppError::NotFound`], never `Forbidden`: the
//!   answer must not reveal that it exists.

use kindred_domain::FieldErrors;
use kindred_storage::StorageError;
use time::OffsetDateTime;

/// Why a use case did not complete.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("sign in to continue")]
    Unauthenticated,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("some fields need attention: {0}")]
    Invalid(FieldErrors),
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Login(#[from] LoginRefused),
    #[error("something went wrong on our side")]
    Internal(String),
}

/// Why a login was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginRefused {
    /// Deliberately vague: it must not say whether the organisation or the email exists.
    #[error("the organisation, email or password is not right")]
    BadCredentials,
    #[error("too many failed attempts: wait {} before trying again", count(*seconds, "second"))]
    SlowDown { seconds: i64 },
    #[error("too many failed attempts: sign-in is locked for another {}", count(*minutes, "minute"))]
    Locked { until: OffsetDateTime, minutes: i64 },
}

/// "1 minute", "15 minutes".
fn count(n: i64, unit: &str) -> String {
    if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") }
}

impl From<FieldErrors> for AppError {
    fn from(errors: FieldErrors) -> Self {
        AppError::Invalid(errors)
    }
}

impl From<StorageError> for AppError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::NotFound => AppError::NotFound,
            StorageError::Conflict(message) => AppError::Conflict(message),
            other => {
                tracing::error!(error = %other, "storage failure");
                AppError::Internal(other.to_string())
            }
        }
    }
}
