"""Autosave and recovery: copies owned by a live process, orphans offered after a crash.

The core (``io/recovery.py``) is tested without Qt, with real child processes that
die without closing; the window part (``ui/recovery.py``) offscreen, with short
autosave intervals.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from conftest import worked_example

from migac_desktop.io import recovery as recovery_mod
from migac_desktop.io.recovery import RecoveryStore
from migac_desktop.io.workbook import WorkbookError, open_scenario, write_scenario

REPO = Path(__file__).resolve().parent.parent


def dead_session(folder: Path, original: str | None = "/données/ars/scénario.xlsx",
                 title: str = "Scénario ARS", exit_code: int = 0) -> str:
    """A child process writes a recovery copy, then dies without closing it."""
    code = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(REPO / 'tests')!r})
        from conftest import worked_example
        from migac_desktop.io.recovery import RecoveryStore
        scenario = worked_example()
        scenario.crra.loc[0, "drm"] = 12345.0
        session = RecoveryStore({str(folder)!r}).session()
        session.save(scenario, original={original!r}, title={title!r})
        print(session.id, flush=True)
        os._exit({exit_code})
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=REPO)
    assert done.returncode == exit_code, done.stderr
    return done.stdout.strip()


# -- the core, without Qt -----------------------------------------------------------

def test_a_live_session_is_not_an_orphan(tmp_path):
    store = RecoveryStore(tmp_path / "recup")
    session = store.session()
    path = session.save(worked_example(), original=tmp_path / "s.xlsx", title="Essai")
    assert path.is_file() and session.sidecar.is_file()
    meta = json.loads(session.sidecar.read_text(encoding="utf-8"))
    assert meta["original"] == str(tmp_path / "s.xlsx") and meta["name"] == "s.xlsx"
    assert meta["title"] == "Essai" and meta["pid"] == os.getpid()
    assert datetime.fromisoformat(meta["saved_at"]).tzinfo is not None
    # Another store in the same process (a second window) does not see it as lost.
    assert RecoveryStore(tmp_path / "recup").orphans() == []
    assert open_scenario(path).scenario.inputs_equal(worked_example())
    session.close()
    assert list((tmp_path / "recup").iterdir()) == []


def test_a_dead_process_leaves_an_orphan_that_is_offered_once(tmp_path):
    folder = tmp_path / "recup"
    session_id = dead_session(folder)
    store = RecoveryStore(folder)
    [found] = store.orphans()
    assert found.session == session_id
    assert found.original == Path("/données/ars/scénario.xlsx")
    assert found.name == "scénario.xlsx" and found.title == "Scénario ARS"
    assert (datetime.now().astimezone() - found.saved_at).total_seconds() < 120
    assert found.load().scenario.crra["drm"].iat[0] == 12345.0
    # Claimed: a second program starting now does not offer it too.
    assert RecoveryStore(folder).orphans() == []
    found.release()                                    # « Ignorer »
    [again] = RecoveryStore(folder).orphans()
    again.discard()                                    # « Supprimer »
    assert list(folder.iterdir()) == []
    assert RecoveryStore(folder).orphans() == []


def test_killed_process_is_an_orphan_too(tmp_path):
    folder = tmp_path / "recup"
    dead_session(folder, original=None, exit_code=137)
    [found] = RecoveryStore(folder).orphans()
    assert found.original is None and found.name == "Sans titre"
    found.discard()


def test_orphans_are_newest_first_and_survive_missing_or_broken_sidecars(tmp_path):
    folder = tmp_path / "recup"
    first = dead_session(folder, title="premier")
    second = dead_session(folder, title="second")
    (folder / f"{first}.json").write_text("{ pas du json", encoding="utf-8")
    os.utime(folder / f"{first}.xlsx", (1_000_000_000, 1_000_000_000))
    found = RecoveryStore(folder).orphans()
    assert [r.session for r in found] == [second, first]
    assert found[1].name == "Scénario récupéré" and found[1].saved_at.year == 2001
    for r in found:
        r.release()
    # A sidecar without its workbook is nothing to recover: cleaned up.
    (folder / f"{second}.xlsx").unlink()
    assert [r.session for r in RecoveryStore(folder).orphans()] == [first]
    assert not (folder / f"{second}.json").exists()


def test_a_lock_left_without_copy_is_cleaned(tmp_path):
    folder = tmp_path / "recup"
    session_id = dead_session(folder)
    (folder / f"{session_id}.xlsx").unlink()
    (folder / f"{session_id}.json").unlink()
    assert [p.suffix for p in folder.iterdir()] == [".lock"]
    assert RecoveryStore(folder).orphans() == []
    assert list(folder.iterdir()) == []


def test_unreadable_copy_raises_workbook_error(tmp_path):
    folder = tmp_path / "recup"
    session_id = dead_session(folder)
    (folder / f"{session_id}.xlsx").write_bytes(b"PK\x03\x04 abime")
    [found] = RecoveryStore(folder).orphans()
    with pytest.raises(WorkbookError):
        found.load()
    found.release()


def test_without_locks_the_process_id_decides(tmp_path, monkeypatch):
    folder = tmp_path / "recup"
    dead_session(folder)
    live = RecoveryStore(folder).session()
    live.save(worked_example())
    monkeypatch.setattr(recovery_mod._Lock, "acquire", lambda self: None)
    found = RecoveryStore(folder).orphans()
    # The dead child's copy is offered; this live process's copy is not.
    assert [r.pid != os.getpid() for r in found] == [True]
    live.close()


def test_session_save_replaces_its_copy_atomically(tmp_path, monkeypatch):
    from migac_desktop.io import workbook as wbmod

    store = RecoveryStore(tmp_path / "recup")
    session = store.session()
    session.save(worked_example())
    before = session.workbook.read_bytes()

    def broken(book, target):
        Path(target).write_bytes(b"PK half")
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(wbmod, "_save_workbook", broken)
    changed = worked_example()
    changed.crra.loc[1, "drm"] = 1.0
    with pytest.raises(OSError):
        session.save(changed)
    assert session.workbook.read_bytes() == before
    assert sorted(p.suffix for p in (tmp_path / "recup").iterdir()) == [".json", ".lock", ".xlsx"]
    session.close()


# -- the window ---------------------------------------------------------------------

@pytest.fixture
def recovery_dir(tmp_path, monkeypatch):
    folder = tmp_path / "recup"
    monkeypatch.setenv("MIGAC_RECOVERY_DIR", str(folder))
    monkeypatch.setenv("MIGAC_AUTOSAVE_SECONDS", "0.05")
    return folder


@pytest.fixture
def make_window(qtbot, tmp_path, recovery_dir):
    from PySide6.QtCore import QSettings

    from migac_desktop.ui.main_window import MainWindow

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))

    def make():
        w = MainWindow()
        qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
        w.show()
        return w
    return make


def answer(monkeypatch, text: str, shown: list | None = None):
    """Message boxes answer ``text`` at once (no modal loop in tests)."""
    from PySide6.QtWidgets import QMessageBox

    def fake_exec(box):
        if shown is not None:
            shown.append(box)
        for button in box.buttons():
            if button.text() == text:
                button.click()
        return 0
    monkeypatch.setattr(QMessageBox, "exec", fake_exec)


def edit_drm(window, value: float) -> None:
    from migac_desktop.core.commands import SetCells

    window.document.push(SetCells(window.document.scenario, "CRRA", [(0, "drm", value)]))


def test_unsaved_changes_are_autosaved_and_removed_once_saved(make_window, tmp_path, qtbot,
                                                              recovery_dir, monkeypatch):
    answer(monkeypatch, "OK")
    path = tmp_path / "scenario.xlsx"
    write_scenario(worked_example(), path)
    window = make_window()
    assert window.open_path(path, ask=False)
    assert window.recovery.interval == pytest.approx(0.05)
    edit_drm(window, 77_000)
    qtbot.waitUntil(lambda: window.recovery.session is not None and window.recovery.session.exists,
                    timeout=5000)
    session = window.recovery.session
    meta = json.loads(session.sidecar.read_text(encoding="utf-8"))
    assert meta["original"] == str(path) and meta["name"] == "scenario.xlsx"
    copy = open_scenario(session.workbook).scenario
    assert copy.crra["drm"].iat[0] == 77_000 and copy.inputs_equal(window.document.scenario)
    assert window.save_to(path)
    assert not session.exists and not session.sidecar.exists()
    assert open_scenario(path).scenario.crra["drm"].iat[0] == 77_000


def test_undo_to_the_saved_state_removes_the_copy(make_window, qtbot):
    window = make_window()
    edit_drm_new(window)
    qtbot.waitUntil(lambda: window.recovery.session is not None and window.recovery.session.exists,
                    timeout=5000)
    window.document.undo_stack.undo()
    assert not window.recovery.session.exists


def edit_drm_new(window) -> None:
    from migac_desktop.core.commands import InsertRows

    window.document.push(InsertRows(window.document.scenario, "CRRA", 0,
                                    [dict(crra_id="X", region="R", finess="010000001", drm=1.0,
                                          historic=1.0)]))


def test_closing_normally_leaves_nothing(make_window, qtbot, recovery_dir, monkeypatch):
    answer(monkeypatch, "Ne pas enregistrer")
    window = make_window()
    edit_drm_new(window)
    qtbot.waitUntil(lambda: window.recovery.session is not None and window.recovery.session.exists,
                    timeout=5000)
    assert window.close()
    assert list(recovery_dir.iterdir()) == []


def test_autosave_interval_from_settings_and_off(make_window, qtbot, monkeypatch):
    from PySide6.QtCore import QSettings

    from migac_desktop.ui.recovery import autosave_interval

    monkeypatch.delenv("MIGAC_AUTOSAVE_SECONDS")
    assert autosave_interval(QSettings()) == 60
    QSettings().setValue("recovery/intervalSeconds", 0)
    assert autosave_interval(QSettings()) == 0
    window = make_window()
    edit_drm_new(window)
    qtbot.wait(200)
    assert window.recovery.session is None and not window.recovery.timer.isActive()
    QSettings().setValue("recovery/intervalSeconds", 120)
    assert make_window().recovery.interval == 120
    monkeypatch.setenv("MIGAC_AUTOSAVE_SECONDS", "pas un nombre")
    assert autosave_interval(QSettings()) == 120


def test_restore_at_start_up_opens_modified_with_the_original_path(make_window, recovery_dir,
                                                                   tmp_path, monkeypatch):
    from migac_desktop.ui.recovery import RecoveryDialog

    original = tmp_path / "original.xlsx"
    write_scenario(worked_example(), original)
    session_id = dead_session(recovery_dir, original=str(original), title="Mon scénario")
    seen = []

    def choose_restore(dialog):
        seen.append([dialog.list.topLevelItem(0).text(c) for c in range(4)])
        dialog.restore_button.click()
        return 1
    monkeypatch.setattr(RecoveryDialog, "exec", choose_restore)
    window = make_window()
    assert window.recovery.offer() == 1
    name, title, where, when = seen[0]
    assert (name, title, where) == ("original.xlsx", "Mon scénario", str(original))
    assert " à " in when and when[2] == "/"
    assert window.document.modified and window.isWindowModified()
    assert window.document.path == original
    assert window.document.scenario.crra["drm"].iat[0] == 12345.0
    # Our own copy replaced the orphan.
    assert not (recovery_dir / f"{session_id}.xlsx").exists()
    assert window.recovery.session.exists
    answer(monkeypatch, "OK")
    window.findChild(type(window.actionSave), "actionSave").trigger()
    assert open_scenario(original).scenario.crra["drm"].iat[0] == 12345.0
    assert not window.document.modified
    assert sorted(p.name for p in recovery_dir.iterdir() if not p.name.endswith(".lock")) == []


def test_ignore_keeps_and_delete_removes(make_window, recovery_dir, monkeypatch):
    from migac_desktop.ui.recovery import RecoveryDialog

    dead_session(recovery_dir, title="un")
    dead_session(recovery_dir, title="deux")
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: d.ignore_button.click() or 0)
    window = make_window()
    assert window.recovery.offer() == 0
    kept = RecoveryStore(recovery_dir).orphans()
    assert [r.title for r in kept] == ["deux", "un"]               # kept, newest first
    for r in kept:
        r.release()

    def delete_first(dialog):
        dialog.list.setCurrentItem(dialog.list.topLevelItem(0))     # « deux »
        dialog.delete_button.click()
        dialog.ignore_button.click()
        return 0
    answer(monkeypatch, "Supprimer")
    monkeypatch.setattr(RecoveryDialog, "exec", delete_first)
    window.recovery.offer()
    left = RecoveryStore(recovery_dir).orphans()
    assert [r.title for r in left] == ["un"]
    for r in left:
        r.release()


def test_two_running_windows_do_not_offer_each_others_copies(make_window, qtbot, monkeypatch):
    from migac_desktop.ui.recovery import RecoveryDialog

    first = make_window()
    edit_drm_new(first)
    qtbot.waitUntil(lambda: first.recovery.session is not None and first.recovery.session.exists,
                    timeout=5000)
    shown = []
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: shown.append(d) or 0)
    second = make_window()
    assert second.recovery.offer() == 0
    assert shown == []


def test_recover_menu_action(make_window, monkeypatch):
    from PySide6.QtGui import QAction

    shown = []
    answer(monkeypatch, "OK", shown)
    window = make_window()
    action = window.findChild(QAction, "actionRecover")
    menu = next(top.menu() for top in window.menuBar().actions()
                if top.menu() is not None and window.actionQuit in top.menu().actions())
    actions = menu.actions()
    assert actions.index(action) < actions.index(window.actionQuit)
    action.trigger()
    assert "Aucune copie" in shown[-1].text()


def test_unreadable_copy_is_told_and_kept(make_window, recovery_dir, monkeypatch):
    from migac_desktop.ui.recovery import RecoveryDialog

    session_id = dead_session(recovery_dir)
    (recovery_dir / f"{session_id}.xlsx").write_bytes(b"")
    shown = []
    answer(monkeypatch, "OK", shown)
    monkeypatch.setattr(RecoveryDialog, "exec", lambda d: d.restore_button.click() or 1)
    window = make_window()
    assert window.recovery.offer() == 0
    assert shown[-1].objectName() == "recoveryErrorBox"
    assert (recovery_dir / f"{session_id}.xlsx").exists()


def test_entry_point_offers_recoveries_once_the_window_shows(recovery_dir, qtbot, monkeypatch):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from migac_desktop.ui import app as app_module
    from migac_desktop.ui.recovery import RecoveryDialog

    dead_session(recovery_dir, title="perdu")
    offered = []

    def ignore(dialog):
        offered.append(dialog.list.topLevelItem(0).text(1))
        QTimer.singleShot(0, close_all)
        return 0

    def close_all():
        for w in QApplication.topLevelWidgets():
            if w.objectName() == "MainWindow" and w.isVisible():
                w.close()
    monkeypatch.setattr(RecoveryDialog, "exec", ignore)
    QTimer.singleShot(5000, close_all)      # never hang
    assert app_module.main([]) == 0
    assert offered == ["perdu"]
    [left] = RecoveryStore(recovery_dir).orphans()
    left.discard()


# -- the lock files of other programs, before saving -----------------------------------

def test_warns_before_saving_over_a_file_open_in_libreoffice(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    path = tmp_path / "s.xlsx"
    write_scenario(worked_example(), path)
    (tmp_path / ".~lock.s.xlsx#").write_text("Jeanne Dupont,jdupont,pc,01.01.2024 10:00,x;",
                                             encoding="utf-8")
    window = make_window()
    assert window.open_path(path, ask=False)
    edit_drm(window, 1.0)
    before = path.read_bytes()
    shown = []
    answer(monkeypatch, "Annuler", shown)
    assert window.save_to(path) is False
    box = shown[-1]
    assert box.objectName() == "lockedFileBox"
    assert box.text() == ("Le fichier « s.xlsx » est ouvert dans LibreOffice (par Jeanne Dupont). "
                          "Enregistrer quand même ?")
    assert sorted(b.text() for b in box.buttons()) == ["Annuler", "Enregistrer quand même",
                                                        "Enregistrer sous…"]
    assert path.read_bytes() == before
    other = tmp_path / "autre.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(other), ""))
    answer(monkeypatch, "Enregistrer sous…")
    assert window.save_to(path) is True
    assert other.is_file() and path.read_bytes() == before
    edit_drm(window, 2.0)
    (tmp_path / ".~lock.autre.xlsx#").write_text(",paul,pc,x,y;", encoding="utf-8")
    answer(monkeypatch, "Enregistrer quand même")
    assert window.save() is True
    assert open_scenario(other).scenario.crra["drm"].iat[0] == 2.0


def test_a_failed_save_keeps_a_recovery_copy(make_window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from migac_desktop.io import workbook as wbmod

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *args: shown.append(args))
    path = tmp_path / "s.xlsx"
    write_scenario(worked_example(), path)
    before = path.read_bytes()
    window = make_window()
    window.recovery.interval = 0            # only the failure writes the copy
    assert window.open_path(path, ask=False)
    edit_drm(window, 5.0)

    real_replace = os.replace

    def refuse(src, dst):          # as Windows does when Excel holds the file
        if Path(dst) == path:
            raise PermissionError(13, "Permission denied")
        return real_replace(src, dst)
    with monkeypatch.context() as m:
        m.setattr(wbmod.os, "replace", refuse)
        assert window.save_to(path) is False
    text = shown[-1][2]
    assert "ouvert dans un autre programme" in text and "Enregistrer sous" in text
    assert "copie de secours" in text
    assert path.read_bytes() == before
    assert window.recovery.session.exists
    assert open_scenario(window.recovery.session.workbook).scenario.crra["drm"].iat[0] == 5.0
