//! The numbers the engine reports equal the statistics crate's on the same data: the
//! analysed table is read back here by hand and every figure recomputed with `kindred_stats`
//! directly.

mod common;

use kindred_evaluation::Observation;
use kindred_evaluation::analysis::{Comparison, StudyAnalysis, StudyDesign, analyse};
use kindred_evaluation::table::AnalysedTable;
use kindred_stats::bootstrap::{BootstrapOptions, bootstrap_stratified};
use kindred_stats::gee::{GeeFamily, gee_exchangeable};
use kindred_stats::propensity::{
    Estimand, OutcomeModel, Trimming, ipw_weights, propensity_scores, weighted_outcome,
};
use kindred_stats::proportions::{
    Table2x2, chi_square_test, odds_ratio, risk_difference, risk_ratio, wilson_interval,
};
use kindred_stats::regression::{
    Covariance, Design, GlmCovariance, GlmOptions, logistic, ols, poisson,
};
use kindred_stats::survival::{
    Ties, TimeTransform, cox_ph, kaplan_meier, log_rank_test, proportional_hazards_test,
};
use kindred_stats::two_group::{
    RankMethod, cohens_dz, hedges_g, paired_t_test, welch_t_test, wilcoxon_signed_rank,
};

const LEVEL: f64 = 0.95;

fn close(ours: f64, theirs: f64, what: &str) {
    let tolerance = 1e-12 * theirs.abs().max(1.0);
    assert!((ours - theirs).abs() <= tolerance, "{what}: {ours} vs {theirs}");
}

fn study(design: StudyDesign) -> (AnalysedTable, StudyAnalysis) {
    let (table, mut request) = common::full_study(500, 3, common::Plant::default());
    request.design = design;
    let result = analyse(&table, &request).expect("analysed");
    (table, result)
}

/// Rows with outcome `j` observed, as (row index, arm, observation).
fn observed(table: &AnalysedTable, j: usize) -> Vec<(usize, usize, &Observation)> {
    table
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.outcomes[j].is_missing())
        .map(|(i, r)| (i, r.arm, &r.outcomes[j]))
        .collect()
}

fn indicator(values: impl Iterator<Item = bool>) -> Vec<f64> {
    values.map(|b| f64::from(u8::from(b))).collect()
}

#[test]
fn binary_figures_are_the_statistics_crates() {
    let (table, result) = study(StudyDesign::Randomised);
    let rows = observed(&table, 0);
    let count = |arm: usize| {
        let v: Vec<bool> = rows
            .iter()
            .filter(|r| r.1 == arm)
            .map(|r| matches!(r.2, Observation::Binary { value: true }))
            .collect();
        (v.iter().filter(|&&b| b).count() as u64, v.len() as u64)
    };
    let Comparison::Binary(b) = &result.outcomes[0].comparison else { panic!() };
    for arm in 0..2 {
        let (events, n) = count(arm);
        let ours = b.arms[arm].result.as_ref().unwrap();
        let theirs = wilson_interval(events, n, LEVEL).unwrap();
        assert_eq!((ours.events, ours.n), (events, n));
        close(ours.ci.lower, theirs.interval.lower, "Wilson lower");
        close(ours.ci.upper, theirs.interval.upper, "Wilson upper");
    }
    let ((a, n1), (c, n0)) = (count(1), count(0));
    let table2 = Table2x2::new(a, n1 - a, c, n0 - c);
    let cmp = &b.comparisons[0];
    for (ours, theirs) in [
        (&cmp.risk_difference, risk_difference(&table2, LEVEL).unwrap()),
        (&cmp.risk_ratio, risk_ratio(&table2, LEVEL).unwrap()),
        (&cmp.odds_ratio, odds_ratio(&table2, LEVEL).unwrap()),
    ] {
        let ours = ours.result.as_ref().unwrap();
        close(ours.estimate, theirs.estimate, "estimate");
        close(ours.ci.lower, theirs.interval.lower, "lower");
        close(ours.ci.upper, theirs.interval.upper, "upper");
        close(ours.p_value.unwrap(), theirs.p_value, "p");
    }
    let chi = chi_square_test(&table2, false).unwrap();
    assert!(cmp.test.method.starts_with("Pearson χ²"));
    close(cmp.test.result.as_ref().unwrap().statistic.unwrap(), chi.statistic, "χ²");

    // Adjusted: logistic regression on arm and the covariates, complete cases.
    let complete: Vec<_> =
        rows.iter().filter(|r| table.rows[r.0].covariates.iter().all(Option::is_some)).collect();
    let mut columns = vec![indicator(complete.iter().map(|r| r.1 == 1))];
    for c in 0..table.covariates.len() {
        columns.push(complete.iter().map(|r| table.rows[r.0].covariates[c].unwrap()).collect());
    }
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let y = indicator(complete.iter().map(|r| matches!(r.2, Observation::Binary { value: true })));
    let fit = logistic(&Design::from_columns(&slices, true).unwrap(), &y, &GlmOptions::default())
        .unwrap();
    let ours = &b.adjusted.as_ref().unwrap().result.as_ref().unwrap()[0];
    close(ours.estimate, fit.ratios[1].estimate, "adjusted OR");
    close(ours.ci.lower, fit.ratios[1].ci.lower, "adjusted OR lower");
    close(ours.p_value.unwrap(), fit.coefficients[1].p_value, "adjusted p");

    // Dose: the odds ratio per contact, adjusted for arm.
    let contacts: Vec<f64> =
        rows.iter().map(|r| f64::from(table.rows[r.0].dose.total.contacts)).collect();
    let arm = indicator(rows.iter().map(|r| r.1 == 1));
    let y = indicator(rows.iter().map(|r| matches!(r.2, Observation::Binary { value: true })));
    let design = Design::from_columns(&[&arm, &contacts], true).unwrap();
    let fit = logistic(&design, &y, &GlmOptions::default()).unwrap();
    let dose = result.outcomes[0].dose_response[0].result.as_ref().unwrap();
    assert_eq!(dose.dose, "contacts in total");
    close(dose.effect.estimate, fit.ratios[2].estimate, "OR per contact");
    close(dose.effect.ci.upper, fit.ratios[2].ci.upper, "OR per contact upper");

    // By whom: GEE (binomial) with the coach as the cluster, among the coached (peer arm).
    let coached: Vec<_> = rows.iter().filter(|r| table.rows[r.0].coach.is_some()).collect();
    let coach = |r: &&(usize, usize, &Observation)| table.rows[r.0].coach.clone().unwrap();
    let years: Vec<f64> =
        coached.iter().map(|r| coach(r).months_in_recovery.unwrap() / 12.0).collect();
    let certified = indicator(coached.iter().map(|r| coach(r).certified.unwrap()));
    let hours: Vec<f64> = coached.iter().map(|r| coach(r).training_hours.unwrap() / 10.0).collect();
    let keys: Vec<String> = coached.iter().map(|r| coach(r).key).collect();
    let y = indicator(coached.iter().map(|r| matches!(r.2, Observation::Binary { value: true })));
    let design = Design::from_columns(&[&years, &certified, &hours], true).unwrap();
    let fit = gee_exchangeable(&design, &y, &keys, GeeFamily::Binomial, LEVEL).unwrap();
    let ours = result.outcomes[0].by_coach.result.as_ref().unwrap();
    assert_eq!(ours.coaches, 50);
    for (effect, coefficient) in ours.qualifications.iter().zip(&fit.coefficients[1..]) {
        close(effect.estimate, coefficient.estimate.exp(), "coach OR");
        close(effect.ci.lower, coefficient.ci.lower.exp(), "coach OR lower");
    }
}

#[test]
fn change_figures_are_the_statistics_crates() {
    let (table, result) = study(StudyDesign::Randomised);
    let rows = observed(&table, 1);
    let pairs = |arm: usize| -> (Vec<f64>, Vec<f64>) {
        rows.iter()
            .filter(|r| r.1 == arm)
            .map(|r| match r.2 {
                Observation::Change { baseline, follow_up } => (*follow_up, *baseline),
                _ => panic!(),
            })
            .unzip()
    };
    let Comparison::Continuous(c) = &result.outcomes[1].comparison else { panic!() };
    let ((f1, b1), (f0, b0)) = (pairs(1), pairs(0));
    let change =
        |f: &[f64], b: &[f64]| -> Vec<f64> { f.iter().zip(b).map(|(f, b)| f - b).collect() };
    let welch = welch_t_test(&change(&f1, &b1), &change(&f0, &b0), LEVEL).unwrap();
    let ours = c.comparisons[0].welch.result.as_ref().unwrap();
    close(ours.difference.estimate, welch.mean_difference, "Welch difference");
    close(ours.difference.ci.lower, welch.interval.lower, "Welch lower");
    close(ours.test.df.unwrap(), welch.df, "Welch df");
    let g = hedges_g(&change(&f1, &b1), &change(&f0, &b0), LEVEL).unwrap();
    close(c.comparisons[0].hedges_g.result.as_ref().unwrap().estimate, g.estimate, "g");

    // ANCOVA: follow-up on arm and baseline, HC1.
    let arm = indicator(rows.iter().map(|r| r.1 == 1));
    let (follow, base): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .map(|r| match r.2 {
            Observation::Change { baseline, follow_up } => (*follow_up, *baseline),
            _ => panic!(),
        })
        .unzip();
    let design = Design::from_columns(&[&arm, &base], true).unwrap();
    let fit = ols(&design, &follow, None, Covariance::Hc1, LEVEL).unwrap();
    let ancova = c.comparisons[0].ancova.as_ref().unwrap().result.as_ref().unwrap();
    close(ancova.estimate, fit.coefficients[1].estimate, "ANCOVA");
    close(ancova.ci.upper, fit.coefficients[1].ci.upper, "ANCOVA upper");

    // Pre-post within the peer-support arm.
    let pre_post = c.pre_post[1].result.as_ref().unwrap();
    let t = paired_t_test(&f1, &b1, LEVEL).unwrap();
    close(pre_post.mean_change.estimate, t.mean_difference, "mean change");
    close(pre_post.mean_change.ci.lower, t.interval.lower, "mean change lower");
    let w = wilcoxon_signed_rank(&f1, &b1, RankMethod::Auto).unwrap();
    close(pre_post.wilcoxon.as_ref().unwrap().p_value, w.p_value, "Wilcoxon p");
    close(pre_post.d_z.estimate, cohens_dz(&f1, &b1, LEVEL).unwrap().estimate, "d_z");
    close(
        pre_post.hedges_g.as_ref().unwrap().estimate,
        hedges_g(&f1, &b1, LEVEL).unwrap().estimate,
        "g",
    );
    assert_eq!(pre_post.primary_test, "paired_t");
}

#[test]
fn survival_figures_are_the_statistics_crates() {
    let (table, result) = study(StudyDesign::Randomised);
    let rows = observed(&table, 2);
    let (days, events): (Vec<f64>, Vec<bool>) = rows
        .iter()
        .map(|r| match r.2 {
            Observation::TimeToEvent { days, event } => (*days, *event),
            _ => panic!(),
        })
        .unzip();
    let arms: Vec<usize> = rows.iter().map(|r| r.1).collect();
    let Comparison::TimeToEvent(s) = &result.outcomes[2].comparison else { panic!() };
    for arm in 0..2 {
        let (t, e): (Vec<f64>, Vec<bool>) =
            (0..days.len()).filter(|&i| arms[i] == arm).map(|i| (days[i], events[i])).unzip();
        let km = kaplan_meier(&t, &e, LEVEL).unwrap();
        let curve = s.arms[arm].result.as_ref().unwrap();
        let steps: Vec<_> = km.steps.iter().filter(|s| s.events > 0).collect();
        for (point, step) in curve.points[1..].iter().zip(&steps) {
            assert_eq!((point.time, point.at_risk), (step.time, step.at_risk));
            close(point.survival, step.survival, "KM");
            close(point.lower, step.lower, "KM lower");
        }
        assert_eq!(curve.median.estimate, km.median.estimate);
    }
    let log_rank = log_rank_test(&days, &events, &arms, None).unwrap();
    close(
        s.log_rank.as_ref().unwrap().result.as_ref().unwrap().statistic.unwrap(),
        log_rank.test.statistic,
        "log-rank",
    );
    let arm = indicator(arms.iter().map(|&a| a == 1));
    let fit = cox_ph(&days, &events, &[&arm], Ties::Efron, LEVEL).unwrap();
    let ph = proportional_hazards_test(&fit, &days, &events, &[&arm], TimeTransform::Km).unwrap();
    let cox = s.cox.as_ref().unwrap().result.as_ref().unwrap();
    close(cox.hazard_ratios[0].estimate, fit.coefficients[0].hazard_ratio, "HR");
    close(
        cox.hazard_ratios[0].ci.lower,
        fit.coefficients[0].hazard_ratio_interval.lower,
        "HR lower",
    );
    close(cox.proportional_hazards_global.p_value, ph.global.p_value, "Schoenfeld");
}

#[test]
fn count_and_repeated_figures_are_the_statistics_crates() {
    let (table, result) = study(StudyDesign::Randomised);
    let rows: Vec<_> = observed(&table, 3)
        .into_iter()
        .filter(|r| matches!(r.2, Observation::Count { exposure_days, .. } if *exposure_days > 0.0))
        .collect();
    let (y, offset): (Vec<f64>, Vec<f64>) = rows
        .iter()
        .map(|r| match r.2 {
            Observation::Count { events, exposure_days } => (*events, exposure_days.ln()),
            _ => panic!(),
        })
        .unzip();
    let arm = indicator(rows.iter().map(|r| r.1 == 1));
    let options = GlmOptions {
        offset: Some(&offset),
        covariance: GlmCovariance::Robust,
        ..GlmOptions::default()
    };
    let fit = poisson(&Design::from_columns(&[&arm], true).unwrap(), &y, &options).unwrap();
    let Comparison::Count(c) = &result.outcomes[3].comparison else { panic!() };
    let rr = &c.rate_ratios.as_ref().unwrap().result.as_ref().unwrap()[0];
    close(rr.estimate, fit.ratios[1].estimate, "rate ratio");
    close(rr.ci.upper, fit.ratios[1].ci.upper, "rate ratio upper");

    // Repeated: GEE on arm and time-point indicators, participants as clusters.
    let (mut y, mut ids, mut arm, mut times) = (vec![], vec![], vec![], vec![vec![]; 3]);
    for r in observed(&table, 4) {
        let Observation::Repeated { points } = r.2 else { panic!() };
        for point in points {
            y.push(point.value);
            ids.push(r.0);
            arm.push(f64::from(u8::from(r.1 == 1)));
            for (t, column) in times.iter_mut().enumerate() {
                column.push(f64::from(u8::from(point.position == t + 1)));
            }
        }
    }
    let design = Design::from_columns(&[&arm, &times[0], &times[1], &times[2]], true).unwrap();
    let fit = gee_exchangeable(&design, &y, &ids, GeeFamily::Gaussian, LEVEL).unwrap();
    let Comparison::Repeated(rep) = &result.outcomes[4].comparison else { panic!() };
    let main = rep.main.result.as_ref().unwrap();
    close(main.arm_effects[0].estimate, fit.coefficients[1].estimate, "GEE arm");
    close(main.arm_effects[0].ci.lower, fit.coefficients[1].ci.lower, "GEE arm lower");
    close(main.time_effects[2].estimate, fit.coefficients[4].estimate, "GEE 12m");
}

#[test]
fn the_cost_bootstrap_pairs_each_resamples_cost_with_its_outcome() {
    let (table, mut request) = common::full_study(500, 3, common::Plant::default());
    request.bootstrap.replicates = 400;
    let result = analyse(&table, &request).unwrap();
    let rows: Vec<_> =
        observed(&table, 0).into_iter().filter(|r| table.rows[r.0].cost_cents.is_some()).collect();
    let strata: Vec<usize> = rows.iter().map(|r| r.1).collect();
    let cost: Vec<f64> = rows.iter().map(|r| table.rows[r.0].cost_cents.unwrap() as f64).collect();
    let good: Vec<f64> =
        indicator(rows.iter().map(|r| matches!(r.2, Observation::Binary { value: true })));
    let difference = |values: &[f64], indices: &[usize]| {
        let (mut sum, mut n) = ([0.0; 2], [0.0; 2]);
        for &i in indices {
            sum[strata[i]] += values[i];
            n[strata[i]] += 1.0;
        }
        sum[1] / n[1] - sum[0] / n[0]
    };
    let options = BootstrapOptions { resamples: 400, seed: request.bootstrap.seed, level: LEVEL };
    // Run separately, the same seed draws the same resamples: the engine's single pass must
    // give each interval exactly.
    let costs = bootstrap_stratified(&strata, options, |ix| difference(&cost, ix)).unwrap();
    let goods = bootstrap_stratified(&strata, options, |ix| difference(&good, ix)).unwrap();
    let ours = result.cost.unwrap().incremental[0].result.clone().unwrap();
    close(ours.cost_difference_cents.estimate, costs.estimate, "Δcost");
    close(ours.cost_difference_cents.ci.lower, costs.percentile.lower, "Δcost lower");
    close(ours.cost_difference_cents.ci.upper, costs.percentile.upper, "Δcost upper");
    let bca = ours.cost_difference_cents.bca.unwrap();
    assert!((bca.lower - costs.bca.interval.lower).abs() <= 1e-9 * costs.estimate.abs());
    close(ours.good_outcome_difference.ci.lower, goods.percentile.lower, "Δgood lower");
    let ratios: Vec<f64> =
        costs.replicates.iter().zip(&goods.replicates).map(|(c, g)| c / g).collect();
    if let Some(icer) = ours.icer_cents {
        close(icer.estimate, costs.estimate / goods.estimate, "ICER");
        let ci = kindred_stats::bootstrap::percentile_interval(&ratios, LEVEL).unwrap();
        if goods.replicates.iter().all(|g| *g > 0.0) {
            close(icer.ci.lower, ci.lower, "ICER lower");
        }
    }
}

#[test]
fn propensity_weighting_is_the_statistics_crates() {
    let (table, result) = study(StudyDesign::QuasiExperimental);
    let complete: Vec<usize> = (0..table.rows.len())
        .filter(|&i| table.rows[i].covariates.iter().all(Option::is_some))
        .collect();
    let treated: Vec<bool> = complete.iter().map(|&i| table.rows[i].arm == 1).collect();
    let columns: Vec<Vec<f64>> = (0..table.covariates.len())
        .map(|c| complete.iter().map(|&i| table.rows[i].covariates[c].unwrap()).collect())
        .collect();
    let slices: Vec<&[f64]> = columns.iter().map(Vec::as_slice).collect();
    let design = Design::from_columns(&slices, true).unwrap();
    let scores = propensity_scores(&design, &treated, LEVEL).unwrap().scores;
    let weights = ipw_weights(&scores, &treated, Estimand::Ate, true, Trimming::None).unwrap();
    let ours = result.propensity[0].model.result.as_ref().unwrap();
    close(ours.effective_size_arm, weights.effective_size_treated, "effective size");
    // The weighted odds ratio of the binary outcome, among those with it observed.
    let keep: Vec<usize> = (0..complete.len())
        .filter(|&k| !table.rows[complete[k]].outcomes[0].is_missing())
        .collect();
    let y = indicator(keep.iter().map(|&k| {
        matches!(table.rows[complete[k]].outcomes[0], Observation::Binary { value: true })
    }));
    let t: Vec<bool> = keep.iter().map(|&k| treated[k]).collect();
    let w: Vec<f64> = keep.iter().map(|&k| weights.weights[k]).collect();
    let fit = weighted_outcome(&y, &t, &w, None, OutcomeModel::Logistic, LEVEL).unwrap();
    let weighted = result.outcomes[0].weighted[0].result.as_ref().unwrap();
    close(weighted.estimate, fit.odds_ratio.as_ref().unwrap().estimate, "weighted OR");
    close(weighted.ci.lower, fit.odds_ratio.as_ref().unwrap().ci.lower, "weighted OR lower");
}
