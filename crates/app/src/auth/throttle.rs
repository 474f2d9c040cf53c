//! The login throttle: after a few failures for one email, each further attempt must wait a
//! little longer (1 s, then 2 s); after five, sign-in for that email locks for 15 minutes.
//! Counting per organisation and email (not per IP) protects an account from a guesser on
//! many addresses; the count is kept whether or not the account exists, so the throttle
//! reveals nothing.

use kindred_storage::LoginFailures;
use time::{Duration, OffsetDateTime};

use crate::LoginRefused;

pub const SLOW_DOWN_AFTER: i32 = 3;
pub const LOCK_AFTER: i32 = 5;
pub const LOCK_FOR: Duration = Duration::minutes(15);
/// Failures this old no longer count: yesterday's typos do not slow today's login.
const FORGET_AFTER: Duration = Duration::hours(1);

/// The failures that still count, or why this attempt must not even be checked.
pub(crate) fn check(
    record: Option<LoginFailures>,
    now: OffsetDateTime,
) -> Result<i32, LoginRefused> {
    let Some(record) = record else { return Ok(0) };
    if let Some(until) = record.locked_until {
        return if until > now {
            let minutes = ((until - now).whole_seconds() + 59) / 60;
            Err(LoginRefused::Locked { until, minutes })
        } else {
            Ok(0)
        };
    }
    if now - record.last_failure_at > FORGET_AFTER {
        return Ok(0);
    }
    if record.failures >= SLOW_DOWN_AFTER {
        let wait = slow_down(record.failures);
        let ready_at = record.last_failure_at + wait;
        if now < ready_at {
            let seconds = ((ready_at - now).whole_milliseconds() + 999) / 1000;
            return Err(LoginRefused::SlowDown { seconds: seconds as i64 });
        }
    }
    Ok(record.failures)
}

/// After a failure on top of `previous` failures: the new count, and the lock if it is due.
pub(crate) fn after_failure(previous: i32, now: OffsetDateTime) -> (i32, Option<OffsetDateTime>) {
    let failures = previous + 1;
    (failures, (failures >= LOCK_AFTER).then(|| now + LOCK_FOR))
}

/// 1 s after the third failure, 2 s after the fourth, doubling.
fn slow_down(failures: i32) -> Duration {
    Duration::seconds(1 << (failures - SLOW_DOWN_AFTER).clamp(0, 10))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

    fn failures(
        n: i32,
        seconds_ago: i64,
        locked_until: Option<OffsetDateTime>,
    ) -> Option<LoginFailures> {
        Some(LoginFailures {
            failures: n,
            last_failure_at: NOW - Duration::seconds(seconds_ago),
            locked_until,
        })
    }

    #[test]
    fn first_failures_pass_then_attempts_slow_down_then_lock() {
        assert_eq!(check(None, NOW), Ok(0));
        assert_eq!(check(failures(2, 0, None), NOW), Ok(2));
        assert_eq!(check(failures(3, 0, None), NOW), Err(LoginRefused::SlowDown { seconds: 1 }));
        assert_eq!(check(failures(3, 1, None), NOW), Ok(3));
        assert_eq!(check(failures(4, 1, None), NOW), Err(LoginRefused::SlowDown { seconds: 1 }));
        assert_eq!(after_failure(3, NOW), (4, None));
        assert_eq!(after_failure(4, NOW), (5, Some(NOW + LOCK_FOR)));
    }

    #[test]
    fn a_lock_holds_until_it_runs_out_and_then_starts_afresh() {
        let until = NOW + Duration::minutes(10);
        assert_eq!(
            check(failures(5, 300, Some(until)), NOW),
            Err(LoginRefused::Locked { until, minutes: 10 })
        );
        assert_eq!(check(failures(5, 1200, Some(NOW - Duration::seconds(1))), NOW), Ok(0));
    }

    #[test]
    fn old_failures_are_forgotten() {
        assert_eq!(check(failures(4, 7200, None), NOW), Ok(0));
    }
}
