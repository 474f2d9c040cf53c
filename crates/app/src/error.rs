//! The application's error policy.
//!
//! - A use case returns [`AppError`]: the few outcomes a caller must treat differently (not
//!   signed in, not allowed, not found, invalid input with its fields, a conflict, a refused
//!   login) are variants, and the web layer maps each to one HTTP status and message.
//! - Storage failures that are not one of those become [`AppError::Internal`], which keeps
//!   the cause (its whole chain) for the log. It is logged once, at the web edge where the
//!   error becomes a response, with the request's id; people see only "something went wrong
//!   on our side" and that id, never SQL.
//! - A conflict from storage is a [`Conflict`] kind, never database text; [`conflict_sentence`]
//!   writes the sentence people read ("a program with this name already exists").
//! - A disclosure the participant has not consented to is [`AppError::NoConsent`], apart from
//!   `Forbidden`: the remedy is the participant's signed consent, not another role.
//! - A record of another organisation is [`AppError::NotFound`], never `Forbidden`: the
//!   answer must not reveal that it exists.

use kindred_domain::FieldErrors;
use kindred_storage::{Conflict, StorageError};
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
    /// The actor may see the record, but the participant has not consented to disclose it to
    /// the recipient for the purpose asked: the message names what is missing.
    #[error("{0}")]
    NoConsent(String),
    #[error(transparent)]
    Login(#[from] LoginRefused),
    /// The server is at capacity (too many password hashes queued): nothing was done, and the
    /// same request may simply be sent again after `seconds`.
    #[error("Kindred is busy: try again in {}", count(*seconds, "second"))]
    Busy { seconds: i64 },
    /// The request is larger than the use case takes (an upload over its limit): nothing was
    /// read or done.
    #[error("{0}")]
    TooLarge(String),
    /// The cause, for the log only.
    #[error("something went wrong on our side")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
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
    /// Too many failed sign-ins from this client address, whichever accounts they named.
    #[error("too many failed sign-ins from this network: wait {} before trying again", count((*seconds + 59) / 60, "minute"))]
    FromAddress { seconds: i64 },
}

impl LoginRefused {
    /// How long the client should wait before trying again, if the refusal says.
    pub fn retry_after_seconds(&self) -> Option<i64> {
        match self {
            LoginRefused::BadCredentials => None,
            LoginRefused::SlowDown { seconds } | LoginRefused::FromAddress { seconds } => {
                Some(*seconds)
            }
            LoginRefused::Locked { minutes, .. } => Some(minutes * 60),
        }
    }
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
            StorageError::Conflict(conflict) => AppError::Conflict(conflict_sentence(&conflict)),
            other => AppError::Internal(Box::new(other)),
        }
    }
}

impl AppError {
    /// A conflict of this kind, with its sentence (for checks made before the database's).
    pub(crate) fn conflict(conflict: Conflict) -> Self {
        AppError::Conflict(conflict_sentence(&conflict))
    }
}

/// The sentence people read for a refused write.
pub(crate) fn conflict_sentence(conflict: &Conflict) -> String {
    let sentence = match conflict {
        Conflict::OrganisationSlug => "an organisation with this short name already exists",
        Conflict::UserEmail => {
            "someone in this organisation already has an account with this email"
        }
        Conflict::ApiToken => "this API token already exists",
        Conflict::ProgramName => "a program with this name already exists",
        Conflict::ParticipantReference => "a participant with this reference already exists",
        Conflict::ProtocolStepTask => "this participant already has a task for this protocol step",
        Conflict::FollowUpTask => {
            "this participant already has this follow-up task for this time point"
        }
        Conflict::ResourceSource => "this resource was already imported from that source",
        Conflict::StudyEnrolment => "this participant is already enrolled in this study",
        Conflict::AllocationPosition => {
            "another participant was enrolled in this study at the same moment; enrol again"
        }
        Conflict::Duplicate => "this record already exists",
        Conflict::Changed => {
            "this record was changed by someone else since you opened it; reload to see their changes"
        }
        Conflict::Refused(message) => return message.clone(),
    };
    sentence.to_owned()
}
