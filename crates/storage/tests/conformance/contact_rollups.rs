//! Fidelity's contact rollups (migration `0014_contact_rollups`), the dashboard's
//! contacts by mode (`0018_contact_day_modes`) and the month rollups of both
//! (`0019_fidelity_by_month`) stay equal to a direct aggregate of the contacts after every
//! kind of write — new contacts, edits of minutes, date,
//! support kinds and coach, a participant moving to another coach, deletes with and without
//! their terms first — on both databases, and the figures read from them count a participant
//! reached only when a contact falls in the period.

use kindred_domain::ids::ContactId;
use kindred_domain::vocabulary::{Activity, SupportKind};
use kindred_storage::{Backend, FidelityScope, RecordWork, SeeWork};
use time::macros::{date, datetime};
use uuid::Uuid;

use crate::support::{NOW, TestDb, fields, on_both_backends};

on_both_backends!(rollups_equal_a_direct_aggregate_after_every_write);

/// Each rollup beside the aggregate it stands for, as `(direct, rollup)` SQL; `{day}` and
/// `{zero}` are the backend's day of `c.occurred_at` and zero UUID.
const PAIRS: [(&str, &str); 5] = [
    (
        "SELECT c.org_id, {day}, coalesce(p.coach_id, {zero}), coalesce(p.program_id, {zero}),
                c.coach_id, COUNT(*), SUM(c.minutes)
         FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
         GROUP BY 1, 2, 3, 4, 5",
        "SELECT org_id, day, participant_coach_id, participant_program_id, coach_id, contacts,
                minutes FROM contact_day_totals WHERE contacts <> 0",
    ),
    (
        "SELECT c.org_id, {day}, coalesce(p.coach_id, {zero}), coalesce(p.program_id, {zero}),
                c.coach_id, t.kind, COUNT(*), SUM(c.minutes)
         FROM contact_support_kinds t
         JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
         JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
         GROUP BY 1, 2, 3, 4, 5, 6",
        "SELECT org_id, day, participant_coach_id, participant_program_id, coach_id, kind,
                contacts, minutes FROM contact_day_support_kinds WHERE contacts <> 0",
    ),
    (
        "SELECT c.org_id, {day}, coalesce(p.coach_id, {zero}), coalesce(p.program_id, {zero}),
                c.coach_id, t.activity, COUNT(*), SUM(c.minutes)
         FROM contact_activities t
         JOIN contacts c ON c.org_id = t.org_id AND c.id = t.contact_id
         JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
         GROUP BY 1, 2, 3, 4, 5, 6",
        "SELECT org_id, day, participant_coach_id, participant_program_id, coach_id, activity,
                contacts, minutes FROM contact_day_activities WHERE contacts <> 0",
    ),
    (
        "SELECT c.org_id, {day}, coalesce(p.coach_id, {zero}), coalesce(p.program_id, {zero}),
                c.coach_id, c.mode, COUNT(*), SUM(c.minutes)
         FROM contacts c JOIN participants p ON p.org_id = c.org_id AND p.id = c.participant_id
         GROUP BY 1, 2, 3, 4, 5, 6",
        "SELECT org_id, day, participant_coach_id, participant_program_id, coach_id, mode,
                contacts, minutes FROM contact_day_modes WHERE contacts <> 0",
    ),
    (
        "SELECT c.org_id, c.participant_id, c.coach_id, MIN(c.occurred_at), MAX(c.occurred_at)
         FROM contacts c GROUP BY 1, 2, 3",
        "SELECT org_id, participant_id, coach_id, first_at, last_at FROM contact_pairs",
    ),
];

/// Rows in one side and not the other, over every rollup: 0 when they agree. Each day
/// rollup is checked again by month against its month rollup.
async fn disagreements(db: &TestDb) -> i64 {
    let (day, month, zero) = match db.backend() {
        Backend::Sqlite => {
            ("substr(c.occurred_at, 1, 10)", "substr(c.occurred_at, 1, 8) || '01'", "zeroblob(16)")
        }
        Backend::Postgres => (
            "(c.occurred_at AT TIME ZONE 'UTC')::date",
            "date_trunc('month', c.occurred_at AT TIME ZONE 'UTC')::date",
            "'00000000-0000-0000-0000-000000000000'::uuid",
        ),
    };
    let by_month = PAIRS.iter().filter(|(_, rollup)| rollup.contains("contact_day_")).map(
        |(direct, rollup)| {
            (
                direct.replace("{day}", month),
                rollup
                    .replace("org_id, day,", "org_id, month,")
                    .replace("contact_day_", "contact_month_"),
            )
        },
    );
    let by_day =
        PAIRS.iter().map(|(direct, rollup)| (direct.replace("{day}", day), rollup.to_string()));
    let mut total = 0;
    for (direct, rollup) in by_day.chain(by_month) {
        let direct = direct.replace("{zero}", zero);
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

async fn rollups_equal_a_direct_aggregate_after_every_write(db: TestDb) {
    let mut world = db.world().await;
    let ana = world.enrol("Ana", "Reyes").await;
    let ben = world.enrol("Ben", "Okafor").await;
    let early = world.contact_at(&ana, datetime!(2026-09-01 08:00 UTC), "early").await;
    let late = world.contact_at(&ana, datetime!(2026-11-20 23:59:59 UTC), "late").await;
    let same_day = world.contact_at(&ana, datetime!(2026-11-20 00:00 UTC), "same day").await;
    let bens = world.contact_at(&ben, datetime!(2026-10-15 12:00 UTC), "ben").await;
    // One by the manager, with two kinds and two activities.
    let grant = world.grant::<RecordWork>(ben.id).await;
    let mut by_manager = fields(datetime!(2026-10-15 13:00 UTC), "manager");
    by_manager.support_kinds = vec![SupportKind::Emotional, SupportKind::Informational];
    by_manager.activities = vec![Activity::CheckIn, Activity::RecoveryPlanning];
    by_manager.minutes = 45;
    let managers = ContactId::generate();
    let mut tx = world.tenant.write().await.expect("a write");
    let new = kindred_domain::contact::NewContact {
        participant_id: ben.id,
        task_id: None,
        fields: by_manager.clone(),
    };
    tx.insert_contact(&grant, managers, world.manager, &new, None, NOW).await.expect("saved");
    tx.commit().await.expect("committed");
    assert_eq!(disagreements(&db).await, 0, "after inserts");

    // Before the edits: in 2026-10-10..2026-10-20 Ben was reached by both, Ana by nobody,
    // though her contacts fall on both sides of it.
    let period = FidelityScope {
        from: Some(date!(2026 - 10 - 10)),
        to: Some(date!(2026 - 10 - 20)),
        ..FidelityScope::default()
    };
    let scope = world.scope::<SeeWork>();
    {
        let mut session = world.tenant.read().await.expect("a read");
        assert_eq!(session.fidelity_participants_reached(&scope, &period).await.expect("n"), 1);
        let mut totals = session.fidelity_dose_totals(&scope, &period).await.expect("totals");
        totals.sort_by_key(|t| t.minutes);
        let got: Vec<_> = totals.iter().map(|t| (t.contacts, t.minutes)).collect();
        assert_eq!(got, [(1, 20), (1, 45)], "one contact each, by the coach and the manager");
        let reached = session.fidelity_reached_by_coach(&scope, &period).await.expect("reached");
        assert_eq!(reached.iter().map(|(_, n)| n).collect::<Vec<_>>(), [&1, &1], "Ben, by each");
        let kinds = session.fidelity_dose_by_support_kind(&scope, &period).await.expect("kinds");
        assert_eq!(kinds.len(), 3, "emotional for both, informational for the manager: {kinds:?}");
        // Whole months (September, October) from the month rollups and the days of November
        // to the 20th (exclusive) from the day rollups: all but the last two of Ana's.
        let months = FidelityScope {
            from: Some(date!(2026 - 09 - 01)),
            to: Some(date!(2026 - 11 - 20)),
            ..FidelityScope::default()
        };
        let totals = session.fidelity_dose_totals(&scope, &months).await.expect("totals");
        let contacts: i64 = totals.iter().map(|t| t.contacts).sum();
        assert_eq!(contacts, 3, "Ana's early one, Ben's and the manager's: {totals:?}");
        let to_the_end = FidelityScope { to: Some(date!(2026 - 11 - 21)), ..months };
        let totals = session.fidelity_dose_totals(&scope, &to_the_end).await.expect("totals");
        assert_eq!(totals.iter().map(|t| t.contacts).sum::<i64>(), 5, "with November 20th's");
        let all = session.fidelity_dose_totals(&scope, &FidelityScope::default()).await;
        assert_eq!(all.expect("totals").iter().map(|t| t.contacts).sum::<i64>(), 5, "all time");
    }

    // Edits: the date (into the period), the minutes and the kinds, through storage.
    let grant = world.grant::<RecordWork>(ana.id).await;
    let mut edited = fields(datetime!(2026-10-12 10:00 UTC), "moved");
    edited.minutes = 55;
    edited.mode = kindred_domain::vocabulary::ContactMode::Video;
    edited.support_kinds = vec![SupportKind::Affiliational];
    edited.activities = vec![];
    let mut tx = world.tenant.write().await.expect("a write");
    tx.update_contact(&grant, early, 1, &edited, &[], world.coach, NOW).await.expect("edited");
    tx.commit().await.expect("committed");
    assert_eq!(disagreements(&db).await, 0, "after an edit of date, minutes, mode and kinds");
    {
        let mut session = world.tenant.read().await.expect("a read");
        assert_eq!(session.fidelity_participants_reached(&scope, &period).await.expect("n"), 2);
    }

    // The coach of a contact, and the coach of a participant (their past contacts move with
    // them to the new caseload's rows).
    db.raw_sql(&format!(
        "UPDATE contacts SET coach_id = {} WHERE id = {}",
        literal(&db, world.manager.0),
        literal(&db, same_day.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a contact's coach changed");
    db.raw_sql(&format!(
        "UPDATE participants SET coach_id = {} WHERE id = {}",
        literal(&db, world.manager.0),
        literal(&db, ana.id.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a participant changed coach");
    db.raw_sql(&format!(
        "UPDATE participants SET coach_id = NULL WHERE id = {}",
        literal(&db, ben.id.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a participant lost their coach");

    // Deletes: one with its terms still there, one after its terms.
    db.raw_sql(&format!("DELETE FROM contacts WHERE id = {}", literal(&db, late.0))).await;
    assert_eq!(disagreements(&db).await, 0, "after a delete");
    db.raw_sql(&format!(
        "DELETE FROM contact_support_kinds WHERE contact_id = {m};
         DELETE FROM contact_activities WHERE contact_id = {m};
         DELETE FROM contacts WHERE id = {m};",
        m = literal(&db, managers.0)
    ))
    .await;
    assert_eq!(disagreements(&db).await, 0, "after a delete of its terms, then of it");
    db.raw_sql(&format!("DELETE FROM contacts WHERE id = {}", literal(&db, bens.0))).await;
    assert_eq!(disagreements(&db).await, 0, "after Ben's last contact went");
    let mut session = world.tenant.read().await.expect("a read");
    assert_eq!(
        session.fidelity_participants_reached(&scope, &period).await.expect("n"),
        1,
        "Ana, by her moved contact; Ben no longer"
    );
}
