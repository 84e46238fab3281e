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
