"""The XLSX being written: an openpyxl skeleton, rows spliced into it as XML.

openpyxl is imported inside the functions that use it: start-up does not pay
for it.
"""

from __future__ import annotations

import math
import os
from datetime import date, datetime, time, timedelta
from typing import Any

from ..headers import column_letter
from .cells import _plain
from .formats import _DATE_FORMATS, _WIDTHS
from .print_setup import _PRINT_TITLE_COLUMNS, _fit_or_repeat, _page_setup, _wrapped_heights

# openpyxl builds the skeleton of the workbook (styles, widths, frozen
# header, filters, print titles, header rows); the data rows, which are
# almost all of the file, are then written straight as XML into each sheet's
# <sheetData>, with a shared string table. openpyxl's own cell-by-cell writer
# takes several seconds for a 10 000-CRRA scenario; this takes well under one,
# and shared strings also make the file faster to open again.

_SST_PATH = "xl/sharedStrings.xml"
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def _escape(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\r", "&#13;"))


def _letters(n: int) -> list[str]:
    return [column_letter(i) for i in range(n)]


def _escape_formulas(formulas: list[str]) -> list[str]:
    """XML-escape a column of formulas in one pass (most need nothing)."""
    joined = "\n".join(formulas)
    if "&" not in joined and "<" not in joined and ">" not in joined:
        return formulas
    return joined.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split("\n")


def _formula_cell(ref: str, s_attr: str, formula: str, cached) -> str:
    """A formula cell whose cached value is not a float: a text, an integer, or "" (None)."""
    if cached is None or cached == "":
        return f'<c r="{ref}"{s_attr} t="str"><f>{formula}</f><v></v></c>'
    if isinstance(cached, str):
        return f'<c r="{ref}"{s_attr} t="str"><f>{formula}</f><v>{_escape(cached)}</v></c>'
    if isinstance(cached, bool):
        return f'<c r="{ref}"{s_attr} t="b"><f>{formula}</f><v>{int(cached)}</v></c>'
    number = float(cached)
    if not math.isfinite(number):
        return f'<c r="{ref}"{s_attr}><f>{formula}</f></c>'
    return f'<c r="{ref}"{s_attr}><f>{formula}</f><v>{cached!r}</v></c>'


class _Book:
    """An openpyxl write-only workbook plus the data rows of each sheet."""

    def __init__(self):
        from openpyxl import Workbook
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        self.wb = Workbook(write_only=True)
        self._cell_class = Cell
        self._style_cache: dict[tuple, tuple] = {}
        self._header_font = Font(bold=True)
        self._header_fill = PatternFill("solid", fgColor="DCE6F1")
        self._header_align = Alignment(wrap_text=True, vertical="center")
        self._header_border = Border(bottom=Side(style="thin", color="808080"))
        self._wrap_align = Alignment(wrap_text=True)
        self.print_title = "Scénario MIG SAMU"      # the printed pages' header
        self.bodies: dict[Any, list[str]] = {}         # openpyxl sheet → XML chunks of rows
        self.strings: dict[str, int] = {}
        self._probe = None
        self._date_styles: dict[type, int] = {}

    # -- styles ------------------------------------------------------------
    def style(self, ws, fmt: str | None, bold: bool = False, header: bool = False,
              wrap: bool = False):
        """(StyleArray, style id) of a number format, bold, header or wrapped-text look."""
        key = (fmt, bold, header, wrap)
        if key not in self._style_cache:
            cell = self._cell_class(ws, row=1, column=1)
            if fmt:
                cell.number_format = fmt
            if bold or header:
                cell.font = self._header_font
            if header:
                cell.fill = self._header_fill
                cell.alignment = self._header_align
                cell.border = self._header_border
            elif wrap:
                cell.alignment = self._wrap_align
            self._style_cache[key] = (cell._style, cell.style_id if cell.has_style else 0)
        return self._style_cache[key]

    def date_style(self, ws, kind: type) -> int:
        if kind not in self._date_styles:
            self._date_styles[kind] = self.style(ws, _DATE_FORMATS[kind])[1]
        return self._date_styles[kind]

    # -- cells -------------------------------------------------------------
    def header_row(self, ws, headers: list[str]) -> None:
        style = self.style(ws, None, header=True)[0]
        cells = []
        for h in headers:
            cell = self._cell_class(ws, row=1, column=1, style_array=style)
            cell.value = _legal_text(str(h))
            cell.data_type = "s"    # a header "=x" stays text
            cells.append(cell)
        ws.append(cells)

    def add_rows(self, ws, start: int, columns: list[list], style_ids: list[int],
                 heights: dict[int, float] | None = None) -> int:
        """Append rows (given column-wise) as XML; returns the next free row number.

        ``heights``: row (0-based in ``columns``) → height in points, for wrapped texts.
        """
        if not columns:
            return start
        letters = _letters(len(columns))
        s_attrs = [f' s="{sid}"' if sid else "" for sid in style_ids]
        strings = self.strings
        chunk: list[str] = []
        chunks = self.bodies.setdefault(ws, [])
        row_number = start
        heights = heights or {}
        for row in zip(*columns):
            n = str(row_number)
            ht = heights.get(row_number - start)
            parts = [f'<row r="{n}">' if ht is None else _row_tag(n, ht)]
            for letter, s_attr, value in zip(letters, s_attrs, row):
                if value is None:
                    continue
                kind = type(value)
                if kind is float or kind is int:
                    parts.append(f'<c r="{letter}{n}"{s_attr}><v>{value!r}</v></c>')
                elif kind is str:
                    if not value:
                        continue
                    index = strings.get(value)
                    if index is None:
                        index = strings[value] = len(strings)
                    parts.append(f'<c r="{letter}{n}"{s_attr} t="s"><v>{index}</v></c>')
                else:
                    parts.append(self._other_cell(ws, f"{letter}{n}", s_attr, value))
            parts.append("</row>")
            chunk.append("".join(parts))
            row_number += 1
            if len(chunk) >= 2000:
                chunks.append("".join(chunk))
                chunk = []
        if chunk:
            chunks.append("".join(chunk))
        return row_number

    def _other_cell(self, ws, ref: str, s_attr: str, value) -> str:
        from openpyxl.utils.datetime import to_excel

        if isinstance(value, bool):
            return f'<c r="{ref}"{s_attr} t="b"><v>{int(value)}</v></c>'
        if isinstance(value, (int, float)):          # numpy-free subclasses
            number = float(value)
            return f'<c r="{ref}"{s_attr}><v>{number!r}</v></c>' if math.isfinite(number) else ""
        for kind in (datetime, date, time, timedelta):
            if isinstance(value, kind):
                if isinstance(value, (datetime, time)) and value.tzinfo is not None:
                    value = value.replace(tzinfo=None)
                serial = to_excel(value)
                return f'<c r="{ref}" s="{self.date_style(ws, kind)}"><v>{serial!r}</v></c>'
        text = str(value)
        index = self.strings.get(text)
        if index is None:
            index = self.strings[text] = len(self.strings)
        return f'<c r="{ref}"{s_attr} t="s"><v>{index}</v></c>'

    def add_formula_rows(self, ws, start: int, columns: list[list], style_ids: list[int],
                         formulas: list[list[str] | None],
                         heights: dict[int, float] | None = None) -> int:
        """Like :meth:`add_rows`, with formula columns (output sheets only).

        ``formulas[i]`` is None for a column of values, else one formula per row
        (text without ``=``, from :mod:`.formulas`); ``columns[i]`` then holds the
        cached values: the application's own results, which readers that do not
        compute (openpyxl, previews) show. Built column by column, then joined.
        """
        if not columns:
            return start
        rows = [str(r) for r in range(start, start + len(columns[0]))]
        by_column = []
        for letter, sid, values, forms in zip(_letters(len(columns)), style_ids, columns,
                                              formulas):
            s_attr = f' s="{sid}"' if sid else ""
            if forms is None:
                by_column.append([self._value_cell(ws, f"{letter}{n}", s_attr, v)
                                  for n, v in zip(rows, values)])
                continue
            forms = _escape_formulas(forms)
            by_column.append([
                f'<c r="{letter}{n}"{s_attr}><f>{f}</f><v>{v!r}</v></c>' if type(v) is float
                else _formula_cell(f"{letter}{n}", s_attr, f, v)
                for n, f, v in zip(rows, forms, values)])
        chunks = self.bodies.setdefault(ws, [])
        tags = [f'<row r="{n}">' for n in rows]
        for i, ht in (heights or {}).items():
            tags[i] = _row_tag(rows[i], ht)
        for at in range(0, len(rows), 2000):
            block = zip(*(c[at:at + 2000] for c in by_column))
            chunks.append("".join(f'{tag}{"".join(cells)}</row>'
                                  for tag, cells in zip(tags[at:at + 2000], block)))
        return start + len(rows)

    def _value_cell(self, ws, ref: str, s_attr: str, value) -> str:
        if value is None or value == "":
            return ""
        kind = type(value)
        if kind is float or kind is int:
            return f'<c r="{ref}"{s_attr}><v>{value!r}</v></c>'
        if kind is str:
            index = self.strings.get(value)
            if index is None:
                index = self.strings[value] = len(self.strings)
            return f'<c r="{ref}"{s_attr} t="s"><v>{index}</v></c>'
        return self._other_cell(ws, ref, s_attr, value)

    # -- saving ------------------------------------------------------------
    def discard(self) -> None:
        """Close and delete openpyxl's per-sheet temporary files after a failed save."""
        for ws in self.wb.worksheets:
            writer = getattr(ws, "_writer", None)
            if writer is None:
                continue
            try:
                if not ws.closed:
                    ws.close()
            except Exception:  # noqa: BLE001 - best effort clean-up
                pass
            try:
                os.remove(writer.out)
            except OSError:
                pass

    def save(self, path: str) -> None:
        import io
        import zipfile

        skeleton = io.BytesIO()
        self.wb.save(skeleton)
        paths = {ws.path.lstrip("/"): ws for ws in self.bodies}
        with zipfile.ZipFile(skeleton) as src, \
                zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as out:
            names = src.namelist()
            if _SST_PATH in names:      # a future openpyxl writing its own table
                raise RuntimeError("openpyxl a déjà écrit une table de chaînes partagées")
            for name in names:
                data = src.read(name)
                if name in paths:
                    self._write_sheet(out, name, data.decode("utf-8"), self.bodies[paths[name]])
                    continue
                if name == "[Content_Types].xml":
                    data = _insert_before(data, b"</Types>", (
                        f'<Override PartName="/{_SST_PATH}" ContentType="{_SST_TYPE}"/>').encode())
                elif name == "xl/_rels/workbook.xml.rels":
                    data = _insert_before(data, b"</Relationships>", (
                        f'<Relationship Id="rIdMigacStrings" Type="{_SST_REL}" '
                        'Target="sharedStrings.xml"/>').encode())
                out.writestr(src.getinfo(name), data, compress_type=zipfile.ZIP_DEFLATED)
            with out.open(_SST_PATH, "w") as fh:
                count = len(self.strings)
                fh.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         f'<sst xmlns="{_MAIN_NS}" count="{count}" uniqueCount="{count}">'
                         .encode())
                batch = []
                for text in self.strings:
                    space = ' xml:space="preserve"' if text != text.strip() else ""
                    batch.append(f"<si><t{space}>{_escape(text)}</t></si>")
                    if len(batch) >= 5000:
                        fh.write("".join(batch).encode("utf-8"))
                        batch = []
                fh.write(("".join(batch) + "</sst>").encode("utf-8"))

    @staticmethod
    def _write_sheet(out, name: str, xml: str, chunks: list[str]) -> None:
        end = xml.rfind("</sheetData>")
        if end < 0:
            empty = xml.find("<sheetData")
            close = xml.find("/>", empty)
            if empty < 0 or close < 0:
                raise RuntimeError(f"feuille {name} sans <sheetData>")
            head, tail = xml[:empty] + "<sheetData>", "</sheetData>" + xml[close + 2:]
        else:
            head, tail = xml[:end], xml[end:]
        with out.open(name, "w") as fh:
            fh.write(head.encode("utf-8"))
            for chunk in chunks:
                fh.write(chunk.encode("utf-8"))
            fh.write(tail.encode("utf-8"))


def _row_tag(n: str, height: float) -> str:
    return f'<row r="{n}" ht="{height:g}" customHeight="1">'


def _legal_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _insert_before(data: bytes, marker: bytes, insert: bytes) -> bytes:
    at = data.rfind(marker)
    if at < 0:
        raise RuntimeError(f"{marker.decode()} introuvable dans le squelette du classeur")
    return data[:at] + insert + data[at:]


class _SheetWriter:
    """One sheet: layout and header through openpyxl, rows through the book."""

    def __init__(self, book: _Book, title: str):
        self.book = book
        self.ws = book.wb.create_sheet(title)
        self.ws.calculate_dimension = None
        self.next_row = 1
        self.widths: list[float] = []
        _page_setup(self.ws, book.print_title)

    def layout(self, headers: list[str], formats: list[str | None], n_rows: int,
               widths: list[float] | None = None, autofilter: bool = True) -> None:
        from openpyxl.utils import get_column_letter

        ws = self.ws
        final = []
        for i, header in enumerate(headers):
            width = widths[i] if widths else _WIDTHS.get(formats[i] or "", 14)
            width = min(max(width, min(len(str(header)) + 2, 30)), 60)
            ws.column_dimensions[get_column_letter(i + 1)].width = width
            final.append(width)
        self.widths = final
        self.dimension(len(headers), n_rows + 1)
        ws.freeze_panes = "A2"
        if headers and autofilter:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(n_rows + 1, 1)}"
        ws.print_title_rows = "1:1"
        _fit_or_repeat(ws, final, _PRINT_TITLE_COLUMNS.get(ws.title, (0, 0)))

    def print_area(self, n_cols: int, n_rows: int) -> None:
        """Print the table (and what follows it) and nothing else."""
        from openpyxl.utils import get_column_letter

        self.ws.print_area = f"A1:{get_column_letter(max(n_cols, 1))}{max(n_rows, 1)}"

    def dimension(self, n_cols: int, n_rows: int) -> None:
        """Declare the used range before openpyxl writes the sheet.

        openpyxl's write-only sheets omit ``<dimension>``; without it, openpyxl's
        own read-only mode parses each whole sheet once more just to size it.
        """
        from openpyxl.utils import get_column_letter

        last = f"{get_column_letter(max(n_cols, 1))}{max(n_rows, 1)}"
        self.ws.calculate_dimension = lambda: f"A1:{last}"

    def header(self, headers: list[str]) -> None:
        self.book.header_row(self.ws, headers)
        self.next_row = 2

    def columns(self, columns: list[list], formats: list[str | None], bold: bool = False,
                formulas: list[list[str] | None] | None = None,
                wrap: list[bool] | None = None) -> None:
        """Rows given column-wise; ``wrap[i]``: column i's texts wrap within its width."""
        wrap = wrap or [False] * len(formats)
        ids = [self.book.style(self.ws, fmt, bold, wrap=w)[1] if (fmt or bold or w) else 0
               for fmt, w in zip(formats, wrap)]
        heights = _wrapped_heights(columns, wrap, self.widths) if any(wrap) else None
        if formulas is not None and any(f is not None for f in formulas):
            self.next_row = self.book.add_formula_rows(self.ws, self.next_row, columns, ids,
                                                       formulas, heights)
        else:
            self.next_row = self.book.add_rows(self.ws, self.next_row, columns, ids, heights)

    def rows(self, rows: list[tuple]) -> None:
        """Untyped rows (extra sheets, extra parameters), values as they are."""
        rows = [tuple(_plain(v) for v in row) for row in rows]
        if self.ws.calculate_dimension is None:
            self.dimension(max((len(r) for r in rows), default=1), len(rows))
        width = max((len(r) for r in rows), default=0)
        if not width:
            self.next_row += len(rows)
            return
        padded = [r + (None,) * (width - len(r)) for r in rows]
        columns = [list(column) for column in zip(*padded)]
        self.next_row = self.book.add_rows(self.ws, self.next_row, columns, [0] * width)
