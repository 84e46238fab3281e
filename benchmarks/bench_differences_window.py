"""The « Différences » tab after an edit (issue 14, « Performance »): one DRM typed in
the open scenario while the tab is shown, until its tables are refreshed and painted.

Offscreen, on the national sample (101 CRRA) and a synthetic scenario of 10 000 CRRA:
a few inputs are edited (DRM, an ETP retained, a parameter), the scenario as opened
becomes the reference, then DRM values are typed in the CRRA table model while the
tab shows each level (regions; CRRA of a region; hospitals). Prints the median of the
whole edit (model, every view, the tab's comparison and tables, the repaint), the
same edit without a reference (what the tab adds is the difference), the tab's
refresh alone, and the chart's redraw (it follows once typing pauses). Issue 14 asks
for the comparison's refresh ≤ 30 ms at 101 CRRA and ≤ 150 ms at 10 000. Run from
the repository root:

    QT_QPA_PLATFORM=offscreen python -m benchmarks.bench_differences_window [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.common import NATIONAL  # noqa: E402
from benchmarks.synthetic import synthetic_scenario  # noqa: E402
from migac_desktop.core.commands import SetCells, SetParameter  # noqa: E402
from migac_desktop.io.workbook import open_scenario  # noqa: E402
from migac_desktop.ui.main_window import MainWindow  # noqa: E402


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.1f} ms"


def make_variant(window: MainWindow) -> None:
    """Edits an ARS makes, then the scenario as opened as the reference."""
    doc = window.document
    n = len(doc.scenario.crra)
    cells = [(i, "drm", float(doc.scenario.crra["drm"].iloc[i]) * 1.05) for i in range(0, n, max(n // 8, 1))]
    cells.append((min(5, n - 1), "etp_arm_override", 30.0))
    doc.push(SetCells(doc.scenario, "CRRA", cells))
    doc.push(SetParameter(doc.scenario, "cout_etp_mr", 112_000.0))
    window.references.use_opened()


def type_drm(window: MainWindow, repeats: int) -> list[float]:
    app = QApplication.instance()
    model = window.crra_panel.model
    drm = model.column_of_key("drm")
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        model.setData(model.index(3, drm), f"{120000 + 17 * i}")
        app.processEvents()
        times.append(time.perf_counter() - start)
    return times


def run(label: str, load, repeats: int) -> None:
    app = QApplication.instance() or QApplication([])
    window = MainWindow()
    window.resize(1366, 740)
    load(window)
    window.show()
    panel = window.differences_panel
    window.tabs.setCurrentWidget(panel)
    app.processEvents()
    bare = type_drm(window, repeats)           # no reference yet
    make_variant(window)
    panel.pages.setCurrentIndex(1)
    app.processEvents()
    print(f"{label}: {panel.summary.text()}")
    print(f"  edit, no reference                  {ms(bare)}")
    region = panel.region.itemData(1)
    for level, where in (("region", None), ("crra", region), ("establishment", None)):
        panel.level.setCurrentIndex(panel.level.findData(level))
        panel.region.setCurrentIndex(max(panel.region.findData(where), 0))
        app.processEvents()
        edit = type_drm(window, repeats)
        refresh = []
        for _ in range(repeats):
            start = time.perf_counter()
            panel.refresh()
            refresh.append(time.perf_counter() - start)
        name = f"{level}" + (f" ({where})" if where else "")
        print(f"  {name:<34} edit {ms(edit)} · tab refresh {ms(refresh)}")
    chart = []
    for _ in range(max(3, repeats // 5)):
        start = time.perf_counter()
        panel._redraw_chart()
        window.differences_panel.chart.canvas.draw()
        chart.append(time.perf_counter() - start)
    print(f"  chart redraw                        {ms(chart)}")
    window.document.undo_stack.setClean()
    window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeats = 5 if args.quick else 25

    def national(window):
        loaded = open_scenario(NATIONAL)
        window.document.load(loaded.scenario, NATIONAL, loaded.problems, loaded.evaluation)

    run("Échantillon national (101 CRRA)", national, repeats)
    run("Synthétique (10 000 CRRA)", lambda w: w.document.load(synthetic_scenario(10_000), None),
        max(3, repeats // 5))


if __name__ == "__main__":
    main()
