"""The saved workbook is a live Excel model (issue 6).

The output sheets are formulas over the input sheets, each cached with the application's
own result. LibreOffice Calc, run headless, is the independent engine: it recomputes the
saved workbooks of the samples, of random scenarios, of workbooks edited after saving
and of a workbook written by ``migac compute --workbook`` from a file the application
never saw; the values it computes must equal :func:`compute` to 0.01 €.

Before LibreOffice sees a file, every cached value is removed from its formula cells,
and LibreOffice runs with a profile that recomputes everything on load: any number read
back was computed by LibreOffice, not echoed from the file. All the files go through one
``soffice --convert-to`` (one start of LibreOffice for the whole module).
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.model import alloc_key, compute
from migac_desktop.core.scenario import Parameters, Scenario, make_table
from migac_desktop.core.validation import errors_of, validate
from migac_desktop.io import formulas
from migac_desktop.io.workbook import NO_RESULTS_NOTE, open_scenario, write_scenario

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ``benchmarks`` lives at the repository root
    sys.path.insert(0, str(REPO))

from conftest import worked_example  # noqa: E402

from benchmarks.synthetic import synthetic_scenario  # noqa: E402

SAMPLES = REPO / "samples"
SAMPLE_FILES = {"sample-national": SAMPLES / "scenario_national_2014.xlsx",
                "sample-region": SAMPLES / "scenario_region.xlsx",
                "sample-example": SAMPLES / "exemple_modele.xlsx"}
RANDOM_SEEDS = tuple(range(24))
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
_SKIP_WITHOUT_LIBREOFFICE = pytest.mark.skipif(
    SOFFICE is None, reason="LibreOffice (soffice) absent : installez libreoffice-calc-nogui "
                            "(scripts/test.sh l'installe)")


def needs_libreoffice(test):
    """Skipped without LibreOffice, and marked ``libreoffice`` (so ``slow``)."""
    return pytest.mark.libreoffice(_SKIP_WITHOUT_LIBREOFFICE(test))

EURO_TOLERANCE = 0.01
OUTPUT_SHEETS = schema.RESULT_SHEETS
CRRA_TEXT = ("crra_id", "label", "region", "finess", "establishment", "tranche")
FINE = {"drm", "etp_arm", "etp_mr", "etp_sup", "geo_coef", "revenue_effect_pct", "n_crra"}


# -- random scenarios ----------------------------------------------------------------------

REGION_POOL = ("Alpha", "Bêta", "Île-de-France", "Provence-Alpes-Côte d'Azur",
               "Pays de la Loire", "Océan Indien", "Alpha Nord", "Corse (2A. 2B)")


def random_scenario(seed: int, n: int | None = None) -> Scenario:
    """A valid scenario: 1–60 CRRA (or ``n``), 2–6 bands, 2–5 years, overrides, zero
    historic amounts, every calibration mode, notified envelopes, DRM on band boundaries."""
    rng = np.random.default_rng(1000 + seed)
    drawn = int(rng.integers(1, 61))
    n = drawn if n is None else n
    n_regions = int(rng.integers(1, min(6, n) + 1))
    regions = [str(r) for r in rng.choice(REGION_POOL, n_regions, replace=False)]
    n_bands = int(rng.integers(2, 7))
    mins = [0] + sorted(int(v) * 5000 for v in rng.choice(np.arange(1, 90), n_bands - 1,
                                                         replace=False))
    bands = make_table(schema.BANDS, [
        dict(drm_min=m, etp_arm=float(rng.integers(4, 80)) + (0.5 if rng.random() < 0.3 else 0),
             etp_mr=float(rng.integers(2, 40)),
             label="" if rng.random() < 0.15 else f"Tranche {chr(65 + i)}")
        for i, m in enumerate(mins)])
    n_years = int(rng.integers(2, 6))
    first = int(rng.integers(2014, 2020))
    shares = np.sort(rng.random(n_years))
    if rng.random() < 0.7:
        shares[-1] = 1.0
    smoothing = make_table(schema.SMOOTHING, [dict(year=first + i, share=float(s))
                                              for i, s in enumerate(shares)])
    rows = []
    hospital = 0
    region_of = sorted(int(v) for v in rng.integers(0, n_regions, n))
    for i in range(n):
        r = region_of[i]
        shared = i > 0 and region_of[i - 1] == r and rng.random() < 0.25
        if not shared:
            hospital += 1
        drm = float(np.round(np.exp(rng.uniform(np.log(3000), np.log(500000)))))
        pick = rng.random()
        if pick < 0.12:
            drm = float(mins[int(rng.integers(0, n_bands))])    # exactly on a boundary
        elif pick < 0.15:
            drm = 0.0
        geos = [math.nan, 0.0, 0.07, 0.26, 0.31, float(rng.uniform(0, 0.35))]
        geo = geos[int(rng.integers(0, len(geos)))]
        historic = float(np.round(rng.uniform(4e5, 6e6), int(rng.integers(0, 3))))
        if rng.random() < 0.08:
            historic = 0.0
        row = dict(crra_id=f"SAMU-{seed:02d}-{i:03d}", label=f"Centre 15 n° {i}",
                   region=regions[r], departement=f"{r + 1:02d}",
                   finess=f"{r + 1:02d}{hospital:07d}", establishment=f"CH n° {hospital}",
                   drm=drm, geo_coef=geo, historic=historic)
        if rng.random() < 0.2:
            half = 0.5 if rng.random() < 0.3 else 0.0
            row["etp_arm_override"] = float(rng.integers(0, 60)) + half
        if rng.random() < 0.15:
            row["etp_mr_override"] = float(rng.integers(0, 30))
        rows.append(row)
    crra = make_table(schema.CRRA, rows)
    calage = schema.CALIBRATIONS[seed % 3]
    params = Parameters(
        cout_etp_arm=float(rng.integers(30000, 60000)) + 0.5,
        cout_etp_mr=float(rng.integers(80000, 140000)),
        cout_etp_encadrement=float(rng.integers(40000, 80000)),
        etp_encadrement_par_crra=float(rng.choice([0.5, 1.0, 2.0])),
        frais_fixes_crra=float(rng.integers(50000, 250000)),
        frais_par_drm=float(np.round(rng.uniform(0.5, 3.0), 2)),
        calage=calage,
        enveloppe_cible=float(rng.integers(10, 300)) * 1e6 if calage == "Montant cible" else None,
        titre=f"Scénario aléatoire {seed}")
    scenario = Scenario(parameters=params, bands=bands, smoothing=smoothing, crra=crra)
    if seed % 2 == 0:   # notified envelopes near the smoothed regional amounts
        results = compute(scenario)
        envelopes = []
        for region in rng.choice(regions, min(2, n_regions), replace=False):
            year = int(rng.choice(scenario.years))
            amount = float(results.regions.set_index("region").loc[region, alloc_key(year)])
            if amount > 0:
                envelopes.append(dict(region=str(region), year=year,
                                      amount=round(amount * rng.uniform(0.9, 1.1), 2)))
        scenario.envelopes = make_table(schema.ENVELOPES, envelopes)
    problems = errors_of(validate(scenario))
    assert not problems, [str(p) for p in problems]
    return scenario


def unsafe_names_scenario(per_region: int = 2) -> Scenario:
    """Names a spreadsheet criterion would confuse: case, wildcards, operators, numbers."""
    names = ["Alpha", "ALPHA", "Sud*", "Sud", "<Nord", "2014", "Est?", "~Ouest"]
    rows = []
    for i, region in enumerate(names):
        for j in range(per_region):
            rows.append(dict(crra_id=f"X{i}-{j}", label=f"C {i}-{j}", region=region,
                             departement="01", finess=f"2{'Aa'[j % 2]}{i:03d}{j // 2:04d}",
                             establishment=f"CH {i}-{j}", drm=40000.0 * (i + 1) + 7000 * j,
                             geo_coef=0.05 * (i % 3), historic=1.5e6 + 2.5e5 * i - 1e5 * j))
    crra = make_table(schema.CRRA, rows)
    scenario = Scenario(crra=crra)
    results = compute(scenario)
    by_region = results.regions.set_index("region")
    scenario.envelopes = make_table(schema.ENVELOPES, [
        dict(region="ALPHA", year=2014, amount=round(by_region.loc["ALPHA", "alloc_2014"] * 1.05)),
        dict(region="Sud*", year=2015, amount=round(by_region.loc["Sud*", "alloc_2015"] * 0.97))])
    assert not errors_of(validate(scenario))
    return scenario


def handmade_workbook(scenario: Scenario, path: Path) -> None:
    """The scenario typed by hand in a spreadsheet: columns reordered, headers retyped,
    percentages as text, no output sheet: a file MIGAC Desktop never wrote."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    ws = wb.create_sheet("paramètres")
    ws.append(["CLE", "Paramètre", "valeur"])
    for spec in schema.PARAMETERS:
        value = getattr(scenario.parameters, spec.key)
        ws.append([spec.key, spec.label, value if value not in ("", None) else None])
    ws = wb.create_sheet("Referentiel")
    ws.append(["Libelle", "DRM minimum", "ETP MR", "ETP ARM"])
    for b in scenario.bands.itertuples():
        ws.append([b.label or None, b.drm_min, b.etp_mr, b.etp_arm])
    ws = wb.create_sheet("Lissage")
    ws.append(["Année", "Part cumulée"])
    for s in scenario.smoothing.itertuples():
        ws.append([int(s.year), f"{s.share * 100:.10g} %".replace(".", ",")])
    ws = wb.create_sheet("CRRA")
    headers = [c.header for c in schema.CRRA.columns][::-1]
    ws.append([h.upper() for h in headers])
    for row in scenario.crra.to_dict("records"):
        values = []
        for col in schema.CRRA.columns[::-1]:
            v = row[col.key]
            values.append(None if isinstance(v, float) and math.isnan(v) else v)
        ws.append(values)
    ws = wb.create_sheet("Enveloppes régionales")
    ws.append(["Région", "Année", "Enveloppe notifiée"])
    for e in scenario.envelopes.itertuples():
        ws.append([e.region, int(e.year), e.amount])
    wb.save(path)


# -- LibreOffice -------------------------------------------------------------------------

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""

_CACHED = re.compile(rb"(<f>[^<]*</f>)<v>[^<]*</v>")


def strip_cached_values(src: Path, dst: Path) -> int:
    """Copy ``src`` without the cached value of any formula; returns the number of formulas."""
    count = 0
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                count += data.count(b"<f>")
                data = _CACHED.sub(rb"\1", data).replace(b' t="str"><f>', b"><f>")
            zout.writestr(info, data)
    return count


def libreoffice_recalc(paths: list[Path], out_dir: Path, profile: Path) -> dict[Path, Path]:
    """Open every file in LibreOffice, recompute all, save as .xlsx into ``out_dir``."""
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, encoding="utf-8")
    out_dir.mkdir(parents=True, exist_ok=True)
    assert len({p.name for p in paths}) == len(paths)
    command = [SOFFICE, "--headless", "--norestore", "--nologo",
               f"-env:UserInstallation={profile.as_uri()}",
               "--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out_dir),
               *map(str, paths)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900)
    outputs = {p: out_dir / p.name for p in paths}
    missing = [p.name for p, o in outputs.items() if not o.exists()]
    assert not missing, (missing, done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    return outputs


# A Basic macro that edits workbooks inside LibreOffice, as a modeller does: open the file
# (default settings: the cached values are kept, nothing is recomputed on load), type new
# values into input cells (LibreOffice recomputes what depends on them), save as .xlsx.
# It reads a UTF-8 job file: FILE<TAB>in<TAB>out, SET|TEXT<TAB>sheet<TAB>cell<TAB>value,
# CLEAR<TAB>sheet<TAB>cell, SAVE.
_EDIT_MACRO = """Sub Note(sPath As String, sText As String)
    Dim oSFA As Object, oOut As Object, oW As Object
    oSFA = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    oOut = oSFA.openFileWrite(ConvertToURL(sPath))
    oW = createUnoService("com.sun.star.io.TextOutputStream")
    oW.setOutputStream(oOut)
    oW.writeString(sText)
    oW.closeOutput()
End Sub

Sub EditWorkbooks(sJob As String)
    Dim oSFA As Object, oIn As Object, oText As Object, oDoc As Object, oCell As Object
    Dim sLine As String, sOut As String
    Dim f As Variant
    Dim aLoad(0) As New com.sun.star.beans.PropertyValue
    Dim aStore(0) As New com.sun.star.beans.PropertyValue
    On Error GoTo Failed
    aLoad(0).Name = "Hidden"
    aLoad(0).Value = True
    aStore(0).Name = "FilterName"
    aStore(0).Value = "Calc MS Excel 2007 XML"
    oSFA = createUnoService("com.sun.star.ucb.SimpleFileAccess")
    oIn = oSFA.openFileRead(ConvertToURL(sJob))
    oText = createUnoService("com.sun.star.io.TextInputStream")
    oText.setInputStream(oIn)
    oText.setEncoding("UTF-8")
    Do While Not oText.isEOF()
        sLine = Replace(Replace(oText.readLine(), Chr(10), ""), Chr(13), "")
        f = Split(sLine, Chr(9))
        If f(0) = "FILE" Then
            oDoc = StarDesktop.loadComponentFromURL(ConvertToURL(f(1)), "_blank", 0, aLoad())
            sOut = f(2)
        ElseIf f(0) = "SET" Then
            oDoc.Sheets.getByName(f(1)).getCellRangeByName(f(2)).setValue(Val(f(3)))
        ElseIf f(0) = "TEXT" Then
            oDoc.Sheets.getByName(f(1)).getCellRangeByName(f(2)).setString(f(3))
        ElseIf f(0) = "CLEAR" Then
            oDoc.Sheets.getByName(f(1)).getCellRangeByName(f(2)).clearContents(7)
        ElseIf f(0) = "SAVE" Then
            oDoc.storeToURL(ConvertToURL(sOut), aStore())
            oDoc.close(True)
        End If
    Loop
    oText.closeInput()
    Note(sJob & ".done", "ok")
    StarDesktop.terminate()
    Exit Sub
Failed:
    Note(sJob & ".error", "Erreur " & Err & " ligne " & Erl & " : " & Error(Err) & " : " & sLine)
    StarDesktop.terminate()
End Sub
"""


def _install_macro(profile: Path) -> None:
    from xml.sax.saxutils import escape

    subprocess.run([SOFFICE, "--headless", "--norestore", "--terminate_after_init",
                    f"-env:UserInstallation={profile.as_uri()}"],
                   capture_output=True, timeout=300)
    library = profile / "user" / "basic" / "Standard"
    index = library / "script.xlb"
    assert index.exists(), "profil LibreOffice sans bibliothèque Basic Standard"
    (library / "MigacEdit.xba").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE script:module PUBLIC '
        '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
        '<script:module xmlns:script="http://openoffice.org/2000/script" '
        'script:name="MigacEdit" script:language="StarBasic">'
        + escape(_EDIT_MACRO) + "</script:module>", encoding="utf-8")
    text = index.read_text(encoding="utf-8")
    if 'library:name="MigacEdit"' not in text:
        text = text.replace("</library:library>",
                            ' <library:element library:name="MigacEdit"/>\n</library:library>')
        index.write_text(text, encoding="utf-8")


def libreoffice_edit(jobs, work: Path, profile: Path) -> None:
    """Each job ``(src, dst, edits)``: LibreOffice opens ``src``, types the edits, saves ``dst``."""
    _install_macro(profile)
    lines = []
    for src, dst, edits in jobs:
        lines.append(f"FILE\t{src}\t{dst}")
        for title, ref, value in edits:
            if value is None:
                lines.append(f"CLEAR\t{title}\t{ref}")
            elif isinstance(value, str):
                lines.append(f"TEXT\t{title}\t{ref}\t{value}")
            else:
                number = repr(float(value))
                assert "e" not in number, number     # Basic's Val: plain decimals
                lines.append(f"SET\t{title}\t{ref}\t{number}")
        lines.append("SAVE")
    job = work / "job.txt"
    job.write_text("\n".join(lines + ["END"]) + "\n", encoding="utf-8")
    done = subprocess.run([SOFFICE, "--headless", "--norestore",
                           f"-env:UserInstallation={profile.as_uri()}",
                           f'macro:///Standard.MigacEdit.EditWorkbooks("{job}")'],
                          capture_output=True, text=True, timeout=900)
    error = work / "job.txt.error"
    assert not error.exists(), error.read_text(encoding="utf-8")
    assert (work / "job.txt.done").exists(), (done.returncode, done.stderr[-2000:])
    missing = [str(dst) for _, dst, _ in jobs if not Path(dst).exists()]
    assert not missing, missing


# -- comparing a recomputed workbook with the model -----------------------------------------

@dataclass
class Diff:
    euros: float = 0.0            # largest |difference| on an amount in euros
    fine: float = 0.0             # largest |difference| on ETP, DRM, %, counts, factor
    checked: int = 0              # numbers compared
    where: dict = field(default_factory=dict)

    def number(self, got, want, key: str, where: str) -> None:
        want = float(want)
        if math.isnan(want):
            assert got in (None, ""), (where, key, got)
            return
        assert isinstance(got, (int, float)) and not isinstance(got, bool), (where, key, got)
        d = abs(float(got) - want)
        self.checked += 1
        if key in FINE:
            if d > self.fine:
                self.fine, self.where["fine"] = d, (where, key)
            assert d <= 1e-6 * max(1.0, abs(want)), (where, key, got, want)
        else:
            if d > self.euros:
                self.euros, self.where["euros"] = d, (where, key)
            assert d <= EURO_TOLERANCE, (where, key, got, want)


def _rows(ws) -> list[tuple]:
    return list(ws.iter_rows(min_row=1, values_only=True))


def compare_with_model(path: Path, scenario: Scenario) -> Diff:
    """Every value of the four output sheets of ``path`` against :func:`compute`."""
    results = compute(scenario)
    diff = Diff()
    wb = openpyxl.load_workbook(path, data_only=True)
    years = results.years
    allocs = [alloc_key(y) for y in years]
    crra = results.crra
    # Résultats CRRA
    rows = _rows(wb["Résultats CRRA"])
    keys = list(crra.columns)
    assert len(rows) == len(crra) + 1
    for i, row in enumerate(rows[1:]):
        for key, got in zip(keys, row):
            want = crra[key].iat[i]
            if key in CRRA_TEXT:
                assert (got or "") == (want or ""), (i, key, got, want)
            else:
                diff.number(got, want, key, f"CRRA {crra['crra_id'].iat[i]}")
    # Synthèse régionale and établissements, with the national total
    national = results.national
    for title, frame, n_text in (("Synthèse régionale", results.regions, 1),
                                 ("Synthèse établissements", results.establishments, 3)):
        rows = _rows(wb[title])
        keys = list(frame.columns)
        for i in range(len(frame)):
            row = rows[i + 1]
            assert list(row[:n_text]) == [frame[k].iat[i] or None for k in keys[:n_text]]
            for key, got in zip(keys[n_text:], row[n_text:]):
                diff.number(got, frame[key].iat[i], key, f"{title} {row[0]}")
        total = rows[len(frame) + 1]
        assert total[0] == "Total national"
        for key, got in zip(keys[n_text:], total[n_text:]):
            diff.number(got, national[key], key, f"{title} total")
    # Calage national
    rows = _rows(wb["Synthèse régionale"])
    block = {r[0]: r[1] for r in rows[len(results.regions) + 3:]}
    mode, target, raw, factor = formulas.CALIBRATION_LABELS
    assert block[mode] == scenario.parameters.calage
    diff.number(block[target], results.calibration_target, "target", "calage")
    diff.number(block[raw], results.raw_total, "raw", "calage")
    assert block[factor] == pytest.approx(results.calibration_factor, rel=1e-12)
    # Trajectoires
    keys = ["historic"] + allocs + ["modelled", "revenue_effect"]
    expected = [[national[k] for k in keys]]
    for frame in (results.regions, results.establishments, crra):
        expected += frame[keys].to_numpy().tolist()
    rows = _rows(wb["Trajectoires"])[1:]
    assert len(rows) == len(expected)
    for row, want in zip(rows, expected):
        for key, got, w in zip(keys, row[4:], want):
            diff.number(got, w, key, f"Trajectoires {row[0]} {row[1]}")
    return diff


# -- the batch: every workbook LibreOffice recomputes, in one run ----------------------------

def planned_edits(src: Path, *, calage: str | None = None):
    """Input cells a modeller changes in a spreadsheet, and the scenario they give.

    Returns ``(edits, scenario)``: edits are ``(sheet, cell, value)`` (None clears the
    cell); the scenario is the one of ``src`` with the same changes made in Python.
    """
    edited = open_scenario(src).scenario.copy()
    crra = edited.crra.copy()
    letters = {key: formulas.column_letter(i) for i, key in enumerate(schema.CRRA.keys)}
    edits: list[tuple[str, str, object]] = []

    def crra_edit(position: int, key: str, value) -> None:
        edits.append(("CRRA", f"{letters[key]}{position + 2}", value))
        crra.loc[position, key] = math.nan if value is None else value

    last = len(crra) - 1
    # a DRM moved exactly onto the last band's boundary, another one doubled
    crra_edit(0, "drm", float(edited.bands["drm_min"].iat[-1]))
    crra_edit(last, "drm", float(crra["drm"].iat[last] * 2 + 1))
    # an override typed, another one cleared; a coefficient géographique set
    crra_edit(0, "etp_arm_override", 33.5)
    overridden = np.flatnonzero(~np.isnan(crra["etp_mr_override"].to_numpy()))
    if len(overridden):
        crra_edit(int(overridden[0]), "etp_mr_override", None)
    crra_edit(last, "geo_coef", 0.125)
    edited.crra = crra
    # a cost, the calibration, the first smoothing share
    row = {spec.key: i + 2 for i, spec in enumerate(schema.PARAMETERS)}
    assert edited.parameter_rows.get("cout_etp_arm", 2) == row["cout_etp_arm"]
    p = edited.parameters.with_value("cout_etp_arm", 51234.5)
    edits.append(("Paramètres", f"C{row['cout_etp_arm']}", 51234.5))
    if calage is not None:
        edits.append(("Paramètres", f"C{row['calage']}", calage))
        p = p.with_value("calage", calage)
        if calage == "Montant cible":
            edits.append(("Paramètres", f"C{row['enveloppe_cible']}", 123_456_789.5))
            p = p.with_value("enveloppe_cible", 123_456_789.5)
    edited.parameters = p
    smoothing = edited.smoothing.copy()
    share = float(smoothing["share"].iat[0]) / 2
    edits.append(("Lissage", "B2", share))
    smoothing.loc[0, "share"] = share
    edited.smoothing = smoothing
    # a notified envelope, when there is one
    if len(edited.envelopes):
        envelopes = edited.envelopes.copy()
        amount = round(float(envelopes["amount"].iat[0]) * 1.02, 2)
        edits.append(("Enveloppes régionales", "C2", amount))
        envelopes.loc[0, "amount"] = amount
        edited.envelopes = envelopes
    assert not errors_of(validate(edited))
    return edits, edited


def edit_with_openpyxl(src: Path, dst: Path, edits) -> None:
    """openpyxl keeps the formulas and drops their cached values."""
    wb = openpyxl.load_workbook(src)
    for title, ref, value in edits:
        wb[title][ref] = value
    wb.save(dst)


# (case, base case, new calibration): inputs edited after saving, in an envelope scenario,
# the national file, with a change of calibration.
EDITED = (("edited-random-00", "random-00", None),
          ("edited-national", "sample-national", None),
          ("edited-calage", "random-03", "Montant cible"),
          ("edited-aucun", "sample-region", "Aucun"))


# Workbooks typed by hand (never written by the application), through ``migac compute
# --workbook``: (case, seed, number of CRRA or None).
UNSEEN = (("cli-unseen", 99, None), ("cli-unseen-130", 98, 130))

# The same kind of edits, typed into LibreOffice by a Basic macro.
TYPED_IN_LIBREOFFICE = (("typed-national", "sample-national", None),
                        ("typed-random-00", "random-00", None),
                        ("typed-calage", "random-large-250", "Montant cible"))


@dataclass
class Case:
    scenario: Scenario
    saved: Path                   # the workbook as written (or edited)
    recomputed: Path | None = None
    formulas: int = 0


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    """Write every case, strip the cached values, recompute all in one LibreOffice run."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) absent : installez libreoffice-calc-nogui")
    root = tmp_path_factory.mktemp("live")
    saved_dir, strip_dir = root / "saved", root / "stripped"
    saved_dir.mkdir()
    strip_dir.mkdir()
    cases: dict[str, Case] = {}
    for name, path in SAMPLE_FILES.items():
        loaded = open_scenario(path)
        assert not loaded.errors
        cases[name] = Case(loaded.scenario, path)
    for seed in RANDOM_SEEDS:
        scenario = random_scenario(seed)
        path = saved_dir / f"random-{seed:02d}.xlsx"
        write_scenario(scenario, path)
        cases[f"random-{seed:02d}"] = Case(scenario, path)
    for n, seed in ((40, 7), (60, 11)):
        scenario = synthetic_scenario(n, seed)
        path = saved_dir / f"synthetic-{n}.xlsx"
        write_scenario(scenario, path)
        cases[f"synthetic-{n}"] = Case(scenario, path)
    # Columns of 100 rows or more: LibreOffice computes them in threaded groups.
    for name, scenario in (("unsafe-names", unsafe_names_scenario()),
                           ("unsafe-names-120", unsafe_names_scenario(15)),
                           ("random-large-250", random_scenario(50, n=250)),
                           ("random-large-400", random_scenario(52, n=400))):
        write_scenario(scenario, saved_dir / f"{name}.xlsx")
        cases[name] = Case(scenario, saved_dir / f"{name}.xlsx")
    # inputs edited after saving (an envelope, the national file, a change of calibration)
    for name, base, calage in EDITED:
        path = saved_dir / f"{name}.xlsx"
        edits, edited = planned_edits(cases[base].saved, calage=calage)
        edit_with_openpyxl(cases[base].saved, path, edits)
        cases[name] = Case(edited, path)
    # the command line on workbooks it never saw, typed by hand
    for name, seed, n in UNSEEN:
        hand = saved_dir / f"{name}-typed-by-hand.xlsx"
        handmade_workbook(random_scenario(seed, n=n), hand)
        out = saved_dir / f"{name}.xlsx"
        code = cli.main(["compute", str(hand), "--out", str(root / "csv" / name),
                         "--workbook", str(out)])
        assert code == 0
        cases[name] = Case(open_scenario(hand).scenario, out)

    inputs = []
    for name, case in cases.items():
        stripped = strip_dir / f"{name}.xlsx"
        case.formulas = strip_cached_values(case.saved, stripped)
        inputs.append(stripped)
    start = time.perf_counter()
    outputs = libreoffice_recalc(inputs, root / "recomputed", root / "profile")
    elapsed = time.perf_counter() - start
    for name, case in cases.items():
        case.recomputed = outputs[strip_dir / f"{name}.xlsx"]

    # Inputs typed inside LibreOffice itself, default settings, cached values kept.
    typed_dir = root / "typed-in-libreoffice"
    typed_dir.mkdir()
    jobs = []
    for name, base, calage in TYPED_IN_LIBREOFFICE:
        edits, edited = planned_edits(cases[base].saved, calage=calage)
        dst = typed_dir / f"{name}.xlsx"
        jobs.append((cases[base].saved, dst, edits))
        with zipfile.ZipFile(cases[base].saved) as z:
            n_formulas = sum(z.read(i).count(b"<f>") for i in z.namelist()
                             if i.startswith("xl/worksheets/sheet"))
        cases[name] = Case(edited, cases[base].saved, dst, n_formulas)
    start = time.perf_counter()
    libreoffice_edit(jobs, typed_dir, root / "profile-edit")
    edit_elapsed = time.perf_counter() - start

    summary = {"cases": cases, "seconds": elapsed + edit_elapsed, "diffs": {}, "root": root}
    yield summary
    diffs = summary["diffs"]
    if diffs:
        worst = max(d.euros for d in diffs.values())
        print(f"\nLibreOffice : {len(inputs)} classeurs recalculés en {elapsed:.1f} s, "
              f"{len(jobs)} modifiés dans LibreOffice en {edit_elapsed:.1f} s ; "
              f"{len(diffs)} comparés au modèle, "
              f"{sum(d.checked for d in diffs.values())} valeurs, écart maximal {worst:.3g} €")


def _check(engine, name: str) -> Diff:
    case = engine["cases"][name]
    assert case.formulas > 0, f"{case.saved.name} n'a aucune formule"
    diff = compare_with_model(case.recomputed, case.scenario)
    engine["diffs"][name] = diff
    return diff


# -- tests without LibreOffice ----------------------------------------------------------

def test_output_sheets_are_formulas_with_cached_values(tmp_path):
    scenario = random_scenario(2)    # envelopes, overrides, zero historic amounts
    path = tmp_path / "live.xlsx"
    write_scenario(scenario, path)
    results = compute(scenario)
    wb = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    ws, values = wb["Résultats CRRA"], cached["Résultats CRRA"]
    keys = list(results.crra.columns)
    col = {k: i + 1 for i, k in enumerate(keys)}
    for r in range(2, len(results.crra) + 2):
        for key in keys:
            cell = ws.cell(row=r, column=col[key])
            if key in ("crra_id", "label", "region", "finess", "establishment"):
                assert cell.data_type == "s", (r, key)   # copies of text inputs stay text
            else:
                assert cell.data_type == "f" and cell.value.startswith("="), (r, key)
    assert ws["P2"].value == "=O2*facteur_calage"
    assert ws["F2"].value == "='CRRA'!G2"
    assert "MATCH(F2,'Référentiel'!$A$2:$A$" in ws["G2"].value
    assert ws["K2"].value == "=H2*cout_etp_arm+I2*cout_etp_mr+J2*cout_etp_encadrement"
    last_year = ws[f"{formulas.column_letter(col[keys[-1]] - 1)}2"].value
    assert "COUNTIFS('Enveloppes régionales'!$A$2:$A$" in last_year
    # Cached values: the model's, for every number (empty where the % is undefined).
    crra = results.crra
    for i in range(len(crra)):
        row = [c.value for c in values[i + 2]]
        for key, got in zip(keys, row):
            want = crra[key].iat[i]
            if isinstance(want, str):
                assert got == want
            elif math.isnan(want):
                assert got in (None, "")
            else:
                assert got == pytest.approx(want, abs=1e-6), (i, key)
    reg = wb["Synthèse régionale"]
    assert reg["B2"].value.startswith("=COUNTIF('Résultats CRRA'!$C$2:$C$")
    assert reg["C2"].value.startswith("=SUMIF('Résultats CRRA'!$C$2:$C$")
    total_row = len(results.regions) + 2
    assert reg[f"A{total_row}"].value == "Total national"
    assert reg[f"C{total_row}"].value == f"=SUM(C2:C{total_row - 1})"
    factor_row = total_row + 6
    assert reg[f"A{factor_row}"].value == "Facteur de calage"
    assert cached["Synthèse régionale"][f"B{factor_row}"].value == pytest.approx(
        results.calibration_factor, rel=1e-15)
    assert wb["Synthèse établissements"]["E2"].value.startswith(
        "=SUMIF('Résultats CRRA'!$D$2:$D$")
    traj = wb["Trajectoires"]
    assert traj["E2"].value == f"='Synthèse régionale'!C{total_row}"
    assert traj["E3"].value == "='Synthèse régionale'!C2"
    # Inputs stay values.
    for title in ("Paramètres", "Référentiel", "Lissage", "CRRA", "Enveloppes régionales"):
        assert all(c.data_type != "f" for row in wb[title].iter_rows() for c in row), title
    with zipfile.ZipFile(path) as z:
        assert b'fullCalcOnLoad="1"' in z.read("xl/workbook.xml")


def test_named_cells_point_at_the_parameters_and_the_calibration_factor(tmp_path):
    scenario = worked_example()
    path = tmp_path / "noms.xlsx"
    write_scenario(scenario, path)
    wb = openpyxl.load_workbook(path, data_only=True)
    names = wb.defined_names
    expected = set(formulas.PARAMETER_NAMES) | {"facteur_calage", "cible_calage",
                                                "total_montants_bruts"}
    assert expected <= set(names.keys())
    p = scenario.parameters
    for key in formulas.PARAMETER_NAMES:
        (title, ref), = names[key].destinations
        assert title == "Paramètres"
        cell = wb[title][ref.replace("$", "")]
        assert wb[title][f"A{cell.row}"].value == key
        assert cell.value == getattr(p, key)
    (title, ref), = names["facteur_calage"].destinations
    assert title == "Synthèse régionale"
    assert wb[title][ref.replace("$", "")].value == pytest.approx(1.024949427, abs=1e-9)
    # Print areas, frozen headers, landscape fit to width on every output sheet.
    for title in OUTPUT_SHEETS:
        ws = wb[title]
        assert ws.print_area, title
        assert ws.freeze_panes == "A2"
        assert ws.page_setup.orientation == "landscape"
        assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb["Synthèse régionale"].print_area == "'Synthèse régionale'!$A$1:$I$10"


def test_scenario_with_errors_has_no_formula(tmp_path):
    scenario = worked_example()
    scenario.crra.loc[0, "drm"] = -5
    path = tmp_path / "faux.xlsx"
    write_scenario(scenario, path)
    wb = openpyxl.load_workbook(path)
    for title in OUTPUT_SHEETS:
        assert wb[title]["A2"].value == NO_RESULTS_NOTE
        assert all(c.data_type != "f" for row in wb[title].iter_rows() for c in row)


def test_criteria_safe():
    assert formulas.criteria_safe(["Alpha", "Bêta", "Provence-Alpes-Côte d'Azur", "Corse (2A)"])
    assert formulas.criteria_safe(["010000001", "2A0000001", "010000002"])
    assert not formulas.criteria_safe(["Alpha", "ALPHA"])
    assert not formulas.criteria_safe(["Île", "île"])
    assert not formulas.criteria_safe(["Sud*"])
    assert not formulas.criteria_safe(["Est?"])
    assert not formulas.criteria_safe(["~Ouest"])
    assert not formulas.criteria_safe(["<Nord"])
    assert not formulas.criteria_safe(["=A"])
    assert not formulas.criteria_safe([" Alpha"])
    assert not formulas.criteria_safe(["010000001", "10000001"])   # the same number


def test_confusable_names_use_exact_comparison(tmp_path):
    path = tmp_path / "noms.xlsx"
    write_scenario(unsafe_names_scenario(), path)
    wb = openpyxl.load_workbook(path)
    assert wb["Synthèse régionale"]["C2"].value.startswith("=SUMPRODUCT(EXACT(")
    alloc = wb["Résultats CRRA"]["T2"].value
    assert "SUMPRODUCT(EXACT('Enveloppes régionales'!$A$2:$A$3,$C2)" in alloc
    # FINESS 2A… and 2a… differ only by case.
    assert wb["Synthèse établissements"]["D2"].value.startswith("=SUMPRODUCT(EXACT(")


def test_samples_are_live_workbooks():
    for path in SAMPLE_FILES.values():
        wb = openpyxl.load_workbook(path)
        assert wb["Résultats CRRA"]["P2"].value == "=O2*facteur_calage", path.name
        assert "facteur_calage" in wb.defined_names


def test_cli_workbook_option(tmp_path, capsys):
    source = tmp_path / "saisi.xlsx"
    handmade_workbook(worked_example(), source)
    out = tmp_path / "modele.xlsx"
    assert cli.main(["compute", str(source), "--out", str(tmp_path / "csv"),
                     "--workbook", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    wb = openpyxl.load_workbook(out, data_only=True)
    modelled = [wb["Résultats CRRA"].cell(row=r, column=16).value for r in range(2, 6)]
    assert modelled == pytest.approx([1514362.78, 2874983.14, 5044801.08, 3865853.00], abs=0.01)
    assert open_scenario(out).scenario.inputs_equal(open_scenario(source).scenario)


def test_cli_unwritable_workbook_exits_1(tmp_path, capsys):
    source = tmp_path / "saisi.xlsx"
    handmade_workbook(worked_example(), source)
    code = cli.main(["compute", str(source), "--out", str(tmp_path / "csv"),
                     "--workbook", str(tmp_path / "absent" / "modele.xlsx")])
    err = capsys.readouterr().err
    assert code == 1
    assert "Impossible d'enregistrer « modele.xlsx »" in err and "Traceback" not in err
    assert cli.main(["compute", str(source), "--out", str(tmp_path / "csv"),
                     "--workbook", " "]) == 2


# -- LibreOffice, the independent engine --------------------------------------------------

@needs_libreoffice
@pytest.mark.parametrize("name", list(SAMPLE_FILES))
def test_libreoffice_recomputes_the_samples(engine, name):
    _check(engine, name)


@needs_libreoffice
@pytest.mark.parametrize("name", [f"random-{s:02d}" for s in RANDOM_SEEDS]
                         + ["synthetic-40", "synthetic-60", "unsafe-names", "unsafe-names-120",
                            "random-large-250", "random-large-400"])
def test_libreoffice_recomputes_random_scenarios(engine, name):
    _check(engine, name)


@needs_libreoffice
@pytest.mark.parametrize("name", [e[0] for e in EDITED + TYPED_IN_LIBREOFFICE])
def test_inputs_edited_in_the_spreadsheet_recompute_and_reopen(engine, name):
    case = engine["cases"][name]
    _check(engine, name)
    # Reopening the edited file (as edited, and as LibreOffice saved it) reads the edits.
    paths = [case.recomputed] if name.startswith("typed-") else [case.saved, case.recomputed]
    for path in paths:
        loaded = open_scenario(path)
        assert not loaded.errors, [str(p) for p in loaded.errors]
        assert loaded.scenario.inputs_equal(case.scenario), path.name
        # ... and the application computes from them what LibreOffice showed.
        assert compute(loaded.scenario).national["modelled"] == pytest.approx(
            compute(case.scenario).national["modelled"], abs=1e-6)


@needs_libreoffice
@pytest.mark.parametrize("name", [u[0] for u in UNSEEN])
def test_cli_workbook_of_an_unseen_scenario_recomputes_in_libreoffice(engine, name):
    diff = _check(engine, name)
    assert diff.checked > 100
    # LibreOffice's figures are also those of the command's CSV files.
    with open(engine["root"] / "csv" / name / "crra.csv", encoding="utf-8", newline="") as fh:
        csv_rows = list(csv.DictReader(fh))
    wb = openpyxl.load_workbook(engine["cases"][name].recomputed, data_only=True)
    sheet_rows = list(wb["Résultats CRRA"].iter_rows(min_row=2, values_only=True))
    assert len(csv_rows) == len(sheet_rows)
    for line, row in zip(csv_rows, sheet_rows):
        assert line["crra_id"] == row[0]
        for key, column in (("modelled", 15), (f"alloc_{engine['cases'][name].scenario.years[-1]}",
                                                len(row) - 1)):
            assert float(line[key]) == pytest.approx(row[column], abs=EURO_TOLERANCE)


@needs_libreoffice
def test_libreoffice_summary(engine):
    """At least 20 random scenarios and the samples, all within 0.01 € (runs last)."""
    for name in engine["cases"]:
        if name not in engine["diffs"]:
            _check(engine, name)
    diffs = engine["diffs"]
    random_cases = [n for n in diffs if n.startswith(("random-", "synthetic-", "unsafe-"))]
    assert len(random_cases) >= 20
    assert all(n in diffs for n in SAMPLE_FILES)
    assert max(d.euros for d in diffs.values()) <= EURO_TOLERANCE
    assert engine["seconds"] < 300
