"""The hospitals' notifications on paper: one A4 PDF per FINESS, the report's layout.

Many small documents rather than one large one: the fonts and the measured text
(:class:`.fonts.Fonts`) are made once and shared by every notification's layout, so
the 96 hospitals of a national scenario cost little more than their painting.
Each PDF is written atomically (a failed write leaves the file of the same name as it
was). ``migac notify`` and the window's « Notifications aux établissements… » both
call :func:`write_notification_pdfs`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QPageSize

from ...io.atomic import write_atomically
from ...reporting.figures import ReportCancelled
from ...reporting.notification import (
    NotificationContext,
    Signature,
    build_notification,
    notified_establishments,
)
from .boxes import ACCENT, MM, TEXT, Box
from .fonts import Fonts
from .layout import ReportLayout
from .pdf import _ensure_gui_application, pdf_bytes


class NotificationLayout(ReportLayout):
    """The report's layout, plus the signature block of a notification."""

    def _block_boxes(self, block, width: float) -> list[Box]:
        if isinstance(block, Signature):
            return [self._signature_box(block, width)]
        return super()._block_boxes(block, width)

    def _title_box(self, block, width: float) -> Box:
        """The report's title, smaller: a notification is one page, not a cover."""
        ops: list = []
        y = 0.0
        ops += self._lines_ops(("b", 8.5), [block.kicker], 0, y, 12, ACCENT)
        y += 12 + 4
        lines = self.fonts.wrap(("b", 16.0), block.title, width)
        ops += self._lines_ops(("b", 16.0), lines, 0, y, 20, TEXT)
        y += 20 * len(lines) + 2
        if block.subtitle:
            lines = self.fonts.wrap(("r", 11.0), block.subtitle, width)
            ops += self._lines_ops(("r", 11.0), lines, 0, y, 14.5, ACCENT)
            y += 14.5 * len(lines)
        y += 5
        ops.append(("line", 0, y, width, y, ACCENT, 1.2, False))
        return Box(y + 4, ops)

    def _signature_box(self, block: Signature, width: float) -> Box:
        # The right half of the page; beside another block (Columns), its own column.
        beside = width < self.body_width * 0.75
        x = 0.0 if beside else width / 2
        inner = width if beside else width / 2
        ops: list = []
        y = 0.0
        lines = self.fonts.wrap(("r", 9.5), block.place_date, inner)
        ops += self._lines_ops(("r", 9.5), lines, x, y, 13.5, TEXT)
        y += 13.5 * len(lines) + 6
        lines = self.fonts.wrap(("b", 10.0), block.signatory, inner)
        ops += self._lines_ops(("b", 10.0), lines, x, y, 14.0, TEXT)
        y += 14.0 * len(lines)
        # Room left under the name for a hand signature.
        return Box(y + 10 * MM, ops, space_before=0.0 if beside else 12.0)


def a4_points() -> tuple[float, float]:
    size = QPageSize(QPageSize.PageSizeId.A4).size(QPageSize.Unit.Point)
    return size.width(), size.height()


@dataclass
class NotificationRun:
    """What a run wrote: the PDFs, in the order of ``establishments.csv``, and the
    number of pages of each."""

    paths: list[Path] = field(default_factory=list)
    finess: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


def notification_path(folder: str | os.PathLike, finess: str) -> Path:
    """``DIR/<FINESS>.pdf`` (WORKBOOK.md)."""
    return Path(folder) / f"{finess}.pdf"


def write_notification_pdfs(scenario, results, folder: str | os.PathLike, *,
                            region: str | None = None, source=None, created=None,
                            unsaved: bool = False, finess: list[str] | None = None,
                            progress: Callable[[int, int, str], bool | None] | None = None,
                            fonts: Fonts | None = None,
                            run: NotificationRun | None = None) -> NotificationRun:
    """Write ``DIR/<FINESS>.pdf`` for every hospital of the scenario, of ``region``, or
    those listed in ``finess``; the folder is created when missing.

    ``progress(done, total, text)`` after each hospital; returning False stops with
    :class:`ReportCancelled` (the files already written stay, listed in ``run`` when the
    caller gives one). ``fonts``: measured text to reuse from an earlier run. Raises
    ``OSError`` naming the file that could not be written.
    """
    _ensure_gui_application()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    context = NotificationContext(scenario, results, source=source, created=created,
                                  unsaved=unsaved)
    chosen = [str(f) for f in notified_establishments(results, region)["finess"]] \
        if finess is None else [str(f) for f in finess]
    fonts = fonts or Fonts()
    width, height = a4_points()
    run = run if run is not None else NotificationRun()
    for n, code in enumerate(chosen):
        report = build_notification(context, code)
        layout = NotificationLayout(report, width, height, fonts)
        data, _ = pdf_bytes(report, layout=layout)
        path = notification_path(folder, code)
        try:
            write_atomically(path, data)
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        run.paths.append(path)
        run.finess.append(code)
        run.pages.append(layout.page_count)
        if progress is not None and progress(n + 1, len(chosen),
                                             report.establishment or code) is False:
            raise ReportCancelled()
    return run
