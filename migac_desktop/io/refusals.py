"""How a refused file is said: the exceptions of the checks and their French phrasing.

A refusal names the file, says what is wrong and what to do; a parser's
exception is said in French (:func:`describe_error`), its English would mean
nothing to a user.
"""

from __future__ import annotations

import re
from typing import NoReturn

from ..core.numbers import format_number
from ..core.validation import ERROR, Problem

SAVE_AS_XLSX = "Enregistrez-le au format .xlsx depuis Excel ou LibreOffice."
PROVENANCE = ("Ce n'est pas un classeur ordinaire : ne l'ouvrez pas ailleurs non plus et "
              "vérifiez sa provenance.")


class UnsafeFile(Exception):
    """The file is refused; ``problems`` says why and where, in French."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class OverLimit(UnsafeFile):
    """A sheet passes a size or count limit: refused for an input sheet, dropped for an extra one."""


class SheetDropped(Exception):
    """An extra sheet cannot be read within the limits: not kept, said as a warning."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


def refuse(message: str, sheet: str | None = None, row: int | None = None,
           column: str | None = None) -> NoReturn:
    raise UnsafeFile([Problem(ERROR, message, sheet, row, column)])


def over(message: str, sheet: str | None = None, row: int | None = None) -> NoReturn:
    raise OverLimit([Problem(ERROR, message, sheet, row)])


def count_text(n: int) -> str:
    return format_number(n, 0)


def damaged(name: str, detail: str) -> str:
    return (f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : le fichier est "
            f"endommagé ou incomplet ({detail}). Reprenez une copie intacte (sauvegarde, message "
            "d'origine) ou, s'il s'ouvre dans Excel ou LibreOffice, enregistrez-le de nouveau "
            "au format .xlsx.")


def unsafe(name: str, reason: str, advice: str = PROVENANCE) -> str:
    return f"Le fichier « {name} » est refusé par sécurité : {reason}. {advice}"


_EXPLANATIONS = (
    # (exception type name, words of its English message, French explanation)
    ("BadZipFile", "Bad CRC-32", "somme de contrôle incorrecte : le contenu ne correspond pas "
                                 "à ce qu'annonce l'archive"),
    ("BadZipFile", "differ", "en-têtes de l'archive incohérents"),
    ("BadZipFile", "Bad magic number", "en-tête de partie introuvable"),
    ("BadZipFile", "Truncated", "archive tronquée"),
    ("BadZipFile", "not a zip file", "ce n'est pas une archive ZIP valide"),
    ("BadZipFile", "Overlapped", "parties de l'archive qui se chevauchent"),
    ("BadZipFile", "", "archive ZIP invalide"),
    ("error", "decompressing", "données compressées invalides"),
    ("EOFError", "", "fin des données compressées prématurée"),
    ("ParseError", "", "XML invalide"),
    ("DTDForbidden", "", "déclaration de DTD ou d'entités XML, refusée par sécurité"),
    ("EntitiesForbidden", "", "déclaration d'entités XML, refusée par sécurité"),
    ("ExpatError", "", "XML invalide"),
    ("UnicodeDecodeError", "", "texte mal encodé"),
    ("NotImplementedError", "", "format de compression non pris en charge"),
    ("OverflowError", "", "nombre ou date hors limites"),
    ("KeyError", "", "partie attendue absente"),
    ("LookupError", "", "encodage de caractères inconnu"),
    ("OSError", "no valid workbook part", "aucune partie n'y est déclarée comme classeur"),
    ("MemoryError", "", "mémoire insuffisante"),
    ("RecursionError", "", "éléments XML imbriqués trop profondément"),
)


def describe_error(exc: BaseException) -> str:
    """The French reason of a parser's exception (its English text would mean nothing)."""
    kind = type(exc).__name__
    text = str(exc)
    if isinstance(exc, ValueError) and "could not convert string to float" in text:
        value = text.split(":", 1)[-1].strip().strip("'\"")
        return f"« {value[:60]} » n'est pas un nombre valide pour ce type de cellule"
    for name, words, french in _EXPLANATIONS:
        if kind == name and words in text:
            detail = ""
            if kind in ("ParseError", "ExpatError") and "line" in text:
                where = re.search(r"line (\d+), column (\d+)", text)
                if where:
                    detail = f", ligne {where.group(1)} colonne {where.group(2)} du XML"
            return french + detail
    # Whatever else a parser met (AttributeError, IndexError…): its English means nothing here.
    return "structure interne incohérente"
