"""Cost of comparing a scenario with a reference (issue 14, « Performance »).

Run from the repository root::

    python -m benchmarks.bench_comparison            # 101 and 10 000 CRRA
    python -m benchmarks.bench_comparison --quick    # fewer repeats
    python -m benchmarks.bench_comparison --json     # and the BUDGET-JSON line

The reference A is the national sample (101 CRRA) and a synthetic scenario of 10 000
CRRA (benchmarks/synthetic.py); B is a variant of each
as an ARS makes one: 1 % of the DRM changed, a few overrides, three CRRA removed and
three added, a parameter, a smoothing share and a notified envelope. For each size,
prints the median time of the input differences, of the result differences (with B's
results fresh, as after an edit: their region and hospital frames not built yet; and
already grouped) and of what the window redoes after an edit of B (the model on B,
then both differences).
Issue 14 asks for the refresh ≤ 30 ms at 101 CRRA and ≤ 150 ms at 10 000.
A script that prints figures, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import NATIONAL, Row, emit_json, print_row  # noqa: E402
from benchmarks.synthetic import synthetic_crra, synthetic_scenario  # noqa: E402
from migac_desktop.core import schema  # noqa: E402
from migac_desktop.core.comparison import compare_results, input_differences  # noqa: E402
from migac_desktop.core.model import Results, compute  # noqa: E402
from migac_desktop.core.scenario import Scenario, make_table  # noqa: E402

TARGETS = {101: 0.030, 10_000: 0.150}


def variant(a: Scenario, seed: int = 1) -> Scenario:
    """B: an ARS's variant of A."""
    rng = np.random.default_rng(seed)
    b = a.copy()
    n = len(b.crra)
    crra = b.crra.copy()
    changed = rng.choice(n, max(1, n // 100), replace=False)
    crra.loc[changed, "drm"] = crra.loc[changed, "drm"] + 1000.0
    override = rng.choice(n, max(1, n // 200), replace=False)
    crra.loc[override, "etp_arm_override"] = 30.0
    crra = crra.drop(index=rng.choice(n, 3, replace=False)).reset_index(drop=True)
    added = synthetic_crra(3, seed=seed + 100)
    added["crra_id"] = [f"SAMU-NOUVEAU-{i}" for i in range(3)]
    b.crra = pd.concat([crra, added], ignore_index=True)
    b.parameters = b.parameters.with_value("frais_par_drm", 1.6)
    b.smoothing.loc[0, "share"] = 0.25
    region = str(a.crra["region"].iloc[0])
    b.envelopes = make_table(schema.ENVELOPES, [dict(region=region, year=2015, amount=1e7)])
    return b


def fresh(results: Results) -> Results:
    """The same results without their frames built (cached), as a recompute gives them."""
    return dataclasses.replace(results)


def median_times(funcs: list[Callable[[], object]], repeats: int) -> list[list[float]]:
    """Each of ``funcs`` timed in turn, ``repeats`` times, so that they share the load."""
    for func in funcs:
        func()
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeats):
        for func, kept in zip(funcs, times):
            gc.collect()
            start = time.perf_counter()
            func()
            kept.append(time.perf_counter() - start)
    return times


def reference(n: int) -> Scenario:
    if n == 101 and NATIONAL.exists():
        from migac_desktop.io.workbook import open_scenario

        return open_scenario(NATIONAL).scenario
    return synthetic_scenario(n)


def bench(n: int, repeats: int) -> list[Row]:
    a = reference(n)
    b = variant(a)
    ra, rb = compute(a), compute(b)
    ra.regions, ra.establishments          # noqa: B018 - the reference's frames, built once
    n_inputs = len(input_differences(a, b))
    print(f"\n== {n:,} CRRA : {n_inputs} différences d'entrée".replace(",", " "), flush=True)

    def refresh():
        results = compute(b)
        return input_differences(a, b), compare_results(ra, results)

    labels = ("écarts d'entrée", "écarts de résultats (B frais)",
              "écarts de résultats (B regroupé)", "modèle sur B seul",
              "rafraîchir : modèle B + écarts")
    funcs: list[Callable[[], object]] = [
        lambda: input_differences(a, b),
        lambda: compare_results(ra, fresh(rb)),
        lambda: compare_results(ra, rb),
        lambda: compute(b),
        refresh,
    ]
    rows = []
    for label, times in zip(labels, median_times(funcs, repeats)):
        target = TARGETS.get(n) if label.startswith("rafraîchir") else None
        row = Row(f"compare {n} CRRA : {label}", times, target)
        print_row(row)
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    parser.add_argument("--json", action="store_true", help="end with the BUDGET-JSON line")
    args = parser.parse_args(argv)
    repeats = 7 if args.quick else 25
    rows: list[Row] = []
    for n in (101, 10_000):
        rows += bench(n, repeats)
    if args.json:
        emit_json(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
