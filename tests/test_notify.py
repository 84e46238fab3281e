"""The hospitals' notifications: the ``signataire`` parameter, the Qt-free content of one
hospital's notification, ``migac notify`` and its files (WORKBOOK.md).

The scenario is made here, with random figures, so that nothing is taken from the
samples the program was tuned on. The PDFs' text is read back with ``pdftotext``.
"""

from __future__ import annotations

import csv
import random
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from migac_desktop import cli
from migac_desktop.core import schema
from migac_desktop.core.model import alloc_key, compute
from migac_desktop.core.numbers import format_euros
from migac_desktop.core.scenario import Parameters, Scenario, make_table
from migac_desktop.io.workbook import open_scenario, write_scenario
from migac_desktop.reporting.notification import (
    NotificationContext,
    Signature,
    build_notification,
    build_notifications,
)

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext (paquet poppler-utils) introuvable : installez-le pour lire les PDF")

SIGNATORY = "Le directeur général de l'ARS, Jean-Michel Quéré"
REGIONS = ("Armorique", "Vallée-Haute", "Côte d'Émeraude")


def plain(text: str) -> str:
    return re.sub(r"[\u00a0\u202f]", " ", text)


def pdf_text(path: Path) -> str:
    # Reading order (not -layout): the signature beside the notice stays in one piece.
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                         capture_output=True, check=True).stdout.decode("utf-8")
    # pdftotext writes ligatures as one character (« ﬁ »).
    return plain(out).replace("\ufb01", "fi").replace("\ufb02", "fl")


def walk(blocks):
    from migac_desktop.reporting.report_model import _walk

    return list(_walk(blocks))


def random_scenario(seed: int = 16, *, signatory: str = SIGNATORY, capped: bool = False,
                    title: str = "Scénario d'essai des notifications") -> Scenario:
    """Three regions, 9 hospitals; the first hospital of Armorique has three CRRA."""
    rng = random.Random(seed)
    rows = []
    n = 0
    for r, region in enumerate(REGIONS):
        for h in range(3 + (r == 0)):
            finess = f"{r + 1:02d}{rng.randrange(10 ** 6):06d}{h}"
            for _ in range(3 if (r == 0 and h == 0) else 1):
                n += 1
                rows.append(dict(
                    crra_id=f"C-{n:03d}", label=f"Centre {n} de {region}", region=region,
                    departement=f"{rng.randrange(1, 96):02d}", finess=finess,
                    establishment=f"CH n°{h + 1} de {region}",
                    drm=rng.randrange(20_000, 450_000),
                    geo_coef=rng.choice([0.0, 0.0, 0.05, 0.115]),
                    historic=rng.randrange(1_500_000, 6_500_000) + rng.random(),
                    etp_arm_override=rng.choice([None, None, 17.5]),
                    etp_mr_override=None))
    crra = make_table(schema.CRRA, rows)
    params = Parameters(cout_etp_arm=47_250.0, cout_etp_mr=118_400.0, frais_par_drm=1.75,
                        titre=title, signataire=signatory,
                        **(dict(lissage_mode="Plafonné", perte_max_annuelle=0.02,
                                gain_max_annuel=0.05) if capped else {}))
    smoothing = make_table(schema.SMOOTHING, [dict(year=2017, share=0.3), dict(year=2018, share=0.7),
                                              dict(year=2019, share=1.0)])
    return Scenario(parameters=params, crra=crra, smoothing=smoothing)


@pytest.fixture()
def scenario_file(tmp_path):
    path = tmp_path / "essai.xlsx"
    write_scenario(random_scenario(), path)
    return path


def run(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- signataire
def test_signatory_is_read_and_written_like_the_title(tmp_path):
    path = tmp_path / "s.xlsx"
    write_scenario(random_scenario(signatory="La directrice générale"), path)
    loaded = open_scenario(path)
    assert loaded.scenario.parameters.signataire == "La directrice générale"
    # Missing from an older file: empty, and not announced (like titre and note).
    assert "signataire" not in {p.key if hasattr(p, "key") else "" for p in loaded.problems}
    spec = schema.PARAMETER_BY_KEY["signataire"]
    assert (spec.label, spec.kind, spec.default, spec.announce_missing) == (
        "Signataire des notifications", "text", "", False)
    assert Parameters().signataire == ""


def test_signatory_missing_from_a_file_is_empty_without_warning(tmp_path):
    from openpyxl import load_workbook

    path = tmp_path / "ancien.xlsx"
    write_scenario(random_scenario(), path)
    book = load_workbook(path)
    sheet = book["Paramètres"]
    rows = [r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "signataire"]
    assert len(rows) == 1
    sheet.delete_rows(rows[0])
    book.save(path)
    loaded = open_scenario(path)
    assert loaded.scenario.parameters.signataire == ""
    assert not [p for p in loaded.problems if "signataire" in str(p)]


def test_the_report_does_not_list_the_signatory():
    from migac_desktop.reporting.report import build_report

    scenario = random_scenario()
    report = build_report(scenario, compute(scenario), render=False)
    assert "Signataire" not in report.text()


# --------------------------------------------------------------------------- content
def test_notification_content_of_a_hospital_with_three_crra():
    scenario = random_scenario()
    results = compute(scenario)
    est = results.establishments
    first = est.iloc[0]
    assert first["n_crra"] == 3
    report = build_notification(NotificationContext(scenario, results, created=date(2017, 1, 9)),
                                str(first["finess"]))
    text = report.text()
    assert first["establishment"] in text and first["finess"] in text
    assert "ARS Armorique" in text
    for y in results.years:
        assert format_euros(first[alloc_key(y)]) in text
    # One column per CRRA and their total, each step of the calculation.
    table = next(t for t in report.tables if t.id == "crra")
    assert [c.header for c in table.columns] == ["Étape du calcul", "C-001", "C-002", "C-003",
                                                 "Total"]
    modelled = next(row for row in table.rows if row[0] == "Montant modélisé")
    crra = results.crra
    assert modelled[1:4] == [format_euros(v) for v in crra["modelled"][:3]]
    assert modelled[4] == format_euros(first["modelled"])
    retained = next(row for row in table.rows if row[0] == "ETP ARM retenus par l'ARS")
    overrides = scenario.crra["etp_arm_override"][:3].tolist()
    assert [cell == "—" for cell in retained[1:4]] == [v != v for v in overrides]
    signature = [b for b in walk(report.sections[0].blocks) if isinstance(b, Signature)]
    assert signature[0].signatory == SIGNATORY
    assert "9 janvier 2017" in signature[0].place_date
    assert "Scénario d'essai des notifications" in text


def test_empty_title_and_signatory_are_left_out():
    scenario = random_scenario(signatory="  ", title="")
    results = compute(scenario)
    report = next(build_notifications(scenario, results))
    assert not [b for b in walk(report.sections[0].blocks) if isinstance(b, Signature)]
    assert "Scénario :" not in report.text()
    assert report.header_text == "Notification MIG SAMU"
    assert report.sections[0].blocks[0].subtitle == "ARS Armorique"


def test_defaults_notice_only_with_default_parameters():
    scenario = random_scenario()
    results = compute(scenario)
    notice = NotificationContext(scenario, results).defaults_notice
    # The scenario changed three of the six costs; the others and the référentiel are defaults.
    assert notice is not None
    assert notice.text.startswith("Coût annuel d'un ETP d'encadrement, ETP d'encadrement par "
                                  "CRRA, frais fixes de fonctionnement par CRRA et le "
                                  "référentiel de moyens sont les valeurs par défaut")
    assert "ETP d'ARM" not in notice.text
    assert "référentiel de moyens" in notice.text
    changed = Parameters(**{**scenario.parameters.as_dict(), "cout_etp_encadrement": 61_000.0,
                            "etp_encadrement_par_crra": 1.5, "frais_fixes_crra": 160_000.0})
    bands = scenario.bands.copy()
    bands.loc[0, "etp_arm"] = 11.0
    other = Scenario(parameters=changed, crra=scenario.crra, smoothing=scenario.smoothing,
                     bands=bands)
    assert NotificationContext(other, compute(other)).defaults_notice is None


def test_capped_policy_names_the_guaranteed_years():
    scenario = random_scenario(capped=True)
    results = compute(scenario)
    reports = list(build_notifications(scenario, results))
    held = [(r, results.guarantees("establishment", r.finess)) for r in reports]
    floored = [(r, g) for r, g in held if any(f for f, _ in g)]
    assert floored, "the random scenario should floor at least one hospital"
    report, guarantees = floored[0]
    text = report.text()
    assert "Lissage plafonné par établissement" in text
    years = [y for y, (f, _) in zip(results.years, guarantees) if f]
    assert f"au plancher en {years[0]}" in text
    table = next(t for t in report.tables if t.id.startswith("dotations:"))
    assert table.columns[-1].header == "Garantie"
    assert [row[-1] for row in table.rows[1:]] == [
        "plancher" if f else "plafond" if c else "—" for f, c in guarantees]


# --------------------------------------------------------------------------- migac notify
@needs_poppler
def test_notify_region_writes_one_pdf_per_hospital(capsys, scenario_file, tmp_path):
    out = tmp_path / "notifications"
    code, stdout, err = run(capsys, "notify", scenario_file, "--out", out, "--region", "Armorique")
    assert code == 0, err
    scenario = open_scenario(scenario_file).scenario
    results = compute(scenario)
    est = results.establishments
    mine = est[est["region"] == "Armorique"]
    assert len(mine) == 4
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"{f}.pdf" for f in mine["finess"]] + ["notifications.csv"])
    assert "4 notifications écrites" in stdout
    for _, row in mine.iterrows():
        text = pdf_text(out / f"{row['finess']}.pdf")
        assert row["establishment"] in text
        assert row["finess"] in text
        assert "Armorique" in text and "ARS Armorique" in text
        for y in results.years:
            assert plain(format_euros(row[alloc_key(y)])) in text, (row["finess"], y)
        assert SIGNATORY in re.sub(r"\s+", " ", text)
    # notifications.csv: the rows of establishments.csv for the hospitals notified.
    with open(out / "notifications.csv", encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    assert header == list(schema.ESTABLISHMENT_RESULT_KEYS) + [alloc_key(y) for y in results.years]
    assert [r[0] for r in rows] == list(mine["finess"])
    for r, (_, row) in zip(rows, mine.iterrows()):
        for key, cell in zip(header, r):
            value = row[key]
            if isinstance(value, str):
                assert cell == value
            else:
                assert float(cell) == float(value), (key, cell, value)


def test_notify_capped_csv_has_remaining_gap(capsys, tmp_path):
    path = tmp_path / "plafonne.xlsx"
    write_scenario(random_scenario(capped=True), path)
    out = tmp_path / "n"
    code, _, err = run(capsys, "notify", path, "--out", out)
    assert code == 0, err
    results = compute(open_scenario(path).scenario)
    with open(out / "notifications.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(results.establishments) == 10
    assert [float(r["remaining_gap"]) for r in rows] == \
        results.establishments["remaining_gap"].tolist()
    assert len(list(out.glob("*.pdf"))) == 10


def test_notify_unknown_region_exits_2_listing_regions(capsys, scenario_file, tmp_path):
    code, _, err = run(capsys, "notify", scenario_file, "--out", tmp_path / "n", "--region",
                       "armorique")
    assert code == 2
    assert "« armorique » n'a aucun CRRA" in err
    for region in REGIONS:
        assert f"« {region} »" in err
    assert "Traceback" not in err
    assert not (tmp_path / "n").exists()


def test_notify_unwritable_folder_exits_1_in_french(capsys, scenario_file, tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    code, _, err = run(capsys, "notify", scenario_file, "--out", blocker / "sous-dossier")
    assert code == 1
    assert err.startswith("Erreur — impossible d'écrire les notifications dans")
    assert "Traceback" not in err


def test_notify_replaces_files_of_the_same_name(capsys, scenario_file, tmp_path):
    out = tmp_path / "n"
    out.mkdir()
    finess = compute(open_scenario(scenario_file).scenario).establishments["finess"].iloc[0]
    (out / f"{finess}.pdf").write_bytes(b"ancien")
    (out / "notifications.csv").write_text("ancien")
    (out / "autre.txt").write_text("gardé")
    code, _, err = run(capsys, "notify", scenario_file, "--out", out)
    assert code == 0, err
    assert (out / f"{finess}.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "notifications.csv").read_text(encoding="utf-8").startswith("finess,")
    assert (out / "autre.txt").read_text() == "gardé"


def test_notify_empty_out_and_invalid_scenario_exit_2(capsys, tmp_path):
    code, _, err = run(capsys, "notify", tmp_path / "x.xlsx", "--out", " ")
    assert code == 2 and "--out" in err
    bad = tmp_path / "bad.xlsx"
    bad.write_text("pas un classeur")
    code, _, err = run(capsys, "notify", bad, "--out", tmp_path / "n")
    assert code == 2 and "Traceback" not in err


# --------------------------------------------------------------------------- the window
@pytest.fixture
def notify_window(qtbot, tmp_path, monkeypatch):
    from conftest import open_window

    return open_window(qtbot, tmp_path, monkeypatch, random_scenario())


@pytest.fixture
def boxes(monkeypatch):
    """Message boxes answered without showing them: each records its name and text and
    clicks the button named in ``boxes.answers`` (by object name), else closes."""
    from PySide6.QtWidgets import QMessageBox

    class Boxes(list):
        answers: dict[str, str] = {}

    seen = Boxes()

    def fake_exec(box):
        seen.append((box.objectName(), box.text()))
        wanted = seen.answers.get(box.objectName())
        box._chosen = next((b for b in box.buttons() if b.text() == wanted), None)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    monkeypatch.setattr(QMessageBox, "clickedButton", lambda box: box._chosen)
    return seen


def test_window_dialog_writes_the_working_region(notify_window, boxes, tmp_path, monkeypatch):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QDialog

    from migac_desktop.ui.printing import notify_actions
    from migac_desktop.ui.settings import notifications_folder

    window = notify_window
    window.document.set_working_region("Vallée-Haute")
    action = window.findChild(QAction, "actionNotify")
    assert action.text() == "No&tifications aux établissements…" and action.isEnabled()
    assert action in window.menuBar().actions()[0].menu().actions()
    folder = tmp_path / "notifications"
    shown = {}

    def fake_exec(dialog):
        shown["region"] = dialog.region_button.text()
        shown["all"] = dialog.all_button.text()
        shown["checked"] = dialog.region_button.isChecked()
        shown["names"] = (dialog.folder.accessibleName(), dialog.region_button.accessibleName())
        dialog.folder.setText(str(folder))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(notify_actions.NotifyDialog, "exec", fake_exec)
    action.trigger()
    assert shown["region"] == "&Région de travail : Vallée-Haute (3 établissements)"
    assert shown["all"] == "Tout le &scénario (10 établissements)"
    assert shown["checked"] and all(shown["names"])
    est = compute(window.document.scenario).establishments
    mine = est[est["region"] == "Vallée-Haute"]["finess"].tolist()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{f}.pdf" for f in mine] + ["notifications.csv"])
    assert boxes[-1] == ("notifySummary",
                         f"3 notifications écrites dans « {folder} » (région Vallée-Haute).")
    # The folder is remembered, and proposed next time.
    assert notifications_folder() == str(folder)
    monkeypatch.setattr(notify_actions.NotifyDialog, "exec",
                        lambda dialog: shown.update(folder=dialog.folder.text()) or 0)
    window.notifier().notify()
    assert shown["folder"] == str(folder)


def test_window_dialog_without_working_region(notify_window):
    from migac_desktop.ui.printing.notify_actions import NotifyDialog

    notifier = notify_window.notifier()
    dialog = NotifyDialog(None, notifier.counts(), "", notify_window)
    assert not dialog.region_button.isEnabled() and dialog.all_button.isChecked()
    assert dialog.region() is None


def test_window_never_replaces_without_asking(notify_window, boxes, tmp_path):
    window = notify_window
    folder = tmp_path / "n"
    folder.mkdir()
    est = compute(window.document.scenario).establishments
    first = est["finess"].iloc[0]
    (folder / f"{first}.pdf").write_bytes(b"ancien")
    boxes.answers = {"notifyReplace": "Annuler"}
    assert window.notifier().notify(region=None, folder=folder) is None
    assert boxes[0][0] == "notifyReplace" and f"{first}.pdf" in boxes[0][1]
    assert [p.name for p in folder.iterdir()] == [f"{first}.pdf"]
    assert (folder / f"{first}.pdf").read_bytes() == b"ancien"
    assert "aucun fichier remplacé" in window.statusBar().currentMessage()
    boxes.answers = {"notifyReplace": "Remplacer"}
    assert window.notifier().notify(region=None, folder=folder) == 10
    assert (folder / f"{first}.pdf").read_bytes().startswith(b"%PDF")
    assert len(list(folder.glob("*.pdf"))) == 10


def test_window_cancel_stops_after_the_files_written(notify_window, boxes, tmp_path, monkeypatch):
    from migac_desktop.ui import jobs
    from migac_desktop.ui.printing import notify_actions

    real = jobs.run_job

    def cancelling(parent, text, func, **options):
        assert options["cancel"] == "Annuler"

        def wrapped(progress):
            # « Annuler » clicked once the second notification is written.
            return func(lambda done, total, label: progress(done, total, label) and done < 2)
        return real(parent, text, wrapped, **options)

    monkeypatch.setattr(notify_actions, "run_job", cancelling)
    folder = tmp_path / "n"
    assert notify_window.notifier().notify(region=None, folder=folder) is None
    assert len(list(folder.glob("*.pdf"))) == 2
    assert not (folder / "notifications.csv").exists()
    assert notify_window.statusBar().currentMessage() == (
        f"Notifications annulées : 2 notifications écrites dans « {folder} » avant l'arrêt.")
    assert not boxes


def test_one_crra_fits_one_a4_page_and_three_crra_two(qapp):
    from migac_desktop.ui.printing.notifications import NotificationLayout, a4_points

    scenario = random_scenario()
    results = compute(scenario)
    context = NotificationContext(scenario, results)
    est = results.establishments
    pages = {}
    for n_crra in (1, 3):
        finess = str(est[est["n_crra"] == n_crra]["finess"].iloc[0])
        layout = NotificationLayout(build_notification(context, finess), *a4_points())
        pages[n_crra] = layout.page_count
    assert pages == {1: 1, 3: 2}
