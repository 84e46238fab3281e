"""Autosave, recovery at start-up, and the warning before saving over an open file.

The Qt side of :mod:`migac_desktop.io.recovery`:

* :class:`RecoveryController` belongs to a main window. While the document has
  unsaved changes, a timer writes a recovery copy every minute (QSettings key
  ``recovery/intervalSeconds``; environment variable ``MIGAC_AUTOSAVE_SECONDS``
  first; 0 turns autosave off). The copy is removed when the document is saved,
  comes back to its saved state, or the window closes normally.
* At start-up, :meth:`RecoveryController.offer` lists the copies left by a
  process that ended without saving (file name, title, time) and offers
  « Restaurer », « Supprimer » or « Ignorer ». A restored scenario opens as
  modified, with its original path: « Enregistrer » writes the original file.
* :func:`ask_before_overwriting` warns when Excel or LibreOffice holds the file.

The recovery folder is ``QStandardPaths.AppDataLocation``/``recovery`` (for
example ``~/.local/share/MIGAC/MIGAC Desktop/recovery`` on Linux,
``%APPDATA%\\MIGAC\\MIGAC Desktop\\recovery`` on Windows), or
``MIGAC_RECOVERY_DIR`` when set.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)

from ..core.french import date_time
from ..io.recovery import Recovery, RecoveryStore
from ..io.safety import lock_owner
from .settings import AUTOSAVE_INTERVAL_KEY

ENV_FOLDER = "MIGAC_RECOVERY_DIR"
ENV_INTERVAL = "MIGAC_AUTOSAVE_SECONDS"
DEFAULT_INTERVAL = 60.0


def recovery_folder() -> Path:
    env = os.environ.get(ENV_FOLDER, "").strip()
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not base:
        base = str(Path.home() / ".migac-desktop")
    return Path(base) / "recovery"


def autosave_interval(settings: QSettings | None = None) -> float:
    """Seconds between autosaves of unsaved changes; 0 means never."""
    for raw in (os.environ.get(ENV_INTERVAL),
                (settings or QSettings()).value(AUTOSAVE_INTERVAL_KEY, None)):
        if raw in (None, ""):
            continue
        try:
            value = float(raw)
        except (TypeError, ValueError):
            continue
        return max(value, 0.0)
    return DEFAULT_INTERVAL


class RecoveryController(QObject):
    """Autosave and recovery for one main window."""

    autosaved = Signal(object)          # the recovery copy's path

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self.store = RecoveryStore(recovery_folder())
        self.session = None
        self.interval = autosave_interval(getattr(window, "settings", None))
        self.last_error: str | None = None
        self._adopted: list[Recovery] = []   # orphans restored here: gone once saved
        self.timer = QTimer(self)
        self.timer.setObjectName("autosaveTimer")
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.autosave_now)
        stack = self.document.undo_stack
        stack.indexChanged.connect(self._changed)
        stack.cleanChanged.connect(self._clean_changed)
        window.closed.connect(self.shutdown)
        self.action = QAction("Réc&upérer des scénarios non enregistrés…", window)
        self.action.setObjectName("actionRecover")
        self.action.setStatusTip("Copies automatiques laissées par un arrêt imprévu de MIGAC Desktop")
        self.action.triggered.connect(lambda: self.offer(at_startup=False))
        self._add_to_file_menu()

    def _add_to_file_menu(self) -> None:
        quit_action = getattr(self.window, "actionQuit", None)
        for top in self.window.menuBar().actions():
            menu = top.menu()
            if menu is not None and quit_action in menu.actions():
                menu.insertAction(quit_action, self.action)
                menu.insertSeparator(quit_action)
                return

    # -- autosave ------------------------------------------------------------------
    def _modified(self) -> bool:
        try:
            return self.document.modified
        except RuntimeError:      # the undo stack is being destroyed with its window
            return False

    def _changed(self, *_):
        if self._modified() and self.interval > 0 and not self.timer.isActive():
            self.timer.start(max(int(self.interval * 1000), 1))

    def _clean_changed(self, clean: bool) -> None:
        if clean:
            self.timer.stop()
            self._discard_copies()
        else:
            self._changed()

    def autosave_now(self) -> bool:
        """Write the recovery copy now; False (and a status message) if it failed."""
        self.timer.stop()
        if not self._modified():
            self._discard_copies()
            return False
        if self.session is None:
            self.session = self.store.session()
        document = self.document
        try:
            path = self.session.save(document.scenario, document.results,
                                     original=document.path, name=document.display_name(),
                                     title=document.scenario.title)
        except Exception as exc:  # noqa: BLE001 - a failed autosave must never stop the work
            self.last_error = str(exc)
            self.window.show_message(f"Copie de secours automatique impossible : {exc}")
            if self.interval > 0:
                self.timer.start(max(int(self.interval * 1000), 1))   # try again later
            return False
        self.last_error = None
        for recovery in self._adopted:   # our own copy now supersedes the one restored
            recovery.discard()
        self._adopted.clear()
        self.autosaved.emit(path)
        return True

    def _discard_copies(self) -> None:
        if self.session is not None:
            self.session.remove()
        for recovery in self._adopted:
            recovery.discard()
        self._adopted.clear()

    def shutdown(self) -> None:
        """The window closed normally: no copy is left behind."""
        self.timer.stop()
        stack = self.document.undo_stack
        for signal, slot in ((stack.indexChanged, self._changed),
                             (stack.cleanChanged, self._clean_changed)):
            try:
                signal.disconnect(slot)
            except (RuntimeError, TypeError):
                pass
        self._discard_copies()
        if self.session is not None:
            self.session.close()

    # -- recovery ------------------------------------------------------------------
    def offer(self, at_startup: bool = True) -> int:
        """List the orphaned copies and act on the user's choice; the number restored."""
        recoveries = self.store.orphans()
        if not recoveries:
            if not at_startup:
                box = QMessageBox(QMessageBox.Icon.Information, "Récupération",
                                  "Aucune copie automatique à récupérer : aucun scénario n'a été "
                                  "perdu lors d'un arrêt imprévu.", parent=self.window)
                box.setObjectName("noRecoveryBox")
                box.exec()
            return 0
        dialog = RecoveryDialog(recoveries, self.window)
        dialog.exec()
        restored = 0
        for recovery in recoveries:
            if recovery is dialog.chosen:
                if self.restore(recovery):
                    restored += 1
                    continue
            if recovery in dialog.deleted:
                recovery.discard()
            else:
                recovery.release()
        return restored

    def restore(self, recovery: Recovery) -> bool:
        from ..io.workbook import WorkbookError

        if not self.window.maybe_save():
            recovery.release()
            return False
        try:
            loaded = recovery.load()
        except WorkbookError as exc:
            box = QMessageBox(QMessageBox.Icon.Critical, "Copie illisible",
                              f"La copie automatique de « {recovery.name} » ne peut pas être "
                              "ouverte ; elle est conservée dans le dossier de récupération :\n"
                              f"{recovery.workbook}", parent=self.window)
            box.setObjectName("recoveryErrorBox")
            box.setDetailedText(str(exc))
            box.exec()
            recovery.release()
            return False
        self.document.load(loaded.scenario, recovery.original, loaded.problems, loaded.evaluation)
        self.document.undo_stack.resetClean()        # modified: to be saved
        self._adopted.append(recovery)
        self.autosave_now()
        where = f"« {recovery.original} »" if recovery.original else "un nouveau fichier"
        self.window.show_message(
            f"Scénario « {recovery.name} » restauré (copie du {date_time(recovery.saved_at)}) : "
            f"enregistrez-le (Ctrl+S) dans {where} pour garder ces modifications.")
        return True


class RecoveryDialog(QDialog):
    """The copies left by an unexpected stop: restore one, delete some, or keep them."""

    def __init__(self, recoveries: list[Recovery], parent=None):
        super().__init__(parent)
        self.setObjectName("recoveryDialog")
        self.setWindowTitle("Récupération de scénarios non enregistrés")
        self.recoveries = recoveries
        self.chosen: Recovery | None = None
        self.deleted: list[Recovery] = []
        layout = QVBoxLayout(self)
        text = QLabel(
            "MIGAC Desktop s'est arrêté sans que ces scénarios soient enregistrés (panne, arrêt "
            "forcé, session fermée). Une copie automatique de chacun a été conservée.\n"
            "Restaurez celui dont vous avez besoin : il s'ouvre avec ses modifications, à "
            "enregistrer. « Ignorer » garde les copies pour plus tard (menu Fichier).")
        text.setWordWrap(True)
        layout.addWidget(text)
        self.list = QTreeWidget()
        self.list.setObjectName("recoveryList")
        self.list.setAccessibleName("Scénarios à récupérer")
        self.list.setHeaderLabels(["Scénario", "Titre", "Fichier d'origine", "Copie automatique du"])
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        for recovery in recoveries:
            item = QTreeWidgetItem([
                recovery.name, recovery.title,
                str(recovery.original) if recovery.original else "(jamais enregistré)",
                date_time(recovery.saved_at)])
            item.setToolTip(2, str(recovery.original or ""))
            self.list.addTopLevelItem(item)
        self.list.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.list.setCurrentItem(self.list.topLevelItem(0))
        self.list.itemDoubleClicked.connect(lambda *_: self.restore_selected())
        layout.addWidget(self.list)
        buttons = QDialogButtonBox()
        self.restore_button = QPushButton("&Restaurer")
        self.restore_button.setObjectName("recoveryRestore")
        self.restore_button.setDefault(True)
        self.delete_button = QPushButton("&Supprimer…")
        self.delete_button.setObjectName("recoveryDelete")
        self.ignore_button = QPushButton("&Ignorer")
        self.ignore_button.setObjectName("recoveryIgnore")
        self.ignore_button.setToolTip("Garder les copies : elles seront proposées de nouveau.")
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.delete_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        buttons.addButton(self.ignore_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self.restore_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.ignore_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(760, 300)

    def _selected(self) -> Recovery | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return self.recoveries[self.list.indexOfTopLevelItem(item)]

    def restore_selected(self) -> None:
        recovery = self._selected()
        if recovery is not None:
            self.chosen = recovery
            self.accept()

    def delete_selected(self, confirm: bool = True) -> None:
        recovery = self._selected()
        if recovery is None:
            return
        if confirm:
            box = QMessageBox(QMessageBox.Icon.Question, "Supprimer la copie",
                              f"Supprimer définitivement la copie automatique de « {recovery.name} » "
                              f"({date_time(recovery.saved_at)}) ? Ses modifications seront "
                              "perdues.", parent=self)
            box.setObjectName("confirmDeleteRecoveryBox")
            delete = box.addButton("Supprimer", QMessageBox.ButtonRole.DestructiveRole)
            keep = box.addButton("Garder", QMessageBox.ButtonRole.RejectRole)
            box.setDefaultButton(keep)
            box.setEscapeButton(keep)
            box.exec()
            if box.clickedButton() is not delete:
                return
        self.deleted.append(recovery)
        item = self.list.currentItem()
        item.setDisabled(True)
        item.setText(3, "supprimée")
        item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsSelectable)
        remaining = [r for r in self.recoveries if r not in self.deleted]
        if not remaining:
            self.reject()
            return
        self.list.setCurrentItem(self.list.topLevelItem(self.recoveries.index(remaining[0])))


def ask_before_overwriting(parent, path) -> str:
    """``save``, ``save_as`` or ``cancel`` when Excel or LibreOffice holds ``path``."""
    owner = lock_owner(path)
    if owner is None:
        return "save"
    box = QMessageBox(QMessageBox.Icon.Warning, "Fichier ouvert dans un autre programme",
                      f"Le fichier « {Path(path).name} » est ouvert dans {owner.describe()}. "
                      "Enregistrer quand même ?", parent=parent)
    box.setObjectName("lockedFileBox")
    box.setInformativeText(
        f"Si vous enregistrez, {owner.program} ne verra pas vos modifications et pourrait les "
        "écraser en enregistrant à son tour : fermez d'abord le fichier dans "
        f"{owner.program}, ou enregistrez sous un autre nom. (Après un arrêt brutal de "
        f"{owner.program}, son fichier verrou « {owner.lock_path.name} » peut rester : "
        "enregistrez alors quand même.)")
    save = box.addButton("Enregistrer quand même", QMessageBox.ButtonRole.AcceptRole)
    save_as = box.addButton("Enregistrer sous…", QMessageBox.ButtonRole.ActionRole)
    cancel = box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(save_as)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is save:
        return "save"
    if clicked is save_as:
        return "save_as"
    return "cancel"
