"""The files of ``migac compare`` (WORKBOOK.md, command line)::

    inputs.csv          sheet,item,field,a,b
    crra.csv            crra_id,status,modelled_a,modelled_b,delta_modelled,
                        revenue_effect_a,revenue_effect_b,delta_revenue_effect,
                        alloc_YYYY_a,alloc_YYYY_b,delta_alloc_YYYY…
    regions.csv         region,status,… (the same columns after the key)
    establishments.csv  finess,status,…

The conventions of ``migac compute``'s files (csv_export.py): UTF-8, comma, ``.`` as
decimal mark, full precision, empty where undefined, text that a spreadsheet would take
for a formula neutralised (numbers never), each file written atomically. No
``remaining_gap``, whatever the scenarios' policies.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..core.comparison import InputDifference, ResultComparison
from .csv_export import csv_quote, format_columns, format_float_column, format_text_column, write_columns

INPUT_COLUMNS = ("sheet", "item", "field", "a", "b")
FILE_NAMES = ("inputs.csv", "crra.csv", "regions.csv", "establishments.csv")


def _value_fields(values: Sequence[object]) -> list[str]:
    """A column of mixed values: numbers as compute writes them, text neutralised."""
    out = [""] * len(values)
    numbers = [i for i, v in enumerate(values)
               if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)]
    is_number = set(numbers)
    texts = [i for i, v in enumerate(values) if v is not None and i not in is_number]
    if numbers:
        formatted = format_float_column(np.array([float(values[i]) for i in numbers]))   # type: ignore[arg-type]
        for i, text in zip(numbers, formatted):
            out[i] = text
    if texts:
        formatted = csv_quote(format_text_column([str(values[i]) for i in texts]))
        for i, text in zip(texts, formatted):
            out[i] = text
    return out


def _input_columns(differences: Sequence[InputDifference]) -> list[list[str]]:
    def text(values: list[str]) -> list[str]:
        return csv_quote(format_text_column(values))
    return [text([d.sheet for d in differences]), text([d.item for d in differences]),
            text([d.field for d in differences]), _value_fields([d.a for d in differences]),
            _value_fields([d.b for d in differences])]


def write_comparison_csv(differences: Sequence[InputDifference], results: ResultComparison,
                         out_dir: str | os.PathLike) -> list[Path]:
    """Write the four files into ``out_dir`` (created if missing); return their paths.

    Raises :class:`OSError` when the folder cannot be created or a file written; a file
    already in place is then left as it was.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    jobs: list[tuple[Path, Sequence[str], list[list[str]]]] = [
        (out / FILE_NAMES[0], INPUT_COLUMNS, _input_columns(differences))]
    for name, level in zip(FILE_NAMES[1:], (results.crra, results.regions, results.establishments)):
        jobs.append((out / name, level.columns, format_columns(level.frame, level.columns)))
    written = []
    for path, header, columns in jobs:
        write_columns(path, header, columns)
        written.append(path)
    return written
