"""Reference values for the propensity-score pipeline.

Writes tests/fixtures/propensity.json. No library runs the whole pipeline, so each step is
computed here from its published definition with statsmodels or numpy, and the Rust code,
which runs the pipeline from the raw data, must reproduce every step:

- propensity scores: `Logit(treatment, add_constant(X)).fit(method="newton", tol=1e-12)`
  fitted probabilities;
- weights: the ATE/ATT formulas (stabilised or not) in numpy, truncated at `np.percentile`
  (linear interpolation) or at a cap; Kish's effective sample size;
- balance: unweighted SMD with the pooled sample SD (`np.var(ddof=1)`), weighted SMD with
  `np.average` means and `np.cov(aweights=w)` variances, and variance ratios;
- outcome models: `WLS(y, [1, T, (X)], weights=w).fit(cov_type="HC1")` and
  `GLM(y, [1, T, (X)], family=Binomial(), var_weights=w).fit(cov_type="HC0")`.

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import sys
from pathlib import Path

import numpy as np
import statsmodels.api as sm

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260420)
NAMES = ["age", "female", "prior_episodes", "severity"]


def write(name, payload):
    path = OUT / name
    path.write_text(json.dumps(payload, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")


def floats(values):
    return [float(v) for v in np.asarray(values).ravel()]


def cohort(n):
    """Participants who chose peer recovery support (treatment) or not, with two outcomes."""
    age = rng.uniform(18, 65, n)
    female = rng.integers(0, 2, n).astype(float)
    prior = rng.poisson(1.5, n).astype(float)
    severity = rng.normal(size=n)
    x = np.column_stack([age, female, prior, severity])
    eta = -1.0 + 0.02 * (age - 40) + 0.5 * female + 0.3 * prior + 0.6 * severity
    t = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    days = 60 + 8 * t - 0.2 * (age - 40) - 5 * severity + rng.normal(scale=12, size=n)
    recovered = (rng.uniform(size=n) <
                 1 / (1 + np.exp(-(-0.3 + 0.5 * t - 0.4 * severity)))).astype(float)
    return x, t, days, recovered


def weights_for(e, t, estimand, stabilized, trimming):
    share = t.mean()
    if estimand == "ate":
        w = np.where(t == 1, 1 / e, 1 / (1 - e))
        if stabilized:
            w = w * np.where(t == 1, share, 1 - share)
    else:
        w = np.where(t == 1, 1.0, e / (1 - e))
        if stabilized:
            w = np.where(t == 1, w, w * (1 - share) / share)
    if trimming is None:
        low, high = -np.inf, np.inf
    elif trimming["kind"] == "percentiles":
        low, high = np.percentile(w, [trimming["lower"], trimming["upper"]])
    else:
        low, high = -np.inf, trimming["cap"]
    clipped = np.clip(w, low, high)
    return clipped, int(np.sum(clipped != w))


def kish(w):
    return float(w.sum() ** 2 / (w ** 2).sum())


def balance(x, t, w):
    rows = []
    for j, name in enumerate(NAMES):
        x1, x0 = x[t == 1, j], x[t == 0, j]
        w1, w0 = w[t == 1], w[t == 0]
        v1, v0 = np.var(x1, ddof=1), np.var(x0, ddof=1)
        m1w, m0w = np.average(x1, weights=w1), np.average(x0, weights=w0)
        v1w, v0w = np.cov(x1, aweights=w1), np.cov(x0, aweights=w0)
        rows.append({
            "name": name, "mean_treated": float(x1.mean()), "mean_control": float(x0.mean()),
            "smd": float((x1.mean() - x0.mean()) / np.sqrt((v1 + v0) / 2)),
            "variance_ratio": float(v1 / v0),
            "weighted_mean_treated": float(m1w), "weighted_mean_control": float(m0w),
            "weighted_smd": float((m1w - m0w) / np.sqrt((v1w + v0w) / 2)),
            "weighted_variance_ratio": float(v1w / v0w),
        })
    return rows


def effect(res, level, j=1):
    ci = np.asarray(res.conf_int(alpha=1 - level))
    return {"estimate": float(res.params[j]), "std_error": float(res.bse[j]),
            "statistic": float(res.tvalues[j]), "p_value": float(res.pvalues[j]),
            "ci": [float(ci[j, 0]), float(ci[j, 1])]}


def outcome_models(x, t, days, recovered, w, level):
    plain = sm.add_constant(t)
    adjusted = np.column_stack([np.ones(len(t)), t, x])
    out = {}
    for label, X in (("unadjusted", plain), ("adjusted", adjusted)):
        out[f"linear_{label}"] = effect(sm.WLS(days, X, weights=w).fit(cov_type="HC1"), level)
        glm = sm.GLM(recovered, X, family=sm.families.Binomial(), var_weights=w).fit(
            cov_type="HC0", tol=1e-13, maxiter=200)
        out[f"logistic_{label}"] = effect(glm, level)
    # The unadjusted linear effect is the weighted difference in means.
    dm = np.average(days[t == 1], weights=w[t == 1]) - np.average(days[t == 0], weights=w[t == 0])
    assert abs(dm - out["linear_unadjusted"]["estimate"]) < 1e-9 * abs(dm)
    return out


def case(name, n, estimand, stabilized, trimming, level=0.95):
    x, t, days, recovered = cohort(n)
    X = sm.add_constant(x)
    ps = sm.Logit(t, X).fit(method="newton", tol=1e-12, maxiter=100, disp=0)
    assert ps.mle_retvals["converged"], name
    e = ps.predict()
    w, truncated = weights_for(e, t, estimand, stabilized, trimming)
    return {
        "name": name, "x": floats(x), "treatment": [bool(v) for v in t],
        "days": floats(days), "recovered": floats(recovered),
        "estimand": estimand, "stabilized": stabilized, "trimming": trimming, "level": level,
        "expected": {
            "propensity_coefficients": floats(ps.params),
            "propensity_std_errors": floats(ps.bse),
            "scores": floats(e), "weights": floats(w), "truncated": truncated,
            "effective_size_treated": kish(w[t == 1]),
            "effective_size_control": kish(w[t == 0]),
            "balance": balance(x, t, w),
            "effects": outcome_models(x, t, days, recovered, w, level),
        },
    }


def error_cases():
    x, t, _, _ = cohort(50)
    separated = x.copy()
    separated[:, 3] = np.where(t == 1, 1.0, -1.0) + 0.1 * rng.normal(size=50)
    return [
        {"name": "no_overlap", "x": floats(separated), "treatment": [bool(v) for v in t],
         "error": "Separation"},
        {"name": "everyone_treated", "x": floats(x), "treatment": [True] * 50,
         "error": "Empty"},
    ]


if __name__ == "__main__":
    write("propensity.json", {
        "source": "statsmodels " + sm.__version__ + ", numpy " + np.__version__,
        "names": NAMES,
        "cases": [
            case("ate_stabilized_percentiles", 600, "ate", True, {"kind": "percentiles", "lower": 1.0, "upper": 99.0}),
            case("att_cap", 600, "att", False, {"kind": "cap", "cap": 2.0}),
            case("ate_plain", 400, "ate", False, None, level=0.90),
            case("att_stabilized", 400, "att", True, None),
            case("ate_small_percentiles", 80, "ate", True, {"kind": "percentiles", "lower": 5.0, "upper": 95.0}),
        ],
        "errors": error_cases(),
    })
