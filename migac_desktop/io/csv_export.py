"""The machine-readable results of ``migac compute`` (WORKBOOK.md, command line).

Three files in one folder, one row per CRRA, region or hospital::

    crra.csv            crra_id,label,region,finess,drm,tranche,etp_arm,etp_mr,etp_sup,
                        staff_cost,operating_cost,base_cost,geo_coef,raw_amount,modelled,
                        historic,revenue_effect,revenue_effect_pct,alloc_YYYY…
    regions.csv         region,n_crra,historic,modelled,revenue_effect,revenue_effect_pct,
                        alloc_YYYY…
    establishments.csv  finess,establishment,region,n_crra,historic,modelled,
                        revenue_effect,revenue_effect_pct,alloc_YYYY…

Format, for programs rather than people:

* UTF-8 without byte-order mark, comma separator, ``\\n`` line ends, a header line;
  fields are quoted (RFC 4180, ``"`` doubled) only when they hold a comma, a quote or a
  line break.
* Numbers: ``.`` as decimal mark, no thousands separator, no exponent, full
  precision: the shortest digits that read back as the same float (Python's
  ``repr``, written positionally), so nothing is rounded; integral values are written
  without a fraction (DRM ``45000``, not
  ``45000.0``). Percentages are fractions (``0.1001`` for 10.01 %). An undefined
  value (NaN, e.g. the effet revenu in % of a zero historic amount) is an empty field.
* **Formula injection** (OWASP "CSV Injection"): a spreadsheet program opening the
  file would run a *text* field starting with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return as a formula. Such text fields (identifier, label, region, FINESS,
  hospital name, band label) are written with a single quote ``'`` prepended, the
  OWASP recommendation, which spreadsheets display as text. Numeric columns are never
  prefixed: ``-385637.22`` stays a number. Every other text is written unchanged, so
  ordinary identifiers (``SAMU-075``, FINESS ``2A0000001``) stay exactly as typed; a
  program that needs the raw value of a prefixed field removes one leading ``'``
  when it is followed by one of those characters (see :func:`unneutralise`).

Each file is written to a temporary file in the destination folder and moved into
place (io/atomic.py), so a reader never sees half a file and a failed write
leaves the previous file intact. The folder is created when missing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np

from ..core import schema
from .atomic import write_atomically

# The columns are the catalogue's (core/schema.py), alloc_<year> columns after them.
CRRA_COLUMNS = schema.CSV_CRRA_KEYS
REGION_COLUMNS = schema.REGION_RESULT_KEYS
ESTABLISHMENT_COLUMNS = schema.ESTABLISHMENT_RESULT_KEYS
FILE_NAMES = ("crra.csv", "regions.csv", "establishments.csv")

# OWASP CSV injection: first characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_SET = frozenset(FORMULA_TRIGGERS)

# Integral floats below this magnitude are written as integers; beyond it ``repr``
# (which may use an exponent) is both shorter and exact.
_INT_LIMIT = 2.0 ** 53


def alloc_columns(years: Iterable[int]) -> list[str]:
    return [f"alloc_{int(y)}" for y in years]


def neutralise(text: str) -> str:
    """The text as written in a CSV field: ``'`` prepended if it would be a formula."""
    if text and text[0] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def unneutralise(field: str) -> str:
    """Inverse of :func:`neutralise`, for programs reading the text columns back."""
    if len(field) > 1 and field[0] == "'" and field[1] in FORMULA_TRIGGERS:
        return field[1:]
    return field


def format_float_column(values: np.ndarray) -> list[str]:
    """Full-precision text of a numeric column: shortest round-trip, '' for NaN."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return list(map(str, arr.astype("int64").tolist()))
    arr = arr.astype("float64", copy=False)
    finite = np.isfinite(arr)
    integral = finite & (np.abs(arr) < _INT_LIMIT)
    with np.errstate(invalid="ignore"):
        integral &= arr == np.trunc(arr)
    if integral.all():
        return list(map(str, arr.astype("int64").tolist()))
    out = list(map(repr, arr.tolist()))      # repr(float): shortest round-trip
    for i in np.flatnonzero(integral).tolist():
        out[i] = str(int(arr[i]))
    # repr writes an exponent below 1e-4 and from 1e16 (« 6.98e-10 »): the same digits
    # in positional form, which every CSV reader takes as a plain decimal.
    with np.errstate(invalid="ignore"):
        magnitude = np.abs(arr)
        exponent = finite & ~integral & (arr != 0) & ((magnitude < 1e-4) | (magnitude >= 1e16))
    for i in np.flatnonzero(exponent).tolist():
        out[i] = np.format_float_positional(arr[i], unique=True, trim="-")
    for i in np.flatnonzero(~finite).tolist():
        v = arr[i]
        out[i] = "" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    return out


def format_text_column(values: Sequence[object]) -> list[str]:
    """Text column: None/NaN → '', formula-looking text neutralised."""
    triggers = _TRIGGER_SET
    try:  # fast path: every value a str ("" included)
        return [("'" + v) if v[:1] in triggers else v for v in values]  # type: ignore[index,operator,misc]
    except TypeError:
        pass
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            out.append("")
        else:
            out.append(neutralise(v if isinstance(v, str) else str(v)))
    return out


_NEEDS_QUOTES = (",", '"', "\n", "\r")


def csv_quote(values: list[str]) -> list[str]:
    """RFC 4180 quoting of a text column: only fields with , " or a line break."""
    joined = "\x00".join(values)
    if not any(ch in joined for ch in _NEEDS_QUOTES):   # the usual case: one scan
        return values
    return ['"' + v.replace('"', '""') + '"' if any(ch in v for ch in _NEEDS_QUOTES) else v
            for v in values]


def format_columns(data: Mapping[str, object], columns: Sequence[str]) -> list[list[str]]:
    """Each column as CSV field text, ready to join (numbers never need quoting)."""
    formatted = []
    for name in columns:
        arr = np.asarray(data[name])
        if arr.dtype.kind in "fiub":
            formatted.append(format_float_column(arr))
        else:
            formatted.append(csv_quote(format_text_column(arr.tolist())))
    return formatted


def write_columns(path: Path, header: Sequence[str], columns: list[list[str]]) -> None:
    """Write the CSV to a temporary sibling, then move it over ``path``."""
    # Joining pre-formatted fields is several times faster than csv.writer.
    lines = [",".join(csv_quote(list(header)))]
    lines.extend(map(",".join, zip(*columns)))
    lines.append("")
    write_atomically(path, "\n".join(lines).encode("utf-8"))


def write_results_csv(results, out_dir: str | os.PathLike) -> list[Path]:
    """Write ``crra.csv``, ``regions.csv`` and ``establishments.csv`` into ``out_dir``.

    ``results`` is a :class:`migac_desktop.core.model.Results`. The folder (and its
    parents) is created if missing. Returns the three paths written, in that order.
    Raises :class:`OSError` when the folder cannot be created or a file written; the
    files already in place are then left as they were.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    # remaining_gap last, with « Plafonné » only: « Linéaire » files stay as they were.
    allocs = alloc_columns(results.years) + list(results.extra_keys)

    crra_cols = list(CRRA_COLUMNS) + allocs
    region_cols = list(REGION_COLUMNS) + allocs
    estab_cols = list(ESTABLISHMENT_COLUMNS) + allocs

    jobs = (
        (out / FILE_NAMES[0], crra_cols, results.crra_arrays),
        (out / FILE_NAMES[1], region_cols, results.regions),
        (out / FILE_NAMES[2], estab_cols, results.establishments),
    )
    written = []
    for path, cols, data in jobs:
        write_columns(path, cols, format_columns(data, cols))
        written.append(path)
    return written
