"""Times statsmodels on the data the Rust benchmark (benches/regression.rs) just wrote.

Usage: bench_regression.py MODEL CSV RUNS
  MODEL  logistic | gee_gaussian | gee_binomial
  CSV    the data: column y, covariates x1..xk, and for GEE a participant column id
  RUNS   timed runs after one warm-up run

Prints one JSON list on stdout: for each statsmodels method, the median wall time in seconds,
every run's time, and the fitted coefficients (so the caller can check that both sides fitted
the same model). Each method runs with statsmodels' default settings, as a user would call it;
the timed region is model construction (with `add_constant`) plus `fit`, as on the Rust side.
"""

import json
import statistics
import sys
import time
import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.genmod.cov_struct import Exchangeable


def timed(fit, runs):
    fit()
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fit()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def main():
    model, path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
    data = pd.read_csv(path, dtype=np.float64)
    y = data["y"].to_numpy()
    x = data[[c for c in data.columns if c.startswith("x")]].to_numpy()
    if model == "logistic":
        binomial = sm.families.Binomial()
        methods = {
            "statsmodels Logit (Newton)":
                lambda: sm.Logit(y, sm.add_constant(x)).fit(method="newton", disp=0),
            "statsmodels GLM Binomial (IRLS)":
                lambda: sm.GLM(y, sm.add_constant(x), family=binomial).fit(),
        }
    else:
        ids = data["id"].to_numpy()
        family = sm.families.Gaussian() if model == "gee_gaussian" else sm.families.Binomial()
        methods = {
            "statsmodels GEE exchangeable":
                lambda: sm.GEE(y, sm.add_constant(x), groups=ids, family=family,
                               cov_struct=Exchangeable()).fit(),
        }
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for label, fit in methods.items():
            median, times, result = timed(fit, runs)
            out.append({"label": label, "median_seconds": median, "times": times,
                        "params": [float(v) for v in np.asarray(result.params)]})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
