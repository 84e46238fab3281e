"""How the saved workbook prints from Excel or LibreOffice.

A4 landscape, the scenario's title and the sheet's name in the page header, « Page n
sur N » in the footer; a sheet is fit to one page's width only where it stays readable,
a wider one goes over several pages with its header row and identity columns repeated;
long texts wrap in rows made tall enough. Checked on the written file (openpyxl) and on
the pages LibreOffice prints from it (PDF: size of the text, repeated headers).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from conftest import worked_example

from migac_desktop.io.workbook import open_scenario, write_scenario

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
NATIONAL = SAMPLES / "scenario_national_2014.xlsx"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
PDFTOTEXT = shutil.which("pdftotext")
NARROW = ("Paramètres", "Référentiel", "Lissage", "Enveloppes régionales", "Synthèse régionale")


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    path = tmp_path_factory.mktemp("impression") / "national.xlsx"
    write_scenario(open_scenario(NATIONAL).scenario, path)
    return path


def test_every_sheet_prints_a4_landscape_with_title_and_page_numbers(national):
    wb = openpyxl.load_workbook(national)
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.paperSize) == 9, ws.title            # A4
        assert ws.oddHeader.left.text == "Scénario national 2014 (données fictives)", ws.title
        assert ws.oddHeader.right.text == "&A", ws.title              # the sheet's name
        assert ws.oddFooter.right.text == "Page &P sur &N", ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        assert ws.print_options.gridLines, ws.title


def test_narrow_sheets_fit_the_width_wide_ones_repeat_their_identity_columns(national):
    wb = openpyxl.load_workbook(national)
    for title in NARROW:
        ws = wb[title]
        assert ws.sheet_properties.pageSetUpPr.fitToPage, title
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0, title
        assert ws.print_title_cols is None, title
    # 22 columns on one page would print at a third of their size: three pages wide.
    results = wb["Résultats CRRA"]
    assert results.page_setup.fitToWidth == 3
    assert results.page_setup.fitToHeight == 0
    assert results.print_title_cols == "$A:$B"                        # Identifiant, Libellé
    assert wb["CRRA"].page_setup.fitToWidth == 2
    assert wb["CRRA"].print_title_cols == "$A:$B"


def test_long_texts_wrap_in_rows_tall_enough(national):
    wb = openpyxl.load_workbook(national)
    ws = wb["Paramètres"]
    rows = {ws.cell(r, 1).value: r for r in range(2, ws.max_row + 1)}
    note = ws.cell(rows["note"], 3)
    assert len(note.value) > 300
    assert note.alignment.wrap_text
    assert ws.row_dimensions[rows["note"]].height >= 6 * 15          # six lines at least
    assert ws.column_dimensions["C"].width >= 45
    short = ws.cell(rows["calage"], 3)
    assert not short.alignment.wrap_text
    assert ws.row_dimensions[rows["calage"]].height is None
    # An establishment name longer than its column wraps in the tables too.
    crra = wb["CRRA"]
    col = [c.value for c in crra[1]].index("Établissement") + 1
    width = crra.column_dimensions[openpyxl.utils.get_column_letter(col)].width
    long = [r for r in range(2, crra.max_row + 1) if len(crra.cell(r, col).value) > width]
    assert long, "the national sample has a long establishment name"
    for r in long:
        assert crra.cell(r, col).alignment.wrap_text
        assert crra.row_dimensions[r].height >= 30


def test_header_text_is_escaped_and_bounded(tmp_path):
    scenario = worked_example()
    scenario.parameters = replace(scenario.parameters,
                                  titre="ARS Auvergne & Rhône-Alpes &P " + "x" * 300)
    scenario.extra_sheets = {"Notes": [("Auteur",), ("ARS",)]}
    path = tmp_path / "titre.xlsx"
    write_scenario(scenario, path)
    wb = openpyxl.load_workbook(path)
    header = wb["Paramètres"].oddHeader.left.text
    assert header.startswith("ARS Auvergne && Rhône-Alpes &&P x")
    assert len(header) <= 110 and header.endswith("…")
    notes = wb["Notes"]                                   # a kept sheet prints the same way
    assert notes.oddFooter.right.text == "Page &P sur &N"
    assert notes.page_setup.orientation == "landscape"
    assert open_scenario(path).scenario.parameters.titre == scenario.parameters.titre


def _words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """(word, height in points) of one PDF page."""
    out = subprocess.run([PDFTOTEXT, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return [(w, float(y1) - float(y0)) for y0, y1, w in re.findall(
        r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', out)]


@pytest.mark.skipif(SOFFICE is None or PDFTOTEXT is None,
                    reason="LibreOffice (soffice) ou pdftotext absent : installez "
                           "libreoffice-calc-nogui et poppler-utils (scripts/test.sh)")
def test_libreoffice_prints_the_national_sample_readably(national, tmp_path, libreoffice_profile):
    profile = libreoffice_profile
    done = subprocess.run(
        [SOFFICE, "--headless", "--norestore", "--nolockcheck",
         f"-env:UserInstallation={profile.as_uri()}", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(national)], capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    pdf = tmp_path / "national.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert "841.89 x 595.3" in info                                   # A4 landscape
    results_pages = []
    for page in range(1, pages + 1):
        words = _words(pdf, page)
        text = " ".join(w for w, _ in words)
        assert words, f"page {page} blanche"
        assert text.startswith("Scénario national 2014 (données fictives)"), page
        assert f"Page {page} sur {pages}" in text, page
        if "Résultats" in (w for w, _ in words):      # the header's sheet name
            results_pages.append((page, words))
    # Every page of « Résultats CRRA » repeats the header row and the identity columns.
    assert len(results_pages) >= 6
    for page, words in results_pages:
        names = [w for w, _ in words]
        assert "Identifiant" in names and "Libellé" in names, page
        assert "SAMU-001" in names or "SAMU-051" in names or "SAMU-092" in names, page
    # Text printed at 6 pt or more (a fit to one page made it 3 pt and less).
    for page, probe in ((1, "cout_etp_arm"), (results_pages[0][0], "SAMU-001"),
                        (results_pages[-1][0], "Dotation")):
        heights = [h for w, h in _words(pdf, page) if w == probe]
        assert heights and min(heights) >= 6, (page, probe, heights)


def test_wrapped_line_count_is_never_below_textwrap_on_words():
    import textwrap

    from migac_desktop.io.workbook import _line_count

    note = open_scenario(NATIONAL).scenario.parameters.note
    for chars in (12, 30, 44, 49):
        assert _line_count(note, chars) >= len(textwrap.wrap(note, chars, break_on_hyphens=False))
    assert _line_count("CH de Melun\nSite de Marne-la-Vallée", 44) == 2
    assert _line_count("x" * 100, 44) == 3
