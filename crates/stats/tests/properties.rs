//! Properties that must hold for any input: survival curves stay monotone in [0, 1], p-values
//! are probabilities, intervals contain their estimates, row order does not matter, and
//! randomisation balances every completed block and reproduces from its seed.

use kindred_stats::allocation::AllocationScheme;
use kindred_stats::proportions::{
    Table2x2, chi_square_test, clopper_pearson_interval, fisher_exact, odds_ratio, risk_difference,
    risk_ratio, wilson_interval,
};
use kindred_stats::survival::{Ties, cox_ph, kaplan_meier, log_rank_test};
use kindred_stats::two_group::{
    RankMethod, cohens_d, hedges_g, mann_whitney_u, welch_t_test, wilcoxon_signed_rank,
};
use proptest::prelude::*;

/// (time, event, group, covariate 1, covariate 2).
type Row = (f64, bool, usize, f64, f64);
type Columns = (Vec<f64>, Vec<bool>, Vec<usize>, Vec<f64>, Vec<f64>);

/// Rows with times on a coarse grid so ties are common, as they are when follow-up is counted
/// in days.
fn survival_rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(
        (1u32..40, any::<bool>(), 0usize..3, -2.0f64..2.0, 0u8..2)
            .prop_map(|(t, e, g, x, b)| (f64::from(t), e, g, x, f64::from(b))),
        12..max,
    )
}

fn columns(rows: &[Row]) -> Columns {
    let mut out = (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        out.0.push(r.0);
        out.1.push(r.1);
        out.2.push(r.2);
        out.3.push(r.3);
        out.4.push(r.4);
    }
    out
}

fn unit(p: f64) -> bool {
    (0.0..=1.0).contains(&p)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn kaplan_meier_is_monotone_within_unit_interval(rows in survival_rows(80)) {
        let (t, e, ..) = columns(&rows);
        let km = kaplan_meier(&t, &e, 0.95).unwrap();
        let mut previous = 1.0;
        for step in &km.steps {
            prop_assert!(unit(step.survival) && step.survival <= previous);
            prop_assert!(step.lower <= step.survival && step.survival <= step.upper);
            prop_assert!(unit(step.lower) && unit(step.upper));
            previous = step.survival;
        }
    }

    #[test]
    fn log_rank_is_a_probability_and_ignores_row_order(rows in survival_rows(80), seed in any::<u64>()) {
        let (t, e, g, ..) = columns(&rows);
        let Ok(test) = log_rank_test(&t, &e, &g, None) else { return Ok(()) };
        prop_assert!(unit(test.test.p_value));
        let shuffled = shuffle(&rows, seed);
        let (t2, e2, g2, ..) = columns(&shuffled);
        let again = log_rank_test(&t2, &e2, &g2, None).unwrap();
        prop_assert!((again.test.statistic - test.test.statistic).abs() <= 1e-9 * test.test.statistic.abs().max(1.0));
    }

    #[test]
    fn cox_fit_ignores_row_order_and_its_intervals_hold_the_estimate(
        rows in survival_rows(120), seed in any::<u64>(),
    ) {
        let (t, e, _, x1, x2) = columns(&rows);
        let Ok(fit) = cox_ph(&t, &e, &[&x1, &x2], Ties::Efron, 0.95) else { return Ok(()) };
        for c in &fit.coefficients {
            prop_assert!(c.interval.contains(c.coef) && unit(c.p_value));
            prop_assert!(c.hazard_ratio_interval.contains(c.hazard_ratio));
        }
        prop_assert!(unit(fit.likelihood_ratio.p_value) && unit(fit.wald.p_value));
        prop_assert!(fit.concordance.is_none_or(unit));
        let shuffled = shuffle(&rows, seed);
        let (t2, e2, _, y1, y2) = columns(&shuffled);
        let again = cox_ph(&t2, &e2, &[&y1, &y2], Ties::Efron, 0.95).unwrap();
        for (a, b) in fit.coefficients.iter().zip(&again.coefficients) {
            prop_assert!((a.coef - b.coef).abs() <= 1e-8 * a.coef.abs().max(1e-3));
            prop_assert!((a.standard_error - b.standard_error).abs() <= 1e-8 * a.standard_error);
        }
        prop_assert_eq!(fit.concordance, again.concordance);
    }

    #[test]
    fn table_statistics_are_probabilities_and_intervals_hold_estimates(
        a in 0u64..60, b in 0u64..60, c in 0u64..60, d in 0u64..60,
    ) {
        let table = Table2x2::new(a, b, c, d);
        for level in [0.8, 0.95] {
            if let Ok(w) = wilson_interval(a, a + b, level) {
                prop_assert!(w.interval.contains(w.estimate) && unit(w.interval.lower) && unit(w.interval.upper));
            }
            if let Ok(cp) = clopper_pearson_interval(a, a + b, level) {
                prop_assert!(cp.interval.contains(cp.estimate));
            }
            for effect in [risk_difference(&table, level), risk_ratio(&table, level), odds_ratio(&table, level)].into_iter().flatten() {
                prop_assert!(effect.interval.contains(effect.estimate) && unit(effect.p_value));
            }
        }
        for yates in [false, true] {
            if let Ok(chi) = chi_square_test(&table, yates) {
                prop_assert!(unit(chi.p_value));
            }
        }
        if let Ok(f) = fisher_exact(&table) {
            prop_assert!(unit(f.p_value));
        }
    }

    #[test]
    fn two_group_tests_are_probabilities_and_intervals_hold_estimates(
        x in prop::collection::vec(-50.0f64..50.0, 2..30),
        y in prop::collection::vec(-50.0f64..50.0, 2..30),
    ) {
        if let Ok(t) = welch_t_test(&x, &y, 0.95) {
            prop_assert!(unit(t.p_value) && t.interval.contains(t.mean_difference));
        }
        for method in [RankMethod::Auto, RankMethod::Asymptotic { continuity: true }] {
            if let Ok(m) = mann_whitney_u(&x, &y, method) {
                prop_assert!(unit(m.p_value));
            }
        }
        for effect in [cohens_d(&x, &y, 0.9), hedges_g(&x, &y, 0.9)].into_iter().flatten() {
            prop_assert!(effect.interval.contains(effect.estimate));
        }
        let n = x.len().min(y.len());
        if let Ok(w) = wilcoxon_signed_rank(&x[..n], &y[..n], RankMethod::Auto) {
            prop_assert!(unit(w.p_value));
        }
    }

    #[test]
    fn every_completed_block_is_balanced_and_the_seed_reproduces_it(
        seed in any::<[u8; 32]>(),
        ratio_index in 0usize..3,
        stratum in "[a-z]{0,6}",
    ) {
        let (ratios, sizes): (&[u32], &[u32]) = [
            (&[1, 1][..], &[4, 6][..]),
            (&[2, 1][..], &[3, 6][..]),
            (&[1, 2, 1][..], &[4, 8, 12][..]),
        ][ratio_index];
        let scheme = AllocationScheme::new(seed, ratios, sizes).unwrap();
        let sequence: Vec<_> = scheme.sequence(&stratum).take(150).collect();
        let mut start = 0;
        while let Some(first) = sequence.get(start) {
            let size = first.block_size as usize;
            let Some(block) = sequence.get(start..start + size) else { break };
            let total: u32 = ratios.iter().sum();
            for (arm, ratio) in ratios.iter().enumerate() {
                let count = block.iter().filter(|a| a.arm == arm).count() as u32;
                prop_assert_eq!(count, ratio * first.block_size / total);
            }
            start += size;
        }
        let again = AllocationScheme::new(seed, ratios, sizes).unwrap();
        let replay: Vec<_> = again.sequence(&stratum).take(150).collect();
        prop_assert_eq!(&sequence, &replay);
        for position in [0u64, 3, 31, 149] {
            prop_assert_eq!(again.allocate(&stratum, position), sequence[position as usize]);
        }
    }
}

/// A seeded Fisher–Yates shuffle (splitmix64), so failures replay.
fn shuffle<T: Clone>(rows: &[T], seed: u64) -> Vec<T> {
    let mut state = seed;
    let mut next = || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut out = rows.to_vec();
    for i in (1..out.len()).rev() {
        out.swap(i, (next() % (i as u64 + 1)) as usize);
    }
    out
}
