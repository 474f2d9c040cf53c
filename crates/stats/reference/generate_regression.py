"""Reference values for linear, logistic and Poisson regression.

Writes tests/fixtures/regression.json: every case holds its input data (row-major covariates,
outcome, optional weights and offset) and what statsmodels 0.15 computes from it:

- OLS / WLS: `OLS(y, X).fit(cov_type=...)`, `WLS(y, X, weights=w).fit(cov_type=...)`;
- logistic, unweighted: `Logit(y, X, offset=...).fit(method="newton", tol=1e-12)`, with
  `llnull`, `llr`, `llr_pvalue` for the likelihood-ratio test;
- logistic, weighted: `GLM(y, X, family=Binomial(), var_weights=w).fit(cov_type="HC0")`;
- Poisson: `GLM(y, X, family=Poisson(), offset=..., var_weights=w).fit(...)`, the null model
  refitted here with the same tight tolerance.

The IRLS fits are run to tol=1e-13 on the deviance (statsmodels' default is 1e-8), so that the
reference itself is converged well past the 1e-6 the Rust tests demand.

Degenerate cases hold the data and the StatsError variant the Rust code must return; for
separation the case also records how statsmodels fares (diverging coefficients), as evidence
that the data really are separated.

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import statsmodels.api as sm
from scipy import stats
from scipy.optimize import linprog

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260315)
GLM_TOL = dict(tol=1e-13, maxiter=200)


def write(name, payload):
    path = OUT / name
    # Compact: the inputs are long arrays of floats written at full precision.
    path.write_text(json.dumps(payload, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")


def floats(values):
    return [float(v) for v in np.asarray(values).ravel()]


def design(x, intercept):
    return sm.add_constant(x, has_constant="add") if intercept else x


def coefficient_rows(res, level, names):
    ci = np.asarray(res.conf_int(alpha=1 - level))
    return [
        {
            "name": names[j],
            "estimate": float(res.params[j]),
            "std_error": float(res.bse[j]),
            "statistic": float(res.tvalues[j]),
            "p_value": float(res.pvalues[j]),
            "ci": [float(ci[j, 0]), float(ci[j, 1])],
        }
        for j in range(len(names))
    ]


def all_names(k, intercept, names=None):
    names = names or [f"x{j + 1}" for j in range(k)]
    return (["const"] if intercept else []) + names


def case_inputs(name, x, y, intercept, names=None, weights=None, offset=None):
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    return {
        "name": name,
        "x": floats(x),
        "covariates": int(x.shape[1]),
        "intercept": intercept,
        "names": names,
        "y": floats(y),
        "weights": None if weights is None else floats(weights),
        "offset": None if offset is None else floats(offset),
    }


# ---------------------------------------------------------------------------- OLS / WLS

COV_NAMES = {"classical": "nonrobust", "hc0": "HC0", "hc1": "HC1"}


def ols_case(name, x, y, intercept=True, weights=None, covariance="classical", level=0.95,
             names=None):
    case = case_inputs(name, x, y, intercept, names, weights)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    X = design(x, intercept)
    model = sm.OLS(y, X) if weights is None else sm.WLS(y, X, weights=weights)
    res = model.fit(cov_type=COV_NAMES[covariance])
    has_slopes = X.shape[1] > int(intercept)
    case.update({
        "covariance": covariance,
        "level": level,
        "expected": {
            "coefficients": coefficient_rows(res, level, all_names(x.shape[1], intercept, names)),
            "df_resid": float(res.df_resid),
            "sigma": float(np.sqrt(res.scale)),
            "r_squared": float(res.rsquared),
            "adj_r_squared": float(res.rsquared_adj),
            "f_statistic": float(res.fvalue) if has_slopes else None,
            "f_pvalue": float(res.f_pvalue) if has_slopes else None,
        },
    })
    return case


def ols_cases():
    cases = []
    # Small sample, two covariates; every covariance type and two levels.
    n = 12
    x = rng.normal(size=(n, 2))
    y = 1.0 + 0.8 * x[:, 0] - 0.5 * x[:, 1] + rng.normal(scale=0.7, size=n)
    for cov in ("classical", "hc0", "hc1"):
        for level in (0.95, 0.90):
            cases.append(ols_case(f"small_{cov}_{level}", x, y, covariance=cov, level=level,
                                  names=["age", "dose"]))
    # Heteroscedastic errors, four covariates (one binary).
    n = 200
    x = np.column_stack([rng.normal(size=n), rng.uniform(0, 10, n), rng.integers(0, 2, n),
                         rng.normal(size=n)])
    y = 2 + x @ np.array([0.5, -0.3, 1.2, 0.0]) + rng.normal(size=n) * (0.5 + 0.3 * x[:, 1])
    for cov in ("classical", "hc1"):
        cases.append(ols_case(f"heteroscedastic_{cov}", x, y, covariance=cov, level=0.99))
    # Near-collinear covariates (correlation about 0.9999): identified, but with large SEs.
    n = 80
    x1 = rng.normal(size=n)
    x = np.column_stack([x1, x1 + 0.01 * rng.normal(size=n), rng.normal(size=n)])
    y = 1 + x1 + 0.5 * x[:, 2] + rng.normal(size=n)
    cases.append(ols_case("near_collinear", x, y))
    cases.append(ols_case("near_collinear_hc1", x, y, covariance="hc1"))
    # A calendar-year covariate: large mean, small spread.
    n = 60
    year = rng.integers(2015, 2025, n).astype(float)
    x = np.column_stack([year, rng.normal(size=n)])
    y = 0.2 * (year - 2015) + x[:, 1] + rng.normal(size=n)
    cases.append(ols_case("calendar_year", x, y, covariance="hc1"))
    # No intercept.
    n = 30
    x = rng.normal(size=(n, 2))
    y = 1.5 * x[:, 0] + rng.normal(size=n)
    cases.append(ols_case("no_intercept", x, y, intercept=False))
    cases.append(ols_case("no_intercept_hc0", x, y, intercept=False, covariance="hc0"))
    # Weighted least squares with probability-like weights.
    n = 150
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)])
    y = 1 + 0.7 * x[:, 0] + 0.3 * x[:, 1] + rng.normal(size=n)
    w = rng.uniform(0.2, 5.0, n)
    for cov in ("classical", "hc0", "hc1"):
        cases.append(ols_case(f"weighted_{cov}", x, y, weights=w, covariance=cov))
    return cases


# ---------------------------------------------------------------------------- GLMs

def glm_expected(res, level, names, ll, null_ll, df):
    expected = {
        "coefficients": coefficient_rows(res, level, names),
        "log_likelihood": float(ll),
        "deviance": float(res.deviance) if hasattr(res, "deviance") else float(-2 * ll),
        "lr": None,
    }
    if null_ll is not None:
        stat = 2 * (ll - null_ll)
        expected["lr"] = {"statistic": float(stat), "df": float(df),
                          "p_value": float(stats.chi2.sf(stat, df)),
                          "null_log_likelihood": float(null_ll)}
    return expected


def logistic_case(name, x, y, intercept=True, weights=None, offset=None, covariance="model",
                  level=0.95, names=None):
    case = case_inputs(name, x, y, intercept, names, weights, offset)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    X = design(x, intercept)
    cov_type = "HC0" if covariance == "robust" else "nonrobust"
    labels = all_names(x.shape[1], intercept, names)
    if weights is None:
        # Logit is statsmodels' dedicated binary model; Newton to a 1e-12 parameter change.
        res = sm.Logit(y, X, offset=offset).fit(method="newton", tol=1e-12, maxiter=100,
                                                disp=0, cov_type=cov_type)
        assert res.mle_retvals["converged"], name
        glm = sm.GLM(y, X, family=sm.families.Binomial(), offset=offset).fit(**GLM_TOL)
        assert np.allclose(glm.params, res.params, rtol=1e-9, atol=1e-12), name
        null_ll = res.llnull if intercept and offset is None else None
        if intercept and offset is not None:
            null_ll = sm.GLM(y, np.ones(len(y)), family=sm.families.Binomial(),
                             offset=offset).fit(**GLM_TOL).llf
        expected = glm_expected(res, level, labels, res.llf, null_ll, X.shape[1] - 1)
        expected["deviance"] = float(glm.deviance)
        if offset is None and intercept:
            assert abs(expected["lr"]["statistic"] - res.llr) < 1e-9 * max(1, res.llr)
    else:
        res = sm.GLM(y, X, family=sm.families.Binomial(), var_weights=weights).fit(
            cov_type=cov_type, **GLM_TOL)
        expected = glm_expected(res, level, labels, res.llf, None, None)
    case.update({"family": "binomial", "covariance": covariance, "level": level,
                 "expected": expected})
    return case


def poisson_case(name, x, y, intercept=True, weights=None, offset=None, covariance="model",
                 level=0.95, names=None):
    case = case_inputs(name, x, y, intercept, names, weights, offset)
    x = np.asarray(x, dtype=float).reshape(len(y), -1)
    X = design(x, intercept)
    cov_type = "HC0" if covariance == "robust" else "nonrobust"
    res = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset, var_weights=weights).fit(
        cov_type=cov_type, **GLM_TOL)
    null_ll = None
    if weights is None and intercept:
        null_ll = sm.GLM(y, np.ones(len(y)), family=sm.families.Poisson(),
                         offset=offset).fit(**GLM_TOL).llf
    expected = glm_expected(res, level, all_names(x.shape[1], intercept, names), res.llf,
                            null_ll, X.shape[1] - 1)
    case.update({"family": "poisson", "covariance": covariance, "level": level,
                 "expected": expected})
    return case


def logistic_cases():
    cases = []
    # Small sample.
    n = 40
    x = rng.normal(size=(n, 2))
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.3 + 1.0 * x[:, 0] - 0.8 * x[:, 1])))) * 1.0
    cases.append(logistic_case("small", x, y, names=["peer_contacts", "age"]))
    cases.append(logistic_case("small_robust", x, y, covariance="robust", level=0.90))
    # Moderate sample, four covariates, 99 % intervals.
    n = 500
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n), rng.uniform(18, 70, n),
                         rng.poisson(3, n)])
    eta = -2 + 0.5 * x[:, 0] + 0.9 * x[:, 1] + 0.02 * x[:, 2] + 0.1 * x[:, 3]
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))) * 1.0
    cases.append(logistic_case("moderate", x, y, level=0.99))
    # Rare outcome (about 2 %).
    n = 2000
    x = np.column_stack([rng.normal(size=n), rng.integers(0, 2, n)])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-4.2 + 0.6 * x[:, 0] + 0.8 * x[:, 1])))) * 1.0
    cases.append(logistic_case("rare_outcome", x, y))
    # Near-collinear covariates.
    n = 300
    x1 = rng.normal(size=n)
    x = np.column_stack([x1, x1 + 0.05 * rng.normal(size=n)])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(0.2 + x1)))) * 1.0
    cases.append(logistic_case("near_collinear", x, y))
    # An offset.
    off = rng.normal(scale=0.5, size=n)
    cases.append(logistic_case("offset", x[:, :1], y, offset=off))
    # Probability weights: model-based and robust (the IPW outcome model's SEs).
    n = 400
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)])
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(-0.5 + 0.7 * x[:, 0] + 0.4 * x[:, 1])))) * 1.0
    w = rng.uniform(1.0, 6.0, n)
    cases.append(logistic_case("weighted_model", x, y, weights=w))
    cases.append(logistic_case("weighted_robust", x, y, weights=w, covariance="robust"))
    # Without intercept.
    cases.append(logistic_case("no_intercept", x, y, intercept=False))
    return cases


def poisson_cases():
    cases = []
    n = 300
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n), rng.uniform(0, 1, n)])
    exposure = rng.uniform(0.5, 3.0, n)
    mu = exposure * np.exp(0.2 + 0.4 * x[:, 0] - 0.3 * x[:, 1] + 0.5 * x[:, 2])
    y = rng.poisson(mu).astype(float)
    cases.append(poisson_case("offset", x, y, offset=np.log(exposure),
                              names=["coached", "severity", "distance"]))
    cases.append(poisson_case("offset_robust", x, y, offset=np.log(exposure),
                              covariance="robust"))
    # Overdispersed counts (negative binomial), where the robust SEs matter.
    n = 250
    x = np.column_stack([rng.integers(0, 2, n), rng.normal(size=n)])
    mu = np.exp(1.0 + 0.3 * x[:, 0] + 0.2 * x[:, 1])
    y = rng.negative_binomial(2, 2 / (2 + mu)).astype(float)
    cases.append(poisson_case("overdispersed_model", x, y, level=0.90))
    cases.append(poisson_case("overdispersed_robust", x, y, covariance="robust", level=0.90))
    # Weighted (probability weights), robust.
    w = rng.uniform(0.5, 4.0, n)
    cases.append(poisson_case("weighted_robust", x, y, weights=w, covariance="robust"))
    # Small sample with many zeros.
    n = 25
    x = rng.normal(size=(n, 1))
    y = rng.poisson(np.exp(-0.5 + 0.6 * x[:, 0])).astype(float)
    cases.append(poisson_case("small", x, y))
    return cases


# ---------------------------------------------------------------------------- degenerate

def statsmodels_on_separated(x, y):
    """How far statsmodels' Logit runs before stopping: the largest |coefficient|."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.Logit(y, sm.add_constant(x)).fit(method="newton", maxiter=100, disp=0)
    return float(np.max(np.abs(res.params)))


def error_cases():
    cases = []
    n = 30
    x = rng.normal(size=n)
    # Perfect separation: y = 1 exactly when x > 0.
    y = (x > 0) * 1.0
    c = case_inputs("perfect_separation", x, y, True)
    c.update({"model": "logistic", "error": "Separation",
              "statsmodels_max_abs_coef": statsmodels_on_separated(x, y)})
    cases.append(c)
    # Quasi-complete separation: a binary covariate with only events in one level; the
    # other level has both outcomes.
    g = np.array([1.0] * 10 + [0.0] * 30)
    z = rng.normal(size=40)
    y = np.concatenate([np.ones(10), (rng.uniform(size=30) < 0.4) * 1.0])
    x = np.column_stack([g, z])
    c = case_inputs("quasi_complete_separation", x, y, True)
    c.update({"model": "logistic", "error": "Separation",
              "statsmodels_max_abs_coef": statsmodels_on_separated(x, y)})
    cases.append(c)
    # Quasi-complete separation on a continuous covariate: y = 1 when x > 0, ties at 0 mixed.
    x = np.concatenate([rng.normal(size=20), np.zeros(6)])
    y = np.concatenate([(x[:20] > 0) * 1.0, [0, 1, 0, 1, 1, 0]])
    c = case_inputs("quasi_complete_ties", x, y, True)
    c.update({"model": "logistic", "error": "Separation",
              "statsmodels_max_abs_coef": statsmodels_on_separated(x, y)})
    cases.append(c)
    # Outcome with one value only.
    x = rng.normal(size=20)
    cases.append({**case_inputs("all_zero_outcome", x, np.zeros(20), True),
                  "model": "logistic", "error": "Separation"})
    # Poisson: a group whose counts are all zero drives its coefficient to minus infinity.
    g = np.array([1.0] * 15 + [0.0] * 25)
    y = np.concatenate([np.zeros(15), rng.poisson(2.0, 25)]).astype(float)
    cases.append({**case_inputs("poisson_zero_group", g, y, True),
                  "model": "poisson", "error": "Separation"})
    # Non-binary outcome for logistic, negative count for Poisson.
    x = rng.normal(size=10)
    cases.append({**case_inputs("non_binary_outcome", x, [0, 1, 2, 0, 1, 0, 1, 1, 0, 0], True),
                  "model": "logistic", "error": "OutOfRange"})
    cases.append({**case_inputs("negative_count", x, [0, 1, 2, -1, 1, 0, 1, 1, 0, 0], True),
                  "model": "poisson", "error": "OutOfRange"})
    cases.append({**case_inputs("all_zero_counts", x, np.zeros(10), True),
                  "model": "poisson", "error": "NoEvents"})
    # Constant and collinear covariates, for every model.
    n = 20
    x1 = rng.normal(size=n)
    constant = np.column_stack([x1, np.full(n, 3.0)])
    collinear = np.column_stack([x1, rng.normal(size=n), 2 * x1 - 1])
    yb = (rng.uniform(size=n) < 0.5) * 1.0
    for model in ("ols", "logistic", "poisson"):
        cases.append({**case_inputs(f"{model}_constant_covariate", constant, yb, True),
                      "model": model, "error": "ConstantCovariate"})
        cases.append({**case_inputs(f"{model}_collinear", collinear, yb, True),
                      "model": model, "error": "Singular"})
    # Weights that zero out every row where x2 varies leave the model unidentified.
    x = np.column_stack([x1, np.r_[np.ones(10), np.zeros(10)]])
    w = np.r_[np.ones(10), np.zeros(10)]
    cases.append({**case_inputs("weights_leave_singular", x, yb, True, weights=w),
                  "model": "logistic", "error": "Singular"})
    # Fewer observations than coefficients + 1.
    cases.append({**case_inputs("too_few", rng.normal(size=(3, 2)), [0.0, 1.0, 0.0], True),
                  "model": "ols", "error": "TooFew"})
    # An exact linear fit has no residual variance.
    x = rng.normal(size=10)
    cases.append({**case_inputs("exact_fit", x, 2 * x + 1, True),
                  "model": "ols", "error": "Undefined"})
    return cases


# ---------------------------------------------------------------------------- separation oracle

def free_lp(A_ub, A_eq, b_eq):
    """Whether some d satisfies A_ub d <= 0 and A_eq d = b_eq (scipy's HiGHS solver)."""
    k = A_eq.shape[1]
    res = linprog(np.zeros(k), A_ub=A_ub if len(A_ub) else None,
                  b_ub=np.zeros(len(A_ub)) if len(A_ub) else None, A_eq=A_eq, b_eq=b_eq,
                  bounds=[(None, None)] * k, method="highs")
    return res.status == 0


def logistic_separable(X, y):
    """Albert & Anderson (1984): the MLE is infinite iff some d != 0 has (2y - 1) x'd >= 0
    for every row; normalised by requiring the sum of those terms to be 1."""
    s = (2 * y - 1)[:, None] * X
    return free_lp(-s, s.sum(0)[None, :], [1.0])


def poisson_separable(X, counts):
    """Santos Silva & Tenreyro (2010): the MLE is infinite iff some d has x'd <= 0 for every
    row, x'd = 0 wherever the count is positive, and x'd < 0 somewhere (sum normalised)."""
    positive = counts > 0
    A_eq = np.vstack([X[positive], X.sum(0)[None, :]])
    return free_lp(X[~positive], A_eq, np.r_[np.zeros(positive.sum()), -1.0])


def separation_oracle_cases():
    """Small random data sets, about half of them separated, each labelled by a linear
    program: the Rust fits must report Separation exactly when the LP finds a direction."""
    cases = []
    for i in range(100):
        n, k = 12 + i % 25, 1 + i % 2
        x = rng.normal(size=(n, k))
        group = (rng.uniform(size=n) < 0.2).astype(float)
        x[:, 0] = x[:, 0] if i % 3 else group
        y = (rng.uniform(size=n) < 1 / (1 + np.exp(-2.5 * x[:, 0]))).astype(float)
        counts = rng.poisson(np.exp(-1.2 + 0.4 * x[:, -1]) * np.where(group == 1, 0.2, 1.0))
        X = sm.add_constant(x, has_constant="add")
        if np.linalg.matrix_rank(X) < X.shape[1] or y.min() == y.max() or counts.max() == 0:
            continue
        cases.append({**case_inputs(f"oracle_{i}", x, y, True),
                      "counts": floats(counts),
                      "logistic_separated": bool(logistic_separable(X, y)),
                      "poisson_separated": bool(poisson_separable(X, counts.astype(float)))})
    return cases


if __name__ == "__main__":
    write("regression.json", {
        "source": "statsmodels " + sm.__version__,
        "ols": ols_cases(),
        "logistic": logistic_cases(),
        "poisson": poisson_cases(),
        "errors": error_cases(),
        "separation_oracle": separation_oracle_cases(),
    })
