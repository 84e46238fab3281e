"""The words and numbers of a comparison, in French (issue 14): what the window's
« Écarts » tab shows for each input difference and each compared result, and what a
report can print the same way. Qt-free.

Values are shown as the modeller typed them: euros as euros, fractions as percentages
(with as many decimals as the value needs: 7,25 %, not 7,3 %), ETP with their decimals,
years as years; the side of a row present in one scenario only says « absent ».
"""

from __future__ import annotations

import math

from . import schema
from .comparison import BOTH, ONLY_A, ONLY_B, InputDifference
from .french import fewest_decimals
from .numbers import format_euros, format_number, format_percent, format_signed_euros
from .scenario import TABLES

ABSENT = "absent"
PRESENT_TEXT = "présent"
EMPTY = "(vide)"
# A result row's status, said as the modeller reads it.
STATUS_TEXT = {BOTH: "dans les deux", ONLY_A: "absent du scénario", ONLY_B: "absent de la référence"}
STATUS_HELP = ("« absent de la référence » : présent dans le scénario ouvert seulement ; "
               "« absent du scénario » : présent dans la référence seulement.")


def _spec(diff: InputDifference):
    """(kind, unit) of the difference's value, from the workbook's catalogue."""
    if diff.sheet == schema.PARAMETERS_SHEET:
        spec = schema.PARAMETER_BY_KEY.get(diff.key or "")
        return (spec.kind, spec.unit) if spec is not None else ("text", "")
    table = TABLES.get(diff.sheet)
    if table is None or not diff.key:
        return "text", ""
    try:
        col = table.column(diff.key)
    except KeyError:
        return "text", ""
    return col.kind, col.unit


def item_text(diff: InputDifference) -> str:
    """The item as a modeller knows it: a parameter's label, a band's, a CRRA's id,
    an envelope's « Région, année »."""
    if diff.sheet == schema.PARAMETERS_SHEET:
        spec = schema.PARAMETER_BY_KEY.get(diff.item)
        return spec.label if spec is not None else diff.item
    if diff.sheet == schema.ENVELOPES.sheet and "|" in diff.item:
        region, year = diff.item.rsplit("|", 1)
        return f"{region}, {year}"
    return diff.item


def field_text(diff: InputDifference) -> str:
    """The column, or « présence » for a row of one scenario only."""
    if diff.is_presence:
        return "Présence"
    if diff.sheet == schema.PARAMETERS_SHEET:
        return "Valeur"
    return diff.field


def _percent(fraction: float) -> str:
    for decimals in range(1, 5):
        if abs(round(fraction * 100, decimals) - fraction * 100) < 1e-9:
            return format_percent(fraction, decimals)
    return format_percent(fraction, 4)


def number_text(kind: str, unit: str, value: float) -> str:
    if kind == "fraction" or unit == "%":
        return _percent(value)
    if unit == "€":
        return format_euros(value, 0 if float(value).is_integer() else 2)
    if kind == "integer" or unit == "" and float(value).is_integer():
        return format_number(value, 0)
    return fewest_decimals(value, 4)


def value_text(diff: InputDifference, value: object) -> str:
    """One side of a difference in French: « 7,25 % », « 125 000 € », « absent »."""
    if diff.is_presence:
        return PRESENT_TEXT if value is not None else ABSENT
    if value is None:
        return EMPTY
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return EMPTY
    kind, unit = _spec(diff)
    return number_text(kind, unit, float(value))


def gap_text(diff: InputDifference) -> str:
    """Scenario minus reference for two numbers (« +5 000 € », « +0,5 point »); empty
    for texts, presence and an empty side."""
    a, b = diff.a, diff.b
    if diff.is_presence or isinstance(a, bool) or isinstance(b, bool) \
            or not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return ""
    kind, unit = _spec(diff)
    gap = float(b) - float(a)
    if kind == "fraction" or unit == "%":
        points = gap * 100
        decimals = next((d for d in range(1, 5) if abs(round(points, d) - points) < 1e-9), 4)
        text = format_number(points, decimals)
        return ("+" if points > 0 else "") + text + (" point" if abs(points) < 2 else " points")
    if unit == "€":
        return format_signed_euros(gap) if float(gap).is_integer() or abs(gap) >= 1 \
            else ("+" if gap > 0 else "") + format_euros(gap, 2)
    text = number_text(kind, unit, gap)
    return ("+" if gap > 0 else "") + text


def sheet_counts(differences: list[InputDifference]) -> dict[str, int]:
    """How many differences each sheet has, in the sheets' order."""
    counts: dict[str, int] = {}
    for d in differences:
        counts[d.sheet] = counts.get(d.sheet, 0) + 1
    return counts
