"""Autosave and recovery, without Qt: a crash never costs more than a minute of work.

While a scenario has unsaved changes, the window (``ui/recovery.py``) writes a copy
of it, every minute by default, into a recovery folder of the user's data directory:

``<session>.xlsx``   the scenario, written like any scenario (atomic: temporary file,
                     fsync, one rename), so a copy is always complete;
``<session>.json``   a small sidecar: original path, display name, title, time, process;
``<session>.lock``   held, with an operating-system lock, by the process that owns the
                     copy for as long as it runs.

The operating system releases the lock when the process ends, however it ends (crash,
``kill -9``, session closed): at the next start, a copy whose lock is free is an
orphan, and only orphans are offered for recovery. Two windows running at once never
offer each other's copies, and a process id reused after a reboot fools nobody. Where
locks are not available (some network folders), the process id and host name decide.

After a normal save or close the copy is removed. Offering an orphan claims its lock,
so that two programs starting together do not both offer it.
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import socket
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from .. import __version__
from .atomic import write_atomically

__all__ = ["Recovery", "RecoverySession", "RecoveryStore"]

FORMAT = 1
_WOULD_BLOCK = {errno.EAGAIN, errno.EACCES, getattr(errno, "EWOULDBLOCK", errno.EAGAIN)}


class _Lock:
    """An exclusive, non-blocking lock on a file; the OS drops it when the process dies."""

    def __init__(self, path: Path):
        self.path = path
        self.fh: BinaryIO | None = None

    @property
    def held(self) -> bool:
        return self.fh is not None

    def acquire(self) -> bool | None:
        """True if acquired, False if another process holds it, None if locks are unsupported."""
        try:
            fh = open(self.path, "a+b")
        except OSError:
            return None
        try:
            if os.name == "nt":
                import msvcrt

                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            else:
                import fcntl

                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            fh.close()
            return False if exc.errno in _WOULD_BLOCK else None
        self.fh = fh
        return True

    def release(self, delete: bool = False) -> None:
        fh, self.fh = self.fh, None
        if fh is not None:
            if delete and os.name != "nt":
                _remove(self.path)          # before unlocking: nobody grabs a dead file
            try:
                if os.name == "nt":
                    import msvcrt

                    fh.seek(0)
                    msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                pass
            fh.close()
        if delete:
            _remove(self.path)


def _remove(path: Path) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


def _alive(pid: int) -> bool:
    """Whether a process of this id runs on this machine (when locks cannot tell)."""
    if pid <= 0:
        return False
    if os.name == "nt":   # os.kill would terminate it: assume alive, never steal a copy
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _write_json(path: Path, data: dict) -> None:
    """Atomically (io/atomic.py); readable by its owner only."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    write_atomically(path, text.encode("utf-8"), mode=0o600, prefix=f".{path.stem}.",
                     suffix=".json.tmp")


@dataclass
class Recovery:
    """A copy left behind by a process that ended without saving."""

    session: str
    workbook: Path
    sidecar: Path
    original: Path | None
    name: str
    title: str
    saved_at: datetime
    pid: int = 0
    host: str = ""
    _lock: _Lock | None = field(default=None, repr=False, compare=False)

    def load(self):
        """The scenario of the copy (``Loaded``); raises ``WorkbookError`` if unreadable."""
        from .workbook import open_scenario

        return open_scenario(self.workbook)

    def release(self) -> None:
        """Leave the copy for later (« Ignorer »): another start will offer it again."""
        if self._lock is not None:
            self._lock.release()

    def discard(self) -> None:
        """Delete the copy for good (« Supprimer », or once restored and saved again)."""
        for path in (self.workbook, self.sidecar):
            _remove(path)
        for temp in self.workbook.parent.glob(f".~{self.session}.*"):
            _remove(temp)
        if self._lock is not None:
            self._lock.release(delete=True)
        else:
            _remove(self.workbook.with_suffix(".lock"))


class RecoveryStore:
    """The recovery folder."""

    def __init__(self, folder):
        self.folder = Path(folder)

    def session(self) -> RecoverySession:
        return RecoverySession(self)

    def orphans(self) -> list[Recovery]:
        """Copies whose process has ended, newest first, each claimed until released."""
        if not self.folder.is_dir():
            return []
        ids = {p.stem for p in self.folder.glob("*.json") if not p.name.startswith(".")}
        ids |= {p.stem for p in self.folder.glob("*.xlsx") if not p.name.startswith(".")}
        found = []
        for session in sorted(ids):
            recovery = self._claim(session)
            if recovery is not None:
                found.append(recovery)
        for lock_path in self.folder.glob("*.lock"):   # a lock whose process ended with no copy
            if lock_path.stem not in ids:
                lock = _Lock(lock_path)
                if lock.acquire():
                    lock.release(delete=True)
        found.sort(key=lambda r: r.saved_at, reverse=True)
        return found

    def _claim(self, session: str) -> Recovery | None:
        workbook = self.folder / f"{session}.xlsx"
        sidecar = self.folder / f"{session}.json"
        meta = {}
        try:
            meta = json.loads(sidecar.read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                meta = {}
        except (OSError, ValueError):
            meta = {}
        session_lock = _Lock(self.folder / f"{session}.lock")
        got = session_lock.acquire()
        lock: _Lock | None = session_lock
        if got is False:
            return None                         # its process runs (or another start offers it)
        if got is None:
            if meta.get("host") == socket.gethostname() and _alive(int(meta.get("pid") or 0)):
                return None
            lock = None
        if not workbook.is_file():              # a sidecar alone: nothing to recover
            _remove(sidecar)
            if lock is not None:
                lock.release(delete=True)
            return None
        try:
            saved_at = datetime.fromisoformat(meta["saved_at"])
        except (KeyError, TypeError, ValueError):
            saved_at = datetime.fromtimestamp(workbook.stat().st_mtime).astimezone()
        original = meta.get("original")
        name = meta.get("name") or (Path(original).name if original else "Scénario récupéré")
        for pattern in (f".~{session}.*", f".{session}.*.json.tmp"):
            for temp in self.folder.glob(pattern):
                _remove(temp)                   # a copy being written when the process died
        return Recovery(session, workbook, sidecar, Path(original) if original else None,
                        str(name), str(meta.get("title") or ""), saved_at,
                        int(meta.get("pid") or 0), str(meta.get("host") or ""), lock)


class RecoverySession:
    """The recovery copy of one open document, owned by this process while it runs."""

    def __init__(self, store: RecoveryStore):
        self.store = store
        stamp = time.strftime("%Y%m%d-%H%M%S")
        self.id = f"{stamp}-{os.getpid()}-{secrets.token_hex(4)}"
        self._lock: _Lock | None = None
        self.saved_at: datetime | None = None

    @property
    def workbook(self) -> Path:
        return self.store.folder / f"{self.id}.xlsx"

    @property
    def sidecar(self) -> Path:
        return self.store.folder / f"{self.id}.json"

    @property
    def exists(self) -> bool:
        return self.workbook.is_file()

    def save(self, scenario, results=None, *, original=None, name: str = "",
             title: str = "") -> Path:
        """Write (or replace) the copy, atomically; raises ``WorkbookWriteError`` or OSError."""
        from .workbook import write_scenario

        folder = self.store.folder
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if self._lock is None:
            lock = _Lock(folder / f"{self.id}.lock")
            if lock.acquire():
                self._lock = lock
        write_scenario(scenario, self.workbook, results)
        self.saved_at = datetime.now().astimezone()
        _write_json(self.sidecar, {
            "format": FORMAT,
            "session": self.id,
            "original": str(original) if original else None,
            "name": name or (Path(original).name if original else "Sans titre"),
            "title": title,
            "saved_at": self.saved_at.isoformat(),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "application": f"MIGAC Desktop {__version__}",
        })
        return self.workbook

    def remove(self) -> None:
        """Delete the copy (saved, or back to the saved state); the session goes on."""
        _remove(self.workbook)
        _remove(self.sidecar)
        self.saved_at = None

    def close(self) -> None:
        """Delete the copy and give up the lock: the document is closed normally."""
        self.remove()
        if self._lock is not None:
            self._lock.release(delete=True)
            self._lock = None
