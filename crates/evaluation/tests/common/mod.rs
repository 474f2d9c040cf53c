//! Seeded synthetic studies for the tests and the benchmark: a realistic peer-support trial
//! with every outcome type, covariates, subgroups, coaches, dose and cost, and a planted
//! effect whose size each test chooses.
#![allow(dead_code, reason = "each test binary uses a different part")]

use kindred_evaluation::analysis::{
    AnalysisRequest, GoodOutcome, OutcomeKind, OutcomePlan, StudyDesign,
};
use kindred_evaluation::table::{
    AnalysedTable, CoachRecord, Dose, DoseRecord, ParticipantRow, indicator_columns,
};
use kindred_evaluation::{Observation, RepeatedPoint};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub type Rng = ChaCha8Rng;

pub fn rng(seed: u64) -> Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A standard normal draw (Box–Muller).
pub fn normal(rng: &mut Rng) -> f64 {
    let u: f64 = 1.0 - rng.random::<f64>();
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// An exponential draw with the given rate.
pub fn exponential(rng: &mut Rng, rate: f64) -> f64 {
    -(1.0 - rng.random::<f64>()).ln() / rate
}

/// A Poisson draw (Knuth's product method for small means, normal approximation above 60).
pub fn poisson(rng: &mut Rng, mean: f64) -> f64 {
    if mean > 60.0 {
        return (mean + mean.sqrt() * normal(rng)).round().max(0.0);
    }
    let limit = (-mean).exp();
    let (mut k, mut p) = (0.0, rng.random::<f64>());
    while p > limit {
        k += 1.0;
        p *= rng.random::<f64>();
    }
    k
}

pub fn bernoulli(rng: &mut Rng, p: f64) -> bool {
    rng.random::<f64>() < p
}

/// A two-arm table with nothing but one outcome per participant.
pub fn bare_table(
    arms: &[&str],
    outcomes: &[&str],
    rows: Vec<(usize, Vec<Observation>)>,
) -> AnalysedTable {
    AnalysedTable {
        arms: arms.iter().map(|s| (*s).to_owned()).collect(),
        outcomes: outcomes.iter().map(|s| (*s).to_owned()).collect(),
        covariates: vec![],
        subgroups: vec![],
        components: vec![],
        rows: rows
            .into_iter()
            .enumerate()
            .map(|(i, (arm, outcomes))| ParticipantRow {
                key: format!("p{i:05}"),
                arm,
                outcomes,
                covariates: vec![],
                subgroups: vec![],
                coach: None,
                dose: DoseRecord::new(Dose::default(), &[], vec![]),
                cost_cents: None,
            })
            .collect(),
    }
}

/// What the full synthetic study plants.
#[derive(Debug, Clone, Copy)]
pub struct Plant {
    /// Risk of the good binary outcome in usual care and in peer support.
    pub risks: (f64, f64),
    /// Hazard ratio of rehospitalisation, peer support against usual care.
    pub hazard_ratio: f64,
    /// Mean change advantage of peer support on the recovery-capital score.
    pub score_effect: f64,
    /// Average contacts a peer-support participant receives.
    pub mean_contacts: f64,
}

impl Default for Plant {
    fn default() -> Self {
        Self { risks: (0.2, 0.3), hazard_ratio: 0.6, score_effect: 3.0, mean_contacts: 8.0 }
    }
}

pub const OUTCOMES: [&str; 5] = [
    "abstinent at 6 months",
    "BARC-10 change at 6 months",
    "days to rehospitalisation",
    "appointments attended",
    "PHQ-9 over 12 months",
];

/// A full randomised study of `n` participants: five outcomes (binary, change, time to event,
/// count, repeated over four time points), three covariates with a categorical one expanded,
/// three subgroup variables, 50 coaches, dose by support kind and component, and cost.
pub fn full_study(n: usize, seed: u64, plant: Plant) -> (AnalysedTable, AnalysisRequest) {
    let mut rng = rng(seed);
    let coaches: Vec<CoachRecord> = (0..50)
        .map(|c| CoachRecord {
            key: format!("coach{c:02}"),
            months_in_recovery: Some(6.0 + (c * 7 % 120) as f64),
            certified: Some(c % 3 != 0),
            training_hours: Some(20.0 + (c * 13 % 80) as f64),
        })
        .collect();
    let housing_levels = ["stable", "unstable", "homeless"];
    let referral = ["walk-in clinic", "drug court", "self"];
    let mut housing = Vec::with_capacity(n);
    let mut rows = Vec::with_capacity(n);
    for i in 0..n {
        let arm = usize::from(rng.random::<bool>());
        let treated = arm == 1;
        let age = 18.0 + (rng.random::<f64>() * 50.0).floor();
        let house = housing_levels[(rng.random::<f64>() * 3.0) as usize];
        housing.push((rng.random::<f64>() > 0.03).then_some(house));
        let co_occurring = bernoulli(&mut rng, 0.4);
        let coach = treated.then(|| coaches[(rng.random::<f64>() * 50.0) as usize].clone());
        let coach_bonus =
            coach.as_ref().map_or(0.0, |c| 0.01 * c.months_in_recovery.unwrap_or(0.0) / 12.0);

        let risk = if treated { plant.risks.1 } else { plant.risks.0 } + coach_bonus;
        let binary = if bernoulli(&mut rng, 0.1) {
            Observation::missing("not reached at 6 months")
        } else {
            Observation::Binary { value: bernoulli(&mut rng, risk) }
        };
        let baseline = 30.0 + 8.0 * normal(&mut rng) - if co_occurring { 2.0 } else { 0.0 };
        let follow_up = 12.0
            + 0.6 * baseline
            + if treated { plant.score_effect } else { 0.0 }
            + 6.0 * normal(&mut rng);
        let change = if bernoulli(&mut rng, 0.15) {
            Observation::missing("no 6-month assessment")
        } else {
            Observation::Change { baseline: baseline.round(), follow_up: follow_up.round() }
        };
        let hazard = 0.002
            * if treated { plant.hazard_ratio } else { 1.0 }
            * if co_occurring { 1.5 } else { 1.0 };
        let event_day = exponential(&mut rng, hazard);
        let dropout = exponential(&mut rng, 0.0008);
        let end = 365.0_f64.min(dropout);
        let tte =
            Observation::TimeToEvent { days: event_day.min(end).ceil(), event: event_day <= end };
        let exposure = if bernoulli(&mut rng, 0.01) {
            0.0
        } else {
            30.0 + (rng.random::<f64>() * 335.0).floor()
        };
        let count = Observation::Count {
            events: poisson(&mut rng, exposure / 30.0 * if treated { 1.3 } else { 1.0 }),
            exposure_days: exposure,
        };
        let person = 2.0 * normal(&mut rng);
        let schedule = [("intake", 0.0), ("3m", 90.0), ("6m", 180.0), ("12m", 365.0)];
        let mut points = Vec::new();
        for (t, (code, day)) in schedule.iter().enumerate() {
            if t > 0 && !bernoulli(&mut rng, 0.85) {
                continue;
            }
            let slope = if treated { 1.0 } else { 0.5 };
            let value = (12.0 - t as f64 * slope + person + 3.0 * normal(&mut rng)).max(0.0);
            points.push(RepeatedPoint {
                time_point: (*code).to_owned(),
                position: t,
                day: *day,
                value: value.round(),
            });
        }
        let repeated = Observation::Repeated { points };

        let contacts = if treated {
            crate_poisson(&mut rng, plant.mean_contacts)
        } else {
            crate_poisson(&mut rng, 0.3)
        };
        let minutes = (contacts as f64 * (20.0 + 10.0 * rng.random::<f64>())).round() as u32;
        let split = |share: f64| Dose {
            contacts: (contacts as f64 * share).round() as u32,
            minutes: (minutes as f64 * share).round() as u32,
        };
        let dose = DoseRecord {
            total: Dose { contacts, minutes },
            by_support_kind: vec![split(0.8), split(0.5), split(0.3), split(0.2)],
            by_component: vec![split(0.1), split(0.05), split(0.4)],
        };
        let cost_cents = (rng.random::<f64>() > 0.02)
            .then(|| i64::from(minutes) * 50 + i64::from(contacts) * 500);
        rows.push(ParticipantRow {
            key: format!("p{i:06}"),
            arm,
            outcomes: vec![binary, change, tte, count, repeated],
            covariates: vec![
                (rng.random::<f64>() > 0.02).then_some(age),
                Some(f64::from(u8::from(co_occurring))),
            ],
            subgroups: vec![
                Some(referral[(rng.random::<f64>() * 3.0) as usize].to_owned()),
                (rng.random::<f64>() > 0.05)
                    .then(|| if co_occurring { "co-occurring" } else { "SUD only" }.to_owned()),
                Some(
                    if age < 35.0 {
                        "18–34"
                    } else if age < 50.0 {
                        "35–49"
                    } else {
                        "50+"
                    }
                    .to_owned(),
                ),
            ],
            coach,
            dose,
            cost_cents,
        });
    }
    let (housing_names, housing_columns) = indicator_columns("housing", &housing);
    for (row, extra) in rows.iter_mut().zip(housing_columns) {
        row.covariates.extend(extra);
    }
    let mut covariates = vec!["age".to_owned(), "co-occurring disorder".to_owned()];
    covariates.extend(housing_names);
    let table = AnalysedTable {
        arms: vec!["usual care".into(), "peer support".into()],
        outcomes: OUTCOMES.iter().map(|s| (*s).to_owned()).collect(),
        covariates: covariates.clone(),
        subgroups: vec![
            "referral source".into(),
            "co-occurring disorder".into(),
            "age band".into(),
        ],
        components: vec!["booster call".into(), "escort".into(), "peer group".into()],
        rows,
    };
    let mut request = AnalysisRequest::new(
        StudyDesign::Randomised,
        vec![
            OutcomePlan::primary(OutcomeKind::Binary),
            OutcomePlan::secondary(OutcomeKind::Change),
            OutcomePlan::secondary(OutcomeKind::TimeToEvent),
            OutcomePlan::secondary(OutcomeKind::Count),
            OutcomePlan::secondary(OutcomeKind::Repeated),
        ],
    );
    request.adjust_for = covariates;
    request.subgroups = table.subgroups.clone();
    request.good_outcome = Some(GoodOutcome { outcome: 0, good_value: true });
    request.bootstrap.seed = 20_261_125;
    (table, request)
}

fn crate_poisson(rng: &mut Rng, mean: f64) -> u32 {
    poisson(rng, mean) as u32
}

/// Serialised results hold no `null`: optional numbers are left out when absent, so a `null`
/// could only be a NaN or an infinity that `serde_json` wrote in its place.
pub fn assert_no_null(value: &serde_json::Value, path: &str) {
    match value {
        serde_json::Value::Null => panic!("null at {path}"),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                assert_no_null(item, &format!("{path}[{i}]"));
            }
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                assert_no_null(item, &format!("{path}.{key}"));
            }
        }
        serde_json::Value::Number(n) => assert!(n.as_f64().is_some_and(f64::is_finite), "{path}"),
        _ => {}
    }
}
