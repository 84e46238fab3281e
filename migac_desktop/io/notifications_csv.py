"""``DIR/notifications.csv`` of ``migac notify`` (WORKBOOK.md): the hospitals notified.

The columns and the format of ``establishments.csv`` (:mod:`.csv_export`: full
precision, ``.`` as decimal mark, formula-looking text neutralised, ``remaining_gap``
last with « Plafonné »), one row per hospital notified, in the order of
``establishments.csv``; written atomically.
"""

from __future__ import annotations

import os
from pathlib import Path

from .csv_export import ESTABLISHMENT_COLUMNS, alloc_columns, format_columns, write_columns

FILE_NAME = "notifications.csv"


def notification_columns(results) -> list[str]:
    return list(ESTABLISHMENT_COLUMNS) + alloc_columns(results.years) + list(results.extra_keys)


def write_notifications_csv(results, establishments, out_dir: str | os.PathLike) -> Path:
    """Write ``out_dir/notifications.csv`` with the rows of ``establishments`` (a subset
    of ``results.establishments``). Raises ``OSError`` naming the file."""
    path = Path(out_dir) / FILE_NAME
    columns = notification_columns(results)
    data = {c: establishments[c].to_numpy() for c in columns}
    try:
        write_columns(path, columns, format_columns(data, columns))
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    return path
