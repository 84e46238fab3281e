"""The whole performance budget of issue 7 in one table (the one in docs/PERFORMANCE.md).

Runs, each in its own process, ``bench_startup.py`` (start-up to a usable window),
``bench_window.py`` (edit to refreshed views), ``bench_io.py`` (open and save in the
window) and ``bench_memory.py`` (peak memory, every chart shown), then prints the
machine and a Markdown table: median, min, max, target, verdict. When the stand-alone
program has been built (``scripts/build_bundle.sh``), its start-up is measured too.
About three minutes. Run from the repository root::

    python benchmarks/budget.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import ROOT, fmt, machine, rows_from_output

SCRIPTS = ("bench_startup.py", "bench_window.py", "bench_io.py", "bench_memory.py")
BUNDLE = ROOT / "dist" / "migac-desktop" / "migac-desktop"


def main() -> int:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)          # as installed: compiled modules cached
    before = machine()
    rows = []
    runs = [(script, [], "") for script in SCRIPTS]
    if BUNDLE.is_file():
        runs.insert(1, ("bench_startup.py", ["--program", str(BUNDLE)], "programme autonome : "))
    for script, extra, prefix in runs:
        print(f"… {script} {' '.join(extra)}", file=sys.stderr, flush=True)
        done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), "--json", *extra],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        sys.stderr.write("".join(line + "\n" for line in done.stdout.splitlines()
                                 if not line.startswith("BUDGET-JSON")))
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            return 1
        for row in rows_from_output(done.stdout):
            row.label = prefix + row.label.strip()
            rows.append(row)
    after_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print("| machine | |\n|---|---|")
    for key, value in before.items():
        print(f"| {key} | {value} |")
    print(f"| charge à la fin ({time.strftime('%H:%M')}) | {after_load} |")
    print()
    print("| mesure | médiane | min | max | n | cible | verdict |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        target = f"≤ {fmt(row.target, row.unit)}" if row.target is not None else ""
        verdict = "" if row.ok is None else ("**tenu**" if row.ok else "**manqué**")
        print(f"| {row.label.strip()} | {fmt(row.median, row.unit)} | {fmt(min(row.values), row.unit)} | "
              f"{fmt(max(row.values), row.unit)} | {len(row.values)} | {target} | {verdict} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
