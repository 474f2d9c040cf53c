//! The full analysis set of one study over 10 000 participants, timed:
//! `cargo bench -p kindred-evaluation --bench analysis`.
//!
//! The study is the synthetic randomised trial of `tests/common`: five outcomes (binary,
//! change, time to event, count, repeated over four time points), four adjustment
//! covariates, three subgroup variables, 50 coaches, dose by four support kinds and three
//! components — about 100 contacts per peer-support participant, so the doses sum a million
//! contacts — and cost with 1 000 bootstrap replicates. It is analysed once as randomised
//! and once as quasi-experimental (propensity weighting added). One warm-up, then the median
//! of `RUNS` wall times, and beside it the median CPU time of the process (user + system, from
//! `/proc/self/stat`, all threads), which other work on a shared machine inflates far less
//! than the wall time.
#![allow(clippy::print_stdout, reason = "a benchmark reports on stdout")]
#![allow(clippy::unwrap_used, reason = "a benchmark of known-good data")]

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use kindred_evaluation::analysis::{StudyDesign, analyse, analyse_with_threads};

const RUNS: usize = 7;
const PARTICIPANTS: usize = 10_000;

fn main() {
    let plant = common::Plant { mean_contacts: 200.0, ..common::Plant::default() };
    let (table, mut request) = common::full_study(PARTICIPANTS, 7, plant);
    let contacts: u64 = table.rows.iter().map(|r| u64::from(r.dose.total.contacts)).sum();
    println!(
        "{PARTICIPANTS} participants, {contacts} contacts, {} bootstrap replicates",
        request.bootstrap.replicates
    );
    for design in [StudyDesign::Randomised, StudyDesign::QuasiExperimental] {
        request.design = design;
        let json = serde_json::to_string(&analyse(&table, &request).unwrap()).unwrap();
        for threads in [None, Some(1)] {
            let mut times = Vec::with_capacity(RUNS);
            let mut on_cpu = Vec::with_capacity(RUNS);
            for _ in 0..RUNS {
                let cpu = cpu_seconds();
                let start = Instant::now();
                let result = match threads {
                    None => analyse(&table, &request),
                    Some(n) => analyse_with_threads(&table, &request, n),
                };
                times.push(start.elapsed().as_secs_f64());
                on_cpu.push(cpu_seconds().zip(cpu).map_or(f64::NAN, |(b, a)| b - a));
                std::hint::black_box(result.unwrap());
            }
            times.sort_by(f64::total_cmp);
            on_cpu.sort_by(f64::total_cmp);
            println!(
                "{design:?}, {}: median {:.3} s wall (min {:.3}, max {:.3}), {:.2} s of CPU, \
                 over {RUNS} runs; {} kB of JSON",
                threads.map_or("default threads".to_owned(), |n| format!("{n} thread")),
                times[RUNS / 2],
                times[0],
                times[RUNS - 1],
                on_cpu[RUNS / 2],
                json.len() / 1000
            );
        }
    }
}

/// CPU seconds the process has used, every thread included (Linux; clock ticks of 10 ms).
fn cpu_seconds() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = text.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}
