"""How quickly hostile and fuzzed files are refused: the timings the tests no longer assert.

``tests/test_safety.py`` and ``tests/test_fuzz.py`` keep only a generous hang guard, so that
a loaded machine never fails the suite; the targets live here. Run from the repository
root::

    python -m benchmarks.bench_hostile [--repeats 3] [--json]

Rows: each file of the hostile corpus opened in this process (target 5 s each), an
output sheet without its dimension (2 s), the pre-flight of an ordinary scenario (50 ms)
and ``migac validate`` on the corpus in a child process (10 s per file).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import hostile_files as hf  # noqa: E402

from benchmarks.common import Row, emit_json, print_row  # noqa: E402
from migac_desktop.io import safety  # noqa: E402
from migac_desktop.io.workbook import WorkbookError, open_scenario, write_scenario  # noqa: E402


def _open(path: Path) -> None:
    try:
        open_scenario(path)
    except WorkbookError:
        pass


def _timed(action, repeats: int) -> list[float]:
    values = []
    for _ in range(repeats):
        start = time.perf_counter()
        action()
        values.append(time.perf_counter() - start)
    return values


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="migac-bench-") as scratch:
        folder = Path(scratch)
        corpus = hf.build_corpus(folder / "corpus")
        for case, path in corpus:
            row = Row(f"ouvrir {case.name}", _timed(lambda p=path: _open(p), args.repeats), 5.0)
            rows.append(row)
            print_row(row)
        big = folder / "sortie.xlsx"
        hf._big_output(big)
        rows.append(Row("feuille de sortie sans dimension", _timed(lambda: _open(big), args.repeats), 2.0))
        print_row(rows[-1])
        ordinary = folder / "s.xlsx"
        write_scenario(hf.worked_example(), ordinary)
        rows.append(Row("pré-contrôle d'un scénario ordinaire",
                        _timed(lambda: safety.check_file(ordinary), 20), 0.05))
        print_row(rows[-1])
        paths = [str(path) for _, path in corpus]
        subprocess.run([sys.executable, "-m", "migac_desktop", "validate", paths[0]],  # warm-up
                       capture_output=True, cwd=ROOT, env=dict(os.environ, MIGAC_DEBUG="0"))
        values = []
        for path in paths:
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "migac_desktop", "validate", path],
                           capture_output=True, cwd=ROOT, env=dict(os.environ, MIGAC_DEBUG="0"))
            values.append(time.perf_counter() - start)
        rows.append(Row("migac validate, un fichier du corpus", values, 10.0))
        print_row(rows[-1])
    if args.json:
        emit_json(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
