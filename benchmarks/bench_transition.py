"""Cost of the transition policy (MODEL.md « Plafonné ») against the linear model.

Run from the repository root::

    python -m benchmarks.bench_transition            # 10 000 and 100 000 CRRA
    python -m benchmarks.bench_transition --quick    # 10 000 CRRA, fewer repeats
    python -m benchmarks.bench_transition --crra 500 --repeats 3     # any size

``compute`` runs the policy itself when `lissage_mode` is « Plafonné »; so for each level
(Établissement, Région, CRRA) and bounds, this times, interleaved so that they share the
machine's load, four calls on the same synthetic scenario: ``compute`` under « Linéaire »
and under « Plafonné », then ``validation.evaluate`` (what the window and the command line
call: the checks, the model once, the checks of its results) both ways. It prints each
median and the ratio « Plafonné » / « Linéaire » against issue 13's target: the whole
model with « Plafonné » under 2× the linear one at 10 000 CRRA.
A script that prints figures, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.synthetic import synthetic_scenario  # noqa: E402
from migac_desktop.core.model import compute  # noqa: E402
from migac_desktop.core.scenario import Scenario  # noqa: E402
from migac_desktop.core.validation import errors_of, evaluate  # noqa: E402

TARGET_RATIO = 2.0
LEVELS = ("Établissement", "Région", "CRRA")
# (label, perte_max_annuelle, gain_max_annuel)
BOUNDS = (("perte 0 %", 0.0, None), ("perte 2 %", 0.02, None), ("perte 2 %, gain 5 %", 0.02, 0.05))


def median_times(funcs: Sequence[Callable[[], object]], repeats: int) -> list[float]:
    """Median time of each of ``funcs``, run in turn, so that they share the machine's
    load (on a shared machine the load drifts between runs taken one after the other)."""
    for func in funcs:                       # warm-up
        func()
    times: list[list[float]] = [[] for _ in funcs]
    for _ in range(repeats):
        for func, kept in zip(funcs, times):
            gc.collect()
            start = time.perf_counter()
            func()
            kept.append(time.perf_counter() - start)
    return [statistics.median(kept) for kept in times]


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def _count(n: int) -> str:
    return f"{n:_}".replace("_", " ")


def with_policy(scenario: Scenario, level: str, floor: float | None, cap: float | None) -> Scenario:
    """The same scenario under « Plafonné » (its tables shared, not copied)."""
    params = scenario.parameters
    for key, value in (("lissage_mode", "Plafonné"), ("lissage_niveau", level),
                       ("perte_max_annuelle", floor), ("gain_max_annuel", cap)):
        params = params.with_value(key, value)
    return replace(scenario, parameters=params)


def bench(n: int, repeats: int) -> dict[str, list[float]]:
    """Prints one line per level and bounds; returns the ratios of compute and evaluate."""
    linear = synthetic_scenario(n)
    years = len(linear.smoothing)
    print(f"\n== {_count(n)} CRRA, {years} années de lissage, {repeats} répétitions (médianes)")
    ratios: dict[str, list[float]] = {"compute": [], "evaluate": []}
    for level in LEVELS:
        for label, floor, cap in BOUNDS:
            capped = with_policy(linear, level, floor, cap)
            outcome = compute(capped).transition.policy
            guaranteed = sum(int(y.guaranteed.sum()) for y in outcome.years)
            problems, _ = evaluate(capped)
            state = ("finançable" if outcome.unfinanceable is None
                     else f"NON FINANÇABLE en {outcome.unfinanceable.year}")
            if errors_of(problems) and outcome.unfinanceable is None:
                state += ", erreurs de validation"
            lin_c, cap_c, lin_v, cap_v = median_times(
                (lambda: compute(linear), lambda s=capped: compute(s),
                 lambda: evaluate(linear), lambda s=capped: evaluate(s)), repeats)
            ratio_c, ratio_v = cap_c / lin_c, cap_v / lin_v
            ratios["compute"].append(ratio_c)
            ratios["evaluate"].append(ratio_v)
            verdict = "ok" if ratio_c <= TARGET_RATIO else "MANQUÉ"
            print(f"{level + ', ' + label:<34} {guaranteed} unités-années garanties, {state}\n"
                  f"    compute  : linéaire {_fmt(lin_c):>9}   plafonné {_fmt(cap_c):>9}   "
                  f"× {ratio_c:.2f} (cible ≤ × {TARGET_RATIO:g} : {verdict})\n"
                  f"    evaluate : linéaire {_fmt(lin_v):>9}   plafonné {_fmt(cap_v):>9}   "
                  f"× {ratio_v:.2f}", flush=True)
    return ratios


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Coût de la politique de transition « Plafonné ».")
    parser.add_argument("--quick", action="store_true",
                        help="10 000 CRRA seulement, moins de répétitions")
    parser.add_argument("--crra", type=int, default=None,
                        help="une seule taille, ce nombre de CRRA")
    parser.add_argument("--repeats", type=int, default=None, help="répétitions par mesure")
    args = parser.parse_args(argv)
    import pandas

    print(f"Python {platform.python_version()}, numpy {np.__version__}, "
          f"pandas {pandas.__version__}, {platform.machine()}, {os.cpu_count()} CPU "
          "(machine partagée : comparer les rapports, mesurés entrelacés, plutôt que les temps)")
    first = args.crra or 10_000
    repeats = args.repeats or (15 if args.quick or args.crra else 41)
    ratios = bench(first, repeats)
    if not (args.quick or args.crra):
        bench(100_000, 7)
    print(f"\nÀ {_count(first)} CRRA, « Plafonné » / « Linéaire » : compute pire × "
          f"{max(ratios['compute']):.2f}, médiane × {statistics.median(ratios['compute']):.2f} "
          f"(cible ≤ × {TARGET_RATIO:g}) ; evaluate pire × {max(ratios['evaluate']):.2f}, "
          f"médiane × {statistics.median(ratios['evaluate']):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
