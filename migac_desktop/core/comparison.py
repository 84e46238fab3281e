"""Comparison of a scenario B with a reference scenario A (issue 14, WORKBOOK.md
« migac compare »): the inputs that differ, and the results side by side.

Both halves are what ``migac compare`` writes and what the window will show and
recompute after each edit of the open scenario, so they are vectorised: rows of the
two scenarios are paired by their key with one pandas index look-up, and values are
compared column by column with numpy; Python only loops over the differences found.

Values are compared exactly as read (defaults applied, numbers parsed, FINESS padded):
no tolerance, no rounding. An empty cell (NaN, None or ``""``) equals an empty cell.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import schema
from .model import Results, alloc_key
from .scenario import Scenario
from .schema import Table

# Sheets in the order of WORKBOOK.md's input sheets.
INPUT_SHEETS = (schema.PARAMETERS_SHEET, schema.BANDS.sheet, schema.SMOOTHING.sheet,
                schema.CRRA.sheet, schema.ENVELOPES.sheet)
PRESENCE = "(présence)"
PRESENT = "oui"
VALUE_FIELD = "Valeur"

BOTH, ONLY_A, ONLY_B = "both", "only_a", "only_b"
STATUSES = (BOTH, ONLY_A, ONLY_B)
# The compared quantities, before one alloc_<year> per year both scenarios share.
COMPARED = ("modelled", "revenue_effect")
LEVELS = ("crra", "region", "establishment")
LEVEL_KEYS = {"crra": "crra_id", "region": "region", "establishment": "finess"}
# Columns kept after the compared ones, for the window (B's value, else A's): a CRRA's
# region lets it list the CRRA of one region. Not written by ``migac compare``.
CONTEXT = {"crra": ("label", "region", "finess"), "region": (),
           "establishment": ("establishment", "region")}


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True)
class InputDifference:
    """One input that differs: a row of ``inputs.csv``, and where it is in B.

    ``a`` and ``b`` are the values as read (float, int or str; None for an empty cell,
    and for the missing side of a ``(présence)`` row, whose other side is « oui »).
    ``position`` is the row's position in B's table and ``key`` the column key (the
    parameter key on « Paramètres »), what the window needs to select the cell;
    ``position`` is None for a parameter and for a row that B lacks, ``key`` None for
    a ``(présence)`` row.
    """

    sheet: str
    item: str
    field: str
    a: object
    b: object
    position: int | None = None
    key: str | None = None

    @property
    def is_presence(self) -> bool:
        return self.field == PRESENCE


def input_differences(a: Scenario, b: Scenario) -> list[InputDifference]:
    """Every input of B that differs from the reference A, in the order of WORKBOOK.md:
    sheets in order, then A's items in order, then B's items that A lacks."""
    out = _parameter_differences(a, b)
    out += _table_differences(schema.BANDS, a.bands, b.bands, _band_items, key_column="label")
    out += _table_differences(schema.SMOOTHING, a.smoothing, b.smoothing, _year_items,
                              key_column="year")
    out += _table_differences(schema.CRRA, a.crra, b.crra, _crra_items, key_column="crra_id")
    out += _table_differences(schema.ENVELOPES, a.envelopes, b.envelopes, _envelope_items,
                              key_column=None)
    return out


def _empty(value: object) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _parameter_differences(a: Scenario, b: Scenario) -> list[InputDifference]:
    out = []
    for spec in schema.PARAMETERS:
        va, vb = getattr(a.parameters, spec.key), getattr(b.parameters, spec.key)
        if _empty(va) and _empty(vb):
            continue
        if _empty(va) or _empty(vb) or va != vb:
            out.append(InputDifference(schema.PARAMETERS_SHEET, spec.key, VALUE_FIELD,
                                       None if _empty(va) else va, None if _empty(vb) else vb,
                                       None, spec.key))
    return out


def _text_items(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = frame[column].to_numpy(dtype=object)
    return np.where(pd.isna(values), "", values).astype(object)


def _crra_items(frame: pd.DataFrame) -> np.ndarray:
    return _text_items(frame, "crra_id")


def _band_items(frame: pd.DataFrame) -> np.ndarray:
    # The reader names an unnamed band T1, T2…; an edit may empty a label: the model's name.
    labels = _text_items(frame, "label")
    empty = np.flatnonzero(np.array([not str(v).strip() for v in labels], dtype=bool))
    for i in empty.tolist():
        labels[i] = f"T{i + 1}"
    return labels


def _year_text(values: np.ndarray) -> np.ndarray:
    years = np.asarray(values, dtype="float64")
    out = np.empty(len(years), dtype=object)
    finite = np.isfinite(years)
    out[finite] = [str(int(y)) if y == int(y) else repr(y) for y in years[finite].tolist()]
    out[~finite] = ""
    return out


def _year_items(frame: pd.DataFrame) -> np.ndarray:
    return _year_text(frame["year"].to_numpy())


def _envelope_items(frame: pd.DataFrame) -> np.ndarray:
    regions = _text_items(frame, "region")
    years = _year_text(frame["year"].to_numpy())
    out = np.empty(len(regions), dtype=object)
    out[:] = [f"{r}|{y}" for r, y in zip(regions.tolist(), years.tolist())]
    return out


def align(a_keys: np.ndarray, b_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pair the rows of A and B by key: for each row of A, its row in B (or -1), and the
    rows of B that no row of A has. A key found twice pairs its first occurrences, then
    its second ones, and so on (duplicates are validation errors, yet still compared)."""
    a_index, b_index = pd.Index(a_keys), pd.Index(b_keys)
    if a_index.is_unique and b_index.is_unique:
        in_b = b_index.get_indexer(a_index)
    else:
        def occurrences(keys: np.ndarray) -> pd.MultiIndex:
            rank = pd.Series(np.arange(len(keys))).groupby(np.asarray(keys), sort=False).cumcount()
            return pd.MultiIndex.from_arrays([np.asarray(keys, dtype=object), rank.to_numpy()])
        in_b = occurrences(b_keys).get_indexer(occurrences(a_keys))
    unpaired = np.ones(len(b_keys), dtype=bool)
    unpaired[in_b[in_b >= 0]] = False
    return np.asarray(in_b, dtype=np.intp), np.flatnonzero(unpaired)


def _different(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Element-wise « differs » of two columns, an empty cell equal to an empty cell."""
    if x.dtype.kind in "fiu" and y.dtype.kind in "fiu":
        x, y = x.astype("float64", copy=False), y.astype("float64", copy=False)
        with np.errstate(invalid="ignore"):
            return ~((x == y) | (np.isnan(x) & np.isnan(y)))
    x = np.where(pd.isna(x), "", x).astype(object)
    y = np.where(pd.isna(y), "", y).astype(object)
    return np.asarray(x != y, dtype=bool)


def _value(v: object) -> object:
    """A cell's value as a difference carries it: None when empty, numbers as float."""
    if v is None:
        return None
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else float(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return float(v)
    if isinstance(v, str):
        return v or None
    return None if pd.isna(v) else v


def _table_differences(table: Table, a: pd.DataFrame, b: pd.DataFrame, items,
                       key_column: str | None) -> list[InputDifference]:
    """One table's differences; ``items`` gives each row's item text (its key)."""
    a_items, b_items = items(a), items(b)
    in_b, b_only = align(a_items, b_items)
    paired = np.flatnonzero(in_b >= 0)
    a_only = np.flatnonzero(in_b < 0)
    fields = [c for c in table.columns if c.key != key_column and c.key in a and c.key in b]
    if table is schema.ENVELOPES:           # the key is Région and Année together
        fields = [c for c in fields if c.key not in ("region", "year")]

    rows_found, fields_found = [], []
    a_columns, b_columns = [], []
    for j, col in enumerate(fields):
        x, y = a[col.key].to_numpy(), b[col.key].to_numpy()
        a_columns.append(x)
        b_columns.append(y)
        hit = np.flatnonzero(_different(x[paired], y[in_b[paired]]))
        rows_found.append(paired[hit])
        fields_found.append(np.full(len(hit), j))
    # A's rows missing from B come at their place in A's order, before any field (-1).
    a_rows = np.concatenate(rows_found + [a_only]).astype(np.intp)
    field_idx = np.concatenate(fields_found + [np.full(len(a_only), -1)]).astype(np.intp)
    order = np.lexsort((field_idx, a_rows))

    out = []
    sheet = table.sheet
    for i, j in zip(a_rows[order].tolist(), field_idx[order].tolist()):
        if j < 0:
            out.append(InputDifference(sheet, str(a_items[i]), PRESENCE, PRESENT, None))
            continue
        col = fields[j]
        position = int(in_b[i])
        out.append(InputDifference(sheet, str(a_items[i]), col.header,
                                   _value(a_columns[j][i]), _value(b_columns[j][position]),
                                   position, col.key))
    for position in b_only.tolist():
        out.append(InputDifference(sheet, str(b_items[position]), PRESENCE, None, PRESENT,
                                   int(position)))
    return out


# --------------------------------------------------------------------------- results
@dataclass
class LevelComparison:
    """One level of the results of A and B side by side (a ``crra.csv``, ``regions.csv``
    or ``establishments.csv`` of ``migac compare``).

    ``frame`` has the key column, ``status``, then ``<quantity>_a``, ``<quantity>_b``,
    ``delta_<quantity>`` for each of :attr:`quantities` (the columns of the CSV, in
    order: :attr:`columns`), then the context columns of :data:`CONTEXT`.
    """

    level: str
    key: str
    quantities: list[str]
    frame: pd.DataFrame

    @property
    def columns(self) -> list[str]:
        cols = [self.key, "status"]
        for q in self.quantities:
            cols += [f"{q}_a", f"{q}_b", f"delta_{q}"]
        return cols

    def differing(self) -> np.ndarray:
        """Rows where a delta is not zero, or the key is in one scenario only."""
        mask = self.frame["status"].to_numpy() != BOTH
        for q in self.quantities:
            mask |= self.frame[f"delta_{q}"].to_numpy() != 0
        return mask


@dataclass
class ResultComparison:
    years: list[int]                    # the smoothing years both scenarios share
    crra: LevelComparison
    regions: LevelComparison
    establishments: LevelComparison
    years_only_a: list[int] = field(default_factory=list)
    years_only_b: list[int] = field(default_factory=list)

    def level(self, name: str) -> LevelComparison:
        return {"crra": self.crra, "region": self.regions,
                "establishment": self.establishments}[name]


def shared_years(a: Results, b: Results) -> list[int]:
    """The smoothing years of A that B has too, in A's order."""
    b_years = set(b.years)
    return [y for y in a.years if y in b_years]


def compare_results(a: Results, b: Results) -> ResultComparison:
    """The results of B against the reference A at the three levels."""
    years = shared_years(a, b)
    quantities = list(COMPARED) + [alloc_key(y) for y in years]
    levels = []
    for level in LEVELS:
        a_data, b_data = _level_data(a, level), _level_data(b, level)
        levels.append(_compare_level(level, quantities, a_data, b_data))
    return ResultComparison(
        years=years, crra=levels[0], regions=levels[1], establishments=levels[2],
        years_only_a=[y for y in a.years if y not in years],
        years_only_b=[y for y in b.years if y not in set(a.years)])


def _level_data(results: Results, level: str):
    """The level's columns as arrays (a mapping with ``[]``)."""
    if level == "crra":
        return results.crra_arrays
    frame = results.regions if level == "region" else results.establishments
    return {c: frame[c].to_numpy() for c in frame.columns}


def _compare_level(level: str, quantities: list[str], a, b) -> LevelComparison:
    key = LEVEL_KEYS[level]
    a_keys = np.asarray(a[key], dtype=object)
    b_keys = np.asarray(b[key], dtype=object)
    in_b, b_only = align(a_keys, b_keys)
    has_b_of_a = in_b >= 0
    n_a, n_b_only = len(a_keys), len(b_only)
    # Row i < n_a: A's row i (and its B row, if any); then B's rows that A lacks.
    has_a = np.concatenate([np.ones(n_a, dtype=bool), np.zeros(n_b_only, dtype=bool)])
    has_b = np.concatenate([has_b_of_a, np.ones(n_b_only, dtype=bool)])
    b_rows = np.concatenate([np.where(has_b_of_a, in_b, 0), b_only]).astype(np.intp)

    status = np.full(n_a + n_b_only, BOTH, dtype=object)
    status[:n_a][~has_b_of_a] = ONLY_A
    status[n_a:] = ONLY_B
    data: dict[str, np.ndarray] = {
        key: np.concatenate([a_keys, b_keys[b_only]]),
        "status": status,
    }
    nan_b = np.full(n_b_only, np.nan)
    for q in quantities:
        x = np.concatenate([np.asarray(a[q], dtype="float64"), nan_b])
        y = np.asarray(b[q], dtype="float64").take(b_rows) if len(b_keys) else np.full(len(b_rows), np.nan)
        y = np.where(has_b, y, np.nan)
        data[f"{q}_a"] = x
        data[f"{q}_b"] = y
        data[f"delta_{q}"] = np.where(has_b, y, 0.0) - np.where(has_a, x, 0.0)
    for name in CONTEXT[level]:
        x = np.concatenate([np.asarray(a[name], dtype=object), np.asarray(b[name], dtype=object)[b_only]])
        if len(b_keys):
            y = np.asarray(b[name], dtype=object).take(b_rows)
            x = np.where(has_b, y, x)
        data[name] = x
    return LevelComparison(level, key, list(quantities), pd.DataFrame(data))
