//! `kindred bench pages`: every list and page of a seeded database, read over HTTP.
//!
//! The real router serves the database in-process on real TCP. The routes are every `GET` of
//! the OpenAPI document without a path parameter, plus one participant's record and its lists
//! (`/api/v1/participants/{id}/…`), plus the HTML pages, plus that participant's program's
//! pages (its record, follow-up rates, fidelity and dashboard). Each is read as a coach, a
//! supervisor, a manager and an evaluator (a reader refused is shown as such and not timed):
//! first by one reader in a row, then by `--readers` concurrent readers, each phase for
//! `--requests` requests or `--seconds`, whichever ends first. Latency is client-side, around
//! each request and its whole body.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use kindred_app::{App, Clock};
use serde_json::Value;

use super::seed::{credentials, serve, token};
use super::{ORG, Samples, Summary, load_average, record, summary};
use crate::cli::{BenchPagesArgs, DatabaseArgs};

/// The target: every list and page answers within this at the 99th percentile.
const TARGET_MS: f64 = 50.0;

/// Someone reading: an API token and a browser session.
struct Reader {
    role: &'static str,
    token: String,
    cookie: String,
}

pub async fn pages(database: &DatabaseArgs, args: &BenchPagesArgs) -> anyhow::Result<ExitCode> {
    let location = super::bench_location(database, args.dir.as_deref())?;
    let app = App::open(&location, Clock::system()).await.context("opening the database")?;
    let base = serve(&app).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.readers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(args.timeout))
        .build()?;
    let mut readers = Vec::new();
    for (role, email) in [
        ("coach", format!("coach0@{ORG}.test")),
        ("supervisor", format!("supervisor0@{ORG}.test")),
        ("manager", format!("manager@{ORG}.test")),
        ("evaluator", format!("evaluator@{ORG}.test")),
    ] {
        let session =
            app.sign_in(credentials(&email)).await.with_context(|| format!("{email} signs in"))?;
        readers.push(Reader {
            role,
            token: token(&app, &email).await?,
            cookie: format!("kindred_session={}", session.cookie_value),
        });
    }
    // One participant of the coach's caseload (so every reader but the evaluator may see them).
    let list: Value = http
        .get(format!("{base}/api/v1/participants?limit=1"))
        .bearer_auth(&readers[0].token)
        .send()
        .await?
        .json()
        .await?;
    let participant = first_id(&list).context("the coach has a participant")?;
    // The participant's program, for its dashboard (managers only: the others are refused).
    let record: Value = http
        .get(format!("{base}/api/v1/participants/{participant}"))
        .bearer_auth(&readers[0].token)
        .send()
        .await?
        .json()
        .await?;
    let program = record["program_id"].as_str().map(str::to_owned);
    let mut routes = routes(&http, &base, &participant).await?;
    // The program's own pages: its record, follow-up rates, fidelity and dashboard.
    if let Some(program) = &program {
        routes.extend([
            format!("/programs/{program}"),
            format!("/programs/{program}/follow-up"),
            format!("/api/v1/programs/{program}/follow-up-rates"),
            format!("/fidelity?program={program}"),
            format!("/programs/{program}/dashboard"),
        ]);
    }
    let routes: Vec<String> = match &args.only {
        Some(only) => routes.into_iter().filter(|r| r.contains(only.as_str())).collect(),
        None => routes,
    };
    println!(
        "{} routes × {} readers; load average at the start: {}",
        routes.len(),
        readers.len(),
        load_average().unwrap_or_default()
    );
    println!(
        "| route | as | 1 reader p50 | p99 | {n} readers p50 | p99 | req/s ({n}) | ≤ {TARGET_MS} ms |",
        n = args.readers
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |");
    let mut misses = 0;
    for route in &routes {
        for reader in &readers {
            let mut shown = route.replace(&participant, "{id}");
            if let Some(program) = &program {
                shown = shown.replace(program.as_str(), "{id}");
            }
            let first = get(&http, &base, route, reader).await;
            match first {
                Ok(200) => {}
                Ok(status) => {
                    println!("| `{shown}` | {} | {status} | | | | | |", reader.role);
                    continue;
                }
                Err(error) => {
                    println!("| `{shown}` | {} | error: {error} | | | | | ✗ |", reader.role);
                    misses += 1;
                    continue;
                }
            }
            let one = phase(&http, &base, route, reader, 1, args.single, args.seconds).await?;
            let many =
                phase(&http, &base, route, reader, args.readers, args.requests, args.seconds)
                    .await?;
            let ok = one.summary.p99 <= TARGET_MS && many.summary.p99 <= TARGET_MS;
            if !ok {
                misses += 1;
            }
            println!(
                "| `{shown}` | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {}{} |",
                reader.role,
                one.summary.p50,
                one.summary.p99,
                many.summary.p50,
                many.summary.p99,
                many.summary.count as f64 / many.elapsed.max(1e-9),
                if ok { "✓" } else { "✗" },
                if one.failures + many.failures > 0 {
                    format!(" ({} failed)", one.failures + many.failures)
                } else {
                    String::new()
                },
            );
        }
    }
    println!(
        "{misses} route × reader pairs miss the {TARGET_MS} ms p99 target; load average at the end: {}",
        load_average().unwrap_or_default()
    );
    app.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The first `"id"` in a JSON document.
fn first_id(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| map.values().find_map(first_id)),
        Value::Array(items) => items.iter().find_map(first_id),
        _ => None,
    }
}

/// The API's list routes from its document, one participant's routes, and the HTML pages.
async fn routes(
    http: &reqwest::Client,
    base: &str,
    participant: &str,
) -> anyhow::Result<Vec<String>> {
    let document: Value =
        http.get(format!("{base}/api/v1/openapi.json")).send().await?.json().await?;
    let paths = document["paths"].as_object().context("the document's paths")?;
    let mut routes: Vec<String> = paths
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| path.clone())
        .filter(|path| path != "/api/v1/openapi.json")
        .filter_map(|path| {
            if !path.contains('{') {
                return Some(path);
            }
            let rest = path.strip_prefix("/api/v1/participants/{id}")?;
            (!rest.contains('{')).then(|| path.replace("{id}", participant))
        })
        .collect();
    routes.sort();
    for page in [
        "/caseload",
        "/caseload?q=okafor",
        "/contacts",
        "/tasks",
        "/tasks?scope=organisation",
        "/follow-up",
        "/referrals",
        "/fidelity",
        "/resources",
        "/staff",
        "/programs",
        "/audit",
    ] {
        routes.push(page.to_owned());
    }
    routes.push(format!("/participants/{participant}"));
    routes.push(format!("/participants/{participant}/follow-up"));
    Ok(routes)
}

fn request(
    http: &reqwest::Client,
    base: &str,
    route: &str,
    reader: &Reader,
) -> reqwest::RequestBuilder {
    let request = http.get(format!("{base}{route}"));
    if route.starts_with("/api/") {
        request.bearer_auth(&reader.token)
    } else {
        request.header(reqwest::header::COOKIE, &reader.cookie)
    }
}

async fn get(
    http: &reqwest::Client,
    base: &str,
    route: &str,
    reader: &Reader,
) -> anyhow::Result<u16> {
    let reply = request(http, base, route, reader).send().await?;
    let status = reply.status().as_u16();
    reply.bytes().await?;
    Ok(status)
}

struct Phase {
    summary: Summary,
    elapsed: f64,
    failures: usize,
}

/// `readers` concurrent readers share `requests` requests, stopping at `seconds`.
async fn phase(
    http: &reqwest::Client,
    base: &str,
    route: &str,
    reader: &Reader,
    readers: usize,
    requests: usize,
    seconds: f64,
) -> anyhow::Result<Phase> {
    let samples: Samples = Arc::default();
    let left = Arc::new(std::sync::atomic::AtomicUsize::new(requests));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..readers.max(1) {
        let request = request(http, base, route, reader);
        let (samples, left) = (samples.clone(), left.clone());
        tasks.push(tokio::spawn(async move {
            let mut failures = 0usize;
            while Instant::now() < deadline
                && left
                    .fetch_update(
                        std::sync::atomic::Ordering::SeqCst,
                        std::sync::atomic::Ordering::SeqCst,
                        |n| n.checked_sub(1),
                    )
                    .is_ok()
            {
                let Some(request) = request.try_clone() else { break };
                let began = Instant::now();
                let ok = match request.send().await {
                    Ok(reply) => reply.status() == 200 && reply.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if ok {
                    record(&samples, began.elapsed());
                } else {
                    failures += 1;
                }
            }
            failures
        }));
    }
    let mut failures = 0;
    for task in tasks {
        failures += task.await?;
    }
    Ok(Phase { summary: summary(&samples)?, elapsed: started.elapsed().as_secs_f64(), failures })
}
