//! The shape of the schema and of the API document.

use crate::support::{Backend, TestApp, on_both_backends};

on_both_backends!(
    the_schema_can_be_distributed_by_organisation,
    the_openapi_document_is_generated_and_complete
);

/// Citus needs the distribution column in every primary and unique key of a distributed
/// table, and in every foreign key between them. Checked from the catalogue on PostgreSQL
/// (and from SQLite's own catalogue, which holds the same tables).
async fn the_schema_can_be_distributed_by_organisation(app: TestApp) {
    let offenders = match app.backend {
        Backend::Postgres => postgres_offenders(&app).await,
        Backend::Sqlite => sqlite_offenders(&app).await,
    };
    assert!(offenders.is_empty(), "not distributable by org_id: {offenders:#?}");
}

/// Tables that are not tenant-owned: the tenant list itself, sign-in attempts per client
/// address (an address crosses organisations) and sqlx's migration ledger.
const NOT_TENANT_OWNED: [&str; 3] = ["organisations", "login_address_throttle", "_sqlx_migrations"];

async fn postgres_offenders(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(&app.database_args[1]).await.expect("a connection");
    // Every key and foreign key, with its columns, for the tables of this schema.
    let rows: Vec<(String, String, String, Vec<String>)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.conname, c.contype::text,
                ARRAY(SELECT a.attname::text FROM unnest(c.conkey) k JOIN pg_attribute a
                      ON a.attrelid = c.conrelid AND a.attnum = k)
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
         WHERE n.nspname = current_schema() AND c.contype IN ('p', 'u', 'f')",
    )
    .fetch_all(&mut conn)
    .await
    .expect("constraints");
    let tables: Vec<String> = sqlx::query_scalar("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()")
        .fetch_all(&mut conn)
        .await
        .expect("tables");
    let mut offenders = Vec::new();
    for table in tables.iter().filter(|t| !NOT_TENANT_OWNED.contains(&t.as_str())) {
        let keys: Vec<_> = rows.iter().filter(|r| &r.0 == table).collect();
        assert!(keys.iter().any(|k| k.2 == "p"), "{table} has no primary key");
        for (_, name, kind, columns) in keys {
            let references_organisations = kind == "f" && columns == &vec!["org_id".to_owned()];
            if !columns.iter().any(|c| c == "org_id") && !references_organisations {
                offenders.push(format!("{table}: {name} ({kind}) on {columns:?}"));
            }
        }
    }
    assert!(tables.len() >= 12, "found tables: {tables:?}");
    offenders
}

async fn sqlite_offenders(app: &TestApp) -> Vec<String> {
    use sqlx::Connection;
    let path = format!("sqlite://{}/kindred.sqlite3", app.database_args[1]);
    let mut conn = sqlx::SqliteConnection::connect(&path).await.expect("a connection");
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    let mut offenders = Vec::new();
    for table in tables.iter().filter(|t| !NOT_TENANT_OWNED.contains(&t.as_str())) {
        let sql: String = sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE name = $1")
            .bind(table)
            .fetch_one(&mut conn)
            .await
            .expect("sql");
        let primary_key =
            sql.lines().find(|l| l.trim_start().starts_with("PRIMARY KEY")).unwrap_or_default();
        if !primary_key.contains("org_id") {
            offenders.push(format!("{table}: primary key {primary_key:?}"));
        }
        for line in sql.lines().filter(|l| {
            l.trim_start().starts_with("UNIQUE") || l.trim_start().starts_with("FOREIGN KEY")
        }) {
            if !line.contains("org_id") {
                offenders.push(format!("{table}: {}", line.trim()));
            }
        }
    }
    offenders
}

async fn the_openapi_document_is_generated_and_complete(app: TestApp) {
    let reply = app.anonymous_api().get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200);
    let document = reply.json();
    assert_eq!(document["openapi"], "3.1.0");
    let paths = document["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/auth/token", "post"),
        ("/api/v1/participants", "get"),
        ("/api/v1/participants", "post"),
        ("/api/v1/participants/{id}", "get"),
        ("/api/v1/participants/{id}", "patch"),
        ("/api/v1/participants/{id}/consents", "get"),
        ("/api/v1/participants/{id}/consents", "post"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path} is not documented"
        );
    }
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    assert!(
        document["components"]["schemas"]["ParticipantInput"]["properties"]["date_of_birth"]
            .is_object()
    );
    let taxonomy = app.anonymous_api().get("/api/v1/taxonomy").await.json();
    assert!(
        taxonomy.as_array().expect("vocabularies").iter().any(|v| v["name"] == "treatment_phase")
    );
}
