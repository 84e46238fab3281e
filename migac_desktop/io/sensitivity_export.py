"""``sensitivity.csv`` of ``migac sensitivity`` (WORKBOOK.md, command line).

``parameter,direction,value,level,key,modelled,revenue_effect,alloc_YYYY…``: first the
scenario itself (``base``, ``base``, value empty), then each parameter of
:data:`core.sensitivity.PARAMETERS`, ``low`` then ``high``; within each, one row per
region then one per hospital (FINESS), in the order of first appearance in the CRRA sheet.
No ``remaining_gap`` column. The conventions of ``migac compute``'s files
(io/csv_export.py): full precision, ``.`` decimal, empty for undefined, text neutralised
against formula injection, written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from .atomic import write_atomically
from .csv_export import alloc_columns, csv_quote, format_float_column, format_text_column

FILE_NAME = "sensitivity.csv"
KEY_COLUMNS = ("parameter", "direction", "value", "level", "key")
SUM_COLUMNS = ("modelled", "revenue_effect")


def header(years) -> list[str]:
    return list(KEY_COLUMNS) + list(SUM_COLUMNS) + alloc_columns(years)


def _unit_sums(results, columns) -> dict[str, np.ndarray]:
    """Per column, the regions' sums then the hospitals' sums (first-appearance order)."""
    a = results.crra_arrays
    n_regions, n_finess = len(results.region_names), len(results.finess_names)
    out = {}
    for col in columns:
        out[col] = np.concatenate([
            np.bincount(results.region_codes, weights=a[col], minlength=n_regions),
            np.bincount(results.finess_codes, weights=a[col], minlength=n_finess)])
    return out


def write_sensitivity_csv(sweep, out_dir: str | os.PathLike) -> Path:
    """Write ``sensitivity.csv`` of a :class:`core.sensitivity.Sweep` into ``out_dir``
    (created if missing); every varied scenario must have results (none refused).
    Raises :class:`OSError` when it cannot be written, leaving any previous file intact."""
    base = sweep.base
    columns = list(SUM_COLUMNS) + alloc_columns(base.years)
    n_regions, n_finess = len(base.region_names), len(base.finess_names)
    n = n_regions + n_finess
    levels = format_text_column(["region"] * n_regions + ["establishment"] * n_finess)
    keys = csv_quote(format_text_column([str(r) for r in base.region_names]
                                        + [str(f) for f in base.finess_names]))
    blocks = [("base", "base", None, base)]
    for v in sweep.variations:
        blocks.append((v.parameter, v.direction, v.value, sweep.results[(v.parameter, v.direction)]))
    lines = [",".join(header(base.years))]
    for parameter, direction, value, results in blocks:
        sums = _unit_sums(results, columns)
        value_text = "" if value is None else format_float_column(np.array([value]))[0]
        figures = [format_float_column(sums[c]) for c in columns]
        prefix = f"{parameter},{direction},{value_text}"
        for i in range(n):
            lines.append(",".join([prefix, levels[i], keys[i]] + [f[i] for f in figures]))
    lines.append("")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / FILE_NAME
    write_atomically(path, "\n".join(lines).encode("utf-8"))
    return path
