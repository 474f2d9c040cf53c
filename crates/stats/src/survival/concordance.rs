//! Harrell's concordance index in O(n log n), with lifelines' handling of ties and censoring.

use super::check_times;
use crate::StatsError;
use crate::validate::{all_finite, same_length};

/// Harrell's C and the pair counts behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concordance {
    /// (concordant + tied/2) / comparable.
    pub index: f64,
    /// Comparable pairs ordered the same way by the scores and the times.
    pub concordant: u64,
    /// Comparable pairs with equal scores.
    pub tied: u64,
    /// Comparable pairs.
    pub comparable: u64,
}

/// Harrell's C (Harrell, Lee & Mark 1996) for `scores` that predict survival *times* (higher
/// score = longer expected survival; pass −(linear predictor) for a Cox model), as lifelines'
/// `concordance_index`.
///
/// A pair is comparable when the one who left first had the event: an event at t against
/// anyone (event or censored) still under observation after t, and an event against a
/// censoring at the same t; two events at the same time are not compared. Tied scores count
/// one half.
///
/// Algorithm: sweep the distinct times upward keeping the scores of earlier events in a
/// Fenwick tree over their ranks; each subject is compared with the whole tree at once by two
/// prefix counts (lifelines' `_concordance_summary_statistics`, with a Fenwick tree in place of
/// its balanced tree).
pub fn concordance_index(
    times: &[f64],
    scores: &[f64],
    events: &[bool],
) -> Result<Concordance, StatsError> {
    check_times(times, events)?;
    same_length("times and scores", times.len(), scores.len())?;
    all_finite("scores", scores)?;
    let mut died: Vec<(f64, f64)> = Vec::new();
    let mut censored: Vec<(f64, f64)> = Vec::new();
    for ((&t, &s), &e) in times.iter().zip(scores).zip(events) {
        if e { died.push((t, s)) } else { censored.push((t, s)) }
    }
    died.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    censored.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut ranks: Vec<f64> = died.iter().map(|d| d.1).collect();
    ranks.sort_unstable_by(f64::total_cmp);
    ranks.dedup();
    let mut pool = Fenwick::new(ranks.len());
    let (mut concordant, mut tied, mut comparable) = (0_u64, 0_u64, 0_u64);
    let (mut d, mut c) = (0, 0);
    loop {
        let next_death = died.get(d).map(|x| x.0);
        let next_censoring = censored.get(c).map(|x| x.0);
        // Events at a time are handled before censorings at that time, so an event and a
        // censoring at the same time form a comparable pair.
        let (batch, is_death) = match (next_death, next_censoring) {
            (Some(td), Some(tc)) if tc < td => (&censored[c..], false),
            (Some(_), _) => (&died[d..], true),
            (None, Some(_)) => (&censored[c..], false),
            (None, None) => break,
        };
        let time = batch[0].0;
        let len = batch.partition_point(|x| x.0 == time);
        for &(_, score) in &batch[..len] {
            let position = ranks.partition_point(|&r| r < score);
            let less = pool.prefix(position);
            let equal = if ranks.get(position) == Some(&score) {
                pool.prefix(position + 1) - less
            } else {
                0
            };
            concordant += less;
            tied += equal;
            comparable += pool.total;
        }
        if is_death {
            for &(_, score) in &batch[..len] {
                pool.add(ranks.partition_point(|&r| r < score));
            }
            d += len;
        } else {
            c += len;
        }
    }
    if comparable == 0 {
        return Err(StatsError::Undefined(
            "no comparable pairs: concordance needs an event before some other exit".into(),
        ));
    }
    let index = (concordant as f64 + tied as f64 / 2.0) / comparable as f64;
    Ok(Concordance { index, concordant, tied, comparable })
}

/// A Fenwick (binary indexed) tree counting inserted ranks.
struct Fenwick {
    tree: Vec<u64>,
    total: u64,
}

impl Fenwick {
    fn new(size: usize) -> Self {
        Self { tree: vec![0; size + 1], total: 0 }
    }

    /// Inserts rank `position` (0-based).
    fn add(&mut self, position: usize) {
        let mut i = position + 1;
        while let Some(slot) = self.tree.get_mut(i) {
            *slot += 1;
            i += i & i.wrapping_neg();
        }
        self.total += 1;
    }

    /// How many inserted ranks are below `end` (0-based, exclusive).
    fn prefix(&self, end: usize) -> u64 {
        let mut i = end.min(self.tree.len().saturating_sub(1));
        let mut sum = 0;
        while i > 0 {
            sum += self.tree[i];
            i -= i & i.wrapping_neg();
        }
        sum
    }
}
