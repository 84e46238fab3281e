"""Performance figures of the core, the workbook I/O and the ``migac`` command.

Run from the repository root::

    python -m benchmarks.bench_core            # everything (about a minute)
    python -m benchmarks.bench_core --quick    # no million-CRRA run, fewer repeats

Prints, for each measure, the median, min and max over the repeats and the target
when there is one (``ok`` / ``MANQUÉ``). A script that prints figures, not a test:
timings depend on the machine, so nothing here fails a build.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.synthetic import synthetic_scenario  # noqa: E402
from migac_desktop.core.model import compute  # noqa: E402
from migac_desktop.core.validation import validate  # noqa: E402
from migac_desktop.io.csv_export import write_results_csv  # noqa: E402

ROWS: list[tuple] = []


def measure(label: str, func: Callable[[], object], repeats: int, *,
            setup: Callable[[], object] | None = None, target: float | None = None,
            warmup: int = 1) -> list[float]:
    """Time ``func(setup())`` (or ``func()``) ``repeats`` times; print and keep a row."""
    def once() -> float:
        arg = setup() if setup is not None else None
        gc.collect()
        start = time.perf_counter()
        if setup is not None:
            func(arg)
        else:
            func()
        return time.perf_counter() - start

    for _ in range(warmup):
        once()
    times = [once() for _ in range(repeats)]
    median = statistics.median(times)
    verdict = ""
    if target is not None:
        verdict = f"cible ≤ {_fmt(target)} : " + ("ok" if median <= target else "MANQUÉ")
    row = (label, median, min(times), max(times), repeats, verdict)
    ROWS.append(row)
    print(f"{label:<44} médiane {_fmt(median):>9}   min {_fmt(min(times)):>9}   "
          f"max {_fmt(max(times)):>9}   (n={repeats})   {verdict}", flush=True)
    return times


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.3f} s"


def bench_model(quick: bool) -> None:
    print("\n== Modèle : compute(scenario)")
    sizes = [(100, 200, 2e-3), (10_000, 50, 50e-3)]
    if not quick:
        sizes.append((1_000_000, 5, None))
    for n, repeats, target in sizes:
        scenario = synthetic_scenario(n)
        measure(f"compute {n:>9,} CRRA".replace(",", " "),
                lambda s=scenario: compute(s), repeats, target=target)
        del scenario

    print("\n== Validation : validate(scenario)")
    for n, repeats in ((100, 100), (10_000, 20)):
        scenario = synthetic_scenario(n)
        measure(f"validate {n:>7,} CRRA".replace(",", " "),
                lambda s=scenario: validate(s), repeats)

    print("\n== Tableaux de résultats (.crra, .regions, .establishments)")
    for n, repeats in ((100, 100), (10_000, 20)):
        scenario = synthetic_scenario(n)
        measure(f"frames {n:>9,} CRRA".replace(",", " "),
                lambda r: (r.crra, r.regions, r.establishments), repeats,
                setup=lambda s=scenario: compute(s))

    print("\n== Export CSV : write_results_csv (3 fichiers)")
    with tempfile.TemporaryDirectory() as tmp:
        for n, repeats, target in ((100, 50, None), (10_000, 10, 0.3)):
            results = compute(synthetic_scenario(n))
            measure(f"csv {n:>12,} CRRA".replace(",", " "),
                    lambda r=results: write_results_csv(r, tmp), repeats, target=target)


def bench_workbook(quick: bool) -> bool:
    print("\n== Classeur : io.workbook")
    try:
        from migac_desktop.io import workbook
    except ImportError as exc:
        print(f"   (io.workbook absent : {exc})")
        return False
    with tempfile.TemporaryDirectory() as tmp:
        for n, repeats in ((100, 10), (10_000, 3 if quick else 5)):
            scenario = synthetic_scenario(n)
            path = Path(tmp) / f"s{n}.xlsx"
            measure(f"write_scenario {n:>7,} CRRA".replace(",", " "),
                    lambda s=scenario, p=path: workbook.write_scenario(s, p), repeats)
            with_results = Path(tmp) / f"r{n}.xlsx"
            results = compute(scenario)
            measure(f"write_scenario+résultats {n:>6,}".replace(",", " "),
                    lambda s=scenario, p=with_results, r=results:
                    workbook.write_scenario(s, p, results=r), repeats)
            measure(f"read_scenario {n:>8,} CRRA".replace(",", " "),
                    lambda p=path: workbook.read_scenario(p), repeats)
            measure(f"open_scenario {n:>8,} CRRA".replace(",", " "),
                    lambda p=path: workbook.open_scenario(p), repeats)
    return True


def bench_cli(quick: bool) -> None:
    print("\n== Commande migac (processus complet)")
    env = dict(os.environ)
    env.pop("MIGAC_DEBUG", None)
    cmd = [sys.executable, "-m", "migac_desktop"]

    def run(*args: str) -> None:
        done = subprocess.run(cmd + list(args), capture_output=True, env=env, cwd=REPO)
        if done.returncode != 0:
            raise RuntimeError(done.stderr.decode("utf-8", "replace"))

    measure("migac --version", lambda: run("--version"), 5)
    try:
        from migac_desktop.io import workbook
    except ImportError:
        print("   (io.workbook absent : migac compute non mesuré)")
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s10000.xlsx"
        workbook.write_scenario(synthetic_scenario(10_000), path)
        out = Path(tmp) / "out"
        measure("migac compute 10 000 CRRA", lambda: run("compute", str(path), "--out", str(out)),
                5, target=2.0)
        measure("migac validate 10 000 CRRA", lambda: run("validate", str(path)), 3 if quick else 5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mesures de performance de MIGAC Desktop.")
    parser.add_argument("--quick", action="store_true", help="sans le million de CRRA")
    parser.add_argument("--only", choices=("model", "workbook", "cli"), help="une partie")
    args = parser.parse_args(argv)
    import numpy
    import pandas

    print(f"Python {platform.python_version()}, numpy {numpy.__version__}, "
          f"pandas {pandas.__version__}, {platform.machine()}, {os.cpu_count()} CPU")
    if args.only in (None, "model"):
        bench_model(args.quick)
    if args.only in (None, "workbook"):
        bench_workbook(args.quick)
    if args.only in (None, "cli"):
        bench_cli(args.quick)
    missed = [r for r in ROWS if "MANQUÉ" in r[5]]
    print("\nCibles manquées : " + (", ".join(r[0] for r in missed) if missed else "aucune"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
