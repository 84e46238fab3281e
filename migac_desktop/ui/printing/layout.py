"""The paginator: the report's blocks flowed onto pages of a given size.

Every section starts a page; headings stay with what follows; a paragraph never
leaves one line alone at the foot or the head of a page; small tables and charts are
never split, and a chart may shrink a little rather than leave the end of a page
empty. Tables are cut into boxes by :class:`.tables.TableBoxes`.
"""

from __future__ import annotations

import math

from .boxes import ACCENT, GREY, LIGHT_GREY, MM, NOTICE_BAR, NOTICE_FILL, TEXT, Box, Page, scaled_chart, shift_ops
from .fonts import Fonts
from .tables import TableBoxes


class ReportLayout(TableBoxes):
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
                    self._place(scaled_chart(box, room / box.height))
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
        page.ops.extend(shift_ops(box.ops, self.left, self.y))
        self.y += box.height

    # -- blocks ----------------------------------------------------------------------------
    def _block_boxes(self, block, width: float) -> list[Box]:
        from ...reporting import report as r

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
                ops += shift_ops(box.ops, c * (col_width + gap), y)
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
