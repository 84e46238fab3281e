"""Tables on pages: column widths, column groups when too wide, rows in boxes.

Tables repeat their header on every page, are split between rows (never fewer than
three rows under a header, never one row alone on a page, the total row always with
the last rows), and when too wide for the page are split into column groups that
each repeat the table's key (identifier, name) so that no column is cut.
"""

from __future__ import annotations

import math

from .boxes import ACCENT, GAIN, GREY, HEADER_FILL, HEADER_RULE, LEFT_ALIGN, LOSS, TEXT, TOTAL_FILL, ZEBRA, Box


class TableBoxes:
    """The table part of :class:`.layout.ReportLayout` (its ``fonts``, ``top``,
    ``bottom`` and ``_lines_ops``)."""

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
