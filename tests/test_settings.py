"""The QSettings keys: declared once (ui/settings.py), read under the name they are written."""

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings

from migac_desktop.ui import settings as keys

PACKAGE = Path(keys.__file__).resolve().parent.parent
SAMPLES = PACKAGE.parent / "samples"
KEY_LITERAL = re.compile(r"""["'](files|window|recovery|tables|journal)/[\w{}/]+["']""")
# A key typed straight into a QSettings call, whatever its group (QSettings: ui/ only).
TYPED_KEY = re.compile(r"""\b(settings|QSettings\(\))\.(value|setValue|remove|contains)\(\s*f?["']""")


@pytest.fixture
def isolated(tmp_path):
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    return QSettings()


def test_every_key_is_typed_in_one_module():
    typed = {}
    for source in PACKAGE.rglob("*.py"):
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1):
            if (KEY_LITERAL.search(line) or TYPED_KEY.search(line)) and not line.lstrip().startswith("#"):
                typed.setdefault(source.relative_to(PACKAGE).as_posix(), []).append(number)
    assert set(typed) == {"ui/settings.py"}, typed
    declared = [v for k, v in vars(keys).items() if k.endswith("_KEY")]
    assert len(declared) == len(set(declared)) == len(typed["ui/settings.py"])


def test_recent_files_first_unique_and_capped(isolated, tmp_path):
    assert keys.recent_files(isolated) == []
    assert keys.last_folder(isolated) == str(Path.home())
    paths = [tmp_path / f"s{i}.xlsx" for i in range(keys.MAX_RECENT + 3)]
    for path in paths:
        keys.remember_file(path, isolated)
    keys.remember_file(paths[2], isolated)
    recent = keys.recent_files(isolated)
    assert recent[0] == str(paths[2].resolve())
    assert len(recent) == keys.MAX_RECENT == len(set(recent))
    assert recent[1] == str(paths[-1].resolve())
    assert keys.last_folder(isolated) == str(tmp_path.resolve())
    # One path comes back from an INI file as a bare string, not a list of one.
    isolated.setValue(keys.RECENT_FILES_KEY, str(paths[0]))
    assert keys.recent_files(QSettings()) == [str(paths[0])]


def test_dialogs_start_where_the_last_scenario_was(isolated, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from migac_desktop.ui.main_window import MainWindow
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    assert window.open_path(SAMPLES / "exemple_modele.xlsx", ask=False)
    starts = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: starts.append(a[2]) or ("", ""))
    window.actionOpen.trigger()
    assert starts == [str(SAMPLES.resolve())]
    assert QSettings().value(keys.LAST_FOLDER_KEY) == str(SAMPLES.resolve())
