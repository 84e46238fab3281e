"""Files LibreOffice saved: the same scenario comes back.

LibreOffice Calc (``libreoffice-calc-nogui``, installed by ``scripts/test.sh``) re-saves
the samples and a rich scenario headless, with a private profile so that runs never
collide; each re-saved file must give exactly the scenario of the original. The same
run makes a real ``.xls`` and a real ``.ods``, which must be refused with their names.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import worked_example

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Parameters, make_table
from migac_desktop.io.workbook import WorkbookError, open_scenario, write_scenario

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")

pytestmark = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) est absent : installez libreoffice-calc-nogui "
                            "(scripts/test.sh l'installe avec les autres paquets de test)")


def rich_scenario():
    scenario = worked_example()
    scenario.crra["Commentaire de l’ARS"] = ["à revoir", 12, None, "=SOMME(A1:A3)"]
    scenario.bands = make_table(schema.BANDS, [
        dict(drm_min=0, etp_arm=10, etp_mr=5, label="Petit"),
        dict(drm_min=80000, etp_arm=20, etp_mr=10.5, label="Moyen"),
        dict(drm_min=200000, etp_arm=45, etp_mr=21, label="Grand")])
    scenario.smoothing = make_table(schema.SMOOTHING, [
        dict(year=2014, share=0.25), dict(year=2015, share=0.5), dict(year=2016, share=0.75),
        dict(year=2017, share=1.0)])
    scenario.envelopes = make_table(schema.ENVELOPES, [
        dict(region="Alpha", year=2014, amount=5_100_000.5)])
    scenario.parameters = Parameters(cout_etp_arm=46500.25, calage="Montant cible",
                                     enveloppe_cible=13_500_000, titre="=Scénario ARS 2014",
                                     note="Données fictives")
    scenario.extra_parameters = [("source", "Source des coûts", "DGOS 2013", None)]
    scenario.extra_sheets = {"Notes": [("Auteur", "Date"), ("ARS", datetime(2014, 3, 1)),
                                       ("+33 4 72", 3.5)]}
    return scenario


def convert(files: list[Path], fmt: str, out: Path, profile: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}", "--convert-to", fmt, "--outdir", str(out),
         *map(str, files)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def resaved(tmp_path_factory, libreoffice_profile):
    root = tmp_path_factory.mktemp("libreoffice")
    originals = root / "originaux"
    originals.mkdir()
    for sample in sorted(SAMPLES.glob("*.xlsx")):
        shutil.copy(sample, originals / sample.name)
    write_scenario(rich_scenario(), originals / "riche.xlsx")
    profile = libreoffice_profile
    files = sorted(originals.glob("*.xlsx"))
    convert(files, "xlsx", root / "xlsx", profile)
    convert([originals / "riche.xlsx"], "xls", root / "xls", profile)
    convert([originals / "riche.xlsx"], "ods", root / "ods", profile)
    return originals, root


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.glob("*.xlsx")) + ["riche.xlsx"])
def test_libreoffice_resaved_file_gives_the_same_scenario(resaved, name):
    originals, root = resaved
    original = open_scenario(originals / name)
    again = open_scenario(root / "xlsx" / name)
    assert again.errors == []
    assert again.scenario.inputs_equal(original.scenario)
    assert again.scenario.parameters == original.scenario.parameters
    assert again.scenario.extra_parameters == original.scenario.extra_parameters
    assert again.scenario.extra_sheets.keys() == original.scenario.extra_sheets.keys()
    for title, rows in original.scenario.extra_sheets.items():
        assert [tuple(r) for r in again.scenario.extra_sheets[title]] == [tuple(r) for r in rows]
    a, b = compute(original.scenario), compute(again.scenario)
    for key, values in a.crra_arrays.items():
        if values.dtype.kind == "f":
            assert np.allclose(values, b.crra_arrays[key], rtol=1e-12, atol=1e-6, equal_nan=True)
        else:
            assert list(values) == list(b.crra_arrays[key])


def test_rich_scenario_survives_libreoffice(resaved):
    _, root = resaved
    back = open_scenario(root / "xlsx" / "riche.xlsx").scenario
    assert back.inputs_equal(rich_scenario())
    assert back.parameters.titre == "=Scénario ARS 2014"
    assert back.crra["Commentaire de l’ARS"].iat[3] == "=SOMME(A1:A3)"
    assert back.extra_sheets["Notes"][2] == ("+33 4 72", 3.5)


def test_real_xls_and_ods_are_refused_by_name(resaved):
    _, root = resaved
    xls = root / "xls" / "riche.xls"
    renamed = root / "xls" / "riche_renomme.xlsx"
    shutil.copy(xls, renamed)
    for path in (xls, renamed):
        with pytest.raises(WorkbookError, match="97-2003"):
            open_scenario(path)
    ods = root / "ods" / "riche.ods"
    renamed = root / "ods" / "riche_renomme.xlsx"
    shutil.copy(ods, renamed)
    for path in (ods, renamed):
        with pytest.raises(WorkbookError, match="OpenDocument"):
            open_scenario(path)
