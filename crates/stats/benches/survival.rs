//! Side-by-side benchmark of the survival statistics against lifelines, on the same data in
//! the same run: `cargo bench -p kindred-stats --bench survival`.
//!
//! A seeded generator writes realistic data to CSV under the target directory: Weibull event
//! times whose hazard depends on five covariates, random drop-out, administrative censoring at
//! one year, and times rounded up to whole days (so ties are common). The bench times our code
//! (median of 7 runs after a warm-up), then runs `reference/bench_survival.py` with the
//! reference virtual environment's python on the same files, prints both medians and their
//! ratio, and checks that the two sides agree on the estimates.
//!
//! - Cox: `cox_ph` (Efron) on 100 000 rows × 5 covariates — coefficients, standard errors, the
//!   likelihood-ratio and Wald tests and Harrell's C — against `CoxPHFitter().fit` plus
//!   `concordance_index_`.
//! - KM + log-rank: `kaplan_meier` with intervals and median plus a two-arm `log_rank_test` on
//!   1 000 000 rows, against `KaplanMeierFitter().fit` plus `logrank_test`.

// A benchmark's whole job is to print its table.
#![allow(clippy::print_stdout)]

use std::error::Error;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use kindred_stats::survival::{Ties, cox_ph, kaplan_meier, log_rank_test};
use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};

const RUNS: usize = 7;
const PYTHON_RUNS: usize = 5;
const COX_ROWS: usize = 100_000;
const KM_ROWS: usize = 1_000_000;
const BETA: [f64; 5] = [0.3, -0.5, 0.2, 0.1, -0.15];

struct Data {
    times: Vec<f64>,
    events: Vec<bool>,
    covariates: Vec<Vec<f64>>,
}

struct Uniform(ChaCha20Rng);

impl Uniform {
    /// Uniform on (0, 1): 53 random bits, never exactly 0.
    fn next(&mut self) -> f64 {
        ((self.0.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    /// Standard normal by Box–Muller.
    fn normal(&mut self) -> f64 {
        (-2.0 * self.next().ln()).sqrt() * (std::f64::consts::TAU * self.next()).cos()
    }
}

/// Participants with an age-like, a binary (arm), a normal, a uniform and a skewed
/// covariate; Weibull(shape 1.3) days to event with median ≈ 200 days at the covariate means;
/// exponential drop-out and the end of follow-up at day 365.
fn generate(rows: usize, seed: u64) -> Data {
    let mut rng = Uniform(ChaCha20Rng::seed_from_u64(seed));
    let mut covariates: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(rows)).collect();
    let (mut times, mut events) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
    for _ in 0..rows {
        let x = [
            (rng.normal() * 12.0 + 38.0) / 10.0,
            if rng.next() < 0.5 { 1.0 } else { 0.0 },
            rng.normal(),
            rng.next(),
            -rng.next().ln(),
        ];
        let lp: f64 = x.iter().zip(BETA).map(|(a, b)| a * b).sum::<f64>() - 0.3 * 3.8;
        let event_time = 250.0 * (-rng.next().ln() / lp.exp()).powf(1.0 / 1.3);
        let dropout = -rng.next().ln() * 900.0;
        let exit = event_time.min(dropout).min(365.0);
        times.push(exit.ceil().max(1.0));
        events.push(event_time <= dropout && event_time <= 365.0);
        for (column, value) in covariates.iter_mut().zip(x) {
            column.push(value);
        }
    }
    Data { times, events, covariates }
}

fn write_csv(path: &Path, data: &Data, with_covariates: bool) -> Result<(), Box<dyn Error>> {
    let mut out = String::with_capacity(data.times.len() * 64);
    out.push_str(if with_covariates { "T,E,x0,x1,x2,x3,x4\n" } else { "T,E,G\n" });
    for i in 0..data.times.len() {
        write!(out, "{},{}", data.times[i], u8::from(data.events[i]))?;
        if with_covariates {
            for column in &data.covariates {
                // Shortest round-trip formatting, so Python parses exactly the doubles Rust fits.
                write!(out, ",{:?}", column[i])?;
            }
        } else {
            write!(out, ",{}", data.covariates[1][i])?;
        }
        out.push('\n');
    }
    std::fs::write(path, out)?;
    Ok(())
}

/// Median wall time of `RUNS` runs after one warm-up, and the last result.
fn time<T>(mut f: impl FnMut() -> T) -> (f64, T) {
    let mut result = f();
    let mut seconds = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        result = f();
        seconds.push(start.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    (seconds[RUNS / 2], result)
}

fn main() -> Result<(), Box<dyn Error>> {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("survival-bench");
    std::fs::create_dir_all(&dir)?;
    let (cox_csv, km_csv) = (dir.join("cox_100k.csv"), dir.join("km_1m.csv"));

    let cox_data = generate(COX_ROWS, 20_260_101);
    let km_data = generate(KM_ROWS, 20_260_102);
    write_csv(&cox_csv, &cox_data, true)?;
    write_csv(&km_csv, &km_data, false)?;
    let columns: Vec<&[f64]> = cox_data.covariates.iter().map(Vec::as_slice).collect();
    let events = cox_data.events.iter().filter(|&&e| e).count();
    println!("Cox data: {COX_ROWS} rows × 5 covariates, {events} events; KM data: {KM_ROWS} rows");

    let (cox_seconds, fit) =
        time(|| cox_ph(&cox_data.times, &cox_data.events, &columns, Ties::Efron, 0.95));
    let fit = fit?;
    let arms: Vec<usize> = km_data.covariates[1].iter().map(|&b| b as usize).collect();
    let (km_seconds, km_result) = time(|| {
        let curve = kaplan_meier(&km_data.times, &km_data.events, 0.95)?;
        let test = log_rank_test(&km_data.times, &km_data.events, &arms, None)?;
        Ok::<_, kindred_stats::StatsError>((curve.median.estimate, test.test.statistic))
    });
    let (median_survival, logrank_statistic) = km_result?;

    let python = manifest.join("reference/.venv/bin/python");
    if !python.exists() {
        println!("\n{:<34} {:>12}", "case", "kindred");
        println!("{:<34} {:>10.1} ms", "Cox PH (Efron) 100k × 5", cox_seconds * 1e3);
        println!("{:<34} {:>10.1} ms", "KM + log-rank 1M", km_seconds * 1e3);
        println!(
            "\nThe reference environment is missing; create it with \
             crates/stats/reference/regenerate.sh (or python3 -m venv crates/stats/reference/.venv \
             && crates/stats/reference/.venv/bin/pip install -r crates/stats/reference/requirements.txt)."
        );
        return Ok(());
    }
    let output = Command::new(&python)
        .arg(manifest.join("reference/bench_survival.py"))
        .arg(&cox_csv)
        .arg(&km_csv)
        .arg(PYTHON_RUNS.to_string())
        .output()?;
    if !output.status.success() {
        return Err(format!(
            "bench_survival.py failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    let reference: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let number = |path: &[&str]| -> Result<f64, Box<dyn Error>> {
        let mut value = &reference;
        for key in path {
            value = value.get(key).ok_or_else(|| format!("missing {key} in lifelines output"))?;
        }
        value.as_f64().ok_or_else(|| format!("{path:?} is not a number").into())
    };
    let lifelines_cox = number(&["cox", "median_s"])?;
    let lifelines_km = number(&["km_logrank", "median_s"])?;

    println!(
        "\n{:<30} {:>12} {:>12} {:>9}",
        "case (median wall time)", "kindred", "lifelines", "ratio"
    );
    for (name, ours, theirs) in [
        ("Cox PH (Efron) 100k × 5", cox_seconds, lifelines_cox),
        ("KM + log-rank 1M", km_seconds, lifelines_km),
    ] {
        println!(
            "{name:<30} {:>9.1} ms {:>9.1} ms {:>8.1}×",
            ours * 1e3,
            theirs * 1e3,
            theirs / ours
        );
    }

    // Agreement. lifelines' default stopping rule (Newton decrement below 1e-7) returns β
    // before its last Newton step, about 1e-7 from the optimum in standardised units, so the
    // coefficients are compared to 1e-5 relative here; the fixtures, fitted with tight
    // tolerances, check 1e-6.
    let relative = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-12);
    let mut worst_coef = 0.0_f64;
    let mut worst_se = 0.0_f64;
    for (j, c) in fit.coefficients.iter().enumerate() {
        let j = j.to_string();
        let coef = reference["cox"]["coef"][j.parse::<usize>()?].as_f64().ok_or("coef")?;
        let se = reference["cox"]["se"][j.parse::<usize>()?].as_f64().ok_or("se")?;
        worst_coef = worst_coef.max(relative(c.coef, coef));
        worst_se = worst_se.max(relative(c.standard_error, se));
    }
    let concordance =
        relative(fit.concordance.ok_or("no concordance")?, number(&["cox", "concordance"])?);
    let logrank = relative(logrank_statistic, number(&["km_logrank", "logrank_statistic"])?);
    let median_matches = median_survival == Some(number(&["km_logrank", "median_survival"])?);
    println!(
        "\nagreement with lifelines (max relative difference): coefficients {worst_coef:.1e}, \
         standard errors {worst_se:.1e}, concordance {concordance:.1e}, log-rank statistic \
         {logrank:.1e}; KM median equal: {median_matches}"
    );
    if worst_coef > 1e-5
        || worst_se > 1e-5
        || concordance > 1e-9
        || logrank > 1e-6
        || !median_matches
    {
        return Err("kindred and lifelines disagree on the benchmark data".into());
    }
    Ok(())
}
