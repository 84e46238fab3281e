"""The limits on a workbook read, in one place (documented in the README, « Sécurité des données »).

======================================================  ============
file size on disk                                        100 Mo
entries in the ZIP archive                               5 000
size of the ZIP central directory                        2 Mo
declared uncompressed size, all entries                  1 Go
compression ratio of an entry larger than 1 Mo           200
uncompressed size of a sheet read or of the strings      50 Mo each
uncompressed size of the sheets read and the strings     100 Mo
uncompressed size of the stylesheet (streamed)           20 Mo
cell formats in the stylesheet                           65 000 (Excel's own limit: 64 000)
uncompressed size of any other part                      5 Mo (XML) / 50 Mo
uncompressed size of all other XML parts                 10 Mo
sheets in the workbook                                   200
rows holding data in a sheet read                        200 000
columns holding data in a sheet read                     256
cells in the sheets read                                 300 000
shared strings                                           150 000
cells holding inline text                                100 000
characters in a cell                                     32 767 (Excel's own limit)
XML DTD or entity declaration                            refused
======================================================  ============

The modules of the checks read these names from this module when they run
(``limits.MAX_CELLS``), never a copy: a limit set here, or through
:mod:`.safety`, applies at once. The bounds on cells and strings keep the
worst accepted file to a few seconds of reading.
"""

from __future__ import annotations

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

MAX_FILE_BYTES = 100 * MB
MAX_ENTRIES = 5_000
MAX_DIRECTORY_BYTES = 2 * MB
MAX_DECLARED_TOTAL = 1 * GB
MAX_RATIO = 200
RATIO_FLOOR = 1 * MB            # the ratio is only checked above this size
MAX_SHEET_BYTES = 50 * MB       # each sheet read, and the shared strings
MAX_READ_BYTES = 100 * MB       # the sheets read and the shared strings together
MAX_STYLES_BYTES = 20 * MB      # the stylesheet: streamed, only its number formats kept
MAX_CELL_FORMATS = 65_000       # cellXfs (Excel stops at 64 000)
MAX_XML_PART_BYTES = 5 * MB     # any other XML part (workbook, relations, drawings…)
MAX_XML_TOTAL = 10 * MB         # all those parts together
MAX_BINARY_PART_BYTES = 50 * MB  # images and other binary parts (never parsed)
MAX_SHEETS = 200
MAX_ROWS = 200_000
EXCEL_MAX_ROWS = 1_048_576
MAX_COLUMNS = 256
EXCEL_MAX_COLUMNS = 16_384      # an extra sheet may be that wide (it is only kept)
MAX_CELLS = 300_000
MAX_SLOTS = 5_000_000           # row width × rows as read, blanks included
MAX_SHARED_STRINGS = 150_000
MAX_INLINE_STRINGS = 100_000    # cells holding their text inline (four times slower to parse)
MAX_CELL_TEXT = 32_767
CHUNK = 1 * MB
PROLOG_BYTES = 64 * KB
