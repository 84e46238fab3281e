"""« Exporter le tableau… »: one table of the window, as shown, to CSV or Excel.

CSV follows ``migac compute`` (io/csv_export.py): UTF-8, comma, ``.`` decimal mark,
full precision, formula-looking text neutralised. Excel gets numbers as numbers with
the scenario workbook's French formats (``1 234 567 €``, ``7,0 %``), a bold frozen header
row, an autofilter and column widths. Both are written atomically: a temporary
sibling moved over the target, the previous file intact when anything fails.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..oserrors import os_reason
from .atomic import write_atomically
from .csv_export import csv_quote, format_float_column, format_text_column

# Column kinds of the window's tables (ui/table_models.py ColumnDef.kind).
NUMERIC_KINDS = ("drm", "euros", "signed_euros", "percent", "signed_percent", "etp", "year")
_XLSX_FORMATS = {
    "euros": '#,##0 "€"',
    "signed_euros": '+#,##0 "€";-#,##0 "€";0 "€"',
    "percent": "0.0%",
    "signed_percent": "+0.0%;-0.0%;0.0%",
    "etp": "0.0#",
    "year": "0",
    "drm": "#,##0",
}
_XLSX_WIDTHS = {"euros": 15, "signed_euros": 15, "percent": 10, "signed_percent": 10,
                "etp": 9, "year": 8, "drm": 11}
EXPORT_SUFFIXES = (".xlsx", ".csv")


class TableExportError(Exception):
    """A table that could not be written, with the reason in French."""


def write_table(path, headers: Sequence[str], kinds: Sequence[str],
                columns: Sequence[Sequence[object]]) -> None:
    """Write the table (given column-wise: floats for numeric kinds, text otherwise)."""
    path = Path(path)
    name = path.name or str(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_SUFFIXES:
        raise TableExportError(f"Impossible d'exporter « {name} » : choisissez un nom en .xlsx "
                               "(Excel) ou en .csv (texte).")
    if path.is_dir():
        raise TableExportError(f"Impossible d'exporter « {name} » : c'est un dossier. "
                               "Choisissez un nom de fichier.")
    data = _csv_bytes(headers, kinds, columns) if suffix == ".csv" \
        else _xlsx_bytes(headers, kinds, columns)
    try:
        write_atomically(path, data)
    except OSError as exc:
        raise TableExportError(f"Impossible d'exporter « {name} » : {os_reason(exc)}. Choisissez "
                               "un autre dossier ou un autre nom ; un fichier existant de ce nom "
                               "est intact.") from exc


def _csv_bytes(headers, kinds, columns) -> bytes:
    fields = []
    for kind, values in zip(kinds, columns):
        if kind in NUMERIC_KINDS:
            fields.append(format_float_column(np.asarray(values, dtype="float64")))
        else:
            fields.append(csv_quote(format_text_column(["" if v is None else str(v) for v in values])))
    lines = [",".join(csv_quote(format_text_column(list(headers))))]
    lines.extend(map(",".join, zip(*fields)))
    lines.append("")
    return "\n".join(lines).encode("utf-8")


def _number_format(kind: str, values) -> str:
    if kind == "drm" and any(isinstance(v, float) and math.isfinite(v) and not v.is_integer()
                             for v in values):
        return "#,##0.00"
    return _XLSX_FORMATS[kind]


def _xlsx_bytes(headers, kinds, columns) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tableau")
    n_rows = len(columns[0]) if columns else 0
    for c, (header, kind, values) in enumerate(zip(headers, kinds, columns), 1):
        width: float
        if kind in NUMERIC_KINDS:
            width = _XLSX_WIDTHS[kind]
        else:
            width = max([len(str(v)) for v in values[:500]] + [8])
        width = min(max(width, len(header) * 0.9), 45) + 2
        ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{n_rows + 1}"
    bold = Font(bold=True)

    def text_cell(text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", text))
        cell.data_type = "s"            # « =x » stays text, never a formula
        return cell

    header_row = []
    for h in headers:
        cell = text_cell(str(h))
        cell.font = bold
        header_row.append(cell)
    ws.append(header_row)
    formats = [_number_format(k, v) if k in NUMERIC_KINDS else None for k, v in zip(kinds, columns)]
    for r in range(n_rows):
        row: list[WriteOnlyCell] = []
        for _kind, fmt, values in zip(kinds, formats, columns):
            value = values[r]
            if fmt is not None:
                number = float(value) if value is not None else math.nan
                if not math.isfinite(number):
                    row.append(None)
                    continue
                cell = WriteOnlyCell(ws, value=number)
                cell.number_format = fmt
                row.append(cell)
            else:
                text = "" if value is None else str(value)
                row.append(text_cell(text) if text else None)
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
