"""French text, written once: alphabetical order, plural counts, numbers with the
fewest decimals, file sizes and dates, for the window, the report and the command line."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime

from .numbers import format_number

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre")

KB = 1024
MB = 1024 * KB
GB = 1024 * MB


def strip_accents(text: str) -> str:
    """``Île-de-France`` → ``Ile-de-France``: the letters without their accents."""
    bare = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in bare if not unicodedata.combining(ch))


def sort_key(text) -> str:
    """French reading order: accents, ligatures and case ignored (« Île-de-France »
    sorts under I, after « Haute-Normandie », not after « Rhône-Alpes »)."""
    value = "" if text is None else str(text)
    return strip_accents(value.translate(_LIGATURES)).casefold()


def order_key(text) -> tuple[str, str]:
    """:func:`sort_key`, then the exact text: equal keys keep a fixed order."""
    return sort_key(text), str(text)


def sorted_french(names) -> list:
    """``names`` in French order; equal keys keep a fixed order (by the exact text)."""
    return sorted(names, key=order_key)


def plural(n: float, singular: str, plural_form: str | None = None) -> str:
    """``0 erreur``, ``1 région``, ``10 000 CRRA``: French grouping, and the singular
    below two (French, unlike English, says « 0 erreur »)."""
    word = singular if abs(n) < 2 else (plural_form or singular + "s")
    return f"{format_number(float(n))} {word}"


def fewest_decimals(value: float, most: int = 2) -> str:
    """The value to ``most`` decimals, trailing zeros dropped: ``12``, ``12,5``, ``1,25``."""
    text = format_number(value, most)
    return text.rstrip("0").rstrip(",") if most else text


def file_size(n: int) -> str:
    """French size: ``1,5 Mo``, ``820 ko``, ``3,2 Go``."""
    if n >= GB:
        return f"{format_number(n / GB, 1)} Go"
    if n >= MB:
        return f"{format_number(n / MB, 1)} Mo"
    return f"{format_number(max(n / KB, 1), 0)} ko"


def long_date(day: date) -> str:
    """``date(2014, 3, 1)`` → ``1er mars 2014``."""
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def date_time(moment: datetime) -> str:
    """``01/03/2014 à 09:05``: a moment, as a French window shows it."""
    return moment.strftime("%d/%m/%Y à %H:%M")
