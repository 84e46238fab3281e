"""Canary: the openpyxl internals the reader relies on (io/cell_parser.py) are still what it expects.

The reader converts cells through openpyxl's private ``WorkSheetParser`` and
wraps its ``parse_row`` and ``parse_cell`` to say where a cell is unreadable.
If openpyxl renames or reshapes them, the reading would go on without those
checks; these tests fail first, loudly, naming what changed.
"""

from __future__ import annotations

import inspect
import io
import zipfile
from datetime import datetime, timedelta
from xml.etree.ElementTree import fromstring

import pytest

from migac_desktop.io import cell_parser, xlsx_reader
from migac_desktop.io.cell_parser import BadCell, checked_cells, new_parser

MAIN = xlsx_reader.MAIN_NS


def _parameters(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_openpyxl_version_is_the_one_pinned():
    import openpyxl

    major, minor = (int(part) for part in openpyxl.__version__.split(".")[:2])
    assert (major, minor) == (3, 1), \
        f"openpyxl {openpyxl.__version__}: relire io/cell_parser.py avant de relever la borne"


def test_worksheet_parser_names_and_signatures():
    from openpyxl.worksheet._reader import WorkSheetParser

    init = _parameters(WorkSheetParser.__init__)
    assert init[:7] == ["self", "src", "shared_strings", "data_only", "epoch", "date_formats", "timedelta_formats"]
    # The guard replaces the methods the class itself defines, nothing inherited.
    assert "parse_row" in WorkSheetParser.__dict__ and "parse_cell" in WorkSheetParser.__dict__
    # Once guarded, the signatures are still openpyxl's own (``__wrapped__``).
    assert _parameters(WorkSheetParser.parse_row) == ["self", "row"]
    assert _parameters(WorkSheetParser.parse_cell) == ["self", "element"]


def test_public_helpers_used_by_the_reader():
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

    assert (WINDOWS_EPOCH, MAC_EPOCH) == (datetime(1899, 12, 30), datetime(1904, 1, 1))
    assert BUILTIN_FORMATS[14] == "mm-dd-yy" and is_date_format(BUILTIN_FORMATS[14])
    assert is_timedelta_format("[h]:mm:ss") and not is_timedelta_format("0.00")
    assert coordinate_to_tuple("C12") == (12, 3)


def test_parse_row_returns_the_row_and_its_cells_as_the_guard_reads_them():
    parser = new_parser(io.BytesIO(b""), ["CRRA"], set(), set())
    row = fromstring(f'<row xmlns="{MAIN}" r="4"><c r="A4" t="s"><v>0</v></c><c><v>7</v></c></row>')
    index, cells = parser.parse_row(row)
    assert index == 4
    assert [(c["row"], c["column"], c["value"], c["data_type"]) for c in cells] == [(4, 1, "CRRA", "s"), (4, 2, 7, "n")]
    # The counters the guard compares against.
    assert (parser.row_counter, parser.col_counter) == (4, 2)


def _package(sheet: str) -> xlsx_reader.Package:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{sheet}</sheetData></worksheet>')
    return xlsx_reader.Package(zipfile.ZipFile(buffer))


def _rows(sheet: str, date1904: bool = False) -> list[tuple]:
    package = _package(sheet)
    with checked_cells():
        return list(xlsx_reader.sheet_rows(package, "xl/worksheets/sheet1.xml", ["CRRA Lyon"], {1, 2}, {2},
                                           date1904))


def test_a_tiny_sheet_reads_to_the_expected_cells():
    rows = _rows('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>2.5</v></c><c r="C1" t="b"><v>1</v></c>'
                 '<c r="D1" t="inlineStr"><is><t>en ligne</t></is></c></row>'
                 '<row r="3"><c r="A3" s="1"><v>45000</v></c><c r="B3" s="2"><v>0.5</v></c>'
                 '<c r="C3"><f>1+1</f><v>2</v></c><c r="D3" t="str"><f>"a"</f><v>a</v></c>'
                 '<c r="E3" t="e"><v>#DIV/0!</v></c><c r="G3"><v>-3</v></c></row>')
    assert rows == [("CRRA Lyon", 2.5, True, "en ligne"), (),
                    (datetime(2023, 3, 15), timedelta(hours=12), 2, "a", "#DIV/0!", None, -3)]
    assert _rows('<row r="1"><c r="A1" s="1"><v>1</v></c></row>', date1904=True) == [(datetime(1904, 1, 2),)]


@pytest.mark.parametrize("sheet, row, column, words", [
    ('<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>2</v></c></row>', 1, None,
     "apparaît après la ligne 2"),
    ('<row r="1"><c r="B1"><v>1</v></c><c r="B1"><v>2</v></c></row>', 1, 2, "apparaît deux fois"),
    ('<row r="1"><c r="A1"><v>douze</v></c></row>', 1, 1, "« douze » n'est pas un nombre valide"),
    ('<row r="1"><c r="A1" t="s"><v>9</v></c></row>', 1, 1, "ne désigne aucun des textes"),
])
def test_the_guard_says_where_a_cell_is_unreadable(sheet, row, column, words):
    with pytest.raises(BadCell) as caught:
        _rows(sheet)
    assert (caught.value.row, caught.value.column) == (row, column)
    assert words in caught.value.message


def test_the_guard_is_installed_and_only_active_inside_checked_cells():
    from openpyxl.worksheet._reader import WorkSheetParser

    _rows('<row r="1"><c r="A1"><v>1</v></c></row>')
    assert WorkSheetParser._migac_checked is True
    assert WorkSheetParser.parse_row.__name__ == "checked_row"
    assert WorkSheetParser.parse_cell.__name__ == "checked_cell"
    # Outside the context, openpyxl's own behaviour: the repeated cell overwrites, nothing raised.
    package = _package('<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>')
    assert list(xlsx_reader.sheet_rows(package, "xl/worksheets/sheet1.xml", [], set(), set())) == [(2,)]
    assert not getattr(cell_parser._GUARD, "active", False)
