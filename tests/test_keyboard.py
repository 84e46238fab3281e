"""The keyboard alone (issue 17, « Keyboard alone »): mnemonics that never clash, dialogs
that open on a field and close with Échap, tables left with F6, and a walk through the
tasks with keys only."""

import re
from datetime import datetime
from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QToolButton,
    QWidget,
)
from test_accessibility import focusable_in, spoken_name

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "scenario_national_2014.xlsx"
MNEMONIC = re.compile(r"(?<!&)&([^&\s])")


def mnemonic(text: str) -> str | None:
    found = MNEMONIC.search(text or "")
    return found.group(1).lower() if found else None


def mnemonics_in(root: QWidget) -> dict[str, list[str]]:
    """Alt+letter → the shown labels (with a buddy), buttons and group boxes that take it."""
    keys: dict[str, list[str]] = {}
    for widget in [root, *root.findChildren(QWidget)]:
        if not widget.isVisible():
            continue
        if isinstance(widget, QLabel) and widget.buddy() is not None:
            text = widget.text()
        elif isinstance(widget, QAbstractButton | QGroupBox):
            text = widget.text() if isinstance(widget, QAbstractButton) else widget.title()
        else:
            continue
        key = mnemonic(text)
        if key:
            keys.setdefault(key, []).append(text.replace("&", ""))
    return keys


def idle_buddies(root: QWidget) -> list[str]:
    """Labels whose buddy takes no focus (a row's container): they name nothing, and
    their Alt+letter goes nowhere. A read-only value (a QLabel) labelled so is fine."""
    return [label.text() for label in root.findChildren(QLabel)
            if label.isVisible() and label.buddy() is not None and not isinstance(label.buddy(), QLabel)
            and not (label.buddy().focusPolicy() & Qt.FocusPolicy.TabFocus)
            and label.buddy().focusProxy() is None]


def duplicates(keys: dict[str, list[str]]) -> list[str]:
    return [f"Alt+{k.upper()} : " + " / ".join(f"« {t} »" for t in texts)
            for k, texts in sorted(keys.items()) if len(texts) > 1]


def menu_keys(actions) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {}
    for action in actions:
        if action.isSeparator() or not action.isVisible():
            continue
        key = mnemonic(action.text())
        if key:
            keys.setdefault(key, []).append(action.text().replace("&", ""))
    return keys


@pytest.fixture
def national_window(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, tmp_path, monkeypatch, None, size=(1366, 768))
    assert window.open_path(SAMPLE, ask=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def test_mnemonic_finder_sees_a_duplicate(qtbot):
    """The check itself: two buttons on Alt+E are reported, « && » is no mnemonic."""
    from PySide6.QtWidgets import QPushButton, QVBoxLayout
    root = QWidget()
    qtbot.addWidget(root)
    layout = QVBoxLayout(root)
    for text in ("&Enregistrer", "&Effacer", "Pertes && profits", "&Ouvrir"):
        layout.addWidget(QPushButton(text))
    root.show()
    assert duplicates(mnemonics_in(root)) == ["Alt+E : « Enregistrer » / « Effacer »"]
    assert mnemonic("Pertes && profits") is None


def test_every_menu_has_mnemonics_without_duplicates(national_window):
    window = national_window
    bar = window.menuBar()
    titles = [a.text() for a in bar.actions()]
    assert all(mnemonic(t) for t in titles), titles
    problems = [f"barre de menus : {d}" for d in duplicates(menu_keys(bar.actions()))]
    for action in bar.actions():
        menu = action.menu()
        menu.aboutToShow.emit()                 # « Fichiers récents » fills itself
        items = [a for a in menu.actions() if not a.isSeparator()]
        no_key = [a.text() for a in items if not mnemonic(a.text()) and a.text()
                  and a.objectName() not in ("actionUndo", "actionRedo")]
        problems += [f"menu {action.text()} : « {t} » sans touche Alt" for t in no_key]
        problems += [f"menu {action.text()} : {d}" for d in duplicates(menu_keys(items))]
        for sub in menu.findChildren(QMenu):
            problems += [f"sous-menu {sub.title()} : {d}" for d in duplicates(menu_keys(sub.actions()))]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tab", range(7))
def test_each_tab_has_no_duplicate_mnemonic_nor_one_of_the_menu_bar(national_window, tab):
    """Alt+letter on a tab: its labels and buttons, and the menu bar's titles (Alt+F…)."""
    window = national_window
    window.tabs.setCurrentIndex(tab)
    QApplication.processEvents()
    keys = mnemonics_in(window.tabs.currentWidget())
    for key, texts in menu_keys(window.menuBar().actions()).items():
        keys.setdefault(key, []).extend(f"menu {t}" for t in texts)
    found = duplicates(keys) + [f"étiquette compagne d'un conteneur : « {t} »"
                                for t in idle_buddies(window.tabs.currentWidget())]
    assert not found, f"onglet « {window.tabs.tabText(tab)} » :\n" + "\n".join(found)


# -- dialogs ------------------------------------------------------------------------------
def envelope(window):
    from migac_desktop.ui.parameters_panel import EnvelopeDialog
    return EnvelopeDialog(window.document, window)


def goal_seek(window):
    from migac_desktop.ui.goal_seek_dialog import GoalSeekDialog
    return GoalSeekDialog(window)


def notifications(window):
    from migac_desktop.ui.printing.notify_actions import NotifyDialog
    notifier = window.notifier()
    return NotifyDialog("Bretagne", notifier.counts(), "", window)


def preferences(window):
    from migac_desktop.ui.history_panel import AuthorDialog
    return AuthorDialog(window)


def report_scope(window):
    from migac_desktop.ui.printing.actions import ReportScopeDialog
    return ReportScopeDialog(["Bretagne", "Guyane"], None, "Aperçu avant impression", window)


def recovery(window):
    from migac_desktop.io.recovery import Recovery
    from migac_desktop.ui.recovery import RecoveryDialog
    copy = Recovery(session="s", workbook=Path("copie.xlsx"), sidecar=Path("copie.json"),
                    original=Path("scenario.xlsx"), name="scenario.xlsx", title="Essai",
                    saved_at=datetime(2026, 3, 2, 10, 30))
    return RecoveryDialog([copy], window)


DIALOGS = [envelope, goal_seek, notifications, preferences, report_scope, recovery]


@pytest.mark.parametrize("make", DIALOGS, ids=[d.__name__ for d in DIALOGS])
def test_dialog_opens_on_a_field_is_named_and_closes_with_escape(qtbot, national_window, make):
    dialog: QDialog = make(national_window)
    dialog.open()
    qtbot.waitUntil(lambda: dialog.isVisible() and QApplication.focusWidget() is not None
                    and dialog.isAncestorOf(QApplication.focusWidget()), timeout=3000)
    focus = QApplication.focusWidget()
    controls = focusable_in(dialog)
    fields = [w for w in controls if not isinstance(w, QPushButton | QToolButton)]
    assert not isinstance(focus, QPushButton | QToolButton), \
        f"la fenêtre s'ouvre sur un bouton : {focus.text()}"
    assert focus is fields[0] or isinstance(focus, QLineEdit), \
        f"la fenêtre s'ouvre sur {focus.objectName()} et non sur son premier champ"
    unnamed = [f"{w.objectName()} ({type(w).__name__})" for w in controls if not spoken_name(w)]
    assert not unnamed, f"{dialog.windowTitle()} : sans nom accessible : {unnamed}"
    idle = idle_buddies(dialog)
    assert not idle, f"{dialog.windowTitle()} : étiquettes compagnes d'un conteneur : {idle}"
    clash = duplicates(mnemonics_in(dialog))
    assert not clash, f"{dialog.windowTitle()} :\n" + "\n".join(clash)
    qtbot.keyClick(focus, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert QDialog.result(dialog) == QDialog.DialogCode.Rejected


# -- tables -------------------------------------------------------------------------------
def test_tab_moves_between_cells_and_f6_leaves_the_table(qtbot, national_window):
    window = national_window
    view = window.crra_panel.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(0, 1))
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view, timeout=2000)
    shown = view.visible_columns()
    qtbot.keyClick(view, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is view
    assert view.currentIndex().column() == shown[shown.index(1) + 1]
    qtbot.keyClick(view, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert view.currentIndex().column() == 1
    qtbot.keyClick(view, Qt.Key.Key_F6)
    after = QApplication.focusWidget()
    assert after is not view and not view.isAncestorOf(after)
    assert after.isVisible() and spoken_name(after)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F6, Qt.KeyboardModifier.ShiftModifier)
    before = QApplication.focusWidget()
    assert before is not view and not view.isAncestorOf(before) and before.isVisible()


# -- announcements --------------------------------------------------------------------------
def test_status_messages_and_new_problems_are_announced(qtbot, national_window, monkeypatch):
    """A status-bar message and a new count of problems reach the screen reader as an
    announcement event, errors assertive."""
    from PySide6.QtGui import QAccessible, QAccessibleAnnouncementEvent

    from migac_desktop.ui import announce as module
    said = []
    real = QAccessible.updateAccessibility

    class Recorder:
        @staticmethod
        def updateAccessibility(event):
            if isinstance(event, QAccessibleAnnouncementEvent):
                said.append((event.message(), event.politeness()))
            real(event)
        AnnouncementPoliteness = QAccessible.AnnouncementPoliteness
    monkeypatch.setattr(module, "QAccessible", Recorder)
    window = national_window
    window.show_message("Scénario enregistré.")
    assert said == [("Scénario enregistré.", QAccessible.AnnouncementPoliteness.Polite)]
    said.clear()
    model = window.crra_panel.model
    ident = model.column_of_key("crra_id")
    model.setData(model.index(1, ident), model.data(model.index(0, ident)), Qt.ItemDataRole.EditRole)
    qtbot.waitUntil(lambda: bool(said), timeout=3000)
    text, politeness = said[-1]
    assert text.startswith("Problèmes : 1 erreur(s)"), said
    assert politeness == QAccessible.AnnouncementPoliteness.Assertive


# -- 200 % ----------------------------------------------------------------------------------
def test_at_200_percent_every_tab_fits_1366x768_its_tool_bars_wrapped(qtbot, national_window):
    """At 200 % (QT_SCALE_FACTOR=2) a 1366×768 screen is 683×384 of Qt's logical pixels:
    the window fits in it, and on every tab no control of the tool bar is cut off at the
    right (the row wraps); the page scrolls instead of growing past the screen."""
    window = national_window
    window.resize(683, 384)
    qtbot.waitUntil(lambda: window.width() <= 683, timeout=2000)
    assert window.minimumSizeHint().width() <= 683, window.minimumSizeHint()
    for i in range(window.tabs.count()):
        window.tabs.setCurrentIndex(i)
        QApplication.processEvents()
        page = window.tabs.currentWidget()
        row = page.layout().itemAt(0).layout() if page.layout() is not None else None
        if row is None:
            continue
        cut = [w.objectName() or type(w).__name__ for w in (row.itemAt(j).widget() for j in range(row.count()))
               if w is not None and w.isVisible() and w.geometry().right() > page.width()]
        assert not cut, f"onglet « {window.tabs.tabText(i)} » : coupé(s) à droite : {cut}"


# -- a walk with the keyboard alone -----------------------------------------------------------
def focus(qtbot, widget):
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=2000)
    return widget


def test_the_tasks_with_the_keyboard_alone(qtbot, tmp_path, monkeypatch):
    """Open, edit a cell, undo, change the region, switch tabs, edit a parameter, leave a
    table, compare levels, and save: keys only (no click), each step checked on the figures."""
    import shutil

    from migac_desktop.io.workbook import read_scenario
    copy = tmp_path / "scénario.xlsx"
    shutil.copy(SAMPLE, copy)
    window = open_window(qtbot, tmp_path, monkeypatch, None, size=(1366, 768))
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    assert window.open_path(copy, ask=False)
    panel = window.crra_panel
    model, view = panel.model, panel.view
    # Edit the DRM of the first CRRA: move to the cell with the arrows, type, Entrée.
    view.setFocus()
    focus(qtbot, view)
    view.setCurrentIndex(model.index(0, 0))
    for _ in range(view.visible_columns().index(model.column_of_key("drm"))):
        qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.currentIndex().column() == model.column_of_key("drm")
    before = window.document.scenario.crra["drm"].iat[0]
    qtbot.keyClick(view, Qt.Key.Key_1)                      # typing starts the edit, as in Excel
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClicks(editor, "50000")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.document.scenario.crra["drm"].iat[0] == 150000)
    qtbot.waitUntil(lambda: view.currentIndex().row() == 1)     # Entrée went down, as in Excel
    # Undo with Ctrl+Z.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.document.scenario.crra["drm"].iat[0] == before
    # Region: Alt+R, then the arrow picks the first region; F6 leaves the table.
    qtbot.keyClick(view, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    focus(qtbot, panel.region)
    qtbot.keyClick(panel.region, Qt.Key.Key_Down)
    region = panel.region.currentText()
    assert panel.region.currentIndex() == 1 and model.rowCount() < len(window.document.scenario.crra)
    column = model.column_of_key("region")
    assert {model.data(model.index(r, column)) for r in range(model.rowCount())} == {region}
    view.setFocus()
    focus(qtbot, view)
    qtbot.keyClick(view, Qt.Key.Key_F6)
    assert QApplication.focusWidget() is not view
    # Next tab with Ctrl+Tab (from the tool bar: inside the explanation panel Ctrl+Tab
    # turns its own pages): « Paramètres nationaux »; a parameter typed and validated.
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    focus(qtbot, panel.region)
    qtbot.keyClick(panel.region, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.parameters_panel
    field = window.parameters_panel.form.editors["cout_etp_arm"]
    field.setFocus(Qt.FocusReason.TabFocusReason)
    focus(qtbot, field)
    field.selectAll()
    qtbot.keyClicks(field, "46000")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.document.scenario.parameters.cout_etp_arm == 46000
    # Comparison: Ctrl+Tab again, Alt+N then the arrow: the CRRA level... of the region.
    qtbot.keyClick(field, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.comparison_panel
    comparison = window.comparison_panel
    comparison.table.setFocus()
    focus(qtbot, comparison.table)
    qtbot.keyClick(comparison.table, Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    focus(qtbot, comparison.level)
    level = comparison.level.currentData()
    qtbot.keyClick(comparison.level, Qt.Key.Key_Down)
    assert comparison.level.currentData() != level
    # Save with Ctrl+S: the file reopens with the parameter typed.
    qtbot.keyClick(comparison.level, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.document.modified, timeout=15000)
    saved = read_scenario(copy)
    saved = getattr(saved, "scenario", saved)
    assert saved.parameters.cout_etp_arm == 46000


def test_ctrl_tab_and_ctrl_page_down_turn_the_tab_from_inside_a_table(qtbot, tmp_path, monkeypatch):
    """A table would take Ctrl+Tab and Ctrl+Pg.Suiv as cell moves; they turn the page, as
    Ctrl+Pg.Suiv turns Excel's sheets."""
    from conftest import open_window, worked_example
    window = open_window(qtbot, tmp_path, monkeypatch, worked_example())
    view = window.crra_panel.view
    view.setCurrentIndex(view.model().index(0, 0))
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.parameters_panel
    assert view.currentIndex().column() == 0                # no cell moved
    window.tabs.setCurrentWidget(window.crra_panel)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.parameters_panel
    window.tabs.setCurrentWidget(window.crra_panel)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentIndex() == window.tabs.count() - 1
