"""The one atomic write (io/atomic.py) behind the workbook, the CSV, the recovery copy,
the PDF and the desktop entry: all or nothing, no temporary left, rights kept."""

from __future__ import annotations

import errno
import os
import stat

import pytest

from migac_desktop.io import atomic
from migac_desktop.io.atomic import TargetBusy, write_atomically


def test_bytes_replace_the_file_and_keep_its_rights(tmp_path):
    path = tmp_path / "r.csv"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    write_atomically(path, b"new")
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_a_new_file_takes_the_umask_rights_or_the_given_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "a.pdf", b"%PDF")
        write_atomically(tmp_path / "b.json", b"{}", mode=0o600)
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "a.pdf").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o600


def test_a_writer_that_fails_leaves_the_previous_file_and_no_temporary(tmp_path):
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"good")

    def half(tmp):
        with open(tmp, "wb") as fh:
            fh.write(b"ha")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        write_atomically(path, half, prefix=".~s.", suffix=".xlsx")
    assert info.value.errno == errno.ENOSPC
    assert path.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]


def test_a_refused_rename_is_target_busy(tmp_path, monkeypatch):
    path = tmp_path / "s.xlsx"
    path.write_bytes(b"good")

    def refuse(src, dst):          # Windows, while Excel holds the file
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.os, "replace", refuse)
    with pytest.raises(TargetBusy) as info:
        write_atomically(path, b"new")
    assert isinstance(info.value, PermissionError) and info.value.filename == str(path)
    assert path.read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["s.xlsx"]
