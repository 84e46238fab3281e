"""The live workbook of the transition policy « Plafonné » (issue 13).

With `lissage_mode` = « Plafonné », the sheet « Lissage plafonné » computes the policy in
formulas, and « Résultats CRRA » shares each unit's allocation among its CRRA before the
notified envelopes. LibreOffice, headless, recomputes the saved workbooks of the sample
``scenario_garanties.xlsx`` and of random scenarios (every level, floors only, caps only,
both, notified envelopes), their cached values removed first, and after inputs typed in
LibreOffice; every figure must equal :func:`compute` to 0.01 €. One ``soffice`` run
recomputes all the files, one more types the edits.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from conftest import worked_example
from test_live_workbook import (
    EURO_TOLERANCE,
    SOFFICE,
    Diff,
    compare_with_model,
    libreoffice_edit,
    libreoffice_recalc,
    needs_libreoffice,
    random_scenario,
    strip_cached_values,
    unsafe_names_scenario,
)

from migac_desktop.core import schema
from migac_desktop.core.model import alloc_key, compute
from migac_desktop.core.validation import errors_of, validate
from migac_desktop.io import formulas, policy_formulas
from migac_desktop.io.workbook import open_scenario, write_scenario

REPO = Path(__file__).resolve().parents[1]
GUARANTEES = REPO / "samples" / "scenario_garanties.xlsx"
POLICY_SEEDS = tuple(range(30))
LEVELS = schema.POLICY_LEVELS
BOUNDS = ("floors", "caps", "both")
PARAMETER_ROW = {spec.key: i + 2 for i, spec in enumerate(schema.PARAMETERS)}


# -- scenarios ---------------------------------------------------------------------------

def policy_scenario(seed: int, n: int | None = None, level: str | None = None,
                    bounds: str | None = None):
    """A random scenario (envelopes on even seeds) with « Plafonné »: the level cycles with
    the seed, then floors only, caps only or both; bounds drawn among the units' own yearly
    changes until the policy is financeable and binds (units floored or capped some year).
    A random scenario where it cannot (one region that doubles in a year) is replaced by
    the next one of the same parity."""
    level = level or LEVELS[seed % 3]
    bounds = bounds or BOUNDS[(seed // 3) % 3]
    for attempt in range(8):
        scenario = _bounded(random_scenario(seed + 1000 * attempt, n=n), level, bounds,
                            np.random.default_rng(7000 + seed))
        if scenario is not None:
            return scenario
    raise AssertionError(f"aucune politique finançable et active pour la graine {seed}")


def _bounded(base, level: str, bounds: str, rng):
    losses, gains = _yearly_changes(base, level)
    for _ in range(30):
        loss = _drawn(losses, rng.uniform(0.1, 1.1)) if bounds != "caps" else None
        gain = _drawn(gains, rng.uniform(0.3, 1.2)) if bounds != "floors" else None
        scenario = base.copy()
        p = scenario.parameters
        for key, value in (("lissage_mode", schema.CAPPED), ("lissage_niveau", level),
                           ("perte_max_annuelle", loss), ("gain_max_annuel", gain)):
            p = p.with_value(key, value)
        scenario.parameters = p
        if errors_of(validate(scenario)):
            continue
        t = compute(scenario).transition
        if any(y.guaranteed.any() for y in t.policy.years):
            return scenario
    return None


def _drawn(changes: np.ndarray, q: float) -> float:
    """A quantile of the changes, or beyond the largest for ``q`` > 1, rounded."""
    if not len(changes):
        return 0.01
    return min(1.0, round(float(np.quantile(changes, min(q, 1.0))) * max(q, 1.0), 4))


def _yearly_changes(scenario, level: str) -> tuple[np.ndarray, np.ndarray]:
    """The units' yearly losses and gains under « Linéaire », as fractions (in [0, 1])."""
    results = compute(scenario)
    key = {"Établissement": "finess", "Région": "region", "CRRA": "crra_id"}[level]
    frame = results.crra.groupby(key, sort=False)[
        ["historic"] + [alloc_key(y) for y in results.years]].sum().to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (frame[:, 1:] / frame[:, :-1] - 1).ravel()
    change = change[np.isfinite(change)]
    return np.clip(-change[change < 0], 0, 1), np.clip(change[change > 0], 0, 1)


def example_capped():
    """MODEL.md's second worked example: « Établissement », losses capped at 3 %."""
    scenario = worked_example()
    scenario.parameters = (scenario.parameters.with_value("lissage_mode", schema.CAPPED)
                           .with_value("perte_max_annuelle", 0.03))
    return scenario


# -- comparing the policy's sheet --------------------------------------------------------

def zero_linear():
    """A unit whose linear allocation is 0 (no historic amount, first share 0 %): its CRRA
    share its allocation equally; it has no bound (nothing the year before)."""
    scenario = example_capped()
    crra = scenario.crra.copy()
    for ident in ("SAMU-C1", "SAMU-C2"):
        crra.loc[len(crra)] = dict(crra.iloc[0], crra_id=ident, finess="030000001",
                                   establishment="CH C", region="Gamma", historic=0.0)
    scenario.crra = crra
    smoothing = scenario.smoothing.copy()
    smoothing.loc[0, "share"] = 0.0
    scenario.smoothing = smoothing
    assert not errors_of(validate(scenario))
    return scenario


def compare_policy(path: Path, scenario, diff: Diff) -> Diff:
    """« Lissage plafonné » and the « Reste à converger » of « Trajectoires » against the
    engine (the four other sheets: :func:`compare_with_model`)."""
    results = compute(scenario)
    t = results.transition
    wb = openpyxl.load_workbook(path, data_only=True)
    rows = list(wb[schema.POLICY_SHEET].iter_rows(values_only=True))
    keys = policy_layout_keys(results)
    col = {k: i for i, k in enumerate(keys)}
    assert [r[0] for r in rows[1:len(t.unit_names) + 1]] == list(t.unit_names)
    assert rows[len(t.unit_names) + 1][0] == "Total national"
    fin_first = len(t.unit_names) + 4
    for year, unit in zip(results.years, t.policy.years):
        for field, want in (("prev", unit.prev), ("linear", unit.linear), ("floor", unit.floor),
                            ("cap", unit.cap), ("clipped", unit.clipped), ("gain", unit.gain),
                            ("loss", unit.loss), ("alloc", unit.final)):
            c = col[policy_formulas.year_key(field, year)]
            for i, w in enumerate(want):
                diff.number(rows[i + 1][c], w, field, f"{schema.POLICY_SHEET} {rows[i + 1][0]}")
        c = col[policy_formulas.year_key("alloc", year)]
        lines = {k: rows[fin_first + i][c] for i, k in enumerate(policy_formulas.FINANCING_KEYS)}
        assert lines["theta"] == pytest.approx(unit.theta, abs=1e-9)
        assert lines["phi"] == pytest.approx(unit.phi, abs=1e-9)
        assert lines["room_rate"] == pytest.approx(unit.room_rate, abs=1e-9)
        diff.number(lines["net"], unit.net_cost, "net", f"N {year}")
        diff.number(lines["shortfall"], unit.shortfall, "shortfall", f"non financé {year}")
    # « Reste à converger », last column of « Trajectoires »: national, regions, …, CRRA.
    traj = list(wb["Trajectoires"].iter_rows(values_only=True))
    assert traj[0][-1] == "Reste à converger"
    want = [results.national["remaining_gap"]]
    for frame in (results.regions, results.establishments, results.crra):
        want += frame["remaining_gap"].tolist()
    for row, w in zip(traj[1:], want):
        diff.number(row[-1], w, "remaining_gap", f"Trajectoires {row[0]} {row[1]}")
    return diff


def policy_layout_keys(results) -> tuple[str, ...]:
    layout = policy_formulas.PolicyLayout(
        level=results.transition.level_key, n_units=len(results.transition.unit_names),
        n_crra=len(results.transition.unit_codes), years=tuple(results.years),
        smoothing_rows=(), result_keys=())
    return layout.keys


def check_all(path: Path, scenario) -> Diff:
    diff = compare_with_model(path, scenario)
    return compare_policy(path, scenario, diff)


# -- tests without LibreOffice -----------------------------------------------------------

def test_policy_sheet_only_with_capped(tmp_path):
    linear, capped = worked_example(), example_capped()
    write_scenario(linear, tmp_path / "lineaire.xlsx")
    write_scenario(capped, tmp_path / "plafonne.xlsx")
    plain = openpyxl.load_workbook(tmp_path / "lineaire.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "plafonne.xlsx")
    assert schema.POLICY_SHEET not in plain.sheetnames
    assert wb.sheetnames == plain.sheetnames + [schema.POLICY_SHEET]
    for title in ("Résultats CRRA", "Synthèse régionale", "Synthèse établissements",
                  "Trajectoires"):
        assert "Reste à converger" not in [c.value for c in plain[title][1]], title
        assert [c.value for c in wb[title][1]][-1] == "Reste à converger", title
    # the columns of the Linéaire workbook, as before the policy existed
    assert [c.value for c in plain["Résultats CRRA"][1]][-1] == "Dotation 2016"
    assert plain["Résultats CRRA"]["T2"].value == "=$Q2+'Lissage'!$B$2*$R2"


@pytest.mark.parametrize("sample", ["scenario_national_2014.xlsx", "scenario_garanties.xlsx"])
def test_saved_again_the_samples_output_sheets_are_unchanged(tmp_path, sample):
    """The national sample (Linéaire), written before the policy existed, saved again: its
    output sheets are the same cells (formulas, values, formats), and no policy sheet; the
    same for scenario_garanties.xlsx, so the committed sample is the writer's current one."""
    path = tmp_path / sample
    write_scenario(open_scenario(REPO / "samples" / sample).scenario, path)
    before, after = openpyxl.load_workbook(REPO / "samples" / sample), openpyxl.load_workbook(path)
    assert after.sheetnames == before.sheetnames
    assert (schema.POLICY_SHEET in after.sheetnames) == (sample == "scenario_garanties.xlsx")
    for title in schema.OUTPUT_SHEETS:
        if title in before.sheetnames:
            old = [[(c.value, c.number_format) for c in row] for row in before[title].iter_rows()]
            new = [[(c.value, c.number_format) for c in row] for row in after[title].iter_rows()]
            assert new == old, title


def test_policy_sheet_formulas_and_cached_values(tmp_path):
    path = tmp_path / "plafonne.xlsx"
    write_scenario(example_capped(), path)
    wb = openpyxl.load_workbook(path)
    ws = wb[schema.POLICY_SHEET]
    headers = [c.value for c in ws[1]]
    assert headers[:5] == ["FINESS", "Établissement", "Région", "Nombre de CRRA",
                           "Dotation historique"]
    assert headers[5:15] == ["2014 : dotation précédente", "2014 : linéaire", "2014 : plancher",
                             "2014 : plafond", "2014 : dans les bornes", "2014 : gain",
                             "2014 : perte", "2014 : après θ ou φ", "2014 : marge", "Dotation 2014"]
    assert ws.freeze_panes == "A2"
    assert ws["A2"].value == "010000001" and ws["A2"].data_type == "s"
    assert ws["H2"].value == ('=IF(AND(ISNUMBER(perte_max_annuelle),F2<>0),'
                              'F2*(1-perte_max_annuelle),"")')
    assert ws["J2"].value == "=MIN(I2,MAX(G2,H2))"
    assert ws["P2"].value == "=O2"                  # 2015 starts from the 2014 allocation
    assert ws["A5"].value == "Total national"
    assert ws["A7"].value == policy_formulas.FINANCING_TITLE
    assert ws["A11"].value == "Part des gains reprise (θ)"
    assert ws["O11"].value.startswith("=IF(AND((SUM($J$2:$J$4)-SUM($G$2:$G$4))>0,")
    assert ws["O8"].number_format == '#,##0.00 "€"' and ws["O11"].number_format == "0.00%"
    assert ws["G2"].number_format == '#,##0 "€"'
    # each CRRA: its unit's allocation in proportion to its linear one, equally when L = 0
    res = wb["Résultats CRRA"]
    assert res["T4"].value == ("=IF('Lissage plafonné'!$G$4=0,'Lissage plafonné'!$O$4/"
                               "'Lissage plafonné'!$D$4,'Lissage plafonné'!$O$4*($Q4+'Lissage'!"
                               "$B$2*$R4)/'Lissage plafonné'!$G$4)")
    assert res["W2"].value == "=P2-V2"
    # cached: MODEL.md's second worked example, to the cent
    cached = openpyxl.load_workbook(path, data_only=True)
    ws = cached[schema.POLICY_SHEET]
    assert [round(ws[f"O{r}"].value, 2) for r in (2, 3, 4)] == [1_843_000.00, 3_214_996.63,
                                                                8_242_003.37]
    assert ws["H2"].value == pytest.approx(1_843_000) and ws["I2"].value is None
    assert ws["O11"].value == pytest.approx(20_127.44 / 162_130.82, abs=1e-6)
    assert [round(cached["Résultats CRRA"][f"V{r}"].value, 2) for r in (4, 5)] == [
        4_835_480.92, 3_705_450.05]
    assert round(cached["Synthèse établissements"]["L2"].value, 2) == -219_715.92


def test_policy_sheet_is_ignored_on_read_and_replaced_on_save(tmp_path):
    path = tmp_path / "plafonne.xlsx"
    write_scenario(example_capped(), path)
    loaded = open_scenario(path)
    assert not loaded.errors
    assert schema.POLICY_SHEET not in loaded.scenario.extra_sheets
    linear = loaded.scenario.copy()
    linear.parameters = linear.parameters.with_value("lissage_mode", schema.LINEAR)
    write_scenario(linear, path)
    assert schema.POLICY_SHEET not in openpyxl.load_workbook(path).sheetnames


def test_policy_levels_and_exact_keys(tmp_path):
    for level, key_header in (("Région", "Région"), ("CRRA", "Identifiant")):
        scenario = policy_scenario(4, level=level, bounds="both")
        path = tmp_path / f"{level}.xlsx"
        write_scenario(scenario, path)
        ws = openpyxl.load_workbook(path)[schema.POLICY_SHEET]
        assert ws["A1"].value == key_header
        assert "perte_max_annuelle" in ws[2][(3 if level == "CRRA" else 1) + 4].value
    # unit keys a spreadsheet criterion would confuse are compared with EXACT
    scenario = policy_scenario(3, level="Région", bounds="floors")
    crra = scenario.crra.copy()
    crra["region"] = crra["region"].map(lambda r: r + "*")
    scenario.crra = crra
    scenario.envelopes = scenario.envelopes.iloc[0:0]
    path = tmp_path / "exact.xlsx"
    write_scenario(scenario, path)
    ws = openpyxl.load_workbook(path)[schema.POLICY_SHEET]
    assert ws["B2"].value.startswith("=SUMPRODUCT(EXACT('Résultats CRRA'!$C$2:$C$")


def test_errors_give_the_policy_sheet_a_note(tmp_path):
    scenario = example_capped()
    scenario.crra.loc[0, "drm"] = -5
    path = tmp_path / "faux.xlsx"
    write_scenario(scenario, path)
    ws = openpyxl.load_workbook(path)[schema.POLICY_SHEET]
    assert ws["A1"].value == "FINESS" and ws["A2"].value.startswith("Résultats non disponibles")


# -- LibreOffice -------------------------------------------------------------------------

# (case, base case, edits): a DRM and perte_max_annuelle typed in LibreOffice.
TYPED = (("typed-garanties", "sample-garanties", 0.015),
         ("typed-policy-01", "policy-01", None),       # the floor cleared: no bound
         ("typed-policy-06", "policy-06", 0.035))


def typed_edits(src: Path, loss):
    scenario = open_scenario(src).scenario.copy()
    crra = scenario.crra.copy()
    drm_col = formulas.column_letter(schema.CRRA.keys.index("drm"))
    crra.loc[0, "drm"] = float(crra["drm"].iat[0]) * 1.5 + 1
    edits = [("CRRA", f"{drm_col}2", float(crra["drm"].iat[0])),
             ("Paramètres", f"C{PARAMETER_ROW['perte_max_annuelle']}", loss)]
    scenario.crra = crra
    scenario.parameters = scenario.parameters.with_value("perte_max_annuelle", loss)
    assert not errors_of(validate(scenario)), [str(e) for e in errors_of(validate(scenario))]
    return edits, scenario


@pytest.fixture(scope="module")
def policy_engine(tmp_path_factory):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) absent : installez libreoffice-calc-nogui")
    root = tmp_path_factory.mktemp("policy")
    saved, stripped = root / "saved", root / "stripped"
    saved.mkdir()
    stripped.mkdir()
    cases = {"sample-garanties": (open_scenario(GUARANTEES).scenario, GUARANTEES),
             "example-capped": (example_capped(), None), "zero-linear": (zero_linear(), None)}
    for seed in POLICY_SEEDS:
        cases[f"policy-{seed:02d}"] = (policy_scenario(seed), None)
    # long columns (LibreOffice computes them in threaded groups)
    cases["policy-crra-250"] = (policy_scenario(50, n=250, level="CRRA", bounds="both"), None)
    cases["policy-etab-400"] = (policy_scenario(52, n=400, level="Établissement",
                                                bounds="floors"), None)
    # names a spreadsheet criterion would confuse (« Sud* », « ALPHA », FINESS 2A… / 2a…)
    for level in ("Région", "Établissement"):
        scenario = _bounded(unsafe_names_scenario(), level, "both", np.random.default_rng(5))
        assert scenario is not None
        cases[f"policy-unsafe-{level}"] = (scenario, None)
    files = {}
    for name, (scenario, path) in cases.items():
        if path is None:
            path = saved / f"{name}.xlsx"
            write_scenario(scenario, path)
        files[name] = path
    inputs = []
    for name, path in files.items():
        strip_cached_values(path, stripped / f"{name}.xlsx")
        inputs.append(stripped / f"{name}.xlsx")
    start = time.perf_counter()
    outputs = libreoffice_recalc(inputs, root / "recomputed", root / "profile")
    recalc = time.perf_counter() - start
    results = {name: (cases[name][0], outputs[stripped / f"{name}.xlsx"]) for name in cases}
    jobs = []
    typed_dir = root / "typed"
    typed_dir.mkdir()
    for name, base, loss in TYPED:
        edits, edited = typed_edits(files[base], loss)
        dst = typed_dir / f"{name}.xlsx"
        jobs.append((files[base], dst, edits))
        results[name] = (edited, dst)
    start = time.perf_counter()
    libreoffice_edit(jobs, typed_dir, root / "profile-edit")
    edit = time.perf_counter() - start
    summary = {"results": results, "diffs": {}, "recalc": recalc, "edit": edit,
               "n_recalc": len(inputs)}
    yield summary
    diffs = summary["diffs"]
    if diffs:
        print(f"\nLibreOffice (Plafonné) : {len(inputs)} classeurs recalculés en {recalc:.1f} s, "
              f"{len(jobs)} modifiés en {edit:.1f} s ; {len(diffs)} comparés, "
              f"{sum(d.checked for d in diffs.values())} valeurs, "
              f"écart maximal {max(d.euros for d in diffs.values()):.3g} €")


def _check(engine, name: str) -> Diff:
    scenario, path = engine["results"][name]
    diff = check_all(path, scenario)
    engine["diffs"][name] = diff
    return diff


@needs_libreoffice
@pytest.mark.parametrize("name", ["sample-garanties", "example-capped", "zero-linear"]
                         + [f"policy-{s:02d}" for s in POLICY_SEEDS]
                         + ["policy-crra-250", "policy-etab-400", "policy-unsafe-Région",
                            "policy-unsafe-Établissement"])
def test_libreoffice_recomputes_the_policy(policy_engine, name):
    _check(policy_engine, name)


@needs_libreoffice
@pytest.mark.parametrize("name", [t[0] for t in TYPED])
def test_policy_inputs_typed_in_libreoffice(policy_engine, name):
    _check(policy_engine, name)
    scenario, path = policy_engine["results"][name]
    loaded = open_scenario(path)
    assert not loaded.errors, [str(p) for p in loaded.errors]
    assert loaded.scenario.inputs_equal(scenario)


@needs_libreoffice
def test_libreoffice_policy_summary(policy_engine):
    """Every level, every kind of bound and envelopes are covered, all within 0.01 €."""
    for name in policy_engine["results"]:
        if name not in policy_engine["diffs"]:
            _check(policy_engine, name)
    scenarios = [s for s, _ in policy_engine["results"].values()]
    kinds = {(s.parameters.lissage_niveau, s.parameters.perte_max_annuelle is not None,
              s.parameters.gain_max_annuel is not None, len(s.envelopes) > 0) for s in scenarios}
    for level in LEVELS:
        for floors, caps in ((True, False), (False, True), (True, True)):
            assert (level, floors, caps, True) in kinds and (level, floors, caps, False) in kinds
    assert max(d.euros for d in policy_engine["diffs"].values()) <= EURO_TOLERANCE
