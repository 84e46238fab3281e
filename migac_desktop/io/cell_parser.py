"""openpyxl's sheet parser, the one piece of openpyxl's internals the reader relies on, guarded.

The reader (:mod:`.xlsx_reader`) parses a sheet's rows itself but has each
row's cells converted by ``openpyxl.worksheet._reader.WorkSheetParser``
(numbers, shared and inline strings, booleans, dates under a date format):
:func:`new_parser` builds it, :func:`checked_cells` wraps its ``parse_row``
and ``parse_cell`` so that a cell it cannot place or convert is said where it
is. Nothing else of openpyxl's private modules is used; the public helpers the
reader uses besides (``styles.numbers``, ``utils.datetime``) are not patched.

``tests/test_openpyxl_canary.py`` checks the names, signatures and behaviour
relied on here: an openpyxl upgrade that changes them fails it loudly
(``pyproject.toml`` pins openpyxl below 3.2).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import IO, Any

from . import limits
from .refusals import PROVENANCE, count_text, describe_error
from .xlsx_reader import local

__all__ = ["BadCell", "checked_cells", "new_parser"]


def new_parser(fh: IO[bytes], strings: list[str], dates: set[int], durations: set[int],
               date1904: bool = False) -> Any:
    """openpyxl's parser of a sheet's cells: values only (``data_only``), dates under the workbook's epoch."""
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH
    from openpyxl.worksheet._reader import WorkSheetParser

    return WorkSheetParser(fh, strings, data_only=True, epoch=MAC_EPOCH if date1904 else WINDOWS_EPOCH,
                           date_formats=dates, timedelta_formats=durations)


class BadCell(Exception):
    """A cell or a row openpyxl cannot place or convert; said where, in French."""

    def __init__(self, message: str, row: int | None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column     # 1-based, or None for a whole row


_GUARD = threading.local()
_GUARD_LOCK = threading.Lock()
_TYPES = {"n": "nombre", "s": "texte partagé", "b": "valeur logique", "d": "date", "e": "erreur",
          "str": "texte", "inlineStr": "texte"}


@contextmanager
def checked_cells():
    """While the reader streams sheets in this thread: every cell placed and converted, or said.

    openpyxl's sheet parser raises the parser's English (``invalid literal for
    int()``, ``list index out of range``) for a cell it cannot convert, with no
    word of where; and in read-only mode it silently drops a row numbered at or
    before the previous one (rows out of order, a row repeated, a negative
    number) and lets a cell repeated in its row overwrite the first. Here each
    of these stops the reading with the cell or row where it happened
    (:class:`BadCell`, turned into a located problem by :class:`.read_limits.ReadLimits`).
    Other threads reading with openpyxl are not affected. If openpyxl ever
    renames these steps, reading goes on without the checks; the canary test
    of this module fails first.
    """
    _install_guard()
    previous = getattr(_GUARD, "active", False)
    _GUARD.active = True
    try:
        yield
    finally:
        _GUARD.active = previous


def _install_guard() -> None:
    from openpyxl.worksheet._reader import WorkSheetParser

    with _GUARD_LOCK:
        if getattr(WorkSheetParser, "_migac_checked", False):
            return
        parse_row = WorkSheetParser.__dict__.get("parse_row")
        parse_cell = WorkSheetParser.__dict__.get("parse_cell")
        if parse_row is None or parse_cell is None:
            return

        def checked_row(self, row):
            if not getattr(_GUARD, "active", False):
                return parse_row(self, row)
            before = self.row_counter
            r = row.get("r")
            if r is not None:
                number = _row_number(r)
                if number is None or number < 1:
                    raise BadCell(f"numéro de ligne « {r[:20]} » invalide dans le fichier (après la ligne "
                                  f"{before}) : le fichier n'a pas été produit par un tableur ou a été "
                                  "modifié. " + _REWRITE, before + 1 if before else None)
                if number > limits.EXCEL_MAX_ROWS:
                    raise BadCell(f"la feuille a une ligne numérotée au-delà du maximum d'Excel "
                                  f"({count_text(limits.EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un "
                                  "tableur. " + PROVENANCE, None)
                if number <= before:
                    what = "apparaît deux fois" if number == before else f"apparaît après la ligne {before}"
                    raise BadCell(f"la ligne {number} {what} dans le fichier : les lignes n'y sont pas "
                                  "dans l'ordre, et une partie des données serait perdue. " + _REWRITE,
                                  number)
            # Anything but a cell inside a row (an unknown element, an extension) would
            # become a phantom cell and shift the row's next cells.
            for child in [child for child in row if local(child.tag) != "c"]:
                row.remove(child)
            return parse_row(self, row)

        def checked_cell(self, element):
            if not getattr(_GUARD, "active", False):
                return parse_cell(self, element)
            before = self.col_counter
            try:
                cell = parse_cell(self, element)
            except Exception as exc:  # noqa: BLE001 - said in French at its cell
                raise _unreadable_cell(self.row_counter, before, element, exc) from None
            if cell["data_type"] == "e" and element.get("t", "n") == "n":
                # A number under a date format, outside the dates: openpyxl makes it #VALUE!.
                raw = next((c.text or "" for c in element if local(c.tag) == "v"), "")
                raise BadCell(f"cellule illisible : elle est au format date mais « {raw[:40]} » est hors "
                              "des dates possibles. Passez la cellule au format nombre (ou corrigez la "
                              "date) dans Excel ou LibreOffice, puis enregistrez le fichier de nouveau.",
                              self.row_counter, cell["column"])
            ref = element.get("r")
            if ref is not None:
                if cell["row"] != self.row_counter:
                    raise BadCell(f"la cellule « {ref[:20]} » est rangée dans la ligne {self.row_counter} "
                                  "du fichier : référence de cellule incohérente. " + _REWRITE,
                                  self.row_counter, before + 1)
                if cell["column"] <= before:
                    raise BadCell(f"la cellule « {ref[:20]} » apparaît deux fois ou dans le désordre dans "
                                  "sa ligne : une valeur en effacerait une autre. " + _REWRITE,
                                  self.row_counter, cell["column"])
            return cell

        checked_row.__wrapped__ = parse_row      # type: ignore[attr-defined]  # openpyxl's own,
        checked_cell.__wrapped__ = parse_cell    # type: ignore[attr-defined]  # for the canary
        WorkSheetParser.parse_row = checked_row
        WorkSheetParser.parse_cell = checked_cell
        WorkSheetParser._migac_checked = True


def _row_number(text: str) -> int | None:
    """A row's ``r``: ``12``, or ``12.0`` as some producers write it (openpyxl accepts it)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


_REWRITE = ("Ouvrez le fichier dans Excel ou LibreOffice, vérifiez cette ligne et enregistrez-le de "
            "nouveau au format .xlsx.")


def _unreadable_cell(row: int, before: int, element, exc: BaseException) -> BadCell:
    from openpyxl.utils.cell import coordinate_to_tuple

    ref = element.get("r")
    kind = element.get("t", "n")
    raw = next((child.text or "" for child in element if local(child.tag) == "v"), "")
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    column = before + 1
    if ref is not None:
        try:
            column = coordinate_to_tuple(ref)[1]
        except Exception:  # noqa: BLE001
            return BadCell(f"référence de cellule « {ref[:20]} » invalide : le fichier n'a pas été "
                           "produit par un tableur ou a été modifié. " + _REWRITE, row, column)
    if kind == "n":
        reason = f"« {shown} » n'est pas un nombre valide"
    elif kind == "s":
        reason = f"« {shown} » ne désigne aucun des textes du classeur (table des textes partagés)"
    elif kind == "b":
        reason = f"« {shown} » n'est pas une valeur logique valide (0 ou 1)"
    elif kind == "d":
        reason = f"« {shown} » n'est pas une date valide (forme attendue AAAA-MM-JJ)"
    else:
        reason = describe_error(exc)
    what = _TYPES.get(kind, f"« {kind[:20]} »")
    return BadCell(f"cellule illisible (de type {what}) : {reason}. Ouvrez le fichier dans Excel ou "
                   "LibreOffice, ressaisissez cette cellule et enregistrez-le de nouveau.", row, column)


