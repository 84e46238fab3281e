"""Shared fixtures. Qt runs offscreen: without a display it would abort."""

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _scratch_folders(tmp_path_factory):
    """Nothing of the suite lands in the system's temporary folder, nor in the user's.

    Temporary files (openpyxl's per-sheet files, LibreOffice's, the programs the tests
    start: ``TMPDIR`` is inherited) and the autosave and recovery copies go under
    pytest's own folder for this run. Nothing here runs on import: subprocesses import
    this module for its helpers.
    """
    system = tempfile.gettempdir()
    scratch = tmp_path_factory.mktemp("tmpdir")
    saved = {k: os.environ.get(k) for k in ("TMPDIR", "MIGAC_RECOVERY_DIR")}
    os.environ["TMPDIR"] = str(scratch)
    os.environ.setdefault("MIGAC_RECOVERY_DIR", str(tmp_path_factory.mktemp("recovery")))
    tempfile.tempdir = str(scratch)
    yield
    tempfile.tempdir = system
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value

from migac_desktop.core import schema  # noqa: E402
from migac_desktop.core.scenario import Scenario, make_table  # noqa: E402

# The 26 ARS of 2014 (22 metropolitan regions and 4 overseas), in French order.
REGIONS_2014 = [
    "Alsace", "Aquitaine", "Auvergne", "Basse-Normandie", "Bourgogne", "Bretagne", "Centre",
    "Champagne-Ardenne", "Corse", "Franche-Comté", "Guadeloupe", "Guyane", "Haute-Normandie",
    "Île-de-France", "Languedoc-Roussillon", "Limousin", "Lorraine", "Martinique",
    "Midi-Pyrénées", "Nord-Pas-de-Calais", "Océan Indien", "Pays de la Loire", "Picardie",
    "Poitou-Charentes", "Provence-Alpes-Côte d'Azur", "Rhône-Alpes",
]

WORKED_EXAMPLE_ROWS = [
    dict(crra_id="SAMU-A1", label="SAMU A1", region="Alpha", departement="01", finess="010000001",
         establishment="CH A1", drm=45000, geo_coef=0.0, historic=1_900_000),
    dict(crra_id="SAMU-A2", label="SAMU A2", region="Alpha", departement="01", finess="010000002",
         establishment="CH A2", drm=100000, geo_coef=0.0, historic=3_300_000),
    dict(crra_id="SAMU-B1", label="SAMU B1", region="Bêta", departement="02", finess="020000001",
         establishment="CHU B", drm=260000, geo_coef=0.07, historic=5_000_000, etp_arm_override=40),
    dict(crra_id="SAMU-B2", label="SAMU B2", region="Bêta", departement="02", finess="020000001",
         establishment="CHU B", drm=150000, geo_coef=0.07, historic=3_100_000),
]


def worked_example() -> Scenario:
    """The worked example of MODEL.md: default parameters, four CRRA."""
    return Scenario(crra=make_table(schema.CRRA, WORKED_EXAMPLE_ROWS))


@pytest.fixture
def example() -> Scenario:
    return worked_example()


def open_window(qtbot, tmp_path, monkeypatch, scenario, size=None):
    """A main window on ``scenario``, its settings in ``tmp_path``, closed without a prompt."""
    from PySide6.QtCore import QSettings

    from migac_desktop.ui.main_window import MainWindow
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    window.document.load(scenario, None)
    if size is not None:
        window.resize(*size)
    window.show()
    return window


@pytest.fixture
def window(qtbot, example, tmp_path, monkeypatch):
    """The main window on MODEL.md's worked example."""
    return open_window(qtbot, tmp_path, monkeypatch, example)
