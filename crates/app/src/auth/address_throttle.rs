//! The per-address limit: at most [`FAILURES_PER_ADDRESS`] failed sign-ins from one client
//! address per [`ADDRESS_WINDOW`], whichever organisations and emails they name. The
//! per-email throttle stops a guesser working on one account; this one stops a guesser who
//! tries one or two common passwords on every account (each account staying under its own
//! lock) from one place.
//!
//! Only failures count — an attempt is counted while its password is checked and given back
//! if it was right — so a busy clinic computer or an office behind one NAT address signs in
//! all day; it takes 30 wrong passwords in 15 minutes (six colleagues each locking themselves
//! out, or ten each mistyping three times) before that address must wait, and then only for
//! what is left of the window. A sprayer gets two guesses a minute per address.

use std::net::{IpAddr, Ipv6Addr};

use kindred_storage::AddressAttempt;
use time::{Duration, OffsetDateTime};

use crate::LoginRefused;

/// Failed sign-ins one address may make per window (see the module's note).
pub const FAILURES_PER_ADDRESS: i32 = 30;
/// How long a window lasts from its first counted attempt.
pub const ADDRESS_WINDOW: Duration = Duration::minutes(15);

/// The key an address is counted under: an IPv4 address as it is (an IPv4-mapped IPv6 one as
/// its IPv4 address); an IPv6 address by its /64, the smallest network a subscriber is given —
/// one host can use any of its 2⁶⁴ addresses, so counting single addresses would count
/// nothing.
pub(crate) fn key(address: IpAddr) -> String {
    match address.to_canonical() {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let [a, b, c, d, ..] = v6.segments();
            format!("{}/64", Ipv6Addr::new(a, b, c, d, 0, 0, 0, 0))
        }
    }
}

/// The rules storage counts an attempt made at `now` by.
pub(crate) fn attempt(now: OffsetDateTime, limit: i32, window: Duration) -> AddressAttempt {
    AddressAttempt { at: now, window_ended_before: now - window, limit }
}

/// The answer when the address has used up the window that started at `window_started_at`.
pub(crate) fn refused(
    window_started_at: OffsetDateTime,
    now: OffsetDateTime,
    window: Duration,
) -> LoginRefused {
    let left = window_started_at + window - now;
    let seconds = ((left.whole_milliseconds() + 999) / 1000).max(1);
    LoginRefused::FromAddress { seconds: i64::try_from(seconds).unwrap_or(i64::MAX) }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-11-23 10:00 UTC);

    #[test]
    fn ipv4_counts_per_address_and_ipv6_per_64() {
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(key(v4), "203.0.113.7");
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(key(mapped), "203.0.113.7", "the same client over a dual-stack socket");
        let one: IpAddr = "2001:db8:1:2:aaaa:bbbb:cccc:dddd".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        assert_eq!(key(one), "2001:db8:1:2::/64");
        assert_eq!(key(one), key(other), "one subscriber's network is one key");
        let next: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_ne!(key(one), key(next));
    }

    #[test]
    fn a_window_ends_a_quarter_hour_after_it_started() {
        let rules = attempt(NOW, 30, ADDRESS_WINDOW);
        assert_eq!(rules.at, NOW);
        assert_eq!(rules.window_ended_before, NOW - Duration::minutes(15));
        assert_eq!(rules.limit, 30);
    }

    #[test]
    fn a_refused_address_waits_for_what_is_left_of_its_window() {
        let started = NOW - Duration::minutes(5);
        assert_eq!(
            refused(started, NOW, ADDRESS_WINDOW),
            LoginRefused::FromAddress { seconds: 600 }
        );
        let refusal = refused(
            NOW - Duration::seconds(899) - Duration::milliseconds(500),
            NOW,
            ADDRESS_WINDOW,
        );
        assert_eq!(refusal, LoginRefused::FromAddress { seconds: 1 });
        assert_eq!(refusal.retry_after_seconds(), Some(1));
        assert!(refusal.to_string().contains("wait 1 minute"), "{refusal}");
        // A window that has just ended still asks for a second, never for nothing.
        assert_eq!(
            refused(started, NOW + ADDRESS_WINDOW, ADDRESS_WINDOW).retry_after_seconds(),
            Some(1)
        );
    }
}
