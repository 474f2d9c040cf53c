//! The login throttle per organisation and email: how many recent attempts failed, and whether
//! sign-in for that email is locked.
//!
//! An attempt is counted *before* its password is checked ([`Session::reserve_login_attempt`]),
//! in one statement that also sets the lock, so parallel attempts cannot all pass the gate
//! before any of them is recorded: each sees the count the previous ones left. A right password
//! then clears the count; an attempt that was never checked gives its place back
//! ([`Session::release_login_attempt`]). The rules (how many, how long) are the application's;
//! this module only applies them atomically.

use kindred_domain::user::EmailAddress;
use time::OffsetDateTime;

use crate::session::{Session, Write, on_conn};
use crate::{Result, StorageError, Timestamp};

/// Recent failed (or still unchecked) logins for one email address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginFailures {
    pub failures: i32,
    pub last_failure_at: OffsetDateTime,
    pub locked_until: Option<OffsetDateTime>,
}

/// The rules for counting one more attempt, as the application's throttle decides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginAttempt {
    pub at: OffsetDateTime,
    /// A count whose last failure is older than this is forgotten: the attempt counts as the
    /// first.
    pub forget_before: OffsetDateTime,
    /// The count at which sign-in locks (more than one), and until when it then stays locked.
    pub lock_after: i32,
    pub lock_until: OffsetDateTime,
}

/// What became of an attempt at the gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    /// Counted (as a failure until it proves otherwise): the count including this attempt,
    /// locked if this attempt reached the limit.
    Counted(LoginFailures),
    /// Not counted: sign-in for this email is locked.
    Locked(LoginFailures),
}

#[derive(sqlx::FromRow)]
struct Row {
    failures: i32,
    last_failure_at: Timestamp,
    locked_until: Option<Timestamp>,
}

impl From<Row> for LoginFailures {
    fn from(r: Row) -> Self {
        LoginFailures {
            failures: r.failures,
            last_failure_at: r.last_failure_at.0,
            locked_until: r.locked_until.map(|t| t.0),
        }
    }
}

impl<M> Session<M> {
    pub async fn login_failures(&mut self, email: &EmailAddress) -> Result<Option<LoginFailures>> {
        let row: Option<Row> = on_conn!(self.conn(), c => {
            c.query_as(
                "SELECT failures, last_failure_at, locked_until FROM login_throttle
                 WHERE org_id = $1 AND email = $2",
            )
            .bind(email.as_str())
            .fetch_optional(&mut *c)
            .await?
        });
        Ok(row.map(LoginFailures::from))
    }
}

impl Session<Write> {
    /// Counts one more attempt for `email` unless sign-in is locked. One statement reads and
    /// writes the count (PostgreSQL holds the row's lock for it; SQLite has one writer), so
    /// twenty parallel attempts count 1, 2, … 20 — or stop at the lock, which the attempt that
    /// reaches `lock_after` sets in the same statement. A forgotten count or a lock that has run
    /// out starts again at one.
    pub async fn reserve_login_attempt(
        &mut self,
        email: &EmailAddress,
        attempt: LoginAttempt,
    ) -> Result<Reservation> {
        let counted: Option<Row> = on_conn!(self.conn(), c => {
            c.query_as(
                "INSERT INTO login_throttle (org_id, email, failures, last_failure_at, locked_until)
                 VALUES ($1, $2, 1, $3, NULL)
                 ON CONFLICT (org_id, email) DO UPDATE
                 SET failures = CASE
                         WHEN login_throttle.last_failure_at < $4
                           OR login_throttle.locked_until <= $3 THEN 1
                         ELSE login_throttle.failures + 1 END,
                     last_failure_at = $3,
                     locked_until = CASE
                         WHEN login_throttle.last_failure_at < $4
                           OR login_throttle.locked_until <= $3 THEN NULL
                         WHEN login_throttle.failures + 1 >= $5 THEN $6
                         ELSE NULL END
                 WHERE login_throttle.locked_until IS NULL OR login_throttle.locked_until <= $3
                 RETURNING failures, last_failure_at, locked_until",
            )
            .bind(email.as_str())
            .bind(Timestamp(attempt.at))
            .bind(Timestamp(attempt.forget_before))
            .bind(attempt.lock_after)
            .bind(Timestamp(attempt.lock_until))
            .fetch_optional(&mut *c)
            .await?
        });
        if let Some(row) = counted {
            return Ok(Reservation::Counted(row.into()));
        }
        // The update's condition failed, so the row exists and is locked (and this
        // transaction keeps it so until it ends).
        let current = self.login_failures(email).await?.ok_or_else(|| {
            StorageError::Corrupt(
                "a locked login throttle row is gone in its own transaction".into(),
            )
        })?;
        Ok(Reservation::Locked(current))
    }

    /// Gives back the place an attempt took but never used (its password was not checked):
    /// one fewer, and no lock once the count is below `lock_after` again.
    pub async fn release_login_attempt(
        &mut self,
        email: &EmailAddress,
        lock_after: i32,
    ) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query(
                "UPDATE login_throttle
                 SET failures = failures - 1,
                     locked_until = CASE WHEN failures - 1 < $3 THEN NULL ELSE locked_until END
                 WHERE org_id = $1 AND email = $2 AND failures > 0",
            )
            .bind(email.as_str())
            .bind(lock_after)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Forgets the count: the right password was given.
    pub async fn clear_login_failures(&mut self, email: &EmailAddress) -> Result<()> {
        on_conn!(self.conn(), c => {
            c.query("DELETE FROM login_throttle WHERE org_id = $1 AND email = $2")
                .bind(email.as_str())
                .execute(&mut *c)
                .await?;
        });
        Ok(())
    }
}
