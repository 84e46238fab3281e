"""Lock files of the programs that may hold a scenario open, so that the window warns before saving over them.

Excel writes ``~$name.xlsx``, LibreOffice ``.~lock.name.xlsx#``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FileLock", "lock_owner"]


@dataclass(frozen=True)
class FileLock:
    """Another program holds the file open (or crashed while it did)."""

    program: str            # « Excel » or « LibreOffice »
    user: str | None
    lock_path: Path

    def describe(self) -> str:
        return f"{self.program} (par {self.user})" if self.user else self.program


def lock_owner(path) -> FileLock | None:
    """The program whose lock file sits beside ``path``, or None.

    LibreOffice writes ``.~lock.NAME#`` holding ``Nom complet,utilisateur,
    machine,date,profil;``; Excel writes ``~$NAME`` holding the user's name
    after a length byte. Both stay behind after a crash: the window asks,
    it does not refuse.
    """
    path = Path(path)
    folder, name = path.parent, path.name
    office = folder / f".~lock.{name}#"
    try:
        if office.is_file():
            return FileLock("LibreOffice", _libreoffice_user(office), office)
        excel = folder / f"~${name}"
        if excel.is_file():
            return FileLock("Excel", _excel_user(excel), excel)
    except OSError:
        return None
    return None


def _libreoffice_user(lock: Path) -> str | None:
    try:
        text = lock.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return None
    fields, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",;":
            fields.append("".join(current).strip())
            current = []
            if ch == ";":
                break
        else:
            current.append(ch)
    for value in fields[:2]:
        if value and value.isprintable():
            return value
    return None


def _excel_user(lock: Path) -> str | None:
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return None
    if len(data) < 2:
        return None
    n = data[0]
    if 0 < n < 54 and len(data) > n:
        user = data[1:1 + n].decode("cp1252", "replace").strip()
        if user and user.isprintable():
            return user
    return None
