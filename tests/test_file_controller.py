"""Open, save, recent files and drops, through the window's file controller."""

import shutil
from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import QMimeData, QPoint, QSettings, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent
from PySide6.QtWidgets import QFileDialog

from migac_desktop.ui.file_controller import XLSX_FILTER, FileController
from migac_desktop.ui.settings import LAST_FOLDER_KEY, recent_files

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return open_window(qtbot, tmp_path, monkeypatch, None)


def test_recent_menu_leaves_out_gone_files_and_opens_the_others(window, tmp_path):
    assert isinstance(window.files, FileController)
    kept, gone = tmp_path / "garde.xlsx", tmp_path / "efface.xlsx"
    shutil.copy(SAMPLES / "exemple_modele.xlsx", kept)
    shutil.copy(SAMPLES / "scenario_region.xlsx", gone)
    assert window.open_path(kept, ask=False) and window.open_path(gone, ask=False)
    gone.unlink()
    window.recent_menu.aboutToShow.emit()
    actions = window.recent_menu.actions()
    assert [a.text() for a in actions] == ["&1 garde.xlsx"]
    assert actions[0].toolTip() == str(kept.resolve())
    window.new_scenario()
    actions[0].trigger()
    assert window.document.path == kept and len(window.document.scenario.crra) == 4


def test_empty_recent_menu_says_so(window):
    window.recent_menu.aboutToShow.emit()
    [action] = window.recent_menu.actions()
    assert action.text() == "(aucun fichier récent)" and not action.isEnabled()


def test_save_as_offers_the_last_folder_and_becomes_the_first_recent(window, tmp_path, monkeypatch):
    window.new_scenario()
    folder = tmp_path / "dossier"
    folder.mkdir()
    QSettings().setValue(LAST_FOLDER_KEY, str(folder))
    offered = []

    def answer(parent, caption, start, filters):
        offered.append((parent, caption, start, filters))
        return str(folder / "nouveau"), XLSX_FILTER
    monkeypatch.setattr(QFileDialog, "getSaveFileName", answer)
    window.actionSaveAs.trigger()
    assert offered == [(window, "Enregistrer le scénario", str(folder / "scenario.xlsx"), XLSX_FILTER)]
    assert window.document.path == folder / "nouveau.xlsx" and (folder / "nouveau.xlsx").is_file()
    assert recent_files(QSettings())[0] == str((folder / "nouveau.xlsx").resolve())


@pytest.mark.parametrize("name, accepted", [("a.xlsx", True), ("A.XLSX", True), ("a.csv", False)])
def test_drag_accepted_for_workbooks_only(window, tmp_path, name, accepted):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / name))])
    event = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    event.ignore()
    window.dragEnterEvent(event)
    assert event.isAccepted() is accepted
