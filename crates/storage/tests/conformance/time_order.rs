//! Time order within one second: contacts and audit events microseconds apart list in the
//! right order and read back to the microsecond on both databases (SQLite keeps fixed-width
//! text, `Timestamp`, so text order is time order; sqlx's own encoding would put
//! "09:30:00.5" after "09:30:00.000010").

use kindred_domain::audit::{AuditAction, AuditEntry};
use kindred_storage::{AuditQuery, ContactQuery, SeeWork};
use time::Duration;
use time::macros::datetime;

use crate::support::{TestDb, on_both_backends};

on_both_backends!(
    contacts_within_one_second_list_newest_first,
    audit_events_within_one_second_keep_their_microseconds,
);

async fn contacts_within_one_second_list_newest_first(db: TestDb) {
    let mut world = db.world().await;
    let person = world.enrol("Ana", "Reyes").await;
    let second = datetime!(2026-11-23 09:30:00 UTC);
    let offsets_us = [500_000, 1, 999_999, 10, 2, 1_000_000, 100_000, 0];
    for us in offsets_us {
        world.contact_at(&person, second + Duration::microseconds(us), &format!("{us}")).await;
    }
    let grant = world.grant::<SeeWork>(person.id).await;
    let mut session = world.tenant.read().await.expect("a read");
    let page = session
        .contacts_of(&grant, &ContactQuery { coach: None, limit: 50, offset: 0 })
        .await
        .expect("contacts");
    let listed: Vec<i64> = page
        .contacts
        .iter()
        .map(|c| {
            let us = (c.fields.occurred_at - second).whole_microseconds();
            assert_eq!(
                c.fields.note.as_deref(),
                Some(us.to_string().as_str()),
                "read back exactly"
            );
            i64::try_from(us).expect("microseconds")
        })
        .collect();
    assert_eq!(listed, [1_000_000, 999_999, 500_000, 100_000, 10, 2, 1, 0], "newest first");

    // The same through the scope's list (the /contacts page's query).
    let scope = world.scope::<SeeWork>();
    let all = session
        .contacts(&scope, &ContactQuery { coach: None, limit: 3, offset: 0 })
        .await
        .expect("contacts");
    let first: Vec<_> =
        all.contacts.iter().map(|c| c.fields.note.clone().unwrap_or_default()).collect();
    assert_eq!(first, ["1000000", "999999", "500000"]);
}

async fn audit_events_within_one_second_keep_their_microseconds(db: TestDb) {
    let world = db.world().await;
    let second = datetime!(2026-11-23 09:30:00 UTC);
    // Sub-microsecond parts are dropped alike on both (stored to the microsecond).
    let moments = [
        second + Duration::nanoseconds(1_000),
        second + Duration::nanoseconds(2_999),
        second + Duration::nanoseconds(500_000_000),
        second + Duration::nanoseconds(999_999_000),
    ];
    let mut tx = world.tenant.write().await.expect("a write");
    for (n, at) in moments.iter().enumerate() {
        let entry = AuditEntry {
            actor_id: Some(world.manager),
            actor_label: "Morgan Manager".into(),
            action: AuditAction::Read,
            record_type: "participant".into(),
            record_id: Some(format!("event {n}")),
            detail: String::new(),
        };
        tx.append_audit(*at, entry).await.expect("appended");
    }
    tx.commit().await.expect("committed");
    let mut session = world.tenant.read().await.expect("a read");
    let events = session
        .audit_events(&AuditQuery { limit: 10, ..Default::default() })
        .await
        .expect("events");
    let read: Vec<(Option<String>, i64)> = events
        .iter()
        .map(|e| {
            (
                e.entry.record_id.clone(),
                i64::try_from((e.at - second).whole_nanoseconds()).expect("ns"),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            (Some("event 3".into()), 999_999_000),
            (Some("event 2".into()), 500_000_000),
            (Some("event 1".into()), 2_000),
            (Some("event 0".into()), 1_000),
        ],
        "newest first, each to the microsecond"
    );
    // The chain still verifies: the hash covers the stored (microsecond) time.
    let chain = session.audit_chain(0, 10).await.expect("the chain");
    assert!(chain.iter().all(|e| e.recomputed_hash() == e.hash), "every link verifies");
}
