"""Edit-to-refreshed-views in the window: one DRM typed, every view up to date.

Measures, offscreen, the whole path a keystroke takes: ``setData`` on the CRRA
table model → undo command → validation → model → table caches → panels →
the event loop's repaint of every view that changed (``processEvents`` runs
the paint events; a filter checks the table really painted). Charts redraw
after the edits pause (a matplotlib redraw is longer than a frame); their
redraw time is printed on its own. Prints medians; the targets are one frame
(16 ms) for the national sample and 100 ms for 10 000 CRRA. Run from the
repository root:

    QT_QPA_PLATFORM=offscreen python benchmarks/bench_window.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QObject, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from benchmarks.synthetic import synthetic_scenario  # noqa: E402
from migac_desktop.io.workbook import open_scenario  # noqa: E402
from migac_desktop.ui.main_window import MainWindow  # noqa: E402


class PaintCounter(QObject):
    count = 0

    def eventFilter(self, _obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


painted = PaintCounter()
ROWS: list[tuple[str, list[float], float]] = []      # for ``--json`` (benchmarks/budget.py)


def edit_to_refresh(window: MainWindow, repeats: int) -> list[float]:
    app = QApplication.instance()
    panel = window.crra_panel
    model, view = panel.model, panel.view
    view.viewport().installEventFilter(painted)
    drm = model.column_of_key("drm")
    view.setCurrentIndex(model.index(3, drm))
    app.processEvents()
    times = []
    for i in range(repeats):
        value = f"{120000 + 17 * i},5"
        painted.count = 0
        start = time.perf_counter()
        model.setData(model.index(3, drm), value, Qt.ItemDataRole.EditRole)
        app.processEvents()
        times.append(time.perf_counter() - start)
        assert painted.count >= 1, "the table did not repaint"
    window.document.undo_stack.setClean()
    return times


def report(label: str, times: list[float], target_ms: float) -> None:
    ROWS.append((label, times, target_ms / 1000))
    med = statistics.median(times) * 1000
    verdict = "OK" if med <= target_ms else "DÉPASSÉ"
    print(f"{label:<46} médiane {med:7.2f} ms  (min {min(times) * 1000:6.2f}, "
          f"max {max(times) * 1000:6.2f})  cible ≤ {target_ms:g} ms  {verdict}")


def main() -> int:
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("MIGAC-bench")
    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    window.document.load(open_scenario(ROOT / "samples" / "scenario_national_2014.xlsx").scenario, None)
    window.crra_panel.view.setCurrentIndex(window.crra_panel.model.index(3, 0))
    report("échantillon national (101 CRRA), onglet CRRA", edit_to_refresh(window, 60), 16)
    window.tabs.setCurrentIndex(2)
    app.processEvents()
    chart = window.comparison_panel
    times = []
    for _ in range(10):
        start = time.perf_counter()
        chart._redraw_chart()
        app.processEvents()
        times.append(time.perf_counter() - start)
    report("graphique de comparaison redessiné (différé)", times, 250)
    window.tabs.setCurrentIndex(0)
    window.document.load(synthetic_scenario(10_000), None)
    app.processEvents()
    report("10 000 CRRA, onglet CRRA", edit_to_refresh(window, 20), 100)
    window.close()
    if "--json" in sys.argv[1:]:
        from benchmarks.common import Row, emit_json
        emit_json([Row(label, times, target) for label, times, target in ROWS])
    return 0


if __name__ == "__main__":
    sys.exit(main())
