"""Loading sheets: which sheets a workbook holds, and their rows of values.

The file is checked (a regular file, a ZIP, within the limits of :mod:`..safety`)
before anything parses it; whatever goes wrong becomes a :class:`WorkbookError`
or a warning naming the sheet.
"""

from __future__ import annotations

import posixpath
import stat
import warnings
from pathlib import Path
from typing import NoReturn, cast

from ...core import schema
from ...core.numbers import format_number
from ...core.validation import WARNING, Problem
from ...oserrors import os_reason
from .. import limits as limits_config
from .. import safety
from ..headers import normalize_header
from .errors import WorkbookError, _fail, _not_xlsx

REQUIRED_SHEETS = (schema.PARAMETERS_SHEET, "Référentiel", "Lissage", "CRRA")
OPTIONAL_SHEETS = ("Enveloppes régionales",)
INPUT_SHEETS = REQUIRED_SHEETS + OPTIONAL_SHEETS
_SHEET_ORDER = {name: i for i, name in enumerate(INPUT_SHEETS)}


def defusedxml_active() -> bool:
    """True when openpyxl parses through defusedxml (no XML bombs from a shared file)."""
    import openpyxl.xml

    return bool(openpyxl.xml.DEFUSEDXML)


def _check_readable(path: Path) -> None:
    name = path.name or str(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        _fail(f"Le fichier « {name} » est introuvable : vérifiez son nom et son dossier.", name)
    except OSError as exc:
        _fail(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}).", name)
    if stat.S_ISDIR(st.st_mode):
        _fail(f"« {name} » est un dossier et non un fichier : choisissez un classeur .xlsx.", name)
    if not stat.S_ISREG(st.st_mode):
        # A FIFO would block the first read forever; a device never ends.
        _fail(f"« {name} » n'est pas un fichier ordinaire (tube nommé, périphérique ou prise de "
              "communication) : choisissez un classeur .xlsx enregistré sur un disque.", name)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as exc:
        _fail(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}) : "
              "vérifiez vos droits sur ce fichier.", name)
    if not head:
        _not_xlsx(name, "le fichier est vide")
    if not head.startswith(b"PK"):
        # Password-protected or .xls (OLE), CSV, HTML, PDF…: said by name.
        _fail(safety.not_a_workbook(path, name, head), name)


def _sheet_kind(title: str) -> tuple[str, str | None]:
    """("input", canonical name), ("output", None) or ("extra", None)."""
    norm = normalize_header(title)
    for name in INPUT_SHEETS:
        if normalize_header(name) == norm:
            return "input", name
    for name in schema.OUTPUT_SHEETS:
        if normalize_header(name) == norm:
            return "output", None
    return "extra", None


def _load_sheets(path: Path, workbook_part: str = "", dropped: dict[str, str] | None = None
                 ) -> tuple[dict[str, list[tuple]], dict[str, list[tuple]], list[Problem]]:
    """Input and extra sheets as rows of values, row 1 first, blank rows kept; and warnings.

    Only what a scenario needs is parsed (:mod:`.xlsx_reader`): no stylesheet
    but its date formats, no document properties, nothing after a sheet's cells.
    Whatever a parser meets in a damaged file means "not a readable workbook",
    said with the part at fault. An extra sheet that cannot be read within the
    limits is left out with a warning naming it: it is not kept on save.
    """
    import zipfile

    from .. import xlsx_reader as xr

    name = path.name
    notes: list[Problem] = []
    inputs: dict[str, list[tuple]] = {}
    extras: dict[str, list[tuple]] = {}
    try:
        with open(path, "rb") as fh, zipfile.ZipFile(fh) as archive:
            package = xr.Package(archive)
            part = package.find(workbook_part) or xr.workbook_part(package)
            if part is None:
                _no_workbook(name, archive.namelist())
            info = xr.read_workbook(package, part)
            strings = xr.read_strings(package, info.strings)
            dates, durations = xr.read_date_styles(package, info.styles, limits_config.MAX_CELL_FORMATS)
            limits = safety.ReadLimits()
            wanted: list[tuple[xr.SheetRef, str]] = []
            kept: list[xr.SheetRef] = []
            for ref in info.sheets:
                kind, canonical = _sheet_kind(ref.title)
                if kind == "output":
                    continue
                if ref.kind != "worksheet" or ref.part is None:
                    if kind == "extra" and ref.part is not None:
                        notes.append(_dropped_sheet(ref.title, "ce n'est pas une feuille de calcul "
                                                               "(feuille graphique ou de macros)"))
                    continue
                if kind == "input" and all(c != canonical for _, c in wanted):
                    wanted.append((ref, cast(str, canonical)))    # an input sheet has its name
                elif dropped and ref.title in dropped:
                    notes.append(_dropped_sheet(ref.title, dropped[ref.title]))
                else:
                    kept.append(ref)   # a second « crra » sheet is kept, not read
            # Cells and rows openpyxl cannot place or convert: said at their cell.
            with warnings.catch_warnings(), safety.checked_cells():
                warnings.simplefilter("ignore")
                for ref, canonical in wanted:
                    inputs[canonical] = limits.rows(ref.title, xr.sheet_rows(   # part checked above
                        package, cast(str, ref.part), strings, dates, durations, info.date1904))
                for ref in kept:        # after the input sheets: they have the limits first
                    try:
                        extras[ref.title] = limits.rows(ref.title, xr.sheet_rows(
                            package, cast(str, ref.part), strings, dates, durations, info.date1904),
                            optional=True)
                    except safety.SheetDropped as exc:
                        notes.append(_dropped_sheet(ref.title, exc.message, exc.row, exc.column))
    except (safety.UnsafeFile, WorkbookError):
        raise
    except PermissionError:
        _fail(f"Le fichier « {name} » ne peut pas être lu (accès refusé) : "
              "vérifiez vos droits sur ce fichier.", name)
    except xr.TooManyFormats as exc:
        _fail(safety._unsafe(name, f"la partie « {exc.part} » (les styles du classeur) déclare plus de "
                                   f"{format_number(exc.limit)} formats de cellule, plus qu'Excel n'en "
                                   "permet", "Enregistrez-le de nouveau depuis Excel ou LibreOffice après "
                                             "avoir supprimé les styles inutiles."), name)
    except xr.PartError as exc:
        _not_xlsx(name, f"le fichier est endommagé ou incomplet (la partie « {exc.part[:120]} » : "
                        f"{_describe(exc.cause)})")
    except Exception as exc:  # noqa: BLE001 - see docstring
        _not_xlsx(name, f"le fichier est endommagé ou incomplet ({_describe(exc)})")
    return inputs, extras, notes


def _no_workbook(name: str, members: list[str]) -> NoReturn:
    inner = sorted(m for m in members if m.lower().endswith((".xlsx", ".xlsm")))
    if inner:
        _fail(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : c'est une archive "
              f"ZIP qui contient le classeur « {posixpath.basename(inner[0])[:100]} ». Extrayez-le "
              "de l'archive (clic droit > Extraire tout…) puis ouvrez le fichier extrait.", name)
    _not_xlsx(name, "c'est une archive ZIP qui ne contient pas de classeur "
                    "(un document Word ou OpenDocument, par exemple)")


def _dropped_sheet(title: str, reason: str, row: int | None = None, column: str | None = None) -> Problem:
    """The warning for an extra sheet left out; the reason's first sentence only (its advice is a refusal's)."""
    reason = reason.split(". ", 1)[0].rstrip(".")
    return Problem(WARNING, "cette feuille ne sera pas conservée à l'enregistrement, car MIGAC Desktop ne "
                   f"la lit pas : {reason}. Si vous en avez besoin, copiez-la dans un autre classeur avant "
                   "d'enregistrer le scénario.", title, row, column)


def _describe(exc: BaseException) -> str:
    return safety.describe_error(exc)    # in French: the parser's English means nothing here
