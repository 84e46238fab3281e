"""The writer: a scenario saved as a workbook (input sheets, kept extra sheets,
then the output sheets of :mod:`.result_sheets`), atomically."""

from __future__ import annotations

import errno
from pathlib import Path

from ...core import schema
from ...core.scenario import TABLES, Scenario
from ...core.validation import evaluate
from ...oserrors import write_error
from .. import safety
from ..atomic import TargetBusy, write_atomically
from .book import _Book, _legal_text, _SheetWriter
from .cells import _column_values, _plain
from .errors import WorkbookWriteError
from .formats import _INPUT_FORMATS, _WIDTHS, ETP, EURO, EURO_CENTS, PERCENT, YEAR, _text_width
from .print_setup import _wraps
from .result_sheets import _write_results


def _save_workbook(book: _Book, path: str) -> None:
    """The one step that writes the file; separate so tests can make it fail."""
    book.save(path)


def write_scenario(scenario: Scenario, path, results=None) -> None:
    """Write the input sheets, the kept extras and the results, atomically.

    The workbook goes to a temporary file beside the target, is flushed to
    disk, then renamed over it: a crash or a full disk never leaves a
    half-written scenario in place of a good one.
    """
    path = Path(path)
    name = path.name or str(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise WorkbookWriteError(
            f"Impossible d'enregistrer « {name} » : le dossier « {folder} » n'existe pas. "
            "Choisissez un dossier existant.")
    if path.is_dir():
        raise WorkbookWriteError(
            f"Impossible d'enregistrer « {name} » : c'est un dossier. Choisissez un nom de fichier.")
    try:
        book = _build_workbook(scenario, results)
    except Exception as exc:    # reported in French, nothing written yet
        raise write_error(name, folder, exc) from exc
    from . import _save_workbook as save  # the package's: tests replace it there
    try:
        write_atomically(path, lambda tmp: save(book, tmp),
                         prefix=f".~{path.stem}.", suffix=".xlsx")
    except BaseException as exc:
        book.discard()
        if isinstance(exc, TargetBusy):     # Windows: the file is open in Excel
            raise _locked_error(name, path) from exc
        if isinstance(exc, Exception):
            raise write_error(name, folder, exc) from exc
        raise


def _locked_error(name: str, path: Path) -> WorkbookWriteError:
    owner = safety.lock_owner(path)
    where = f"ouvert dans {owner.describe()}" if owner else (
        "ouvert dans un autre programme (Excel, LibreOffice…) ou protégé en écriture")
    err = WorkbookWriteError(
        f"Impossible d'enregistrer « {name} » : le fichier est {where}. Fermez-le dans ce "
        "programme puis enregistrez de nouveau, ou utilisez « Enregistrer sous… » pour choisir "
        "un autre nom. Le fichier précédent est intact.")
    err.errno = errno.EACCES
    return err


_INPUT_ORDER = (schema.PARAMETERS_SHEET, "Référentiel", "Lissage", "CRRA", "Enveloppes régionales")


def _build_workbook(scenario: Scenario, results) -> _Book:
    book = _Book()
    try:
        _fill_workbook(book, scenario, results)
    except BaseException:
        book.discard()
        raise
    return book


def _fill_workbook(book: _Book, scenario: Scenario, results) -> None:
    book.wb.properties.creator = "MIGAC Desktop"
    book.wb.properties.title = _legal_text(str(scenario.parameters.titre or "Scénario MIG SAMU"))
    book.print_title = book.wb.properties.title
    _write_parameters(book, scenario)
    for sheet in _INPUT_ORDER[1:]:
        _write_table(book, scenario, sheet, TABLES[sheet])
    for title, rows in scenario.extra_sheets.items():
        _SheetWriter(book, title).rows(list(rows))
    if results is None:
        results = evaluate(scenario)[1]
    _write_results(book, scenario, results)


def _write_parameters(book: _Book, scenario: Scenario) -> None:
    w = _SheetWriter(book, schema.PARAMETERS_SHEET)
    n_rows = len(schema.PARAMETERS) + len(scenario.extra_parameters)
    widths: list[float] = [26, 46, 50, 8]
    w.layout(list(schema.PARAMETER_HEADERS), [None] * 4, n_rows, widths=widths, autofilter=False)
    widest = max((len(r) for r in scenario.extra_parameters), default=4)
    w.dimension(max(widest, 4), n_rows + 1)
    w.header(list(schema.PARAMETER_HEADERS))
    params = scenario.parameters
    for spec in schema.PARAMETERS:
        value = _plain(getattr(params, spec.key))
        fmt = None
        if spec.kind == "integer":
            fmt = YEAR
        elif spec.kind == "number" and isinstance(value, (int, float)):
            if spec.unit.startswith("€"):
                fmt = EURO if float(value) == int(value) else EURO_CENTS
            elif spec.unit == "ETP":
                fmt = ETP
        elif spec.kind == "fraction" and isinstance(value, (int, float)):
            fmt = PERCENT
        w.columns([[spec.key], [spec.label], [value], [spec.unit or None]], [None, None, fmt, None],
                  wrap=[False, _wraps([spec.label], widths[1]), _wraps([value], widths[2]), False])
    w.rows(scenario.extra_parameters)


def _write_table(book: _Book, scenario: Scenario, sheet: str, table) -> None:
    frame = scenario.table(sheet)
    extra = scenario.extra_columns(sheet)
    headers = [c.header for c in table.columns] + [str(c) for c in extra]
    formats = [_INPUT_FORMATS.get((sheet, c.key)) for c in table.columns] + [None] * len(extra)
    columns = [_column_values(frame[c.key], c.numeric) for c in table.columns]
    columns += [_column_values(frame[c], False) for c in extra]
    widths = [_text_width(values, h) if fmt is None else _WIDTHS.get(fmt, 14)
              for values, h, fmt in zip(columns, headers, formats)]
    w = _SheetWriter(book, sheet)
    w.layout(headers, formats, len(frame), widths)
    w.header(headers)
    w.columns(columns, formats, wrap=[fmt is None and _wraps(values, width)
                                      for values, fmt, width in zip(columns, formats, w.widths)])
