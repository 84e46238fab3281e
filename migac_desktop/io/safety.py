"""Data safety: every file is possibly broken or hostile. The one door to the checks, without Qt.

* **Pre-flight checks** on a workbook before any part is parsed
  (:func:`not_a_workbook`, :func:`check_file`) and bounds while its sheets are
  read (:class:`ReadLimits`, :func:`checked_cells`). A file is refused with a
  French message that says where and what to do, quickly and within bounded
  memory, when it is not a workbook at all (CSV, HTML, PDF, old ``.xls``,
  password-protected workbook, OpenDocument…), when it is a damaged ZIP, a zip
  bomb, or declares XML entities, or when its sheets are far larger than any
  scenario.
* **Lock files** of the programs that may hold a scenario open
  (:func:`lock_owner`), so that the window warns before saving over them.

Each job has its module: :mod:`.limits` (the numbers, documented in the
README, « Sécurité des données »), :mod:`.refusals` (the exceptions and their
French), :mod:`.sniff` (what a file is), :mod:`.archive` (the ZIP inspector),
:mod:`.xml_scan` (prologs and tag counts), :mod:`.cell_parser` (openpyxl's
cell parser, guarded), :mod:`.read_limits` and :mod:`.file_lock`.

The limits are read and set here as well (``safety.MAX_CELLS``): this module
hands them to and from :mod:`.limits`, the one place the checks read them,
so that setting one here (a test, a modeller's script) applies everywhere.

The reader (:mod:`.xlsx_reader`) parses every part with DTDs forbidden: a
second line of defence behind the DTD refusal of the pre-flight checks.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path  # noqa: F401 - the checks' Path, for tests that simulate a failing disk

from . import limits
from .archive import Plan, check_file
from .cell_parser import checked_cells
from .file_lock import FileLock, lock_owner
from .read_limits import ReadLimits
from .refusals import SheetDropped, UnsafeFile, describe_error
from .refusals import unsafe as _unsafe  # noqa: F401 - the reader's refusal of an oversized stylesheet
from .sniff import not_a_workbook

__all__ = [
    "FileLock", "Plan", "ReadLimits", "SheetDropped", "UnsafeFile", "check_file", "checked_cells", "describe_error",
    "lock_owner", "not_a_workbook",
]

def _limit(name: str) -> property:
    """``safety.NAME`` as ``limits.NAME``, read and written."""
    return property(lambda module: getattr(limits, name), lambda module, value: setattr(limits, name, value),
                    doc=f"limits.{name}")


class _Facade(types.ModuleType):
    """This module, whose limits are those of :mod:`.limits`."""


for _name in vars(limits).copy():
    if _name.isupper():
        setattr(_Facade, _name, _limit(_name))
del _name

sys.modules[__name__].__class__ = _Facade
