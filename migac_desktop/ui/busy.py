"""Long file operations without a frozen window: a worker thread and a progress dialog.

``run_in_background(parent, text, func)`` runs ``func()`` (reading or writing a
workbook: core and io code, Qt-free, on a scenario the window does not change
meanwhile) in a worker thread and returns its result, or raises its exception, as a
plain call would. It is :func:`migac_desktop.ui.jobs.run_job` without steps nor
« Annuler »: the window keeps repainting, user input waits, and when the work lasts
more than half a second a modal progress dialog with a busy bar says what is
happening. The workbook code cannot report its progress row by row, hence a busy bar
rather than a percentage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from PySide6.QtWidgets import QWidget

from .jobs import SHOW_AFTER_MS, run_job

T = TypeVar("T")


def run_in_background(parent: QWidget, text: str, func: Callable[[], T],
                      show_after_ms: int = SHOW_AFTER_MS) -> T:
    job = run_job(parent, text, lambda progress: func(), show_after_ms=show_after_ms)
    if job.error is not None:
        raise job.error
    return job.result
