"""Fault injection: a save that fails or dies at any step never harms the previous file.

Two kinds of faults: each step of the atomic save made to fail in this process
(temporary file, writing, fsync, rename, a vanished folder, a real « file too
large » from the operating system), and a child process killed with SIGKILL while
it writes. After each, the previous file is intact byte for byte, nothing
half-written has taken its name, and the recovery copy written before opens as
the scenario that was being saved.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from conftest import worked_example

from migac_desktop.io import atomic
from migac_desktop.io import workbook as wbmod
from migac_desktop.io.recovery import RecoveryStore
from migac_desktop.io.workbook import WorkbookWriteError, open_scenario, write_scenario

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(os.name != "posix", reason="SIGKILL et RLIMIT_FSIZE : POSIX")


def edited():
    scenario = worked_example()
    scenario.crra.loc[0, "drm"] = 99_999.0
    scenario.crra.loc[2, "label"] = "=HYPERLINK(\"http://x\")"
    return scenario


def leftovers(folder: Path, keep: set[str]) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


# -- each step made to fail ------------------------------------------------------------

def _fail_temp(monkeypatch, path):
    def refuse(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    return "disque est plein"


def _fail_write(monkeypatch, path):
    real = wbmod._save_workbook

    def half(book, target):
        real(book, target)
        with open(target, "r+b") as fh:     # a write cut short by a full disk
            fh.truncate(os.path.getsize(target) // 3)
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(wbmod, "_save_workbook", half)
    return "disque est plein"


def _fail_fsync(monkeypatch, path):
    def refuse(fd):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(wbmod.os, "fsync", refuse)
    return "entrée-sortie"


def _fail_replace_locked(monkeypatch, path):
    real = os.replace

    def refuse(src, dst):
        if Path(dst) == path:
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(src, dst)
    monkeypatch.setattr(wbmod.os, "replace", refuse)
    return "Fermez-le"


def _fail_replace_readonly(monkeypatch, path):
    real = os.replace

    def refuse(src, dst):
        if Path(dst) == path:
            raise OSError(errno.EROFS, "Read-only file system")
        return real(src, dst)
    monkeypatch.setattr(wbmod.os, "replace", refuse)
    return "lecture seule"


def _fail_unexpected(monkeypatch, path):
    def boom(book, target):
        raise RuntimeError("panne imprévue")
    monkeypatch.setattr(wbmod, "_save_workbook", boom)
    return "précédent est intact"


@pytest.mark.parametrize("inject", [_fail_temp, _fail_write, _fail_fsync, _fail_replace_locked,
                                    _fail_replace_readonly, _fail_unexpected],
                         ids=["fichier-temporaire", "ecriture", "fsync", "renommage-verrouille",
                              "renommage-lecture-seule", "erreur-imprevue"])
def test_a_failing_step_leaves_the_previous_file_intact(tmp_path, monkeypatch, inject):
    folder = tmp_path / "dossier"
    folder.mkdir()
    path = folder / "scenario.xlsx"
    write_scenario(worked_example(), path)
    before = path.read_bytes()
    session = RecoveryStore(tmp_path / "recup").session()
    session.save(edited(), original=path)           # the last autosave before saving
    with monkeypatch.context() as m:
        expected = inject(m, path)
        with pytest.raises(WorkbookWriteError) as info:
            write_scenario(edited(), path)
    message = str(info.value)
    assert expected in message and "« scenario.xlsx »" in message
    assert path.read_bytes() == before
    assert leftovers(folder, {"scenario.xlsx"}) == []
    assert open_scenario(session.workbook).scenario.inputs_equal(edited())
    session.close()


def test_the_folder_vanishes_during_the_save(tmp_path, monkeypatch):
    """A USB key pulled out: the save says so, in French, and raises nothing else."""
    folder = tmp_path / "cle"
    folder.mkdir()
    path = folder / "scenario.xlsx"
    write_scenario(worked_example(), path)
    real = wbmod._save_workbook

    def pulled(book, target):
        real(book, target)
        shutil.rmtree(folder)
    monkeypatch.setattr(wbmod, "_save_workbook", pulled)
    with pytest.raises(WorkbookWriteError, match="n'existe pas ou n'est plus accessible"):
        write_scenario(edited(), path)


FILE_TOO_LARGE = textwrap.dedent("""
    import resource, signal, sys
    sys.path.insert(0, {tests!r})
    from conftest import worked_example
    from migac_desktop.io.workbook import WorkbookWriteError, write_scenario
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    limit = {limit}
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    scenario = worked_example()
    scenario.extra_sheets["Gros"] = [(f"ligne {{i}}", "x" * 200) for i in range(3000)]
    try:
        write_scenario(scenario, {path!r})
    except WorkbookWriteError as exc:
        print("REFUS", exc)
""")


def test_a_real_file_size_limit_from_the_system(tmp_path):
    """The kernel refuses the write (RLIMIT_FSIZE, like a quota): no monkeypatching."""
    path = tmp_path / "scenario.xlsx"
    write_scenario(worked_example(), path)
    before = path.read_bytes()
    code = FILE_TOO_LARGE.format(tests=str(REPO / "tests"), limit=len(before) + 4096, path=str(path))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("REFUS Impossible d'enregistrer « scenario.xlsx »"), done.stdout
    assert "dépasse la taille permise" in done.stdout
    assert "Traceback" not in done.stderr
    assert path.read_bytes() == before
    assert leftovers(tmp_path, {"scenario.xlsx"}) == []


# -- a process killed while it saves -------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    sys.path.insert(0, {repo!r})
    from benchmarks.synthetic import synthetic_scenario
    from migac_desktop.io import workbook as wb
    from migac_desktop.io.recovery import RecoveryStore

    scenario = wb.open_scenario({path!r}).scenario
    scenario.crra.loc[0, "drm"] = 99999.0
    session = RecoveryStore({recovery!r}).session()
    session.save(scenario, original={path!r})          # the autosave of the edit
    print("COPIE", flush=True)
    real = wb._save_workbook

    def slow(book, target):
        real(book, target)
        data = open(target, "rb").read()
        with open(target, "wb") as fh:                  # the same bytes, slowly
            print("ECRITURE", flush=True)
            for i in range(0, len(data), 8192):
                fh.write(data[i:i + 8192])
                fh.flush()
                time.sleep(0.004)
        print("ECRIT", flush=True)
        time.sleep({pause})

    wb._save_workbook = slow
    if {autosave}:
        scenario.crra.loc[0, "drm"] = 11111.0
        session.save(scenario, original={path!r})       # killed during the second autosave
    else:
        wb.write_scenario(scenario, {path!r})
    print("FINI", flush=True)
""")


def national(tmp_path: Path) -> Path:
    folder = tmp_path / "travail"
    folder.mkdir(exist_ok=True)
    path = folder / "national.xlsx"
    if not path.exists():
        sys.path.insert(0, str(REPO))
        from benchmarks.synthetic import synthetic_scenario
        write_scenario(synthetic_scenario(2000), path)
    return path


def start_child(tmp_path: Path, path: Path, pause: float, autosave: bool = False):
    code = CHILD.format(tests=str(REPO / "tests"), repo=str(REPO), path=str(path),
                        recovery=str(tmp_path / "recup"), pause=pause, autosave=autosave)
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO)


def kill(child) -> list[str]:
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    rest = child.stdout.read().split()
    child.stdout.close()
    child.stderr.close()
    return rest


def kill_on(tmp_path: Path, path: Path, marker: str, delay: float = 0.0, pause: float = 30,
            autosave: bool = False) -> list[str]:
    """Start a child that saves ``path``; SIGKILL it ``delay`` s after it prints ``marker``."""
    child = start_child(tmp_path, path, pause, autosave)
    lines = []
    for line in child.stdout:
        lines.append(line.strip())
        if lines[-1] == marker:
            time.sleep(delay)
            break
    return lines + kill(child)


def halves(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.startswith(f".~{path.stem}.")]


def test_killed_while_writing_the_file(tmp_path):
    """Loop until the kill lands during the write (it prints ECRIT once the write is over)."""
    path = national(tmp_path)
    before = path.read_bytes()
    for delay in (0.02, 0.08, 0.15, 0.0):
        lines = kill_on(tmp_path, path, "ECRITURE", delay)
        assert "ECRITURE" in lines and "FINI" not in lines
        landed = "ECRIT" not in lines
        assert path.read_bytes() == before            # the target is untouched
        [half] = halves(path)                         # the half file is aside, under a temp name
        [copy] = RecoveryStore(tmp_path / "recup").orphans()
        assert copy.original == path
        restored = copy.load().scenario
        assert restored.crra["drm"].iat[0] == 99999.0 and len(restored.crra) == 2000
        copy.discard()
        half.unlink()
        if landed:
            return
    pytest.fail("aucun arrêt n'est tombé pendant l'écriture")


def test_killed_after_the_write_before_the_rename(tmp_path):
    path = national(tmp_path)
    before = path.read_bytes()
    lines = kill_on(tmp_path, path, "ECRIT")
    assert "FINI" not in lines
    assert path.read_bytes() == before
    [copy] = RecoveryStore(tmp_path / "recup").orphans()
    assert copy.load().scenario.crra["drm"].iat[0] == 99999.0
    copy.discard()


def test_killed_during_an_autosave_keeps_the_previous_copy(tmp_path):
    path = national(tmp_path)
    before = path.read_bytes()
    kill_on(tmp_path, path, "ECRITURE", 0.05, autosave=True)
    assert path.read_bytes() == before
    recovery = tmp_path / "recup"
    [copy] = RecoveryStore(recovery).orphans()
    # The previous autosave, complete; the half-written one is cleaned up when claimed.
    assert copy.load().scenario.crra["drm"].iat[0] == 99999.0
    assert not [p for p in recovery.iterdir() if p.name.startswith(".")]
    copy.discard()


def test_killed_at_a_random_moment_leaves_the_old_or_the_new_file(tmp_path):
    """Without waiting for any step: whatever the moment, never a broken scenario."""
    import random

    rnd = random.Random(20)
    path = national(tmp_path)
    old = float(open_scenario(path).scenario.crra["drm"].iat[0])
    for _ in range(2):
        child = start_child(tmp_path, path, pause=0.0)
        time.sleep(rnd.uniform(0.8, 2.0))
        kill(child)
        loaded = open_scenario(path)            # the old file or the new one, complete
        assert loaded.errors == []
        assert loaded.scenario.crra["drm"].iat[0] in (99999.0, old)
        for half in halves(path):
            half.unlink()
