"""Reference values for time-to-event analysis.

Writes tests/fixtures/survival.json: Kaplan–Meier curves and medians (lifelines
KaplanMeierFitter), log-rank tests (lifelines logrank_test / multivariate_logrank_test, and a
stratified log-rank written here from the textbook formula because lifelines has none), Cox
models (lifelines CoxPHFitter for Efron ties, statsmodels PHReg for Breslow ties), Harrell's C
(lifelines concordance_index) and the Schoenfeld-residual test of proportional hazards
(lifelines proportional_hazard_test; the global test written here from the Grambsch–Therneau
formula R's cox.zph used until 2019, which lifelines' per-covariate test follows).

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import (
    logrank_test,
    multivariate_logrank_test,
    proportional_hazard_test,
)
from lifelines.utils import concordance_index, median_survival_times
from scipy import stats
from statsmodels.duration.hazard_regression import PHReg

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260202)
warnings.simplefilter("ignore")

# Newton–Raphson run to far tighter tolerances than the defaults. lifelines returns the β
# *before* its last Newton step, so with its default stopping rule (Newton decrement < 1e-7)
# the reported optimum can be ~1e-7 off — too loose for a 1e-6 comparison of p-values. With
# these settings it stops one step later, when the step is ~1e-15.
LIFELINES_FIT = {"precision": 1e-20, "r_precision": 1e-18, "max_steps": 500}
STATSMODELS_TOL = 1e-12


def write(name, payload):
    path = OUT / name
    path.write_text(json.dumps(payload, indent=None, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")


def fl(values):
    return [float(v) for v in values]


def opt(x):
    """A time that may be infinite (median not reached) becomes null."""
    return None if not np.isfinite(x) else float(x)


# ---------------------------------------------------------------- data

def survival_data(n, censor_rate_scale, round_to=None, p=0, betas=None, weibull=1.0):
    """Weibull event times with covariate effects, random plus administrative censoring."""
    x = rng.normal(0, 1, (n, p)) if p else np.zeros((n, 0))
    if p >= 2:
        x[:, 1] = rng.integers(0, 2, n)  # a binary covariate, as treatment arm would be
    lp = x @ np.asarray(betas if betas is not None else np.zeros(p))
    t = (rng.exponential(1, n) / np.exp(lp)) ** (1 / weibull) * 10
    c = rng.exponential(censor_rate_scale, n)
    c = np.minimum(c, 25)  # administrative censoring at the end of follow-up
    time = np.minimum(t, c)
    event = (t <= c).astype(int)
    if round_to is not None:
        time = np.maximum(np.round(time / round_to) * round_to, round_to)
    return time, event, x


# ---------------------------------------------------------------- Kaplan–Meier

def km_case(name, time, event, level=0.95):
    kmf = KaplanMeierFitter(alpha=1 - level).fit(time, event)
    sf = kmf.survival_function_.iloc[:, 0]
    ci = kmf.confidence_interval_
    med_ci = median_survival_times(ci)
    return {
        "name": name, "level": level, "times": fl(time), "events": [int(e) for e in event],
        "timeline": fl(sf.index), "survival": fl(sf.values),
        "lower": fl(ci.iloc[:, 0].values), "upper": fl(ci.iloc[:, 1].values),
        "median": opt(kmf.median_survival_time_),
        "median_lower": opt(med_ci.iloc[0, 0]), "median_upper": opt(med_ci.iloc[0, 1]),
    }


def km_cases():
    cases = [km_case("n5", np.array([3.0, 5, 5, 8, 10]), np.array([1, 0, 1, 1, 0]))]
    t, e, _ = survival_data(60, 4, None)
    cases.append(km_case("heavy_censoring", t, e))
    t, e, _ = survival_data(200, 30, 1.0)
    cases.append(km_case("ties_days", t, e))
    cases.append(km_case("ties_days_90", t, e, level=0.9))
    t, e, _ = survival_data(30, 1e9, None)
    cases.append(km_case("all_events", t, np.ones_like(e)))
    t, e, _ = survival_data(40, 2, 0.5)
    cases.append(km_case("median_not_reached", t, e))
    return cases


# ---------------------------------------------------------------- log-rank

def stratified_logrank(time, event, group, stratum):
    """Stratified log-rank from the textbook formula (Klein & Moeschberger 2003, §7.5):
    sum observed-minus-expected and the hypergeometric covariance over strata, then
    U = Z' V^-1 Z on the first k-1 groups."""
    groups = np.unique(group)
    k = len(groups)
    z = np.zeros(k)
    v = np.zeros((k, k))
    for s in np.unique(stratum):
        m = stratum == s
        ts, es, gs = time[m], event[m], group[m]
        for t in np.unique(ts[es == 1]):
            at_risk = ts >= t
            n = at_risk.sum()
            d = ((ts == t) & (es == 1)).sum()
            n_j = np.array([(at_risk & (gs == g)).sum() for g in groups])
            d_j = np.array([((ts == t) & (es == 1) & (gs == g)).sum() for g in groups])
            z += d_j - d * n_j / n
            if n > 1:
                f = d * (n - d) / (n * n * (n - 1))
                v += f * (np.diag(n_j * n) - np.outer(n_j, n_j))
    stat = float(z[:-1] @ np.linalg.solve(v[:-1, :-1], z[:-1]))
    return {"statistic": stat, "df": k - 1, "p_value": float(stats.chi2.sf(stat, k - 1))}


def logrank_cases():
    cases = []
    t = np.array([3.0, 5, 5, 8, 10, 2, 4, 4, 9, 12])
    e = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1, 1])
    g = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])
    cases.append(("n5_per_group", t, e, g, None))
    t, e, x = survival_data(120, 15, 1.0, p=2, betas=[0.0, 0.6])
    cases.append(("two_groups_ties", t, e, x[:, 1].astype(int), None))
    t, e, _ = survival_data(150, 6, None)
    g3 = rng.integers(0, 3, 150)
    t = t * np.array([1.0, 1.3, 0.8])[g3]
    cases.append(("three_groups_heavy_censoring", t, e, g3, None))
    t, e, x = survival_data(200, 20, 1.0, p=2, betas=[0.3, 0.5])
    s = rng.integers(0, 3, 200)
    cases.append(("two_groups_three_strata", t, e, x[:, 1].astype(int), s))
    g4 = rng.integers(0, 4, 200)
    cases.append(("four_groups_two_strata", t, e, g4, (x[:, 0] > 0).astype(int)))
    out = []
    for name, t, e, g, s in cases:
        case = {"name": name, "times": fl(t), "events": [int(v) for v in e],
                "groups": [int(v) for v in g]}
        if s is None:
            if len(np.unique(g)) == 2:
                a, b = g == 0, g == 1
                r = logrank_test(t[a], t[b], e[a], e[b])
            else:
                r = multivariate_logrank_test(t, g, e)
            case.update({"statistic": float(r.test_statistic), "df": int(r.degrees_of_freedom),
                         "p_value": float(r.p_value), "source": "lifelines"})
        else:
            case["strata"] = [int(v) for v in s]
            case.update(stratified_logrank(t, e, g, s))
            case["source"] = "textbook stratified log-rank computed in generate_survival.py"
        out.append(case)
    return out


# ---------------------------------------------------------------- Cox

def ph_global(cph, df, transform):
    """Global Grambsch–Therneau test as R's cox.zph computed it before 2019 (the approximation
    lifelines' per-covariate test uses): T = (g'R) V (R'g) * D / sum(g^2), chi-squared on p df,
    with R the unscaled Schoenfeld residuals and g the centred transformed event times."""
    resid = cph.compute_residuals(df, kind="schoenfeld")
    durations = df.loc[resid.index, "T"].to_numpy()
    if transform == "km":
        kmf = KaplanMeierFitter().fit(df["T"], df["E"])
        g = 1 - kmf.survival_function_.loc[durations, "KM_estimate"].to_numpy()
    elif transform == "log":
        g = np.log(durations)
    else:
        g = durations
    g = g - g.mean()
    u = g @ resid.to_numpy()
    d = df["E"].sum()
    stat = float(u @ cph.variance_matrix_.to_numpy() @ u * d / (g @ g))
    p = resid.shape[1]
    return {"statistic": stat, "df": p, "p_value": float(stats.chi2.sf(stat, p))}


def cox_case(name, time, event, x, level=0.95):
    p = x.shape[1]
    cols = [f"x{j}" for j in range(p)]
    df = pd.DataFrame(x, columns=cols)
    df["T"], df["E"] = time, event
    cph = CoxPHFitter(alpha=1 - level).fit(df, "T", "E", fit_options=LIFELINES_FIT)
    s = cph.summary
    lr = cph.log_likelihood_ratio_test()
    beta = cph.params_.to_numpy()
    cov = cph.variance_matrix_.to_numpy()
    wald = float(beta @ np.linalg.solve(cov, beta))
    efron = {
        "coef": fl(s["coef"]), "se": fl(s["se(coef)"]), "z": fl(s["z"]), "p_value": fl(s["p"]),
        "lower": fl(s.iloc[:, 3]), "upper": fl(s.iloc[:, 4]),
        "hr": fl(s["exp(coef)"]), "hr_lower": fl(s.iloc[:, 5]), "hr_upper": fl(s.iloc[:, 6]),
        "log_likelihood": float(cph.log_likelihood_), "null_log_likelihood": float(cph._ll_null_),
        "lr_statistic": float(lr.test_statistic), "lr_p_value": float(lr.p_value),
        "wald_statistic": wald, "wald_p_value": float(stats.chi2.sf(wald, p)),
        "concordance": float(cph.concordance_index_),
        "ph_test": {},
    }
    for transform in ("km", "identity", "log"):
        r = proportional_hazard_test(cph, df, time_transform=transform)
        efron["ph_test"][transform] = {
            "statistic": fl(r.summary["test_statistic"]), "p_value": fl(r.summary["p"]),
            "global": ph_global(cph, df, transform),
        }
    model = PHReg(time, x, status=event, ties="breslow")
    res = model.fit(tol=STATSMODELS_TOL)
    ci = res.conf_int(alpha=1 - level)
    breslow = {
        "coef": fl(res.params), "se": fl(res.bse), "z": fl(res.tvalues), "p_value": fl(res.pvalues),
        "lower": fl(ci[:, 0]), "upper": fl(ci[:, 1]), "log_likelihood": float(res.llf),
        "null_log_likelihood": float(model.loglike(np.zeros(p))),
    }
    return {"name": name, "level": level, "times": fl(time), "events": [int(e) for e in event],
            "covariates": [fl(x[:, j]) for j in range(p)], "efron": efron, "breslow": breslow}


def cox_cases():
    cases = []
    t, e, x = survival_data(200, 20, 1.0, p=3, betas=[0.5, -0.7, 0.2])
    cases.append(cox_case("three_covariates_day_ties", t, e, x))
    t, e, x = survival_data(150, 2.5, None, p=2, betas=[0.8, 0.4], weibull=1.5)
    cases.append(cox_case("heavy_censoring", t, e, x))
    t, e, x = survival_data(12, 40, None, p=1, betas=[0.7])
    cases.append(cox_case("small_n12", t, e, x))
    t, e, x = survival_data(300, 30, None, p=2, betas=[0.4, -0.5])
    t = np.ceil(t / 2.5)  # only a handful of distinct times: many large tie groups
    cases.append(cox_case("many_ties", t, e, x))
    t, e, x = survival_data(500, 15, 0.5, p=5, betas=[0.3, -0.4, 0.1, 0.0, -0.2])
    cases.append(cox_case("five_covariates", t, e, x, level=0.9))
    return cases


def concordance_cases():
    """Standalone Harrell's C with tied scores, tied times and censoring."""
    out = []
    for n, n_scores in ((30, 5), (200, 40), (7, 3)):
        t = rng.integers(1, 12, n).astype(float)
        e = rng.integers(0, 2, n)
        s = rng.integers(0, n_scores, n).astype(float)
        out.append({"times": fl(t), "events": [int(v) for v in e], "scores": fl(s),
                    "concordance": float(concordance_index(t, s, e))})
    return out


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write("survival.json", {
        "kaplan_meier": km_cases(), "logrank": logrank_cases(), "cox": cox_cases(),
        "concordance": concordance_cases(),
    })
