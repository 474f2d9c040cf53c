//! The research load's dose rollups (migration `0015_participant_dose`) stay equal to a direct
//! aggregate of the contacts — the queries the load ran before them — after every kind of
//! write: new contacts with kinds and components, edits of date, minutes, mode, component and
//! kinds, a contact moved to another participant, the bench seed's set-based
//! `INSERT … SELECT`, deletes with and without their kinds first; on both databases.

use kindred_domain::contact::{ContactFields, NewContact};
use kindred_domain::ids::{ContactId, ParticipantId};
use kindred_domain::vocabulary::{ContactMode, SupportKind};
use kindred_storage::{Among, Backend, RecordWork, Research, ResearchLoad};
use time::macros::{date, datetime};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::support::{NOW, Person, TestDb, World, fields, on_both_backends};

on_both_backends!(dose_rollups_equal_a_direct_aggregate_after_every_write);

/// Each rollup beside the aggregate it stands for, as `(direct, rollup)` SQL. A rollup row
/// whose contacts fell to zero must have nothing else left, or it counts as a difference.
const PAIRS: [(&str, &str); 4] = [
    (
        "SELECT org_id, participant_id, COUNT(*), SUM(minutes), MAX(occurred_at)
         FROM contacts GROUP BY 1, 2",
        "SELECT org_id, participant_id, contacts, minutes, last_contact_at
         FROM participant_dose_totals
         WHERE contacts <> 0 OR minutes <> 0 OR last_contact_at IS NOT NULL",
    ),
    (
        "SELECT c.org_id, c.participant_id, t.kind, COUNT(*), SUM(c.minutes)
         FROM contact_support_kinds t
         JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
         GROUP BY 1, 2, 3",
        "SELECT org_id, participant_id, kind, contacts, minutes
         FROM participant_dose_support_kinds WHERE contacts <> 0 OR minutes <> 0",
    ),
    (
        "SELECT org_id, participant_id, mode, COUNT(*), SUM(minutes) FROM contacts GROUP BY 1, 2, 3",
        "SELECT org_id, participant_id, mode, contacts, minutes
         FROM participant_dose_modes WHERE contacts <> 0 OR minutes <> 0",
    ),
    (
        "SELECT org_id, participant_id, component, COUNT(*), SUM(minutes)
         FROM contacts WHERE component IS NOT NULL GROUP BY 1, 2, 3",
        "SELECT org_id, participant_id, component, contacts, minutes
         FROM participant_dose_components WHERE contacts <> 0 OR minutes <> 0",
    ),
];

/// Rows in one side and not the other, over every rollup: 0 when they agree.
async fn disagreements(db: &TestDb) -> i64 {
    let mut total = 0;
    for (direct, rollup) in PAIRS {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS TEXT) FROM (
               SELECT * FROM ({direct} EXCEPT {rollup}) AS a
               UNION ALL
               SELECT * FROM ({rollup} EXCEPT {direct}) AS b) AS d"
        );
        total += db.raw_text(&sql).await.parse::<i64>().expect("a count");
    }
    total
}

/// An id as a literal of the backend's SQL.
fn literal(db: &TestDb, id: Uuid) -> String {
    match db.backend() {
        Backend::Sqlite => format!("X'{}'", id.simple()),
        Backend::Postgres => format!("'{id}'"),
    }
}

/// A contact with `who`, recorded through storage by the coach.
async fn record(world: &World<'_>, who: &Person, fields: ContactFields) -> ContactId {
    let grant = world.grant::<RecordWork>(who.id).await;
    let id = ContactId::generate();
    let new = NewContact { participant_id: who.id, task_id: None, fields };
    let mut tx = world.tenant.write().await.expect("a write");
    tx.insert_contact(&grant, id, world.coach, &new, None, NOW).await.expect("saved");
    tx.commit().await.expect("committed");
    id
}

/// An edit of a contact's fields through storage, as the application saves one.
async fn edit(world: &World<'_>, who: &Person, id: ContactId, version: i64, f: &ContactFields) {
    let grant = world.grant::<RecordWork>(who.id).await;
    let mut tx = world.tenant.write().await.expect("a write");
    tx.update_contact(&grant, id, version, f, &[], world.coach, NOW).await.expect("edited");
    tx.commit().await.expect("committed");
}

async fn load(world: &World<'_>) -> ResearchLoad {
    let scope = world.scope::<Research>();
    let mut session = world.tenant.read().await.expect("a read");
    session.research_load(Among::All(&scope)).await.expect("the research load")
}

/// A participant's `(contacts, minutes)` in the load's totals, and their last day seen.
fn totals_of(load: &ResearchLoad, who: ParticipantId) -> (Option<(i64, i64)>, Option<Date>) {
    let totals =
        load.dose_totals.iter().find(|d| d.participant_id == who).map(|d| (d.contacts, d.minutes));
    (totals, load.last_seen.get(&who).copied())
}

fn with(
    at: OffsetDateTime,
    minutes: i32,
    mode: ContactMode,
    kinds: Vec<SupportKind>,
    component: Option<&str>,
) -> ContactFields {
    let mut f = fields(at, "dose");
    f.minutes = minutes;
    f.mode = mode;
    f.support_kinds = kinds;
    f.component = component.map(str::to_owned);
    f
}

async fn dose_rollups_equal_a_direct_aggregate_after_every_write(db: TestDb) {
    let mut world = db.world().await;
    let ana = world.enrol("Ana", "Reyes").await;
    let ben = world.enrol("Ben", "Okafor").await;
    let early = world.contact_at(&ana, datetime!(2026-09-01 08:00 UTC), "early").await;
    let late = world.contact_at(&ana, datetime!(2026-11-20 23:59:59 UTC), "late").await;
    let outreach = record(
        &world,
        &ana,
        with(
            datetime!(2026-10-01 10:00 UTC),
            45,
            ContactMode::InPerson,
            vec![SupportKind::Emotional, SupportKind::Informational],
            Some("Peer outreach"),
        ),
    )
    .await;
    world.contact_at(&ben, datetime!(2026-10-15 12:00 UTC), "ben").await;
    let housing = record(
        &world,
        &ben,
        with(
            datetime!(2026-11-01 09:00 UTC),
            30,
            ContactMode::Video,
            vec![SupportKind::Instrumental],
            Some("Housing navigation"),
        ),
    )
    .await;
    assert_eq!(disagreements(&db).await, 0, "after inserts");
    let loaded = load(&world).await;
    assert_eq!(totals_of(&loaded, ana.id), (Some((3, 85)), Some(date!(2026 - 11 - 20))));
    let kinds: Vec<_> = loaded
        .dose_by_support_kind
        .iter()
        .filter(|d| d.participant_id == ana.id)
        .map(|d| (d.key, d.contacts, d.minutes))
        .collect();
    assert_eq!(
        kinds,
        [(SupportKind::Emotional, 3, 85), (SupportKind::Informational, 1, 45)],
        "a contact with two kinds counts toward both"
    );
    assert_eq!(loaded.dose_by_component.len(), 2, "one component each: {loaded:?}");

    // Edits through storage: Ana's last contact moves back (her last day seen with it), and
    // its minutes, mode, component and kinds change; then another loses its component.
    edit(
        &world,
        &ana,
        late,
        1,
        &with(
            datetime!(2026-10-05 10:00 UTC),
            35,
            ContactMode::Video,
            vec![SupportKind::Affiliational],
            Some("Peer outreach"),
        ),
    )
    .await;
    assert_eq!(disagreements(&db).await, 0, "after an edit of every field the dose reads");
    assert_eq!(
        totals_of(&load(&world).await, ana.id),
        (Some((3, 100)), Some(date!(2026 - 10 - 05)))
    );
    edit(
        &world,
        &ana,
        outreach,
        1,
        &with(
            datetime!(2026-10-01 10:00 UTC),
            50,
            ContactMode::Phone,
            vec![SupportKind::Emotional],
            None,
        ),
    )
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a component was taken off");

    // A contact moved to another participant (a repair by hand: the application keeps a
    // contact's participant), taking Ben's last contact with it.
    db.raw_sql(&format!(
        "UPDATE contacts SET participant_id = {} WHERE id = {}",
        literal(&db, ana.id.0),
        literal(&db, housing.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a contact changed participant");
    let loaded = load(&world).await;
    assert_eq!(totals_of(&loaded, ben.id), (Some((1, 20)), Some(date!(2026 - 10 - 15))));
    assert_eq!(totals_of(&loaded, ana.id), (Some((4, 135)), Some(date!(2026 - 11 - 01))));

    // The bench seed's way: contacts, then their kinds, each one set-based statement.
    let new_id = match db.backend() {
        Backend::Sqlite => "randomblob(16)",
        Backend::Postgres => "gen_random_uuid()",
    };
    db.raw_sql(&format!(
        "INSERT INTO contacts (org_id, id, participant_id, coach_id, occurred_at, minutes, mode,
             format, note, version, created_at, updated_at, component)
         SELECT org_id, {new_id}, participant_id, coach_id, occurred_at, minutes + 1, mode,
             format, 'seeded', 1, created_at, updated_at, component
         FROM contacts;
         INSERT INTO contact_support_kinds (org_id, contact_id, kind)
         SELECT org_id, id, 'instrumental' FROM contacts WHERE note = 'seeded';"
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a set-based seed");

    // Deletes: one with its kinds still there, one after its kinds, then all of Ben's.
    db.raw_sql(&format!("DELETE FROM contacts WHERE id = {}", literal(&db, early.0))).await;
    assert_eq!(disagreements(&db).await, 0, "after a delete");
    db.raw_sql(&format!(
        "DELETE FROM contact_support_kinds WHERE contact_id = {o};
         DELETE FROM contact_activities WHERE contact_id = {o};
         DELETE FROM contacts WHERE id = {o};",
        o = literal(&db, outreach.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a delete of its kinds, then of it");
    db.raw_sql(&format!("DELETE FROM contacts WHERE participant_id = {}", literal(&db, ben.id.0)))
        .await;
    assert_eq!(disagreements(&db).await, 0, "after Ben's last contacts went");
    let loaded = load(&world).await;
    assert_eq!(totals_of(&loaded, ben.id), (None, None), "no dose and not seen: {loaded:?}");
    assert!(loaded.dose_by_mode.iter().all(|d| d.participant_id != ben.id));
}
