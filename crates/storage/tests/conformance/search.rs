//! Searching non-ASCII names: found by their exact spelling, in lower or upper case, and
//! without their accents, on both databases (SQLite's `lower()` folds ASCII only, which is why
//! storage compares keys folded in Rust).

use kindred_domain::ids::ResourceId;
use kindred_domain::participant::Identity;
use kindred_domain::resource::{Resource, ResourceDetails, ResourceSource};
use kindred_storage::{Edit, Enrol, ResourceQuery};
use time::macros::date;

use crate::support::{TestDb, on_both_backends};

on_both_backends!(
    non_ascii_names_are_found_however_they_are_typed,
    a_changed_name_is_found_by_its_new_spelling_only,
    the_duplicate_check_compares_folded_names,
    the_directory_search_and_order_fold_the_same_way,
);

async fn non_ascii_names_are_found_however_they_are_typed(db: TestDb) {
    let mut world = db.world().await;
    for (given, family) in [
        ("Élodie", "Martin"),
        ("Birgit", "ÆRØ"),
        ("Şükrü", "Yılmaz"),
        ("İlknur", "Kaya"),
        ("Lan", "Nguyễn"),
        // Near misses: none of the searches below may find these.
        ("Elliot", "Smith"),
        ("Sara", "Aerts"),
    ] {
        world.enrol(given, family).await;
    }
    let searches: [(&str, &[&str]); 5] = [
        ("Élodie Martin", &["Élodie", "élodie", "ÉLODIE", "elodie", "Elodie", "e\u{301}lodie"]),
        ("Birgit ÆRØ", &["ÆRØ", "ærø", "Ærø", "aero", "AERO"]),
        ("Şükrü Yılmaz", &["Şükrü", "şükrü", "ŞÜKRÜ", "sukru", "Yılmaz", "yilmaz"]),
        ("İlknur Kaya", &["İlknur", "i\u{307}lknur", "ilknur", "ILKNUR", "Ilknur"]),
        ("Lan Nguyễn", &["Nguyễn", "nguyễn", "NGUYỄN", "nguyen", "Nguyen"]),
    ];
    for (name, spellings) in searches {
        for spelling in spellings {
            assert_eq!(world.caseload(Some(spelling)).await, [name], "searching {spelling:?}");
        }
    }
    // A search spans the names in the key's order (family, given) and the reference.
    assert_eq!(world.caseload(Some("martin elodie")).await, ["Élodie Martin"]);
    assert_eq!(world.caseload(Some("p-0005")).await, ["Lan Nguyễn"]);
}

async fn a_changed_name_is_found_by_its_new_spelling_only(db: TestDb) {
    let mut world = db.world().await;
    let person = world.enrol("Elodie", "Martin").await;
    let grant = world.grant::<Edit>(person.id).await;
    let mut participant = {
        let mut session = world.tenant.read().await.expect("a read");
        session.participant(&grant).await.expect("the participant").participant
    };
    participant.identity.family_name = "Dupré".into();
    participant.identity.preferred_name = Some("Lodie".into());
    let mut tx = world.tenant.write().await.expect("a write");
    tx.update_participant(&grant, &participant, crate::support::NOW).await.expect("updated");
    tx.commit().await.expect("committed");

    assert!(world.caseload(Some("martin")).await.is_empty(), "the old name's key is gone");
    assert_eq!(world.caseload(Some("DUPRE")).await, ["Lodie Dupré"]);
    assert_eq!(world.caseload(Some("lodie")).await, ["Lodie Dupré"], "preferred names count");
}

async fn the_duplicate_check_compares_folded_names(db: TestDb) {
    let mut world = db.world().await;
    let first = world.enrol("Élodie", "Nguyễn").await;
    let identity = |given: &str, family: &str, born| Identity {
        given_name: given.into(),
        family_name: family.into(),
        preferred_name: None,
        date_of_birth: born,
        phone: None,
        email: None,
    };
    let mut session = world.tenant.read().await.expect("a read");
    let scope = world.scope::<Enrol>();
    let born = crate::support::BORN;
    for (given, family) in [("ELODIE", "NGUYEN"), ("élodie", "nguyễn"), ("Elodie", "Nguyen")] {
        let found = session
            .possible_duplicate(&scope, &identity(given, family, born))
            .await
            .expect("the check");
        assert_eq!(found.map(|(_, r)| r), Some(first.reference.clone()), "{given} {family}");
    }
    let other_birthday = identity("Élodie", "Nguyễn", date!(1990 - 01 - 01));
    assert!(session.possible_duplicate(&scope, &other_birthday).await.expect("check").is_none());
    let other_person = identity("Élise", "Nguyễn", born);
    assert!(session.possible_duplicate(&scope, &other_person).await.expect("check").is_none());
}

async fn the_directory_search_and_order_fold_the_same_way(db: TestDb) {
    let world = db.world().await;
    let resource = |organisation: &str, service: &str, city: &str| Resource {
        id: ResourceId::generate(),
        source: ResourceSource::Manual,
        details: ResourceDetails {
            organisation_name: organisation.into(),
            service_name: service.into(),
            category: Some("Housing".into()),
            city: Some(city.into()),
            ..Default::default()
        },
        active: true,
    };
    let mut tx = world.tenant.write().await.expect("a write");
    for (organisation, service, city) in [
        ("Zenith Housing", "Hostel", "Leeds"),
        ("Église Saint-Jean", "Soupe populaire", "Montréal"),
        ("ærø Fonden", "Bolig", "Ærøskøbing"),
        ("emmaus", "Shelter", "Paris"),
    ] {
        tx.insert_resource(&resource(organisation, service, city), crate::support::NOW)
            .await
            .expect("a resource");
    }
    tx.commit().await.expect("committed");
    let mut session = world.tenant.read().await.expect("a read");
    let mut search = async |text: Option<&str>| {
        let query =
            ResourceQuery { search: text.map(str::to_owned), limit: 50, ..Default::default() };
        let (found, total) = session.resources(&query).await.expect("the directory");
        assert_eq!(total, i64::try_from(found.len()).expect("a count"));
        found.into_iter().map(|r| r.details.organisation_name).collect::<Vec<_>>()
    };
    assert_eq!(search(Some("eglise")).await, ["Église Saint-Jean"]);
    assert_eq!(search(Some("ÉGLISE")).await, ["Église Saint-Jean"]);
    assert_eq!(search(Some("montreal")).await, ["Église Saint-Jean"]);
    assert_eq!(search(Some("aeroskobing")).await, ["ærø Fonden"]);
    // Folded order: "aero fonden", "eglise…", "emmaus", "zenith…", whatever the case.
    assert_eq!(search(None).await, ["ærø Fonden", "Église Saint-Jean", "emmaus", "Zenith Housing"]);
}
