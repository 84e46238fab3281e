"""Unexpected errors in the window: told in French, written to a log, the work kept.

A defect that raises inside a slot would otherwise print a Python traceback on a
console the modeller never sees, and leave them wondering whether their scenario is
safe. The handler installed by :func:`install` (only when MIGAC Desktop owns the
application: tests and embedding keep their own) writes the traceback to
``erreurs.log`` in the user's data folder, takes a recovery copy of unsaved changes at
once, and says so in a dialog. The window keeps running: the error was in one action.
"""

from __future__ import annotations

import os
import sys
import traceback
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QMessageBox

ENV_LOG = "MIGAC_ERROR_LOG"
MAX_LOG_BYTES = 1_000_000       # the log is cut back to its latest half beyond this


def error_log_path() -> Path:
    env = os.environ.get(ENV_LOG, "").strip()
    if env:
        return Path(env)
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".migac-desktop") / "erreurs.log"


def write_log(exc_type, exc, tb, path: Path | None = None) -> Path | None:
    """Append the traceback to the log; None if the log itself cannot be written."""
    from .. import __version__

    path = path or error_log_path()
    text = (f"--- {datetime.now():%Y-%m-%d %H:%M:%S} · MIGAC Desktop {__version__} · "
            f"Python {sys.version.split()[0]}\n"
            + "".join(traceback.format_exception(exc_type, exc, tb)) + "\n")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and path.stat().st_size > MAX_LOG_BYTES:
            kept = path.read_bytes()[-MAX_LOG_BYTES // 2:]
            path.write_bytes(kept[kept.find(b"\n--- ") + 1:] if b"\n--- " in kept else b"")
        with open(path, "a", encoding="utf-8") as log:
            log.write(text)
    except OSError:
        return None
    return path


class ErrorHandler:
    """``sys.excepthook`` of the application (see the module notes)."""

    def __init__(self, window):
        self.window = window
        self.previous = sys.excepthook
        self._telling = False

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            self.previous(exc_type, exc, tb)
            return
        log = write_log(exc_type, exc, tb)
        if self._telling:           # an error while the dialog is open: logged only
            return
        self._telling = True
        try:
            saved = self._keep_the_work()
            QMessageBox.critical(self.window, "Erreur inattendue", self.message(exc_type, log, saved))
        finally:
            self._telling = False

    def _keep_the_work(self) -> bool:
        recovery = getattr(self.window, "recovery", None)
        try:
            return bool(recovery is not None and recovery.autosave_now())
        except Exception:  # noqa: BLE001 - already handling an error: never raise again
            return False

    @staticmethod
    def message(exc_type, log: Path | None, saved: bool) -> str:
        lines = ["MIGAC Desktop a rencontré une erreur inattendue : l'action en cours n'a "
                 "pas abouti.",
                 f"(erreur interne : {exc_type.__name__})"]
        if saved:
            lines.append("Vos modifications non enregistrées ont été copiées dans une copie "
                         "de secours, proposée au prochain démarrage si besoin.")
        lines.append("Par précaution, enregistrez votre scénario (Fichier → Enregistrer "
                     "sous…) puis redémarrez l'application.")
        if log is not None:
            lines.append(f"Journal à joindre à un signalement : {log}")
        return "\n\n".join(lines)


def install(window) -> ErrorHandler:
    handler = ErrorHandler(window)
    sys.excepthook = handler
    return handler
