//! Version conflicts: a save made from a stale version is refused with
//! `StorageError::Conflict` on both databases, and nothing of it is written.

use kindred_domain::contact::FieldChange;
use kindred_storage::{Edit, RecordWork, SeeWork, StorageError};
use time::macros::datetime;

use crate::support::{NOW, fields};
use crate::support::{TestDb, on_both_backends};

on_both_backends!(
    a_stale_participant_update_is_refused_and_writes_nothing,
    a_stale_contact_update_is_refused_and_writes_nothing,
);

async fn a_stale_participant_update_is_refused_and_writes_nothing(db: TestDb) {
    let mut world = db.world().await;
    let person = world.enrol("Ana", "Reyes").await;
    let grant = world.grant::<Edit>(person.id).await;
    let read = async || {
        let mut session = world.tenant.read().await.expect("a read");
        session.participant(&grant).await.expect("the participant").participant
    };
    let stale = read().await;
    assert_eq!(stale.version, 1);

    let mut first = stale.clone();
    first.identity.family_name = "Reyes-Smith".into();
    let mut tx = world.tenant.write().await.expect("a write");
    assert_eq!(tx.update_participant(&grant, &first, NOW).await.expect("saved"), 2);
    tx.commit().await.expect("committed");

    // Someone else still holds version 1.
    let mut late = stale.clone();
    late.identity.family_name = "Ōkubo".into();
    late.identity.given_name = "Ayaka".into();
    let mut tx = world.tenant.write().await.expect("a write");
    let refused = tx.update_participant(&grant, &late, NOW).await;
    assert!(matches!(refused, Err(StorageError::Conflict(_))), "{refused:?}");
    tx.commit().await.expect("the transaction itself is still usable");

    let now = read().await;
    assert_eq!(now.version, 2);
    assert_eq!(now.identity.family_name, "Reyes-Smith");
    assert_eq!(now.identity.given_name, "Ana");
    assert!(world.caseload(Some("okubo")).await.is_empty(), "no key of the refused save");
    assert_eq!(world.caseload(Some("reyes-smith")).await, ["Ana Reyes-Smith"]);
}

async fn a_stale_contact_update_is_refused_and_writes_nothing(db: TestDb) {
    let mut world = db.world().await;
    let person = world.enrol("Ana", "Reyes").await;
    let at = datetime!(2026-11-20 10:00:00 UTC);
    let id = world.contact_at(&person, at, "First call").await;
    let record = world.grant::<RecordWork>(person.id).await;
    let see = world.grant::<SeeWork>(person.id).await;
    let change =
        |field: &str| FieldChange { field: field.into(), before: "a".into(), after: "b".into() };

    let mut tx = world.tenant.write().await.expect("a write");
    let mut edit = fields(at, "First call, longer");
    edit.minutes = 45;
    tx.update_contact(&record, id, 1, &edit, &[change("minutes")], world.coach, NOW)
        .await
        .expect("saved");
    tx.commit().await.expect("committed");

    let mut tx = world.tenant.write().await.expect("a write");
    let mut late = fields(at + time::Duration::hours(1), "Stale edit");
    late.minutes = 5;
    late.support_kinds.clear();
    let refused =
        tx.update_contact(&record, id, 1, &late, &[change("note")], world.coach, NOW).await;
    assert!(matches!(refused, Err(StorageError::Conflict(_))), "{refused:?}");
    tx.commit().await.expect("the transaction itself is still usable");

    let mut session = world.tenant.read().await.expect("a read");
    let contact = session.contact(&see, id).await.expect("read").expect("the contact");
    assert_eq!(contact.version, 2);
    assert_eq!(contact.fields.minutes, 45);
    assert_eq!(contact.fields.note.as_deref(), Some("First call, longer"));
    assert_eq!(contact.fields.occurred_at, at);
    assert_eq!(contact.fields.support_kinds.len(), 1, "the refused edit's terms were not written");
    let revisions = session.contact_revisions(&see, id).await.expect("revisions");
    assert_eq!(revisions.len(), 1, "only the accepted edit left a revision");
}
