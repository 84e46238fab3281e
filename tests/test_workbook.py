"""The scenario workbook: tolerant reading, located problems, faithful and atomic writing."""

from __future__ import annotations

import errno
import math
import os
import subprocess
import sys
import zipfile
from datetime import datetime

import numpy as np
import openpyxl
import pytest
from conftest import WORKED_EXAMPLE_ROWS, worked_example

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Parameters, Scenario, make_table
from migac_desktop.core.validation import ERROR, WARNING
from migac_desktop.io import atomic
from migac_desktop.io import workbook as wbmod
from migac_desktop.io.headers import normalize_header
from migac_desktop.io.workbook import (
    NO_RESULTS_NOTE,
    WorkbookError,
    WorkbookWriteError,
    defusedxml_active,
    open_scenario,
    read_scenario,
    result_sheet_headers,
    write_scenario,
)

CRRA_HEADERS = ["Identifiant", "Libellé", "Région", "Département", "FINESS", "Établissement",
                "DRM", "Coefficient géographique", "Dotation historique", "ETP ARM retenus",
                "ETP MR retenus"]

def save_sheets(path, sheets: dict[str, list[list]]) -> None:
    """A workbook typed by hand: exactly these sheets, rows and values."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    wb.save(path)


def base_sheets() -> dict[str, list[list]]:
    """The worked example as a hand-made workbook (parameters all given)."""
    params = [["Clé", "Paramètre", "Valeur", "Unité"]]
    for spec in schema.PARAMETERS:
        value = spec.default if spec.default not in ("", None) else None
        params.append([spec.key, spec.label, value, spec.unit])
    crra = [list(CRRA_HEADERS)]
    for r in WORKED_EXAMPLE_ROWS:
        crra.append([r["crra_id"], r["label"], r["region"], r["departement"], r["finess"],
                     r["establishment"], r["drm"], r["geo_coef"], r["historic"],
                     r.get("etp_arm_override"), None])
    return {
        "Paramètres": params,
        "Référentiel": [["DRM minimum", "ETP ARM", "ETP MR", "Libellé"]]
        + [list(b) for b in schema.DEFAULT_BANDS],
        "Lissage": [["Année", "Part cumulée"]] + [list(s) for s in schema.DEFAULT_SMOOTHING],
        "CRRA": crra,
    }


def problems_at(problems, sheet, row=None, column=None):
    return [p for p in problems if p.sheet == sheet and (row is None or p.row == row)
            and (column is None or p.column == column)]


# -- environment -------------------------------------------------------------

def test_defusedxml_is_active():
    assert defusedxml_active() is True


def test_importing_the_io_layer_does_not_import_openpyxl():
    code = ("import sys, migac_desktop.io.workbook, migac_desktop.io.headers; "
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("typed, declared", [
    ("  drm ", "DRM"),
    ("DOTATION HISTORIQUE", "Dotation historique"),
    ("Etp arm retenus", "ETP ARM retenus"),
    ("Coefficient geographique", "Coefficient géographique"),
    ("Coefficient   géographique", "Coefficient géographique"),
    ("Commentaire de l’ARS", "commentaire de l'ars"),
    ("SYNTHESE  REGIONALE", "Synthèse régionale"),
])
def test_normalize_header_tolerates_retyped_headers(typed, declared):
    assert normalize_header(typed) == normalize_header(declared)


def test_normalize_header_keeps_different_headers_apart():
    assert normalize_header("ETP ARM") != normalize_header("ETP ARM retenus")
    assert normalize_header(None) == ""


# -- round trip --------------------------------------------------------------

def test_worked_example_round_trip_and_results(tmp_path):
    scenario = worked_example()
    path = tmp_path / "exemple.xlsx"
    write_scenario(scenario, path)
    loaded = open_scenario(path)
    assert loaded.problems == []
    assert loaded.scenario.inputs_equal(scenario)
    assert loaded.scenario.source_rows["CRRA"] == [2, 3, 4, 5]
    assert loaded.scenario.parameter_rows["calage"] == 9

    wb = openpyxl.load_workbook(path, data_only=True)
    assert wb.sheetnames == ["Paramètres", "Référentiel", "Lissage", "CRRA",
                             "Enveloppes régionales", "Résultats CRRA", "Synthèse régionale",
                             "Synthèse établissements", "Trajectoires"]
    ws = wb["Résultats CRRA"]
    header = [c.value for c in ws[1]]
    assert header == [
        "Identifiant", "Libellé", "Région", "FINESS", "Établissement", "DRM", "Tranche",
        "ETP ARM", "ETP MR", "ETP encadrement", "Coût du personnel", "Frais de fonctionnement",
        "Coût de base", "Coefficient géographique", "Montant brut", "Montant modélisé",
        "Dotation historique", "Effet revenu", "Effet revenu (%)", "Dotation 2014",
        "Dotation 2015", "Dotation 2016"]
    assert result_sheet_headers(scenario)["Résultats CRRA"] == header
    results = compute(scenario)
    expected = results.crra
    for r, row in enumerate(ws.iter_rows(min_row=2, values_only=True)):
        for key, value in zip(expected.columns, row):
            want = expected[key].iat[r]
            if isinstance(want, str):
                assert value == want
            else:
                assert value == pytest.approx(float(want), abs=0.01), (r, key)
    assert ws.max_row == 5
    # MODEL.md's figures, to the cent.
    modelled = [ws.cell(row=r, column=16).value for r in range(2, 6)]
    assert modelled == pytest.approx([1514362.78, 2874983.14, 5044801.08, 3865853.00], abs=0.01)
    assert [ws.cell(row=r, column=7).value for r in range(2, 6)] == ["T1", "T3", "T5", "T4"]
    assert ws.cell(row=2, column=4).value == "010000001"
    assert ws.cell(row=2, column=16).number_format == '#,##0 "€"'
    assert ws.cell(row=2, column=19).number_format == "0.0%"
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=1, column=1).font.b

    reg = wb["Synthèse régionale"]
    assert [c.value for c in reg[1]] == [
        "Région", "Nombre de CRRA", "Dotation historique", "Montant modélisé", "Effet revenu",
        "Effet revenu (%)", "Dotation 2014", "Dotation 2015", "Dotation 2016"]
    rows = list(reg.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "Alpha" and rows[0][1] == 2
    assert rows[0][3] == pytest.approx(4389345.92, abs=0.01)
    assert rows[0][5] == pytest.approx(-0.1559, abs=1e-4)
    assert rows[0][6] == pytest.approx(5037869.18, abs=0.01)
    assert rows[1][4] == pytest.approx(810654.08, abs=0.01)
    assert rows[2][0] == "Total national" and rows[2][1] == 4
    assert rows[2][2] == pytest.approx(13300000, abs=0.01)

    est = wb["Synthèse établissements"]
    assert [c.value for c in est[1]][:4] == ["FINESS", "Établissement", "Région", "Nombre de CRRA"]
    b = [r for r in est.iter_rows(min_row=2, values_only=True) if r[0] == "020000001"][0]
    assert b[3] == 2 and b[5] == pytest.approx(8910654.08, abs=0.01)

    traj = wb["Trajectoires"]
    assert [c.value for c in traj[1]] == [
        "Niveau", "Code", "Libellé", "Région", "Dotation 2013", "Dotation 2014", "Dotation 2015",
        "Dotation 2016", "Montant modélisé", "Effet revenu"]
    levels = [r[0] for r in traj.iter_rows(min_row=2, values_only=True)]
    assert levels == ["National", "Région", "Région", "Établissement", "Établissement",
                      "Établissement", "CRRA", "CRRA", "CRRA", "CRRA"]
    a1 = [r for r in traj.iter_rows(min_row=2, values_only=True) if r[1] == "SAMU-A1"][0]
    assert a1[4:8] == pytest.approx([1900000, 1822872.56, 1668617.67, 1514362.78], abs=0.01)


def rich_scenario() -> Scenario:
    """Everything a workbook can carry: extras, envelopes, four years, custom bands."""
    rows = []
    for r, extra in zip(WORKED_EXAMPLE_ROWS, ["à revoir", 12, None, "=SOMME(A1:A3)"]):
        rows.append({**r, "Commentaire de l’ARS": extra, "Code interne": f"X{r['crra_id']}"})
    crra = make_table(schema.CRRA, rows)
    bands = make_table(schema.BANDS, [
        dict(drm_min=0, etp_arm=10, etp_mr=5, label="Petit"),
        dict(drm_min=80000, etp_arm=20, etp_mr=10.5, label="Moyen"),
        dict(drm_min=200000, etp_arm=45, etp_mr=21, label="Grand")])
    smoothing = make_table(schema.SMOOTHING, [
        dict(year=2014, share=0.25), dict(year=2015, share=0.5), dict(year=2016, share=0.75),
        dict(year=2017, share=1.0)])
    envelopes = make_table(schema.ENVELOPES, [
        dict(region="Alpha", year=2014, amount=5_100_000.5),
        dict(region="Bêta", year=2015, amount=8_400_000)])
    params = Parameters(cout_etp_arm=46500.5, calage="Montant cible", enveloppe_cible=13_500_000,
                        annee_historique=2013, titre="=Scénario ARS 2014", note="Données fictives")
    return Scenario(parameters=params, bands=bands, smoothing=smoothing, crra=crra,
                    envelopes=envelopes,
                    extra_parameters=[("source", "Source des coûts", "DGOS 2013", None)],
                    extra_sheets={"Notes": [("Auteur", "Date"), ("ARS", datetime(2014, 3, 1)),
                                            (None, None), ("=1+1", 3.5)]})


def test_rich_scenario_round_trip(tmp_path):
    scenario = rich_scenario()
    path = tmp_path / "riche.xlsx"
    write_scenario(scenario, path)
    loaded = open_scenario(path)
    back = loaded.scenario
    assert back.inputs_equal(scenario)
    assert list(back.crra.columns)[-2:] == ["Commentaire de l’ARS", "Code interne"]
    assert back.crra["Commentaire de l’ARS"].tolist()[:2] == ["à revoir", 12]
    assert back.crra["Commentaire de l’ARS"].iat[3] == "=SOMME(A1:A3)"
    assert back.parameters.titre == "=Scénario ARS 2014"
    assert back.parameters.enveloppe_cible == 13_500_000
    assert back.extra_parameters == [("source", "Source des coûts", "DGOS 2013", None)]
    assert back.extra_sheets["Notes"][1] == ("ARS", datetime(2014, 3, 1))
    assert back.extra_sheets["Notes"][3] == ("=1+1", 3.5)
    assert back.years == [2014, 2015, 2016, 2017]
    # The unknown key and Alpha's envelope raising 2014's national total (MODEL.md) are
    # worth a word; nothing is an error.
    assert [p.severity for p in loaded.problems] == [WARNING, WARNING]
    assert "source" in loaded.problems[0].message
    assert loaded.problems[1].sheet == "Enveloppes régionales"
    assert "106 719 €" in loaded.problems[1].message.replace("\u00a0", " ")

    wb = openpyxl.load_workbook(path)
    # Text that looks like a formula is written as text, never as a formula.
    cell = wb["CRRA"]["L5"]
    assert cell.value == "=SOMME(A1:A3)" and cell.data_type == "s"
    assert wb["Paramètres"]["C11"].data_type == "s"
    assert wb["Lissage"]["B2"].number_format == "0.0%"
    assert wb["CRRA"]["E2"].value == "010000001" and wb["CRRA"]["E2"].data_type == "s"
    assert wb.sheetnames.index("Notes") == 5
    # Notified envelopes reach the output sheets (formulas: their cached values).
    reg = openpyxl.load_workbook(path, data_only=True)["Synthèse régionale"]
    alpha = [r for r in reg.iter_rows(min_row=2, values_only=True) if r[0] == "Alpha"][0]
    assert alpha[6] == pytest.approx(5_100_000.5, abs=0.01)
    assert [c.value for c in wb["Trajectoires"][1]][4:9] == [
        "Dotation 2013", "Dotation 2014", "Dotation 2015", "Dotation 2016", "Dotation 2017"]


def test_second_save_replaces_outputs_and_keeps_inputs(tmp_path):
    path = tmp_path / "s.xlsx"
    scenario = rich_scenario()
    write_scenario(scenario, path)
    again = read_scenario(path).scenario
    write_scenario(again, path)
    third = read_scenario(path).scenario
    assert third.inputs_equal(scenario)
    assert third.extra_sheets["Notes"][3] == ("=1+1", 3.5)
    assert openpyxl.load_workbook(path).sheetnames.count("Résultats CRRA") == 1


def test_scenario_with_errors_writes_a_note_instead_of_results(tmp_path):
    scenario = worked_example()
    scenario.crra.loc[0, "drm"] = -5
    path = tmp_path / "faux.xlsx"
    write_scenario(scenario, path)
    wb = openpyxl.load_workbook(path)
    for title in schema.RESULT_SHEETS:
        ws = wb[title]
        assert ws.max_row == 2
        assert ws["A2"].value == NO_RESULTS_NOTE
    assert [c.value for c in wb["Synthèse régionale"][1]][0] == "Région"
    # The inputs, wrong value included, are saved as they are.
    assert read_scenario(path).scenario.crra["drm"].iat[0] == -5


def test_given_results_are_written(tmp_path):
    scenario = worked_example()
    results = compute(scenario)
    write_scenario(scenario, tmp_path / "r.xlsx", results=results)
    ws = openpyxl.load_workbook(tmp_path / "r.xlsx", data_only=True)["Résultats CRRA"]
    assert ws["P3"].value == pytest.approx(results.crra["modelled"].iat[1])


# -- tolerant reading --------------------------------------------------------

def test_messy_hand_typed_workbook(tmp_path):
    sheets = base_sheets()
    sheets = {"  paramètres": sheets["Paramètres"], "REFERENTIEL": sheets["Référentiel"],
              "lissage ": sheets["Lissage"]}
    sheets["Crra"] = [
        ["identifiant", "Libelle", "REGION", "departement", "Finess", "etablissement", "  drm ",
         "Coefficient geographique", "DOTATION HISTORIQUE", "Etp arm retenus", "ETP  MR retenus",
         "Commentaire de l’ARS"],
        ["SAMU-A1", " SAMU A1 ", "Alpha", 1, 10000001, "CH Alpha 1", "45 000", None,
         "1 900 000,00 €", None, None, "ok"],
        [None, None, None, None, None, None, None, None, None, None, None, None],
        ["SAMU-A2", "SAMU A2", "Alpha", "01", "010000002", "CH Alpha 2", 100000, "0 %",
         3300000, None, None, None],
        [None, "   ", None, None, None, None, None, None, None, None, None, None],
        ["SAMU-B1", "SAMU B1", "Bêta", "2A", "2A0000001", "CH Bêta", "260000", "7 %",
         "5000000", "40", None, None],
        ["SAMU-B2", "SAMU B2", "Bêta", "2A", "2A0000001", "CH Bêta", 150000.0, 0.07,
         "3 100 000", None, "1 234,5", "voir note"],
    ]
    path = tmp_path / "saisie.xlsx"
    save_sheets(path, sheets)
    loaded = open_scenario(path)
    assert loaded.errors == []
    crra = loaded.scenario.crra
    assert crra["finess"].tolist() == ["010000001", "010000002", "2A0000001", "2A0000001"]
    assert crra["departement"].tolist() == ["01", "01", "2A", "2A"]
    assert crra["label"].iat[0] == "SAMU A1"
    assert crra["drm"].tolist() == [45000, 100000, 260000, 150000]
    assert crra["historic"].tolist() == [1900000, 3300000, 5000000, 3100000]
    assert crra["geo_coef"].tolist() == pytest.approx([0.0, 0.0, 0.07, 0.07])
    assert crra["etp_arm_override"].iat[2] == 40
    assert math.isnan(crra["etp_arm_override"].iat[0])
    assert crra["etp_mr_override"].iat[3] == 1234.5
    assert crra["Commentaire de l’ARS"].tolist() == ["ok", None, None, "voir note"]
    # Blank rows are skipped, and the Excel rows are remembered for messages.
    assert loaded.scenario.source_rows["CRRA"] == [2, 4, 6, 7]


def test_error_rows_stay_right_after_blank_rows(tmp_path):
    sheets = base_sheets()
    crra = sheets["CRRA"]
    crra.insert(2, [None] * 11)
    crra.insert(2, [None] * 11)
    crra[5][6] = "beaucoup"           # SAMU-B1's DRM, now on Excel row 6
    path = tmp_path / "texte.xlsx"
    save_sheets(path, sheets)

    read = read_scenario(path)
    [problem] = read.errors
    assert (problem.sheet, problem.row, problem.column, problem.key) == ("CRRA", 6, "DRM", "drm")
    assert "« beaucoup » n'est pas un nombre" in problem.message
    assert "feuille « CRRA », ligne 6, colonne « DRM »" in str(problem)
    assert math.isnan(read.scenario.crra["drm"].iat[2])

    opened = open_scenario(path)
    # One message for the cell, not "not a number" then "missing value".
    assert len(problems_at(opened.errors, "CRRA", 6, "DRM")) == 1
    assert opened.errors[0].message == problem.message


def test_a_remark_alone_in_an_extra_column_is_a_warning_not_a_crra(tmp_path):
    sheets = base_sheets()
    crra = sheets["CRRA"]
    crra[0].append("Remarque")
    crra[1].append("à revoir avec le CH")
    crra.append([None] * 11 + ["Total à vérifier en 2015"])     # Excel row 6, under the table
    path = tmp_path / "remarque.xlsx"
    save_sheets(path, sheets)

    opened = open_scenario(path)
    assert opened.errors == []
    [warning] = problems_at(opened.warnings, "CRRA", 6)
    assert warning.column == "Remarque"
    assert "ligne ignorée : seules des colonnes hors modèle (« Remarque »)" in warning.message
    assert "ne sera pas réécrite à l'enregistrement" in warning.message
    crra_read = opened.scenario.crra
    assert len(crra_read) == 4 and crra_read["Remarque"].iat[0] == "à revoir avec le CH"


def test_a_comma_before_three_digits_is_read_french_and_said(tmp_path):
    sheets = base_sheets()
    sheets["CRRA"][1][6] = "45,000"            # 45 000 DRM typed the English way?
    sheets["CRRA"][2][6] = "100 000,5"         # unambiguous: no reading warning
    path = tmp_path / "virgule.xlsx"
    save_sheets(path, sheets)
    opened = open_scenario(path)
    assert opened.scenario.crra["drm"].tolist()[:2] == [45.0, 100000.5]
    [warning] = problems_at(opened.warnings, "CRRA", 2, "DRM")
    assert warning.message == ("« 45,000 » est lu 45 (virgule décimale) ; si vous vouliez "
                               "45\u00a0000, saisissez-le sans virgule.")
    # Only the model's own warning of a DRM that is not whole (MODEL.md), not the reader's.
    [fractional] = problems_at(opened.problems, "CRRA", 3)
    assert "n'est pas un nombre entier de dossiers" in fractional.message


def test_excel_error_value_is_an_input_error(tmp_path):
    sheets = base_sheets()
    sheets["CRRA"][2][8] = "#DIV/0!"          # SAMU-A2's historic
    sheets["CRRA"][3][0] = "#N/A"             # SAMU-B1's identifier
    path = tmp_path / "erreur.xlsx"
    save_sheets(path, sheets)
    assert openpyxl.load_workbook(path)["CRRA"]["I3"].data_type == "e"
    loaded = open_scenario(path)
    [hist] = problems_at(loaded.errors, "CRRA", 3, "Dotation historique")
    assert "#DIV/0!" in hist.message
    [ident] = problems_at(loaded.errors, "CRRA", 4, "Identifiant")
    assert "#N/A" in ident.message
    assert loaded.scenario.crra["crra_id"].iat[2] == ""


def test_date_in_a_number_column(tmp_path):
    sheets = base_sheets()
    sheets["CRRA"][1][6] = datetime(2013, 5, 1)
    path = tmp_path / "date.xlsx"
    save_sheets(path, sheets)
    [problem] = read_scenario(path).errors
    assert (problem.sheet, problem.row, problem.column) == ("CRRA", 2, "DRM")
    assert "date" in problem.message


def test_year_must_be_whole(tmp_path):
    sheets = base_sheets()
    sheets["Lissage"][2][0] = 2015.5
    path = tmp_path / "annee.xlsx"
    save_sheets(path, sheets)
    [problem] = read_scenario(path).errors
    assert (problem.sheet, problem.row, problem.column) == ("Lissage", 3, "Année")
    assert "entier" in problem.message


def test_optional_columns_and_defaults(tmp_path):
    sheets = base_sheets()
    sheets["Référentiel"] = [[r[0], r[1], r[2]] for r in sheets["Référentiel"]]  # no Libellé
    sheets["CRRA"] = [[r[i] for i in (0, 2, 4, 6, 8)] for r in sheets["CRRA"]]   # required only
    path = tmp_path / "minimal.xlsx"
    save_sheets(path, sheets)
    loaded = open_scenario(path)
    assert loaded.errors == []
    scenario = loaded.scenario
    assert scenario.bands["label"].tolist() == [f"T{i}" for i in range(1, 8)]
    assert scenario.crra["geo_coef"].tolist() == [0.0] * 4
    assert np.isnan(scenario.crra["etp_arm_override"]).all()
    assert len(scenario.envelopes) == 0
    assert list(scenario.crra.columns) == schema.CRRA.keys


def test_parameters_sheet_tolerance(tmp_path):
    sheets = base_sheets()
    params = [row for row in sheets["Paramètres"] if row[0] not in ("cout_etp_arm", "titre")]
    for row in params:
        if row[0] == "calage":
            row[2] = "MONTANT CIBLE"
        if row[0] == "enveloppe_cible":
            row[2] = "13 500 000 €"
        if row[0] == "frais_par_drm":
            row[0] = "  Frais_Par_DRM "
            row[2] = "1,75"
    params.append(["cout_telephonie", "Téléphonie", 12, "€"])
    sheets["Paramètres"] = params
    path = tmp_path / "params.xlsx"
    save_sheets(path, sheets)
    loaded = read_scenario(path)
    p = loaded.scenario.parameters
    assert p.calage == "Montant cible"
    assert p.enveloppe_cible == 13_500_000
    assert p.frais_par_drm == 1.75
    assert p.cout_etp_arm == 45000.0
    assert loaded.errors == []
    messages = {(w.key, w.row): w.message for w in loaded.warnings}
    assert "défaut" in messages[("cout_etp_arm", None)]
    assert not any(key == "titre" for key, _ in messages)
    unknown = [w for w in loaded.warnings if "cout_telephonie" in w.message]
    assert unknown and unknown[0].row == len(params)
    assert loaded.scenario.defaulted_parameters == ("cout_etp_arm", "titre")
    assert loaded.scenario.parameter_rows["calage"] == 8


def test_unknown_calibration_and_bad_parameter(tmp_path):
    sheets = base_sheets()
    for row in sheets["Paramètres"]:
        if row[0] == "calage":
            row[2] = "proportionnel"
        if row[0] == "cout_etp_mr":
            row[2] = "cent mille"
    path = tmp_path / "calage.xlsx"
    save_sheets(path, sheets)
    loaded = open_scenario(path)
    calage = [p for p in loaded.errors if p.key == "calage"]
    assert len(calage) == 1 and "proportionnel" in calage[0].message
    assert (calage[0].sheet, calage[0].row, calage[0].column) == ("Paramètres", 9, "Valeur")
    cost = [p for p in loaded.errors if p.key == "cout_etp_mr"]
    assert len(cost) == 1 and "cent mille" in cost[0].message and cost[0].row == 3


def test_output_sheets_are_ignored_on_read(tmp_path):
    sheets = base_sheets()
    sheets["Résultats CRRA"] = [["n'importe quoi"], ["#DIV/0!", datetime(2020, 1, 1)]]
    sheets["synthese regionale"] = [[None, "x"]]
    sheets["Mes notes"] = [["libre", 1]]
    path = tmp_path / "sorties.xlsx"
    save_sheets(path, sheets)
    loaded = open_scenario(path)
    assert loaded.problems == []
    assert list(loaded.scenario.extra_sheets) == ["Mes notes"]
    assert loaded.scenario.extra_sheets["Mes notes"][0] == ("libre", 1)


def test_data_under_a_blank_header_is_kept(tmp_path):
    sheets = base_sheets()
    for row in sheets["CRRA"][1:]:
        row.extend([None, "note"])
    path = tmp_path / "sans_entete.xlsx"
    save_sheets(path, sheets)
    crra = read_scenario(path).scenario.crra
    assert crra["Colonne M"].tolist() == ["note"] * 4


def test_duplicate_column_reads_the_first_and_keeps_the_second(tmp_path):
    sheets = base_sheets()
    sheets["CRRA"][0].append("drm")
    for row in sheets["CRRA"][1:]:
        row.append(1)
    path = tmp_path / "double.xlsx"
    save_sheets(path, sheets)
    loaded = open_scenario(path)
    assert loaded.errors == []
    assert loaded.scenario.crra["drm"].tolist() == [45000, 100000, 260000, 150000]
    assert loaded.scenario.crra["drm (2)"].tolist() == [1, 1, 1, 1]
    [warning] = loaded.warnings
    assert (warning.sheet, warning.row) == ("CRRA", 1) and "en double" in warning.message
    assert "colonne G" in warning.message


def test_wrong_dimension_record_does_not_cut_columns(tmp_path):
    """Some producers write <dimension ref="A1"/>: read-only mode must not trust it."""
    path = tmp_path / "dim.xlsx"
    save_sheets(path, base_sheets())
    patched = tmp_path / "dim2.xlsx"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w") as out:
        for item in src.infolist():
            data = src.read(item)
            if item.filename.startswith("xl/worksheets/"):
                text = data.decode()
                start = text.index("<dimension")
                end = text.index("/>", start) + 2
                data = (text[:start] + '<dimension ref="A1"/>' + text[end:]).encode()
            out.writestr(item, data)
    loaded = open_scenario(patched)
    assert loaded.errors == []
    assert loaded.scenario.inputs_equal(worked_example())


# -- files that cannot give a scenario ---------------------------------------

def test_missing_sheet(tmp_path):
    sheets = base_sheets()
    del sheets["CRRA"]
    path = tmp_path / "sans_crra.xlsx"
    save_sheets(path, sheets)
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    [problem] = info.value.problems
    assert problem.severity == ERROR and problem.sheet == "CRRA"
    assert "absente" in problem.message and "Identifiant" in problem.message
    assert "sans_crra.xlsx" in str(info.value) and "feuille « CRRA »" in str(info.value)


def test_missing_columns_are_all_named(tmp_path):
    sheets = base_sheets()
    sheets["CRRA"] = [[v for i, v in enumerate(r) if i not in (6, 8)] for r in sheets["CRRA"]]
    sheets["Lissage"] = [[r[0]] for r in sheets["Lissage"]]
    path = tmp_path / "colonnes.xlsx"
    save_sheets(path, sheets)
    with pytest.raises(WorkbookError) as info:
        open_scenario(path)
    located = {(p.sheet, p.row, p.column) for p in info.value.problems}
    assert located == {("CRRA", 1, "DRM"), ("CRRA", 1, "Dotation historique"),
                       ("Lissage", 1, "Part cumulée")}
    assert "feuille « CRRA », ligne 1, colonne « DRM » : colonne « DRM » absente" in str(info.value)


def test_envelope_sheet_with_a_missing_column(tmp_path):
    sheets = base_sheets()
    sheets["Enveloppes régionales"] = [["Région", "Année"], ["Alpha", 2014]]
    path = tmp_path / "env.xlsx"
    save_sheets(path, sheets)
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    assert [(p.sheet, p.column) for p in info.value.problems] == [
        ("Enveloppes régionales", "Enveloppe notifiée")]


def _zip_not_xlsx(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "bonjour")


@pytest.mark.parametrize("name, make, expected", [
    ("hasard.xlsx", lambda p: p.write_bytes(os.urandom(4096)), "n'est pas un classeur Excel"),
    ("vide.xlsx", lambda p: p.write_bytes(b""), "vide"),
    ("tronque.xlsx", None, "endommagé"),
    ("table.xlsx", lambda p: p.write_text("Identifiant;DRM\nSAMU-1;45000\n", encoding="utf-8"),
     "CSV"),
    ("ancien.xlsx", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000)),
     "mot de passe"),
    ("archive.xlsx", _zip_not_xlsx, "archive ZIP qui ne contient pas de classeur"),
])
def test_unreadable_files_raise_workbook_error(tmp_path, name, make, expected):
    path = tmp_path / name
    if make is None:
        good = tmp_path / "bon.xlsx"
        write_scenario(worked_example(), good)
        path.write_bytes(good.read_bytes()[:3000])
    else:
        make(path)
    with pytest.raises(WorkbookError) as info:
        open_scenario(path)
    assert expected in str(info.value)
    assert name in str(info.value)
    assert all(p.severity == ERROR for p in info.value.problems)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(WorkbookError, match="introuvable"):
        read_scenario(tmp_path / "absent.xlsx")
    with pytest.raises(WorkbookError, match="dossier"):
        read_scenario(tmp_path)


def test_valid_workbook_with_another_extension_still_reads(tmp_path):
    path = tmp_path / "scenario.bak"
    write_scenario(worked_example(), tmp_path / "s.xlsx")
    path.write_bytes((tmp_path / "s.xlsx").read_bytes())
    assert read_scenario(path).scenario.inputs_equal(worked_example())


# -- atomic writing ----------------------------------------------------------

def test_write_into_a_missing_folder(tmp_path):
    with pytest.raises(WorkbookWriteError) as info:
        write_scenario(worked_example(), tmp_path / "nulle-part" / "s.xlsx")
    assert "n'existe pas" in str(info.value)
    assert isinstance(info.value, OSError)


def test_failed_save_leaves_previous_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "s.xlsx"
    write_scenario(worked_example(), path)
    before = path.read_bytes()

    def broken_save(book, target):
        with open(target, "wb") as fh:
            fh.write(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(wbmod, "_save_workbook", broken_save)
    with pytest.raises(WorkbookWriteError) as info:
        write_scenario(rich_scenario(), path)
    assert "disque est plein" in str(info.value)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_unexpected_failure_is_reported_in_french(tmp_path, monkeypatch):
    path = tmp_path / "s.xlsx"
    write_scenario(worked_example(), path)
    before = path.read_bytes()

    def broken_save(book, target):
        raise RuntimeError("boom")

    monkeypatch.setattr(wbmod, "_save_workbook", broken_save)
    with pytest.raises(WorkbookWriteError, match="précédent est intact"):
        write_scenario(worked_example(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.xlsx"]


def test_permission_denied_is_explained(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(atomic.tempfile, "mkstemp", refuse)
    with pytest.raises(WorkbookWriteError, match="accès refusé") as info:
        write_scenario(worked_example(), tmp_path / "s.xlsx")
    assert "s.xlsx" in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_saved_file_keeps_its_permissions(tmp_path):
    path = tmp_path / "s.xlsx"
    write_scenario(worked_example(), path)
    path.chmod(0o640)
    write_scenario(worked_example(), path)
    assert (path.stat().st_mode & 0o777) == 0o640
