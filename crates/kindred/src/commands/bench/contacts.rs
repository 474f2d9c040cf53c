//! `kindred bench contacts`: how fast contacts can be logged on one machine.
//!
//! 1. A fresh SQLite file: an organisation, `--coaches` coaches (signed in over the API, so
//!    argon2 runs once per coach, not per request) and one participant enrolled over the API.
//! 2. Seeding, timed: that participant cloned to `--participants` (spread over the coaches)
//!    and `--contacts` contacts with a support kind and an activity each, set-based
//!    `INSERT … SELECT` in one transaction per table.
//! 3. The load run: `--clients` concurrent HTTP clients POST `/api/v1/contacts` to the real
//!    router over real TCP for `--seconds`. Latency is measured server-side (a middleware
//!    around the whole router: auth, JSON, use case, commit) and client-side.
//! 4. The storage ceiling: the same number of tasks inserting contacts straight through
//!    `kindred-storage` (one write transaction each, no HTTP, no policy, no audit), same
//!    duration, same file — the ratio shows what the layers above storage cost.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::extract::Request;
use axum::middleware::{self, Next};
use kindred_app::admin::NewAccount;
use kindred_app::{App, Clock, DatabaseLocation};
use kindred_domain::contact::{ContactFields, NewContact};
use kindred_domain::ids::{ContactId, OrgId, ParticipantId, UserId};
use kindred_domain::vocabulary::{Activity, ContactFormat, ContactMode, Role, SupportKind};
use kindred_storage::{Database, RecordWork};
use serde_json::{Value, json};
use sqlx::{AssertSqlSafe, Row, SqlitePool};
use tokio::net::TcpListener;
use uuid::Uuid;

use super::{ORG, PASSWORD, Samples, record, rss_kib, summary, timed};
use crate::cli::BenchContactsArgs;

pub async fn contacts(args: &BenchContactsArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new().prefix("kindred-bench-").tempdir()?;
    let file = dir.path().join("kindred.sqlite3");
    let location = DatabaseLocation::SqliteFile(file.clone());
    let app = App::open(&location, Clock::system()).await.context("opening the database")?;
    println!("Database: {}", file.display());

    // Accounts and the server.
    app.add_organisation(ORG, "Bench Peer Services").await?;
    for n in 0..args.coaches {
        app.add_user(NewAccount {
            organisation: ORG.into(),
            email: format!("coach{n}@bench.test"),
            display_name: None,
            password: PASSWORD.into(),
            roles: vec![Role::Coach],
            supervisor_email: None,
        })
        .await?;
    }
    let server_samples: Samples = Arc::default();
    let recorder = server_samples.clone();
    let router = kindred_web::router(app.clone(), kindred_web::ClientAddresses::Peer).layer(
        middleware::from_fn(move |request: Request, next: Next| {
            let recorder = recorder.clone();
            async move { timed(request, next, recorder).await }
        }),
    );
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.clients).build()?;
    let mut tokens = Vec::new();
    for n in 0..args.coaches {
        let body =
            json!({"org": ORG, "email": format!("coach{n}@bench.test"), "password": PASSWORD});
        let reply: Value =
            http.post(format!("{base}/api/v1/auth/token")).json(&body).send().await?.json().await?;
        tokens.push(reply["token"].as_str().context("a token")?.to_owned());
    }
    let template = http
        .post(format!("{base}/api/v1/participants"))
        .bearer_auth(&tokens[0])
        .json(&json!({"given_name": "Pat", "family_name": "Bench", "date_of_birth": "1988-06-15"}))
        .send()
        .await?;
    let template: Value = template.json().await?;
    let template = template["id"].as_str().context("the template participant")?.to_owned();

    // Seeding.
    let started = Instant::now();
    let pool = SqlitePool::connect(&format!("sqlite://{}", file.display())).await?;
    seed(&pool, &template, args.participants, args.contacts).await?;
    let seeded = started.elapsed();
    println!(
        "Seeded {} participants and {} contacts in {:.1} s",
        args.participants,
        args.contacts,
        seeded.as_secs_f64()
    );
    let caseloads = caseloads(&pool).await?;
    pool.close().await;

    // The load run over HTTP.
    server_samples.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clear();
    let client_samples: Samples = Arc::default();
    let rss_before = rss_kib();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut clients = Vec::new();
    for client in 0..args.clients {
        let coach = client % args.coaches;
        let email = format!("coach{coach}@bench.test");
        let (_, _, participants) =
            caseloads.iter().find(|(e, _, _)| *e == email).context("a caseload")?.clone();
        let token = tokens[coach].clone();
        let (http, base, samples) = (http.clone(), base.clone(), client_samples.clone());
        clients.push(tokio::spawn(async move {
            post_until(&http, &base, &token, &participants, deadline, &samples).await
        }));
    }
    let mut failures = 0;
    for client in clients {
        failures += client.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server = summary(&server_samples)?;
    let client = summary(&client_samples)?;
    println!(
        "HTTP: {} clients, {:.1} s: {} contacts ({failures} failed), {:.0} contacts/s",
        args.clients,
        elapsed,
        client.count,
        client.count as f64 / elapsed
    );
    println!(
        "  server-side latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        server.p50, server.p99, server.max
    );
    println!(
        "  client-side latency: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        client.p50, client.p99, client.max
    );
    println!("  RSS: {} MiB before the run, {} MiB after", rss_before / 1024, rss_kib() / 1024);
    app.close().await;

    // The storage ceiling.
    let database = Database::open(&location).await?;
    // The ceiling bypasses the application, so it holds this database's policy key itself.
    let key = Arc::new(database.policy_key().context("the policy key")?);
    let org = org_id(&file).await?;
    let samples: Samples = Arc::default();
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let mut writers = Vec::new();
    for client in 0..args.clients {
        let (_, coach, participants) = caseloads[client % caseloads.len()].clone();
        let tenant = database.tenant(org);
        let samples = samples.clone();
        let key = key.clone();
        writers.push(tokio::spawn(async move {
            let mut n = 0usize;
            while Instant::now() < deadline {
                let began = Instant::now();
                let contact = contact_for(participants[n % participants.len()]);
                let mut tx = tenant.write().await?;
                let facts = tx.participant_facts(contact.participant_id).await?.context("facts")?;
                let grant = key.grant::<RecordWork>(&facts);
                let now = time::OffsetDateTime::now_utc();
                tx.insert_contact(&grant, ContactId::generate(), coach, &contact, None, now)
                    .await?;
                tx.commit().await?;
                record(&samples, began.elapsed());
                n += 1;
            }
            anyhow::Ok(())
        }));
    }
    for writer in writers {
        writer.await??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let storage = summary(&samples)?;
    println!(
        "Storage ceiling: {} tasks, {:.1} s: {} contacts, {:.0} contacts/s (p50 {:.2} ms, p99 {:.2} ms)",
        args.clients,
        elapsed,
        storage.count,
        storage.count as f64 / elapsed,
        storage.p50,
        storage.p99
    );
    println!(
        "  HTTP throughput is {:.0}% of the storage ceiling",
        100.0 * client.count as f64 / storage.count.max(1) as f64
    );
    database.close().await;
    Ok(ExitCode::SUCCESS)
}

/// One client: POSTs contacts for its coach's participants until the deadline; returns how
/// many failed.
async fn post_until(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    participants: &[ParticipantId],
    deadline: Instant,
    samples: &Samples,
) -> anyhow::Result<usize> {
    let mut failures = 0;
    let mut n = 0usize;
    while Instant::now() < deadline {
        let mode = ["phone", "in_person", "text"][n % 3];
        let body = json!({
            "participant_id": participants[n % participants.len()],
            "minutes": 20 + (n % 40),
            "mode": mode,
            "support_kinds": ["emotional", "informational"],
            "activities": ["check_in"],
            "note": "Checked in about the week ahead",
        });
        let began = Instant::now();
        let reply = http
            .post(format!("{base}/api/v1/contacts"))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await?;
        let ok = reply.status() == reqwest::StatusCode::CREATED;
        reply.bytes().await?;
        if ok {
            record(samples, began.elapsed());
        } else {
            failures += 1;
        }
        n += 1;
    }
    Ok(failures)
}

fn contact_for(participant: ParticipantId) -> NewContact {
    NewContact {
        participant_id: participant,
        task_id: None,
        fields: ContactFields {
            occurred_at: time::OffsetDateTime::now_utc(),
            minutes: 30,
            mode: ContactMode::Phone,
            format: ContactFormat::OneToOne,
            support_kinds: vec![SupportKind::Emotional, SupportKind::Informational],
            activities: vec![Activity::CheckIn],
            setting: None,
            component: None,
            note: Some("Checked in about the week ahead".into()),
            next_follow_up_on: None,
        },
    }
}

/// Clones the template participant (and their identity) and writes the contacts, set-based.
/// The column lists come from the schema, so a new column does not break the bench.
async fn seed(
    pool: &SqlitePool,
    template: &str,
    participants: usize,
    contacts: usize,
) -> anyhow::Result<()> {
    let template = Uuid::parse_str(template)?;
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_coaches AS
         SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM users",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_seq AS
         WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < $1)
         SELECT i, randomblob(16) AS id FROM s",
    )
    .bind(i64::try_from(participants)?)
    .execute(&mut *tx)
    .await?;
    let columns = |table: &'static str| {
        let pool = pool.clone();
        async move {
            let rows = sqlx::query(AssertSqlSafe(format!("PRAGMA table_info({table})")))
                .fetch_all(&pool)
                .await?;
            anyhow::Ok(rows.iter().map(|r| r.get::<String, _>("name")).collect::<Vec<_>>())
        }
    };
    let participant_columns = columns("participants").await?;
    let picks: Vec<String> = participant_columns
        .iter()
        .map(|c| match c.as_str() {
            "id" => "s.id".to_owned(),
            "reference" => "'B' || s.i".to_owned(),
            "coach_id" => {
                "(SELECT id FROM bench_coaches WHERE n = s.i % (SELECT COUNT(*) FROM bench_coaches))"
                    .to_owned()
            }
            other => format!("t.{other}"),
        })
        .collect();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO participants ({}) SELECT {} FROM bench_seq s JOIN participants t ON t.id = $1",
        participant_columns.join(", "),
        picks.join(", ")
    )))
    .bind(template)
    .execute(&mut *tx)
    .await?;
    let identity_columns = columns("participant_identities").await?;
    let picks: Vec<String> = identity_columns
        .iter()
        .map(|c| match c.as_str() {
            "participant_id" => "s.id".to_owned(),
            "family_name" => "'Bench' || s.i".to_owned(),
            // The template's keys fold its own name; these are filled from the new names by
            // `fill_search_keys` when the database is next opened.
            "search_key" | "sort_key" => "NULL".to_owned(),
            other => format!("t.{other}"),
        })
        .collect();
    sqlx::query(AssertSqlSafe(format!(
        "INSERT INTO participant_identities ({}) SELECT {} FROM bench_seq s
         JOIN participant_identities t ON t.participant_id = $1",
        identity_columns.join(", "),
        picks.join(", ")
    )))
    .bind(template)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;

    // A year of contacts, spread over the participants; ids are random (as v7 ids from many
    // writers would not be in one order either).
    let mut tx = pool.begin().await?;
    sqlx::query(
        "CREATE TEMP TABLE bench_people AS
         SELECT row_number() OVER (ORDER BY id) - 1 AS n, org_id, id, coach_id FROM participants",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO contacts (org_id, id, participant_id, coach_id, occurred_at, minutes, mode,
            format, note, version, created_at, updated_at)
         WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < $1 - 1)
         SELECT p.org_id, randomblob(16), p.id, p.coach_id,
                strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '-' || (s.i % 525600) || ' minutes'),
                15 + s.i % 60, CASE s.i % 3 WHEN 0 THEN 'phone' WHEN 1 THEN 'in_person' ELSE 'text' END,
                'one_to_one', 'Seeded', 1,
                strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'), strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now')
         FROM s JOIN bench_people p ON p.n = s.i % (SELECT COUNT(*) FROM bench_people)",
    )
    .bind(i64::try_from(contacts)?)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO contact_support_kinds (org_id, contact_id, kind)
         SELECT org_id, id, CASE abs(random()) % 4 WHEN 0 THEN 'emotional'
             WHEN 1 THEN 'informational' WHEN 2 THEN 'instrumental' ELSE 'affiliational' END
         FROM contacts",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO contact_activities (org_id, contact_id, activity)
         SELECT org_id, id, 'check_in' FROM contacts",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)").execute(pool).await?;
    sqlx::query("ANALYZE").execute(pool).await?;
    Ok(())
}

/// A coach's email and id, and their participants.
type Caseload = (String, UserId, Vec<ParticipantId>);

async fn caseloads(pool: &SqlitePool) -> anyhow::Result<Vec<Caseload>> {
    let rows: Vec<(String, Uuid, Uuid)> = sqlx::query_as(
        "SELECT u.email, u.id, p.id FROM participants p
         JOIN users u ON u.org_id = p.org_id AND u.id = p.coach_id ORDER BY u.id",
    )
    .fetch_all(pool)
    .await?;
    let mut caseloads: Vec<Caseload> = Vec::new();
    for (email, coach, participant) in rows {
        match caseloads.last_mut() {
            Some((_, id, list)) if id.0 == coach => list.push(ParticipantId(participant)),
            _ => caseloads.push((email, UserId(coach), vec![ParticipantId(participant)])),
        }
    }
    Ok(caseloads)
}

async fn org_id(file: &Path) -> anyhow::Result<OrgId> {
    let pool = SqlitePool::connect(&format!("sqlite://{}", file.display())).await?;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(ORG)
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(OrgId(id))
}
