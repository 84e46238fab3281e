"""Bounds on the rows a sheet yields while it is read, after the pre-flight checks of :mod:`.archive`."""

from __future__ import annotations

from collections.abc import Iterable

from . import limits
from .cell_parser import BadCell
from .headers import column_letter
from .refusals import PROVENANCE, SheetDropped, UnsafeFile, count_text, describe_error, refuse

__all__ = ["ReadLimits"]


class ReadLimits:
    """Bounds on the rows a sheet yields, sheet by sheet, for one workbook.

    Checked while streaming, before anything is kept: a row past
    ``MAX_ROWS`` or a column past ``MAX_COLUMNS`` that holds a value, a cell
    longer than Excel allows, too many cells in all. Blank rows and columns
    past the limits (a whole sheet formatted down to row 1 048 576) are
    dropped, not refused. An error of the parser on a sheet is reported at the
    row where it happened. An ``optional`` sheet (an extra sheet, only kept)
    may be as wide as Excel allows; whatever would refuse it raises
    :class:`SheetDropped` instead, and its cells are not counted.
    """

    def __init__(self):
        self.slots = 0

    def rows(self, title: str, iterator: Iterable[tuple], optional: bool = False) -> list[tuple]:
        slots_before = self.slots

        def stop(message, row=None, column=None):
            if optional:
                raise SheetDropped(message, row, column)
            refuse(message, title, row, column)

        try:
            return self._rows(iterator, stop, limits.EXCEL_MAX_COLUMNS if optional else limits.MAX_COLUMNS)
        except SheetDropped:
            self.slots = slots_before
            raise

    def _rows(self, iterator: Iterable[tuple], stop, max_columns: int) -> list[tuple]:
        out: list[tuple] = []
        append = out.append
        index = 0
        max_rows, max_slots, max_text = limits.MAX_ROWS, limits.MAX_SLOTS, limits.MAX_CELL_TEXT
        it = iter(iterator)
        try:
            for index, row in enumerate(it, start=1):
                width = len(row)
                if width > max_columns:
                    extra = row[max_columns:]
                    if extra.count(None) != len(extra):
                        column = max_columns + next(i for i, v in enumerate(extra) if v is not None)
                        stop(f"une valeur se trouve en colonne {column_letter(column)} : MIGAC Desktop "
                             f"lit au plus {max_columns} colonnes (jusqu'à {column_letter(max_columns - 1)}). "
                             "Supprimez les colonnes inutiles ou déplacez-les dans un autre "
                             "classeur.", index)
                    row = row[:max_columns]
                    width = max_columns
                if index > max_rows:
                    if index > limits.EXCEL_MAX_ROWS:
                        stop(f"la feuille a une ligne numérotée au-delà du maximum d'Excel "
                             f"({count_text(limits.EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un "
                             "tableur. " + PROVENANCE)
                    if width and row.count(None) != width:
                        stop(f"la feuille a des données au-delà de la ligne {count_text(max_rows)} : "
                             f"MIGAC Desktop lit au plus {count_text(max_rows)} lignes par feuille. Un "
                             "scénario MIG SAMU est bien plus petit : vérifiez que c'est le bon "
                             "fichier, ou supprimez les lignes inutiles.", index)
                    continue   # blank rows past the limit (formatting down the sheet): dropped
                self.slots += width
                if self.slots > max_slots:
                    stop(f"les feuilles lues comptent plus de {count_text(max_slots)} cases (lignes × "
                         "colonnes) : supprimez les lignes et colonnes inutiles.", index)
                for i, value in enumerate(row):
                    if value.__class__ is str and len(value) > max_text:
                        stop(f"la cellule contient un texte de {count_text(len(value))} caractères ; "
                             f"un tableur en accepte au plus {count_text(max_text)} : raccourcissez-le.",
                             index, column_letter(i))
                append(row)
        except (UnsafeFile, SheetDropped):
            raise
        except MemoryError:
            raise
        except BadCell as bad:
            stop(bad.message, bad.row, None if bad.column is None else column_letter(bad.column - 1))
        except Exception as exc:  # noqa: BLE001 - whatever the parser met in the sheet
            stop(f"contenu illisible à partir de cette ligne ({describe_error(exc)}) : ouvrez le "
                 "fichier dans Excel ou LibreOffice, corrigez la cellule et enregistrez-le de "
                 "nouveau.", index + 1)
        return out


