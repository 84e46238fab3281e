"""The report under the transition policy « Plafonné »: the policy in words on the title
page, its parameters in French, the guarantees' financing, the units held at their floor or
cap and their reste à converger (MODEL.md's worked example of the policy, to the euro as the
report prints amounts), and nothing of it under « Linéaire »."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from conftest import worked_example
from test_report import NATIONAL, needs_poppler, pdf_pages, plain

from migac_desktop import cli
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import format_euros, format_signed_euros
from migac_desktop.core.scenario import Scenario
from migac_desktop.io.workbook import open_scenario, write_scenario
from migac_desktop.reporting.report import Table, build_report
from migac_desktop.reporting.report_policy import NATIONAL_ROWS

POLICY_LABELS = ("Politique de transition", "Unité protégée par les garanties",
                 "Perte annuelle maximale", "Gain annuel maximal")


def with_policy(scenario: Scenario, **values) -> Scenario:
    params = scenario.parameters
    for key, value in {"lissage_mode": "Plafonné", **values}.items():
        params = params.with_value(key, value)
    scenario.parameters = params
    return scenario


def report_of(scenario: Scenario, **options):
    return build_report(scenario, compute(scenario), created=date(2014, 3, 1), render=False,
                        **options)


def table(report, table_id: str) -> Table:
    return next(t for t in report.tables if t.id == table_id)


@pytest.fixture(scope="module")
def example_report():
    """MODEL.md's worked example of the policy: Établissement, losses 3 %, no cap."""
    scenario = with_policy(worked_example(), lissage_niveau="Établissement", perte_max_annuelle=0.03)
    return scenario, compute(scenario), report_of(scenario)


def test_title_page_states_the_policy(example_report):
    _, _, report = example_report
    text = plain(report.text())
    assert ("Politique de transition : Lissage plafonné par établissement : perte annuelle "
            "limitée à 3 % de la dotation de l'année précédente, sans plafond de gain ; "
            "garanties financées dans l'enveloppe nationale de chaque année") in text
    rows = {row[0]: plain(row[1]) for row in table(report, "parametres").rows}
    assert rows["Politique de transition"] == "Plafonné"
    assert rows["Unité protégée par les garanties"] == "Établissement"
    assert rows["Perte annuelle maximale"] == "3 %"
    assert rows["Gain annuel maximal"] == "sans plafond"


def test_bounds_in_words_and_percentages():
    scenario = with_policy(worked_example(), lissage_niveau="Région", perte_max_annuelle=0.0125,
                           gain_max_annuel=0.05)
    report = report_of(scenario)
    text = plain(report.text())
    assert ("Lissage plafonné par région : perte annuelle limitée à 1,25 % et gain annuel limité "
            "à 5 % de la dotation de l'année précédente ;") in text
    rows = {row[0]: plain(row[1]) for row in table(report, "parametres").rows}
    assert rows["Perte annuelle maximale"] == "1,25 %"
    assert rows["Gain annuel maximal"] == "5 %"
    # 0 % is no loss at all.
    text = plain(report_of(with_policy(worked_example(), perte_max_annuelle=0.0)).text())
    assert ("Lissage plafonné par établissement : aucune baisse par rapport à la dotation de "
            "l'année précédente, sans plafond de gain ;") in text
    assert "Perte annuelle maximale | 0 %" in text


def test_worked_example_guaranteed_hospitals_and_reste(example_report):
    _, results, report = example_report
    units = table(report, "garanties")
    assert [c.header for c in units.columns] == [
        "FINESS", "Établissement", "Région", "Garantie", "Montant modélisé", "Dotation 2016",
        "Reste à converger"]
    # Largest reste first: the gainer that paid for the floors, then the two floored.
    assert [r[0] for r in units.rows] == ["020000001", "010000001", "010000002"]
    by_finess = {r[0]: [plain(c) for c in r] for r in units.rows}
    gap = results.establishments.set_index("finess").loc["010000001", "remaining_gap"]
    assert round(gap, 2) == -219_715.92
    assert by_finess["010000001"] == ["010000001", "CH A1", "Alpha", "plancher 2014–2016",
                                      "1 514 363 €", "1 734 079 €", "−219 716 €"]
    assert by_finess["010000002"][3] == "plancher 2015–2016"     # 2014's linear was above
    assert by_finess["020000001"][3:] == ["—", "8 910 654 €", "8 540 931 €", "+369 723 €"]
    assert [plain(c) for c in units.totals[-1]] == [
        "Total (3 établissements)", "", "", "", "13 300 000 €", "13 300 000 €", "0 €"]


def test_worked_example_financing_and_key_figures(example_report):
    _, _, report = example_report
    financing = table(report, "garanties-financement")
    rows = [[plain(c) for c in r] for r in financing.rows]
    # 2014: the floor's cost 20 127,44 comes from the only gainer, θ = 20 127,44 / 162 130,82.
    assert rows[0] == ["2014", "1", "0", "+20 127 €",
                       "les établissements en hausse rendent 12,4 % de leur hausse (θ)"]
    assert [r[1] for r in rows] == ["1", "2", "2"]
    text = plain(report.text())
    assert "Établissements garantis : 2 sur 3" in text
    assert "Encore à recevoir en 2016 : 369 723 € (1 établissement)" in text
    assert "Encore à rendre en 2016 : 369 723 € (2 établissements)" in text


def test_region_sections_show_their_units(example_report):
    _, _, report = example_report
    alpha = report.section("region:Alpha")
    lead = plain(alpha.blocks[1].text)
    assert lead.endswith("Garanties : au plancher, 1 établissement en 2014, 2 en 2015 et 2 en "
                         "2016. Reste à converger en 2016 : −369 723 €.")
    units = next(b for b in alpha.blocks if isinstance(b, Table) and b.id == "garanties:Alpha")
    assert [r[0] for r in units.rows] == ["010000001", "010000002"]
    assert "Région" not in [c.header for c in units.columns]     # the section is the region's
    beta = plain(report.section("region:Bêta").blocks[1].text)
    assert "Garanties : aucun établissement de la région au plancher ni au plafond." in beta


def test_caps_and_crra_level():
    scenario = with_policy(worked_example(), lissage_niveau="CRRA", gain_max_annuel=0.02)
    report = report_of(scenario)
    units = table(report, "garanties")
    assert [c.header for c in units.columns][:3] == ["CRRA", "Libellé", "Région"]
    assert [plain(c) for c in units.rows[0][:4]] == ["SAMU-B2", "SAMU B2", "Bêta",
                                                     "plafond 2014–2016"]
    financing = [[plain(c) for c in r] for r in table(report, "garanties-financement").rows]
    assert financing[0][2] == "1" and financing[0][4].startswith(
        "les CRRA en baisse récupèrent ") and financing[0][4].endswith("de leur baisse (φ)")
    assert "Garanties : au plafond, 1 CRRA en 2014, 1 en 2015 et 1 en 2016." in plain(report.text())


def test_national_section_lists_the_largest_restes():
    scenario = with_policy(open_scenario(NATIONAL).scenario, perte_max_annuelle=0.02)
    results = compute(scenario)
    report = build_report(scenario, results, render=False)
    units = table(report, "garanties")
    assert len(units.rows) == NATIONAL_ROWS
    gaps = results.establishments.set_index("finess")["remaining_gap"]
    concerned = gaps[gaps.abs() >= 0.01]
    printed = [r[0] for r in units.rows]
    assert printed == list(concerned.abs().sort_values(ascending=False).index[:NATIONAL_ROWS])
    others, total = units.totals
    rest = concerned.drop(printed)
    assert plain(others[0]) == f"{len(rest)} autres établissements"
    assert others[-1] == format_signed_euros(rest.sum())
    assert plain(total[0]) == f"Total ({len(concerned)} établissements)"
    # Each region's section lists all of its own: held some year, or left with a reste.
    for region in results.region_names:
        mine = results.establishments[results.establishments["region"] == region]
        expected = {f for f, gap in zip(mine["finess"], mine["remaining_gap"])
                    if abs(gap) >= 0.01 or any(results.guarantees("establishment", f)[i] != (0, 0)
                                               for i in range(len(results.years)))}
        listed = [b for b in report.section(f"region:{region}").blocks
                  if isinstance(b, Table) and b.id == f"garanties:{region}"]
        assert ({r[0] for r in listed[0].rows} if listed else set()) == expected, region


def test_linear_reports_say_nothing_of_the_policy():
    linear = open_scenario(NATIONAL).scenario
    # Bounds typed under « Linéaire » are not used: the report is the same as without them.
    bounded = open_scenario(NATIONAL).scenario
    bounded.parameters = bounded.parameters.with_value("perte_max_annuelle", 0.02)
    plain_text = report_of(linear, source=NATIONAL).text()
    assert report_of(bounded, source=NATIONAL).text() == plain_text
    for word in ("Politique de transition", "Reste à converger", "garantis", "plafonné",
                 "Financement des garanties"):
        assert word not in plain_text, word
    labels = [r[0] for r in table(report_of(linear), "parametres").rows]
    assert not set(POLICY_LABELS) & set(labels)
    ids = [t.id for t in report_of(linear).tables]
    assert not [i for i in ids if i.startswith("garanties")]


@needs_poppler
def test_policy_pdf_title_page_holds_on_one_page(tmp_path: Path):
    scenario = with_policy(open_scenario(NATIONAL).scenario, perte_max_annuelle=0.02)
    path = tmp_path / "garanties.xlsx"
    write_scenario(scenario, path)
    out = tmp_path / "garanties.pdf"
    assert cli.main(["report", str(path), "--pdf", str(out)]) == 0
    pages = pdf_pages(out)
    title = re.sub(r"\s+", " ", pages[0])
    assert "Lissage plafonné par établissement : perte annuelle limitée à 2 % de la dotation" in title
    assert re.search(r"Perte annuelle maximale 2 ?%", title)      # pdftotext may drop the space
    # The formula under the smoothing table, not alone on a second page.
    assert "Montant modélisé d'un CRRA" in title
    assert "Sommaire" in pages[1]
    summary = re.sub(r"\s+", " ", "\n".join(p for p in pages if "Synthèse nationale" in p))
    assert "Établissements garantis et reste à converger" in summary
    results = compute(scenario)
    top = results.establishments.sort_values("remaining_gap", key=abs).iloc[-1]
    assert plain(format_euros(top["modelled"])) in summary
    assert plain(format_signed_euros(top["remaining_gap"])) in summary
