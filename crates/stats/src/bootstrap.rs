//! Seeded bootstrap confidence intervals, percentile and BCa, for any statistic.
//!
//! Two entry points resample; two pure functions turn replicates into intervals:
//! - [`bootstrap`] resamples one sample of values;
//! - [`bootstrap_stratified`] resamples participant indices within strata (e.g. within arm,
//!   for an incremental cost per additional good outcome), so each resample keeps every
//!   arm's size — what scipy's `bootstrap` does with one data set per arm;
//! - [`percentile_interval`] and [`bca_interval`] compute the interval from given
//!   replicates and jackknife values, exactly as scipy's `bootstrap` does
//!   (`scipy/stats/_resampling.py`), so that arithmetic is tested to 1e-6 against it.
//!
//! Resamples come from ChaCha20 keyed by the seed (its 8 little-endian bytes followed by 24
//! zero bytes, stream 0), with indices drawn by the rejection rule of
//! [`crate::allocation`]: the same seed gives the same interval on every platform.

use rand_chacha::ChaCha20Rng;
use rand_chacha::rand_core::SeedableRng;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::allocation::uniform_below;
use crate::interval::check_level;
use crate::validate::finite_sample;
use crate::{Interval, StatsError};

/// How many resamples, from which seed, at which confidence level.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    pub resamples: usize,
    pub seed: u64,
    pub level: f64,
}

/// A BCa interval with the quantities behind it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BcaInterval {
    pub interval: Interval,
    /// Bias correction ẑ₀ = Φ⁻¹(share of replicates below the estimate, ties counting ½).
    pub bias_correction: f64,
    /// Acceleration â from the jackknife.
    pub acceleration: f64,
    /// The adjusted quantile levels used for the lower and upper bounds.
    pub quantile_levels: (f64, f64),
}

/// Bootstrap intervals for one statistic.
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapResult {
    /// The statistic on the original data.
    pub estimate: f64,
    /// SD of the replicates (n − 1 denominator, as scipy).
    pub standard_error: f64,
    pub percentile: Interval,
    pub bca: BcaInterval,
    /// The bootstrap replicates, in the order drawn.
    pub replicates: Vec<f64>,
}

/// The percentile interval: the (1−level)/2 and (1+level)/2 quantiles of the replicates,
/// interpolating linearly between order statistics (Hyndman & Fan type 7, numpy's and
/// scipy's default).
pub fn percentile_interval(replicates: &[f64], level: f64) -> Result<Interval, StatsError> {
    check_level(level)?;
    let sorted = sorted_replicates(replicates)?;
    let alpha = (1.0 - level) / 2.0;
    Ok(Interval { lower: quantile(&sorted, alpha), upper: quantile(&sorted, 1.0 - alpha) })
}

/// The BCa interval (Efron 1987; Efron & Tibshirani 1993, §14.3 and eq. 14.15, 15.36).
///
/// ẑ₀ = Φ⁻¹((#{θ* < θ̂} + #{θ* ≤ θ̂}) / 2B). `jackknife` holds one slice of leave-one-out
/// values per independently resampled group (one slice for a single sample); with
/// Uᵢ = (n−1)(θ̄₍.₎ − θ₍ᵢ₎) per group, â = Σ_groups ΣUᵢ³/n³ / (6 (Σ_groups ΣUᵢ²/n²)^{3/2}).
/// The bounds are the quantiles at Φ(ẑ₀ + (ẑ₀ + z_α)/(1 − â(ẑ₀ + z_α))) for z_α = Φ⁻¹(α) and
/// Φ⁻¹(1 − α), α = (1 − level)/2.
///
/// Refuses an estimate outside the replicates (ẑ₀ infinite) and jackknife values that are all
/// equal (no acceleration can be estimated).
pub fn bca_interval(
    estimate: f64,
    replicates: &[f64],
    jackknife: &[&[f64]],
    level: f64,
) -> Result<BcaInterval, StatsError> {
    check_level(level)?;
    let sorted = sorted_replicates(replicates)?;
    let below = sorted.partition_point(|&r| r < estimate);
    let at_or_below = sorted.partition_point(|&r| r <= estimate);
    let share = (below + at_or_below) as f64 / (2 * sorted.len()) as f64;
    if share <= 0.0 || share >= 1.0 {
        return Err(StatsError::Undefined(
            "the estimate lies outside every bootstrap replicate, so BCa's bias correction is \
             infinite"
                .into(),
        ));
    }
    let normal = Normal::standard();
    let z0 = normal.inverse_cdf(share);
    let (mut cubes, mut squares) = (0.0, 0.0);
    for group in jackknife {
        finite_sample("jackknife values", group)?;
        let n = group.len() as f64;
        let mean = group.iter().sum::<f64>() / n;
        for value in group.iter() {
            let u = (n - 1.0) * (mean - value);
            cubes += u.powi(3) / n.powi(3);
            squares += u * u / (n * n);
        }
    }
    if jackknife.is_empty() || squares == 0.0 {
        return Err(StatsError::Undefined(
            "the jackknife values do not vary, so BCa's acceleration is undefined".into(),
        ));
    }
    let acceleration = cubes / squares.powf(1.5) / 6.0;
    let alpha = (1.0 - level) / 2.0;
    let adjusted = |z_alpha: f64| {
        let num = z0 + z_alpha;
        normal.cdf(z0 + num / (1.0 - acceleration * num))
    };
    let z_alpha = normal.inverse_cdf(alpha);
    let (low_level, high_level) = (adjusted(z_alpha), adjusted(-z_alpha));
    Ok(BcaInterval {
        interval: Interval {
            lower: quantile(&sorted, low_level),
            upper: quantile(&sorted, high_level),
        },
        bias_correction: z0,
        acceleration,
        quantile_levels: (low_level, high_level),
    })
}

/// Bootstrap of a statistic of one sample: `statistic` receives a resampled copy of `data`.
pub fn bootstrap<F>(
    data: &[f64],
    statistic: F,
    options: BootstrapOptions,
) -> Result<BootstrapResult, StatsError>
where
    F: Fn(&[f64]) -> f64,
{
    finite_sample("data", data)?;
    let mut buffer = Vec::with_capacity(data.len());
    bootstrap_stratified(&vec![0; data.len()], options, |indices| {
        buffer.clear();
        buffer.extend(indices.iter().map(|&i| data[i]));
        statistic(&buffer)
    })
}

/// Bootstrap over participants, resampling with replacement *within* each stratum (e.g.
/// within arm), so every resample keeps each stratum's size.
///
/// `strata[i]` is participant i's stratum; `statistic` receives participant indices (into the
/// caller's own data) — a resample, or for the jackknife every participant but one — and may
/// read any columns it needs (cost and outcome, say). The jackknife for BCa leaves out one
/// participant at a time and groups the values by stratum, as scipy does for several samples.
/// Each stratum needs two participants; a non-finite statistic on any resample is refused.
pub fn bootstrap_stratified<F>(
    strata: &[usize],
    options: BootstrapOptions,
    statistic: F,
) -> Result<BootstrapResult, StatsError>
where
    F: FnMut(&[usize]) -> f64,
{
    // The jackknife hands the statistic every participant but one, in the resamples' order
    // (stratum by stratum).
    let all: Vec<usize> = group_members(strata)?.into_iter().flatten().collect();
    let statistic = std::cell::RefCell::new(statistic);
    let mut left_out = Vec::with_capacity(strata.len());
    bootstrap_stratified_with_jackknife(
        strata,
        options,
        |indices| (statistic.borrow_mut())(indices),
        |omit| {
            left_out.clear();
            left_out.extend(all.iter().copied().filter(|&i| i != omit));
            (statistic.borrow_mut())(&left_out)
        },
    )
}

/// [`bootstrap_stratified`] with the jackknife's statistic given directly: `leave_one_out(i)`
/// is the statistic of every participant but `i`. A statistic that is a sum can take the
/// total less one participant, so the jackknife costs O(n) rather than the O(n²) of handing
/// it n index lists of n − 1 (at 10 000 participants, 10⁸ index writes). The jackknife runs
/// stratum by stratum, each stratum's participants in order, after the resamples; the result
/// is the same as [`bootstrap_stratified`]'s for the same statistic.
pub fn bootstrap_stratified_with_jackknife<F, J>(
    strata: &[usize],
    options: BootstrapOptions,
    mut statistic: F,
    mut leave_one_out: J,
) -> Result<BootstrapResult, StatsError>
where
    F: FnMut(&[usize]) -> f64,
    J: FnMut(usize) -> f64,
{
    check_level(options.level)?;
    if options.resamples < 2 {
        return Err(StatsError::TooFew {
            what: "bootstrap resamples",
            needed: 2,
            got: options.resamples,
        });
    }
    let groups = group_members(strata)?;
    let all: Vec<usize> = groups.iter().flatten().copied().collect();
    let estimate = finite(statistic(&all), "the original data")?;

    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&options.seed.to_le_bytes());
    let mut rng = ChaCha20Rng::from_seed(key);
    let mut resample = Vec::with_capacity(all.len());
    let mut replicates = Vec::with_capacity(options.resamples);
    for _ in 0..options.resamples {
        resample.clear();
        for members in &groups {
            for _ in 0..members.len() {
                let pick = uniform_below(&mut rng, members.len() as u64) as usize;
                resample.push(members[pick]);
            }
        }
        replicates.push(finite(statistic(&resample), "a bootstrap resample")?);
    }

    let mut jackknife: Vec<Vec<f64>> = Vec::with_capacity(groups.len());
    for members in &groups {
        let mut values = Vec::with_capacity(members.len());
        for &omit in members {
            values.push(finite(leave_one_out(omit), "a jackknife sample")?);
        }
        jackknife.push(values);
    }
    let jackknife_slices: Vec<&[f64]> = jackknife.iter().map(Vec::as_slice).collect();
    let bca = bca_interval(estimate, &replicates, &jackknife_slices, options.level)?;
    let percentile = percentile_interval(&replicates, options.level)?;
    let b = replicates.len() as f64;
    let mean = replicates.iter().sum::<f64>() / b;
    let standard_error =
        (replicates.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (b - 1.0)).sqrt();
    Ok(BootstrapResult { estimate, standard_error, percentile, bca, replicates })
}

/// Participant indices of each stratum, strata in ascending label order.
fn group_members(strata: &[usize]) -> Result<Vec<Vec<usize>>, StatsError> {
    if strata.is_empty() {
        return Err(StatsError::Empty { what: "bootstrap data" });
    }
    let mut labels = strata.to_vec();
    labels.sort_unstable();
    labels.dedup();
    let mut groups = vec![Vec::new(); labels.len()];
    for (i, s) in strata.iter().enumerate() {
        groups[labels.partition_point(|l| l < s)].push(i);
    }
    if let Some(small) = groups.iter().find(|g| g.len() < 2) {
        return Err(StatsError::TooFew {
            what: "a bootstrap stratum",
            needed: 2,
            got: small.len(),
        });
    }
    Ok(groups)
}

fn finite(value: f64, context: &str) -> Result<f64, StatsError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(StatsError::Undefined(format!("the statistic is {value} on {context}")))
    }
}

fn sorted_replicates(replicates: &[f64]) -> Result<Vec<f64>, StatsError> {
    finite_sample("bootstrap replicates", replicates)?;
    let mut sorted = replicates.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    Ok(sorted)
}

/// Linear-interpolation quantile of sorted, non-empty values (type 7): h = (n − 1)p.
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let (Some(&a), b) = (sorted.get(lo), sorted.get(lo + 1)) else { return f64::NAN };
    b.map_or(a, |&b| a + (h - lo as f64) * (b - a))
}
