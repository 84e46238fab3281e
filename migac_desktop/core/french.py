"""French alphabetical order, one key for every list and table of the application."""

from __future__ import annotations

import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae"})


def sort_key(text) -> str:
    """French reading order: accents, ligatures and case ignored (« Île-de-France »
    sorts under I, after « Haute-Normandie », not after « Rhône-Alpes »)."""
    value = "" if text is None else str(text)
    bare = unicodedata.normalize("NFKD", value.translate(_LIGATURES))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def sorted_french(names) -> list:
    """``names`` in French order; equal keys keep a fixed order (by the exact text)."""
    return sorted(names, key=lambda name: (sort_key(name), str(name)))
