"""The committed sample scenarios (samples/*.xlsx): they open, compute and say what they are.

No Qt: the files are read with the application's workbook reader and computed with the
core model. ``samples/make_samples.py`` regenerates them; the last test checks that it
still gives the committed data.
"""

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
from conftest import REGIONS_2014

from migac_desktop.core.model import compute
from migac_desktop.core.validation import errors_of
from migac_desktop.io.workbook import open_scenario

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NATIONAL = SAMPLES / "scenario_national_2014.xlsx"
REGIONAL = SAMPLES / "scenario_region.xlsx"
EXAMPLE = SAMPLES / "exemple_modele.xlsx"
GUARANTEES = SAMPLES / "scenario_garanties.xlsx"

GEO = {"Île-de-France": 0.07, "Corse": 0.08, "Guadeloupe": 0.26, "Martinique": 0.26,
       "Guyane": 0.26, "Océan Indien": 0.31}


def finess_valid(finess: str) -> bool:
    """9 characters, Luhn key over the first 8 (Corsica: 2A -> 19, 2B -> 18)."""
    if len(finess) != 9:
        return False
    body = {"2A": "19", "2B": "18"}.get(finess[:2], finess[:2]) + finess[2:]
    if not body.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(body)):     # key included: Luhn sum must end in 0
        d = int(ch) * (2 if i % 2 == 1 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def load(path):
    loaded = open_scenario(path)
    assert not errors_of(loaded.problems), [str(p) for p in loaded.problems]
    return loaded.scenario


@pytest.fixture(scope="module")
def national():
    scenario = load(NATIONAL)
    return scenario, compute(scenario)


@pytest.fixture(scope="module")
def regional():
    scenario = load(REGIONAL)
    return scenario, compute(scenario)


def test_finess_key_helper():
    assert finess_valid("750712184")        # AP-HP, a real FINESS
    assert finess_valid("760780239")        # CHU de Rouen, a real FINESS
    assert not finess_valid("760780238")
    assert not finess_valid("76078023")


def test_national_regions_and_crra(national):
    scenario, results = national
    crra = scenario.crra
    assert set(crra["region"]) == set(REGIONS_2014) and len(results.regions) == 26
    assert 95 <= len(crra) <= 110
    assert crra["crra_id"].is_unique
    assert {"SAMU-075", "SAMU-02A", "SAMU-02B", "SAMU-971", "SAMU-976"} <= set(crra["crra_id"])
    assert crra["departement"].is_unique
    assert (crra["etp_arm_override"].isna() & crra["etp_mr_override"].isna()).all()


def test_national_activity(national):
    crra = national[0].crra
    drm = crra["drm"].to_numpy()
    assert drm.min() >= 8_000 and drm.max() <= 480_000
    assert 13e6 <= drm.sum() <= 15e6
    assert crra.loc[crra["drm"].idxmax(), "crra_id"] == "SAMU-075"


def test_national_historic_total_exact(national):
    scenario, results = national
    historic = scenario.crra["historic"].to_numpy()
    assert (historic == np.round(historic)).all()
    assert int(historic.sum()) == 227_730_000
    assert math.isclose(results.national["modelled"], 227_730_000, abs_tol=1e-3)


def test_national_geo_coefficients(national):
    crra = national[0].crra
    for region, coef in zip(crra["region"], crra["geo_coef"].fillna(0.0)):
        assert coef == pytest.approx(GEO.get(region, 0.0), abs=1e-12), region


def test_national_finess(national):
    crra = national[0].crra
    invalid = [f for f in crra["finess"] if not finess_valid(f)]
    assert not invalid
    per_finess = crra.groupby("finess").agg(n=("crra_id", "size"), regions=("region", "nunique"))
    shared = per_finess[per_finess["n"] == 2]
    assert 3 <= len(shared) <= 5 and (per_finess["n"] <= 2).all()
    assert (per_finess["regions"] == 1).all()
    assert set(crra[crra["region"] == "Corse"]["finess"].str[:2]) == {"2A", "2B"}
    for dept, finess in zip(crra["departement"], crra["finess"]):
        if dept.startswith("97"):
            assert finess.startswith(dept)


def test_national_winners_and_losers(national):
    results = national[1]
    pct = results.regions["revenue_effect_pct"]
    assert (pct > 0.04).any() and (pct < -0.04).any()
    assert pct.abs().max() <= 0.16
    crra_pct = results.crra["revenue_effect_pct"]
    assert (crra_pct > 0).sum() > 20 and (crra_pct < 0).sum() > 20


def test_national_says_fictitious(national):
    p = national[0].parameters
    assert "fictives" in p.titre
    assert "fictives" in p.note.lower() and "DGOS" in p.note
    assert p.calage == "Enveloppe historique"


def test_regional_file(national, regional):
    scenario, results = regional
    crra = scenario.crra
    assert crra["region"].nunique() == 1
    region = crra["region"].iat[0]
    assert region in REGIONS_2014 and region in scenario.parameters.titre
    assert "fictives" in scenario.parameters.titre
    overrides = crra["etp_arm_override"].notna().sum() + crra["etp_mr_override"].notna().sum()
    assert overrides == 2
    assert crra["etp_arm_override"].notna().sum() == 1
    assert crra["etp_mr_override"].notna().sum() == 1
    # Same data as the national file, overrides aside.
    nat = national[0].crra.set_index("crra_id")
    for col in ("label", "finess", "establishment", "drm", "geo_coef", "historic"):
        assert list(nat.loc[list(crra["crra_id"]), col]) == list(crra[col]), col
    # Calibrated on the region's modelled amount of the national computation.
    p = scenario.parameters
    assert p.calage == "Montant cible"
    nat_region = national[1].regions.set_index("region").loc[region]
    assert p.enveloppe_cible == round(nat_region["modelled"])
    # The notified envelope: present, close to but not the national smoothed amount,
    # and what the region receives to the cent.
    env = scenario.envelopes
    assert len(env) == 1 and env["region"].iat[0] == region and int(env["year"].iat[0]) == 2014
    amount = float(env["amount"].iat[0])
    assert amount != round(nat_region["alloc_2014"], 2)
    assert abs(amount - nat_region["alloc_2014"]) <= 1000
    alloc = float(results.regions.set_index("region").loc[region, "alloc_2014"])
    assert round(alloc, 2) == round(amount, 2)


def test_example_reproduces_model_md():
    scenario = load(EXAMPLE)
    assert scenario.parameters.titre == "Exemple du modèle (MODEL.md)"
    results = compute(scenario)
    crra = results.crra.set_index("crra_id")
    expected = {"SAMU-A1": 1_514_362.78, "SAMU-A2": 2_874_983.14,
                "SAMU-B1": 5_044_801.08, "SAMU-B2": 3_865_853.00}
    for ident, modelled in expected.items():
        assert round(crra.loc[ident, "modelled"], 2) == modelled, ident
    assert list(crra["tranche"]) == ["T1", "T3", "T5", "T4"]
    regions = results.regions.set_index("region")
    assert round(regions.loc["Alpha", "alloc_2014"], 2) == 5_037_869.18
    assert round(regions.loc["Bêta", "alloc_2014"], 2) == 8_262_130.82
    assert round(results.calibration_factor, 9) == 1.024949427
    est = results.establishments.set_index("finess")
    assert round(est.loc["020000001", "alloc_2014"], 2) == 8_262_130.82


def test_guarantees_file(national):
    """The national scenario with « Plafonné »: losses capped at 2 % per hospital."""
    scenario = load(GUARANTEES)
    p = scenario.parameters
    assert (p.lissage_mode, p.lissage_niveau, p.perte_max_annuelle, p.gain_max_annuel) == (
        "Plafonné", "Établissement", 0.02, None)
    assert "2\u00a0% par établissement" in p.titre and "fictives" in p.titre
    assert "fictives" in p.note.lower() and "DGOS" in p.note
    assert scenario.crra.equals(national[0].crra)
    results = compute(scenario)
    policy = results.transition.policy
    assert policy.unfinanceable is None
    floored = [int(y.floored.sum()) for y in policy.years]
    assert all(n > 0 for n in floored), floored      # the guarantee binds every year
    # no hospital loses more than 2 % of its previous year's allocation
    for year in policy.years:
        assert (year.final >= year.prev * 0.98 - 0.01).all()
    # each year's national total is the linear one
    for year in results.years:
        assert results.national[f"alloc_{year}"] == pytest.approx(
            national[1].national[f"alloc_{year}"], abs=0.01)
    assert results.establishments["remaining_gap"].abs().max() > 1000


def _generator():
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_matches_committed_files():
    gen = _generator()
    first, second = gen.national_scenario(), gen.national_scenario()
    assert first.inputs_equal(second)
    assert first.inputs_equal(load(NATIONAL))
    assert gen.regional_scenario(first).inputs_equal(load(REGIONAL))
    assert gen.example_scenario().inputs_equal(load(EXAMPLE))
    assert gen.guarantees_scenario(first).inputs_equal(load(GUARANTEES))
