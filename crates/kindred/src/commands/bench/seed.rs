//! `kindred bench seed`: the scale database, left where `kindred serve` can open it.
//!
//! The accounts, a program, a resource and one template participant with real work (program
//! tasks, appointments, an assessment, a referral) go through the application and the API, so
//! every row is one Kindred itself would write. The template is then cloned to
//! `--participants` set-based (`INSERT … SELECT`), each clone enrolled on its own day of the
//! last two years with the template's dated rows moved with it, and `--contacts` contacts plus
//! follow-up tasks are generated over each participant's time in the program. Every value
//! derives from the row number and `--seed`, so two runs with one seed hold the same data
//! (row ids are random).

use std::net::{IpAddr, Ipv4Addr};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use kindred_app::admin::NewAccount;
use kindred_app::auth::Credentials;
use kindred_app::{App, Clock, DatabaseLocation};
use kindred_domain::vocabulary::Role;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use uuid::Uuid;

use super::seed_sql::{RawConn, generate};
use super::{ORG, PASSWORD};
use crate::cli::{BenchSeedArgs, DatabaseArgs};

/// The accounts a seeded database has, printed for whoever measures it.
pub(super) struct Accounts {
    pub coaches: Vec<(String, Uuid)>,
    pub supervisors: Vec<String>,
}

pub async fn seed(database: &DatabaseArgs, args: &BenchSeedArgs) -> anyhow::Result<ExitCode> {
    let location = super::bench_location(database, args.dir.as_deref())?;
    // A database that already has the bench organisation is refused when it is added.
    if let DatabaseLocation::SqliteFile(file) = &location
        && let Some(dir) = file.parent()
    {
        std::fs::create_dir_all(dir)?;
    }
    let started = Instant::now();
    let app = App::open(&location, Clock::system()).await.context("opening the database")?;
    let accounts = accounts(&app, args.coaches).await?;
    progress(started, "accounts");
    let template = template(&app, &accounts).await?;
    progress(started, "template participant");

    let mut raw = RawConn::open(&location).await?;
    let dialect = raw.dialect();
    let steps = generate(&dialect, args, &accounts);
    for (name, sql) in &steps {
        raw.execute(sql, template.participant).await.with_context(|| format!("seeding {name}"))?;
        progress(started, name);
    }
    raw.finish().await?;
    app.close().await;
    // Opening again fills the folded search keys of the cloned names.
    let app = App::open(&location, Clock::system()).await?;
    group_sessions(&app, &location, &accounts, args.coaches).await?;
    app.close().await;
    progress(started, "search keys and group sessions");

    println!(
        "Seeded {} participants and {} contacts in {:.1} s.",
        args.participants,
        args.contacts,
        started.elapsed().as_secs_f64()
    );
    match &location {
        DatabaseLocation::SqliteFile(file) => {
            let dir = file.parent().map(|d| d.display().to_string()).unwrap_or_default();
            println!("Serve it: kindred serve --data-dir {dir}");
        }
        _ => println!("Serve it: kindred serve --database-url <the same URL>"),
    }
    println!("Organisation: {ORG}   password of every account: {PASSWORD}");
    println!("  manager:    manager@{ORG}.test");
    println!("  evaluator:  evaluator@{ORG}.test");
    for (n, supervisor) in accounts.supervisors.iter().enumerate() {
        let coaches: Vec<usize> =
            (0..args.coaches).filter(|c| c % accounts.supervisors.len() == n).collect();
        let first = coaches.first().copied().unwrap_or(0);
        println!(
            "  supervisor: {supervisor} (coaches coach{first}@{ORG}.test and every {}th after)",
            accounts.supervisors.len()
        );
    }
    println!("  coaches:    coach0@{ORG}.test … coach{}@{ORG}.test", args.coaches - 1);
    Ok(ExitCode::SUCCESS)
}

fn progress(started: Instant, step: &str) {
    eprintln!("[{:>6.1} s] {step}", started.elapsed().as_secs_f64());
}

/// One supervisor per ten coaches.
fn supervisor_count(coaches: usize) -> usize {
    coaches.div_ceil(10).max(1)
}

async fn accounts(app: &App, coaches: usize) -> anyhow::Result<Accounts> {
    anyhow::ensure!(coaches > 0, "--coaches must be at least 1");
    app.add_organisation(ORG, "Bench Peer Services").await?;
    let account = |email: String, roles: Vec<Role>, supervisor: Option<String>| NewAccount {
        organisation: ORG.into(),
        email,
        display_name: None,
        password: PASSWORD.into(),
        roles,
        supervisor_email: supervisor,
    };
    app.add_user(account(format!("manager@{ORG}.test"), vec![Role::Manager], None)).await?;
    app.add_user(account(format!("evaluator@{ORG}.test"), vec![Role::Evaluator], None)).await?;
    let supervisors: Vec<String> =
        (0..supervisor_count(coaches)).map(|n| format!("supervisor{n}@{ORG}.test")).collect();
    for email in &supervisors {
        app.add_user(account(email.clone(), vec![Role::Supervisor], None)).await?;
    }
    let mut list = Vec::new();
    for n in 0..coaches {
        let email = format!("coach{n}@{ORG}.test");
        let supervisor = supervisors[n % supervisors.len()].clone();
        let user =
            app.add_user(account(email.clone(), vec![Role::Coach], Some(supervisor))).await?;
        list.push((email, user.id.0));
    }
    Ok(Accounts { coaches: list, supervisors })
}

/// The router on a free port, for the use cases the seed goes through.
pub(super) async fn serve(app: &App) -> anyhow::Result<String> {
    let router = kindred_web::router(app.clone(), kindred_web::ClientAddresses::Peer);
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await });
    Ok(base)
}

/// An API token, issued by the application (argon2 once).
pub(super) async fn token(app: &App, email: &str) -> anyhow::Result<String> {
    Ok(app.issue_api_token(credentials(email)).await?.token)
}

/// A bench account's credentials, from this machine.
pub(super) fn credentials(email: &str) -> Credentials<'_> {
    Credentials {
        organisation: ORG,
        email,
        password: PASSWORD,
        client: IpAddr::V4(Ipv4Addr::LOCALHOST),
    }
}

/// A small API client with one token.
pub(super) struct Api {
    pub http: reqwest::Client,
    pub base: String,
    pub token: String,
}

impl Api {
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        let reply =
            self.http.get(format!("{}{path}", self.base)).bearer_auth(&self.token).send().await?;
        let status = reply.status();
        let text = reply.text().await?;
        anyhow::ensure!(status.is_success(), "GET {path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let reply = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await?;
        let status = reply.status();
        let text = reply.text().await?;
        anyhow::ensure!(status.is_success(), "POST {path}: {status} {text}");
        Ok(serde_json::from_str(&text)?)
    }
}

struct Template {
    participant: Uuid,
}

async fn template(app: &App, accounts: &Accounts) -> anyhow::Result<Template> {
    let base = serve(app).await?;
    let http = reqwest::Client::new();
    let manager = Api { http, base, token: token(app, &format!("manager@{ORG}.test")).await? };
    let program =
        manager.post("/api/v1/programs", json!({"template_code": "mobile_outreach"})).await?;
    let program = program["id"].as_str().context("a program id")?.to_owned();
    let resource = manager
        .post(
            "/api/v1/resources",
            json!({"organisation_name": "Harbor Outpatient", "service_name": "Intake", "city": "Harbor City"}),
        )
        .await?;
    let resource = resource["id"].as_str().context("a resource id")?.to_owned();
    let today = app.clock().today();
    let participant = manager
        .post(
            "/api/v1/participants",
            json!({"given_name": "Pat", "family_name": "Bench", "date_of_birth": "1988-06-15",
                   "program_id": program, "coach_id": accounts.coaches[0].1}),
        )
        .await?;
    let id = participant["id"].as_str().context("the template participant")?.to_owned();
    let appointments = format!("/api/v1/participants/{id}/appointments");
    for (kind, days, status) in
        [("medical", -20, "attended"), ("substance_use_treatment", 10, "scheduled")]
    {
        let date = today + time::Duration::days(days);
        manager
            .post(
                &appointments,
                json!({"kind": kind, "date": date.to_string(), "time": "10:30",
                       "with_whom": "Harbor Clinic", "status": status}),
            )
            .await?;
    }
    let answers: serde_json::Map<String, Value> =
        (1..=9).map(|n| (format!("phq9_{n}"), json!(n % 3))).collect();
    manager
        .post(
            &format!("/api/v1/participants/{id}/assessments"),
            json!({"instrument": "phq-9", "complete": true,
                   "administered_on": (today - time::Duration::days(7)).to_string(),
                   "answers": answers}),
        )
        .await?;
    manager
        .post(&format!("/api/v1/participants/{id}/referrals"), json!({"resource_id": resource}))
        .await?;
    Ok(Template { participant: Uuid::parse_str(&id)? })
}

/// One group session per coach, with up to eight of their participants (one contact each).
async fn group_sessions(
    app: &App,
    location: &DatabaseLocation,
    accounts: &Accounts,
    coaches: usize,
) -> anyhow::Result<()> {
    let base = serve(app).await?;
    let http = reqwest::Client::new();
    let mut raw = RawConn::open(location).await?;
    for (email, coach) in accounts.coaches.iter().take(coaches) {
        let attendees = raw.caseload(*coach, 8).await?;
        if attendees.is_empty() {
            continue;
        }
        let api = Api { http: http.clone(), base: base.clone(), token: token(app, email).await? };
        api.post(
            "/api/v1/group-sessions",
            json!({"topic": "Relapse prevention", "minutes": 90, "mode": "in_person",
                   "support_kinds": ["affiliational", "informational"],
                   "activities": ["peer_group"], "attendees": attendees}),
        )
        .await?;
    }
    Ok(())
}
