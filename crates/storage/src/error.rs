//! Storage errors: the few cases callers act on (not found, conflict) are their own variants;
//! everything else is a database failure the application reports as an internal error.

use crate::conflict::Conflict;

/// Why a storage call failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The record does not exist in this organisation.
    #[error("not found")]
    NotFound,
    /// A uniqueness rule, a concurrent change or a rule of the record refused the write
    /// (classified in [`crate::conflict`], never the database's own text).
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    /// A stored value could not be read back (an unknown code, a malformed timestamp).
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    /// The database URL or location could not be used.
    #[error("database location: {0}")]
    Location(String),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for StorageError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::RowNotFound => StorageError::NotFound,
            sqlx::Error::Database(db) if db.is_unique_violation() => {
                StorageError::Conflict(crate::conflict::classify(db.as_ref()))
            }
            _ => StorageError::Database(error),
        }
    }
}

/// Reads a stored taxonomy code back into its term.
pub(crate) fn decode_code<V: kindred_domain::vocabulary::Vocabulary>(
    code: &str,
) -> Result<V, StorageError> {
    V::from_code(code)
        .ok_or_else(|| StorageError::Corrupt(format!("unknown {} code {code:?}", V::NAME)))
}

/// Reads an optional stored taxonomy code.
pub(crate) fn decode_optional_code<V: kindred_domain::vocabulary::Vocabulary>(
    code: Option<&str>,
) -> Result<Option<V>, StorageError> {
    code.map(decode_code).transpose()
}
