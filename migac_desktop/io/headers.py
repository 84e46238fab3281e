"""Tolerant matching of workbook headers and sheet names.

People retype headers by hand: ``'  drm '``, ``DOTATION HISTORIQUE``,
``Coefficient geographique``, ``Libelle`` or a curly apostrophe. All of these
must find their column, so headers and sheet names are compared through one
normal form.
"""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_SPACES_RE = re.compile(r"\s+")


def normalize_header(text: object) -> str:
    """Normal form of a header: no accents, lower case, one space, straight apostrophe.

    ``None`` and non-text cells give their ``str`` (``None`` → ``""``) so that
    a header typed as a number still compares.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    decomposed = unicodedata.normalize("NFKD", text)
    # Accents go, and so do invisible format characters pasted with a name (zero-width
    # space, soft hyphen, direction marks): « C\u200bRRA » is the CRRA sheet.
    stripped = "".join(ch for ch in decomposed
                       if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")
    stripped = stripped.translate(_APOSTROPHES)
    return _SPACES_RE.sub(" ", stripped).strip().casefold()


def same_header(a: object, b: object) -> bool:
    return normalize_header(a) == normalize_header(b)


def column_letter(index: int) -> str:
    """Spreadsheet column letter of a 0-based index: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
