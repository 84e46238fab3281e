"""The report: its Qt-free content, its charts, the PDF (``migac report``), the preview,
the printer and the window's actions.

The PDF's text is read back with ``pdftotext`` (poppler-utils, installed by
``scripts/test.sh``); French typography's no-break spaces are normalised before
comparing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from conftest import REGIONS_2014, WORKED_EXAMPLE_ROWS, worked_example

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.french import long_date as french_date
from migac_desktop.core.french import order_key as region_sort_key
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import format_euros, format_signed_percent
from migac_desktop.core.scenario import make_table
from migac_desktop.reporting import figures
from migac_desktop.reporting.report import ReportCancelled, Table, build_report

ROOT = Path(__file__).resolve().parents[1]
NATIONAL = ROOT / "samples" / "scenario_national_2014.xlsx"
REGIONAL = ROOT / "samples" / "scenario_region.xlsx"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="pdftotext/pdfinfo (paquet poppler-utils) introuvables : installez-les "
           "(bash scripts/test.sh le fait) pour vérifier le texte des PDF")


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def pdf_pages(path: Path) -> list[str]:
    """The text of each page (pdftotext separates pages with form feeds)."""
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    pages = plain(out).split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def pdf_page_count(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True,
                         text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.M).group(1))


@pytest.fixture(scope="module")
def national():
    from migac_desktop.io.workbook import open_scenario
    loaded = open_scenario(NATIONAL)
    return loaded.scenario, compute(loaded.scenario)


@pytest.fixture(scope="module")
def regional():
    from migac_desktop.io.workbook import open_scenario
    loaded = open_scenario(REGIONAL)
    return loaded.scenario, compute(loaded.scenario)


@pytest.fixture(scope="module")
def national_report(national):
    scenario, results = national
    return build_report(scenario, results, source=NATIONAL, created=date(2014, 3, 1),
                        render=False)


# --------------------------------------------------------------------------- content
def test_national_report_sections(national_report):
    ids = [s.id for s in national_report.sections]
    assert ids[:3] == ["titre", "sommaire", "national"]
    regions = [i.split(":", 1)[1] for i in ids[3:]]
    assert sorted(regions) == sorted(REGIONS_2014)
    assert regions == sorted(REGIONS_2014, key=region_sort_key)   # Île-de-France under I
    assert regions.index("Île-de-France") == regions.index("Haute-Normandie") + 1
    assert len(national_report.sections) == 29
    assert national_report.subtitle == "Rapport national"
    # The comparison and national smoothing charts, one smoothing chart per region.
    kinds = [(c.kind, c.level) for c in national_report.charts]
    assert kinds.count(("comparison", "national")) == 1
    assert kinds.count(("smoothing", "national")) == 1
    assert kinds.count(("smoothing", "region")) == 26


def test_title_page(national_report, national):
    scenario, _ = national
    text = plain(national_report.text())
    assert "Fichier du scénario : scenario_national_2014.xlsx" in text
    assert "Date du rapport : 1er mars 2014" in text
    assert plain(scenario.parameters.note) in text            # the fictitious-data notice
    assert "Coût annuel d'un ETP d'ARM | 45 000 €" in text
    assert "Frais de fonctionnement par DRM | 1,50 € par DRM" in text
    assert "T3 | 100 000 | 25 | 12" in text                   # the référentiel
    assert "2014 | 20 %" in text and "2016 | 100 %" in text   # the smoothing schedule
    title = national_report.section("titre")
    tables = [b.id for b in title.blocks if isinstance(b, Table)]
    assert tables == ["parametres"]


def test_national_numbers_are_the_models(national_report, national):
    _, results = national
    table = next(t for t in national_report.tables if t.id == "regions")
    headers = [c.header for c in table.columns]
    assert headers == ["Région", "CRRA", "Dotation historique 2013", "Montant modélisé",
                       "Effet revenu", "Effet revenu (%)", "Dotation 2014", "Dotation 2015",
                       "Dotation 2016"]
    by_region = {row[0]: row for row in table.rows}
    for _, row in results.regions.iterrows():
        printed = by_region[row["region"]]
        assert printed[2] == format_euros(row["historic"])
        assert printed[3] == format_euros(row["modelled"])
        assert printed[5] == format_signed_percent(row["revenue_effect_pct"])
        assert printed[8] == format_euros(row["alloc_2016"])
    total = table.totals[0]
    assert plain(total[2]) == "227 730 000 €"
    assert plain(total[3]) == "227 730 000 €"
    assert total[1] == "101"


def test_region_section(national_report, national):
    _, results = national
    section = national_report.section("region:Bretagne")
    crra = next(t for t in section.blocks if isinstance(t, Table) and t.id == "crra:Bretagne")
    expected = results.crra[results.crra["region"] == "Bretagne"]
    assert [r[0] for r in crra.rows] == list(expected["crra_id"])
    for printed, (_, row) in zip(crra.rows, expected.iterrows()):
        assert printed[3] == row["tranche"]
        assert printed[10] == format_euros(row["modelled"])
    region_row = results.regions.set_index("region").loc["Bretagne"]
    assert crra.totals[0][10] == format_euros(region_row["modelled"])
    hospitals = next(t for t in section.blocks if isinstance(t, Table)
                     and t.id == "etablissements:Bretagne")
    assert len(hospitals.rows) == int((results.establishments["region"] == "Bretagne").sum())
    # Splits that keep the identifier and the name in every part.
    assert [c.header for c in crra.columns if c.repeat] == ["CRRA", "Libellé"]


def test_regional_report(regional):
    scenario, results = regional
    report = build_report(scenario, results, source=REGIONAL, render=False)
    # One region in the scenario: its report, not a national summary of one line.
    assert [s.id for s in report.sections] == ["titre", "region:Rhône-Alpes"]
    assert report.subtitle == "Rapport régional – Région Rhône-Alpes"
    text = plain(report.text())
    assert "Enveloppes régionales notifiées" in text
    assert "2014 | 20 647 000 € | 20 647 355 € | −355 €" in text
    assert "60*" in text and "Effectif retenu par l'ARS" in text
    kinds = [c.kind for c in report.charts]
    assert kinds == ["smoothing", "waterfall", "region_crra"]


def test_one_region_of_many(national):
    scenario, results = national
    report = build_report(scenario, results, region="Bretagne", render=False)
    assert [s.id for s in report.sections] == ["titre", "region:Bretagne"]
    assert "Périmètre : Région Bretagne : 4 CRRA" in plain(report.text())
    with pytest.raises(ValueError, match="Gamma"):
        build_report(scenario, results, region="Gamma", render=False)


def test_french_helpers():
    assert french_date(date(2014, 3, 1)) == "1er mars 2014"
    assert french_date(date(2026, 12, 25)) == "25 décembre 2026"
    assert sorted(["Limousin", "Île-de-France", "Haute-Normandie"], key=region_sort_key) == \
        ["Haute-Normandie", "Île-de-France", "Limousin"]


def test_no_historic_amount_prints_a_dash():
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[0]["historic"] = 0.0
    scenario = worked_example()
    scenario.crra = make_table(schema.CRRA, rows)
    report = build_report(scenario, compute(scenario), region="Alpha", render=False)
    crra = next(t for t in report.tables if t.id == "crra:Alpha")
    assert crra.rows[0][13] == "—"


def test_progress_and_cancel(national):
    scenario, results = national
    steps = []
    build_report(scenario, results, region="Corse",
                 progress=lambda done, total, text: steps.append((done, total, text)))
    assert [d for d, _, _ in steps] == list(range(1, len(steps) + 1))
    assert steps[-1][0] == steps[-1][1]
    assert any(text.startswith("Graphique") for _, _, text in steps)
    with pytest.raises(ReportCancelled):
        build_report(scenario, results, progress=lambda done, total, text: done < 3)


# --------------------------------------------------------------------------- charts
def test_charts_are_vector_or_300_dpi(national):
    _, results = national
    svg = figures.render_task(results, ("smoothing", 180, 82, "region", "Bretagne", 2013))
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<text" in svg                     # searchable text, not glyph outlines
    assert "Région Bretagne".encode() in svg
    assert b'width="510.236' in svg            # 180 mm in points: drawn at print size
    png = figures.render_task(results, ("smoothing", 180, 82, "region", "Bretagne", 2013),
                              "png")
    assert png.startswith(b"\x89PNG")
    width = int.from_bytes(png[16:20], "big")
    assert abs(width - 180 / 25.4 * 300) <= 1   # 300 dpi at its size on paper


@pytest.mark.skipif(not figures.can_fork(), reason="processus de travail : Linux seulement")
def test_parallel_charts_are_the_same():
    """Charts drawn by forked workers are the bytes drawn in the process (run in a
    fresh interpreter: the test process has Qt's threads, never forked)."""
    code = f"""
from migac_desktop.io.workbook import open_scenario
from migac_desktop.core.model import compute
from migac_desktop.reporting.figures import Chart, render_charts
results = compute(open_scenario({str(NATIONAL)!r}).scenario)
def charts():
    return [Chart("comparison", 180, 150, "c")] + [
        Chart("smoothing", 180, 82, n, level="region", key=n) for n in {REGIONS_2014[:6]!r}]
one, two = charts(), charts()
render_charts(results, one, parallel=False)
seen = []
render_charts(results, two, parallel=True, progress=seen.append)
print([a.data == b.data for a, b in zip(one, two)] == [True] * 7, len(seen))
"""
    done = subprocess.run([sys_executable(), "-c", code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.stdout.split() == ["True", "7"], done.stderr


# --------------------------------------------------------------------------- layout
def test_layout_repeats_headers_and_never_cuts_a_column(qapp):
    from migac_desktop.reporting.report import Column, Heading, Report, Section
    from migac_desktop.ui.printing import ReportLayout

    columns = [Column("Identifiant", repeat=True), Column("Nom", repeat=True, wrap=True)]
    columns += [Column(f"Montant numéro {i}", "right", group=i // 4) for i in range(20)]
    rows = [[f"ID-{r:03d}", f"Nom assez long de la ligne {r}"] +
            [format_euros(1_234_567.0 * (i + 1)) for i in range(20)] for r in range(150)]
    table = Table(columns, rows, title="Grand tableau", totals=[["Total", ""] + ["9"] * 20])
    report = Report("Essai", "Rapport national", "essai.xlsx", date(2014, 1, 1), None,
                    [Section("s", "Section", "Section", [Heading("Section", 1), table])])
    layout = ReportLayout(report, 595.28, 841.89)
    texts = [[op for op in page.ops if op[0] == "text"] for page in layout.pages]
    for page in texts:
        # Every page that shows rows shows the column headers, and the key columns.
        if any(op[5].startswith("ID-") for op in page):
            assert any(op[5] == "Identifiant" for op in page)
    for page in layout.pages:
        for op in page.ops:
            if op[0] == "text":
                assert op[1] <= 595.28 - layout.MARGIN_X + 0.5, op       # nothing cut
            if op[0] == "rect":
                assert op[1] + op[3] <= 595.28 - layout.MARGIN_X + 0.5
    captions = [op[5] for page in texts for op in page if op[5].startswith("Grand tableau")]
    assert any("(suite)" in c for c in captions)
    assert len({c.split(" (suite)")[0] for c in captions}) >= 2        # split by columns
    # Every amount of the first row is shown once, in one part or another.
    shown = [op[5] for page in texts for op in page]
    for value in rows[0][2:]:
        assert value in shown
    # Landscape: fewer parts, fewer pages.
    wide = ReportLayout(report, 841.89, 595.28)
    wide_captions = {op[5].split(" (suite)")[0] for page in wide.pages for op in page.ops
                     if op[0] == "text" and op[5].startswith("Grand tableau")}
    assert len(wide_captions) < len({c.split(" (suite)")[0] for c in captions})


# --------------------------------------------------------------------------- the PDF
@pytest.fixture(scope="module")
def national_pdf(tmp_path_factory):
    out = tmp_path_factory.mktemp("rapport") / "national.pdf"
    code = cli.main(["report", str(NATIONAL), "--pdf", str(out)])
    assert code == 0
    return out


@needs_poppler
def test_national_pdf(national_pdf, national_report):
    pages = pdf_pages(national_pdf)
    assert len(pages) == pdf_page_count(national_pdf)
    n = len(pages)
    assert 40 <= n <= 70
    text = "\n".join(pages)
    # National totals, every region.
    assert "227 730 000 €" in text
    summary = next(p for p in pages if "Dotations par région" in p)
    assert re.search(r"Total national\s+101\s+227 730 000 €\s+227 730 000 €", summary)
    for name in REGIONS_2014:
        assert f"Région {name}" in text, name
    # Page header and footer on every page: « Page N / M ».
    for i, page in enumerate(pages, 1):
        assert f"Page {i} / {n}" in page
    # The sections: each page's header names its section; each starts a page.
    labels = []
    for page in pages[1:]:
        first = page.strip().splitlines()[0]
        label = re.split(r"\s{2,}", first.strip())[-1]
        if not labels or labels[-1] != label:
            labels.append(label)
    expected = [s.label for s in national_report.sections[1:]]
    assert labels == expected
    assert len(labels) + 1 == len(national_report.sections) == 29
    # The sommaire gives each section's first page.
    sommaire = pages[1]
    m = re.search(r"Région Bretagne\s*\.*\s*(\d+)", sommaire)
    assert m, sommaire
    first = pages[int(m.group(1)) - 1].strip().splitlines()[0]
    assert first.endswith("Région Bretagne")
    assert "Région Bretagne" not in pages[int(m.group(1)) - 2].strip().splitlines()[0]
    # French numbers: no English decimal point in an amount.
    assert not re.search(r"\d\.\d{3}", text)


@needs_poppler
def test_region_option_limits_the_pdf(tmp_path, capsys, national):
    out = tmp_path / "bretagne.pdf"
    code = cli.main(["report", str(NATIONAL), "--pdf", str(out), "--region", "Bretagne"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Rapport écrit" in captured.out and "pages" in captured.out
    text = "\n".join(pdf_pages(out))
    assert "Région Bretagne" in text
    assert "Rapport régional – Région Bretagne" in text
    for name in REGIONS_2014:
        if name != "Bretagne":
            assert f"Région {name}" not in text, name
    _, results = national
    modelled = results.regions.set_index("region").loc["Bretagne", "modelled"]
    assert plain(format_euros(modelled)) in text
    assert "Synthèse nationale" not in text
    assert pdf_page_count(out) <= 6


def test_exit_codes(tmp_path, capsys):
    from migac_desktop.io.workbook import write_scenario

    # Unknown region: 2, nothing written.
    out = tmp_path / "r.pdf"
    assert cli.main(["report", str(REGIONAL), "--pdf", str(out), "--region", "Alsace"]) == 2
    assert "« Alsace »" in capsys.readouterr().err
    assert not out.exists()
    # Invalid scenario: 2, each problem named.
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[0]["drm"] = -5
    bad = worked_example()
    bad.crra = make_table(schema.CRRA, rows)
    bad_path = tmp_path / "invalide.xlsx"
    write_scenario(bad, bad_path)
    assert cli.main(["report", str(bad_path), "--pdf", str(out)]) == 2
    err = capsys.readouterr().err
    assert "DRM" in err and "scénario invalide" in err and "Traceback" not in err
    # Not a workbook: 2.
    junk = tmp_path / "pas_un_classeur.xlsx"
    junk.write_text("bonjour", encoding="utf-8")
    assert cli.main(["report", str(junk), "--pdf", str(out)]) == 2
    capsys.readouterr()
    # Unwritable output: 1, in French, naming the file; an existing file is kept.
    missing_dir = tmp_path / "absent" / "r.pdf"
    assert cli.main(["report", str(REGIONAL), "--pdf", str(missing_dir)]) == 1
    err = capsys.readouterr().err
    assert "impossible d'écrire" in err and "absent" in err and "introuvable" in err
    folder = tmp_path / "dossier.pdf"
    folder.mkdir()
    assert cli.main(["report", str(REGIONAL), "--pdf", str(folder)]) == 1
    capsys.readouterr()
    assert folder.is_dir() and not list(tmp_path.glob(".*.tmp"))
    # Empty --pdf: 2.
    assert cli.main(["report", str(REGIONAL), "--pdf", " "]) == 2
    capsys.readouterr()


def test_cli_does_not_import_qt_for_other_commands():
    code = ("import sys; from migac_desktop import cli; "
            f"cli.main(['validate', {str(REGIONAL)!r}]); "
            "print(any(m.startswith('PySide6') for m in sys.modules), "
            "'matplotlib' in sys.modules)")
    out = subprocess.run([sys_executable(), "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120).stdout
    assert out.strip().splitlines()[-1] == "False False"


def test_report_content_is_qt_free():
    """The reporting layer builds the whole report, charts included, without Qt."""
    code = ("import sys; from migac_desktop.io.workbook import open_scenario; "
            "from migac_desktop.core.model import compute; "
            "from migac_desktop.reporting.report import build_report; "
            f"s = open_scenario({str(REGIONAL)!r}).scenario; r = build_report(s, compute(s)); "
            "print(len(r.sections), all(c.data for c in r.charts), "
            "any(m.startswith('PySide6') for m in sys.modules))")
    out = subprocess.run([sys_executable(), "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "2 True False", out.stderr


def sys_executable() -> str:
    import sys
    return sys.executable


# --------------------------------------------------------------------------- the window
@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    from PySide6.QtCore import QSettings
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "config"))
    from migac_desktop.ui.main_window import MainWindow
    w = MainWindow()
    qtbot.addWidget(w, before_close_func=lambda w: w.document.undo_stack.setClean())
    w.show()
    assert w.open_path(NATIONAL, ask=False)
    return w


def test_actions_in_the_file_menu(window):
    from PySide6.QtGui import QAction
    actions = {name: window.findChild(QAction, name)
               for name in ("actionPrintPreview", "actionPrint", "actionExportPdf")}
    assert all(actions.values())
    assert actions["actionPrintPreview"].text().replace("&", "") == "Aperçu avant impression…"
    assert actions["actionPrint"].text().replace("&", "") == "Imprimer…"
    assert actions["actionExportPdf"].text().replace("&", "") == "Exporter en PDF…"
    assert actions["actionPrint"].shortcut().toString() == "Ctrl+P"
    file_menu = window.menuBar().actions()[0].menu()
    assert all(a in file_menu.actions() for a in actions.values())
    assert all(a.isEnabled() for a in actions.values())
    # A scenario with errors has no results: no report, and the status tip says why.
    bad = worked_example()
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS]
    rows[0]["drm"] = -5
    bad.crra = make_table(schema.CRRA, rows)
    window.document.load(bad, None)
    assert window.document.results is None
    assert not any(a.isEnabled() for a in actions.values())
    assert "erreurs" in actions["actionPrint"].statusTip()
    window.report_printer().preview(region=None)
    assert "Rapport indisponible" in window.statusBar().currentMessage()


def test_preview_has_the_pdf_page_count(window, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrintPreviewWidget

    written = window.report_printer().export_pdf(region=None, path=tmp_path / "rapport.pdf")
    assert written == tmp_path / "rapport.pdf" and written.is_file()
    layout_pages = window.report_printer()._layouts
    dialog = window.report_printer().preview(region=None, modal=False)
    qtbot.addWidget(dialog)
    widget = dialog.findChild(QPrintPreviewWidget)
    qtbot.waitUntil(lambda: widget.pageCount() > 0, timeout=20000)
    expected = next(iter(layout_pages.values())).page_count
    assert widget.pageCount() == expected
    # Qt's own preview toolbar speaks French too.
    from PySide6.QtWidgets import QToolBar
    texts = [a.text() for a in dialog.findChild(QToolBar).actions()]
    assert "Paysage" in texts and "Page suivante" in texts
    if shutil.which("pdfinfo"):
        assert pdf_page_count(written) == expected
    dialog.close()


def test_print_goes_through_the_print_dialog(window, monkeypatch, tmp_path):
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    asked = []
    monkeypatch.setattr(QPrintDialog, "exec",
                        lambda self: asked.append(self.windowTitle()) or QDialog.DialogCode.Accepted)
    printer = window.report_printer().new_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
    assert window.report_printer().print(region="Bretagne", printer=printer)
    assert asked == ["Imprimer le rapport"]
    assert (tmp_path / "imprime.pdf").stat().st_size > 10_000
    if shutil.which("pdftotext"):
        text = "\n".join(pdf_pages(tmp_path / "imprime.pdf"))
        assert "Rapport régional – Région Bretagne" in text
    assert "pages" in window.statusBar().currentMessage()


def test_region_choice_defaults_to_the_crra_filter(window, monkeypatch):
    from migac_desktop.ui import printing

    window.crra_panel.set_region("Bretagne")
    printer = window.report_printer()
    assert printer.default_region() == "Bretagne"
    seen = {}

    def fake_exec(dialog):
        seen["items"] = [dialog.combo.itemText(i) for i in range(dialog.combo.count())]
        seen["current"] = dialog.combo.currentText()
        return 0                                      # Annuler
    monkeypatch.setattr(printing.ReportScopeDialog, "exec", fake_exec)
    assert printer.preview() is None                  # cancelled: nothing built
    assert seen["current"] == "Région Bretagne"
    assert seen["items"][0] == "Rapport national" and len(seen["items"]) == 27
    window.crra_panel.set_region(None)
    assert printer.default_region() is None


def test_building_shows_progress_and_keeps_the_window_responsive(window, monkeypatch):
    from PySide6.QtCore import QTimer

    from migac_desktop.ui import printing

    monkeypatch.setattr(printing.ReportPrinter, "SHOW_PROGRESS_AFTER_MS", 0)
    ticks = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    report = window.report_printer().build(None)
    timer.stop()
    assert report is not None and len(report.sections) == 29
    assert window.report_printer().progress_shown
    assert len(ticks) >= 3              # the event loop ran while the report was built
    # Built once: asked again, the same report.
    assert window.report_printer().build(None) is report


def test_cancelling_the_build(window, monkeypatch):
    from migac_desktop.ui.jobs import Job  # the thread of every background job

    original = Job.__init__

    def cancelled_at_once(self, func, parent=None):
        original(self, func, parent)
        self.cancelled = True                # as if « Annuler » had been clicked
    monkeypatch.setattr(Job, "__init__", cancelled_at_once)
    assert window.report_printer().build("Corse") is None
    assert window.statusBar().currentMessage() == "Rapport annulé."


# -- the job runner (report and open/save) -----------------------------------------------------
def test_job_runner_shows_steps_and_stops_on_annuler(qtbot):
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

    from migac_desktop.ui.jobs import run_job

    class Stopped(Exception):
        pass

    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    reached = []

    def work(progress):
        for step in range(1, 201):
            time.sleep(0.01)
            reached.append(step)
            if progress(step, 200, f"Étape {step}") is False:
                raise Stopped()
        return "fini"

    seen = {}

    def probe():
        dialog = parent.findChild(QProgressDialog, "jobProgress")
        seen["visible"] = dialog.isVisible()
        seen["title"] = dialog.windowTitle()
        seen["maximum"] = dialog.maximum()
        seen["label"] = dialog.labelText()
        button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "Annuler")
        button.click()

    QTimer.singleShot(400, probe)
    job = run_job(parent, "Travail…", work, title="Rapport", name="jobProgress",
                  cancel="Annuler", cancelled_by=(Stopped,), show_after_ms=100)
    assert job.cancelled and job.shown
    assert job.error is None and job.result is None
    assert seen["visible"] and seen["title"] == "Rapport" and seen["maximum"] == 200
    assert seen["label"].startswith("Étape ") and seen["label"].endswith("…")
    assert len(reached) < 200                       # stopped early, at the next step
    assert parent.findChildren(QProgressDialog) == []


def test_job_runner_carries_the_error_back_and_shows_nothing_when_quick(qtbot):
    import threading

    from PySide6.QtWidgets import QProgressDialog, QWidget

    from migac_desktop.ui.jobs import run_job

    parent = QWidget()
    qtbot.addWidget(parent)

    def fails(progress):
        raise ValueError(f"abîmé dans {threading.current_thread() is threading.main_thread()}")

    job = run_job(parent, "…", fails)
    assert isinstance(job.error, ValueError) and str(job.error) == "abîmé dans False"
    assert not job.cancelled and not job.shown
    job = run_job(parent, "…", lambda progress: progress(1, 1, "seul"))
    assert job.result is True and job.error is None
    assert parent.findChildren(QProgressDialog) == []
