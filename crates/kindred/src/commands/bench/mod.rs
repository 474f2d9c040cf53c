//! `kindred bench`: measurements on one machine, each on a seeded database.
//!
//! - [`contacts`]: how fast contacts can be logged (a fresh SQLite file, seeded, then POSTs).
//! - [`seed`]: leaves the scale database (participants, a year or two of work) in a directory
//!   or a PostgreSQL database, for anyone to serve and measure; [`seed_sql`] writes its rows.
//! - [`pages`]: reads every list and page of such a database over HTTP, as each role, with one
//!   reader and with many, against the p99 target.
//! - [`analysis`]: the full analysis set of one study over such a database, against 1 s.

mod analysis;
mod contacts;
mod pages;
mod seed;
mod seed_sql;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

pub use analysis::analysis;
pub use contacts::contacts;
pub use pages::pages;
pub use seed::seed;

/// The organisation every bench creates.
const ORG: &str = "bench";
/// The password of every bench account (printed by `bench seed`).
const PASSWORD: &str = "bench password, not a secret";

/// Latencies in microseconds, shared by the middleware or the clients.
type Samples = Arc<Mutex<Vec<u32>>>;

async fn timed(request: Request, next: Next, samples: Samples) -> Response {
    let began = Instant::now();
    let response = next.run(request).await;
    record(&samples, began.elapsed());
    response
}

fn record(samples: &Samples, elapsed: Duration) {
    let micros = u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX);
    if let Ok(mut samples) = samples.lock() {
        samples.push(micros);
    }
}

/// Percentiles of a run, in milliseconds.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    count: usize,
    p50: f64,
    p99: f64,
    max: f64,
}

fn summary(samples: &Samples) -> anyhow::Result<Summary> {
    let all = samples.lock().map_err(|_| anyhow::anyhow!("poisoned"))?.clone();
    Ok(summarise(all))
}

/// Nearest-rank percentiles of latencies in microseconds.
fn summarise(mut all: Vec<u32>) -> Summary {
    all.sort_unstable();
    let at = |q: f64| {
        let index = ((all.len() as f64 * q).ceil() as usize).saturating_sub(1);
        f64::from(all.get(index).copied().unwrap_or(0)) / 1000.0
    };
    Summary { count: all.len(), p50: at(0.5), p99: at(0.99), max: at(1.0) }
}

/// The resident set size of this process, in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()))
        })
        .unwrap_or(0)
}

/// The 1-minute load average (Linux; `None` elsewhere), printed beside every figure.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// The database a bench command names: `--dir D` (the SQLite file `kindred serve --data-dir D`
/// opens), or the global `--data-dir` / `--database-url`.
fn bench_location(
    database: &crate::cli::DatabaseArgs,
    dir: Option<&std::path::Path>,
) -> anyhow::Result<kindred_app::DatabaseLocation> {
    match dir {
        Some(dir) => {
            Ok(kindred_app::DatabaseLocation::SqliteFile(dir.join(crate::cli::SQLITE_FILE)))
        }
        None => database
            .location(|| anyhow::bail!("name the database: --dir DIR or --database-url URL")),
    }
}
