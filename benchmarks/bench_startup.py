"""Start-up: from launching the program to a usable window, empty or with the national sample.

Each run launches the real program as a desktop would (a new process, under one Xvfb
server started beforehand, so the server's own start is not counted) with
``--smoke-test``: the program prints ``MIGAC-SMOKE …`` once its window is shown and
painted with the scenario open, then quits. The time is taken from the launch to that
line (interpreter start, imports, window, reading the workbook, first paint). Median of
``--runs`` launches after one warm-up launch (disk cache). Run from the repository root::

    python benchmarks/bench_startup.py                    # the installed program
    python benchmarks/bench_startup.py --program dist/migac-desktop/migac-desktop   # the bundle
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import NATIONAL, Row, Xvfb, emit_json, print_row

TARGET_EMPTY = 0.6
TARGET_NATIONAL = 1.0


def default_program() -> list[str]:
    script = Path(sys.executable).parent / "migac-desktop"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "migac_desktop.ui.app"]


def launch(program: list[str], args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """One launch: (seconds to the smoke line, peak resident memory in MB)."""
    start = time.perf_counter()
    process = subprocess.Popen([*program, "--smoke-test", *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=env, text=True)
    line = ""
    for line in process.stdout:
        if line.startswith("MIGAC-SMOKE"):
            break
    elapsed = time.perf_counter() - start
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if not line.startswith("MIGAC-SMOKE ok"):
        raise RuntimeError(f"le programme n'a pas ouvert sa fenêtre : {line!r}\n{process.stderr.read()}")
    return elapsed, usage.ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--program", help="le programme à lancer (par défaut migac-desktop de cet environnement)")
    parser.add_argument("--json", action="store_true", help="finir par une ligne BUDGET-JSON")
    args = parser.parse_args(argv)
    program = [str(Path(args.program).resolve())] if args.program else default_program()
    rows = []
    with tempfile.TemporaryDirectory() as tmp, Xvfb() as xvfb:
        env = xvfb.env()
        env.update(XDG_CONFIG_HOME=str(Path(tmp) / "config"), XDG_CACHE_HOME=str(Path(tmp) / "cache"))
        env.pop("MIGAC_SMOKE_TEST", None)
        # As on a user's machine: compiled modules are cached (pip compiles on install; an
        # editable install writes its cache on the first run, here the warm-up launch).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        where = f"Xvfb {xvfb.display}" if xvfb.display else "offscreen (pas de Xvfb)"
        print(f"Programme : {' '.join(program)} ; écran : {where}", flush=True)
        for label, file_args, target in (("démarrage → fenêtre vide", [], TARGET_EMPTY),
                                         ("démarrage → échantillon national ouvert", [str(NATIONAL)],
                                          TARGET_NATIONAL)):
            launch(program, file_args, env)                       # warm-up: disk cache
            times, memory = [], []
            for _ in range(args.runs):
                elapsed, peak = launch(program, file_args, env)
                times.append(elapsed)
                memory.append(peak)
            rows.append(Row(label, times, target))
            print_row(rows[-1])
            rows.append(Row(f"  mémoire au démarrage ({label.split('→ ')[1]})", memory, None, "MB"))
            print_row(rows[-1])
        if not args.program:
            # What the start-up is made of: the interpreter alone, then the two big imports.
            for label, code in (("  dont : interpréteur Python seul", "pass"),
                                ("  dont : import pandas (et numpy)", "import pandas"),
                                ("  dont : import PySide6.QtWidgets", "import PySide6.QtWidgets")):
                times = []
                for _ in range(args.runs):
                    start = time.perf_counter()
                    subprocess.run([sys.executable, "-c", code], env=env, check=True)
                    times.append(time.perf_counter() - start)
                rows.append(Row(label, times, None))
                print_row(rows[-1])
    if args.json:
        emit_json(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
