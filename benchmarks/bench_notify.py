"""The hospitals' notifications: how long one region's and the whole scenario's take.

Measures ``write_notification_pdfs`` (what ``migac notify`` and the window call) in a
process that has read and computed the scenario:

1. a region of 12 hospitals (the national sample with the hospitals of two regions
   and a few more moved into one region, 12 FINESS): target 3 s (median);
2. the national sample's 96 hospitals: target 15 s (median);
3. the same 96 with the fonts and measured text of an earlier run (what the window
   reuses from one run to the next), for information;
4. the whole ``migac notify`` command on the national sample in a new process, for
   information.

Prints medians. Run from the repository root:

    python benchmarks/bench_notify.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SAMPLE = ROOT / "samples" / "scenario_national_2014.xlsx"
REGION_TARGET_S = 3.0
NATIONAL_TARGET_S = 15.0
REGION = "Région d'essai"
REGION_SIZE = 12


def measure(label: str, func, runs: int, target: float | None = None) -> float:
    walls = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        walls.append(time.perf_counter() - start)
    wall = statistics.median(walls)
    verdict = "" if target is None else (f" ; cible {target:g} s : "
                                         + ("atteinte" if wall <= target else "MANQUÉE"))
    print(f"{label:58s} médiane {wall:5.2f} s (min {min(walls):4.2f} s, "
          f"max {max(walls):4.2f} s, {runs} mesures){verdict}")
    return wall


def region_of_twelve(scenario):
    """The national scenario with 12 hospitals in one region."""
    crra = scenario.crra.copy()
    first = list(dict.fromkeys(crra["finess"]))[:REGION_SIZE]
    crra.loc[crra["finess"].isin(first), "region"] = REGION
    changed = scenario.copy()
    changed.crra = crra
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from migac_desktop.core.model import compute
    from migac_desktop.io.workbook import open_scenario
    from migac_desktop.ui.printing import Fonts, write_notification_pdfs

    scenario = open_scenario(SAMPLE).scenario
    results = compute(scenario)
    twelve = region_of_twelve(scenario)
    twelve_results = compute(twelve)
    n = int((twelve_results.establishments["region"] == REGION).sum())
    assert n == REGION_SIZE, n
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        write_notification_pdfs(scenario, results, out / "warm-up", finess=[])   # Qt started
        region = measure(f"Région de {REGION_SIZE} établissements", lambda: write_notification_pdfs(
            twelve, twelve_results, out / "region", region=REGION, source=SAMPLE), args.runs,
            REGION_TARGET_S)
        n_all = len(results.establishments)
        national = measure(f"Échantillon national ({n_all} établissements)",
                           lambda: write_notification_pdfs(scenario, results, out / "national",
                                                           source=SAMPLE),
                           args.runs, NATIONAL_TARGET_S)
        fonts = Fonts()
        write_notification_pdfs(scenario, results, out / "warm", source=SAMPLE, fonts=fonts)
        measure("Échantillon national, polices d'un premier passage", lambda:
                write_notification_pdfs(scenario, results, out / "warm", source=SAMPLE,
                                        fonts=fonts), args.runs)
        command = [sys.executable, "-m", "migac_desktop", "notify", str(SAMPLE), "--out",
                   str(out / "cli")]
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        measure("Commande migac notify (nouveau processus, national)",
                lambda: subprocess.run(command, check=True, capture_output=True, env=env),
                max(1, args.runs // 2))
    return 0 if region <= REGION_TARGET_S and national <= NATIONAL_TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
