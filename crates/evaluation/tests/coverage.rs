//! Coverage simulations: 1 000 seeded replications each, through the same `analyse` the API
//! serves. With 1 000 replications the Monte Carlo SD of a 95 % coverage is
//! √(0.95 · 0.05 / 1000) ≈ 0.7 %, so the ± 1.5 % band is about ± 2.2 SD: a correct interval
//! passes with probability ≈ 97 %. Each simulation draws every replication from one ChaCha
//! stream whose seed is fixed below and was not chosen to pass.
//!
//! Run with `--nocapture` to see the observed figures.

mod common;

use kindred_evaluation::Observation;
use kindred_evaluation::analysis::{
    AnalysisRequest, Comparison, OutcomeKind, OutcomePlan, StudyDesign, analyse,
};
use kindred_evaluation::table::AnalysedTable;

const REPLICATIONS: usize = 1_000;
const ARMS: [&str; 2] = ["usual care", "peer support"];

/// A randomised trial of a binary outcome, `per_arm` participants in each arm.
fn binary_trial(rng: &mut common::Rng, per_arm: usize, risks: (f64, f64)) -> AnalysedTable {
    let rows = (0..2 * per_arm)
        .map(|i| {
            let arm = i % 2;
            let risk = if arm == 1 { risks.1 } else { risks.0 };
            (arm, vec![Observation::Binary { value: common::bernoulli(rng, risk) }])
        })
        .collect();
    common::bare_table(&ARMS, &["abstinent at 6 months"], rows)
}

/// A randomised trial of time to rehospitalisation: exponential event times (hazard 0.002 a
/// day in usual care, `hazard_ratio` times that with peer support), exponential drop-out,
/// administrative censoring at one year, times rounded up to whole days (so there are ties).
fn survival_trial(rng: &mut common::Rng, per_arm: usize, hazard_ratio: f64) -> AnalysedTable {
    let rows = (0..2 * per_arm)
        .map(|i| {
            let arm = i % 2;
            let hazard = 0.002 * if arm == 1 { hazard_ratio } else { 1.0 };
            let event = common::exponential(rng, hazard);
            let end = common::exponential(rng, 0.001).min(365.0);
            let days = event.min(end).ceil();
            (arm, vec![Observation::TimeToEvent { days, event: event <= end }])
        })
        .collect();
    common::bare_table(&ARMS, &["days to rehospitalisation"], rows)
}

fn request(kind: OutcomeKind) -> AnalysisRequest {
    AnalysisRequest::new(StudyDesign::Randomised, vec![OutcomePlan::primary(kind)])
}

fn assert_within(what: &str, observed: f64, target: f64) {
    eprintln!("{what}: {:.1}% ({REPLICATIONS} replications)", observed * 100.0);
    assert!(
        (observed - target).abs() <= 0.015,
        "{what}: {observed} is not within {target} ± 0.015"
    );
}

#[test]
fn the_risk_ratio_interval_covers_a_planted_1_5() {
    let mut rng = common::rng(2_026_112_501);
    let request = request(OutcomeKind::Binary);
    let mut covered = 0;
    for _ in 0..REPLICATIONS {
        let table = binary_trial(&mut rng, 300, (0.2, 0.3));
        let result = analyse(&table, &request).expect("analysed");
        let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
        let rr = b.comparisons[0].risk_ratio.result.as_ref().expect("estimable");
        covered += usize::from(rr.ci.contains(1.5));
    }
    assert_within("risk ratio 95% CI covers 1.5", covered as f64 / REPLICATIONS as f64, 0.95);
}

#[test]
fn the_cox_hazard_ratio_interval_covers_a_planted_0_6() {
    let mut rng = common::rng(2_026_112_502);
    let request = request(OutcomeKind::TimeToEvent);
    let (mut covered, mut events) = (0, 0);
    for _ in 0..REPLICATIONS {
        let table = survival_trial(&mut rng, 200, 0.6);
        let result = analyse(&table, &request).expect("analysed");
        let Comparison::TimeToEvent(s) = &result.outcomes[0].comparison else { panic!() };
        let cox = s.cox.as_ref().and_then(|c| c.result.as_ref()).expect("estimable");
        covered += usize::from(cox.hazard_ratios[0].ci.contains(0.6));
        events += cox.events;
    }
    eprintln!("mean events per trial of 400: {:.1}", events as f64 / REPLICATIONS as f64);
    assert_within("Cox HR 95% CI covers 0.6", covered as f64 / REPLICATIONS as f64, 0.95);
}

#[test]
fn with_no_effect_the_binary_test_rejects_five_percent_of_the_time() {
    let mut rng = common::rng(2_026_112_503);
    let request = request(OutcomeKind::Binary);
    let (mut rejected, mut fisher) = (0, 0);
    for _ in 0..REPLICATIONS {
        let table = binary_trial(&mut rng, 300, (0.25, 0.25));
        let result = analyse(&table, &request).expect("analysed");
        let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
        let test = &b.comparisons[0].test;
        fisher += usize::from(test.method.starts_with("Fisher"));
        rejected += usize::from(test.result.as_ref().expect("estimable").p_value < 0.05);
    }
    eprintln!("Fisher's exact test chosen in {fisher} replications");
    assert_within("χ²/Fisher rejects at α = 0.05", rejected as f64 / REPLICATIONS as f64, 0.05);
}

#[test]
fn with_no_effect_the_log_rank_test_rejects_five_percent_of_the_time() {
    let mut rng = common::rng(2_026_112_504);
    let request = request(OutcomeKind::TimeToEvent);
    let mut rejected = 0;
    for _ in 0..REPLICATIONS {
        let table = survival_trial(&mut rng, 200, 1.0);
        let result = analyse(&table, &request).expect("analysed");
        let Comparison::TimeToEvent(s) = &result.outcomes[0].comparison else { panic!() };
        let log_rank = s.log_rank.as_ref().and_then(|l| l.result.as_ref()).expect("estimable");
        rejected += usize::from(log_rank.p_value < 0.05);
    }
    assert_within("log-rank rejects at α = 0.05", rejected as f64 / REPLICATIONS as f64, 0.05);
}
