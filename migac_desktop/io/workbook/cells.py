"""Cell conversion: a read cell to the text or number the model wants, and a
written value to what the writer accepts (Python scalars, no NaN, no numpy)."""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from ...core.numbers import format_number

# -- reading ---------------------------------------------------------------

def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_blank_row(row: tuple) -> bool:
    return all(_blank(v) for v in row)


def _cell(row: tuple, index: int | None) -> object:
    if index is None or index >= len(row):
        return None
    return row[index]


def _text(value: object) -> str:
    """A cell as text: numbers without a spurious ``.0``, dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, (date, time)):
        return value.isoformat()
    return str(value).strip()


def _integral(value: object) -> int | None:
    """The integer of a numeric cell (``10000001`` or ``75.0``), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value == int(value)):
        return None
    return int(value)


def _finess(value: object) -> str:
    number = _integral(value)
    if number is not None and number >= 0:
        return str(number).zfill(9)   # a FINESS typed as a number lost its leading zero
    return _text(value)


def _departement(value: object) -> str:
    number = _integral(value)
    if number is not None and number >= 0:
        return str(number).zfill(2)   # 1 → "01", 971 → "971"
    return _text(value)


_HINTS = {
    "number": "saisissez un nombre (par exemple 1 234,5)",
    "integer": "saisissez un nombre entier (par exemple 2014)",
    "fraction": "saisissez un pourcentage (par exemple 7 % ou 0,07)",
}


def _number_message(reason: str, kind: str, value: object) -> str:
    message = f"{reason} : {_HINTS.get(kind, _HINTS['number'])}"
    if isinstance(value, (datetime, date, time)):
        message += " ; la cellule est au format date : passez-la au format nombre"
    return message + "."


# « 45,000 »: 45 with a French decimal comma, or 45 000 with an English thousands
# separator. Read the French way, and said.
_AMBIGUOUS_COMMA = re.compile(r"[-+\u2212]?\d{1,3},\d{3}(?:\s*(?:€|%|eur))?", re.I)


def _shown_default(spec) -> str:
    value = spec.default
    if spec.kind == "integer":
        return str(value)
    if spec.kind == "number":
        decimals = 0 if float(value) == int(value) else 2
        unit = f" {spec.unit}" if spec.unit else ""
        return format_number(float(value), decimals) + unit
    return f"« {value} »"


# -- writing ---------------------------------------------------------------

def _plain(value):
    """A cell value the writer accepts: Python scalars, no NaN, no numpy types."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, bool, int, datetime, date, time, timedelta)):
        return value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


# Printing (Excel, LibreOffice): A4 landscape, the scenario's title and the sheet's name
# in the header, the file's name and « Page n sur N » in the footer, cell grid printed.
# A sheet is fit to the page's width only when that keeps it at _MIN_SCALE or more; a


def _column_values(series: pd.Series, numeric: bool) -> list:
    if numeric:
        arr = series.to_numpy(dtype="float64")
        out = arr.tolist()
        if not np.isfinite(arr).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    return [_plain(v) for v in series.tolist()]


def _array_values(arr: np.ndarray) -> list:
    if arr.dtype.kind == "f":
        out = arr.tolist()
        if not np.isfinite(arr).all():
            out = [v if math.isfinite(v) else None for v in out]
        return out
    if arr.dtype.kind in "iu":
        return arr.tolist()
    return [_plain(v) for v in arr.tolist()]
