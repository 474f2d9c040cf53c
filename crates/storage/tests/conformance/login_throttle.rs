//! The sign-in throttles' SQL on both databases: attempts reserved at the same moment each
//! count (one statement reads and writes, so none reads a stale count), the email locks in
//! the statement that reaches the limit and refuses the rest, and forgetting, lock expiry,
//! release and the address window do the same arithmetic on SQLite and PostgreSQL.

use kindred_domain::user::EmailAddress;
use kindred_storage::{
    AddressAttempt, AddressReservation, LoginAttempt, LoginFailures, Reservation, Tenant,
};
use time::{Duration, OffsetDateTime};
use tokio::task::JoinSet;

use crate::support::{NOW, TestDb, on_both_backends};

on_both_backends!(
    parallel_attempts_each_count_and_the_one_that_reaches_the_limit_locks,
    old_counts_are_forgotten_spent_locks_restart_and_released_places_come_back,
    parallel_attempts_from_one_address_stop_at_its_limit_until_the_window_ends,
);

const LOCK_AFTER: i32 = 5;

fn rules(at: OffsetDateTime) -> LoginAttempt {
    LoginAttempt {
        at,
        forget_before: at - Duration::hours(1),
        lock_after: LOCK_AFTER,
        lock_until: at + Duration::minutes(15),
    }
}

fn email() -> EmailAddress {
    EmailAddress::parse("coach@riverside.test").expect("an email")
}

async fn reserve(tenant: &Tenant, at: OffsetDateTime) -> Reservation {
    let mut tx = tenant.write().await.expect("a write");
    let reservation = tx.reserve_login_attempt(&email(), rules(at)).await.expect("reserved");
    tx.commit().await.expect("committed");
    reservation
}

fn counted(reservation: Reservation) -> LoginFailures {
    match reservation {
        Reservation::Counted(failures) => failures,
        Reservation::Locked(failures) => panic!("locked: {failures:?}"),
    }
}

async fn parallel_attempts_each_count_and_the_one_that_reaches_the_limit_locks(db: TestDb) {
    let world = db.world().await;
    let mut attempts = JoinSet::new();
    for _ in 0..20 {
        let tenant = world.tenant.clone();
        attempts.spawn(async move { reserve(&tenant, NOW).await });
    }
    let outcomes = attempts.join_all().await;
    let mut counts: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| match o {
            Reservation::Counted(f) => Some(f.failures),
            Reservation::Locked(_) => None,
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, [1, 2, 3, 4, 5], "each counted attempt saw the one before it");
    let lock = NOW + Duration::minutes(15);
    for outcome in &outcomes {
        match outcome {
            Reservation::Counted(f) if f.failures == LOCK_AFTER => {
                assert_eq!(f.locked_until, Some(lock), "the fifth locks in its own statement")
            }
            Reservation::Counted(f) => assert_eq!(f.locked_until, None),
            Reservation::Locked(f) => {
                assert_eq!((f.failures, f.locked_until), (LOCK_AFTER, Some(lock)))
            }
        }
    }
}

async fn old_counts_are_forgotten_spent_locks_restart_and_released_places_come_back(db: TestDb) {
    let world = db.world().await;
    let tenant = &world.tenant;
    assert_eq!(counted(reserve(tenant, NOW).await).failures, 1);
    assert_eq!(counted(reserve(tenant, NOW + Duration::minutes(59)).await).failures, 2);
    // An hour after the last one, the count starts again.
    let later = NOW + Duration::minutes(59) + Duration::hours(1) + Duration::seconds(1);
    assert_eq!(counted(reserve(tenant, later).await).failures, 1);

    for n in 2..=LOCK_AFTER {
        assert_eq!(counted(reserve(tenant, later).await).failures, n);
    }
    let locked_until = later + Duration::minutes(15);
    assert!(matches!(reserve(tenant, later + Duration::minutes(14)).await, Reservation::Locked(_)));

    // An attempt never checked gives its place back, and the lock with it.
    let mut tx = tenant.write().await.expect("a write");
    tx.release_login_attempt(&email(), LOCK_AFTER).await.expect("released");
    tx.commit().await.expect("committed");
    let mut session = tenant.read().await.expect("a read");
    let after_release = session.login_failures(&email()).await.expect("read").expect("a row");
    assert_eq!((after_release.failures, after_release.locked_until), (LOCK_AFTER - 1, None));
    drop(session);
    let relocked = counted(reserve(tenant, later + Duration::minutes(1)).await);
    assert_eq!(relocked.failures, LOCK_AFTER);
    let relocked_until = relocked.locked_until.expect("locked again");
    assert!(relocked_until > locked_until);

    // A lock that has run out starts the count again.
    let fresh = counted(reserve(tenant, relocked_until).await);
    assert_eq!((fresh.failures, fresh.locked_until), (1, None));

    // A right password clears it.
    let mut tx = tenant.write().await.expect("a write");
    tx.clear_login_failures(&email()).await.expect("cleared");
    tx.commit().await.expect("committed");
    let mut session = tenant.read().await.expect("a read");
    assert_eq!(session.login_failures(&email()).await.expect("read"), None);
}

fn address_rules(at: OffsetDateTime) -> AddressAttempt {
    AddressAttempt { at, window_ended_before: at - Duration::minutes(15), limit: 30 }
}

async fn parallel_attempts_from_one_address_stop_at_its_limit_until_the_window_ends(db: TestDb) {
    let database = &db.database;
    let mut attempts = JoinSet::new();
    for _ in 0..40 {
        let database = database.clone();
        attempts.spawn(async move {
            database.reserve_address_attempt("203.0.113.7", address_rules(NOW)).await
        });
    }
    let outcomes: Vec<AddressReservation> =
        attempts.join_all().await.into_iter().map(|o| o.expect("reserved")).collect();
    let mut counts: Vec<i32> = outcomes
        .iter()
        .filter_map(|o| match o {
            AddressReservation::Counted { failures } => Some(*failures),
            AddressReservation::Refused { .. } => None,
        })
        .collect();
    counts.sort_unstable();
    assert_eq!(counts, (1..=30).collect::<Vec<_>>());
    let refused = AddressReservation::Refused { window_started_at: NOW };
    assert_eq!(outcomes.iter().filter(|o| **o == refused).count(), 10);

    // Another address is its own count.
    let other = database.reserve_address_attempt("2001:db8:1:2::/64", address_rules(NOW)).await;
    assert_eq!(other.expect("reserved"), AddressReservation::Counted { failures: 1 });

    // A place given back (a right password) can be used again; the window keeps its start.
    database.release_address_attempt("203.0.113.7").await.expect("released");
    let again = database.reserve_address_attempt("203.0.113.7", address_rules(NOW)).await;
    assert_eq!(again.expect("reserved"), AddressReservation::Counted { failures: 30 });

    // After the window, a new one opens.
    let later = NOW + Duration::minutes(15);
    let next = database.reserve_address_attempt("203.0.113.7", address_rules(later)).await;
    assert_eq!(next.expect("reserved"), AddressReservation::Counted { failures: 1 });
}
