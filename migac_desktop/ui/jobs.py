"""Long work without a frozen window: one worker thread and progress-dialog policy.

Opening and saving a workbook (:func:`migac_desktop.ui.busy.run_in_background`) and
building or writing the report (:class:`migac_desktop.ui.printing.ReportPrinter`)
run their work the same way, through :func:`run_job`:

- ``func(progress)`` runs in a :class:`Job` thread (core, io and reporting code,
  Qt-free, on data the window does not change meanwhile); the GUI thread keeps
  repainting in a local event loop, with a short GIL switch interval
  (:func:`gui_keeps_up`);
- when the work lasts more than half a second, a window-modal ``QProgressDialog``
  says what is happening: a busy bar, or steps when the work calls
  ``progress(done, total, text)``, and an « Annuler » button when the work can stop
  (``progress`` then returns False and the work raises one of ``cancelled_by``);
- without « Annuler », user input waits (``ExcludeUserInputEvents``: no edit can race
  the worker, and a click made during a save is delivered after it);
- the outcome comes back to the GUI thread on the finished :class:`Job`: its
  ``result``, or the ``error`` it raised, or ``cancelled``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

SHOW_AFTER_MS = 500
# While a worker thread runs Python, every call of the GUI thread into Python (each
# table cell painted, each slot) waits for the GIL up to the switch interval: 5 ms by
# default, which makes one repaint of a table last seconds. 0,2 ms keeps the window
# fluid and costs the worker a few per cent, only when the two threads contend.
WORKER_SWITCH_INTERVAL_S = 0.0002
# The dialog is shown by our timer only: Qt's own (minimum duration, then estimates
# made from the steps) never fires.
_NEVER_MS = 2 ** 30


@contextmanager
def gui_keeps_up() -> Iterator[None]:
    """A short GIL switch interval while a worker thread runs beside the window."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, WORKER_SWITCH_INTERVAL_S))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class Job(QThread):
    """Runs ``func(progress)`` off the GUI thread. ``progress(done, total, text)``
    reports a step and returns False once the user has cancelled."""

    stepped = Signal(int, int, str)

    def __init__(self, func: Callable, parent=None):
        super().__init__(parent)
        self.func = func
        self.result = None
        self.error: BaseException | None = None
        self.cancelled = False
        self.shown = False               # whether the progress dialog was shown

    def progress(self, done: int, total: int, text: str) -> bool:
        self.stepped.emit(done, total, text)
        return not self.cancelled

    def run(self) -> None:
        try:
            self.result = self.func(self.progress)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread
            self.error = exc


def progress_dialog(parent: QWidget | None, text: str, *, title: str, name: str,
                    cancel: str | None) -> QProgressDialog:
    """A hidden, window-modal progress dialog with a busy bar (0..0)."""
    dialog = QProgressDialog(text, cancel, 0, 0, parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(_NEVER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.reset()
    dialog.hide()
    return dialog


def run_job(parent: QWidget | None, text: str, func: Callable, *,
            title: str = "MIGAC Desktop", name: str = "busyDialog",
            cancel: str | None = None, cancelled_by: tuple[type[BaseException], ...] = (),
            show_after_ms: int = SHOW_AFTER_MS) -> Job:
    """Run ``func(progress)`` in a :class:`Job` behind a progress dialog shown after
    ``show_after_ms``; returns the finished job. ``cancel``: the text of the dialog's
    cancel button (none without it); an exception in ``cancelled_by`` means the work
    stopped because the user cancelled."""
    job = Job(func)
    dialog = progress_dialog(parent, text, title=title, name=name, cancel=cancel)
    timer = QTimer()
    timer.setSingleShot(True)

    def show() -> None:
        job.shown = True
        dialog.show()

    def stepped(done: int, total: int, label: str) -> None:
        dialog.setMaximum(total)
        dialog.setValue(done)
        dialog.setLabelText(label + "…")

    def cancelled() -> None:
        job.cancelled = True

    timer.timeout.connect(show)
    job.stepped.connect(stepped)
    if cancel is not None:
        dialog.canceled.connect(cancelled)
    loop = QEventLoop()
    job.finished.connect(loop.quit)
    # With « Annuler » the dialog must take clicks; without it, input waits.
    flags = (QEventLoop.ProcessEventsFlag.AllEvents if cancel is not None
             else QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    timer.start(show_after_ms)
    try:
        with gui_keeps_up():
            job.start()
            if not job.isFinished():
                loop.exec(flags)
    finally:
        job.wait()
        timer.stop()
        if cancel is not None:
            dialog.canceled.disconnect(cancelled)     # closing it emits « canceled »
        dialog.reset()
        dialog.hide()
        dialog.setParent(None)  # deleted now, even when no event loop runs (start-up, scripts)
        job.deleteLater()
    if job.error is not None and isinstance(job.error, cancelled_by):
        job.error, job.cancelled = None, True
    return job
