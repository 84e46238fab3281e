"""Open and save in the window: the national sample and 10 000 CRRA.

« Ouvrir » is measured from ``open_path`` to the views repainted with the new scenario
(read in a worker thread, validation, model, table caches, panels); « Enregistrer »
is ``save_to`` (scenario and result sheets, written in a worker thread). For the
10 000 CRRA file, a probe checks that the progress dialog is on screen after 0.6 s
(the window shows it for any operation over half a second). Then the writer alone:
``write_scenario`` with the results already computed, the budget of issue 12 for any
other writer (national ≤ 50 ms, 10 000 CRRA ≤ 1,2 s), and with « Plafonné » by hospital
(its sheet « Lissage plafonné » in formulas: at most twice that). Offscreen, like
``bench_window.py``. Run from the repository root::

    python benchmarks/bench_io.py
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from benchmarks.common import NATIONAL, Row, emit_json, print_row
from benchmarks.synthetic import synthetic_scenario

TARGETS = {"national": (0.3, 0.5), "10 000 CRRA": (3.0, 5.0)}
WRITER_TARGETS = {"national": 0.05, "10 000 CRRA": 1.2, "10 000 CRRA, Plafonné": 2.4}


def timed(func) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    QApplication.processEvents()                  # the views repaint
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="mesures pour l'échantillon national")
    parser.add_argument("--big-runs", type=int, default=5, help="mesures pour 10 000 CRRA")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("MIGAC-bench")
    from migac_desktop.core.validation import evaluate
    from migac_desktop.io.workbook import open_scenario, write_scenario
    from migac_desktop.ui.main_window import MainWindow

    window = MainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "10000_crra.xlsx"
        big_scenario = synthetic_scenario(10_000)
        write_scenario(big_scenario, big)
        for name, source, runs in (("national", NATIONAL, args.runs), ("10 000 CRRA", big, args.big_runs)):
            open_target, save_target = TARGETS[name]
            out = Path(tmp) / f"enregistre_{name.replace(' ', '_')}.xlsx"
            window.open_path(source, ask=False)                 # warm-up (imports, caches)
            window.save_to(out)
            opened = [timed(lambda source=source: window.open_path(source, ask=False)) for _ in range(runs)]
            rows.append(Row(f"ouvrir ({name}) jusqu'aux vues rafraîchies", opened, open_target))
            print_row(rows[-1])
            saved = [timed(lambda out=out: window.save_to(out)) for _ in range(runs)]
            rows.append(Row(f"enregistrer ({name}), avec les résultats", saved, save_target))
            print_row(rows[-1])
        seen = []

        def probe():
            dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
            seen.append(dialogs[0].labelText() if dialogs else None)
        QTimer.singleShot(600, probe)
        window.open_path(big, ask=False)
        QTimer.singleShot(600, probe)
        window.save_to(Path(tmp) / "encore.xlsx")
        print(f"barre de progression à 0,6 s (10 000 CRRA) : ouverture {seen[0]!r}, "
              f"enregistrement {seen[1] if len(seen) > 1 else None!r}", flush=True)
        national = open_scenario(NATIONAL).scenario
        capped = big_scenario.copy()
        capped.parameters = (capped.parameters.with_value("lissage_mode", "Plafonné")
                             .with_value("perte_max_annuelle", 0.02))
        for name, scenario, runs in (("national", national, args.runs),
                                     ("10 000 CRRA", big_scenario, args.big_runs),
                                     ("10 000 CRRA, Plafonné", capped, args.big_runs)):
            results = evaluate(scenario)[1]
            out = Path(tmp) / "ecrit.xlsx"
            write_scenario(scenario, out, results=results)      # warm-up
            written = [timed(lambda s=scenario, r=results, out=out: write_scenario(s, out, results=r))
                       for _ in range(runs)]
            rows.append(Row(f"écrire le classeur ({name}), résultats calculés", written,
                            WRITER_TARGETS[name]))
            print_row(rows[-1])
    window.document.undo_stack.setClean()
    window.close()
    if args.json:
        emit_json(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
