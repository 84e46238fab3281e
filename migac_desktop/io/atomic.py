"""Atomic file writes: the scenario workbook, the CSV, the recovery copy, the PDF and
the desktop entry all go through :func:`write_atomically`.

The content goes to a temporary file beside the target, is flushed to disk, takes the
target's permissions, then is renamed over it: a crash, a full disk or a file held
open elsewhere never leaves half a file in place of a good one, and a failed write
removes its temporary file. Standard library only (the desktop entry is installed
before anything else is imported).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path

Content = bytes | Callable[[str], object]


class TargetBusy(PermissionError):
    """The new file is complete but cannot take the target's place (on Windows: the
    target is open in Excel, a sharing violation). The target is untouched."""


def write_atomically(path, content: Content, *, mode: int | None = None,
                     prefix: str | None = None, suffix: str = ".tmp") -> None:
    """Write ``content`` (bytes, or a function that writes the file whose path it is
    given) over ``path`` atomically.

    ``mode``: the permissions of the new file; by default those the target had, or
    the umask's for a new one. ``prefix``/``suffix`` name the temporary file, which is
    hidden (``.name.…tmp`` by default). Raises :class:`TargetBusy` when only the final
    rename was refused, and any other ``OSError`` (or the writer's exception) as it is.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=prefix or f".{path.name}.", suffix=suffix)
    try:
        if callable(content):
            os.close(fd)
            content(tmp)
            with open(tmp, "rb+") as fh:
                fh.flush()
                os.fsync(fh.fileno())
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                os.fsync(fh.fileno())
        try:
            os.chmod(tmp, target_mode(path) if mode is None else mode)
        except OSError:
            pass
        try:
            os.replace(tmp, path)
        except PermissionError as exc:
            raise TargetBusy(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
    _fsync_folder(folder)


def target_mode(target: Path) -> int:
    """mkstemp creates 0600 files: a file keeps the rights it had (or takes umask's)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder: Path) -> None:
    """The rename itself on disk (POSIX); a folder that cannot be synced is no error."""
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
