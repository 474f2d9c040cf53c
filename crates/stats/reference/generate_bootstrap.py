"""Reference values for bootstrap confidence intervals.

Writes tests/fixtures/bootstrap.json with two kinds of case:

* "intervals": fixed replicate and jackknife values (drawn here with seeded numpy) and the
  percentile and BCa intervals computed from them with the formulas scipy.stats.bootstrap uses
  (scipy/stats/_resampling.py: `_percentile_of_score`, `_bca_interval`, `stats.quantile` with
  the default 'linear' method). This checks the Rust interval arithmetic exactly.
* "procedures": data sets and scipy.stats.bootstrap's own percentile and BCa intervals. scipy
  draws resamples with numpy's generator and Rust with ChaCha, so these agree only up to Monte
  Carlo error; the Rust test says how loosely and why.

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import sys
from pathlib import Path

import numpy as np
from scipy import special, stats

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260303)
N_RESAMPLES = 9999


def fl(values):
    return [float(v) for v in values]


def intervals_from(estimate, replicates, jackknife, level):
    """Percentile and BCa bounds from given replicates, exactly as scipy computes them."""
    alpha = (1 - level) / 2
    reps = np.asarray(replicates)
    percentile = stats.quantile(reps, np.array([alpha, 1 - alpha]))
    # z0 from the 'mean' percentile of the estimate among the replicates.
    frac = (np.count_nonzero(reps < estimate) + np.count_nonzero(reps <= estimate)) / (2 * len(reps))
    z0 = special.ndtri(frac)
    nums, dens = 0.0, 0.0
    for jk in jackknife:  # one list of leave-one-out values per independently resampled group
        jk = np.asarray(jk)
        n = float(len(jk))
        u = (n - 1) * (jk.mean() - jk)
        nums += np.sum(u**3) / n**3
        dens += np.sum(u**2) / n**2
    a = nums / dens**1.5 / 6
    z_alpha = special.ndtri(alpha)
    num1, num2 = z0 + z_alpha, z0 - z_alpha
    alpha_1 = special.ndtr(z0 + num1 / (1 - a * num1))
    alpha_2 = special.ndtr(z0 + num2 / (1 - a * num2))
    bca = stats.quantile(reps, np.array([alpha_1, alpha_2]))
    return {"percentile": fl(percentile), "bca": fl(bca), "z0": float(z0), "acceleration": float(a),
            "alpha_1": float(alpha_1), "alpha_2": float(alpha_2)}


def interval_cases():
    cases = []
    for b, n_jack, level, groups in ((2000, 40, 0.95, 1), (999, 12, 0.9, 1), (5000, 25, 0.95, 2),
                                     (101, 5, 0.8, 1)):
        reps = rng.gamma(3.0, 2.0, b)
        # Rounded replicates make ties with the estimate, which the z0 'mean' rule handles.
        if b == 999:
            reps = np.round(reps)
        estimate = float(np.round(np.median(reps) * 0.9, 0 if b == 999 else 6))
        jackknife = [fl(rng.normal(estimate, 0.3, n_jack) + rng.gamma(1, 0.2, n_jack))
                     for _ in range(groups)]
        case = {"estimate": estimate, "replicates": fl(reps), "jackknife": jackknife, "level": level}
        case.update(intervals_from(estimate, reps, jackknife, level))
        cases.append(case)
    return cases


def procedure_cases():
    cases = []
    # One sample: the mean of skewed costs, where BCa and percentile differ visibly.
    costs = rng.lognormal(6, 1, 60)
    out = {"name": "mean_of_skewed_costs", "data": fl(costs), "level": 0.95}
    for method in ("percentile", "BCa"):
        r = stats.bootstrap((costs,), np.mean, n_resamples=N_RESAMPLES, method=method,
                            confidence_level=0.95, rng=np.random.default_rng(1))
        out[method.lower()] = [float(r.confidence_interval.low), float(r.confidence_interval.high)]
    out["standard_error"] = float(r.standard_error)
    cases.append(out)

    # Two arms: incremental cost per additional good outcome, resampling participants within arm.
    n0, n1 = 80, 70
    cost0, cost1 = rng.gamma(2, 500, n0), rng.gamma(2, 650, n1)
    good0, good1 = (rng.random(n0) < 0.35).astype(float), (rng.random(n1) < 0.6).astype(float)

    def icer(i0, i1):
        i0, i1 = i0.astype(int), i1.astype(int)
        return (cost1[i1].mean() - cost0[i0].mean()) / (good1[i1].mean() - good0[i0].mean())

    out = {"name": "icer_two_arms", "arm": [0] * n0 + [1] * n1, "cost": fl(np.r_[cost0, cost1]),
           "good_outcome": fl(np.r_[good0, good1]), "level": 0.95}
    for method in ("percentile", "BCa"):
        r = stats.bootstrap((np.arange(n0, dtype=float), np.arange(n1, dtype=float)), icer,
                            vectorized=False, n_resamples=N_RESAMPLES, method=method,
                            confidence_level=0.95, rng=np.random.default_rng(2))
        out[method.lower()] = [float(r.confidence_interval.low), float(r.confidence_interval.high)]
    out["standard_error"] = float(r.standard_error)
    out["estimate"] = float(icer(np.arange(n0), np.arange(n1)))
    cases.append(out)
    return cases


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "bootstrap.json"
    payload = {"n_resamples": N_RESAMPLES, "intervals": interval_cases(), "procedures": procedure_cases()}
    path.write_text(json.dumps(payload, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")
