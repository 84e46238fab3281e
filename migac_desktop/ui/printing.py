"""Printing the report: one page layout for the print preview, the printer and the PDF.

The report's content comes built from the Qt-free reporting layer
(:func:`migac_desktop.reporting.report.build_report`); this module only lays it out
on pages and paints them with a ``QPainter``:

- :class:`ReportLayout` flows the blocks of each section onto pages of a given size
  (in points), measuring text with fixed, device-independent metrics, so that the
  preview, the printer and the PDF have the same pages. Every section starts a page;
  tables repeat their header on every page, are split between rows (never fewer than
  three rows under a header, never one row alone on a page, the total row always
  with the last rows), and when too wide for the page are split into column groups
  that each repeat the table's key (identifier, name) so that no column is cut;
  headings stay with what follows; small tables and charts are never split.
- :func:`paint_report` paints the pages on any ``QPagedPaintDevice`` (``QPrinter``
  for the preview and the printer, ``QPdfWriter`` for the PDF), with the page header
  (scenario, section) and footer (file, date, « Page N / M »); charts are SVG drawn as
  vectors with ``QSvgRenderer`` (or 300 dpi images when QtSvg is missing).
- :func:`write_pdf` and :func:`write_report_pdf` write the PDF (atomically);
  :func:`write_report_pdf` is what ``migac report`` calls, with no window.
- :class:`ReportPrinter` gives the window its three actions (Aperçu avant impression,
  Imprimer, Exporter en PDF): region choice, building in a worker thread behind a
  progress dialog when it takes more than half a second, then the preview, the print
  dialog or the file dialog.
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontDatabase, QFontMetricsF, QGuiApplication,
                           QImage, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen)

MM = 72.0 / 25.4                # points per millimetre
FAMILY = "DejaVu Sans"          # the charts' font too (bundled with matplotlib)
MEASURE_DPI = 1200              # the fixed resolution at which text is measured

ACCENT = "#1f4e79"
TEXT = "#1d1f22"
GREY = "#5c6670"
LIGHT_GREY = "#8a949e"
RULE = "#c5cdd6"
HEADER_FILL = "#e1e8f0"
HEADER_RULE = "#4f6887"
ZEBRA = "#f3f5f8"
TOTAL_FILL = "#e6ebf1"
GAIN = "#1b6e2d"
LOSS = "#b0241b"
NOTICE_FILL = "#fdf2e2"
NOTICE_BAR = "#d97b10"
LEFT_ALIGN = "left"

_fonts_ready = False


def ensure_fonts() -> None:
    """Register matplotlib's DejaVu Sans with Qt: the report and the text inside the
    charts then use the font the charts were measured with, on every system."""
    global _fonts_ready
    if _fonts_ready:
        return
    _fonts_ready = True
    try:
        import matplotlib
        folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    except Exception:  # noqa: BLE001 - the system's fonts will do
        return
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf",
                 "DejaVuSans-BoldOblique.ttf"):
        path = folder / name
        if path.is_file():
            QFontDatabase.addApplicationFont(str(path))


def has_svg() -> bool:
    try:
        from PySide6.QtSvg import QSvgRenderer  # noqa: F401
    except ImportError:
        return False
    return True


def chart_format() -> str:
    """SVG (vector) when QtSvg can paint it, else 300 dpi PNG."""
    return "svg" if has_svg() else "png"


# -- text metrics ----------------------------------------------------------------------------
class Fonts:
    """QFonts by key ``(weight, size)`` with weight "r", "b" or "i", and their metrics in
    points, measured at a fixed resolution (not the target device's)."""

    def __init__(self):
        ensure_fonts()
        self._image = QImage(8, 8, QImage.Format.Format_ARGB32)
        dpm = int(round(MEASURE_DPI / 0.0254))
        self._image.setDotsPerMeterX(dpm)
        self._image.setDotsPerMeterY(dpm)
        self._to_pt = 72.0 / self._image.logicalDpiY()
        self._fonts: dict[tuple, QFont] = {}
        self._metrics: dict[tuple, QFontMetricsF] = {}
        self._widths: dict[tuple, float] = {}

    def font(self, key: tuple) -> QFont:
        font = self._fonts.get(key)
        if font is None:
            weight, size = key
            font = QFont(FAMILY)
            font.setPointSizeF(size)
            font.setBold(weight == "b")
            font.setItalic(weight == "i")
            font.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
            font.setKerning(True)
            self._fonts[key] = font
        return font

    def _fm(self, key: tuple) -> QFontMetricsF:
        fm = self._metrics.get(key)
        if fm is None:
            fm = QFontMetricsF(self.font(key), self._image)
            self._metrics[key] = fm
        return fm

    def width(self, key: tuple, text: str) -> float:
        cache_key = (key, text)
        width = self._widths.get(cache_key)
        if width is None:
            width = self._fm(key).horizontalAdvance(text) * self._to_pt
            self._widths[cache_key] = width
        return width

    def ascent(self, key: tuple) -> float:
        return self._fm(key).ascent() * self._to_pt

    def descent(self, key: tuple) -> float:
        return self._fm(key).descent() * self._to_pt

    def wrap(self, key: tuple, text: str, width: float) -> list[str]:
        """Greedy word wrap at spaces (no-break spaces hold numbers together); a word
        longer than the line is cut where it must."""
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            words = paragraph.split(" ")
            line = ""
            for word in words:
                trial = f"{line} {word}" if line else word
                if self.width(key, trial) <= width + 0.01 or not line:
                    line = trial
                else:
                    lines.append(line)
                    line = word
                while self.width(key, line) > width + 0.01 and len(line) > 1:
                    cut = len(line) - 1
                    while cut > 1 and self.width(key, line[:cut]) > width + 0.01:
                        cut -= 1
                    lines.append(line[:cut])
                    line = line[cut:]
            lines.append(line)
        return lines

    def longest_word(self, key: tuple, text: str) -> float:
        words = str(text).replace("\n", " ").split(" ")
        return max((self.width(key, w) for w in words if w), default=0.0)

    def two_lines(self, key: tuple, text: str) -> float:
        """The narrowest width at which ``text`` wraps on two lines at most (a column
        header: « Nombre de / CRRA », never « Nombre / de / CRRA »)."""
        words = str(text).split(" ")
        if len(words) < 2:
            return self.width(key, text)
        return min(max(self.width(key, " ".join(words[:k])), self.width(key, " ".join(words[k:])))
                   for k in range(1, len(words)))

    def elide(self, key: tuple, text: str, width: float) -> str:
        if self.width(key, text) <= width:
            return text
        while text and self.width(key, text + "…") > width:
            text = text[:-1]
        return text.rstrip() + "…"


# -- boxes and pages -------------------------------------------------------------------------
# Paint operations, in points, relative to the box's top left corner:
#   ("text", x, baseline, font_key, colour, text, align)   align: "left", "right", "center"
#   ("rect", x, y, w, h, fill or None, stroke or None, stroke_width)
#   ("line", x1, y1, x2, y2, colour, width, dotted)
#   ("chart", chart, x, y, w, h)
#   ("pageref", x_right, baseline, font_key, colour, section_id)


@dataclass
class Box:
    height: float
    ops: list = field(default_factory=list)
    space_before: float = 0.0
    glue_next: bool = False          # no page break between this box and the next
    repeat: "Box | None" = None      # placed first on a new page when the flow breaks here
    page_break: bool = False         # a forced page break (before this box)
    min_scale: float = 1.0           # a chart may shrink this much to end a page


@dataclass
class Page:
    section: object
    ops: list = field(default_factory=list)


def _shift(ops: list, dx: float, dy: float) -> list:
    out = []
    for op in ops:
        kind = op[0]
        if kind == "text":
            out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
        elif kind in ("rect", "chart"):
            if kind == "rect":
                out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
            else:
                out.append((kind, op[1], op[2] + dx, op[3] + dy) + op[4:])
        elif kind == "line":
            out.append((kind, op[1] + dx, op[2] + dy, op[3] + dx, op[4] + dy) + op[5:])
        elif kind == "pageref":
            out.append((kind, op[1] + dx, op[2] + dy) + op[3:])
        else:  # pragma: no cover
            raise ValueError(kind)
    return out


def _scaled_chart(box: Box, factor: float) -> Box:
    """A chart box shrunk by ``factor``, still centred."""
    ops = []
    for op in box.ops:
        if op[0] == "chart":
            _, chart, x, y, w, h = op
            centre = x + w / 2
            ops.append(("chart", chart, centre - w * factor / 2, y, w * factor, h * factor))
        else:  # pragma: no cover - chart boxes hold one chart
            ops.append(op)
    return Box(box.height * factor, ops, space_before=box.space_before)


class ReportLayout:
    """The report flowed onto pages of ``width`` × ``height`` points."""

    MARGIN_X = 15 * MM
    BODY_TOP = 20 * MM
    BODY_BOTTOM = 18 * MM            # from the bottom edge
    HEADER_BASELINE = 11.5 * MM
    HEADER_RULE = 13.5 * MM
    FOOTER_RULE = 13 * MM            # from the bottom edge
    FOOTER_BASELINE = 9 * MM         # from the bottom edge

    def __init__(self, report, width: float, height: float, fonts: Fonts | None = None):
        self.report = report
        self.width = width
        self.height = height
        self.fonts = fonts or Fonts()
        self.left = self.MARGIN_X
        self.body_width = width - 2 * self.MARGIN_X
        self.top = self.BODY_TOP
        self.bottom = height - self.BODY_BOTTOM
        self.pages: list[Page] = []
        self.section_pages: dict[str, int] = {}      # section id → first page (1-based)
        for section in report.sections:
            self._flow_section(section)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    # -- flow ------------------------------------------------------------------------------
    def _new_page(self, section) -> None:
        self.pages.append(Page(section))
        self.y = self.top

    def _flow_section(self, section) -> None:
        self._new_page(section)
        self.section_pages[section.id] = len(self.pages)
        boxes: list[Box] = []
        for block in section.blocks:
            boxes.extend(self._block_boxes(block, self.body_width))
        self._flow(boxes, section)

    def _flow(self, boxes: list[Box], section) -> None:
        body = self.bottom - self.top
        i = 0
        while i < len(boxes):
            box = boxes[i]
            if box.page_break:
                if self.y > self.top:
                    self._new_page(section)
                i += 1
                continue
            # The chain of boxes glued to this one.
            j = i
            while j < len(boxes) - 1 and boxes[j].glue_next and not boxes[j + 1].page_break:
                j += 1
            chain = boxes[i:j + 1]
            at_top = self.y <= self.top + 0.01
            height = sum(b.height for b in chain) + sum(b.space_before for b in chain[1:])
            if not at_top:
                height += box.space_before
            if self.y + height <= self.bottom + 0.01:
                for b in chain:
                    self._place(b)
                i = j + 1
                continue
            if len(chain) == 1 and box.min_scale < 1.0 and not at_top:
                room = self.bottom - self.y - box.space_before
                if room >= box.height * box.min_scale:
                    self._place(_scaled_chart(box, room / box.height))
                    i = j + 1
                    continue
            repeat = box.repeat
            fresh = sum(b.height for b in chain) + sum(b.space_before for b in chain[1:]) \
                + (repeat.height if repeat is not None else 0.0)
            if fresh <= body + 0.01 and not at_top:
                self._new_page(section)
                if repeat is not None:
                    self._place(repeat)
                continue
            # Taller than a page: place box by box, breaking where needed.
            for b in chain:
                gap = 0.0 if self.y <= self.top + 0.01 else b.space_before
                if self.y + gap + b.height > self.bottom + 0.01 and self.y > self.top + 0.01:
                    self._new_page(section)
                    if b.repeat is not None:
                        self._place(b.repeat)
                self._place(b)
            i = j + 1

    def _place(self, box: Box) -> None:
        if self.y > self.top + 0.01:
            self.y += box.space_before
        page = self.pages[-1]
        page.ops.extend(_shift(box.ops, self.left, self.y))
        self.y += box.height

    # -- blocks ----------------------------------------------------------------------------
    def _block_boxes(self, block, width: float) -> list[Box]:
        from ..reporting import report as r

        if isinstance(block, r.Title):
            return [self._title_box(block, width)]
        if isinstance(block, r.Heading):
            return [self._heading_box(block, width)]
        if isinstance(block, r.Paragraph):
            return self._paragraph_boxes(block, width)
        if isinstance(block, r.Notice):
            return [self._notice_box(block, width)]
        if isinstance(block, r.KeyValues):
            return [self._key_values_box(block, width)]
        if isinstance(block, r.Table):
            return self._table_boxes(block, width)
        if isinstance(block, r.Chart):
            return [self._chart_box(block, width)]
        if isinstance(block, r.Columns):
            return [self._columns_box(block, width)]
        if isinstance(block, r.Contents):
            return self._contents_boxes(block, width)
        if isinstance(block, r.PageBreak):
            return [Box(0.0, page_break=True)]
        raise TypeError(f"bloc inconnu : {type(block).__name__}")

    def _lines_ops(self, key, lines, x, top, line_height, colour=TEXT, align="left",
                   width=0.0) -> list:
        f = self.fonts
        ascent = f.ascent(key)
        lead = (line_height - (ascent + f.descent(key))) / 2
        ops = []
        for k, line in enumerate(lines):
            baseline = top + k * line_height + lead + ascent
            if align == "left":
                ops.append(("text", x, baseline, key, colour, line, "left"))
            elif align == "right":
                ops.append(("text", x + width, baseline, key, colour, line, "right"))
            else:
                ops.append(("text", x + width / 2, baseline, key, colour, line, "center"))
        return ops

    def _title_box(self, block, width: float) -> Box:
        ops: list = []
        y = 4 * MM
        kicker = ("b", 9.5)
        ops += self._lines_ops(kicker, [block.kicker], 0, y, 13, ACCENT)
        y += 13 + 10
        title = ("b", 21.0)
        lines = self.fonts.wrap(title, block.title, width)
        ops += self._lines_ops(title, lines, 0, y, 26, TEXT)
        y += 26 * len(lines) + 6
        if block.subtitle:
            sub = ("r", 13.0)
            lines = self.fonts.wrap(sub, block.subtitle, width)
            ops += self._lines_ops(sub, lines, 0, y, 17, ACCENT)
            y += 17 * len(lines)
        y += 8
        ops.append(("line", 0, y, width, y, ACCENT, 1.6, False))
        return Box(y + 10, ops)

    def _heading_box(self, block, width: float) -> Box:
        if block.level == 1:
            key, line, colour, before, after = ("b", 15.0), 19.0, ACCENT, 0.0, 4.0
        elif block.level == 2:
            key, line, colour, before, after = ("b", 11.0), 14.5, ACCENT, 12.0, 3.0
        else:
            key, line, colour, before, after = ("b", 9.5), 13.0, TEXT, 8.0, 2.0
        lines = self.fonts.wrap(key, block.text, width)
        ops = self._lines_ops(key, lines, 0, 0, line, colour)
        height = line * len(lines)
        if block.level == 1:
            height += 3
            ops.append(("line", 0, height, width, height, ACCENT, 1.0, False))
            height += 6
        return Box(height + after, ops, space_before=before, glue_next=True)

    def _paragraph_boxes(self, block, width: float) -> list[Box]:
        if block.style == "lead":
            key, line, colour, before = ("r", 9.5), 13.5, TEXT, 4.0
        elif block.style == "small":
            key, line, colour, before = ("i", 7.5), 10.0, GREY, 4.0
        else:
            key, line, colour, before = ("r", 9.0), 12.5, TEXT, 5.0
        lines = self.fonts.wrap(key, block.text, width)
        boxes = []
        for k, text in enumerate(lines):
            ops = self._lines_ops(key, [text], 0, 0, line, colour)
            # Never one line alone at the foot or the head of a page.
            glue = k < 1 or k >= len(lines) - 2
            boxes.append(Box(line, ops, space_before=before if k == 0 else 0.0,
                             glue_next=glue and k < len(lines) - 1))
        return boxes

    def _notice_box(self, block, width: float) -> Box:
        pad, bar = 8.0, 3.0
        inner = width - 2 * pad - bar
        title_key, text_key = ("b", 9.0), ("r", 8.5)
        ops: list = []
        y = pad
        ops += self._lines_ops(title_key, [block.title], bar + pad, y, 12.5, NOTICE_BAR)
        y += 12.5 + 1
        lines = self.fonts.wrap(text_key, block.text, inner)
        ops += self._lines_ops(text_key, lines, bar + pad, y, 11.5, TEXT)
        y += 11.5 * len(lines) + pad
        background = [("rect", 0, 0, width, y, NOTICE_FILL, None, 0),
                      ("rect", 0, 0, bar, y, NOTICE_BAR, None, 0)]
        return Box(y, background + ops, space_before=10.0)

    def _key_values_box(self, block, width: float) -> Box:
        key_label, key_value = ("r", 8.5), ("b", 8.5)
        line = 12.5
        ops: list = []
        y = 0.0
        if block.title:
            ops += self._lines_ops(("b", 9.5), [block.title], 0, 0, 13, TEXT)
            y += 15
        n = max(1, block.columns)
        gap = 14.0
        col_width = (width - gap * (n - 1)) / n
        rows = [block.rows[i:i + n] for i in range(0, len(block.rows), n)]
        label_width = [0.0] * n
        for row in rows:
            for c, (label, _) in enumerate(row):
                label_width[c] = max(label_width[c], self.fonts.width(key_label, label + " :"))
        for c in range(n):
            label_width[c] = min(label_width[c], col_width * 0.55)
        for row in rows:
            height = line
            cells = []
            for c, (label, value) in enumerate(row):
                x = c * (col_width + gap)
                lab_lines = self.fonts.wrap(key_label, label + " :", label_width[c])
                val_lines = self.fonts.wrap(key_value, value, col_width - label_width[c] - 8)
                cells.append((x, lab_lines, val_lines, c))
                height = max(height, line * max(len(lab_lines), len(val_lines)))
            for x, lab_lines, val_lines, c in cells:
                ops += self._lines_ops(key_label, lab_lines, x, y + 1, line, GREY)
                ops += self._lines_ops(key_value, val_lines, x + label_width[c] + 8, y + 1, line,
                                       TEXT)
            y += height + 2
            ops.append(("line", 0, y, width, y, "#e2e6eb", 0.5, False))
        return Box(y + 2, ops, space_before=8.0)

    def _chart_box(self, chart, width: float) -> Box:
        w, h = chart.width_mm * MM, chart.height_mm * MM
        scale = min(1.0, width / w, (self.bottom - self.top - 12) / h)
        w, h = w * scale, h * scale
        x = (width - w) / 2
        # Rather than leave the end of a page empty, a chart may shrink by 12 %.
        return Box(h, [("chart", chart, x, 0.0, w, h)], space_before=12.0, min_scale=0.88)

    def _columns_box(self, block, width: float) -> Box:
        n = len(block.blocks)
        gap = block.gap_mm * MM
        col_width = (width - gap * (n - 1)) / max(n, 1)
        ops: list = []
        height = 0.0
        for c, child in enumerate(block.blocks):
            y = 0.0
            for k, box in enumerate(self._block_boxes(child, col_width)):
                if k:
                    y += box.space_before
                ops += _shift(box.ops, c * (col_width + gap), y)
                y += box.height
            height = max(height, y)
        return Box(height, ops, space_before=10.0)

    def _contents_boxes(self, block, width: float) -> list[Box]:
        entries = [s for s in self.report.sections if s.in_contents]
        key = ("r", 9.0)
        line = 15.0
        n_cols = 2 if len(entries) > 18 else 1
        gap = 12 * MM
        col_width = (width - gap * (n_cols - 1)) / n_cols
        per_col = math.ceil(len(entries) / n_cols)
        number_room = self.fonts.width(key, "0000")
        ops: list = []
        for index, section in enumerate(entries):
            col, row = divmod(index, per_col)
            x = col * (col_width + gap)
            y = row * line
            bold = ("b", 9.0) if section.region is None else key
            title = self.fonts.elide(bold, section.title, col_width - number_room - 16)
            ops += self._lines_ops(bold, [title], x, y, line, TEXT)
            start = x + self.fonts.width(bold, title) + 4
            end = x + col_width - number_room - 2
            baseline = y + line - 4
            if end > start:
                ops.append(("line", start, baseline, end, baseline, LIGHT_GREY, 0.7, True))
            ascent = self.fonts.ascent(key)
            lead = (line - (ascent + self.fonts.descent(key))) / 2
            ops.append(("pageref", x + col_width, y + lead + ascent, key, TEXT, section.id))
        return [Box(per_col * line, ops, space_before=6.0)]

    # -- tables ----------------------------------------------------------------------------
    def _table_boxes(self, table, width: float) -> list[Box]:
        size = table.font_size
        fonts = self.fonts
        body_key, bold_key = ("r", size), ("b", size)
        pad = 3.8
        columns = table.columns
        n = len(columns)
        natural = [0.0] * n
        minimum = [0.0] * n
        header_min = [0.0] * n
        header_natural = [0.0] * n
        for c, col in enumerate(columns):
            cells = [row[c] for row in table.rows]
            totals = [row[c] for row in table.totals]
            widths = [fonts.width(body_key, t) for t in cells] + \
                     [fonts.width(bold_key, t) for t in totals]
            natural[c] = max(widths, default=0.0)
            if col.wrap:
                words = [fonts.longest_word(body_key, t) for t in cells] + \
                        [fonts.longest_word(bold_key, t) for t in totals]
                minimum[c] = max(words, default=0.0)
            else:
                minimum[c] = natural[c]
            header_natural[c] = fonts.width(bold_key, col.header) if table.header else 0.0
            header_min[c] = fonts.two_lines(bold_key, col.header) if table.header else 0.0
        need = [max(minimum[c], header_min[c]) + 2 * pad for c in range(n)]
        parts = self._split_columns(table, need, width)
        boxes: list[Box] = []
        for index, part in enumerate(parts):
            widths = self._allot(table, part, width, natural, minimum, header_min,
                                 header_natural, pad)
            caption = table.title
            if len(parts) > 1 and caption:
                caption += self._part_suffix(table, part, index, len(parts))
            part_boxes = self._table_part(table, part, widths, caption, pad)
            if index:
                part_boxes[0].space_before = 12.0
                # The parts of a short table stay on one page.
                if table.keep_together or len(table.rows) + len(table.totals) <= 8:
                    boxes[-1].glue_next = True
            boxes += part_boxes
        if table.note:
            note_key = ("i", 7.0)
            lines = fonts.wrap(note_key, table.note, width)
            ops = self._lines_ops(note_key, lines, 0, 0, 9.5, GREY)
            if boxes:
                boxes[-1].glue_next = True
            boxes.append(Box(9.5 * len(lines) + 1, ops, space_before=3.0))
        return boxes

    @staticmethod
    def _part_suffix(table, part, index: int, count: int) -> str:
        """`` : activité et effectifs`` from the groups of a part, else `` (1/3)``."""
        titles = []
        for c in part:
            column = table.columns[c]
            title = table.group_titles.get(column.group) if not column.repeat else None
            if title and title not in titles:
                titles.append(title)
        if not titles:
            return f" ({index + 1}/{count})"
        return " : " + ", ".join(titles)

    def _split_columns(self, table, need: list[float], width: float) -> list[list[int]]:
        """Column indices of each part: all columns if they fit, else the repeated
        (key) columns followed by whole groups, as many as fit."""
        n = len(table.columns)
        if sum(need) <= width + 0.01:
            return [list(range(n))]
        keys = [c for c in range(n) if table.columns[c].repeat]
        key_width = sum(need[c] for c in keys)
        for split in table.splits:
            parts = [keys + [c for c in range(n) if not table.columns[c].repeat
                             and table.columns[c].group in groups] for groups in split]
            covered = sorted(c for part in parts for c in part if c not in keys)
            if covered == [c for c in range(n) if c not in keys] and \
                    all(sum(need[c] for c in part) <= width + 0.01 for part in parts):
                return [sorted(part) for part in parts]
        others = [c for c in range(n) if c not in keys]
        groups: list[list[int]] = []
        for c in others:
            if groups and table.columns[groups[-1][-1]].group == table.columns[c].group:
                groups[-1].append(c)
            else:
                groups.append([c])
        room = max(width - key_width, width * 0.3)
        parts: list[list[int]] = []
        current: list[int] = []
        used = 0.0
        for group in groups:
            group_width = sum(need[c] for c in group)
            if group_width > room:
                # A group wider than a page: split it column by column.
                pieces, piece, piece_width = [], [], 0.0
                for c in group:
                    if piece and piece_width + need[c] > room:
                        pieces.append(piece)
                        piece, piece_width = [], 0.0
                    piece.append(c)
                    piece_width += need[c]
                pieces.append(piece)
            else:
                pieces = [group]
            for piece in pieces:
                piece_width = sum(need[c] for c in piece)
                if current and used + piece_width > room:
                    parts.append(current)
                    current, used = [], 0.0
                current += piece
                used += piece_width
        if current:
            parts.append(current)
        return [sorted(keys + part) for part in parts]

    def _allot(self, table, part, width, natural, minimum, header_min, header_natural, pad):
        """Widths of the columns of one part, filling ``width``: wrapping columns shrink
        to their longest word if needed; spare room first unwraps headers, then is shared."""
        base = {c: max(natural[c], header_min[c]) + 2 * pad for c in part}
        total = sum(base.values())
        if total > width:
            slack = {c: base[c] - (max(minimum[c], header_min[c]) + 2 * pad) for c in part}
            room = sum(slack.values())
            excess = total - width
            if room > 0:
                cut = min(1.0, excess / room)
                for c in part:
                    base[c] -= slack[c] * cut
            return [base[c] for c in part]
        spare = width - total
        # Unwrap the headers that need least first (fewer header lines), alike headers
        # together (« Dotation 2014 », « Dotation 2015 »…, « ETP ARM », « ETP MR »: all
        # on one line, or none)…
        wants: dict[str, list[tuple[float, int]]] = {}
        for c in part:
            want = header_natural[c] + 2 * pad - base[c]
            if want > 0:
                first_word = table.columns[c].header.split(" ")[0]
                wants.setdefault(first_word, []).append((want, c))
        # … keeping some room between the columns (numbers must not touch).
        reserve = 4.0 * len(part)
        for _, batch in sorted(wants.items(), key=lambda item: sum(w for w, _ in item[1])):
            need = sum(w for w, _ in batch)
            if need <= spare - reserve:
                for want, c in batch:
                    base[c] += want
                spare -= need
        # … then share the rest evenly: even white space between the columns.
        for c in part:
            base[c] += spare / len(part)
        return [base[c] for c in part]

    def _table_part(self, table, part, widths, caption, pad) -> list[Box]:
        fonts = self.fonts
        size = table.font_size
        body_key, bold_key = ("r", size), ("b", size)
        line = size * 1.3
        vpad = 2.3
        columns = [table.columns[c] for c in part]
        xs = [0.0]
        for w in widths[:-1]:
            xs.append(xs[-1] + w)
        total_width = sum(widths)

        def cell_ops(texts, key, top, height_lines, colour_of):
            ops = []
            for k, (col, text) in enumerate(zip(columns, texts)):
                inner = widths[k] - 2 * pad
                lines = fonts.wrap(key, text, inner) if text else [""]
                # Numbers sit on the last line of a row whose name wraps.
                first = top + vpad + (height_lines - len(lines)) * line * (col.align != LEFT_ALIGN)
                ops += self._lines_ops(key, lines, xs[k] + pad, first, line, colour_of(col, text),
                                       col.align, inner)
            return ops

        def lines_needed(texts, key):
            most = 1
            for k, text in enumerate(texts):
                if text:
                    most = max(most, len(fonts.wrap(key, text, widths[k] - 2 * pad)))
            return most

        def colour(col, text):
            if col.signed and text.startswith("+"):
                return GAIN
            if col.signed and text.startswith("−"):
                return LOSS
            return TEXT

        # Header: caption and column titles (bottom aligned).
        def header_box(title: str) -> Box:
            ops: list = []
            y = 0.0
            if title:
                cap_key = ("b", 9.0)
                cap_lines = fonts.wrap(cap_key, title, total_width)
                ops += self._lines_ops(cap_key, cap_lines, 0, 0, 12.5, ACCENT)
                y = 12.5 * len(cap_lines) + 3
            if table.header:
                heads = [col.header for col in columns]
                n_lines = lines_needed(heads, bold_key)
                h = n_lines * line + 2 * vpad
                ops.append(("rect", 0, y, total_width, h, HEADER_FILL, None, 0))
                for k, col in enumerate(columns):
                    inner = widths[k] - 2 * pad
                    lines = fonts.wrap(bold_key, col.header, inner)
                    top = y + vpad + (n_lines - len(lines)) * line
                    ops += self._lines_ops(bold_key, lines, xs[k] + pad, top, line, TEXT,
                                           col.align, inner)
                y += h
                ops.append(("line", 0, y, total_width, y, HEADER_RULE, 0.8, False))
            return Box(y, ops, space_before=10.0, glue_next=True)

        first = header_box(caption)
        repeat = header_box(f"{caption} (suite)" if caption else "")
        repeat.space_before = 0.0
        boxes = [first]
        rows = [([row[c] for c in part], False) for row in table.rows]
        rows += [([row[c] for c in part], True) for row in table.totals]
        for index, (texts, is_total) in enumerate(rows):
            key = bold_key if is_total else body_key
            n_lines = lines_needed(texts, key)
            h = n_lines * line + 2 * vpad
            ops: list = []
            if is_total:
                ops.append(("rect", 0, 0, total_width, h, TOTAL_FILL, None, 0))
                ops.append(("line", 0, 0, total_width, 0, HEADER_RULE, 0.8, False))
            elif index % 2 == 1:
                ops.append(("rect", 0, 0, total_width, h, ZEBRA, None, 0))
            ops += cell_ops(texts, key, 0, n_lines, colour)
            if not is_total:
                ops.append(("line", 0, h, total_width, h, "#dde2e8", 0.4, False))
            boxes.append(Box(h, ops, repeat=repeat))
        n_body = len(table.rows)
        n_all = len(rows)
        small = table.keep_together or n_all <= 8
        # A table that fits on a page starts on the next one rather than leave less than
        # 60 % of its rows here; a longer one needs its header and 3 rows.
        fits_a_page = sum(b.height for b in boxes) + first.space_before <= \
            (self.bottom - self.top)
        head = max(3, math.ceil(0.6 * n_all)) if fits_a_page else 3
        for k, box in enumerate(boxes[:-1]):
            row = k - 1                                  # boxes[0] is the header
            if small:
                box.glue_next = True
            elif row < head - 1:                         # the header and its first rows
                box.glue_next = True
            elif row >= n_all - 3:                       # the last 2 rows (and totals)
                box.glue_next = True
            elif row >= n_body - 1:                      # totals stay together
                box.glue_next = True
        return boxes


# -- painting --------------------------------------------------------------------------------
def page_size_points(device) -> tuple[float, float]:
    rect = device.pageLayout().fullRect(QPageLayout.Unit.Point)
    return rect.width(), rect.height()


class _Painter:
    """Paints the layout's pages on one device, converting points to device pixels."""

    def __init__(self, layout: ReportLayout, painter: QPainter, resolution: float):
        self.layout = layout
        self.painter = painter
        self.scale = resolution / 72.0
        self.fonts = layout.fonts
        self._device_metrics: dict[tuple, QFontMetricsF] = {}
        self._charts: dict[int, object] = {}
        self._pens: dict[tuple, QPen] = {}

    def _metrics(self, key) -> QFontMetricsF:
        fm = self._device_metrics.get(key)
        if fm is None:
            fm = QFontMetricsF(self.fonts.font(key), self.painter.device())
            self._device_metrics[key] = fm
        return fm

    def _pen(self, colour, width, dotted=False) -> QPen:
        key = (colour, width, dotted)
        pen = self._pens.get(key)
        if pen is None:
            pen = QPen(QColor(colour))
            pen.setWidthF(max(width * self.scale, 1.0))
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            if dotted:
                pen.setStyle(Qt.PenStyle.DotLine)
            self._pens[key] = pen
        return pen

    def text(self, x, y, key, colour, text, align="left") -> None:
        p = self.painter
        s = self.scale
        p.setFont(self.fonts.font(key))
        p.setPen(QColor(colour))
        if align != "left":
            width = self._metrics(key).horizontalAdvance(text)
            x = x * s - (width if align == "right" else width / 2)
            p.drawText(QPointF(x, y * s), text)
        else:
            p.drawText(QPointF(x * s, y * s), text)

    def page(self, index: int) -> None:
        layout = self.layout
        page = layout.pages[index]
        p = self.painter
        s = self.scale
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        for op in page.ops:
            kind = op[0]
            if kind == "text":
                _, x, y, key, colour, text, align = op
                self.text(x, y, key, colour, text, align)
            elif kind == "rect":
                _, x, y, w, h, fill, stroke, stroke_width = op
                rect = QRectF(x * s, y * s, w * s, h * s)
                if fill:
                    p.fillRect(rect, QColor(fill))
                if stroke:
                    p.setPen(self._pen(stroke, stroke_width))
                    p.setBrush(Qt.BrushStyle.NoBrush)
                    p.drawRect(rect)
            elif kind == "line":
                _, x1, y1, x2, y2, colour, width, dotted = op
                p.setPen(self._pen(colour, width, dotted))
                p.drawLine(QPointF(x1 * s, y1 * s), QPointF(x2 * s, y2 * s))
            elif kind == "chart":
                _, chart, x, y, w, h = op
                self.chart(chart, QRectF(x * s, y * s, w * s, h * s))
            elif kind == "pageref":
                _, x, y, key, colour, section_id = op
                number = layout.section_pages.get(section_id)
                self.text(x, y, key, colour, str(number) if number else "", "right")
        self.header_footer(index)
        p.restore()

    def chart(self, chart, rect: QRectF) -> None:
        p = self.painter
        if not chart.data:
            p.setPen(QColor(LIGHT_GREY))
            p.drawRect(rect)
            return
        if chart.format == "svg":
            renderer = self._charts.get(id(chart))
            if renderer is None:
                from PySide6.QtSvg import QSvgRenderer
                renderer = QSvgRenderer(QByteArray(chart.data))
                self._charts[id(chart)] = renderer
            # The SVG's text names family, size and weight but no style: it takes the
            # rest from the painter's font, which must not be the italic of a note.
            p.setFont(self.fonts.font(("r", 8.0)))
            renderer.render(p, rect)
        else:
            image = self._charts.get(id(chart))
            if image is None:
                image = QImage.fromData(chart.data)
                self._charts[id(chart)] = image
            p.drawImage(rect, image)

    def header_footer(self, index: int) -> None:
        layout = self.layout
        report = layout.report
        page = layout.pages[index]
        key = ("r", 7.5)
        left, right = layout.left, layout.width - layout.MARGIN_X
        width = right - left
        if index > 0 or page.section.id != "titre":
            label = page.section.label
            label_width = self.fonts.width(("b", 7.5), label)
            title = self.fonts.elide(key, report.header_text, width - label_width - 20)
            self.text(left, layout.HEADER_BASELINE, key, GREY, title)
            self.text(right, layout.HEADER_BASELINE, ("b", 7.5), ACCENT, label, "right")
            p = self.painter
            s = self.scale
            p.setPen(self._pen(RULE, 0.6))
            p.drawLine(QPointF(left * s, layout.HEADER_RULE * s),
                       QPointF(right * s, layout.HEADER_RULE * s))
        rule_y = layout.height - layout.FOOTER_RULE
        base_y = layout.height - layout.FOOTER_BASELINE
        p = self.painter
        s = self.scale
        p.setPen(self._pen(RULE, 0.6))
        p.drawLine(QPointF(left * s, rule_y * s), QPointF(right * s, rule_y * s))
        number = f"Page {index + 1} / {layout.page_count}"
        footer = self.fonts.elide(key, report.footer_text,
                                  width - self.fonts.width(key, number) - 20)
        self.text(left, base_y, key, GREY, footer)
        self.text(right, base_y, key, GREY, number, "right")


def layout_for(report, device, cache: dict | None = None) -> ReportLayout:
    """The layout of ``report`` for the page size of ``device`` (cached by size)."""
    width, height = page_size_points(device)
    key = (id(report), round(width, 2), round(height, 2))
    if cache is not None and key in cache:
        return cache[key]
    layout = ReportLayout(report, width, height)
    if cache is not None:
        cache[key] = layout
    return layout


def paint_report(report, device, *, layout: ReportLayout | None = None,
                 pages: list[int] | None = None, cache: dict | None = None,
                 progress=None) -> ReportLayout:
    """Paint ``report`` on ``device`` (a QPrinter with full-page coordinates or a
    QPdfWriter without margins); ``pages``: 0-based page indices (default all).
    ``progress(done, total, text)`` after each page; False stops (ReportCancelled)."""
    if layout is None:
        layout = layout_for(report, device, cache)
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("le périphérique d'impression n'a pas pu être ouvert")
    try:
        resolution = device.resolution()
        worker = _Painter(layout, painter, resolution)
        indices = list(range(layout.page_count)) if pages is None else pages
        for n, index in enumerate(indices):
            if n:
                device.newPage()
            worker.page(index)
            if progress is not None and \
                    progress(n + 1, len(indices), f"Page {n + 1} / {len(indices)}") is False:
                from ..reporting.report import ReportCancelled
                raise ReportCancelled()
    finally:
        painter.end()
    return layout


def printer_pages(printer, page_count: int) -> list[int]:
    """The pages the print dialog asked for (« Pages de … à … »), 0-based."""
    from PySide6.QtPrintSupport import QPrinter

    if printer.printRange() == QPrinter.PrintRange.PageRange:
        first = max(printer.fromPage(), 1)
        last = min(printer.toPage() or page_count, page_count)
        return list(range(first - 1, last))
    return list(range(page_count))


# -- PDF -------------------------------------------------------------------------------------
def _a4_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(0, 0, 0, 0))


def pdf_bytes(report, *, layout: ReportLayout | None = None,
              progress=None) -> tuple[bytes, ReportLayout]:
    """The PDF of ``report`` (A4), and its layout."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(MEASURE_DPI)
    writer.setPageLayout(_a4_layout())
    writer.setTitle(f"{report.title} – {report.subtitle}")
    writer.setCreator("MIGAC Desktop")
    layout = paint_report(report, writer, layout=layout, progress=progress)
    del writer
    buffer.close()
    return bytes(buffer.data()), layout


def write_pdf(report, path: str | os.PathLike, *, progress=None) -> ReportLayout:
    """Write the PDF of ``report`` to ``path`` atomically (a failed write leaves any
    existing file untouched). Raises ``OSError`` naming ``path``."""
    path = Path(path)
    data, layout = pdf_bytes(report, progress=progress)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except OSError as exc:
        try:
            temporary.unlink()
        except OSError:
            pass
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    return layout


_headless_app = None


def _ensure_gui_application():
    """A QGuiApplication for painting without a window (``migac report``): offscreen
    unless the caller chose a platform."""
    global _headless_app
    app = QGuiApplication.instance()
    if app is None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _headless_app = QGuiApplication([sys.argv[0] if sys.argv else "migac"])
        app = _headless_app
    return app


def write_report_pdf(scenario, results, path, *, region: str | None = None,
                     source: str | os.PathLike | None = None,
                     parallel: bool | None = None) -> ReportLayout:
    """Build the report of ``scenario`` (national, or of ``region``) and write its PDF.

    The entry point of ``migac report``. ``parallel``: draw the charts in forked
    worker processes; by default only without widgets (the command line, scripts),
    never beside a window. The children only draw with matplotlib and never touch Qt.
    """
    from PySide6.QtWidgets import QApplication

    from ..reporting.report import build_report

    if parallel is None:
        parallel = not isinstance(QGuiApplication.instance(), QApplication)
    fmt = chart_format()
    # Charts first: worker processes are forked before Qt starts any thread.
    report = build_report(scenario, results, region=region, source=source,
                          chart_format=fmt, parallel=parallel)
    _ensure_gui_application()
    return write_pdf(report, path)


# -- the window's actions ------------------------------------------------------------------
from PySide6.QtCore import QEventLoop, QObject, QThread, QTimer, Signal  # noqa: E402
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog,  # noqa: E402
                               QFormLayout, QLabel, QMessageBox, QProgressDialog,
                               QVBoxLayout)

from .busy import gui_keeps_up  # noqa: E402
from .translations import install_french_qt  # noqa: E402

NATIONAL = "Rapport national"
PDF_FILTER = "Documents PDF (*.pdf)"


def fit_to_screen(widget, width: int, height: int):
    """A dialog's size, no larger than the available screen of ``widget`` (1366×768
    laptops: the preview's page buttons stay on screen)."""
    from PySide6.QtCore import QSize

    screen = (widget.screen() if widget is not None else None) or QGuiApplication.primaryScreen()
    room = screen.availableGeometry() if screen is not None else None
    if room is None:
        return QSize(width, height)
    return QSize(min(width, room.width() - 40), min(height, room.height() - 60))


def ensure_french_qt_dialogs() -> None:
    """Qt's own print preview and print dialogs in French (« Mise en page »,
    « Imprimer », « Pages de … à … »); the window installs the catalogue at start-up,
    this covers a printer used without it (tests, embedding)."""
    install_french_qt()


class ReportScopeDialog(QDialog):
    """Which report: « Rapport national » or one region."""

    def __init__(self, regions: list[str], current: str | None, title: str, parent=None):
        super().__init__(parent)
        self.setObjectName("reportScopeDialog")
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Le rapport national présente toutes les régions ; un rapport "
                                "régional présente une seule région (ce qu'imprime une ARS)."))
        form = QFormLayout()
        self.combo = QComboBox()
        self.combo.setObjectName("reportRegion")
        self.combo.addItem(NATIONAL, None)
        for name in regions:
            self.combo.addItem(f"Région {name}", name)
        index = self.combo.findData(current) if current is not None else 0
        self.combo.setCurrentIndex(max(index, 0))
        form.addRow("Rapport :", self.combo)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Continuer")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def region(self) -> str | None:
        return self.combo.currentData()


class _Job(QThread):
    """Runs ``func(progress)`` off the GUI thread: building the report (content and
    charts, Qt-free) or painting its PDF. ``progress(done, total, text)`` returns
    False once the user has cancelled."""

    stepped = Signal(int, int, str)

    def __init__(self, func, parent=None):
        super().__init__(parent)
        self.func = func
        self.result = None
        self.error: BaseException | None = None
        self.cancelled = False

    def run(self) -> None:
        from ..reporting.report import ReportCancelled

        def progress(done, total, text):
            self.stepped.emit(done, total, text)
            return not self.cancelled

        try:
            self.result = self.func(progress)
        except ReportCancelled:
            self.cancelled = True
        except BaseException as exc:  # noqa: BLE001 - told to the user in the GUI thread
            self.error = exc


class ReportPrinter(QObject):
    """The report actions of the main window."""

    SHOW_PROGRESS_AFTER_MS = 500

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.document = window.document
        self._layouts: dict = {}
        self._cached = None            # (results, key, report): the last report built
        self.last_preview = None
        self.progress_shown = False    # whether a build lasted long enough to show progress

    # -- choosing and building ----------------------------------------------------------
    def regions(self) -> list[str]:
        from ..core.french import sorted_french

        results = self.document.results
        if results is None:
            return []
        return sorted_french(str(r) for r in results.region_names)

    def default_region(self) -> str | None:
        """The working region (chosen in the CRRA tab) is the report proposed first."""
        region = self.document.working_region
        return region if region in self.regions() else None

    def choose_region(self, title: str):
        """The region asked for, ``None`` for the national report, or ``False`` if the
        user cancelled."""
        regions = self.regions()
        if len(regions) <= 1:
            return regions[0] if regions else None
        dialog = ReportScopeDialog(regions, self.default_region(), title, self.window)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        return dialog.region()

    def _unavailable(self) -> bool:
        if self.document.results is None:
            self.window.show_message("Rapport indisponible : le scénario contient des erreurs "
                                     "(voir le panneau « Problèmes »).")
            return True
        return False

    def build(self, region: str | None):
        """The report of the open scenario, or None if cancelled or failed (told)."""
        results = self.document.results
        # Built once, shown three ways: the same results and region give the same report
        # (results are replaced, never changed, by a recompute).
        unsaved = self.document.modified
        key = (region, str(self.document.path or ""), unsaved)
        if self._cached is not None and self._cached[0] is results and self._cached[1] == key:
            return self._cached[2]
        for name in ("crra", "regions", "establishments"):
            getattr(results, name)          # frames built here, read by the thread
        scenario = self.document.scenario.copy()
        source, fmt = self.document.path, chart_format()

        def job(progress):
            from ..reporting.report import build_report
            return build_report(scenario, results, region=region, source=source,
                                chart_format=fmt, progress=progress, unsaved=unsaved)

        report = self.run_job(job, "Préparation du rapport", "Le rapport n'a pas pu être préparé")
        if report is not None:
            self._cached = (results, key, report)
        return report

    def run_job(self, func, text: str, failure: str):
        """``func(progress)`` in a worker thread; the window keeps repainting and, past
        half a second, a window-modal progress dialog (with « Annuler ») says where it
        is. Returns the result, or None if cancelled or failed (told)."""
        ensure_fonts()                      # font registration stays on the GUI thread
        thread = _Job(func, self)
        progress = QProgressDialog(text + "…", "Annuler", 0, 0, self.window)
        progress.setObjectName("reportProgress")
        progress.setWindowTitle("Rapport")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(2 ** 30)       # shown by the timer below, not by Qt
        progress.setAutoClose(False)
        progress.setAutoReset(False)
        progress.hide()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(progress.show)        # only if it takes more than 0,5 s

        def stepped(done, total, label):
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(label + "…")

        def cancel():
            thread.cancelled = True

        thread.stepped.connect(stepped)
        progress.canceled.connect(cancel)
        loop = QEventLoop()
        thread.finished.connect(loop.quit)
        timer.start(self.SHOW_PROGRESS_AFTER_MS)
        with gui_keeps_up():
            thread.start()
            if not thread.isFinished():
                loop.exec()     # the window repaints; the modal progress dialog takes the input
            thread.wait()
        timer.stop()
        self.progress_shown = progress.isVisible() or self.progress_shown
        progress.canceled.disconnect(cancel)        # closing it emits « canceled »
        progress.close()
        progress.deleteLater()
        if thread.error is not None:
            if isinstance(thread.error, OSError):
                raise thread.error
            QMessageBox.critical(self.window, "Rapport impossible",
                                 f"{failure} :\n\n{thread.error}")
            return None
        if thread.cancelled:
            self.window.show_message("Rapport annulé.")
            return None
        return thread.result

    # -- the three actions ----------------------------------------------------------------
    def new_printer(self, report=None):
        from PySide6.QtPrintSupport import QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(_a4_layout())
        printer.setFullPage(True)
        if report is not None:
            printer.setDocName(f"{report.title} – {report.subtitle}")
        return printer

    def preview(self, region=..., *, modal: bool = True):
        """Aperçu avant impression; returns the dialog (already closed when modal)."""
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        if self._unavailable():
            return None
        if region is ...:
            region = self.choose_region("Aperçu avant impression")
            if region is False:
                return None
        report = self.build(region)
        if report is None:
            return None
        printer = self.new_printer(report)
        ensure_french_qt_dialogs()
        dialog = QPrintPreviewDialog(printer, self.window)
        dialog.printer_ = printer          # the dialog only points to it: keep it alive
        dialog.setObjectName("reportPreview")
        dialog.setWindowTitle(f"Aperçu avant impression — {report.subtitle}")
        dialog.paintRequested.connect(
            lambda device: paint_report(report, device, cache=self._layouts,
                                        pages=None))
        dialog.resize(fit_to_screen(self.window, 1000, 900))
        self.last_preview = dialog
        if modal:
            dialog.exec()
        else:
            dialog.open()
        return dialog

    def print(self, region=..., *, printer=None, ask: bool = True) -> bool:
        """Imprimer… through the print dialog (pages, printer, copies)."""
        from PySide6.QtPrintSupport import QPrintDialog

        if self._unavailable():
            return False
        if region is ...:
            region = self.choose_region("Imprimer le rapport")
            if region is False:
                return False
        report = self.build(region)
        if report is None:
            return False
        printer = printer or self.new_printer(report)
        if ask:
            ensure_french_qt_dialogs()
            dialog = QPrintDialog(printer, self.window)
            dialog.setObjectName("reportPrintDialog")
            dialog.setWindowTitle("Imprimer le rapport")
            dialog.setMinMax(1, layout_for(report, printer, self._layouts).page_count)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return False
        # The printer chosen may have another paper size: the layout follows it.
        layout = layout_for(report, printer, self._layouts)
        try:
            paint_report(report, printer, layout=layout,
                         pages=printer_pages(printer, layout.page_count))
        except OSError as exc:
            QMessageBox.critical(self.window, "Impression impossible", str(exc))
            return False
        self.window.show_message(f"Rapport envoyé à l'impression ({layout.page_count} pages).")
        return True

    def export_pdf(self, region=..., path: str | os.PathLike | None = None) -> Path | None:
        """Exporter en PDF…; returns the file written."""
        if self._unavailable():
            return None
        if region is ...:
            region = self.choose_region("Exporter le rapport en PDF")
            if region is False:
                return None
        if path is None:
            path = self._ask_pdf_path(region)
            if path is None:
                return None
        report = self.build(region)
        if report is None:
            return None
        path = Path(path)
        try:
            layout = self.run_job(lambda progress: write_pdf(report, path, progress=progress),
                                  "Écriture du PDF", "Le PDF n'a pas pu être écrit")
            if layout is None:
                return None
        except OSError as exc:
            from ..oserrors import os_reason
            QMessageBox.critical(self.window, "Export impossible",
                                 f"Le rapport n'a pas pu être écrit dans « {path} » : "
                                 f"{os_reason(exc)}.")
            return None
        self.window.show_message(f"Rapport exporté dans « {path.name} » "
                                 f"({layout.page_count} pages).")
        return path

    def _ask_pdf_path(self, region) -> Path | None:
        from .settings import LAST_FOLDER_KEY
        settings = getattr(self.window, "settings", None)
        folder = Path(settings.value(LAST_FOLDER_KEY, str(Path.home()))) if settings else Path.home()
        stem = self.document.path.stem if self.document.path else "scenario"
        suffix = "rapport-national" if region is None else f"rapport-{_file_safe(region)}"
        start = str(folder / f"{stem}-{suffix}.pdf")
        chosen, _ = QFileDialog.getSaveFileName(self.window, "Exporter le rapport en PDF", start,
                                                PDF_FILTER)
        if not chosen:
            return None
        if not chosen.lower().endswith(".pdf"):
            chosen += ".pdf"
        return Path(chosen)


def _file_safe(text: str) -> str:
    import unicodedata

    bare = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in bare if not unicodedata.combining(ch))
    return "".join(ch if ch.isalnum() else "-" for ch in bare).strip("-").lower() or "region"
