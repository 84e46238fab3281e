"""Starting ``migac-desktop``: its command line, without a display, and in the bundle.

``--help`` and ``--version`` print in French and stop before Qt starts (PySide6 is not
even imported); an unknown option is refused with the usage; without a graphical
session the program says in French what to do instead of Qt's abort. The stand-alone
bundle carries the command line too: a ``migac`` executable made from the same launcher.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest

from migac_desktop import __version__, desktop_entry
from migac_desktop.ui import app

ROOT = Path(__file__).resolve().parent.parent
LAUNCHER = ROOT / "packaging" / "launcher.py"
SPEC = ROOT / "packaging" / "migac-desktop.spec"

USAGE = ("utilisation : migac-desktop [-h] [--version] [--install-desktop-entry]\n"
         "                            [--uninstall-desktop-entry] [--smoke-test]\n"
         "                            [SCENARIO.xlsx]\n")


def headless_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No display of any kind, no Qt platform chosen, settings in the test's folder."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="80", XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_DATA_HOME=str(tmp_path / "data"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.update(extra)
    return env


def run_program(tmp_path: Path, *args: str, python_args: tuple[str, ...] = (), **extra: str):
    return subprocess.run([sys.executable, *python_args, "-m", "migac_desktop.ui.app", *args],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env=headless_env(tmp_path, **extra))


def test_version_without_display_prints_and_never_imports_qt(tmp_path):
    done = run_program(tmp_path, "--version", python_args=("-X", "importtime"))
    assert done.returncode == 0
    assert done.stdout == f"migac-desktop {__version__}\n"
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines()
                if line.startswith("import time:")]
    assert "migac_desktop.ui" in imported and "migac_desktop.cli" in imported   # the parser
    assert not [m for m in imported if m.startswith(("PySide6", "shiboken6", "pandas", "numpy"))]


def test_help_is_french_and_exact(tmp_path):
    done = run_program(tmp_path, "--help")
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith(USAGE + "\nMIGAC Desktop : répartition de la MIG SAMU")
    assert "\narguments:\n  SCENARIO.xlsx         le classeur du scénario à ouvrir\n" in done.stdout
    assert "\noptions:\n  -h, --help            affiche cette aide et quitte\n" in done.stdout
    assert "  --version             affiche la version et quitte\n" in done.stdout
    for english in ("usage:", "show this help", "positional arguments", "error:"):
        assert english not in done.stdout


@pytest.mark.parametrize("args, refused", [
    (["--bogus"], "arguments non reconnus : --bogus"),
    (["a.xlsx", "b.xlsx"], "arguments non reconnus : b.xlsx"),
    (["-platform", "offscreen"], "arguments non reconnus : -platform"),
])
def test_unknown_options_are_refused_with_the_usage(tmp_path, args, refused):
    done = run_program(tmp_path, *args, QT_QPA_PLATFORM="offscreen")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == USAGE + f"migac-desktop : erreur : {refused}\n"


@pytest.mark.parametrize("platform", [None, "xcb", "wayland"])
def test_without_a_display_the_program_says_what_to_do(tmp_path, platform):
    extra = {} if platform is None else {"QT_QPA_PLATFORM": platform}
    done = run_program(tmp_path, "scénario.xlsx", python_args=("-X", "importtime"), **extra)
    assert done.returncode == app.EXIT_NO_DISPLAY
    assert done.stdout == ""
    lines = [line for line in done.stderr.splitlines() if not line.startswith("import time:")]
    message = "\n".join(lines)
    assert message.startswith("MIGAC Desktop a besoin d'un écran : aucune session graphique")
    assert "xvfb-run -a " in message and "scénario.xlsx" in message
    assert "la commande « migac »" in message
    for qt in ("qt.qpa", "could not connect", "Aborted", "Traceback"):
        assert qt not in message
    assert not [line for line in done.stderr.splitlines() if "PySide6" in line]


@pytest.mark.parametrize("environ, missing", [
    ({}, True),
    ({"DISPLAY": ":0"}, False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, False),
    ({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}, True),
    ({"QT_QPA_PLATFORM": "wayland", "DISPLAY": ":0"}, True),
    ({"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":1"}, False),
    ({"QT_QPA_PLATFORM": "offscreen"}, False),
    ({"QT_QPA_PLATFORM": "vnc:size=800x600"}, False),
])
def test_missing_display_on_linux(environ, missing):
    assert app.missing_display(environ, "linux") is missing
    assert app.missing_display({}, "win32") is False
    assert app.missing_display({}, "darwin") is False


def test_bundle_reinstall_advice_fits_a_bundle(monkeypatch, tmp_path):
    assert "environnement Python" in desktop_entry.reinstall_advice()
    program = tmp_path / "migac-desktop" / "migac-desktop"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program))
    advice = desktop_entry.reinstall_advice()
    assert "environnement Python" not in advice
    assert f"dossier du programme ({program.parent})" in advice
    assert desktop_entry.launcher_command() == [str(program)]


@pytest.mark.parametrize("name, expected", [
    ("migac", f"migac {__version__}\n"), ("migac-desktop", f"migac-desktop {__version__}\n")])
def test_the_launcher_runs_the_command_line_under_the_name_migac(tmp_path, name, expected):
    """The bundle's two executables are one launcher under two names."""
    script = tmp_path / name
    script.write_text(LAUNCHER.read_text(encoding="utf-8"), encoding="utf-8")
    done = subprocess.run([sys.executable, str(script), "--version"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=headless_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout == expected


def test_the_bundle_spec_makes_a_migac_console_executable_beside_the_window(monkeypatch):
    """Run the spec with stand-ins for PyInstaller's classes and look at what it asks for."""
    made = {}

    class Target:
        def __init__(self, *args, **kwargs):
            self.args, self.kwargs = args, kwargs
            made.setdefault(type(self).__name__, []).append(self)

    kinds = {name: type(name, (Target,), {}) for name in ("Analysis", "PYZ", "EXE", "COLLECT",
                                                          "BUNDLE")}
    analysis_kind = kinds["Analysis"]
    analysis_kind.pure, analysis_kind.scripts = "pure", "scripts"
    analysis_kind.binaries, analysis_kind.datas = "binaries", "datas"
    hooks = types.ModuleType("PyInstaller.utils.hooks")
    hooks.collect_submodules = lambda package, filter=None: []
    hooks.copy_metadata = lambda name: [(f"/site-packages/{name}.dist-info", f"{name}.dist-info")]
    for name in ("PyInstaller", "PyInstaller.utils"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))
    monkeypatch.setitem(sys.modules, "PyInstaller.utils.hooks", hooks)
    monkeypatch.setattr(sys, "path", list(sys.path))
    exec(compile(SPEC.read_text(encoding="utf-8"), str(SPEC), "exec"),
         {**kinds, "SPECPATH": str(SPEC.parent), "__name__": "__main__"})
    (collect,) = made["COLLECT"]
    executables = [a for a in collect.args if isinstance(a, kinds["EXE"])]
    assert [e.kwargs["name"] for e in executables] == ["migac-desktop", "migac"]
    window, command_line = executables
    assert window.kwargs["console"] is False and command_line.kwargs["console"] is True
    assert window.args == command_line.args                     # one launcher, one archive
    assert collect.kwargs["name"] == "migac-desktop"
    (analysis,) = made["Analysis"]
    assert analysis.args[0] == [str(LAUNCHER)]
    # The version is read from the package's metadata: the bundle carries it.
    assert ("/site-packages/migac-desktop.dist-info", "migac-desktop.dist-info") in analysis.kwargs["datas"]


def test_the_suite_leaves_nothing_in_the_system_temporary_folder(tmp_path):
    """A part of the suite that writes temporary files (a child process importing the
    test helpers, openpyxl's write-only sheets, a window's recovery copies, LibreOffice),
    run with a system temporary folder of its own: only pytest's folder is left there."""
    if os.environ.get("MIGAC_NESTED_SUITE"):
        pytest.skip("déjà dans la suite imbriquée")
    system = tmp_path / "tmp"
    system.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("MIGAC_RECOVERY_DIR",)}
    env.update(TMPDIR=str(system), PYTHONPATH=str(ROOT), MIGAC_NESTED_SUITE="1",
               QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_recovery.py::test_a_dead_process_leaves_an_orphan_that_is_offered_once",
         "tests/test_recovery.py::test_unsaved_changes_are_autosaved_and_removed_once_saved",
         "tests/test_print_setup.py::test_header_text_is_escaped_and_bounded",
         "tests/test_print_setup.py::test_libreoffice_prints_the_national_sample_readably"],
        capture_output=True, text=True, timeout=600, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stdout[-3000:]
    left = sorted(p.name for p in system.iterdir())
    assert [name for name in left if not name.startswith("pytest-of-")] == []


# -- the set-up scripts' messages ------------------------------------------------------

SETUP = ROOT / "scripts" / "_setup.sh"
BASH = "/bin/bash"


def fake_system(tmp_path: Path, sudo: bool) -> Path:
    """A PATH where no package is installed, the user is not root and sudo may be absent."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stubs = {"dpkg-query": "exit 1", "id": "echo 1000", "python3": "exit 0"}
    if sudo:
        stubs["sudo"] = "exit 0"
    for name, body in stubs.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n")
        (bin_dir / name).chmod(0o755)
    (bin_dir / "dirname").symlink_to(shutil.which("dirname"))
    return bin_dir


def run_setup(tmp_path: Path, command: str, sudo: bool) -> subprocess.CompletedProcess:
    env = {"PATH": str(fake_system(tmp_path, sudo)), "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    return subprocess.run([BASH, "-c", f"source {str(SETUP)!r}; {command}"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=env)


@pytest.mark.skipif(not Path(BASH).exists() or shutil.which("dirname") is None,
                    reason="bash absent")
@pytest.mark.parametrize("sudo", [False, True])
def test_missing_packages_are_told_with_su_where_sudo_is_absent(tmp_path, sudo):
    done = run_setup(tmp_path, "migac_ensure_system_packages libegl1 libgl1", sudo)
    assert done.returncode == 1
    assert "[migac] Il manque des paquets système : libegl1 libgl1\n" in done.stderr
    su = "    su -c 'apt-get update && apt-get install -y --no-install-recommends libegl1 libgl1'\n"
    assert su in done.stderr
    with_sudo = "    sudo apt-get update && sudo apt-get install -y --no-install-recommends libegl1 libgl1\n"
    assert (with_sudo in done.stderr) is sudo
    if not sudo:
        assert "sudo n'est pas installé" in done.stderr


@pytest.mark.skipif(not Path(BASH).exists() or shutil.which("dirname") is None,
                    reason="bash absent")
def test_run_sh_without_display_names_itself_by_its_real_path(tmp_path):
    done = run_setup(tmp_path, "migac_no_display_hint 'mon scénario.xlsx'", sudo=False)
    assert done.returncode == 0
    real = (ROOT / "scripts" / "run.sh").resolve()
    assert f"    xvfb-run -a bash {real} mon\\ scénario.xlsx\n" in done.stdout
    # xvfb-run is not on this PATH: how to install it, without sudo.
    assert "    su -c 'apt-get update && apt-get install -y --no-install-recommends xvfb xauth'\n" \
        in done.stdout


@pytest.mark.skipif(not Path(BASH).exists(), reason="bash absent")
def test_run_sh_installs_no_test_tools_and_test_sh_does(tmp_path):
    run_sh = (ROOT / "scripts" / "run.sh").read_text(encoding="utf-8")
    test_sh = (ROOT / "scripts" / "test.sh").read_text(encoding="utf-8")
    assert "\nmigac_ensure_venv\n" in run_sh and "\nmigac_ensure_venv test\n" in test_sh
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    log = tmp_path / "pip.log"
    python = venv / "bin" / "python"                  # answers pip, logs what it installs
    python.write_text(f'#!/bin/sh\ncase "$*" in *install*) echo "$*" >> {log} ;; esac\n')
    python.chmod(0o755)
    (venv / "bin" / "migac-desktop").write_text("#!/bin/sh\n")
    (venv / "bin" / "migac-desktop").chmod(0o755)
    steps = "migac_ensure_venv; migac_ensure_venv test; migac_ensure_venv; migac_ensure_venv test"
    done = subprocess.run(
        [BASH, "-c", f"source {str(SETUP)!r}; MIGAC_VENV={str(venv)!r}; MIGAC_NO_UV=1; "
                     f"MIGAC_STAMP=$MIGAC_VENV/.migac-install-stamp; {steps}"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # pip's path (uv refused): the exact lock of each, then the project without dependencies.
    locks = ROOT / "requirements"
    assert log.read_text().splitlines() == [
        f"-m pip install --require-hashes -r {locks / 'run.lock'}", f"-m pip install --no-deps -e {ROOT}",
        f"-m pip install --require-hashes -r {locks / 'test.lock'}", f"-m pip install --no-deps -e {ROOT}"]
