"""The model against MODEL.md: the worked example to the cent, and each step."""

import math

import numpy as np
import pytest

from migac_desktop.core import schema
from migac_desktop.core.model import ModelError, compute
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.core.validation import computed

# MODEL.md's worked example, column by column.
EXPECTED = {
    "SAMU-A1": dict(tranche="T1", base=1_477_500, raw=1_477_500, modelled=1_514_362.78,
                    effect=-385_637.22, a2014=1_822_872.56, a2015=1_668_617.67, a2016=1_514_362.78),
    "SAMU-A2": dict(tranche="T3", base=2_805_000, raw=2_805_000, modelled=2_874_983.14,
                    effect=-425_016.86, a2014=3_214_996.63, a2015=3_044_989.89, a2016=2_874_983.14),
    "SAMU-B1": dict(tranche="T5", base=4_600_000, raw=4_922_000, modelled=5_044_801.08,
                    effect=44_801.08, a2014=5_008_960.22, a2015=5_026_880.65, a2016=5_044_801.08),
    "SAMU-B2": dict(tranche="T4", base=3_525_000, raw=3_771_750, modelled=3_865_853.00,
                    effect=765_853.00, a2014=3_253_170.60, a2015=3_559_511.80, a2016=3_865_853.00),
}


def cents(x):
    return round(x, 2)


def test_worked_example_per_crra(example):
    results = compute(example)
    assert results.calibration_factor == pytest.approx(13_300_000 / 12_976_250)
    assert round(results.calibration_factor, 9) == 1.024949427
    crra = results.crra.set_index("crra_id")
    for ident, exp in EXPECTED.items():
        row = crra.loc[ident]
        assert row["tranche"] == exp["tranche"]
        assert cents(row["base_cost"]) == exp["base"]
        assert cents(row["raw_amount"]) == exp["raw"]
        assert cents(row["modelled"]) == exp["modelled"]
        assert cents(row["revenue_effect"]) == exp["effect"]
        assert cents(row["alloc_2014"]) == exp["a2014"]
        assert cents(row["alloc_2015"]) == exp["a2015"]
        assert cents(row["alloc_2016"]) == exp["a2016"]


def test_worked_example_regions_and_hospital(example):
    results = compute(example)
    regions = results.regions.set_index("region")
    assert cents(regions.loc["Alpha", "historic"]) == 5_200_000
    assert cents(regions.loc["Alpha", "modelled"]) == 4_389_345.92
    assert cents(regions.loc["Alpha", "revenue_effect"]) == -810_654.08
    assert round(regions.loc["Alpha", "revenue_effect_pct"] * 100, 2) == -15.59
    assert cents(regions.loc["Alpha", "alloc_2014"]) == 5_037_869.18
    assert cents(regions.loc["Bêta", "modelled"]) == 8_910_654.08
    assert cents(regions.loc["Bêta", "revenue_effect"]) == 810_654.08
    assert round(regions.loc["Bêta", "revenue_effect_pct"] * 100, 2) == 10.01
    assert cents(regions.loc["Bêta", "alloc_2014"]) == 8_262_130.82
    hospital = results.establishments.set_index("finess").loc["020000001"]
    assert hospital["n_crra"] == 2
    assert hospital["region"] == "Bêta"
    for col in ("historic", "modelled", "revenue_effect", "alloc_2014", "alloc_2015", "alloc_2016"):
        assert hospital[col] == pytest.approx(regions.loc["Bêta", col], abs=1e-6)
    # Budget-neutral péréquation: the nation keeps its envelope.
    assert results.national["modelled"] == pytest.approx(13_300_000, abs=1e-6)


def test_override_replaces_band_staff(example):
    crra = compute(example).crra.set_index("crra_id")
    assert crra.loc["SAMU-B1", "etp_arm"] == 40  # override; band T5 says 42
    assert crra.loc["SAMU-B1", "etp_mr"] == 20   # band T5
    assert crra.loc["SAMU-B1", "staff_cost"] == 40 * 45000 + 20 * 110000 + 60000


def test_boundary_belongs_to_upper_band(example):
    example.crra.loc[0, "drm"] = 50000
    assert compute(example).crra["tranche"].iat[0] == "T2"
    example.crra.loc[0, "drm"] = 49999.99
    assert compute(example).crra["tranche"].iat[0] == "T1"


def test_calibration_target_and_none(example):
    example.parameters = example.parameters.with_value("calage", "Montant cible").with_value(
        "enveloppe_cible", 20_000_000.0)
    results = compute(example)
    assert results.national["modelled"] == pytest.approx(20_000_000)
    example.parameters = example.parameters.with_value("calage", "Aucun")
    results = compute(example)
    assert results.calibration_factor == 1.0
    assert results.national["modelled"] == pytest.approx(12_976_250)


def test_notified_envelope_rescales_region_year(example):
    example.envelopes = make_table(schema.ENVELOPES, [dict(region="Alpha", year=2014, amount=5_100_000)])
    results = compute(example)
    regions = results.regions.set_index("region")
    assert regions.loc["Alpha", "alloc_2014"] == pytest.approx(5_100_000)
    # Shared in proportion to the smoothed amounts; other years and regions untouched.
    crra = results.crra.set_index("crra_id")
    ratio = 5_100_000 / 5_037_869.18
    assert crra.loc["SAMU-A1", "alloc_2014"] == pytest.approx(1_822_872.56 * ratio, abs=0.01)
    assert regions.loc["Alpha", "alloc_2015"] == pytest.approx(1_668_617.67 + 3_044_989.89, abs=0.01)
    assert cents(regions.loc["Bêta", "alloc_2014"]) == 8_262_130.82
    assert results.notified == {("Alpha", 2014): 5_100_000}


def test_region_percentage_from_sums_not_average(example):
    regions = compute(example).regions.set_index("region")
    crra = compute(example).crra
    alpha = crra[crra["region"] == "Alpha"]
    mean_of_pcts = alpha["revenue_effect_pct"].mean()
    assert regions.loc["Alpha", "revenue_effect_pct"] == pytest.approx(-810_654.08 / 5_200_000, abs=1e-8)
    assert not math.isclose(regions.loc["Alpha", "revenue_effect_pct"], mean_of_pcts, rel_tol=1e-6)


def test_zero_historic_gives_undefined_percentage(example):
    example.crra.loc[0, "historic"] = 0.0
    results = compute(example)
    assert np.isnan(results.crra["revenue_effect_pct"].iat[0])
    assert not np.isnan(results.crra["revenue_effect_pct"].iat[1])


def test_four_year_smoothing_and_custom_bands(example):
    example.smoothing = make_table(schema.SMOOTHING, [
        dict(year=2014, share=0.25), dict(year=2015, share=0.5),
        dict(year=2016, share=0.75), dict(year=2017, share=1.0)])
    example.bands = make_table(schema.BANDS, [
        dict(drm_min=0, etp_arm=10, etp_mr=5), dict(drm_min=120000, etp_arm=30, etp_mr=14)])
    results = compute(example)
    assert results.years == [2014, 2015, 2016, 2017]
    crra = results.crra.set_index("crra_id")
    assert list(crra["tranche"]) == ["T1", "T1", "T2", "T2"]
    row = crra.loc["SAMU-A2"]
    assert row["alloc_2015"] == pytest.approx(row["historic"] + 0.5 * row["revenue_effect"])
    assert row["alloc_2017"] == pytest.approx(row["modelled"])


def test_trajectory_national_region_crra(example):
    results = compute(example)
    assert results.trajectory("region", "Alpha") == pytest.approx(
        [5_200_000, 5_037_869.18, 4_713_607.56, 4_389_345.92], abs=0.01)
    assert results.target("crra", "SAMU-B2") == pytest.approx(3_865_853.00, abs=0.01)
    assert results.trajectory("national")[0] == 13_300_000


def test_compute_refuses_invalid_scenario(example):
    example.crra.loc[1, "drm"] = -5
    with pytest.raises(ModelError) as info:
        computed(example)
    assert any(p.sheet == "CRRA" and p.row == 3 and p.column == "DRM" for p in info.value.problems)


def test_two_hundred_thousand_crra_aggregate_by_region():
    n = 200_000
    rng = np.random.default_rng(1)
    rows = dict(crra_id=[f"C{i}" for i in range(n)], region=[f"R{i % 26}" for i in range(n)],
                finess=[f"{i:09d}" for i in range(n)], drm=rng.integers(8000, 480000, n).astype(float),
                historic=rng.integers(500_000, 9_000_000, n).astype(float))
    import pandas as pd
    crra = make_table(schema.CRRA, [])
    frame = pd.DataFrame({c: rows.get(c, np.nan if schema.CRRA.column(c).numeric else "")
                          for c in crra.columns})
    frame["geo_coef"] = 0.0
    results = compute(Scenario(crra=frame))
    assert len(results.regions) == 26
    assert results.national["modelled"] == pytest.approx(results.national["historic"])
