"""French number parsing and formatting, in one place.

Every number a user types or reads goes through here, so the editor, the
workbook reader and the reports agree on one locale: ``1 234 567 €``,
``7,0 %``, and ``1234,5`` or ``1234.5`` accepted on input. Never ``float(text)``
on user text elsewhere.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, time

NBSP = "\u00a0"
_SPACES = " \u00a0\u202f\u2009\t'’"
_EXCEL_ERRORS = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!",
                 "#GETTING_DATA", "#SPILL!", "#CALC!")


class NumberError(ValueError):
    """A value that is not a number, with the reason in French."""


# What a field of each unit wants, said when a value comes in another unit.
_EXPECTED = {"%": "un pourcentage", "€": "un montant en euros", "E": "un nombre d'ETP",
             "D": "un nombre de DRM"}


def is_excel_error(value: object) -> bool:
    return isinstance(value, str) and value.strip().upper() in _EXCEL_ERRORS


def parse_number(value: object, unit: str | None = None) -> float:
    """Return a float from a cell value or typed text; ``nan`` for empty.

    A text ending in ``%`` is divided by 100 (``"20 %"`` → 0.2): fractions are
    typed either way. With the ``unit`` of the field (schema units: ``"%"``,
    ``"€"``, ``"€/DRM"``, ``"ETP"``…), a text in another unit is refused rather
    than misread: ``12,5 %`` is not 0,125 € and ``45 000 €`` is not a share.
    Raises :class:`NumberError` with a French reason otherwise.
    """
    if value is None:
        return math.nan
    if isinstance(value, bool):
        raise NumberError("une valeur logique (VRAI/FAUX) n'est pas un nombre")
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isinf(number):
            raise NumberError("la valeur est infinie")
        return number
    if isinstance(value, (datetime, date, time)):
        raise NumberError("une date n'est pas un nombre")
    if not isinstance(value, str):
        raise NumberError(f"valeur de type inattendu ({type(value).__name__})")
    text = value.strip()
    if not text:
        return math.nan
    if is_excel_error(text):
        raise NumberError(f"la cellule contient l'erreur Excel {text.upper()}")
    is_percent = False
    if text.endswith("%"):
        is_percent = True
        text = text[:-1]
        if unit is not None and unit != "%":
            raise NumberError(f"« {value.strip()} » est un pourcentage, pas "
                              + _EXPECTED.get(unit[:1], "un nombre"))
    elif text.endswith("€") or text.lower().endswith("eur"):
        text = text[:-1] if text.endswith("€") else text[:-3]
        if unit is not None and not unit.startswith("€"):
            raise NumberError(f"« {value.strip()} » est un montant en euros, pas "
                              + _EXPECTED.get(unit[:1], "un nombre"))
    for ch in _SPACES:
        text = text.replace(ch, "")
    text = text.replace("\u2212", "-")  # typographic minus
    if not (_NUMBER_RE.match(text) or _GROUPED_RE.match(text)):
        raise NumberError(f"« {value.strip()} » n'est pas un nombre")
    commas, dots = text.count(","), text.count(".")
    if commas and dots:
        # "1,234.5" (English) or "1.234,5" (French): the last mark is decimal.
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif commas > 1 or dots > 1:
        text = text.replace(",", "").replace(".", "")
    else:
        text = text.replace(",", ".")
    number = float(text)
    if math.isinf(number):
        raise NumberError(f"« {value.strip()} » est hors limites")
    return number / 100.0 if is_percent else number


_NUMBER_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}([.,]\d{3})+([.,]\d+)?$")


def _group(digits: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.append(digits[-3:])
        digits = digits[:-3]
    parts.append(digits)
    return NBSP.join(reversed(parts))


def format_number(value: float | None, decimals: int = 0) -> str:
    """``1234567.8`` → ``1 234 568`` (no-break spaces, decimal comma)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = f"{abs(value):.{decimals}f}"
    whole, _, frac = text.partition(".")
    sign = "−" if value < 0 and float(text) != 0 else ""
    out = sign + _group(whole)
    if decimals:
        out += "," + frac
    return out


def format_euros(value: float | None, decimals: int = 0) -> str:
    text = format_number(value, decimals)
    return f"{text}{NBSP}€" if text else ""


def format_percent(fraction: float | None, decimals: int = 1) -> str:
    """``0.07`` → ``7,0 %``."""
    if fraction is None or (isinstance(fraction, float) and math.isnan(fraction)):
        return ""
    return f"{format_number(fraction * 100.0, decimals)}{NBSP}%"


def format_signed_euros(value: float | None) -> str:
    text = format_euros(value)
    if text and value is not None and round(value) > 0:
        return "+" + text
    return text


def format_signed_percent(fraction: float | None, decimals: int = 1) -> str:
    text = format_percent(fraction, decimals)
    if text and fraction is not None and round(fraction * 100, decimals) > 0:
        return "+" + text
    return text
