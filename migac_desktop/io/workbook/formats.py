"""Number formats and column widths of the written workbook."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

EURO = '#,##0 "€"'
EURO_CENTS = '#,##0.00 "€"'
PERCENT = "0.0%"
RATE = "0.00%"          # θ, φ and the rooms' share of « Lissage plafonné »
ETP = "0.0#"
COUNT = "#,##0"
YEAR = "0"
TEXT = "@"

_INPUT_FORMATS = {
    ("CRRA", "departement"): TEXT, ("CRRA", "finess"): TEXT, ("CRRA", "drm"): COUNT,
    ("CRRA", "geo_coef"): PERCENT, ("CRRA", "historic"): EURO,
    ("CRRA", "etp_arm_override"): ETP, ("CRRA", "etp_mr_override"): ETP,
    ("Référentiel", "drm_min"): COUNT, ("Référentiel", "etp_arm"): ETP,
    ("Référentiel", "etp_mr"): ETP,
    ("Lissage", "year"): YEAR, ("Lissage", "share"): PERCENT,
    ("Enveloppes régionales", "year"): YEAR, ("Enveloppes régionales", "amount"): EURO,
}

# The Excel format of each display kind of the results' catalogue (core/schema.py).
_KIND_FORMATS = {"drm": COUNT, "etp": ETP, "euros": EURO, "signed_euros": EURO,
                 "percent": PERCENT, "signed_percent": PERCENT}

_WIDTHS = {EURO: 15, EURO_CENTS: 15, PERCENT: 10, RATE: 10, ETP: 9, COUNT: 11, YEAR: 8, TEXT: 12}

# Dates and durations of the kept extra columns and sheets, by their Python type.
_DATE_FORMATS = {datetime: "yyyy-mm-dd h:mm:ss", date: "yyyy-mm-dd", time: "h:mm:ss",
                 timedelta: "[h]:mm:ss"}

_FACTOR = "0.000000000"     # the calibration factor of « Calage national »


def _text_width(values: list, header: str, sample: int = 300) -> float:
    longest = len(header)
    for v in values[:sample]:
        if isinstance(v, str) and len(v) > longest:
            longest = len(v)
    return min(max(longest + 2, 8), 45)
