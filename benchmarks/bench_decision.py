"""Decision aids against issue 15's targets: the tornado of one unit, the goal seek.

Run from the repository root::

    python -m benchmarks.bench_decision            # national sample and 10 000 CRRA
    python -m benchmarks.bench_decision --quick    # fewer repeats

Prints the median time of:

- the tornado of one region (16 varied scenarios computed by the model, plus the base):
  from the scenario alone (the base evaluated too) and from the window's results (the
  base given), on the national sample (target ≤ 50 ms) and on 10 000 synthetic CRRA
  (target ≤ 1 s);
- the goal seek on the national sample (target ≤ 100 ms): a CRRA's retained ETP ARM, its
  DRM across band boundaries, and a national cost for a region's effet revenu.

A script that prints figures, not a test: nothing here fails a build.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.common import NATIONAL, Row, print_row  # noqa: E402
from benchmarks.synthetic import synthetic_scenario  # noqa: E402
from migac_desktop.core.goal_seek import GoalInput, GoalTarget, goal_seek  # noqa: E402
from migac_desktop.core.sensitivity import tornado  # noqa: E402
from migac_desktop.core.validation import computed  # noqa: E402
from migac_desktop.io.workbook import read_scenario  # noqa: E402

TORNADO_NATIONAL = 0.050
TORNADO_10K = 1.0
GOAL_SEEK_NATIONAL = 0.100


def times(func: Callable[[], object], repeats: int) -> list[float]:
    func()                                    # warm-up
    out = []
    for _ in range(repeats):
        gc.collect()
        start = time.perf_counter()
        func()
        out.append(time.perf_counter() - start)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else 21

    national = read_scenario(NATIONAL).scenario
    base = computed(national)
    region = str(base.region_names[0])
    big = synthetic_scenario(10_000)
    big_base = computed(big)
    big_region = str(big_base.region_names[0])

    rows = [
        Row("tornado d'une région, échantillon national (101 CRRA)",
            times(lambda: tornado(national, "modelled", "region", region), repeats), TORNADO_NATIONAL),
        Row("  idem, résultats de la fenêtre fournis",
            times(lambda: tornado(national, "modelled", "region", region, base=base), repeats),
            TORNADO_NATIONAL),
        Row("tornado d'une région, 10 000 CRRA",
            times(lambda: tornado(big, "modelled", "region", big_region), max(3, repeats // 3)),
            TORNADO_10K),
        Row("  idem, résultats de la fenêtre fournis",
            times(lambda: tornado(big, "modelled", "region", big_region, base=big_base),
                  max(3, repeats // 3)), TORNADO_10K),
    ]
    for row in rows:
        print_row(row)

    crra_id = str(national.crra["crra_id"].iat[34])
    questions = {
        "valeur cible : ETP ARM retenus d'un CRRA": (
            GoalInput.crra(34, "etp_arm_override"),
            GoalTarget("modelled", float(base.crra_arrays["historic"][34]), "crra", crra_id)),
        "valeur cible : DRM d'un CRRA (hors de sa tranche)": (
            GoalInput.crra(34, "drm"), GoalTarget("modelled", 2_600_000.0, "crra", crra_id)),
        "valeur cible : DRM d'un CRRA (cible inatteignable)": (
            GoalInput.crra(34, "drm"), GoalTarget("modelled", 3_000_000.0, "crra", crra_id)),
        "valeur cible : coût d'un ETP de MR, effet revenu d'une région": (
            GoalInput.parameter("cout_etp_mr"), GoalTarget("revenue_effect", 0.0, "region", region)),
    }
    for label, (goal, target) in questions.items():
        row = Row(label, times(lambda g=goal, t=target: goal_seek(national, g, t, base=base), repeats),
                  GOAL_SEEK_NATIONAL)
        print_row(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
