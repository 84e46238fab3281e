"""Shared fixtures. Qt runs offscreen: without a display it would abort."""

import os
import sys
import tempfile
from pathlib import Path

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

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:       # samples/ is imported from the checkout
    sys.path.insert(0, str(ROOT))

from migac_desktop.core import schema  # noqa: E402
from migac_desktop.core.scenario import Scenario, make_table  # noqa: E402
from samples.make_samples import WORKED_EXAMPLE_ROWS  # noqa: E402,F401  (one definition)

# The 26 ARS of 2014 (22 metropolitan regions and 4 overseas), in French order.
REGIONS_2014 = [
    "Alsace", "Aquitaine", "Auvergne", "Basse-Normandie", "Bourgogne", "Bretagne", "Centre",
    "Champagne-Ardenne", "Corse", "Franche-Comté", "Guadeloupe", "Guyane", "Haute-Normandie",
    "Île-de-France", "Languedoc-Roussillon", "Limousin", "Lorraine", "Martinique",
    "Midi-Pyrénées", "Nord-Pas-de-Calais", "Océan Indien", "Pays de la Loire", "Picardie",
    "Poitou-Charentes", "Provence-Alpes-Côte d'Azur", "Rhône-Alpes",
]

def worked_example() -> Scenario:
    """The worked example of MODEL.md: default parameters, four CRRA."""
    return Scenario(crra=make_table(schema.CRRA, WORKED_EXAMPLE_ROWS))


@pytest.fixture
def example() -> Scenario:
    return worked_example()


# -- markers ------------------------------------------------------------------------------
# Registered in pyproject.toml. ``libreoffice`` and ``gui`` follow from the fixtures a test
# uses, so that a new test is marked without thinking of it; ``slow`` is written on the
# test files themselves (and follows from ``libreoffice``).
LIBREOFFICE_FIXTURES = {"libreoffice_profile"}
GUI_FIXTURES = {"qtbot", "qapp"}
# Fixtures that cost seconds to build: the hostile corpus (test_safety.py) and the fuzz
# seeds (test_fuzz.py).
SLOW_FIXTURES = {"corpus", "seeds"}
# Whole modules that start programs or run hypothesis campaigns, and single tests that
# start a process or draw the national report (test files other changes are touching
# keep their text; the list is here).
SLOW_MODULES = {"test_faults", "test_fuzz", "test_real_program", "test_startup_cli"}
SLOW_TESTS = {
    "test_cli.py::test_subprocess_exit_codes", "test_cli.py::test_subprocess_without_workbook_module",
    "test_cli.py::test_compute_imports_no_gui_or_plotting",
    "test_report.py::test_national_pdf", "test_report.py::test_parallel_charts_are_the_same",
    "test_report.py::test_preview_has_the_pdf_page_count",
    "test_report.py::test_building_shows_progress_and_keeps_the_window_responsive",
    "test_report.py::test_report_content_is_qt_free",
    "test_charts.py::test_national_scale_nothing_clipped",
    "test_charts.py::test_reporting_is_qt_free_and_never_uses_pyplot",
    "test_desktop.py::test_installed_entry_opens_a_scenario_under_xvfb",
    "test_desktop.py::test_window_start_does_not_load_charts_workbook_or_reports",
    "test_errors.py::test_the_program_installs_the_handler",
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        used = set(getattr(item, "fixturenames", ()))
        if used & LIBREOFFICE_FIXTURES or item.get_closest_marker("libreoffice"):
            item.add_marker(pytest.mark.libreoffice)
            item.add_marker(pytest.mark.slow)
        module = item.path.stem
        if (used & SLOW_FIXTURES or module in SLOW_MODULES
                or f"{item.path.name}::{item.originalname}" in SLOW_TESTS):
            item.add_marker(pytest.mark.slow)
        if used & GUI_FIXTURES:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory):
    """One LibreOffice user profile for the session (one per worker under pytest-xdist).

    A first start in an empty profile spends seconds creating it; every later run of the
    session reuses it. Runs never overlap within a worker, and each worker has its own
    folder, so two LibreOffice never share a profile at once.
    """
    return tmp_path_factory.mktemp("libreoffice-profile")
