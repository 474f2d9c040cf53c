"""The lifelines side of `cargo bench -p kindred-stats --bench survival`.

Reads the CSV files the Rust bench wrote, times lifelines on the same data in the same run and
prints one JSON object on stdout:

* cox: CoxPHFitter().fit(df, "T", "E") with default options (Efron ties, penalizer 0), which
  computes the coefficients and their standard errors, plus the first access of
  `concordance_index_` (lifelines computes Harrell's C lazily; the Rust fit includes it).
* km_logrank: KaplanMeierFitter().fit(T, E) on all rows plus logrank_test between the two arms.

Each is run once to warm up, then `repeats` times; the median wall time is reported.

Usage: bench_survival.py COX_CSV KM_CSV REPEATS
"""

import json
import statistics
import sys
import time
import warnings

import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.statistics import logrank_test

warnings.simplefilter("ignore")


def timed(fn, repeats):
    fn()  # warm-up
    times = []
    result = None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def cox(df):
    cph = CoxPHFitter().fit(df, "T", "E")
    concordance = cph.concordance_index_
    return cph, concordance


def km_logrank(df):
    kmf = KaplanMeierFitter().fit(df["T"], df["E"])
    a, b = df[df["G"] == 0], df[df["G"] == 1]
    lr = logrank_test(a["T"], b["T"], a["E"], b["E"])
    return kmf.median_survival_time_, lr.test_statistic


def main():
    cox_csv, km_csv, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
    cox_df = pd.read_csv(cox_csv)
    km_df = pd.read_csv(km_csv)
    median_cox, cox_times, (cph, concordance) = timed(lambda: cox(cox_df), repeats)
    median_km, km_times, (median_survival, logrank_stat) = timed(lambda: km_logrank(km_df), repeats)
    print(json.dumps({
        "cox": {
            "median_s": median_cox, "runs_s": cox_times,
            "coef": [float(v) for v in cph.params_.values],
            "se": [float(v) for v in cph.standard_errors_.values],
            "concordance": float(concordance),
        },
        "km_logrank": {
            "median_s": median_km, "runs_s": km_times,
            "median_survival": float(median_survival), "logrank_statistic": float(logrank_stat),
        },
    }))


if __name__ == "__main__":
    main()
