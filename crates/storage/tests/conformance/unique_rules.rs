//! Unique violations are classified in one place, on both databases: every unique index and
//! constraint of the live schema has its rule in `kindred_storage::conflict` (so a new one
//! without a sentence fails here), and a real violation comes back as its kind, never as the
//! database's text.

use kindred_domain::ids::ProgramId;
use kindred_storage::conflict::{rule_for_columns, rule_for_postgres};
use kindred_storage::{Backend, Conflict, Program, StorageError};

use crate::support::{NOW, TestDb, on_both_backends};

on_both_backends!(
    every_unique_index_of_the_schema_has_a_sentence,
    a_duplicate_program_name_is_its_own_conflict_and_a_clashing_id_a_duplicate,
);

/// `table:columns-or-name` for each unique index or constraint that is not a primary key.
async fn unique_indexes(db: &TestDb) -> Vec<String> {
    let listed = match db.backend() {
        Backend::Sqlite => {
            db.raw_text(
                "SELECT coalesce(group_concat(entry, ';'), '') FROM ( \
                   SELECT m.name || ':' || ( \
                     SELECT group_concat(name, ',') FROM ( \
                       SELECT ii.name FROM pragma_index_info(il.name) ii ORDER BY ii.seqno)) AS entry \
                   FROM sqlite_master m, pragma_index_list(m.name) il \
                   WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' \
                     AND m.name NOT LIKE '_sqlx%' AND il.\"unique\" = 1 AND il.origin != 'pk')",
            )
            .await
        }
        Backend::Postgres => {
            db.raw_text(
                "SELECT coalesce(string_agg(c.relname || ':' || i.relname, ';'), '') \
                 FROM pg_index x \
                 JOIN pg_class i ON i.oid = x.indexrelid \
                 JOIN pg_class c ON c.oid = x.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE n.nspname = current_schema() AND x.indisunique AND NOT x.indisprimary \
                   AND c.relname NOT LIKE '_sqlx%'",
            )
            .await
        }
    };
    listed.split(';').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

async fn every_unique_index_of_the_schema_has_a_sentence(db: TestDb) {
    let indexes = unique_indexes(&db).await;
    assert!(indexes.len() >= 8, "the schema's unique indexes were read: {indexes:?}");
    let unclassified: Vec<&String> = indexes
        .iter()
        .filter(|entry| {
            let (table, rest) = entry.split_once(':').expect("table:index");
            match db.backend() {
                Backend::Sqlite => {
                    let columns: Vec<&str> = rest.split(',').collect();
                    rule_for_columns(table, &columns).is_none()
                }
                Backend::Postgres => rule_for_postgres(rest).is_none_or(|r| r.table != table),
            }
        })
        .collect();
    assert!(
        unclassified.is_empty(),
        "unique indexes without a rule (add each to UNIQUE_RULES in storage's conflict.rs, \
         with its Conflict kind and the app's sentence): {unclassified:?}"
    );
}

async fn a_duplicate_program_name_is_its_own_conflict_and_a_clashing_id_a_duplicate(db: TestDb) {
    let world = db.world().await;
    let program = |id| Program {
        id,
        name: "Night Outreach".into(),
        description: String::new(),
        template_code: None,
        active: true,
    };
    let first = program(ProgramId::generate());
    let mut tx = world.tenant.write().await.expect("a write");
    tx.insert_program(&first, NOW).await.expect("the first");
    tx.commit().await.expect("committed");

    let mut tx = world.tenant.write().await.expect("a write");
    let refused = tx.insert_program(&program(ProgramId::generate()), NOW).await;
    assert!(matches!(refused, Err(StorageError::Conflict(Conflict::ProgramName))), "{refused:?}");
    drop(tx);

    let mut tx = world.tenant.write().await.expect("a write");
    let same_id = Program { name: "Day Outreach".into(), ..first.clone() };
    let refused = tx.insert_program(&same_id, NOW).await;
    assert!(matches!(refused, Err(StorageError::Conflict(Conflict::Duplicate))), "{refused:?}");
}
