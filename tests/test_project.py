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
    for entry in conftest.SLOW_TESTS:
        filename, name = entry.split("::")
        source = (ROOT / "tests" / filename).read_text(encoding="utf-8")
        assert f"def {name}(" in source, entry
    for module in conftest.SLOW_MODULES:
        assert (ROOT / "tests" / f"{module}.py").exists(), module


def test_the_markers_are_registered():
    declared = {m.split(":")[0] for m in PYPROJECT["tool"]["pytest"]["ini_options"]["markers"]}
    assert {"slow", "libreoffice", "gui"} <= declared
    assert "--strict-markers" in PYPROJECT["tool"]["pytest"]["ini_options"]["addopts"]
