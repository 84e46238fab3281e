"""Sensitivity (tornado) and ``migac sensitivity``: every figure is the model's on the
varied scenario, rebuilt here independently of the code under test."""

from __future__ import annotations

import csv
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from migac_desktop import cli
from migac_desktop.core import sensitivity
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Scenario
from migac_desktop.core.units import UnitError
from migac_desktop.io.workbook import read_scenario, write_scenario

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from conftest import worked_example  # noqa: E402

from benchmarks.synthetic import synthetic_scenario  # noqa: E402

NATIONAL = REPO / "samples" / "scenario_national_2014.xlsx"
PARAMS = ("cout_etp_arm", "cout_etp_mr", "cout_etp_encadrement", "etp_encadrement_par_crra",
          "frais_fixes_crra", "frais_par_drm")


def reference(scenario: Scenario, parameter: str, factor: float):
    """The model on the scenario with one parameter multiplied, built by hand."""
    varied = scenario.copy()
    if parameter in ("ref_etp_arm", "ref_etp_mr"):
        column = parameter[4:]
        varied.bands[column] = varied.bands[column] * factor
    else:
        varied.parameters = varied.parameters.with_value(
            parameter, getattr(scenario.parameters, parameter) * factor)
    return compute(varied)


def unit_sum(results, column, level, key):
    field = {"region": "region", "establishment": "finess", "crra": "crra_id"}[level]
    return float(results.crra_arrays[column][results.crra_arrays[field] == key].sum())


@pytest.fixture(scope="module")
def national() -> Scenario:
    return read_scenario(NATIONAL).scenario


@pytest.mark.parametrize("output", ["modelled", "revenue_effect", "alloc_2014"])
def test_tornado_bars_equal_the_model_on_the_varied_scenario(national, output):
    run = sensitivity.sweep(national, 0.1)
    before = national.copy()
    units = [("region", "Bretagne"), ("establishment", national.crra["finess"].iat[40]),
             ("crra", national.crra["crra_id"].iat[7])]
    for level, key in units:
        tornado = run.tornado(output, level, key)
        assert tornado.base == pytest.approx(unit_sum(run.base, output, level, key), abs=1e-6)
        assert sorted(b.parameter for b in tornado.bars) == sorted(sensitivity.PARAMETERS)
        for bar in tornado.bars:
            low = unit_sum(reference(national, bar.parameter, 0.9), output, level, key)
            high = unit_sum(reference(national, bar.parameter, 1.1), output, level, key)
            assert abs(bar.low - low) <= 0.01 and abs(bar.high - high) <= 0.01, bar.parameter
        effects = [b.effect for b in tornado.bars]
        assert effects == sorted(effects, reverse=True) and effects[0] > 100
        assert not tornado.flat and tornado.note is None
    assert national.inputs_equal(before)          # the sweep never touched the scenario


def test_bar_inputs_are_the_values_used(national):
    bars = {b.parameter: b for b in sensitivity.tornado(national, "modelled", "region", "Corse",
                                                        variation=0.25).bars}
    assert bars["cout_etp_arm"].base_input == 45_000
    assert bars["cout_etp_arm"].low_input == pytest.approx(33_750)
    assert bars["cout_etp_arm"].high_input == pytest.approx(56_250)
    assert (bars["ref_etp_mr"].low_input, bars["ref_etp_mr"].high_input) == (0.75, 1.25)
    assert bars["frais_par_drm"].label == "Frais de fonctionnement par DRM"


def test_national_total_under_historic_calibration_is_said_flat(national):
    tornado = sensitivity.tornado(national, "modelled", "national")
    assert tornado.flat
    assert all(b.effect < 0.01 for b in tornado.bars)
    assert "Enveloppe historique" in tornado.note and "227 730 000" in tornado.note.replace("\u00a0", " ")
    # Without calibration the national total moves: no note.
    free = national.copy()
    free.parameters = free.parameters.with_value("calage", "Aucun")
    moving = sensitivity.tornado(free, "modelled", "national")
    assert not moving.flat and moving.note is None
    assert moving.bars[0].effect > 100_000


def test_sweep_serves_every_unit_without_recomputing(national):
    run = sensitivity.sweep(national)
    assert len(run.results) == 16 and not run.refused
    a = run.tornado("modelled", "region", "Alsace")
    b = run.tornado("modelled", "region", "Corse")
    assert a.base != b.base


@pytest.mark.parametrize("variation", [0, 1, -0.1, 1.5, float("nan")])
def test_variation_outside_open_unit_interval_refused(variation):
    with pytest.raises(sensitivity.SensitivityError, match="entre 0 et 1 exclus"):
        sensitivity.sweep(worked_example(), variation)


def test_unknown_unit_or_output_said_in_french():
    run = sensitivity.sweep(worked_example())
    with pytest.raises(UnitError, match="région « Gamma »"):
        run.tornado("modelled", "region", "Gamma")
    with pytest.raises(UnitError, match="résultat « alloc_2030 » inconnu"):
        run.tornado("alloc_2030", "region", "Alpha")


def refused_scenario() -> Scenario:
    """No gain allowed, no calibration: raising a staff cost by 10 % lifts the raw total
    above the historic one, which the caps cannot reach (the policy cannot be financed)."""
    scenario = worked_example()
    params = scenario.parameters
    for key, value in (("lissage_mode", "Plafonné"), ("gain_max_annuel", 0.0), ("calage", "Aucun")):
        params = params.with_value(key, value)
    scenario.parameters = params
    return scenario


def test_a_refused_variation_is_kept_not_raised():
    run = sensitivity.sweep(refused_scenario())
    assert ("cout_etp_arm", "high") in run.refused and ("cout_etp_arm", "low") in run.results
    variation, problems = run.first_refusal()
    assert (variation.parameter, variation.direction) == ("cout_etp_arm", "high")
    assert "Lissage plafonné" in problems[0].message
    bar = next(b for b in run.tornado("modelled", "region", "Alpha").bars if b.parameter == "cout_etp_arm")
    assert bar.high is None and bar.low is not None and "haute refusée" in bar.refusal


# -- migac sensitivity ----------------------------------------------------------------------

def read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames), list(reader)


def test_cli_sensitivity_on_an_unseen_scenario(tmp_path, capsys):
    scenario = synthetic_scenario(300, seed=11)
    scenario.parameters = scenario.parameters.with_value("lissage_mode", "Plafonné") \
        .with_value("perte_max_annuelle", 0.05)
    path = tmp_path / "inconnu.xlsx"
    write_scenario(scenario, path)
    out = tmp_path / "out"
    assert cli.main(["sensitivity", str(path), "--out", str(out), "--variation", "0,2"]) == 0
    assert "sensitivity.csv" in capsys.readouterr().out
    header, rows = read_csv(out / "sensitivity.csv")
    assert header == ["parameter", "direction", "value", "level", "key", "modelled",
                      "revenue_effect", "alloc_2014", "alloc_2015", "alloc_2016"]
    # The reference: the workbook read back, varied by hand, computed by the model.
    reread = read_scenario(path).scenario
    regions = list(dict.fromkeys(reread.crra["region"]))
    hospitals = list(dict.fromkeys(reread.crra["finess"]))
    units = [("region", r) for r in regions] + [("establishment", f) for f in hospitals]
    blocks = [("base", "base", None)] + [(p, d, f) for p in PARAMS + ("ref_etp_arm", "ref_etp_mr")
                                         for d, f in (("low", 0.8), ("high", 1.2))]
    assert len(rows) == len(blocks) * len(units)
    for index, (parameter, direction, factor) in enumerate(blocks):
        results = compute(reread) if factor is None else reference(reread, parameter, factor)
        chunk = rows[index * len(units):(index + 1) * len(units)]
        for row, (level, key) in zip(chunk, units):
            assert (row["parameter"], row["direction"], row["level"], row["key"]) == \
                (parameter, direction, level, key)
            if factor is None:
                assert row["value"] == ""
            elif parameter.startswith("ref_"):
                assert float(row["value"]) == factor
            else:
                assert float(row["value"]) == pytest.approx(getattr(reread.parameters, parameter) * factor)
            for column in header[5:]:
                expected = unit_sum(results, column, level, key)
                assert abs(float(row[column]) - expected) <= 0.01, (parameter, direction, key, column)


@pytest.mark.parametrize("value", ["0", "1", "-0.1", "10 %0", "abc", "1,5"])
def test_cli_variation_outside_zero_one_exits_2_in_french(tmp_path, capsys, value):
    path = tmp_path / "exemple.xlsx"
    write_scenario(worked_example(), path)
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out"),
                     f"--variation={value}"]) == 2
    err = capsys.readouterr().err
    assert "--variation doit être un nombre compris entre 0 et 1 exclus" in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_cli_variation_as_a_percentage(tmp_path):
    path = tmp_path / "exemple.xlsx"
    write_scenario(worked_example(), path)
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out"),
                     "--variation", "5 %"]) == 0
    _, rows = read_csv(tmp_path / "out" / "sensitivity.csv")
    arm = next(r for r in rows if r["parameter"] == "cout_etp_arm" and r["direction"] == "low")
    assert float(arm["value"]) == pytest.approx(45_000 * 0.95)


def test_cli_refused_variation_names_parameter_and_direction(tmp_path, capsys):
    path = tmp_path / "plafonds.xlsx"
    write_scenario(refused_scenario(), path)
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "paramètre cout_etp_arm, variation haute (direction high, × 1,1)" in err
    assert "Lissage plafonné" in err and "Traceback" not in err
    assert not (tmp_path / "out" / "sensitivity.csv").exists()


def test_cli_invalid_scenario_exits_2_like_compute(tmp_path, capsys):
    scenario = worked_example()
    scenario.crra.loc[0, "drm"] = -5.0
    path = tmp_path / "faux.xlsx"
    write_scenario(scenario, path)
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Erreur — feuille « CRRA »" in err and "aucun résultat calculé" in err


def test_cli_text_keys_are_neutralised(tmp_path):
    scenario = worked_example()
    scenario.crra["region"] = scenario.crra["region"].replace({"Alpha": "=Alpha"})
    path = tmp_path / "formule.xlsx"
    write_scenario(scenario, path)
    assert cli.main(["sensitivity", str(path), "--out", str(tmp_path / "out")]) == 0
    _, rows = read_csv(tmp_path / "out" / "sensitivity.csv")
    assert rows[0]["key"] == "'=Alpha" and rows[1]["key"] == "Bêta"
    assert not math.isnan(float(rows[0]["modelled"]))
    assert np.isclose(float(rows[0]["modelled"]), 4_389_345.92, atol=0.01)
