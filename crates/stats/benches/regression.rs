//! Side-by-side benchmark of logistic regression and GEE against statsmodels, same data, same
//! machine, same run: `cargo bench -p kindred-stats --bench regression`.
//!
//! A seeded generator writes each data set to CSV under the target directory; our fit is
//! timed (one warm-up, then the median of `RUNS`, design construction included), then
//! `reference/bench_regression.py` times statsmodels on the same CSV, and a table prints
//! both medians, their ratio, and the largest relative coefficient difference — evidence that
//! both sides fitted the same model.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::regression::{Coefficient, Design, GlmOptions, logistic};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

const RUNS: usize = 5;
const LOGISTIC_ROWS: usize = 1_000_000;
const LOGISTIC_COVARIATES: usize = 10;
const PARTICIPANTS: usize = 10_000;
const WAVES: usize = 4;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

fn main() -> Result<()> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-regression");
    std::fs::create_dir_all(&dir)?;
    let reference = Path::new(env!("CARGO_MANIFEST_DIR")).join("reference");
    let python = reference.join(".venv/bin/python");
    let script = reference.join("bench_regression.py");
    let python = python.exists().then_some((python, script));
    if python.is_none() {
        println!(
            "statsmodels venv missing: create it with crates/stats/reference/regenerate.sh \
             (python3 -m venv reference/.venv && reference/.venv/bin/pip install -r \
             reference/requirements.txt); printing our timings only.\n"
        );
    }
    let mut rng = ChaCha8Rng::seed_from_u64(20260501);

    let (x, y) = logistic_data(&mut rng);
    let csv = dir.join("logistic.csv");
    write_csv(&csv, None, &y, &x, LOGISTIC_COVARIATES)?;
    let (ours, fit) = median_time(|| {
        let design = Design::from_rows(&x, LOGISTIC_COVARIATES, true)?;
        Ok(logistic(&design, &y, &GlmOptions::default())?.coefficients)
    })?;
    report(
        &format!("logistic regression, {LOGISTIC_ROWS} rows × {LOGISTIC_COVARIATES} covariates"),
        ours,
        &fit,
        python.as_ref(),
        "logistic",
        &csv,
    )?;

    for (family, name) in
        [(GeeFamily::Gaussian, "gee_gaussian"), (GeeFamily::Binomial, "gee_binomial")]
    {
        let (ids, x, y) = panel_data(&mut rng, family);
        let csv = dir.join(format!("{name}.csv"));
        write_csv(&csv, Some(&ids), &y, &x, 4)?;
        let (ours, fit) = median_time(|| {
            let design = Design::from_rows(&x, 4, true)?;
            Ok(gee_exchangeable(&design, &y, &ids, family, 0.95)?.coefficients)
        })?;
        let title = format!(
            "GEE exchangeable ({family:?}), {PARTICIPANTS} participants × up to {WAVES} waves, {} rows",
            y.len()
        );
        report(&title, ours, &fit, python.as_ref(), name, &csv)?;
    }
    Ok(())
}

/// One warm-up, then the median wall time of `RUNS` fits, and the last fit's coefficients.
fn median_time(fit: impl Fn() -> Result<Vec<Coefficient>>) -> Result<(f64, Vec<Coefficient>)> {
    let mut last = fit()?;
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        last = fit()?;
        times.push(start.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    Ok((times[RUNS / 2], last))
}

/// Runs statsmodels on the same CSV and prints the side-by-side table.
fn report(
    title: &str,
    ours: f64,
    fit: &[Coefficient],
    python: Option<&(PathBuf, PathBuf)>,
    model: &str,
    csv: &Path,
) -> Result<()> {
    println!("{title}");
    println!("  {:<34} {:>12} {:>10} {:>16}", "method", "median (s)", "ratio", "max rel. Δcoef");
    println!("  {:<34} {:>12.4} {:>10} {:>16}", "kindred-stats", ours, "1.0", "–");
    if let Some((python, script)) = python {
        let output =
            Command::new(python).arg(script).arg(model).arg(csv).arg(RUNS.to_string()).output()?;
        if !output.status.success() {
            return Err(format!(
                "bench_regression.py failed: {}",
                String::from_utf8_lossy(&output.stderr)
            )
            .into());
        }
        let results: Vec<serde_json::Value> = serde_json::from_slice(&output.stdout)?;
        for r in &results {
            let label = r["label"].as_str().unwrap_or("statsmodels");
            let median = r["median_seconds"].as_f64().ok_or("median missing")?;
            let params: Vec<f64> = serde_json::from_value(r["params"].clone())?;
            let diff = fit
                .iter()
                .zip(&params)
                .map(|(c, p)| (c.estimate - p).abs() / p.abs().max(1e-12))
                .fold(0.0, f64::max);
            println!("  {label:<34} {median:>12.4} {:>9.1}× {diff:>16.2e}", median / ours);
        }
    }
    println!();
    Ok(())
}

/// A standard normal draw by Box–Muller (rand_distr is not a dependency).
fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

fn bernoulli(rng: &mut ChaCha8Rng, eta: f64) -> f64 {
    if rng.random::<f64>() < 1.0 / (1.0 + (-eta).exp()) { 1.0 } else { 0.0 }
}

/// 1 000 000 rows of 10 covariates (normal, binary and uniform mixed) and a binary outcome.
fn logistic_data(rng: &mut ChaCha8Rng) -> (Vec<f64>, Vec<f64>) {
    let beta = [0.4, -0.3, 0.2, 0.5, -0.1, 0.05, 0.3, -0.25, 0.15, 0.1];
    let mut x = Vec::with_capacity(LOGISTIC_ROWS * LOGISTIC_COVARIATES);
    let mut y = Vec::with_capacity(LOGISTIC_ROWS);
    for _ in 0..LOGISTIC_ROWS {
        let mut eta = -1.0;
        for (j, b) in beta.iter().enumerate() {
            let v = match j % 3 {
                0 => normal(rng),
                1 => f64::from(u8::from(rng.random::<bool>())),
                _ => rng.random::<f64>() * 4.0,
            };
            eta += b * v;
            x.push(v);
        }
        y.push(bernoulli(rng, eta));
    }
    (x, y)
}

/// A repeated survey: each participant answers each of four waves with probability 0.85
/// (at least one), with a participant-level random intercept. Covariates: months since
/// intake, peer support (per participant), age (per participant), a time-varying score.
fn panel_data(rng: &mut ChaCha8Rng, family: GeeFamily) -> (Vec<u64>, Vec<f64>, Vec<f64>) {
    let (mut ids, mut x, mut y) = (Vec::new(), Vec::new(), Vec::new());
    for person in 0..PARTICIPANTS as u64 {
        let peer = f64::from(u8::from(rng.random::<bool>()));
        let age = 18.0 + (rng.random::<f64>() * 42.0).floor();
        let u = 0.8 * normal(rng);
        let answered: Vec<usize> = (0..WAVES).filter(|_| rng.random::<f64>() < 0.85).collect();
        let answered = if answered.is_empty() { vec![0] } else { answered };
        for wave in answered {
            let months = 6.0 * wave as f64;
            let score = normal(rng);
            let eta = 0.3 - 0.04 * months + 0.5 * peer + 0.01 * (age - 35.0) + 0.3 * score + u;
            ids.push(person);
            x.extend([months, peer, age, score]);
            y.push(match family {
                GeeFamily::Gaussian => 10.0 + 2.0 * eta + 1.5 * normal(rng),
                GeeFamily::Binomial => bernoulli(rng, eta),
            });
        }
    }
    (ids, x, y)
}

/// Writes `id,y,x1..xk` (or `y,x1..xk`); Rust's `{}` prints the shortest representation that
/// reads back to the same f64, so both sides fit identical numbers.
fn write_csv(path: &Path, ids: Option<&[u64]>, y: &[f64], x: &[f64], k: usize) -> Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    let columns: Vec<String> = (1..=k).map(|j| format!("x{j}")).collect();
    let id_header = if ids.is_some() { "id," } else { "" };
    writeln!(out, "{id_header}y,{}", columns.join(","))?;
    for (i, yi) in y.iter().enumerate() {
        if let Some(ids) = ids {
            write!(out, "{},", ids[i])?;
        }
        write!(out, "{yi}")?;
        for v in &x[i * k..(i + 1) * k] {
            write!(out, ",{v}")?;
        }
        writeln!(out)?;
    }
    out.flush()?;
    Ok(())
}
