"""The report's section « Écarts au scénario de référence » (issue 14, item 4): its texts
and tables on MODEL.md's worked example against a variant, the regional report's
hospitals, the cap of long lists, the chart of the differences, ``migac report
--reference`` end to end, and the window's report taking the window's reference.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
from conftest import WORKED_EXAMPLE_ROWS, worked_example
from matplotlib.figure import Figure
from test_report import needs_poppler, pdf_pages, plain

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.comparison import compare_results
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import format_euros, format_signed_euros
from migac_desktop.core.scenario import make_table
from migac_desktop.reporting.difference_charts import draw_difference_bars
from migac_desktop.reporting.report import Reference, build_report
from migac_desktop.reporting.report_reference import MAX_INPUT_ROWS, SECTION_TITLE

NEW_CRRA = dict(crra_id="SAMU-B3", label="SAMU B3", region="Bêta", departement="02",
                finess="020000002", establishment="CH B3", drm=30000, geo_coef=0.07,
                historic=1_000_000)


def variant():
    """The worked example with SAMU-A1's DRM changed, a CRRA added in Bêta and the cost
    of an ARM raised."""
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[0]["drm"] = 50000
    scenario = worked_example()
    scenario.crra = make_table(schema.CRRA, rows + [NEW_CRRA])
    scenario.parameters = dataclasses.replace(scenario.parameters, cout_etp_arm=46000.0)
    return scenario


@pytest.fixture(scope="module")
def pair():
    a, b = worked_example(), variant()
    return a, compute(a), b, compute(b)


def report_of(pair, **options):
    a, ra, b, rb = pair
    return build_report(b, rb, source="variante.xlsx", created=date(2014, 3, 1), render=False,
                        reference=Reference(a, ra, "reference.xlsx"), **options)


def table(report, table_id):
    return next(t for t in report.tables if t.id == table_id)


def test_reference_api_names_the_file_and_the_title(pair):
    a, ra, _, _ = pair
    from pathlib import Path
    ref = Reference(a, ra, Path("dossier") / "national_2014.xlsx")
    assert ref.source_name == "national_2014.xlsx" and ref.title == "national_2014"
    titled = dataclasses.replace(a.parameters, titre="Proposition nationale")
    a2 = dataclasses.replace(a, parameters=titled)
    assert Reference(a2, ra, "x.xlsx").title == "Proposition nationale"
    # Not a file of its own: the text is printed as it is.
    assert Reference(a, ra, "fichier ouvert, tel qu'enregistré").source_name == \
        "fichier ouvert, tel qu'enregistré"
    assert Reference(a, ra, None).source_name == "scénario non enregistré"


def test_section_texts_and_input_tables(pair):
    report = report_of(pair)
    ids = [s.id for s in report.sections]
    assert ids == ["titre", "sommaire", "national", "reference", "region:Alpha", "region:Bêta"]
    text = plain(report.text())
    assert "Scénario de référence : reference (reference.xlsx)" in text      # title page
    section = report.section("reference")
    assert section.title == SECTION_TITLE
    facts = dict(next(b for b in section.blocks if hasattr(b, "rows") and b.title == "En bref").rows)
    assert facts["Scénario"] == "variante (variante.xlsx)"
    assert facts["Scénario de référence"] == "reference (reference.xlsx)"
    assert facts["Données d'entrée différentes"] == "3 (Paramètres : 1, CRRA : 2)"
    assert facts["CRRA"] == ("4 dans les deux, 0 dans la référence seulement, "
                             "1 dans le scénario seulement")
    # The new CRRA brings its 1 000 000 € of historic: the calage adds them to the total.
    assert plain(facts["Écart total, montant modélisé"]) == "+1 000 000 €"

    params = table(report, "ecarts-entrees:Paramètres")
    assert [plain(c) for c in params.rows[0]] == ["Coût annuel d'un ETP d'ARM", "45 000 €",
                                                   "46 000 €"]
    crra = table(report, "ecarts-entrees:CRRA")
    assert [c.header for c in crra.columns] == ["CRRA", "Libellé", "Région", "Donnée",
                                                "Référence", "Scénario"]
    assert [[plain(c) for c in r] for r in crra.rows] == [
        ["SAMU-A1", "SAMU A1", "Alpha", "DRM", "45 000", "50 000"],
        ["SAMU-B3", "SAMU B3", "Bêta", "Présence", "(absent)", "présent"],
    ]


def test_result_table_by_region_has_the_models_figures(pair):
    _, ra, _, rb = pair
    report = report_of(pair)
    regions = table(report, "ecarts-regions")
    a = ra.regions.set_index("region")
    b = rb.regions.set_index("region")
    delta = b["modelled"] - a["modelled"]
    # Sorted by the largest difference: Bêta gains its new CRRA, Alpha less.
    assert [r[0] for r in regions.rows] == ["Bêta", "Alpha"]
    assert abs(delta["Bêta"]) > abs(delta["Alpha"])
    headers = [c.header for c in regions.columns]
    assert headers[:4] == ["Région", "Modélisé référence", "Modélisé scénario", "Écart modélisé"]
    assert "Dotation 2016 référence" in headers and "Écart dotation 2016" in headers
    for row in regions.rows:
        name = row[0]
        assert row[1] == format_euros(a.loc[name, "modelled"])
        assert row[2] == format_euros(b.loc[name, "modelled"])
        assert row[3] == format_signed_euros(delta[name])
        i = headers.index("Écart dotation 2015")
        assert row[i] == format_signed_euros(b.loc[name, "alloc_2015"] - a.loc[name, "alloc_2015"])
        effect = headers.index("Effet revenu scénario")
        assert row[effect] == format_signed_euros(b.loc[name, "revenue_effect"])
    total = regions.totals[0]
    assert total[0] == "Total national"
    assert plain(total[1]) == "13 300 000 €" and plain(total[2]) == "14 300 000 €"
    assert plain(total[3]) == "+1 000 000 €"
    # The chart of the differences by region, drawn from the comparison.
    charts = [c for c in report.section("reference").blocks if getattr(c, "kind", "") == "difference"]
    assert [c.title for c in charts] == ["Écart de la dotation 2016 par région"]


def test_regional_report_lists_its_hospitals_and_its_own_inputs(pair):
    _, ra, _, rb = pair
    report = report_of(pair, region="Bêta")
    assert [s.id for s in report.sections] == ["titre", "region:Bêta", "reference"]
    crra = table(report, "ecarts-entrees:CRRA")
    assert [r[0] for r in crra.rows] == ["SAMU-B3"]          # Alpha's change is counted only
    assert "Région" not in [c.header for c in crra.columns]
    assert "1 autre différence concerne d'autres régions" in crra.note
    hospitals = table(report, "ecarts-etablissements:Bêta")
    assert [r[:2] for r in hospitals.rows] == [["020000002", "CH B3"], ["020000001", "CHU B"]]
    new, chu = hospitals.rows
    # CH B3 is in the scenario only: its reference cells say so.
    assert new[2] == "(absent)"
    b = rb.establishments.set_index("finess")
    a = ra.establishments.set_index("finess")
    assert new[3] == format_euros(b.loc["020000002", "modelled"])
    assert new[4] == format_signed_euros(b.loc["020000002", "modelled"])
    assert chu[4] == format_signed_euros(b.loc["020000001", "modelled"] - a.loc["020000001", "modelled"])
    total = hospitals.totals[0]
    reg_b = rb.regions.set_index("region").loc["Bêta", "modelled"]
    reg_a = ra.regions.set_index("region").loc["Bêta", "modelled"]
    assert total[:5] == ["Total", "", format_euros(reg_a), format_euros(reg_b),
                         format_signed_euros(reg_b - reg_a)]
    kinds = [(c.kind, c.level, c.key) for c in report.charts if c.kind == "difference"]
    assert kinds == [("difference", "region", None), ("difference", "establishment", "Bêta")]


def test_without_a_reference_the_report_is_as_before(pair):
    _, _, b, rb = pair
    report = build_report(b, rb, source="variante.xlsx", render=False)
    assert [s.id for s in report.sections] == ["titre", "sommaire", "national", "region:Alpha",
                                               "region:Bêta"]
    text = report.text()
    assert "référence" not in text.casefold().replace("référentiel", "")
    assert all(c.kind != "difference" for c in report.charts)


def test_parameter_values_and_same_scenarios(pair):
    a, ra, _, _ = pair
    other = worked_example()
    other.parameters = dataclasses.replace(other.parameters, frais_par_drm=1.75,
                                           lissage_mode="Plafonné", perte_max_annuelle=0.02)
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[3]["geo_coef"] = 0.1
    other.crra = make_table(schema.CRRA, rows)
    report = build_report(other, compute(other), render=False,
                          reference=Reference(a, ra, "reference.xlsx"))
    params = {r[0]: (plain(r[1]), plain(r[2])) for r in table(report, "ecarts-entrees:Paramètres").rows}
    assert params["Frais de fonctionnement par DRM"] == ("1,50 € par DRM", "1,75 € par DRM")
    assert params["Perte annuelle maximale"] == ("(vide)", "2 %")
    assert params["Politique de transition"] == ("Linéaire", "Plafonné")
    crra = table(report, "ecarts-entrees:CRRA")
    assert [plain(c) for c in crra.rows[0][3:]] == ["Coefficient géographique", "7 %", "10 %"]
    # The same scenario as reference: nothing differs, and the section says so.
    same = build_report(a, ra, render=False, reference=Reference(worked_example(), ra, "r.xlsx"))
    section_text = plain("\n".join(b.text for b in same.section("reference").blocks
                                   if hasattr(b, "text") and isinstance(b.text, str)))
    assert "Aucune donnée d'entrée ne diffère" in section_text
    assert "Les résultats de chaque région sont les mêmes" in section_text
    assert not [t for t in same.tables if t.id.startswith("ecarts")]


def test_long_lists_are_capped_in_a_national_report_only(national_pair):
    a, ra, b, rb = national_pair
    reference = Reference(a, ra, "national.xlsx")
    report = build_report(b, rb, render=False, reference=reference)
    crra = table(report, "ecarts-entrees:CRRA")
    n = len(MANY)
    assert len(crra.rows) == MAX_INPUT_ROWS
    assert crra.totals == [[f"… et {n - MAX_INPUT_ROWS} autres"] + [""] * 5]
    # The regional report lists every difference of its region.
    region = str(a.crra["region"].iloc[MANY[0]])
    in_region = [i for i in MANY if a.crra["region"].iloc[i] == region]
    regional = build_report(b, rb, region=region, render=False, reference=reference)
    listed = table(regional, "ecarts-entrees:CRRA")
    assert [r[0] for r in listed.rows] == [a.crra["crra_id"].iloc[i] for i in in_region]
    assert not listed.totals
    assert f"{n - len(in_region)} autres différences concernent d'autres régions" in listed.note


MANY = list(range(0, 101, 2))        # the CRRA whose DRM the national variant changes


@pytest.fixture(scope="module")
def national_pair():
    from samples.make_samples import national_scenario

    a = national_scenario()
    b = national_scenario()
    drm = b.crra["drm"].to_numpy(dtype=float).copy()
    drm[MANY] = np.round(drm[MANY] * 1.1)
    b.crra = b.crra.assign(drm=drm)
    return a, compute(a), b, compute(b)


def test_difference_chart(pair):
    _, ra, _, rb = pair
    comparison = compare_results(ra, rb)
    fig = Figure(figsize=(7, 4))
    draw_difference_bars(fig, comparison, "region")
    ax = fig.axes[0]
    bars = [p for p in ax.patches]
    delta = (rb.regions.set_index("region")["alloc_2016"]
             - ra.regions.set_index("region")["alloc_2016"])
    widths = sorted((p.get_width() for p in bars), reverse=True)
    assert widths == pytest.approx(sorted(delta.to_numpy(), reverse=True))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Bêta", "Alpha"]
    labels = {t.get_text() for t in ax.texts}
    assert format_signed_euros(delta["Bêta"]) in labels
    # The hospitals of Bêta: the new one is named as in the scenario only.
    draw_difference_bars(fig, comparison, "establishment", "Bêta")
    names = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "CH B3 (scénario seulement)" in names
    # No difference: a message, no bars.
    same = compare_results(ra, ra)
    draw_difference_bars(fig, same, "region")
    assert not fig.axes and "aucun écart" in fig.texts[0].get_text()


def test_rendered_report_draws_the_difference_charts(pair):
    report = report_of(pair, region="Bêta")
    from migac_desktop.reporting.figures import render_charts
    a, ra, b, rb = pair
    render_charts(rb, report.charts, "svg")
    charts = [c for c in report.charts if c.kind == "difference"]
    assert all(c.rendered and c.format == "svg" for c in charts)
    svg = charts[1].data.decode("utf-8")
    assert "CH B3 (scénario seulement)" in svg and "Région Bêta" in svg


# --------------------------------------------------------------------------- the PDF
@needs_poppler
def test_cli_report_with_a_reference(tmp_path, capsys, pair):
    from migac_desktop.io.workbook import write_scenario

    a, ra, b, rb = pair
    write_scenario(a, tmp_path / "reference.xlsx")
    write_scenario(b, tmp_path / "variante.xlsx")
    out = tmp_path / "rapport.pdf"
    code = cli.main(["report", str(tmp_path / "variante.xlsx"), "--pdf", str(out),
                     "--reference", str(tmp_path / "reference.xlsx"), "--region", "Bêta"])
    assert code == 0, capsys.readouterr().err
    pages = pdf_pages(out)
    section = [p for p in pages if SECTION_TITLE in p]
    assert section, "\n\f".join(pages)
    text = "\n".join(section)
    assert "reference (reference.xlsx)" in text
    assert "Écarts par établissement – Région Bêta" in text
    delta = rb.establishments.set_index("finess").loc["020000002", "modelled"]
    assert plain(format_signed_euros(delta)) in text
    assert "(absent)" in text and "SAMU-B3" in text


def test_cli_invalid_reference_exits_2_naming_the_file(tmp_path, capsys):
    from migac_desktop.io.workbook import write_scenario

    write_scenario(worked_example(), tmp_path / "variante.xlsx")
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[1]["historic"] = -1
    bad = worked_example()
    bad.crra = make_table(schema.CRRA, rows)
    write_scenario(bad, tmp_path / "ref.xlsx")
    out = tmp_path / "rapport.pdf"
    code = cli.main(["report", str(tmp_path / "variante.xlsx"), "--pdf", str(out),
                     "--reference", str(tmp_path / "ref.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert f"scénario de référence « {tmp_path / 'ref.xlsx'} »" in err
    assert "Dotation historique" in err and "Traceback" not in err
    code = cli.main(["report", str(tmp_path / "variante.xlsx"), "--pdf", str(out),
                     "--reference", str(tmp_path / "absent.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and "absent.xlsx" in err and "référence" in err and not out.exists()
    assert cli.main(["report", str(tmp_path / "variante.xlsx"), "--pdf", str(out),
                     "--reference", " "]) == 2
    assert "--reference" in capsys.readouterr().err


def test_cli_help_lists_the_reference_option(capsys):
    assert cli.main(["report", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--reference" in out and "Écarts au scénario de référence" in " ".join(out.split())


# --------------------------------------------------------------------------- the window
def test_window_report_takes_the_windows_reference(window, pair):
    a, ra, _, _ = pair
    printer = window.report_printer()
    plain_report = printer.build(None)
    assert all(s.id != "reference" for s in plain_report.sections)
    reference = Reference(a, ra, "reference.xlsx")
    window.report_reference = lambda: reference
    compared = printer.build(None)
    assert compared is not plain_report
    assert "reference" in [s.id for s in compared.sections]
    assert printer.build(None) is compared               # built once for one reference
    window.report_reference = lambda: None
    assert all(s.id != "reference" for s in printer.build(None).sections)


def test_the_reference_chosen_in_the_window_reaches_the_report(window):
    """« Comparer à » › as it was when opened, after an edit: the report says the edit."""
    from migac_desktop.core.commands import SetCells
    doc = window.document
    doc.push(SetCells(doc.scenario, "CRRA", [(0, "drm", 50_000.0)]))
    assert window.references.use_opened()
    printer = window.report_printer()
    report = printer.build(None)
    assert report.section("reference") is not None
    text = report.text()
    assert "tel qu'à l'ouverture" in text and "SAMU-A1" in text
    assert window.report_reference() is window.report_reference()     # one object, one build
    assert printer.build(None) is report
    window.references.clear()
    assert all(s.id != "reference" for s in printer.build(None).sections)
