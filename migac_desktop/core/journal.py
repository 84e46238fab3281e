"""The scenario's journal (WORKBOOK.md, sheet « Journal »): every saved change, dated,
authored, with its old and new values and the reason the modeller gave.

The rows read from a file are history: kept exactly as they are, never rewritten,
reordered or validated (they live in ``Scenario.extra_sheets`` like any sheet the model
does not read). A save appends one row per undoable command done since the previous
save, undos included, all with the save's timestamp. This module formats the actions and
builds the rows; the window keeps the pending entries and the writer writes the sheet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from . import schema
from .french import fewest_decimals
from .numbers import NBSP
from .scenario import TABLES

SHEET = "Journal"
HEADERS = ("Date", "Auteur", "Action", "Motif")
EMPTY = "(vide)"
# A paste of thousands of cells is one command, one row: its first changes are listed.
LISTED_CELLS = 12


@dataclass
class Entry:
    """One change not yet saved: the action as the journal words it, and its reason."""

    action: str
    reason: str = ""


def value_text(value: object, kind: str = "number", unit: str = "") -> str:
    """A value as the journal shows it, in French: « 120 000 », « 7 % », « (vide) »."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return EMPTY
    if isinstance(value, str):
        return value if value.strip() else EMPTY
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if kind == "fraction" or unit == "%":
        # As many decimals as the value has, up to the hundredth of a percent.
        return f"{fewest_decimals(float(value) * 100, 2)}{NBSP}%"
    if kind == "integer":
        return str(int(value))
    return fewest_decimals(float(value), 6)


def change_text_of(sheet: str, key: str, old: object, new: object) -> str:
    """« 120 000 → 125 000 » for a cell of ``sheet``'s column ``key``."""
    return f"{cell_value_text(sheet, key, old)} → {cell_value_text(sheet, key, new)}"


def cell_value_text(sheet: str, key: str, value: object) -> str:
    table = TABLES.get(sheet)
    if table is not None and key in table.keys:
        column = table.column(key)
        return value_text(value, column.kind, column.unit)
    return value_text(value, "text")


def parameter_value_text(key: str, value: object) -> str:
    spec = schema.PARAMETER_BY_KEY[key]
    return value_text(value, spec.kind, spec.unit)


def listed(items: Sequence[str], total: int | None = None) -> str:
    """The first items joined by « ; », and how many more there are."""
    total = len(items) if total is None else total
    shown = " ; ".join(items[:LISTED_CELLS])
    rest = total - min(len(items), LISTED_CELLS)
    return shown + (f" ; … et {rest} autre{'s' if rest > 1 else ''}" if rest > 0 else "")


def undone(action: str) -> str:
    return f"annuler : {action}"


def redone(action: str) -> str:
    return f"rétablir : {action}"


def timestamp(when: datetime | None = None) -> str:
    """Local date and time with its offset, to the second: ``2014-03-12T10:41:07+01:00``."""
    moment = when if when is not None and when.tzinfo is not None else (when or datetime.now()).astimezone()
    return moment.replace(microsecond=0).isoformat()


def journal_key(extra_sheets: dict[str, list[tuple]]) -> str | None:
    """The name under which a file keeps its journal (« Journal », whatever its case)."""
    for name in extra_sheets:
        if name.strip().casefold() == SHEET.casefold():
            return name
    return None


def saved_rows(extra_sheets: dict[str, list[tuple]]) -> list[tuple]:
    """The journal's rows read from the file, header excluded, as they are."""
    key = journal_key(extra_sheets)
    if key is None:
        return []
    rows = list(extra_sheets[key])
    if rows and _is_header(rows[0]):
        rows = rows[1:]
    return [row for row in rows if any(v not in (None, "") for v in row)]


def appended(extra_sheets: dict[str, list[tuple]], entries: Iterable[Entry], author: str,
             when: datetime | None = None) -> dict[str, list[tuple]]:
    """The extra sheets with the journal extended by ``entries`` (a new dict; the rows
    already there untouched). No entry: the sheets as they are (nothing appended)."""
    entries = list(entries)
    if not entries:
        return extra_sheets
    stamp = timestamp(when)
    new_rows = [(stamp, author, e.action, e.reason) for e in entries]
    out = dict(extra_sheets)
    key = journal_key(extra_sheets)
    if key is None:
        out[SHEET] = [HEADERS, *new_rows]
    else:
        rows = list(extra_sheets[key])
        out[key] = (rows if rows else [HEADERS]) + new_rows
    return out


def _is_header(row: tuple) -> bool:
    return bool(row) and isinstance(row[0], str) and row[0].strip().casefold() == "date"
