//! Versioned migrations, embedded in the binary, one list per backend (see `migrations/`).

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// `(version, name, sqlite sql, postgres sql)` — both backends move in lockstep.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "foundation",
        include_str!("../migrations/sqlite/0001_foundation.sql"),
        include_str!("../migrations/postgres/0001_foundation.sql"),
    ),
    (
        2,
        "coach work",
        include_str!("../migrations/sqlite/0002_coach_work.sql"),
        include_str!("../migrations/postgres/0002_coach_work.sql"),
    ),
    (
        3,
        "programs",
        include_str!("../migrations/sqlite/0003_programs.sql"),
        include_str!("../migrations/postgres/0003_programs.sql"),
    ),
    (
        5,
        "org instruments",
        include_str!("../migrations/sqlite/0005_org_instruments.sql"),
        include_str!("../migrations/postgres/0005_org_instruments.sql"),
    ),
    (
        6,
        "follow up",
        include_str!("../migrations/sqlite/0006_follow_up.sql"),
        include_str!("../migrations/postgres/0006_follow_up.sql"),
    ),
    (
        7,
        "follow-up tasks",
        include_str!("../migrations/sqlite/0007_follow_up_tasks.sql"),
        include_str!("../migrations/postgres/0007_follow_up_tasks.sql"),
    ),
    (
        8,
        "search keys",
        include_str!("../migrations/sqlite/0008_search_keys.sql"),
        include_str!("../migrations/postgres/0008_search_keys.sql"),
    ),
    (
        9,
        "login address throttle",
        include_str!("../migrations/sqlite/0009_login_address_throttle.sql"),
        include_str!("../migrations/postgres/0009_login_address_throttle.sql"),
    ),
    (
        10,
        "list indexes",
        include_str!("../migrations/sqlite/0010_list_indexes.sql"),
        include_str!("../migrations/postgres/0010_list_indexes.sql"),
    ),
    (
        11,
        "studies",
        include_str!("../migrations/sqlite/0011_studies.sql"),
        include_str!("../migrations/postgres/0011_studies.sql"),
    ),
    (
        12,
        "research record",
        include_str!("../migrations/sqlite/0012_research_record.sql"),
        include_str!("../migrations/postgres/0012_research_record.sql"),
    ),
    (
        13,
        "participant left on",
        include_str!("../migrations/sqlite/0013_participant_left_on.sql"),
        include_str!("../migrations/postgres/0013_participant_left_on.sql"),
    ),
    (
        14,
        "contact rollups",
        include_str!("../migrations/sqlite/0014_contact_rollups.sql"),
        include_str!("../migrations/postgres/0014_contact_rollups.sql"),
    ),
    (
        15,
        "participant dose",
        include_str!("../migrations/sqlite/0015_participant_dose.sql"),
        include_str!("../migrations/postgres/0015_participant_dose.sql"),
    ),
    (
        16,
        "whole-scope lists",
        include_str!("../migrations/sqlite/0016_whole_scope_lists.sql"),
        include_str!("../migrations/postgres/0016_whole_scope_lists.sql"),
    ),
    (
        17,
        "fidelity steps",
        include_str!("../migrations/sqlite/0017_fidelity_steps.sql"),
        include_str!("../migrations/postgres/0017_fidelity_steps.sql"),
    ),
    (
        18,
        "contact day modes",
        include_str!("../migrations/sqlite/0018_contact_day_modes.sql"),
        include_str!("../migrations/postgres/0018_contact_day_modes.sql"),
    ),
    (
        19,
        "fidelity by month",
        include_str!("../migrations/sqlite/0019_fidelity_by_month.sql"),
        include_str!("../migrations/postgres/0019_fidelity_by_month.sql"),
    ),
    (
        20,
        "contact references",
        include_str!("../migrations/sqlite/0020_contact_references.sql"),
        include_str!("../migrations/postgres/0020_contact_references.sql"),
    ),
    (
        21,
        "event and assessment references",
        include_str!("../migrations/sqlite/0021_event_and_assessment_references.sql"),
        include_str!("../migrations/postgres/0021_event_and_assessment_references.sql"),
    ),
];

#[derive(Debug, Clone, Copy)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

pub(crate) fn migrator(dialect: Dialect) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, name, sqlite, postgres)| {
            let sql = match dialect {
                Dialect::Sqlite => sqlite,
                Dialect::Postgres => postgres,
            };
            Migration::new(
                *version,
                (*name).into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}

/// The newest schema version this build knows.
pub(crate) fn latest_version() -> i64 {
    MIGRATIONS.iter().map(|m| m.0).max().unwrap_or_default()
}
