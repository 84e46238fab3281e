"""The journal (WORKBOOK.md « Journal »): every saved change dated, authored, with its old
and new values and its reason; the rows of a file kept as they are; the Historique tab."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest
from conftest import open_window, worked_example

from migac_desktop.core import journal
from migac_desktop.core.commands import InsertRows, RemoveRows, SetCells, SetParameter
from migac_desktop.io.workbook import read_scenario, write_scenario

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


# -- the actions' words ------------------------------------------------------------------

def test_actions_name_the_cell_and_both_values():
    s = worked_example()
    assert plain(SetCells(s, "CRRA", [(0, "drm", 125_000.0)]).journal_text()) == \
        "modifier DRM de SAMU-A1 : 45 000 → 125 000"
    assert plain(SetCells(s, "CRRA", [(2, "etp_arm_override", float("nan"))]).journal_text()) == \
        "modifier ETP ARM retenus de SAMU-B1 : 40 → (vide)"
    assert plain(SetCells(s, "CRRA", [(0, "geo_coef", 0.075)]).journal_text()) == \
        "modifier Coefficient géographique de SAMU-A1 : 0 % → 7,5 %"
    assert plain(SetParameter(s, "cout_etp_arm", 46_500.5).journal_text()) == \
        "modifier « Coût annuel d'un ETP d'ARM » : 45 000 → 46 500,5"
    assert plain(SetParameter(s, "enveloppe_cible", 1e7).journal_text()) == \
        "modifier « Enveloppe nationale cible » : (vide) → 10 000 000"


def test_a_paste_is_one_action_listing_its_first_cells():
    s = worked_example()
    cells = [(i % 4, "drm", float(1000 + i)) for i in range(20)]
    text = plain(SetCells(s, "CRRA", cells).journal_text())
    assert text.startswith("modifier 20 cellules : DRM de SAMU-A1 : 45 000 → 1 000 ; DRM de SAMU-A2 : ")
    assert text.endswith(f"… et {20 - journal.LISTED_CELLS} autres")


def test_rows_added_and_removed_list_their_values():
    s = worked_example()
    added = InsertRows(s, "CRRA", 4, [dict(crra_id="SAMU-Z9", region="Alpha", finess="010000009",
                                           drm=1000, historic=5)])
    assert plain(added.journal_text()) == ("ajouter le CRRA SAMU-Z9 : (Identifiant : SAMU-Z9, Région : Alpha, "
                                           "FINESS : 010000009, DRM : 1 000, Dotation historique : 5)")
    removed = plain(RemoveRows(s, "CRRA", [1]).journal_text())
    assert removed.startswith("supprimer le CRRA SAMU-A2 : (Identifiant : SAMU-A2,")
    assert "Dotation historique : 3 300 000)" in removed


def test_timestamp_is_iso_with_its_offset():
    when = datetime(2014, 3, 12, 10, 41, 7, 512, tzinfo=timezone(timedelta(hours=1)))
    assert journal.timestamp(when) == "2014-03-12T10:41:07+01:00"
    assert ISO_WITH_OFFSET.match(journal.timestamp())


# -- the sheet ---------------------------------------------------------------------------

def test_appended_rows_follow_the_files_rows_untouched():
    old = [("Date", "Auteur", "Action", "Motif"), ("2014-01-02T09:00:00+01:00", "ars", "x", None),
           (datetime(2014, 1, 3), None, "à la main", "typed in Excel")]
    sheets = {"Notes": [("a",)], "journal": old}
    out = journal.appended(sheets, [journal.Entry("modifier DRM", "diagnostic ARS")], "cdupont",
                           datetime(2014, 3, 12, 10, 41, 7).astimezone())
    assert out["journal"][:3] == old and out["Notes"] == [("a",)]
    stamp, author, action, reason = out["journal"][3]
    assert (author, action, reason) == ("cdupont", "modifier DRM", "diagnostic ARS")
    assert stamp.startswith("2014-03-12T10:41:07")
    assert sheets["journal"] is old and len(old) == 3          # the input is not changed
    assert journal.appended(sheets, [], "x") is sheets           # nothing to append


def test_journal_survives_a_reopen_and_a_second_save(tmp_path):
    path = tmp_path / "s.xlsx"
    first = journal.appended({}, [journal.Entry("modifier A : 1 → 2", "motif 1")], "a")
    scenario = worked_example()
    scenario.extra_sheets = first
    write_scenario(scenario, path)
    back = read_scenario(path).scenario
    assert journal.saved_rows(back.extra_sheets) == [tuple(first["Journal"][1])]
    second = journal.appended(back.extra_sheets, [journal.Entry("annuler : modifier A : 1 → 2")], "b")
    back.extra_sheets = second
    write_scenario(back, path)
    rows = list(openpyxl.load_workbook(path, read_only=True)["Journal"].iter_rows(values_only=True))
    assert rows[0] == journal.HEADERS
    assert rows[1] == tuple(first["Journal"][1])
    assert rows[2][1:] == ("b", "annuler : modifier A : 1 → 2", None)


# -- the window --------------------------------------------------------------------------

@pytest.fixture
def author(monkeypatch):
    monkeypatch.setattr("migac_desktop.ui.settings.system_login", lambda: "cdupont")


def test_each_undoable_command_is_one_pending_entry(qtbot, tmp_path, monkeypatch, author):
    window = open_window(qtbot, tmp_path, monkeypatch, worked_example())
    doc = window.document
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 50_000.0)]))
    doc.push(SetParameter(doc.scenario, "frais_par_drm", 2.0))
    window.undo()
    window.redo()
    assert [plain(e.action) for e in doc.journal] == [
        "modifier DRM de SAMU-A1 : 45 000 → 50 000",
        "modifier « Frais de fonctionnement par DRM » : 1,5 → 2",
        "annuler : modifier « Frais de fonctionnement par DRM » : 1,5 → 2",
        "rétablir : modifier « Frais de fonctionnement par DRM » : 1,5 → 2"]
    model = window.history_panel.model
    assert model.rowCount() == 4
    assert model.data(model.index(0, 0)) == "(non enregistré)"
    assert model.data(model.index(0, 1)) == "cdupont"


def test_two_saves_append_dated_authored_rows_with_reasons(qtbot, tmp_path, monkeypatch, author, qtmodeltester):
    path = tmp_path / "ars.xlsx"
    write_scenario(worked_example(), path)
    window = open_window(qtbot, tmp_path, monkeypatch, None)
    assert window.files.open_path(path) is not False
    doc, model = window.document, window.history_panel.model
    doc.push(SetCells(doc.scenario, "CRRA", [(2, "etp_arm_override", 42.0)]))
    assert model.setData(model.index(0, 3), "  diagnostic ARS du 12 mars  ")
    assert doc.journal[0].reason == "diagnostic ARS du 12 mars"
    assert not model.setData(model.index(0, 2), "x")          # only Motif is typed
    qtmodeltester.check(model)
    assert window.files.save_to(path)
    assert doc.journal == [] and model.rowCount() == 1
    assert not model.flags(model.index(0, 3)) & model.flags(model.index(0, 3)).ItemIsEditable
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 46_000.0)]))
    assert window.files.save_to(path)
    rows = list(openpyxl.load_workbook(path, read_only=True)["Journal"].iter_rows(values_only=True))
    assert rows[0] == journal.HEADERS and len(rows) == 3
    (d1, a1, act1, why1), (d2, a2, act2, why2) = rows[1], rows[2]
    assert ISO_WITH_OFFSET.match(d1) and ISO_WITH_OFFSET.match(d2) and d1 <= d2
    assert (a1, plain(act1), why1) == ("cdupont", "modifier ETP ARM retenus de SAMU-B1 : 40 → 42",
                                       "diagnostic ARS du 12 mars")
    assert (a2, plain(act2), why2) == ("cdupont", "modifier DRM de SAMU-A1 : 45 000 → 46 000", None)
    assert read_scenario(path).errors == []                   # the model ignores the sheet


def test_a_save_without_change_appends_nothing(qtbot, tmp_path, monkeypatch, author):
    path = tmp_path / "s.xlsx"
    window = open_window(qtbot, tmp_path, monkeypatch, worked_example())
    assert window.files.save_to(path)
    assert "Journal" not in openpyxl.load_workbook(path, read_only=True).sheetnames


def test_a_failed_save_keeps_the_entries_pending(qtbot, tmp_path, monkeypatch, author):
    from PySide6.QtWidgets import QMessageBox
    window = open_window(qtbot, tmp_path, monkeypatch, worked_example())
    doc = window.document
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 50_000.0)]))
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: None)
    assert not window.files.save_to(tmp_path / "absent" / "s.xlsx")
    assert len(doc.journal) == 1 and "Journal" not in doc.scenario.extra_sheets


def test_the_author_set_in_the_preferences_is_recorded(qtbot, tmp_path, monkeypatch, author):
    from migac_desktop.ui.history_panel import AuthorDialog
    from migac_desktop.ui.settings import journal_author
    window = open_window(qtbot, tmp_path, monkeypatch, worked_example())
    dialog = AuthorDialog(window)
    assert dialog.name.placeholderText() == "cdupont" and dialog.name.text() == ""
    dialog.name.setText("  Claire Dupont, ARS Bretagne ")
    dialog.accept()
    assert journal_author() == "Claire Dupont, ARS Bretagne"
    dialog = AuthorDialog(window)
    dialog.name.setText("")
    dialog.accept()
    assert journal_author() == "cdupont"
