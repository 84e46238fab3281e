"""The transition benchmark runs and prints its figures (its timings are not checked: a
benchmark is read, never asserted)."""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ``benchmarks`` lives at the repository root
    sys.path.insert(0, str(REPO))

from benchmarks import bench_transition  # noqa: E402


def test_bench_transition_times_every_level_and_bounds(capsys):
    assert bench_transition.main(["--crra", "60", "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    for level in bench_transition.LEVELS:
        for label, _, _ in bench_transition.BOUNDS:
            assert f"{level}, {label} " in out, (level, label)
    n = len(bench_transition.LEVELS) * len(bench_transition.BOUNDS)
    assert out.count("compute  : linéaire") == n and out.count("evaluate : linéaire") == n
    assert "À 60 CRRA, « Plafonné » / « Linéaire » : compute pire ×" in out
    assert "NON FINANÇABLE" not in out          # the synthetic scenario's bounds are financeable
