"""The transition policy « Plafonné » through the whole core: parameters read and typed,
the model (MODEL.md's second worked example to the cent), validation's errors and
warnings, and ``migac compute``'s ``remaining_gap``."""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest
from conftest import worked_example
from test_transition import EXPECTED_CRRA, EXPECTED_FINESS
from test_workbook import base_sheets, save_sheets

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.commands import InvalidValue, coerce_parameter
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.core.validation import errors_of, evaluate, warnings_of
from migac_desktop.io.workbook import read_scenario, write_scenario


def plain(text: str) -> str:
    """French typography (no-break spaces) → plain spaces, to compare messages."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def capped(scenario: Scenario, **values) -> Scenario:
    params = scenario.parameters
    for key, value in {"lissage_mode": "Plafonné", **values}.items():
        params = params.with_value(key, value)
    scenario.parameters = params
    return scenario


def policy_example() -> Scenario:
    """MODEL.md's worked example of the policy: Établissement, losses 3 %, no cap."""
    return capped(worked_example(), perte_max_annuelle=0.03)


# -- the model ---------------------------------------------------------------------------

def test_second_worked_example_to_the_cent():
    problems, results = evaluate(policy_example())
    assert errors_of(problems) == [] and results is not None
    hospitals = results.establishments.set_index("finess")
    for finess, (y14, y15, y16, gap) in EXPECTED_FINESS.items():
        row = hospitals.loc[finess]
        assert [round(row[f"alloc_{y}"], 2) for y in (2014, 2015, 2016)] == [y14, y15, y16]
        assert round(row["remaining_gap"], 2) == gap
    crra = results.crra.set_index("crra_id")
    for crra_id, path in EXPECTED_CRRA.items():
        assert [round(crra.loc[crra_id, f"alloc_{y}"], 2) for y in (2014, 2015, 2016)] == list(path)
    for year in (2014, 2015, 2016):
        assert results.national[f"alloc_{year}"] == pytest.approx(13_300_000, abs=1e-6)
    assert list(results.regions.columns)[-1] == "remaining_gap"
    assert results.national["remaining_gap"] == pytest.approx(0, abs=1e-6)


def test_linear_results_have_no_remaining_gap_and_no_transition():
    results = compute(worked_example())
    assert results.transition is None and not results.capped
    assert "remaining_gap" not in results.crra_arrays
    assert "remaining_gap" not in results.regions.columns
    assert results.linear_trajectory("national") == results.trajectory("national")
    assert results.guarantees("national") == [(0, 0)] * 3


def test_trajectories_and_guarantees_of_the_policy():
    results = compute(policy_example())
    assert results.trajectory("establishment", "010000001") == pytest.approx(
        [1_900_000, 1_843_000.00, 1_787_710.00, 1_734_078.70], abs=0.005)
    assert results.linear_trajectory("crra", "SAMU-A1") == pytest.approx(
        [1_900_000, 1_822_872.56, 1_668_617.67, 1_514_362.78], abs=0.005)
    # 010000001 is floored every year, 010000002 from 2015 (its 2014 linear 3 214 996.63 is
    # above 3 300 000 × 0.97); nobody is capped (no cap set).
    assert results.guarantees("establishment", "010000001") == [(1, 0)] * 3
    assert results.guarantees("region", "Alpha") == [(1, 0), (2, 0), (2, 0)]
    assert results.guarantees("region", "Bêta") == [(0, 0)] * 3
    assert results.guarantees("crra", "SAMU-A2") == [(0, 0), (1, 0), (1, 0)]
    floored, capped_ = results.transition.crra_guarantee(2015)
    assert floored.tolist() == [True, True, False, False] and not capped_.any()


@pytest.mark.parametrize("level, units", [("Région", 2), ("CRRA", 4), ("Établissement", 3)])
def test_each_level_keeps_the_national_total(level, units):
    results = compute(capped(worked_example(), lissage_niveau=level, perte_max_annuelle=0.02,
                             gain_max_annuel=0.04))
    assert len(results.transition.unit_names) == units
    linear = compute(worked_example())
    for year in results.years:
        assert results.national[f"alloc_{year}"] == pytest.approx(linear.national[f"alloc_{year}"],
                                                                  abs=1e-6)


def test_no_bound_equals_linear_exactly():
    linear = compute(worked_example())
    policy = compute(capped(worked_example()))
    for year in linear.years:
        assert np.array_equal(policy.crra_arrays[f"alloc_{year}"], linear.crra_arrays[f"alloc_{year}"])


def test_notified_envelope_applies_after_the_policy():
    scenario = policy_example()
    scenario.envelopes = make_table(schema.ENVELOPES, [dict(region="Alpha", year=2015, amount=5_000_000)])
    results = compute(scenario)
    alpha = results.regions.set_index("region").loc["Alpha"]
    assert alpha["alloc_2015"] == pytest.approx(5_000_000, abs=1e-6)
    # Before the envelope, Alpha held the policy's 1 787 710 + 3 118 546.73.
    assert results.linear_regions(2015)["Alpha"] == pytest.approx(1_787_710.00 + 3_118_546.73, abs=0.01)


# -- validation --------------------------------------------------------------------------

def test_unfinanceable_floors_located_at_the_loss_parameter():
    scenario = capped(worked_example(), perte_max_annuelle=0.0)   # nobody may lose: 2014 floors
    scenario.smoothing = make_table(schema.SMOOTHING, [dict(year=2014, share=0.2),
                                                       dict(year=2015, share=1.0)])
    # Every hospital floored at its historic amount, and the total cut by a target.
    scenario.parameters = scenario.parameters.with_value("calage", "Montant cible").with_value(
        "enveloppe_cible", 12_000_000.0)
    problems, results = evaluate(scenario)
    assert results is None
    (error,) = errors_of(problems)
    assert error.key == "perte_max_annuelle" and error.sheet == "Paramètres" and error.column == "Valeur"
    # 2014: total 13 300 000 + 0.2 × (12 000 000 − 13 300 000) = 13 040 000; floors 13 300 000.
    assert plain(error.message) == ("Lissage plafonné : en 2014, les planchers dépassent l'enveloppe de "
                                    "l'année de 260 000,00 € ; augmentez la perte annuelle maximale "
                             "ou l'enveloppe.")


def test_unfinanceable_caps_located_at_the_gain_parameter():
    scenario = capped(worked_example(), gain_max_annuel=0.0, calage="Montant cible",
                      enveloppe_cible=14_000_000.0)
    problems, _ = evaluate(scenario)
    (error,) = errors_of(problems)
    assert error.key == "gain_max_annuel"
    assert "en 2014, les plafonds n'atteignent pas l'enveloppe de l'année, à 140 000,00 € près" \
        in plain(error.message)


def test_remaining_gap_warning_counts_and_sums_the_units():
    problems, _ = evaluate(policy_example())
    (warning,) = [p for p in warnings_of(problems) if p.key == "lissage_mode"]
    assert plain(warning.message) == (
        "Lissage plafonné : en 2016, 3 établissements n'ont pas atteint leur montant modélisé "
        "(reste à converger : 369 723 € encore à recevoir par 1 ; 369 723 € encore à rendre par 2).")


@pytest.mark.parametrize("key, value", [("perte_max_annuelle", 1.5), ("gain_max_annuel", -0.01)])
def test_bounds_checked_under_linear_too(key, value):
    scenario = worked_example()
    scenario.parameters = scenario.parameters.with_value(key, value)
    (error,) = errors_of(evaluate(scenario)[0])
    assert error.key == key and "comprise entre 0 % et 100 %" in error.message


def test_an_unknown_level_is_an_error():
    scenario = capped(worked_example(), lissage_niveau="Département")
    (error,) = errors_of(evaluate(scenario)[0])
    assert error.key == "lissage_niveau"
    assert error.message == ("lissage_niveau « Département » inconnu : choisissez « Établissement », "
                             "« Région », « CRRA ».")


# -- typed values ------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [("plafonne", "Plafonné"), ("LINÉAIRE", "Linéaire"),
                                             (" Plafonné ", "Plafonné")])
def test_choices_ignore_case_and_accents(typed, expected):
    assert coerce_parameter("lissage_mode", typed) == expected


def test_fractions_typed_as_text_or_number():
    assert coerce_parameter("perte_max_annuelle", "2 %") == pytest.approx(0.02)
    assert coerce_parameter("perte_max_annuelle", 0.02) == 0.02
    assert coerce_parameter("gain_max_annuel", "") is None
    with pytest.raises(InvalidValue, match="entre 0 et 100 %"):
        coerce_parameter("perte_max_annuelle", "150 %")
    with pytest.raises(InvalidValue, match="choisissez parmi « Établissement »"):
        coerce_parameter("lissage_niveau", "Département")


def test_workbook_keys_read_ignoring_case_and_accents(tmp_path):
    sheets = base_sheets()
    for row in sheets["Paramètres"]:
        if row[0] == "lissage_mode":
            row[2] = "PLAFONNE"
        if row[0] == "lissage_niveau":
            row[2] = "etablissement"
        if row[0] == "perte_max_annuelle":
            row[2] = "3 %"
    path = tmp_path / "garanties.xlsx"
    save_sheets(path, sheets)
    loaded = read_scenario(path)
    assert loaded.errors == []
    p = loaded.scenario.parameters
    assert (p.lissage_mode, p.lissage_niveau, p.perte_max_annuelle, p.gain_max_annuel) == \
        ("Plafonné", "Établissement", pytest.approx(0.03), None)


def test_a_file_without_the_policy_keys_opens_as_linear_without_warning(tmp_path):
    sheets = base_sheets()
    new_keys = ("lissage_mode", "lissage_niveau", "perte_max_annuelle", "gain_max_annuel")
    sheets["Paramètres"] = [row for row in sheets["Paramètres"] if row[0] not in new_keys]
    path = tmp_path / "ancien.xlsx"
    save_sheets(path, sheets)
    loaded = read_scenario(path)
    assert loaded.errors == [] and loaded.warnings == []
    assert loaded.scenario.parameters.lissage_mode == "Linéaire"


def test_policy_parameters_round_trip(tmp_path):
    path = tmp_path / "garanties.xlsx"
    scenario = capped(worked_example(), lissage_niveau="Région", perte_max_annuelle=0.02,
                      gain_max_annuel=0.05)
    write_scenario(scenario, path)
    back = read_scenario(path).scenario.parameters
    assert back == scenario.parameters


# -- migac compute -----------------------------------------------------------------------

def test_compute_writes_remaining_gap_last(tmp_path, capsys):
    path = tmp_path / "garanties.xlsx"
    write_scenario(policy_example(), path)
    assert cli.main(["compute", str(path), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "Avertissement" in err and "reste à converger" in err
    for name, key in (("crra.csv", "crra_id"), ("regions.csv", "region"),
                      ("establishments.csv", "finess")):
        with open(tmp_path / "out" / name, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert list(rows[0])[-2:] == ["alloc_2016", "remaining_gap"], name
        for row in rows:
            gap = float(row["modelled"]) - float(row["alloc_2016"])
            assert math.isclose(float(row["remaining_gap"]), gap, abs_tol=1e-6), (name, row[key])
    with open(tmp_path / "out" / "establishments.csv", encoding="utf-8", newline="") as handle:
        gaps = {r["finess"]: round(float(r["remaining_gap"]), 2) for r in csv.DictReader(handle)}
    assert gaps == {f: expected[3] for f, expected in EXPECTED_FINESS.items()}


def test_compute_refuses_an_unfinanceable_policy_in_french(tmp_path, capsys):
    scenario = capped(worked_example(), gain_max_annuel=0.0, calage="Montant cible",
                      enveloppe_cible=14_000_000.0)
    path = tmp_path / "plafonds.xlsx"
    write_scenario(scenario, path)
    assert cli.main(["compute", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "feuille « Paramètres »" in err and "Lissage plafonné : en 2014" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
