"""The « Différences » tab (issue 14, items 1–3): choosing a reference, the input differences
and where they lead, the result differences at three levels, live after each edit."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import open_window
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from migac_desktop.core import comparison_text as words
from migac_desktop.core.commands import SetCells, SetParameter
from migac_desktop.core.comparison import InputDifference, compare_results
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import format_euros, format_signed_euros
from migac_desktop.io.workbook import write_scenario
from migac_desktop.ui.table_models import SORT_ROLE

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EDIT = Qt.ItemDataRole.EditRole


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes shown, answered at once (no modal loop in tests)."""
    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    return shown


@pytest.fixture
def window(qtbot, example, tmp_path, monkeypatch):
    w = open_window(qtbot, tmp_path, monkeypatch, example)
    w.tabs.setCurrentWidget(w.differences_panel)
    return w


def rows(model):
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def column(model, key):
    keys = [c.key for c in model.columns]
    return keys.index(key)


def shown_inputs(panel):
    proxy = panel.input_proxy
    return [[proxy.data(proxy.index(r, c)) for c in range(proxy.columnCount())]
            for r in range(proxy.rowCount())]


def edit_drm(window, crra_id, value):
    frame = window.document.scenario.crra
    position = int(np.flatnonzero(frame["crra_id"].to_numpy() == crra_id)[0])
    window.document.push(SetCells(window.document.scenario, "CRRA", [(position, "drm", value)]))
    return position


def test_choose_a_file_as_reference(window, tmp_path, monkeypatch, example, qtmodeltester):
    reference = example.copy()
    reference.crra.loc[0, "drm"] = 50_000.0
    reference.crra.loc[3, "etp_mr_override"] = 12.0
    reference.parameters = reference.parameters.with_value("cout_etp_arm", 46_000.0)
    path = tmp_path / "référence.xlsx"
    write_scenario(reference, path)
    asked = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda *a: asked.append(a[1]) or (str(path), ""))
    assert not window.references.actionRemove.isEnabled()
    window.references.actionFile.trigger()
    assert asked == ["Choisir le scénario de référence"]
    panel = window.differences_panel
    assert "« référence.xlsx »" in panel.reference_label.text()
    assert window.references.actionRemove.isEnabled() and panel.remove_button.isEnabled()
    assert rows(panel.input_model) == [
        ["Paramètres", "Coût annuel d'un ETP d'ARM", "Valeur", format_euros(46_000), format_euros(45_000),
         format_signed_euros(-1000)],
        ["CRRA", "SAMU-A1", "DRM", "50\u00a0000", "45\u00a0000", "−5\u00a0000"],
        ["CRRA", "SAMU-B2", "ETP MR retenus", "12", "(vide)", ""],
    ]
    assert panel.pages.tabText(0) == "Données d'entrée (3)"
    assert panel.summary.text().startswith("3 données d'entrée différentes")
    # The results: every region differs (the ETP cost moves every CRRA), deltas b − a.
    expected = compare_results(compute(reference), window.document.results)
    model = panel.result_model
    assert model.rowCount() == 2
    delta = column(model, "delta_modelled")
    got = {model.key_of(r): model.data(model.index(r, delta), SORT_ROLE) for r in range(2)}
    frame = expected.regions.frame.set_index("region")
    assert got == pytest.approx(frame["delta_modelled"].to_dict())
    # Rows by the size of the difference, largest first.
    sizes = [abs(model.data(model.index(r, delta), SORT_ROLE)) for r in range(2)]
    assert sizes == sorted(sizes, reverse=True)
    total = format_signed_euros(float(frame["delta_modelled"].sum()))
    assert f"écart total du montant modélisé {total}" in panel.summary.text()
    qtmodeltester.check(panel.input_model)
    qtmodeltester.check(model)
    # « Retirer la référence »: nothing compared any more.
    panel.remove_button.click()
    assert window.references.reference is None
    assert panel.input_model.rowCount() == 0 and model.rowCount() == 0
    assert "Aucun scénario de référence" in panel.summary.text()


def test_refused_reference_leaves_scenario_and_reference(window, tmp_path, boxes, example):
    before = window.document.scenario.copy()
    bad = tmp_path / "faux.xlsx"
    bad.write_text("Identifiant;DRM\nSAMU-1;12\n", encoding="utf-8")
    assert not window.references.load_file(bad)
    assert boxes and "faux.xlsx" in boxes[-1].text()
    assert "Le scénario ouvert et la référence en cours n'ont pas été modifiés" in boxes[-1].text()
    assert window.references.reference is None
    # A first reference, then an invalid workbook: refused with a located problem, the
    # first reference kept.
    good = tmp_path / "bonne.xlsx"
    write_scenario(example, good)
    assert window.references.load_file(good)
    invalid = example.copy()
    invalid.crra.loc[1, "drm"] = -3.0
    write_scenario(invalid, tmp_path / "invalide.xlsx")
    assert not window.references.load_file(tmp_path / "invalide.xlsx")
    assert "feuille « CRRA », ligne 3, colonne « DRM »" in boxes[-1].informativeText()
    assert window.references.reference.path == good
    assert window.document.scenario.inputs_equal(before)
    assert not window.document.modified


def test_as_opened_after_an_edit_shows_exactly_that_edit(window):
    edit_drm(window, "SAMU-A2", 120_000.0)
    window.references.actionOpened.trigger()
    panel = window.differences_panel
    assert "tel qu'à l'ouverture" in panel.reference_label.text()
    assert rows(panel.input_model) == [["CRRA", "SAMU-A2", "DRM", "100\u00a0000", "120\u00a0000",
                                        "+20\u00a0000"]]
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    model = panel.result_model
    # DRM changes the band of SAMU-A2 and the calibration of every CRRA: all differ.
    assert model.rowCount() == 4
    assert model.key_of(0) == "SAMU-A2"          # the largest difference comes first


def test_as_last_saved_reads_the_file_again(window, tmp_path, boxes):
    assert not window.references.actionSaved.isEnabled()      # never saved: no file
    assert not window.references.use_saved()
    assert "pas encore été enregistré" in boxes[-1].text()
    path = tmp_path / "scénario.xlsx"
    assert window.save_to(path)
    assert window.references.actionSaved.isEnabled()
    window.document.push(SetParameter(window.document.scenario, "cout_etp_mr", 111_000.0))
    window.references.actionSaved.trigger()
    panel = window.differences_panel
    assert "tel qu'enregistré" in panel.reference_label.text()
    assert rows(panel.input_model) == [["Paramètres", "Coût annuel d'un ETP de médecin régulateur",
                                        "Valeur", format_euros(110_000), format_euros(111_000),
                                        format_signed_euros(1000)]]


def test_live_refresh_after_an_edit(window):
    window.references.use_opened()
    panel = window.differences_panel
    assert panel.input_model.rowCount() == 0 and panel.result_model.rowCount() == 0
    assert panel.summary.text().startswith("0 donnée d'entrée différente")
    edit_drm(window, "SAMU-B1", 270_000.0)
    assert rows(panel.input_model) == [["CRRA", "SAMU-B1", "DRM", "260\u00a0000", "270\u00a0000",
                                        "+10\u00a0000"]]
    model = panel.result_model
    delta = column(model, "delta_modelled")
    expected = compare_results(compute(window.document.scenario_at_open), window.document.results)
    frame = expected.regions.frame.set_index("region")
    for r in range(model.rowCount()):
        assert model.data(model.index(r, delta), SORT_ROLE) == pytest.approx(
            frame.loc[model.key_of(r), "delta_modelled"])
    # Undone: no difference left.
    window.document.undo_stack.undo()
    assert panel.input_model.rowCount() == 0 and panel.result_model.rowCount() == 0


def test_hidden_tab_catches_up_when_shown(window):
    window.references.use_opened()
    window.tabs.setCurrentWidget(window.crra_panel)
    edit_drm(window, "SAMU-B1", 270_000.0)
    panel = window.differences_panel
    assert panel.input_model.rowCount() == 0          # not recomputed while hidden
    window.tabs.setCurrentWidget(panel)
    assert panel.input_model.rowCount() == 1


def test_differences_only_switch_and_levels(window):
    edit_drm(window, "SAMU-A1", 46_000.0)
    window.references.use_opened()
    panel = window.differences_panel
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    panel.region.setCurrentIndex(panel.region.findData("Alpha"))
    model = panel.result_model
    differing = model.rowCount()
    assert {model.key_of(r) for r in range(differing)} <= {"SAMU-A1", "SAMU-A2"}
    assert panel.result_table.isColumnHidden(column(model, "region"))
    assert panel.only.isChecked()
    panel.only.setChecked(False)
    assert {model.key_of(r) for r in range(model.rowCount())} == {"SAMU-A1", "SAMU-A2"}
    panel.level.setCurrentIndex(panel.level.findData("establishment"))
    panel.region.setCurrentIndex(0)
    assert model.rowCount() == 3                   # CHU B holds two CRRA
    assert [c.header for c in model.columns][:4] == ["FINESS", "Établissement", "Région", "Présence"]
    assert "Dotation 2014 (réf.)" in [c.header for c in model.columns]


def test_one_side_rows_are_said(window, tmp_path, example):
    reference = example.copy()
    reference.crra = reference.crra[reference.crra["crra_id"] != "SAMU-B2"].reset_index(drop=True)
    extra = example.crra.iloc[[0]].copy()
    extra["crra_id"], extra["finess"], extra["region"] = "SAMU-G1", "030000001", "Gamma"
    reference.crra = pd.concat([reference.crra, extra], ignore_index=True)
    write_scenario(reference, tmp_path / "ref.xlsx")
    assert window.references.load_file(tmp_path / "ref.xlsx")
    panel = window.differences_panel
    inputs = rows(panel.input_model)
    assert ["CRRA", "SAMU-B2", "Présence", "absent", "présent", ""] in inputs
    assert ["CRRA", "SAMU-G1", "Présence", "présent", "absent", ""] in inputs
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    model = panel.result_model
    by_key = {model.key_of(r): rows(model)[r] for r in range(model.rowCount())}
    presence, modelled_a = column(model, "presence"), column(model, "modelled_a")
    modelled_b = column(model, "modelled_b")
    assert by_key["SAMU-B2"][presence] == "absent de la référence"
    assert by_key["SAMU-B2"][modelled_a] == "absent"
    assert by_key["SAMU-G1"][presence] == "absent du scénario"
    assert by_key["SAMU-G1"][modelled_b] == "absent"
    # The region of the reference only is listed too.
    panel.level.setCurrentIndex(panel.level.findData("region"))
    assert "Gamma" in {model.key_of(r) for r in range(model.rowCount())}
    # Activating a CRRA of the reference only selects nothing, and says why.
    messages = []
    panel.message.connect(messages.append)
    proxy = panel.input_proxy
    row = [proxy.data(proxy.index(r, 1)) for r in range(proxy.rowCount())].index("SAMU-G1")
    panel.input_table.activated.emit(proxy.index(row, 0))
    assert "n'existe que dans la référence" in messages[-1]


def test_activation_selects_the_cell(window, qtbot):
    position = edit_drm(window, "SAMU-B2", 155_000.0)
    window.document.push(SetParameter(window.document.scenario, "cout_etp_arm", 46_000.0))
    window.references.use_opened()
    panel = window.differences_panel
    panel.pages.setCurrentIndex(0)
    table = panel.input_table
    texts = [r[1] for r in shown_inputs(panel)]
    table.setFocus()
    table.setCurrentIndex(panel.input_proxy.index(texts.index("SAMU-B2"), 0))
    qtbot.keyClick(table, Qt.Key.Key_Return)
    crra = window.crra_panel
    assert window.tabs.currentWidget() is crra
    current = crra.view.currentIndex()
    assert crra.model.position(current.row()) == position
    assert current.column() == crra.model.column_of_key("drm")
    assert "SAMU-B2, DRM : 150\u00a0000 dans la référence, 155\u00a0000 dans le scénario" \
        in window.statusBar().currentMessage()
    # A parameter: the national parameters' editor takes the focus.
    window.tabs.setCurrentWidget(panel)
    table.setCurrentIndex(panel.input_proxy.index(texts.index("Coût annuel d'un ETP d'ARM"), 0))
    qtbot.keyClick(table, Qt.Key.Key_Enter, Qt.KeyboardModifier.KeypadModifier)
    assert window.tabs.currentWidget() is window.parameters_panel
    assert QApplication.focusWidget() is window.parameters_panel.form.editors["cout_etp_arm"]


def test_sheet_filter(window):
    edit_drm(window, "SAMU-B2", 155_000.0)
    window.document.push(SetParameter(window.document.scenario, "cout_etp_arm", 46_000.0))
    window.references.use_opened()
    panel = window.differences_panel
    assert [panel.sheet.itemText(i) for i in range(panel.sheet.count())] == [
        "Toutes les feuilles (2)", "Paramètres (1)", "CRRA (1)"]
    panel.sheet.setCurrentIndex(2)
    assert [r[0] for r in shown_inputs(panel)] == ["CRRA"]
    panel.sheet.setCurrentIndex(0)
    assert len(shown_inputs(panel)) == 2


def test_keyboard_and_names(window):
    panel = window.differences_panel
    for widget in (panel.compare_button, panel.remove_button, panel.sheet, panel.input_table,
                   panel.level, panel.region, panel.only, panel.quantity, panel.result_table,
                   panel.pages):
        assert widget.accessibleName(), widget.objectName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus, widget.objectName()
    assert panel.chart.accessibleName()
    menu = window.references.menu
    assert menu.title() == "&Comparer à"
    assert menu.menuAction() in window.menuBar().actions()[0].menu().actions()
    assert [a.text() for a in menu.actions() if a.text()] == [
        "Un autre &fichier…", "Le fichier tel qu'il a été &enregistré",
        "Le scénario tel qu'il était à l'&ouverture", "&Retirer la référence"]
    assert panel.compare_button.menu() is menu


# -- Qt-free pieces ---------------------------------------------------------------------
def test_value_texts():
    share = InputDifference("Lissage", "2015", "Part cumulée", 0.5, 0.725, 1, "share")
    assert words.value_text(share, share.b) == "72,5\u00a0%"
    assert words.gap_text(share) == "+22,5 points"
    geo = InputDifference("CRRA", "SAMU-1", "Coefficient géographique", 0.07, 0.0725, 0, "geo_coef")
    assert words.value_text(geo, geo.b) == "7,25\u00a0%"
    assert words.gap_text(geo) == "+0,25 point"
    amount = InputDifference("Enveloppes régionales", "Alpha|2014", "Enveloppe notifiée",
                             1_000_000.0, 999_999.5, 0, "amount")
    assert words.item_text(amount) == "Alpha, 2014"
    assert words.value_text(amount, amount.b) == "999\u00a0999,50\u00a0€"
    etp = InputDifference("CRRA", "SAMU-1", "ETP ARM retenus", None, 12.5, 0, "etp_arm_override")
    assert (words.value_text(etp, etp.a), words.value_text(etp, etp.b), words.gap_text(etp)) == \
        ("(vide)", "12,5", "")


def test_difference_chart(example):
    changed = example.copy()
    changed.crra.loc[0, "drm"] = 60_000.0
    a, b = compute(example), compute(changed)
    from migac_desktop.reporting.chart_style import chart_title
    from migac_desktop.reporting.difference_charts import draw_difference_bars
    comparison = compare_results(a, b)
    fig = draw_difference_bars(Figure(figsize=(6, 4)), comparison, "region", quantity="modelled")
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    assert len(bars) == 2
    deltas = comparison.regions.frame.set_index("region")["delta_modelled"]
    assert sorted(p.get_width() for p in bars) == pytest.approx(sorted(deltas))
    texts = {t.get_text() for t in ax.texts}
    assert {format_signed_euros(v) for v in deltas} <= texts
    assert chart_title(fig).startswith("Écart du montant modélisé par région")
    # By CRRA of one region; nothing differs against itself.
    fig = draw_difference_bars(Figure(figsize=(6, 4)), comparison, "crra", "Alpha")
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] != []
    same = compare_results(a, compute(example))
    fig = draw_difference_bars(Figure(figsize=(6, 4)), same, "region")
    assert not fig.axes and "aucun écart" in fig.texts[0].get_text()


def test_difference_chart_marks_one_side_rows(example):
    smaller = example.copy()
    smaller.crra = smaller.crra.iloc[:3].reset_index(drop=True)
    comparison = compare_results(compute(smaller), compute(example))
    from migac_desktop.reporting.difference_charts import draw_difference_bars
    fig = draw_difference_bars(Figure(figsize=(6, 4)), comparison, "crra", "Bêta")
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any("(scénario seulement)" in t for t in labels)
    assert any(p.get_hatch() for p in ax.patches)
    subtitle = " ".join(a.get_text() for a in fig.artists)
    assert "hachuré : absent de l'un des deux scénarios" in subtitle.replace("\n", " ")


def test_selection_follows_its_difference(window):
    edit_drm(window, "SAMU-A1", 46_000.0)
    edit_drm(window, "SAMU-B2", 155_000.0)
    window.references.use_opened()
    panel = window.differences_panel
    proxy = panel.input_proxy
    panel.input_table.selectRow(1)
    assert proxy.data(proxy.index(1, 1)) == "SAMU-B2"
    edit_drm(window, "SAMU-A1", 45_000.0)            # back to the reference: one row left
    current = panel.input_table.currentIndex()
    assert proxy.data(proxy.index(current.row(), 1)) == "SAMU-B2"
    # The tab's count is the rows of the level shown, of the region chosen.
    panel.level.setCurrentIndex(panel.level.findData("crra"))
    panel.region.setCurrentIndex(panel.region.findData("Bêta"))
    assert panel.pages.tabText(1) == f"Résultats ({panel.result_model.rowCount()})"


def test_differences_only_has_its_own_mnemonic(window):
    """« &Différences seulement » answered Alt+D, which opens « É&dition » instead."""
    def letter(text):
        return text[text.index("&") + 1].lower()
    menus = {letter(a.text()) for a in window.menuBar().actions()}
    panel = window.differences_panel
    assert "&" in panel.only.text() and letter(panel.only.text()) not in menus


def test_open_scenario_with_errors_still_lists_its_inputs(window):
    window.references.use_opened()
    edit_drm(window, "SAMU-A1", -5.0)                  # an error: no results
    panel = window.differences_panel
    assert window.document.results is None
    assert rows(panel.input_model) == [["CRRA", "SAMU-A1", "DRM", "45\u00a0000", "−5", "−45\u00a0005"]]
    assert panel.result_model.rowCount() == 0
    assert "résultats indisponibles" in panel.summary.text()
    window.document.undo_stack.undo()
    assert panel.input_model.rowCount() == 0 and "résultats indisponibles" not in panel.summary.text()
