//! Filling the search and sort keys of rows that have none (rows from before the keys
//! existed, or written by a build that did not know them): done in Rust when the database is
//! migrated, since SQLite cannot fold in SQL; idempotent.

use kindred_domain::ids::ResourceId;
use kindred_domain::resource::{Resource, ResourceDetails, ResourceSource};
use kindred_storage::ResourceQuery;

use crate::support::NOW;
use crate::support::{TestDb, on_both_backends};

on_both_backends!(rows_without_keys_get_them_once_and_are_then_found);

async fn rows_without_keys_get_them_once_and_are_then_found(db: TestDb) {
    let mut world = db.world().await;
    for (given, family) in [("Élodie", "Martin"), ("Lan", "Nguyễn"), ("Ana", "Reyes")] {
        world.enrol(given, family).await;
    }
    let resource = Resource {
        id: ResourceId::generate(),
        source: ResourceSource::Manual,
        details: ResourceDetails {
            organisation_name: "Église Saint-Jean".into(),
            service_name: "Soupe populaire".into(),
            ..Default::default()
        },
        active: true,
    };
    let mut tx = world.tenant.write().await.expect("a write");
    tx.insert_resource(&resource, NOW).await.expect("a resource");
    tx.commit().await.expect("committed");
    assert_eq!(db.database.fill_search_keys().await.expect("filled"), 0, "written with keys");

    // As an old build, or a migration that changes the fold, would leave them.
    let forget = "UPDATE participant_identities SET search_key = NULL, sort_key = NULL;
                  UPDATE resources SET search_key = NULL, sort_key = NULL;";
    db.raw_sql(forget).await;
    assert!(world.caseload(Some("elodie")).await.is_empty(), "no key, no match");

    assert_eq!(db.database.fill_search_keys().await.expect("filled"), 4);
    assert_eq!(db.database.fill_search_keys().await.expect("filled"), 0, "idempotent");
    assert_eq!(world.caseload(Some("elodie")).await, ["Élodie Martin"]);
    assert_eq!(world.caseload(None).await, ["Élodie Martin", "Lan Nguyễn", "Ana Reyes"]);
    let mut session = world.tenant.read().await.expect("a read");
    let query = ResourceQuery { search: Some("eglise".into()), limit: 10, ..Default::default() };
    assert_eq!(session.resources(&query).await.expect("directory").1, 1);
    drop(session);

    // Migrating (what every start does) fills them too, and changes nothing already keyed.
    db.raw_sql("UPDATE participant_identities SET sort_key = NULL WHERE family_name = 'Reyes'")
        .await;
    db.database.migrate().await.expect("migrated");
    assert_eq!(world.caseload(Some("reyes")).await, ["Ana Reyes"]);
    assert_eq!(world.caseload(None).await, ["Élodie Martin", "Lan Nguyễn", "Ana Reyes"]);
}
