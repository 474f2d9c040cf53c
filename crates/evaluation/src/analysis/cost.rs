//! Cost: per participant, per contact and per good outcome in each arm, and the incremental
//! cost per additional good outcome (the ICER) with a seeded bootstrap stratified by arm.
//!
//! One resampling pass serves the three intervals — the cost difference, the difference in
//! good outcomes and their ratio — because each resample must pair its cost difference with
//! its own outcome difference for the ratio to mean anything (Briggs, Wonderling & Mooney
//! 1997). The statistics crate resamples and returns the outcome difference; the cost
//! difference of the same resample is recorded beside it.

use std::cell::RefCell;

use kindred_stats::bootstrap::{
    BootstrapOptions, bca_interval, bootstrap_stratified_with_jackknife, percentile_interval,
};
use serde::Serialize;

use super::data::{OutcomeData, Study, Values};
use super::explain::explain;
use super::request::GoodOutcome;
use super::result::{Analysis, ArmSample, Ci, percent};

/// The cost analyses of a study.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostAnalysis {
    /// Cost per participant and per contact, per arm (everyone whose cost is known).
    pub arms: Vec<Analysis<ArmCost>>,
    /// Cost per good outcome, per arm (everyone with a known cost and outcome).
    pub per_good_outcome: Vec<Analysis<CostPerGoodOutcome>>,
    /// Each compared arm against the reference.
    pub incremental: Vec<Analysis<Incremental>>,
}

/// One arm's costs, in cents.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmCost {
    pub participants: usize,
    pub total_cents: i64,
    pub per_participant_cents: f64,
    pub contacts: u64,
    /// Absent when the arm had no contacts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_contact_cents: Option<f64>,
}

/// One arm's cost per good outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostPerGoodOutcome {
    pub participants: usize,
    pub good_outcomes: usize,
    pub total_cents: i64,
    pub per_good_outcome_cents: f64,
}

/// The incremental cost-effectiveness of one arm against the reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incremental {
    pub comparison: String,
    /// Mean cost per participant, arm minus reference, with its bootstrap percentile CI.
    pub cost_difference_cents: Bootstrapped,
    /// Share with a good outcome, arm minus reference.
    pub good_outcome_difference: Bootstrapped,
    /// Cost per additional good outcome; absent when the outcome difference is 0 or so many
    /// resamples cross 0 that its interval is unbounded (then `icer_reason` says so). When a
    /// few resamples cross, the interval ranks them by angle on the cost-effectiveness plane
    /// and there is no BCa interval.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icer_cents: Option<Bootstrapped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icer_reason: Option<String>,
    /// The result in words.
    pub interpretation: String,
    pub resamples: usize,
    pub seed: u64,
}

/// An estimate with its bootstrap intervals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bootstrapped {
    pub estimate: f64,
    /// Percentile interval.
    pub ci: Ci,
    /// Bias-corrected and accelerated interval, when it can be formed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bca: Option<Ci>,
}

pub(crate) fn analyse(
    study: &Study<'_>,
    good: Option<(&OutcomeData<'_>, GoodOutcome)>,
) -> CostAnalysis {
    let table = study.table;
    let arms = (0..table.arms.len())
        .map(|arm| {
            let members: Vec<usize> = (0..table.rows.len()).filter(|&r| table.rows[r].arm == arm).collect();
            let costed: Vec<usize> = members.iter().copied().filter(|&r| table.rows[r].cost_cents.is_some()).collect();
            let sample = vec![ArmSample {
                arm,
                name: study.arm_name(arm).to_owned(),
                analysed: costed.len(),
                missing: members.len() - costed.len(),
                excluded: 0,
            }];
            let total: i64 = costed.iter().filter_map(|&r| table.rows[r].cost_cents).sum();
            let contacts: u64 = costed.iter().map(|&r| u64::from(table.rows[r].dose.total.contacts)).sum();
            let result = if costed.is_empty() {
                Err(format!("No participant in the {} arm has a cost recorded, so its cost cannot be given.", study.arm_name(arm)))
            } else {
                Ok(ArmCost {
                    participants: costed.len(),
                    total_cents: total,
                    per_participant_cents: total as f64 / costed.len() as f64,
                    contacts,
                    per_contact_cents: (contacts > 0).then(|| total as f64 / contacts as f64),
                })
            };
            Analysis::from_result("total cost over participants and over contacts (cents)".into(), sample, result)
        })
        .collect();
    let Some((data, plan)) = good else {
        return CostAnalysis { arms, per_good_outcome: vec![], incremental: vec![] };
    };
    let Values::Binary(values) = &data.values else {
        return CostAnalysis { arms, per_good_outcome: vec![], incremental: vec![] };
    };
    // Complete cases: a known cost and a known outcome.
    let known: Vec<usize> =
        data.all().into_iter().filter(|&p| table.rows[data.rows[p]].cost_cents.is_some()).collect();
    let cost = |p: usize| table.rows[data.rows[p]].cost_cents.unwrap_or(0) as f64;
    let is_good = |p: usize| values[p] == plan.good_value;
    let per_good_outcome = (0..table.arms.len())
        .map(|arm| {
            let members: Vec<usize> = known.iter().copied().filter(|&p| data.arms[p] == arm).collect();
            let sample = data.sample(study, &[arm], |_| true, &members);
            let goods = members.iter().filter(|&&p| is_good(p)).count();
            let total: i64 = members.iter().map(|&p| cost(p) as i64).sum();
            let name = study.arm_name(arm);
            let result = if members.is_empty() {
                Err(format!("No participant in the {name} arm has both a cost and {} recorded, so the cost per good outcome cannot be given.", data.name))
            } else if goods == 0 {
                Err(format!("No participant in the {name} arm had a good outcome ({}), so the cost per good outcome is unbounded.", data.name))
            } else {
                Ok(CostPerGoodOutcome { participants: members.len(), good_outcomes: goods, total_cents: total, per_good_outcome_cents: total as f64 / goods as f64 })
            };
            Analysis::from_result(format!("total cost over good outcomes ({}), complete cases", data.name), sample, result)
        })
        .collect();
    let incremental = study
        .compared_arms()
        .into_iter()
        .map(|arm| {
            let reference = study.reference();
            let pair: Vec<usize> = known
                .iter()
                .copied()
                .filter(|&p| data.arms[p] == arm || data.arms[p] == reference)
                .collect();
            let sample = data.sample(study, &[arm, reference], |_| true, &pair);
            let method = format!(
                "difference in mean cost, difference in the share with a good outcome ({}), and \
                 their ratio (ICER); {} percentile and BCa intervals from {} bootstrap resamples \
                 of participants within arm (seed {}); complete cases",
                data.name,
                percent(study.level),
                study.request.bootstrap.replicates,
                study.request.bootstrap.seed
            );
            let costs: Vec<f64> = pair.iter().map(|&p| cost(p)).collect();
            let goods: Vec<bool> = pair.iter().map(|&p| is_good(p)).collect();
            let treated: Vec<bool> = pair.iter().map(|&p| data.arms[p] == arm).collect();
            let result = incremental(study, arm, &costs, &goods, &treated);
            Analysis::from_result(method, sample, result)
        })
        .collect();
    CostAnalysis { arms, per_good_outcome, incremental }
}

/// The bootstrap of one comparison: `costs`, `goods` and `treated` per participant.
fn incremental(
    study: &Study<'_>,
    arm: usize,
    costs: &[f64],
    goods: &[bool],
    treated: &[bool],
) -> Result<Incremental, String> {
    let name = study.arm_name(arm);
    let reference = study.arm_name(study.reference());
    for (group, label) in [(true, name), (false, reference)] {
        if treated.iter().filter(|&&t| t == group).count() < 2 {
            return Err(format!(
                "Fewer than two participants in the {label} arm have both a cost and the outcome \
                 recorded, so the incremental cost cannot be bootstrapped."
            ));
        }
    }
    if goods.windows(2).all(|w| w[0] == w[1]) {
        return Err(format!(
            "{} participant in the {name} and {reference} arms had a good outcome, so there is \
             no difference in good outcomes to cost.",
            if goods.first().copied().unwrap_or(false) { "Every" } else { "No" }
        ));
    }
    let n = costs.len();
    let strata: Vec<usize> = treated.iter().map(|&t| usize::from(t)).collect();
    // Each call's cost difference, and for a leave-one-out call the participant left out.
    let recorded: RefCell<Vec<(usize, f64, f64)>> = RefCell::new(Vec::new());
    let sums = |indices: &mut dyn Iterator<Item = usize>| {
        let (mut c, mut g, mut k) = ([0.0; 2], [0.0; 2], [0.0; 2]);
        for i in indices {
            let s = strata[i];
            c[s] += costs[i];
            g[s] += f64::from(u8::from(goods[i]));
            k[s] += 1.0;
        }
        (c, g, k)
    };
    let record = |omitted: usize, (c, g, k): ([f64; 2], [f64; 2], [f64; 2])| {
        let delta_cost = c[1] / k[1] - c[0] / k[0];
        let delta_good = g[1] / k[1] - g[0] / k[0];
        recorded.borrow_mut().push((omitted, delta_cost, delta_good));
        delta_good
    };
    let totals = sums(&mut (0..n));
    let statistic = |indices: &[usize]| record(usize::MAX, sums(&mut indices.iter().copied()));
    // Leaving one participant out is the totals less them: O(1) per call, not a fresh sum.
    let leave_one_out = |omitted: usize| {
        let (mut c, mut g, mut k) = totals;
        let s = strata[omitted];
        c[s] -= costs[omitted];
        g[s] -= f64::from(u8::from(goods[omitted]));
        k[s] -= 1.0;
        record(omitted, (c, g, k))
    };
    let plan = study.request.bootstrap;
    let options =
        BootstrapOptions { resamples: plan.replicates, seed: plan.seed, level: study.level };
    let outcome = bootstrap_stratified_with_jackknife(&strata, options, statistic, leave_one_out)
        .map_err(|e| explain(&e, "the bootstrap of the incremental cost", &[]))?;
    // The first call is the original sample, the next `replicates` the resamples, then one
    // leave-one-out call per participant (the order the crate documents); check that what was
    // recorded lines up with what the crate returned before using it.
    let recorded = recorded.into_inner();
    let (original, rest) = recorded.split_first().ok_or("The bootstrap returned nothing.")?;
    let (resampled, jackknife) = rest.split_at(plan.replicates.min(rest.len()));
    let lined_up = resampled.len() == outcome.replicates.len()
        && resampled.iter().zip(&outcome.replicates).all(|(r, d)| r.2 == *d)
        && jackknife.len() == n
        && jackknife.iter().all(|r| r.0 < n);
    if !lined_up {
        return Err("The bootstrap's resamples could not be paired with their costs.".into());
    }
    let level = study.level;
    let by_arm = |values: &dyn Fn(&(usize, f64, f64)) -> f64| -> [Vec<f64>; 2] {
        let mut groups = [Vec::new(), Vec::new()];
        for r in jackknife {
            groups[strata[r.0]].push(values(r));
        }
        groups
    };
    let bootstrapped =
        |estimate: f64, replicates: &[f64], jack: &[Vec<f64>; 2]| -> Result<Bootstrapped, String> {
            let ci = percentile_interval(replicates, level)
                .map_err(|e| explain(&e, "the interval", &[]))?;
            let slices: Vec<&[f64]> = jack.iter().map(Vec::as_slice).collect();
            let bca = bca_interval(estimate, replicates, &slices, level)
                .ok()
                .map(|b| Ci::from(b.interval));
            Ok(Bootstrapped { estimate, ci: ci.into(), bca })
        };
    let (delta_cost, delta_good) = (original.1, original.2);
    let cost_replicates: Vec<f64> = resampled.iter().map(|r| r.1).collect();
    let cost_difference = bootstrapped(delta_cost, &cost_replicates, &by_arm(&|r| r.1))?;
    let good_difference = Bootstrapped {
        estimate: delta_good,
        ci: outcome.percentile.into(),
        bca: Some(outcome.bca.interval.into()),
    };
    let crossing =
        resampled.iter().filter(|r| r.2 == 0.0 || r.2.signum() != delta_good.signum()).count();
    let ratio = |r: &(usize, f64, f64)| r.1 / r.2;
    let (icer, icer_reason) = if delta_good == 0.0 {
        let reason = format!(
            "The {name} and {reference} arms had the same share of good outcomes, so there is no \
             additional good outcome to cost."
        );
        (None, Some(reason))
    } else if crossing == 0 {
        let replicates: Vec<f64> = resampled.iter().map(ratio).collect();
        (Some(bootstrapped(delta_cost / delta_good, &replicates, &by_arm(&ratio))?), None)
    } else {
        match ranked_interval(resampled, delta_good.signum(), level) {
            Some(ci) => {
                let icer = Bootstrapped { estimate: delta_cost / delta_good, ci, bca: None };
                (Some(icer), None)
            }
            None => {
                let reason = format!(
                    "In {crossing} of {} resamples the {name} arm did not have {} good outcomes \
                     than the {reference} arm, too many for the interval of the cost per \
                     additional good outcome to be bounded; the intervals of the two \
                     differences stand.",
                    resampled.len(),
                    if delta_good > 0.0 { "more" } else { "fewer" }
                );
                (None, Some(reason))
            }
        }
    };
    Ok(Incremental {
        comparison: study.comparison_label(arm),
        interpretation: interpret(name, reference, delta_cost, delta_good),
        cost_difference_cents: cost_difference,
        good_outcome_difference: good_difference,
        icer_cents: icer,
        icer_reason,
        resamples: plan.replicates,
        seed: plan.seed,
    })
}

/// The ICER's percentile interval when some resamples fall on the other side of no
/// difference in good outcomes, where the ratio jumps from +∞ to −∞. The resamples are ranked
/// by their angle on the cost-effectiveness plane: one past that line lies beyond every finite
/// ratio, at +∞ if it costs more and at −∞ if it costs less (Glick et al., *Economic
/// Evaluation in Clinical Trials*, 2nd ed., ch. 7). `None` when a bound lands on an infinite
/// resample, i.e. the interval is unbounded; with fewer than (1 − level)/2 of the resamples
/// across, it never does.
fn ranked_interval(resampled: &[(usize, f64, f64)], side: f64, level: f64) -> Option<Ci> {
    let mut ranked: Vec<f64> = resampled
        .iter()
        .map(|&(_, cost, good)| {
            if good != 0.0 && good.signum() == side {
                cost / good
            } else {
                side * if cost < 0.0 { f64::NEG_INFINITY } else { f64::INFINITY }
            }
        })
        .collect();
    ranked.sort_by(f64::total_cmp);
    // Type-7 quantiles, as the statistics crate's percentile interval.
    let quantile = |p: f64| {
        let h = (ranked.len().checked_sub(1)? as f64) * p;
        let below = h.floor() as usize;
        let (a, b) = (*ranked.get(below)?, *ranked.get(below + 1).unwrap_or(&ranked[below]));
        let value = if h == below as f64 { a } else { a + (h - below as f64) * (b - a) };
        value.is_finite().then_some(value)
    };
    let alpha = (1.0 - level) / 2.0;
    Some(Ci { lower: quantile(alpha)?, upper: quantile(1.0 - alpha)? })
}

/// The cost-effectiveness quadrant in words.
fn interpret(arm: &str, reference: &str, delta_cost: f64, delta_good: f64) -> String {
    let money = |cents: f64| format!("{:.2}", cents.abs() / 100.0);
    let per_100 = format!("{:.1}", delta_good.abs() * 100.0);
    match (delta_cost > 0.0, delta_good > 0.0, delta_good == 0.0) {
        (_, _, true) => format!(
            "{arm} and {reference} had the same share of good outcomes; {arm} cost {} {} per participant.",
            money(delta_cost),
            if delta_cost > 0.0 { "more" } else { "less" }
        ),
        (true, true, false) => format!(
            "{arm} cost {} more per participant and gave {per_100} more good outcomes per 100 participants: {} per additional good outcome.",
            money(delta_cost),
            money(delta_cost / delta_good)
        ),
        (false, true, false) => format!(
            "{arm} cost {} less per participant and gave {per_100} more good outcomes per 100 participants: it dominates {reference}.",
            money(delta_cost)
        ),
        (true, false, false) => format!(
            "{arm} cost {} more per participant and gave {per_100} fewer good outcomes per 100 participants: {reference} dominates it.",
            money(delta_cost)
        ),
        (false, false, false) => format!(
            "{arm} cost {} less per participant and gave {per_100} fewer good outcomes per 100 participants: {} saved per good outcome forgone.",
            money(delta_cost),
            money(delta_cost / delta_good)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resamples_across_no_difference_rank_beyond_every_finite_ratio() {
        // 97 resamples on the estimate's side (ratios 1..97), two past it costing more (+∞)
        // and one past it costing less (−∞).
        let mut resampled: Vec<(usize, f64, f64)> =
            (1..=97).map(|k| (usize::MAX, f64::from(k), 1.0)).collect();
        resampled.extend([
            (usize::MAX, 5.0, -0.1),
            (usize::MAX, 5.0, 0.0),
            (usize::MAX, -5.0, -0.2),
        ]);
        // 100 values: −∞, 1..97, +∞, +∞; type-7 quantiles at h = 99·p.
        let ci = ranked_interval(&resampled, 1.0, 0.9).unwrap();
        assert!((ci.lower - 4.95).abs() < 1e-12, "{ci:?}");
        assert!((ci.upper - (94.0 + 0.05)).abs() < 1e-12, "{ci:?}");
        // At 99 % the upper bound reaches the infinite resamples: unbounded.
        assert!(ranked_interval(&resampled, 1.0, 0.99).is_none());
    }
}
