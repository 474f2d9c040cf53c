//! The login throttle: after a few failures for one email, each further attempt must wait a
//! little longer (1 s, then 2 s); after five, sign-in for that email locks for 15 minutes.
//! Counting per organisation and email protects an account from a guesser on many addresses
//! (the per-address limit, in `address_throttle`, covers one address guessing many accounts);
//! the count is kept whether or not the account exists, so the throttle reveals nothing.
//!
//! Two gates, because parallel guesses must not get more than sequential ones:
//! - [`check`] reads the count first and applies the slow-down and the lock. It is only a
//!   read, so attempts sent at the same moment can all pass it;
//! - the reservation ([`attempt`]'s rules, applied by storage in one statement) then counts
//!   the attempt *before* its password is checked, and refuses once the count — including
//!   attempts still being checked — reaches the lock. So however many guesses arrive at once,
//!   at most [`LOCK_AFTER`] are checked per lock period; parallelism only skips the few
//!   seconds of slow-down, which exist to pace a sequential guesser and a person's retries.
//!
//! The price: an attempt counts as a failure until its password proves right, so more than
//! a few *simultaneous* sign-ins to one account (an integration fanning out token requests)
//! are refused like guesses until the first right one clears the count. A client that hangs
//! up mid-check leaves its attempt counted.

use kindred_storage::{LoginAttempt, LoginFailures};
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
        return if until > now { Err(locked(until, now)) } else { Ok(0) };
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

/// The rules storage counts an attempt made at `now` by.
pub(crate) fn attempt(now: OffsetDateTime) -> LoginAttempt {
    LoginAttempt {
        at: now,
        forget_before: now - FORGET_AFTER,
        lock_after: LOCK_AFTER,
        lock_until: now + LOCK_FOR,
    }
}

/// The answer to a counted attempt whose password was wrong: locked if it was the one that
/// reached the limit, otherwise just "not right".
pub(crate) fn after_wrong_password(counted: LoginFailures, now: OffsetDateTime) -> LoginRefused {
    match counted.locked_until {
        Some(until) if until > now => locked(until, now),
        _ => LoginRefused::BadCredentials,
    }
}

/// The answer to an attempt the reservation refused: the email is locked.
pub(crate) fn refused(current: LoginFailures, now: OffsetDateTime) -> LoginRefused {
    match check(Some(current), now) {
        Err(refusal) => refusal,
        // The reservation saw a lock that has run out since: say the least that is true.
        Ok(_) => LoginRefused::SlowDown { seconds: 1 },
    }
}

fn locked(until: OffsetDateTime, now: OffsetDateTime) -> LoginRefused {
    let minutes = ((until - now).whole_seconds() + 59) / 60;
    LoginRefused::Locked { until, minutes }
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
    }

    #[test]
    fn an_attempt_counts_against_the_last_hour_and_locks_for_a_quarter_hour_at_the_limit() {
        let rules = attempt(NOW);
        assert_eq!(rules.at, NOW);
        assert_eq!(rules.forget_before, NOW - Duration::hours(1));
        assert_eq!(rules.lock_after, LOCK_AFTER);
        assert_eq!(rules.lock_until, NOW + Duration::minutes(15));
        // Storage's insert path never locks, so the limit must be more than one attempt.
        const { assert!(LOCK_AFTER > 1 && SLOW_DOWN_AFTER < LOCK_AFTER) };
    }

    #[test]
    fn a_wrong_password_says_locked_only_when_its_attempt_set_the_lock() {
        let later = NOW + Duration::milliseconds(80);
        assert_eq!(
            after_wrong_password(failures(4, 0, None).unwrap(), later),
            LoginRefused::BadCredentials
        );
        let lock = NOW + LOCK_FOR;
        assert_eq!(
            after_wrong_password(failures(5, 0, Some(lock)).unwrap(), later),
            LoginRefused::Locked { until: lock, minutes: 15 }
        );
    }

    #[test]
    fn a_refused_reservation_reports_the_time_left_on_the_lock() {
        let until = NOW + Duration::seconds(14 * 60 + 1);
        assert_eq!(
            refused(failures(5, 0, Some(until)).unwrap(), NOW),
            LoginRefused::Locked { until, minutes: 15 }
        );
        assert_eq!(
            refused(failures(5, 0, Some(NOW - Duration::seconds(1))).unwrap(), NOW),
            LoginRefused::SlowDown { seconds: 1 }
        );
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
