//! Fidelity's protocol steps are tallied in SQL (one row per coach and step, not one per
//! task); each task lands in the outcome the domain's `StepRecord::outcome` gives it — done
//! in its window, before it opened or after it closed, not done by a window closed yesterday
//! or still open today — on both databases.

use kindred_domain::fidelity::{StepRecord, StepTally};
use kindred_storage::{Backend, FidelityScope, SeeWork};
use time::Date;
use time::macros::date;
use uuid::Uuid;

use crate::support::{TestDb, on_both_backends};

on_both_backends!(the_step_tally_in_sql_is_the_domains);

const TODAY: Date = date!(2026 - 12 - 07);

/// (opens, closes, completed, cancelled) of each task: the edges of every outcome.
const TASKS: [(Date, Date, Option<Date>, bool); 9] = [
    (date!(2026 - 11 - 01), date!(2026 - 11 - 10), Some(date!(2026 - 11 - 01)), false),
    (date!(2026 - 11 - 01), date!(2026 - 11 - 10), Some(date!(2026 - 11 - 10)), false),
    (date!(2026 - 11 - 01), date!(2026 - 11 - 10), Some(date!(2026 - 10 - 31)), false),
    (date!(2026 - 11 - 01), date!(2026 - 11 - 10), Some(date!(2026 - 11 - 11)), false),
    (date!(2026 - 11 - 01), date!(2026 - 12 - 06), None, false),
    (date!(2026 - 11 - 01), date!(2026 - 12 - 07), None, false),
    (date!(2026 - 12 - 01), date!(2026 - 12 - 20), None, false),
    (date!(2026 - 12 - 01), date!(2026 - 12 - 20), Some(date!(2026 - 12 - 02)), false),
    // Cancelled steps count nowhere.
    (date!(2026 - 11 - 01), date!(2026 - 11 - 10), None, true),
];

async fn the_step_tally_in_sql_is_the_domains(db: TestDb) {
    let mut world = db.world().await;
    let ana = world.enrol("Ana", "Reyes").await;
    let id = |u: Uuid| match db.backend() {
        Backend::Sqlite => format!("X'{}'", u.simple()),
        Backend::Postgres => format!("'{u}'"),
    };
    let day = |d: Option<Date>| d.map_or("NULL".to_owned(), |d| format!("'{d}'"));
    let mut expected = StepTally::default();
    for (n, (opens, closes, completed, cancelled)) in TASKS.into_iter().enumerate() {
        let status = match (cancelled, completed) {
            (true, _) => "cancelled",
            (false, Some(_)) => "done",
            (false, None) => "open",
        };
        db.raw_sql(&format!(
            "INSERT INTO tasks (org_id, id, participant_id, kind, step_code, title, opens_on,
                                due_on, closes_on, status, completed_on, created_at)
             VALUES ({org}, {task}, {who}, 'protocol_step', 'step_{n}', 'Step', {opens},
                     {opens}, {closes}, '{status}', {completed}, '2026-10-01T00:00:00.000000Z')",
            org = id(world.org.0),
            task = id(Uuid::now_v7()),
            who = id(ana.id.0),
            opens = day(Some(opens)),
            closes = day(Some(closes)),
            completed = day(completed),
        ))
        .await;
        if !cancelled {
            let record = StepRecord { opens_on: opens, closes_on: closes, completed_on: completed };
            expected.add(record.outcome(TODAY));
        }
    }
    let mut session = world.tenant.read().await.expect("a read");
    let rows = session
        .fidelity_steps(&world.scope::<SeeWork>(), &FidelityScope::default(), TODAY)
        .await
        .expect("the steps");
    assert_eq!(rows.len(), 8, "one row per (coach, step), none for the cancelled: {rows:?}");
    let mut got = StepTally::default();
    for row in &rows {
        got.merge(row.tally);
    }
    assert_eq!(got, expected);
    assert_eq!(
        (got.on_time, got.late, got.missed, got.pending),
        (3, 2, 1, 2),
        "the edges: on the window's first and last day; before and after it; closed yesterday"
    );
}
