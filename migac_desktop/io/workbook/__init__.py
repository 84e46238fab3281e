"""The scenario workbook of WORKBOOK.md: read, validate, write.

:mod:`.sheets` loads the sheets of a file, :mod:`.cells` converts cells, :mod:`.reader`
turns them into a scenario and located problems; :mod:`.writer` saves a scenario
atomically, its output sheets from :mod:`.result_sheets`, assembled by :mod:`.book`
with the number formats of :mod:`.formats` and the print setup of :mod:`.print_setup`.
:mod:`.errors` holds what they raise.

openpyxl is imported inside the functions that use it: start-up does not pay for it.
"""

from __future__ import annotations

import os  # noqa: F401 - tests make saving fail through ``workbook.os``

from .errors import WorkbookError, WorkbookWriteError
from .print_setup import _line_count  # noqa: F401 - tested on its own
from .reader import Loaded, open_scenario, read_scenario
from .result_sheets import NO_RESULTS_NOTE, result_sheet_headers
from .sheets import INPUT_SHEETS, OPTIONAL_SHEETS, REQUIRED_SHEETS, defusedxml_active
from .writer import _save_workbook, write_scenario  # noqa: F401 - tests replace _save_workbook here

__all__ = [
    "INPUT_SHEETS", "NO_RESULTS_NOTE", "OPTIONAL_SHEETS", "REQUIRED_SHEETS", "Loaded",
    "WorkbookError", "WorkbookWriteError", "defusedxml_active", "open_scenario",
    "read_scenario", "result_sheet_headers", "write_scenario",
]
