"""The window with files: open, refuse, save and reopen, driven by object names."""

from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QTableView

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.io.workbook import open_scenario, write_scenario
from migac_desktop.ui.table_models import SORT_ROLE

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, None)


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes shown, answered at once (no modal loop in tests)."""
    shown = []

    def fake_exec(box):
        shown.append(box)
        return 0
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def unseen_scenario() -> Scenario:
    """A scenario the application never saw: 3 regions, custom bands, 4-year smoothing."""
    rows = []
    for i in range(9):
        rows.append(dict(crra_id=f"X-{i:02d}", label=f"Centre {i}", region=f"Région {i % 3}",
                         departement=f"{10 + i}", finess=f"{10 + i:02d}0000{i:02d}9",
                         establishment=f"CH {i}", drm=20_000 + 37_000 * i, geo_coef=0.02 * (i % 2),
                         historic=1_500_000 + 410_000 * i))
    return Scenario(
        crra=make_table(schema.CRRA, rows),
        bands=make_table(schema.BANDS, [dict(drm_min=0, etp_arm=10, etp_mr=5),
                                        dict(drm_min=90_000, etp_arm=20, etp_mr=9),
                                        dict(drm_min=250_000, etp_arm=40, etp_mr=18)]),
        smoothing=make_table(schema.SMOOTHING, [dict(year=2014, share=0.25), dict(year=2015, share=0.5),
                                                dict(year=2016, share=0.75), dict(year=2017, share=1.0)]))


def test_driven_by_object_names_on_unseen_scenario(window, tmp_path):
    path = tmp_path / "inconnu.xlsx"
    write_scenario(unseen_scenario(), path)
    assert window.open_path(path, ask=False)
    table = window.findChild(QTableView, "crraTable")
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    drm, modelled = headers.index("DRM"), headers.index("Montant modélisé")
    before = [model.data(model.index(r, modelled)) for r in range(model.rowCount())]
    assert model.setData(model.index(4, drm), "200 000,5", Qt.ItemDataRole.EditRole)
    edited = open_scenario(path).scenario
    edited.crra.loc[4, "drm"] = 200_000.5
    expected = compute(edited).crra["modelled"]
    shown = [model.data(model.index(r, modelled), SORT_ROLE) for r in range(model.rowCount())]
    assert shown == pytest.approx(list(expected), abs=1e-6)
    assert "Dotation 2017" in headers
    window.findChild(QAction, "actionUndo").trigger()
    assert [model.data(model.index(r, modelled)) for r in range(model.rowCount())] == before
    window.findChild(QAction, "actionRedo").trigger()
    window.findChild(QAction, "actionSave").trigger()
    assert not window.isWindowModified()
    reopened = open_scenario(path).scenario
    assert reopened.crra.loc[4, "drm"] == 200_000.5
    assert reopened.inputs_equal(edited)


def test_refused_file_leaves_open_scenario(window, tmp_path, boxes):
    assert window.open_path(SAMPLES / "exemple_modele.xlsx", ask=False)
    before = window.document.scenario.copy()
    bad = tmp_path / "faux.xlsx"
    bad.write_text("Identifiant;DRM\nSAMU-1;12\n", encoding="utf-8")
    assert not window.open_path(bad, ask=False)
    assert boxes and "faux.xlsx" in boxes[-1].text()
    assert window.document.scenario.inputs_equal(before)
    assert window.document.path.name == "exemple_modele.xlsx"
    # A readable workbook with errors is refused too, with located problems.
    invalid = before.copy()
    invalid.crra.loc[1, "drm"] = -3.0
    write_scenario(invalid, tmp_path / "invalide.xlsx")
    assert not window.open_path(tmp_path / "invalide.xlsx", ask=False)
    assert "feuille « CRRA », ligne 3, colonne « DRM »" in boxes[-1].informativeText()
    assert window.document.scenario.inputs_equal(before)


def test_save_as_and_reopen_equal(window, tmp_path, monkeypatch):
    assert window.open_path(SAMPLES / "scenario_region.xlsx", ask=False)
    model = window.crra_panel.model
    model.setData(model.index(0, model.column_of_key("historic")), "1 234 567", Qt.ItemDataRole.EditRole)
    target = tmp_path / "copie"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(target), XLSX))
    assert window.save_as()
    saved = tmp_path / "copie.xlsx"
    assert window.document.path == saved
    assert "copie.xlsx" in window.windowTitle() and not window.isWindowModified()
    reopened = open_scenario(saved)
    assert not reopened.errors
    assert reopened.scenario.inputs_equal(window.document.scenario)
    assert reopened.scenario.envelopes["amount"].iat[0] == window.document.scenario.envelopes["amount"].iat[0]


XLSX = "Classeurs Excel (*.xlsx)"


def test_failed_save_tells_and_keeps_document_modified(window, tmp_path, boxes, monkeypatch):
    assert window.open_path(SAMPLES / "exemple_modele.xlsx", ask=False)
    model = window.crra_panel.model
    model.setData(model.index(0, model.column_of_key("drm")), "1000", Qt.ItemDataRole.EditRole)
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: boxes.append(args))
    assert not window.save_to(tmp_path / "absent" / "x.xlsx")
    assert window.isWindowModified()
    assert "n'a pas pu être enregistré" in boxes[-1][2]


def test_new_scenario_and_from_sample(window, boxes):
    window.new_from_sample()
    assert len(window.document.scenario.crra) == 101
    assert window.document.path is None
    window.new_scenario()
    assert len(window.document.scenario.crra) == 0
    assert window.document.scenario.parameters.cout_etp_arm == 45000
    assert any("aucun CRRA" in p.message for p in window.document.problems)


def test_recent_files(window, tmp_path):
    window.open_path(SAMPLES / "exemple_modele.xlsx", ask=False)
    window.open_path(SAMPLES / "scenario_region.xlsx", ask=False)
    window._fill_recent_menu()
    names = [a.text() for a in window.recent_menu.actions()]
    assert names[:2] == ["&1 scenario_region.xlsx", "&2 exemple_modele.xlsx"]


def test_entry_point_reuses_application_and_returns(qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from migac_desktop.ui import app as app_module
    seen = []

    def close_window():
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "MainWindow" and w.isVisible():
                seen.append(w.document.path.name if w.document.path else None)
                w.close()
    QTimer.singleShot(300, close_window)
    assert app_module.main([str(SAMPLES / "exemple_modele.xlsx")]) == 0
    assert seen == ["exemple_modele.xlsx"]


def test_national_sample_opens_with_every_figure(window):
    assert window.open_path(SAMPLES / "scenario_national_2014.xlsx", ask=False)
    assert window.crra_panel.model.rowCount() == 101
    assert "227\u00a0730\u00a0000\u00a0€" in window.totals.text()
    assert window.comparison_panel.model.rowCount() == 26


def test_regions_sort_in_french_order(window):
    assert window.open_path(SAMPLES / "scenario_national_2014.xlsx", ask=False)
    window.tabs.setCurrentWidget(window.comparison_panel)
    proxy = window.comparison_panel.proxy
    names = [proxy.data(proxy.index(r, 0)) for r in range(proxy.rowCount())]
    assert names.index("Haute-Normandie") < names.index("Île-de-France") < names.index("Languedoc-Roussillon")
    panel = window.crra_panel
    window.tabs.setCurrentWidget(panel)
    panel.model.sort(panel.model.column_of_key("region"), Qt.SortOrder.AscendingOrder)
    regions = [panel.model.data(panel.model.index(r, panel.model.column_of_key("region")))
               for r in range(panel.model.rowCount())]
    assert regions.index("Île-de-France") < regions.index("Languedoc-Roussillon")
