"""Screenshots of each view on the national sample, for docs/screenshots/.

Run under Xvfb at a given screen size (imagemagick's ``import`` grabs the
screen, as a user would see it):

    xvfb-run -s "-screen 0 1366x768x24" .venv/bin/python scripts/screenshots.py docs/screenshots 1366x768

With ``--plafonne``, only the smoothing tab under the transition policy « Plafonné »
(losses capped at 2 % a year per hospital, set in the form as a user would): a region
and a floored hospital, both paths drawn.
"""

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from migac_desktop.ui.main_window import MainWindow  # noqa: E402


def main() -> None:
    plafonne = "--plafonne" in sys.argv
    args = [a for a in sys.argv if a != "--plafonne"]
    out = Path(args[1])
    size = args[2] if len(args) > 2 else "1366x768"
    sample = Path(args[3]) if len(args) > 3 else ROOT / "samples" / "scenario_national_2014.xlsx"
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    app.setOrganizationName("MIGAC-screenshots")
    window = MainWindow()
    window.open_path(sample, ask=False)
    window.showMaximized()
    steps = []

    def shot(name):
        def run():
            app.processEvents()
            subprocess.run(["import", "-window", "root", str(out / f"fenetre-{name}-{size}.png")], check=True)
        return run

    def select_crra():
        panel = window.crra_panel
        panel.view.setCurrentIndex(panel.model.index(12, 0))

    def tab(i):
        return lambda: window.tabs.setCurrentIndex(i)

    def smoothing_region():
        window.tabs.setCurrentIndex(3)
        window.smoothing_panel.show_entity("region", "Bretagne")

    def smoothing_all():
        window.smoothing_panel.all_crra.setChecked(True)

    def comparison_chart(kind):
        def run():
            panel = window.comparison_panel
            panel.chart_kind.setCurrentIndex(panel.chart_kind.findData(kind))
        return run

    def region_sum():
        # The working region, and « Somme » of three DRM cells in the status bar.
        from PySide6.QtCore import QItemSelection, QItemSelectionModel
        window.tabs.setCurrentIndex(0)
        panel = window.crra_panel
        panel.set_region("Bretagne")
        c = panel.model.column_of_key("drm")
        panel.view.setCurrentIndex(panel.model.index(0, c))
        block = QItemSelection(panel.model.index(0, c), panel.model.index(2, c))
        panel.view.selectionModel().select(block, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        panel.view.setFocus()

    steps += [select_crra, shot("crra"), region_sum, shot("crra-region-somme"),
              tab(2), shot("comparaison-region"), lambda: panel_all(window),
              tab(1), shot("parametres"), tab(2), shot("comparaison"),
              comparison_chart("effect"), shot("comparaison-effet"),
              comparison_chart("scatter"), shot("comparaison-nuage"),
              tab(3), shot("lissage-national"), smoothing_region, shot("lissage-region"),
              smoothing_all, shot("lissage-region-crra")]

    def panel_all(window):
        window.crra_panel.set_region(None)

    def policy():
        # Through the form's editors, each edit one command, as typed by a user.
        form = window.parameters_panel.form
        window.tabs.setCurrentIndex(1)
        form.editors["lissage_mode"].setCurrentText("Plafonné")
        form.editors["perte_max_annuelle"].setText("2")
        form.editors["perte_max_annuelle"].editingFinished.emit()

    def smoothing(level, key):
        def run():
            window.tabs.setCurrentIndex(3)
            window.smoothing_panel.show_entity(level, key)
        return run

    if plafonne:
        steps = [policy, smoothing("region", "Bretagne"), shot("lissage-plafonne-region"),
                 smoothing("establishment", "050729433"), shot("lissage-plafonne-etablissement")]

    def next_step():
        if not steps:
            window.document.undo_stack.setClean()
            window.close()
            app.quit()
            return
        steps.pop(0)()
        QTimer.singleShot(700, next_step)

    QTimer.singleShot(1500, next_step)
    app.exec()


if __name__ == "__main__":
    main()
