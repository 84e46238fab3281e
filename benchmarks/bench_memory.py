"""Peak memory with the national sample open and every chart shown.

A fresh process (under Xvfb when available) opens the national sample in the window
(1366 × 768), then shows every tab and every chart: the three comparison charts at the
three levels, the smoothing chart at every level (France, a region, all the CRRA of
the region, an establishment, a CRRA), each drawn for real; then reports its peak
resident memory (``getrusage`` ``ru_maxrss``). Median of ``--runs`` processes. Run
from the repository root::

    python benchmarks/bench_memory.py
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import NATIONAL, Row, Xvfb, emit_json, print_row

TARGET_MB = 250


def child() -> int:
    import resource

    from PySide6.QtWidgets import QApplication

    from migac_desktop.ui.main_window import MainWindow
    app = QApplication(["migac-desktop"])
    app.setOrganizationName("MIGAC-bench")
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    assert window.open_path(NATIONAL, ask=False)
    drawn = 0

    def settle(view) -> None:
        nonlocal drawn
        deadline = time.perf_counter() + 2
        while time.perf_counter() < deadline:
            app.processEvents()
            time.sleep(0.01)
            if view.canvas is not None and not view.dirty and not any(
                    t.isActive() for t in (comparison._chart_timer, smoothing._chart_timer)):
                break
        view.canvas.draw()                     # rendered for real, not only scheduled
        app.processEvents()
        drawn += 1

    comparison, smoothing = window.comparison_panel, window.smoothing_panel
    window.tabs.setCurrentWidget(window.parameters_panel)
    app.processEvents()
    window.tabs.setCurrentWidget(comparison)
    for level in range(comparison.level.count()):
        comparison.level.setCurrentIndex(level)
        for kind in range(comparison.chart_kind.count()):
            comparison.chart_kind.setCurrentIndex(kind)
            settle(comparison.chart)
    window.tabs.setCurrentWidget(smoothing)
    for level in range(smoothing.level.count()):
        smoothing.level.setCurrentIndex(level)
        smoothing.entity.setCurrentIndex(min(1, smoothing.entity.count() - 1))
        settle(smoothing.chart)
        if smoothing.all_crra.isEnabled():
            smoothing.all_crra.setChecked(True)
            settle(smoothing.chart)
            smoothing.all_crra.setChecked(False)
    window.tabs.setCurrentWidget(window.crra_panel)
    app.processEvents()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"MEMORY {peak:.1f} {drawn}", flush=True)
    window.document.undo_stack.setClean()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child()
    peaks = []
    with tempfile.TemporaryDirectory() as tmp, Xvfb() as xvfb:
        env = xvfb.env()
        env.update(XDG_CONFIG_HOME=str(Path(tmp) / "config"))
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, __file__, "--child"], env=env, capture_output=True,
                                  text=True, timeout=300)
            line = [x for x in done.stdout.splitlines() if x.startswith("MEMORY")]
            if done.returncode != 0 or not line:
                raise RuntimeError(done.stdout + done.stderr)
            _, peak, drawn = line[0].split()
            peaks.append(float(peak))
    print(f"({drawn} graphiques dessinés par processus ; écran : {xvfb.display or 'offscreen'})")
    row = Row("mémoire de pointe : échantillon national, tous les graphiques", peaks, TARGET_MB, "MB")
    print_row(row)
    if args.json:
        emit_json([row])
    return 0


if __name__ == "__main__":
    sys.exit(main())
