"""Reference values for proportions and two-group / pre-post tests.

Writes tests/fixtures/proportions.json and tests/fixtures/two_group.json: every case holds its
input data and what statsmodels or scipy computes from it. Where no library computes a
quantity (the effect-size standard errors), the value is computed here from the published
formula and the case says so in its "source" field.

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import special, stats
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    test_proportions_2indep,
)

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260101)
# test_proportions_2indep also evaluates the ratio for a table with a zero cell and warns about
# the division; only its risk-difference output is used.
warnings.filterwarnings("ignore", category=RuntimeWarning)


def write(name, payload):
    path = OUT / name
    # allow_nan=False: a NaN or infinity in a fixture is a bug in this script, not a value.
    path.write_text(json.dumps(payload, indent=1, allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")


def f(x):
    return float(x)


# ---------------------------------------------------------------- proportions

def single_proportions():
    cases = []
    for x, n in [(0, 10), (10, 10), (1, 5), (7, 23), (150, 400), (3, 1000), (499, 1000), (1, 1)]:
        for level in (0.95, 0.90):
            alpha = 1 - level
            wl, wu = proportion_confint(x, n, alpha=alpha, method="wilson")
            cl, cu = proportion_confint(x, n, alpha=alpha, method="beta")
            cases.append({
                "successes": x, "trials": n, "level": level,
                "wilson": [f(wl), f(wu)], "clopper_pearson": [f(cl), f(cu)],
            })
    return cases


def two_by_two(a, b, c, d, level=0.95):
    """a, b: group 1 events / non-events; c, d: group 2 events / non-events."""
    table = np.array([[a, b], [c, d]])
    alpha = 1 - level
    case = {"table": [a, b, c, d], "level": level}
    margins = list(table.sum(0)) + list(table.sum(1))
    if 0 in margins:
        case["zero_margin"] = True
        return case
    case["zero_margin"] = False
    n1, n2 = a + b, c + d
    # Risk difference, Wald with the unpooled variance.
    low, upp = confint_proportions_2indep(a, n1, c, n2, method="wald", compare="diff", alpha=alpha)
    test = test_proportions_2indep(a, n1, c, n2, method="wald", compare="diff", correction=False)
    p1, p2 = a / n1, c / n2
    case["risk_difference"] = {
        "estimate": f(p1 - p2), "se": f(math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2)),
        "lower": f(low), "upper": f(upp), "z": f(test.statistic), "p_value": f(test.pvalue),
    }
    if min(a, b, c, d) > 0:
        t = Table2x2(table, shift_zeros=False)
        rl, ru = t.riskratio_confint(alpha=alpha)
        case["risk_ratio"] = {
            "estimate": f(t.riskratio), "se_log": f(t.log_riskratio_se), "lower": f(rl),
            "upper": f(ru), "z": f(t.log_riskratio / t.log_riskratio_se),
            "p_value": f(t.riskratio_pvalue()),
        }
        ol, ou = t.oddsratio_confint(alpha=alpha)
        case["odds_ratio"] = {
            "estimate": f(t.oddsratio), "se_log": f(t.log_oddsratio_se), "lower": f(ol),
            "upper": f(ou), "z": f(t.log_oddsratio / t.log_oddsratio_se),
            "p_value": f(t.oddsratio_pvalue()),
        }
    for correction in (False, True):
        chi2, p, dof, expected = stats.chi2_contingency(table, correction=correction)
        case["chi2_yates" if correction else "chi2"] = {
            "statistic": f(chi2), "p_value": f(p), "df": int(dof),
            "expected": [f(v) for v in expected.ravel()],
        }
    res = stats.fisher_exact(table)
    case["fisher"] = {
        "odds_ratio": None if math.isinf(res.statistic) else f(res.statistic),
        "p_value": f(res.pvalue),
    }
    return case


def tables():
    fixed = [
        (12, 38, 5, 45), (3, 2, 1, 4), (30, 70, 45, 55), (1, 9, 0, 10), (0, 10, 0, 12),
        (300, 700, 250, 750), (7, 0, 2, 5), (5, 5, 5, 5), (2, 48, 9, 41), (0, 0, 5, 5),
        (4, 1, 1, 4), (50, 50, 1, 99),
    ]
    cases = [two_by_two(*t) for t in fixed]
    cases.append(two_by_two(12, 38, 5, 45, level=0.9))
    for _ in range(8):
        a, b, c, d = (int(v) for v in rng.integers(1, 60, size=4))
        cases.append(two_by_two(a, b, c, d))
    return cases


# ---------------------------------------------------------------- two groups

def samples():
    """Named two-sample and paired data sets: small, tied, skewed, with zero differences."""
    s = {}
    s["small_n5"] = (rng.normal(10, 2, 5), rng.normal(12, 3, 5))
    s["unequal"] = (rng.normal(0, 1, 17), rng.normal(0.8, 2.5, 29))
    s["ties"] = (rng.integers(0, 6, 25).astype(float), rng.integers(1, 7, 30).astype(float))
    s["skewed"] = (rng.lognormal(0, 1, 40), rng.lognormal(0.4, 1, 60))
    s["large"] = (rng.normal(50, 10, 200), rng.normal(52, 10, 180))
    s["tiny_exact"] = (np.array([1.1, 2.3, 3.2, 5.9]), np.array([4.4, 6.1, 7.5, 8.0, 9.3, 2.8]))
    return s


def paired_samples():
    s = {}
    before = rng.normal(20, 5, 12)
    s["small_no_ties"] = (before, before - rng.normal(2, 3, 12))
    before = rng.integers(0, 28, 40).astype(float)
    s["days_with_zeros"] = (before, np.clip(before - rng.integers(-3, 8, 40), 0, 28))
    before = rng.normal(0, 1, 8)
    s["n8"] = (before, before + rng.normal(0.5, 1, 8))
    before = rng.normal(30, 8, 150)
    s["large"] = (before, before - rng.normal(1, 6, 150))
    s["n5"] = (np.array([10.0, 12.5, 9.0, 14.0, 11.0]), np.array([8.0, 11.0, 9.5, 10.0, 7.5]))
    return s


def welch(x, y, level):
    r = stats.ttest_ind(x, y, equal_var=False)
    ci = r.confidence_interval(level)
    return {"statistic": f(r.statistic), "df": f(r.df), "p_value": f(r.pvalue),
            "lower": f(ci.low), "upper": f(ci.high), "estimate": f(np.mean(x) - np.mean(y))}


def paired_t(x, y, level):
    r = stats.ttest_rel(x, y)
    ci = r.confidence_interval(level)
    return {"statistic": f(r.statistic), "df": f(r.df), "p_value": f(r.pvalue),
            "lower": f(ci.low), "upper": f(ci.high), "estimate": f(np.mean(x - y))}


def mwu(x, y):
    out = {}
    for cc in (True, False):
        r = stats.mannwhitneyu(x, y, use_continuity=cc, method="asymptotic")
        out["asymptotic_cc" if cc else "asymptotic"] = {"u1": f(r.statistic), "p_value": f(r.pvalue)}
    if len(np.unique(np.concatenate([x, y]))) == len(x) + len(y):
        r = stats.mannwhitneyu(x, y, method="exact")
        out["exact"] = {"u1": f(r.statistic), "p_value": f(r.pvalue)}
    return out


def wilcoxon(x, y):
    out = {}
    d = x - y
    for cc in (True, False):
        r = stats.wilcoxon(x, y, zero_method="wilcox", correction=cc, method="asymptotic")
        out["asymptotic_cc" if cc else "asymptotic"] = {
            "statistic": f(r.statistic), "p_value": f(r.pvalue), "z": f(r.zstatistic)}
    nz = np.abs(d[d != 0])
    if len(np.unique(nz)) == len(nz) and len(nz) == len(d):
        r = stats.wilcoxon(x, y, zero_method="wilcox", method="exact")
        out["exact"] = {"statistic": f(r.statistic), "p_value": f(r.pvalue)}
    return out


def hedges_j(df):
    """Exact small-sample correction J(df) = Γ(df/2) / (sqrt(df/2) Γ((df-1)/2)) (Hedges 1981)."""
    return math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)


def effect_sizes(x, y, level):
    """Cohen's d and Hedges' g with the Hedges & Olkin (1985, eq. 5.8) normal-approximation SE.

    No library in the reference set computes these; this is the published formula, written
    independently of the Rust code: var(d) = (n1+n2)/(n1 n2) + d^2 / (2 (n1+n2)),
    g = J d, var(g) = J^2 var(d).
    """
    n1, n2 = len(x), len(y)
    sp = math.sqrt(((n1 - 1) * np.var(x, ddof=1) + (n2 - 1) * np.var(y, ddof=1)) / (n1 + n2 - 2))
    d = (np.mean(x) - np.mean(y)) / sp
    se_d = math.sqrt((n1 + n2) / (n1 * n2) + d * d / (2 * (n1 + n2)))
    j = hedges_j(n1 + n2 - 2)
    z = stats.norm.ppf(0.5 + level / 2)
    g, se_g = j * d, j * se_d
    return {
        "cohens_d": {"estimate": f(d), "se": f(se_d), "lower": f(d - z * se_d), "upper": f(d + z * se_d)},
        "hedges_g": {"estimate": f(g), "se": f(se_g), "lower": f(g - z * se_g), "upper": f(g + z * se_g)},
    }


def effect_size_dz(x, y, level):
    """Cohen's d_z = mean(d) / sd(d) with SE sqrt(1/n + d_z^2 / (2n)) (normal approximation,
    Becker 1988; Borenstein et al. 2009, ch. 4). Published formula, computed here."""
    d = x - y
    n = len(d)
    dz = np.mean(d) / np.std(d, ddof=1)
    se = math.sqrt(1 / n + dz * dz / (2 * n))
    z = stats.norm.ppf(0.5 + level / 2)
    return {"estimate": f(dz), "se": f(se), "lower": f(dz - z * se), "upper": f(dz + z * se)}


def two_group_cases():
    independent = []
    for name, (x, y) in samples().items():
        for level in (0.95,) if name != "unequal" else (0.95, 0.9):
            independent.append({
                "name": name, "level": level, "x": [f(v) for v in x], "y": [f(v) for v in y],
                "welch": welch(x, y, level), "mann_whitney": mwu(x, y),
                **effect_sizes(x, y, level),
                "effect_size_source": "Hedges & Olkin (1985) formula computed in this script",
            })
    paired = []
    for name, (x, y) in paired_samples().items():
        paired.append({
            "name": name, "level": 0.95, "x": [f(v) for v in x], "y": [f(v) for v in y],
            "paired_t": paired_t(x, y, 0.95), "wilcoxon": wilcoxon(x, y),
            "cohens_dz": effect_size_dz(x, y, 0.95),
            "effect_size_source": "Becker (1988) normal-approximation formula computed in this script",
        })
    return {"independent": independent, "paired": paired}


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    write("proportions.json", {"single": single_proportions(), "tables": tables()})
    write("two_group.json", two_group_cases())
