"""Shared fixtures. Qt runs offscreen: without a display it would abort."""

import os
import sys
import tempfile

try:
    import fcntl
except ImportError:         # Windows: no workers' lock (the suite runs there in one process)
    fcntl = None
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest


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
SLOW_MODULES = {"test_atspi", "test_faults", "test_fuzz", "test_real_program", "test_recovery", "test_startup_cli"}
# Tests that must not share the machine with the other pytest-xdist worker: the real
# program driven through the X server waits fixed times for its dialogs, and hangs when
# the other worker's LibreOffice run takes the CPU.
EXCLUSIVE_MODULES = {"test_real_program"}
SLOW_TESTS = {
    "test_cli.py::test_subprocess_exit_codes", "test_cli.py::test_subprocess_without_workbook_module",
    "test_cli.py::test_compute_imports_no_gui_or_plotting",
    "test_comparison.py::test_compare_imports_no_gui_or_plotting",
    "test_report.py::test_national_pdf", "test_report.py::test_parallel_charts_are_the_same",
    "test_report.py::test_preview_has_the_pdf_page_count",
    "test_report.py::test_building_shows_progress_and_keeps_the_window_responsive",
    "test_report.py::test_report_content_is_qt_free",
    "test_report.py::test_cli_does_not_import_qt_for_other_commands",
    "test_workbook.py::test_importing_the_io_layer_does_not_import_openpyxl",
    "test_charts.py::test_national_scale_nothing_clipped",
    "test_charts.py::test_reporting_is_qt_free_and_never_uses_pyplot",
    "test_desktop.py::test_installed_entry_opens_a_scenario_under_xvfb",
    "test_desktop.py::test_window_start_does_not_load_charts_workbook_or_reports",
    "test_errors.py::test_the_program_installs_the_handler",
    # two migac processes for each of sixteen files (test file of the reader's branch)
    "test_real_world_files.py::test_real_world_construct_on_the_command_line",
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
        if used & GUI_FIXTURES or module in EXCLUSIVE_MODULES:
            item.add_marker(pytest.mark.gui)
        if module in EXCLUSIVE_MODULES:
            item.add_marker(pytest.mark.exclusive)


@pytest.fixture(autouse=True)
def _one_exclusive_test_at_a_time(request, tmp_path_factory):
    """Under pytest-xdist, an ``exclusive`` test runs while the other workers wait.

    Every test holds a shared lock on one file of the run's folder (common to the
    workers); an exclusive test takes it exclusively, so it starts once the other
    workers' current tests end, and theirs start again after it. Without workers,
    nothing happens.
    """
    if not os.environ.get("PYTEST_XDIST_WORKER") or fcntl is None:
        yield
        return
    folder = tmp_path_factory.getbasetemp().parent       # common to the workers
    exclusive = request.node.get_closest_marker("exclusive") is not None
    with open(folder / "exclusive.turnstile", "a") as turnstile, \
            open(folder / "exclusive.lock", "a") as lock:
        # The turnstile stops new tests from starting once an exclusive one waits (flock
        # alone would let the other worker's tests take the shared lock again and again).
        fcntl.flock(turnstile, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        if not exclusive:
            fcntl.flock(turnstile, fcntl.LOCK_UN)
        fcntl.flock(lock, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            fcntl.flock(turnstile, fcntl.LOCK_UN)


@pytest.fixture(scope="session", autouse=True)
def _qapplication_before_any_other(request):
    """A QApplication for the session, before a test can make a QGuiApplication instead.

    ``migac report`` paints its PDF with a QGuiApplication when none exists; pytest-qt then
    reuses that instance and the next widget aborts the process (« Cannot create a QWidget
    without QApplication »). The whole suite in file order never met it, since a window test
    always came first; a selection (``-m slow``) or a worker's share of the files can.
    """
    if not any(item.get_closest_marker("gui") for item in request.session.items):
        yield None
        return
    from PySide6.QtWidgets import QApplication

    yield QApplication.instance() or QApplication([])


@pytest.fixture(scope="session")
def libreoffice_profile(tmp_path_factory):
    """One LibreOffice user profile for the session (one per worker under pytest-xdist).

    A first start in an empty profile spends seconds creating it; every later run of the
    session reuses it. Runs never overlap within a worker, and each worker has its own
    folder, so two LibreOffice never share a profile at once.
    """
    return tmp_path_factory.mktemp("libreoffice-profile")


ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:       # samples/ is imported from the checkout
    sys.path.insert(0, str(ROOT))

from migac_desktop.core import schema  # noqa: E402
from migac_desktop.core.scenario import Scenario, make_table  # noqa: E402
from samples.make_samples import WORKED_EXAMPLE_ROWS  # noqa: E402  (one definition)

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


def open_window(qtbot, tmp_path, monkeypatch, scenario, size=None):
    """A main window on ``scenario``, its settings in ``tmp_path``, closed without a prompt."""
    from PySide6.QtCore import QSettings

    from migac_desktop.ui.main_window import MainWindow
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: w.document.undo_stack.setClean())
    if scenario is not None:            # None: the window as it starts, on no scenario
        window.document.load(scenario, None)
    if size is not None:
        window.resize(*size)
    window.show()
    return window


@pytest.fixture
def window(qtbot, example, tmp_path, monkeypatch):
    """The main window on MODEL.md's worked example."""
    return open_window(qtbot, tmp_path, monkeypatch, example)
