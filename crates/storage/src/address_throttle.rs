//! Failed sign-ins per client address, across every email and organisation: the throttle on
//! a guesser who sprays many accounts from one place. An address belongs to no organisation,
//! so this table is not tenant-owned and its queries run without a tenant (like the
//! organisations themselves); it holds no personal data beyond the address key and a count.
//!
//! As with the per-email throttle, an attempt is counted before its password is checked, in
//! one statement, so parallel attempts cannot all pass; an attempt that turns out right (or
//! is never checked) gives its place back, so only failures stay counted. A count lives for
//! one fixed window from its first counted attempt; the next attempt after that opens a new one.

use time::OffsetDateTime;

use crate::backend::Database;
use crate::session::on_raw_conn;
use crate::{Result, Timestamp};

/// The rules for counting one more attempt from an address, as the application decides them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressAttempt {
    pub at: OffsetDateTime,
    /// A window that started at or before this has ended: the attempt opens a new one.
    pub window_ended_before: OffsetDateTime,
    /// How many failures one window allows.
    pub limit: i32,
}

/// What became of an attempt from an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressReservation {
    /// Counted: the window's count including this attempt.
    Counted { failures: i32 },
    /// Not counted: the address has used up its window, which started then.
    Refused { window_started_at: OffsetDateTime },
}

impl Database {
    /// Counts one more attempt from `address` unless its window is used up. Read and write
    /// are one statement (see the module's note), so parallel attempts each count.
    pub async fn reserve_address_attempt(
        &self,
        address: &str,
        attempt: AddressAttempt,
    ) -> Result<AddressReservation> {
        let mut held = self.begin_write().await?;
        let outcome = on_raw_conn!(held.raw_conn(), c => {
            let counted: Option<i32> = sqlx::query_scalar(
                "INSERT INTO login_address_throttle (address, failures, window_started_at)
                 VALUES ($1, 1, $2)
                 ON CONFLICT (address) DO UPDATE
                 SET failures = CASE WHEN login_address_throttle.window_started_at <= $3 THEN 1
                                     ELSE login_address_throttle.failures + 1 END,
                     window_started_at = CASE
                         WHEN login_address_throttle.window_started_at <= $3 THEN $2
                         ELSE login_address_throttle.window_started_at END
                 WHERE login_address_throttle.failures < $4
                    OR login_address_throttle.window_started_at <= $3
                 RETURNING failures",
            )
            .bind(address)
            .bind(Timestamp(attempt.at))
            .bind(Timestamp(attempt.window_ended_before))
            .bind(attempt.limit)
            .fetch_optional(&mut *c)
            .await?;
            match counted {
                Some(failures) => AddressReservation::Counted { failures },
                None => {
                    // The condition failed, so the row exists (and this transaction holds it).
                    let started: Timestamp = sqlx::query_scalar(
                        "SELECT window_started_at FROM login_address_throttle WHERE address = $1",
                    )
                    .bind(address)
                    .fetch_one(&mut *c)
                    .await?;
                    AddressReservation::Refused { window_started_at: started.0 }
                }
            }
        });
        held.commit().await?;
        self.forget_ended_address_windows(attempt.window_ended_before).await?;
        Ok(outcome)
    }

    /// Housekeeping on sign-in rather than on a timer: rows only pile up as people sign in,
    /// and an ended window says nothing any more (the index makes this cheap). Its own
    /// transaction, so it never holds rows while a reservation waits on them.
    async fn forget_ended_address_windows(&self, ended_before: OffsetDateTime) -> Result<()> {
        let mut held = self.begin_write().await?;
        on_raw_conn!(held.raw_conn(), c => {
            sqlx::query("DELETE FROM login_address_throttle WHERE window_started_at <= $1")
                .bind(Timestamp(ended_before))
                .execute(&mut *c)
                .await?;
        });
        held.commit().await
    }

    /// Gives back the place an attempt from `address` took: its password was right, or was
    /// never checked. The window keeps its start.
    pub async fn release_address_attempt(&self, address: &str) -> Result<()> {
        let mut held = self.begin_write().await?;
        on_raw_conn!(held.raw_conn(), c => {
            sqlx::query(
                "UPDATE login_address_throttle SET failures = failures - 1
                 WHERE address = $1 AND failures > 0",
            )
            .bind(address)
            .execute(&mut *c)
            .await?;
        });
        held.commit().await?;
        Ok(())
    }
}
