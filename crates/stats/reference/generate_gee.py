"""Reference values for GEE with an exchangeable working correlation.

Writes tests/fixtures/gee.json: each case holds the data (row-major covariates, outcome,
participant ids in the order the rows come, which is deliberately not sorted) and what
statsmodels 0.15 computes with

    GEE(y, add_constant(X), groups=ids, family=..., cov_struct=Exchangeable())
        .fit(maxiter=500, ctol=1e-10)

(robust SEs, the exchangeable dependence parameter and the scale). The default ctol is 1e-6
on the score norm; 1e-10 makes the fixed point exact to well past the 1e-6 the Rust tests
demand, and every case asserts that statsmodels reports convergence.

Run through reference/regenerate.sh; the output directory is the first argument.
"""

import json
import sys
from pathlib import Path

import numpy as np
import statsmodels.api as sm
from statsmodels.genmod.cov_struct import Exchangeable

OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "../tests/fixtures"
rng = np.random.default_rng(20260402)
FAMILIES = {"gaussian": sm.families.Gaussian, "binomial": sm.families.Binomial}


def write(name, payload):
    path = OUT / name
    path.write_text(json.dumps(payload, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"  wrote {path.name} ({path.stat().st_size // 1024} KiB)")


def floats(values):
    return [float(v) for v in np.asarray(values).ravel()]


def inputs(name, x, y, ids, family, names=None):
    x = np.asarray(x, dtype=float)
    return {"name": name, "x": floats(x), "covariates": int(x.shape[1]), "names": names,
            "y": floats(y), "ids": [int(i) for i in ids], "family": family}


def gee_case(name, x, y, ids, family, level=0.95, names=None):
    case = inputs(name, x, y, ids, family, names)
    X = sm.add_constant(np.asarray(x, dtype=float), has_constant="add")
    res = sm.GEE(y, X, groups=ids, family=FAMILIES[family](),
                 cov_struct=Exchangeable()).fit(maxiter=500, ctol=1e-10)
    assert res.converged, name
    ci = np.asarray(res.conf_int(alpha=1 - level))
    labels = ["const"] + (names or [f"x{j + 1}" for j in range(X.shape[1] - 1)])
    case.update({
        "level": level,
        "expected": {
            "coefficients": [
                {"name": labels[j], "estimate": float(res.params[j]),
                 "std_error": float(res.bse[j]), "statistic": float(res.tvalues[j]),
                 "p_value": float(res.pvalues[j]), "ci": [float(ci[j, 0]), float(ci[j, 1])]}
                for j in range(X.shape[1])
            ],
            "correlation": float(res.cov_struct.dep_params),
            "scale": float(res.scale),
            "clusters": int(len(np.unique(ids))),
        },
    })
    return case


def survey_panel(people, sizes, binary):
    """Repeated surveys at 0, 6, 12 and 18 months: each person answers the waves given by
    `sizes` (a random subset of the four), with a person-level random intercept so that
    answers of one person correlate. Rows are shuffled, so ids are not sorted."""
    rows = []
    for person, k in zip(range(people), sizes):
        waves = np.sort(rng.choice(4, size=k, replace=False))
        peer = float(rng.integers(0, 2))
        age = float(rng.integers(18, 60))
        u = rng.normal(scale=0.8)
        for wave in waves:
            months = 6.0 * wave
            eta = 0.4 - 0.05 * months + 0.6 * peer + 0.02 * (age - 35) + u
            if binary:
                y = float(rng.uniform() < 1 / (1 + np.exp(-eta)))
            else:
                y = 10 + 2 * eta + rng.normal(scale=1.5)
            rows.append((1000 + 7 * person, months, peer, age, y))
    rows = np.array(rows)
    rows = rows[rng.permutation(len(rows))]
    return rows[:, 1:4], rows[:, 4], rows[:, 0].astype(int)


def cases():
    out = []
    names = ["months", "peer_support", "age"]
    # 242 participants, 479 observations, as in an 18-month repeated survey with missed waves;
    # 75 participants answered only once (clusters of size 1).
    sizes = [1] * 75 + [2] * 114 + [3] * 36 + [4] * 17
    assert len(sizes) == 242 and sum(sizes) == 479
    sizes = list(rng.permutation(sizes))
    for family in ("gaussian", "binomial"):
        x, y, ids = survey_panel(242, sizes, family == "binomial")
        out.append(gee_case(f"{family}_unbalanced_242", x, y, ids, family, names=names))
        out.append(gee_case(f"{family}_unbalanced_242_level90", x, y, ids, family, level=0.90,
                            names=names))
        # Balanced: 60 participants, all four waves.
        x, y, ids = survey_panel(60, [4] * 60, family == "binomial")
        out.append(gee_case(f"{family}_balanced_60x4", x, y, ids, family, names=names))
    # Small: 8 participants with 2–3 observations each.
    x, y, ids = survey_panel(8, [2, 3, 2, 3, 3, 2, 3, 2], False)
    out.append(gee_case("gaussian_small", x[:, :2], y, ids, "gaussian"))
    return out


def error_cases():
    out = []
    x, y, ids = survey_panel(20, [3] * 20, False)
    out.append({**inputs("one_cluster", x, y, np.zeros(len(y)), "gaussian"),
                "error": "TooFew"})
    out.append({**inputs("all_singletons", x, y, np.arange(len(y)), "gaussian"),
                "error": "TooFew"})
    yb = np.where(y > np.median(y), 1.0, 0.0)
    yb[0] = 2.0
    out.append({**inputs("non_binary", x, yb, ids, "binomial"), "error": "OutOfRange"})
    constant = x.copy()
    constant[:, 1] = 1.0
    out.append({**inputs("constant_covariate", constant, y, ids, "gaussian"),
                "error": "ConstantCovariate"})
    separated = (x[:, 0] > 6).astype(float)
    out.append({**inputs("separation", x, separated, ids, "binomial"), "error": "Separation"})
    return out


if __name__ == "__main__":
    write("gee.json", {"source": "statsmodels " + sm.__version__, "cases": cases(),
                       "errors": error_cases()})
