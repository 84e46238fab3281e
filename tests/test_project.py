"""The project's own guardrails: one version, a lock that covers pyproject, live marker lists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import conftest

import migac_desktop

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _locked(name: str) -> dict[str, str]:
    text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
    return {m.group(1).lower().replace("_", "-"): m.group(2)
            for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+) \\$", text, re.M)}


def _names(requirements: list[str]) -> set[str]:
    return {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower().replace("_", "-") for r in requirements}


def test_the_version_is_written_once_and_read_from_the_metadata():
    assert migac_desktop.__version__ == PYPROJECT["project"]["version"]
    init = (ROOT / "migac_desktop" / "__init__.py").read_text(encoding="utf-8")
    assert PYPROJECT["project"]["version"] not in init
    assert f"## [Non publiée] — {PYPROJECT['project']['version']}" in (
        ROOT / "CHANGELOG.md").read_text(encoding="utf-8")


def test_the_locks_pin_every_dependency_with_hashes():
    run, test = _locked("run.lock"), _locked("test.lock")
    project = PYPROJECT["project"]
    assert _names(project["dependencies"]) <= set(run)
    assert _names(project["dependencies"] + project["optional-dependencies"]["test"]) <= set(test)
    assert all(test[name] == version for name, version in run.items())   # one set of versions
    for name in ("run.lock", "test.lock", "uv.lock"):
        text = (ROOT / "requirements" / name).read_text(encoding="utf-8")
        pins = re.findall(r"^\S+==\S+", text, re.M)
        assert pins and len(re.findall(r"^\S+==\S+ \\\n    --hash=sha256:", text, re.M)) == len(pins)


def test_every_test_named_slow_in_conftest_exists():
    """A test renamed is not silently put back in the daily loop (a file may come later)."""
    present = 0
    for entry in conftest.SLOW_TESTS:
        filename, name = entry.split("::")
        path = ROOT / "tests" / filename
        if path.exists():
            present += 1
            assert f"def {name}(" in path.read_text(encoding="utf-8"), entry
    assert present >= len(conftest.SLOW_TESTS) - 1
    for module in conftest.SLOW_MODULES:
        assert (ROOT / "tests" / f"{module}.py").exists(), module


def test_the_markers_are_registered():
    declared = {m.split(":")[0] for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"slow", "libreoffice", "gui"} <= declared
    assert "--strict-markers" in PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]


def _fake_venv(tmp_path, uv_works: bool):
    """A venv whose python logs pip's installs and whose pip install of uv.lock makes a uv."""
    venv, log = tmp_path / "venv", tmp_path / "install.log"
    (venv / "bin").mkdir(parents=True)
    uv = venv / "bin" / "uv"
    uv_body = f'echo "uv $*" >> {log}\nexit {0 if uv_works else 1}\n'
    python = venv / "bin" / "python"
    python.write_text(
        "#!/bin/sh\n"
        f'case "$*" in *install*) echo "python $*" >> {log} ;; esac\n'
        f'case "$*" in *uv.lock*) printf \'%s\\n\' \'#!/bin/sh\' \'{uv_body.strip().replace(chr(10), "; ")}\' > {uv}; '
        f"chmod +x {uv} ;; esac\n")
    python.chmod(0o755)
    (venv / "bin" / "migac-desktop").write_text("#!/bin/sh\n")
    (venv / "bin" / "migac-desktop").chmod(0o755)
    return venv, log


def _ensure(venv):
    import subprocess

    setup = ROOT / "scripts" / "_setup.sh"
    return subprocess.run(
        ["bash", "-c", f"source {str(setup)!r}; MIGAC_VENV={str(venv)!r}; unset MIGAC_NO_UV; "
                       f"MIGAC_STAMP=$MIGAC_VENV/.migac-install-stamp; migac_ensure_venv test"],
        capture_output=True, text=True, timeout=60)


def test_the_set_up_installs_the_lock_with_uv_and_falls_back_to_pip(tmp_path):
    lock, uv_lock = ROOT / "requirements" / "test.lock", ROOT / "requirements" / "uv.lock"
    venv, log = _fake_venv(tmp_path / "uv", uv_works=True)
    done = _ensure(venv)
    assert done.returncode == 0, done.stderr
    py = venv / "bin" / "python"
    assert log.read_text().splitlines() == [
        f"python -m pip install -q --require-hashes -r {uv_lock}",
        f"uv pip install --quiet --python {py} --require-hashes -r {lock}",
        f"uv pip install --quiet --python {py} --no-deps -e {ROOT}"]
    # uv present but failing: pip installs the same lock.
    venv, log = _fake_venv(tmp_path / "pip", uv_works=False)
    done = _ensure(venv)
    assert done.returncode == 0, done.stderr
    lines = log.read_text().splitlines()
    assert lines[-2:] == [f"python -m pip install --require-hashes -r {lock}",
                          f"python -m pip install --no-deps -e {ROOT}"]
    assert "nouvel essai avec pip" in done.stdout
