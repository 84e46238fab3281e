"""Long file operations without a frozen window: a worker thread and a progress dialog.

``run_in_background(parent, text, func)`` runs ``func()`` (reading or writing a
workbook: core and io code, Qt-free, on a scenario the window does not change
meanwhile) in a worker thread and returns its result, or raises its exception, as a
plain call would. Meanwhile the window keeps repainting; user input waits
(``ExcludeUserInputEvents``: no edit can race the worker, and a click made during a
save is delivered after it) and, when the work lasts more than half a second, a
modal progress dialog with a busy bar says what is happening. The workbook code
cannot report its progress row by row, hence a busy bar rather than a percentage.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from PySide6.QtCore import QEventLoop, Qt, QThread, QTimer
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")
SHOW_AFTER_MS = 500
# While a worker thread runs Python, every call of the GUI thread into Python (each
# table cell painted, each slot) waits for the GIL up to the switch interval: 5 ms by
# default, which makes one repaint of a table last seconds. 0,2 ms keeps the window
# fluid and costs the worker a few per cent, only when the two threads contend.
WORKER_SWITCH_INTERVAL_S = 0.0002


@contextmanager
def gui_keeps_up() -> Iterator[None]:
    """A short GIL switch interval while a worker thread runs beside the window."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(min(previous, WORKER_SWITCH_INTERVAL_S))
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


class _Worker(QThread):
    def __init__(self, func: Callable[[], T]):
        super().__init__()
        self.func = func
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.func()
        except BaseException as exc:  # noqa: BLE001 — raised again in the caller's thread
            self.error = exc


def run_in_background(parent: QWidget, text: str, func: Callable[[], T],
                      show_after_ms: int = SHOW_AFTER_MS) -> T:
    worker = _Worker(func)
    loop = QEventLoop()
    worker.finished.connect(loop.quit)
    dialog = QProgressDialog(text, None, 0, 0, parent)      # 0..0: a busy bar
    dialog.setObjectName("busyDialog")
    dialog.setWindowTitle("MIGAC Desktop")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.reset()              # stops Qt's own show timer: ours shows it, and only while working
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(dialog.show)
    timer.start(show_after_ms)
    try:
        with gui_keeps_up():
            worker.start()
            loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        worker.wait()
        timer.stop()
        dialog.reset()
        dialog.hide()
        dialog.setParent(None)  # deleted now, even when no event loop runs (start-up, scripts)
        worker.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result
