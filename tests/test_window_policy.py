"""The transition policy « Plafonné » in the window, offscreen: the four parameters in the
form, the « Garantie » and « Reste à converger » columns, the smoothing chart's two paths,
and the explanation of MODEL.md's worked example of the policy."""

import pytest
from conftest import open_window, worked_example
from matplotlib.figure import Figure
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from test_charts import SCREEN, all_texts, assert_nothing_clipped, by_gid, cents

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import NBSP, format_euros
from migac_desktop.core.scenario import Scenario
from migac_desktop.reporting import charts
from migac_desktop.ui.parameters_panel import POLICY_KEYS


def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


def policy_example() -> Scenario:
    """MODEL.md's worked example of the policy: Établissement, losses 3 %, no cap."""
    scenario = worked_example()
    scenario.parameters = (scenario.parameters.with_value("lissage_mode", "Plafonné")
                           .with_value("perte_max_annuelle", 0.03))
    return scenario


@pytest.fixture
def policy_window(qtbot, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, policy_example())


def column_values(model, key):
    c = [col.key for col in model.columns].index(key)
    return [model.data(model.index(r, c)) for r in range(model.rowCount())]


# -- 1. the form -------------------------------------------------------------------------

def test_policy_fields_disabled_under_linear_and_enabled_by_the_mode(window):
    form = window.parameters_panel.form
    assert window.document.scenario.parameters.lissage_mode == "Linéaire"
    for key in POLICY_KEYS[1:]:
        assert not form.editors[key].isEnabled(), key
    level = form.editors["lissage_niveau"]
    assert isinstance(level, QComboBox)
    assert [level.itemText(i) for i in range(level.count())] == list(schema.POLICY_LEVELS)
    form.editors["lissage_mode"].setCurrentText("Plafonné")
    assert window.document.scenario.parameters.lissage_mode == "Plafonné"
    assert window.document.undo_stack.undoText() == "modifier « Politique de transition »"
    for key in POLICY_KEYS[1:]:
        assert form.editors[key].isEnabled(), key
    window.document.undo_stack.undo()
    assert form.editors["lissage_mode"].currentText() == "Linéaire"
    assert not form.editors["perte_max_annuelle"].isEnabled()


def test_percentage_typed_as_a_percentage_one_undoable_command(policy_window, qtbot):
    form = policy_window.parameters_panel.form
    doc = policy_window.document
    field = form.editors["perte_max_annuelle"]
    assert plain(field.text()) == "3 %"
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, "2")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.perte_max_annuelle == pytest.approx(0.02)
    assert plain(field.text()) == "2 %"
    assert doc.undo_stack.undoText() == "modifier « Perte annuelle maximale »"
    # The results follow: 010000001 is floored at 1 900 000 × 0,98 in 2014.
    hospitals = doc.results.establishments.set_index("finess")
    assert hospitals.loc["010000001", "alloc_2014"] == pytest.approx(1_862_000, abs=0.01)
    field.selectAll()
    qtbot.keyClicks(field, "2,5 %")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.perte_max_annuelle == pytest.approx(0.025)
    assert plain(field.text()) == "2,5 %"
    doc.undo_stack.undo()
    doc.undo_stack.undo()
    assert doc.scenario.parameters.perte_max_annuelle == pytest.approx(0.03)
    assert plain(field.text()) == "3 %"
    # Emptied: no floor at all (the policy then equals « Linéaire »).
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.perte_max_annuelle is None
    assert field.placeholderText() == "vide : pas de plancher"


def test_wrong_percentage_refused_with_the_reason_at_the_field(policy_window, qtbot):
    form = policy_window.parameters_panel.form
    doc = policy_window.document
    field = form.editors["gain_max_annuel"]
    error = policy_window.findChild(QLabel, "paramError_gain_max_annuel")
    assert error is not None and error.isHidden()
    field.setFocus()
    qtbot.keyClicks(field, "150")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.gain_max_annuel is None
    assert not error.isHidden()
    assert plain(error.text()) == "Gain annuel maximal : la valeur doit être comprise entre 0 et 100 %."
    assert "comprise entre 0 et 100 %" in field.toolTip()
    field.selectAll()
    qtbot.keyClicks(field, "abc")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert plain(error.text()) == "Gain annuel maximal : « abc » n'est pas un nombre."
    field.selectAll()
    qtbot.keyClicks(field, "4")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert doc.scenario.parameters.gain_max_annuel == pytest.approx(0.04)
    assert error.isHidden()


def test_every_parameter_control_has_a_french_accessible_name(window):
    form = window.parameters_panel.form
    for key, editor in form.editors.items():
        assert editor.accessibleName() == schema.PARAMETER_BY_KEY[key].label, key
    heading = form.findChild(QLabel, "policyHeading")
    assert heading is not None and "Politique de transition" in heading.text()


# -- 3. the tables -----------------------------------------------------------------------

def _comparison(window, level, region=None):
    panel = window.comparison_panel
    window.tabs.setCurrentWidget(panel)
    panel.level.setCurrentIndex(panel.level.findData(level))
    panel.region.setCurrentIndex(panel.region.findData(region) if region else 0)
    return panel.model


def test_comparison_gains_guarantee_and_remaining_columns(policy_window, qtmodeltester):
    model = _comparison(policy_window, "establishment")
    headers = [c.header for c in model.columns]
    assert headers[-3:] == ["Reste", "Garantie", "Sens"]
    rows = dict(zip(column_values(model, "finess"), zip(column_values(model, "guarantee"),
                                                       column_values(model, "remaining_gap"))))
    assert rows["010000001"] == ("plancher 2014, 2015, 2016", "−219 716 €".replace(" ", NBSP))
    assert rows["010000002"][0] == "plancher 2015, 2016"
    assert rows["020000001"] == ("", "+369 723 €".replace(" ", NBSP))
    qtmodeltester.check(model)
    model = _comparison(policy_window, "region")
    rows = dict(zip(column_values(model, "region"), column_values(model, "guarantee")))
    assert rows == {"Alpha": "plancher 2014 (1), 2015 (2), 2016 (2)", "Bêta": ""}
    model = _comparison(policy_window, "crra")
    rows = dict(zip(column_values(model, "crra_id"), column_values(model, "guarantee")))
    assert rows["SAMU-A2"] == "plancher 2015, 2016" and rows["SAMU-B1"] == ""
    qtmodeltester.check(model)


def test_linear_comparison_and_smoothing_tables_unchanged(window):
    model = _comparison(window, "establishment")
    assert [c.key for c in model.columns][-1] == "status"
    assert not {"guarantee", "remaining_gap"} & {c.key for c in model.columns}
    panel = window.smoothing_panel
    window.tabs.setCurrentWidget(panel)
    assert [c.header for c in panel.table_model.columns] == [
        "Année", "Part cumulée de l'effet revenu", "Dotation", "Effet revenu appliqué",
        "Écart restant au montant modélisé"]


def test_smoothing_table_of_a_floored_hospital(policy_window, qtmodeltester):
    panel = policy_window.smoothing_panel
    policy_window.tabs.setCurrentWidget(panel)
    panel.show_entity("establishment", "010000001")
    model = panel.table_model
    assert [c.header for c in model.columns] == [
        "Année", "Part cumulée", "Dotation linéaire", "Dotation plafonnée",
        "Garantie", "Effet revenu appliqué", "Écart au modélisé", "Reste à converger"]
    assert column_values(model, "guarantee") == ["", "plancher", "plancher", "plancher"]
    assert [plain(v) for v in column_values(model, "linear")] == [
        "1 900 000 €", "1 822 873 €", "1 668 618 €", "1 514 363 €"]
    assert [plain(v) for v in column_values(model, "amount")] == [
        "1 900 000 €", "1 843 000 €", "1 787 710 €", "1 734 079 €"]
    assert [plain(v) for v in column_values(model, "remaining")] == ["", "", "", "−219 716 €"]
    qtmodeltester.check(model)
    panel.show_entity("region", "Alpha")
    assert column_values(model, "guarantee") == ["", "plancher (1)", "plancher (2)", "plancher (2)"]


# -- 2. the chart ------------------------------------------------------------------------

def test_smoothing_chart_draws_both_paths_and_the_guarantees():
    results = compute(policy_example())
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "establishment", "010000001")
    ax, = fig.axes
    linear, capped = by_gid(ax, "linear"), by_gid(ax, "trajectory")
    assert cents(linear.get_ydata()) == [1_900_000, 1_822_872.56, 1_668_617.67, 1_514_362.78]
    assert cents(capped.get_ydata()) == [1_900_000, 1_843_000.00, 1_787_710.00, 1_734_078.70]
    assert linear.get_linestyle() == "--" and capped.get_linestyle() == "-"
    assert list(by_gid(ax, "floored").get_xdata()) == [2014, 2015, 2016]
    assert not any(a.get_gid() == "capped" for a in ax.get_children())
    legend = [plain(t.get_text()) for t in fig.legends[0].get_texts()]
    assert "Trajectoire linéaire" in legend
    assert "Année au plancher (perte maximale)" in legend
    assert plain(by_gid(ax, "remaining").get_text()) == "Reste à converger en 2016 : −219 716 €"
    assert any(t.endswith("\nplancher") for t in all_texts(fig))
    assert_nothing_clipped(fig)
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "region", "Alpha")
    texts = all_texts(fig)
    assert any(t.endswith("plancher : 1 établissement") for t in texts)
    assert any(t.endswith("plancher : 2 établissements") for t in texts)
    assert_nothing_clipped(fig)


def test_a_crra_chart_says_the_guarantee_is_its_hospitals():
    results = compute(policy_example())
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "crra", "SAMU-A2")
    texts = all_texts(fig)
    assert sum(t.endswith("\nplancher de l'établissement") for t in texts) == 2   # 2015, 2016
    assert list(by_gid(fig.axes[0], "floored").get_xdata()) == [2015, 2016]
    assert_nothing_clipped(fig)


def test_national_reste_a_converger_says_who_receives_and_who_gives_back():
    fig = charts.draw_smoothing(Figure(**SCREEN), compute(policy_example()), "national")
    # Budget-neutral: the nation's net reste is 0; its hospitals' is not.
    assert plain(by_gid(fig.axes[0], "remaining").get_text()) == (
        "Reste à converger en 2016 : 0 €\n+369 723 € à recevoir par 1 établissement ; "
        "−369 723 € à rendre par 2 établissements")
    assert_nothing_clipped(fig)


def test_capped_years_marked_with_their_own_marker():
    scenario = policy_example()
    scenario.parameters = scenario.parameters.with_value("gain_max_annuel", 0.01)
    results = compute(scenario)
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "establishment", "020000001")
    capped = by_gid(fig.axes[0], "capped")
    assert results.guarantees("establishment", "020000001") == [(0, 1)] * 3
    assert capped.get_marker() == "v" and list(capped.get_xdata()) == [2014, 2015, 2016]
    assert "Année au plafond (gain maximal)" in [
        t.get_text() for t in fig.legends[0].get_texts()]
    assert any(t.endswith("\nplafond") for t in all_texts(fig))
    assert_nothing_clipped(fig)


def test_linear_chart_has_no_policy_marks():
    fig = charts.draw_smoothing(Figure(**SCREEN), compute(worked_example()), "region", "Alpha")
    gids = {a.get_gid() for a in fig.axes[0].get_children()}
    assert not gids & {"linear", "floored", "capped", "remaining"}


# -- 4. the explanation ------------------------------------------------------------------

def test_explanation_of_the_floored_hospital(policy_window):
    panel = policy_window.explain_panel
    panel.show_crra("SAMU-A1")
    text = plain(panel.toPlainText())
    assert "Politique de transition « Plafonné » : Établissement 010000001 – CH A1" in text
    year_2014 = text.split("9 bis a. 2014")[1].split("9 bis b. 2015")[0]
    for expected in ("1 900 000,00 €", "1 822 872,56 €", "précédente × (1 − 3,0 %)",
                     "relevée à son plancher : 1 843 000,00 €",
                     "θ = 20 127,44 € / 162 130,82 € = 12,41 % de leur gain",
                     "dotation linéaire du CRRA / L = 1 822 872,56 € / 1 822 872,56 €\n100,00 %"):
        assert expected in year_2014, expected
    assert "Reste à converger\nmontant modélisé − dotation 2016\n−219 716 €" in text


def test_explanation_of_a_crra_sharing_its_hospital(policy_window):
    panel = policy_window.explain_panel
    panel.show_crra("SAMU-B1")
    text = plain(panel.toPlainText())
    year_2014 = text.split("9 bis a. 2014")[1].split("9 bis b. 2015")[0]
    for expected in ("8 100 000,00 €", "8 262 130,82 €", "entre son plancher et son plafond",
                     "−20 127,44 €", "8 242 003,37 €",
                     "L = 5 008 960,22 € / 8 262 130,82 €\n60,63 %", "4 996 757,85 €"):
        assert expected in year_2014, expected


def test_explanation_under_linear_has_no_policy(window):
    window.explain_panel.show_crra("SAMU-A1")
    text = window.explain_panel.toPlainText()
    assert "9 bis" not in text and "Reste à converger" not in text and "(linéaire)" not in text


def test_explanation_with_the_region_as_unit(qtbot, tmp_path, monkeypatch):
    scenario = policy_example()
    scenario.parameters = scenario.parameters.with_value("lissage_niveau", "Région")
    window = open_window(qtbot, tmp_path, monkeypatch, scenario)
    window.explain_panel.show_crra("SAMU-A2")
    text = plain(window.explain_panel.toPlainText())
    assert "Politique de transition « Plafonné » : Région Alpha" in text
    assert "part du CRRA dans l'unité" in text
    assert isinstance(window.parameters_panel.form.editors["perte_max_annuelle"], QLineEdit)


def test_policy_warning_of_an_opened_file_listed_once_and_not_kept(qtbot, tmp_path, monkeypatch):
    from migac_desktop.io.workbook import write_scenario
    path = tmp_path / "plafonne.xlsx"
    write_scenario(policy_example(), path)
    window = open_window(qtbot, tmp_path, monkeypatch, None)
    window.open_path(path, ask=False)
    doc = window.document
    reste = [p for p in doc.problems if "Lissage plafonné" in p.message]
    assert len(reste) == 1, [p.message for p in doc.problems]
    field = window.parameters_panel.form.editors["perte_max_annuelle"]
    field.setText("")
    field.editingFinished.emit()            # no floor: every unit converges
    assert doc.scenario.parameters.perte_max_annuelle is None
    assert not [p for p in doc.problems if "Lissage plafonné" in p.message]


def test_explanation_of_a_capped_year_financed_by_the_losses(qtbot, tmp_path, monkeypatch):
    scenario = worked_example()
    scenario.parameters = (scenario.parameters.with_value("lissage_mode", "Plafonné")
                           .with_value("lissage_niveau", "CRRA").with_value("gain_max_annuel", 0.01))
    results = compute(scenario)
    year = results.transition.policy.years[0]
    window = open_window(qtbot, tmp_path, monkeypatch, scenario)
    window.explain_panel.show_crra("SAMU-B2")
    text = plain(window.explain_panel.toPlainText())
    first = text.split("9 bis a. 2014")[1].split("9 bis b. 2015")[0]
    assert "ramenée à son plafond : 3 131 000,00 €" in first          # 3 100 000 × 1,01
    freed = plain(format_euros(-year.net_cost, 2))
    losses = plain(format_euros(float(year.loss.sum()), 2))
    assert f"les plafonds libèrent {freed}" in first
    assert f"φ = {freed} / {losses}" in first
    # The unit is the CRRA itself: no share inside it.
    assert "part du CRRA dans l'unité" not in text
