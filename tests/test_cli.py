"""The ``migac`` command line and its CSV files (WORKBOOK.md, "Command line").

Most tests run ``cli.main([...])`` in-process; a few run the real thing
(``python -m migac_desktop``) to check the exit codes and that no traceback escapes.
No Qt here.
"""

from __future__ import annotations

import csv
import math
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from migac_desktop import __version__, cli
from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.io import csv_export
from migac_desktop.io.csv_export import format_float_column, neutralise, unneutralise, write_results_csv

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # ``benchmarks`` lives at the repository root
    sys.path.insert(0, str(REPO))

from conftest import WORKED_EXAMPLE_ROWS, worked_example  # noqa: E402

from benchmarks.synthetic import linear_smoothing, synthetic_scenario  # noqa: E402

CRRA_HEADER = ("crra_id,label,region,finess,drm,tranche,etp_arm,etp_mr,etp_sup,staff_cost,"
               "operating_cost,base_cost,geo_coef,raw_amount,modelled,historic,revenue_effect,"
               "revenue_effect_pct,alloc_2014,alloc_2015,alloc_2016")
REGIONS_HEADER = ("region,n_crra,historic,modelled,revenue_effect,revenue_effect_pct,"
                  "alloc_2014,alloc_2015,alloc_2016")
ESTABLISHMENTS_HEADER = ("finess,establishment,region,n_crra,historic,modelled,revenue_effect,"
                         "revenue_effect_pct,alloc_2014,alloc_2015,alloc_2016")

# MODEL.md's worked example, to the cent.
EXPECTED_CRRA = {
    "SAMU-A1": dict(tranche="T1", base_cost=1_477_500, raw_amount=1_477_500,
                    modelled=1_514_362.78, revenue_effect=-385_637.22,
                    alloc_2014=1_822_872.56, alloc_2015=1_668_617.67, alloc_2016=1_514_362.78),
    "SAMU-A2": dict(tranche="T3", base_cost=2_805_000, raw_amount=2_805_000,
                    modelled=2_874_983.14, revenue_effect=-425_016.86,
                    alloc_2014=3_214_996.63, alloc_2015=3_044_989.89, alloc_2016=2_874_983.14),
    "SAMU-B1": dict(tranche="T5", base_cost=4_600_000, raw_amount=4_922_000,
                    modelled=5_044_801.08, revenue_effect=44_801.08,
                    alloc_2014=5_008_960.22, alloc_2015=5_026_880.65, alloc_2016=5_044_801.08),
    "SAMU-B2": dict(tranche="T4", base_cost=3_525_000, raw_amount=3_771_750,
                    modelled=3_865_853.00, revenue_effect=765_853.00,
                    alloc_2014=3_253_170.60, alloc_2015=3_559_511.80, alloc_2016=3_865_853.00),
}


# --------------------------------------------------------------------------- helpers
def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def run_process(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.pop("MIGAC_DEBUG", None)
    full_env["PYTHONIOENCODING"] = "utf-8"
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "migac_desktop", *map(str, argv)],
                          capture_output=True, text=True, encoding="utf-8", env=full_env,
                          cwd=REPO, timeout=120)


def read_csv(path: Path) -> tuple[str, list[dict[str, str]]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), "pas de BOM"
    text = raw.decode("utf-8")
    header = text.split("\n", 1)[0]
    rows = list(csv.DictReader(text.splitlines()))
    return header, rows


def cents(text: str) -> float:
    return round(float(text), 2)


def plain(text: str) -> str:
    """French typography → plain spaces, to compare printed amounts."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def workbook():
    """The workbook I/O; every end-to-end test goes through it."""
    from migac_desktop.io import workbook as module

    return module


@pytest.fixture
def save(workbook, tmp_path):
    """Write a scenario as a workbook; return its path."""
    def _save(scenario: Scenario, name: str = "scenario.xlsx") -> Path:
        path = tmp_path / name
        workbook.write_scenario(scenario, path)
        return path
    return _save


def with_row(rows: list[dict], index: int, **changes) -> list[dict]:
    rows = [dict(r) for r in rows]
    rows[index].update(changes)
    return rows


# --------------------------------------------------------------------------- arguments
def test_version(capsys):
    code, out, err = run(capsys, "--version")
    assert code == 0
    assert out.strip() == f"migac {__version__}"


def test_help_is_french(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    assert "utilisation : migac" in out
    assert "affiche cette aide et quitte" in out
    for command in ("compute", "validate", "report"):
        assert command in out


@pytest.mark.parametrize("argv, french", [
    ([], "arguments obligatoires manquants : COMMANDE"),
    (["frobnicate", "x.xlsx"], "choix invalide"),
    (["compute", "x.xlsx"], "arguments obligatoires manquants : --out"),
    (["compute", "x.xlsx", "--out"], "attend une valeur"),
    (["validate"], "arguments obligatoires manquants : SCENARIO"),
    (["validate", "a.xlsx", "b.xlsx"], "arguments non reconnus : b.xlsx"),
    (["report", "x.xlsx"], "arguments obligatoires manquants : --pdf"),
    (["--bogus"], "erreur"),
])
def test_bad_arguments_exit_2_in_french(capsys, argv, french):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert "utilisation : migac" in err
    assert french in err
    assert "usage:" not in err and "error:" not in err
    assert "Traceback" not in err


def test_report_not_available_without_qt(capsys, tmp_path, monkeypatch):
    import sys
    for name in [m for m in sys.modules if m.startswith("migac_desktop.ui.printing")]:
        monkeypatch.delitem(sys.modules, name)          # imported again, without Qt
    for name in ["PySide6"] + [m for m in sys.modules if m.startswith("PySide6.")]:
        monkeypatch.setitem(sys.modules, name, None)     # as if PySide6 were not installed
    code, out, err = run(capsys, "report", tmp_path / "x.xlsx", "--pdf", tmp_path / "x.pdf")
    assert code == 1
    assert err.strip().startswith("La commande report a besoin de Qt (PySide6)")
    assert not (tmp_path / "x.pdf").exists()


def test_report_plugs_in_the_renderer(capsys, tmp_path, monkeypatch):
    """When the reporting layer provides its renderer, ``report`` uses it."""
    calls = []
    monkeypatch.setattr(cli, "_report_renderer",
                        lambda: lambda scenario, results, path, region=None, **_:
                        calls.append((len(scenario.crra), path, region)))
    monkeypatch.setattr(cli, "load_scenario", lambda path: (worked_example(), [], None))
    code, out, err = run(capsys, "report", "x.xlsx", "--pdf", tmp_path / "r.pdf",
                         "--region", "Bêta")
    assert code == 0, err
    assert calls == [(4, tmp_path / "r.pdf", "Bêta")]
    code, out, err = run(capsys, "report", "x.xlsx", "--pdf", tmp_path / "r.pdf",
                         "--region", "Gamma")
    assert code == 2
    assert "« Gamma »" in err and len(calls) == 1


# --------------------------------------------------------------------------- compute
def test_compute_worked_example(capsys, save, tmp_path):
    path = save(worked_example())
    out_dir = tmp_path / "résultats" / "2014"          # created, parents included
    code, out, err = run(capsys, "compute", path, "--out", out_dir)
    assert code == 0, err
    assert err == ""

    header, rows = read_csv(out_dir / "crra.csv")
    assert header == CRRA_HEADER
    assert [r["crra_id"] for r in rows] == ["SAMU-A1", "SAMU-A2", "SAMU-B1", "SAMU-B2"]
    for row in rows:
        exp = EXPECTED_CRRA[row["crra_id"]]
        assert row["tranche"] == exp["tranche"]
        for col, value in exp.items():
            if col != "tranche":
                assert cents(row[col]) == value, (row["crra_id"], col)
        k = float(row["modelled"]) / float(row["raw_amount"])
        assert round(k, 9) == 1.024949427
    b1 = rows[2]
    assert (b1["etp_arm"], b1["etp_mr"], b1["etp_sup"]) == ("40", "20", "1")   # override
    assert b1["drm"] == "260000" and b1["geo_coef"] == "0.07" and b1["finess"] == "020000001"
    assert b1["staff_cost"] == str(40 * 45000 + 20 * 110000 + 60000)
    assert b1["operating_cost"] == str(150000 + 260000 * 1.5).removesuffix(".0")
    assert rows[0]["region"] == "Alpha" and rows[2]["region"] == "Bêta"

    header, regions = read_csv(out_dir / "regions.csv")
    assert header == REGIONS_HEADER
    alpha, beta = regions
    assert (alpha["region"], alpha["n_crra"], beta["region"], beta["n_crra"]) == \
        ("Alpha", "2", "Bêta", "2")
    assert cents(alpha["historic"]) == 5_200_000
    assert cents(alpha["modelled"]) == 4_389_345.92
    assert cents(alpha["revenue_effect"]) == -810_654.08
    assert round(float(alpha["revenue_effect_pct"]), 4) == -0.1559     # a fraction
    assert cents(alpha["alloc_2014"]) == 5_037_869.18
    assert cents(beta["historic"]) == 8_100_000
    assert cents(beta["modelled"]) == 8_910_654.08
    assert cents(beta["revenue_effect"]) == 810_654.08
    assert round(float(beta["revenue_effect_pct"]), 4) == 0.1001
    assert cents(beta["alloc_2014"]) == 8_262_130.82

    header, hospitals = read_csv(out_dir / "establishments.csv")
    assert header == ESTABLISHMENTS_HEADER
    assert [h["finess"] for h in hospitals] == ["010000001", "010000002", "020000001"]
    chu = hospitals[2]
    assert (chu["establishment"], chu["region"], chu["n_crra"]) == ("CHU B", "Bêta", "2")
    for col in ("historic", "modelled", "revenue_effect", "revenue_effect_pct",
                "alloc_2014", "alloc_2015", "alloc_2016"):
        assert float(chu[col]) == pytest.approx(float(beta[col]), rel=1e-12, abs=1e-6), col

    summary = plain(out)
    assert "4 CRRA, 2 régions, 3 établissements" in summary
    assert "Total historique : 13 300 000 €" in summary
    assert "Total modélisé : 13 300 000 €" in summary
    for name in ("crra.csv", "regions.csv", "establishments.csv"):
        assert str(out_dir / name) in out
    assert sorted(p.name for p in out_dir.iterdir()) == \
        ["crra.csv", "establishments.csv", "regions.csv"]           # no temporary left


def test_compute_four_year_smoothing(capsys, save, tmp_path):
    scenario = worked_example()
    scenario.smoothing = linear_smoothing(4, first_year=2014, first_share=0.25)
    path = save(scenario)
    code, out, err = run(capsys, "compute", path, "--out", tmp_path / "out")
    assert code == 0, err
    allocs = ["alloc_2014", "alloc_2015", "alloc_2016", "alloc_2017"]
    for name in ("crra.csv", "regions.csv", "establishments.csv"):
        header, rows = read_csv(tmp_path / "out" / name)
        assert [c for c in header.split(",") if c.startswith("alloc_")] == allocs
        assert header.endswith(",".join(allocs))
        for row in rows:     # last year at 100 %: the modelled amount
            assert float(row["alloc_2017"]) == pytest.approx(float(row["modelled"]))
    _, rows = read_csv(tmp_path / "out" / "crra.csv")
    a1 = rows[0]
    assert cents(a1["alloc_2014"]) == round(1_900_000 - 0.25 * 385_637.2218476, 2)
    assert cents(a1["alloc_2015"]) == round(1_900_000 - 0.5 * 385_637.2218476, 2)


def test_compute_round_trips_every_float(capsys, save, tmp_path):
    """Full precision: each CSV number reads back as the computed float."""
    scenario = synthetic_scenario(300, seed=7)
    path = save(scenario)
    code, _, err = run(capsys, "compute", path, "--out", tmp_path)
    assert code == 0, err
    results = compute(scenario)
    _, rows = read_csv(tmp_path / "crra.csv")
    assert len(rows) == 300
    for col in ("modelled", "revenue_effect", "revenue_effect_pct", "alloc_2014", "drm"):
        parsed = np.array([float(r[col]) for r in rows])
        np.testing.assert_array_equal(parsed, results.crra_arrays[col])
    _, regions = read_csv(tmp_path / "regions.csv")
    assert len(regions) == 26
    assert sum(int(r["n_crra"]) for r in regions) == 300


def test_compute_warnings_exit_0_on_stderr(capsys, save, tmp_path):
    rows = with_row(WORKED_EXAMPLE_ROWS, 0, drm=0)            # warning: no DRM
    rows = with_row(rows, 1, historic=0)                       # warning: % undefined
    scenario = Scenario(crra=make_table(schema.CRRA, rows))
    scenario.smoothing = make_table(schema.SMOOTHING, [dict(year=2014, share=0.2),
                                                       dict(year=2015, share=0.9)])
    path = save(scenario)
    code, out, err = run(capsys, "compute", path, "--out", tmp_path / "out")
    assert code == 0, err
    lines = err.strip().splitlines()
    assert len(lines) >= 3
    assert all(line.startswith("Avertissement") for line in lines), lines
    assert any("feuille « CRRA », ligne 2, colonne « DRM »" in line for line in lines)
    assert any("feuille « Lissage »" in line for line in lines)
    _, crra_rows = read_csv(tmp_path / "out" / "crra.csv")
    assert crra_rows[1]["historic"] == "0"
    assert crra_rows[1]["revenue_effect_pct"] == ""          # undefined → empty
    assert "Fichiers écrits" in out


def test_compute_invalid_scenario_exit_2_writes_nothing(capsys, save, tmp_path):
    rows = with_row(WORKED_EXAMPLE_ROWS, 1, drm=-5)
    path = save(Scenario(crra=make_table(schema.CRRA, rows)))
    code, out, err = run(capsys, "compute", path, "--out", tmp_path / "out")
    assert code == 2
    assert "feuille « CRRA », ligne 3, colonne « DRM »" in err
    assert not (tmp_path / "out").exists()
    assert out == ""


def test_compute_unwritable_output_exit_1(capsys, save, tmp_path):
    path = save(worked_example())
    blocker = tmp_path / "fichier"
    blocker.write_text("pas un dossier")
    code, out, err = run(capsys, "compute", path, "--out", blocker)
    assert code == 1
    assert err.startswith("Erreur — impossible d'écrire les résultats dans")
    assert "Traceback" not in err
    code, out, err = run(capsys, "compute", path, "--out", blocker / "sous-dossier")
    assert code == 1
    assert "impossible d'écrire" in err


# --------------------------------------------------------------------------- validate
def test_validate_valid(capsys, save):
    code, out, err = run(capsys, "validate", save(worked_example()))
    assert code == 0
    assert err == ""
    assert "Scénario valide" in out and "4 CRRA" in out


def test_validate_invalid_names_sheet_row_column(capsys, save):
    rows = with_row(WORKED_EXAMPLE_ROWS, 1, drm=-5)                     # Excel row 3
    rows = with_row(rows, 3, crra_id="SAMU-A1", drm=0)                  # duplicate + warning
    path = save(Scenario(crra=make_table(schema.CRRA, rows)))
    code, out, err = run(capsys, "validate", path)
    assert code == 2
    lines = err.strip().splitlines()
    drm = [line for line in lines if "colonne « DRM »" in line and line.startswith("Erreur")]
    assert drm and "feuille « CRRA »" in drm[0] and "ligne 3" in drm[0]
    assert "négative" in drm[0]
    dup = [line for line in lines if "colonne « Identifiant »" in line]
    assert dup and "ligne 5" in dup[0] and "SAMU-A1" in dup[0]
    # Errors first, then warnings.
    kinds = ["E" if line.startswith("Erreur") else "A" for line in lines]
    assert kinds == sorted(kinds, key=lambda k: k != "E")
    assert "A" in kinds
    assert "Scénario invalide : 2 erreurs, 1 avertissement." in out


def test_validate_warnings_only_exit_0(capsys, save):
    rows = with_row(WORKED_EXAMPLE_ROWS, 2, geo_coef=0.4)
    code, out, err = run(capsys, "validate", save(Scenario(crra=make_table(schema.CRRA, rows))))
    assert code == 0
    lines = err.strip().splitlines()
    assert lines and all(line.startswith("Avertissement") for line in lines)
    assert "colonne « Coefficient géographique »" in lines[0] and "ligne 4" in lines[0]
    assert "Scénario valide" in out and "1 avertissement" in out


# --------------------------------------------------------------------------- bad files
def _bad_files(tmp_path: Path, good: Path | None) -> dict[str, Path]:
    files = {}
    files["random"] = tmp_path / "aleatoire.xlsx"
    files["random"].write_bytes(np.random.default_rng(1).bytes(4096))
    files["empty"] = tmp_path / "vide.xlsx"
    files["empty"].write_bytes(b"")
    files["csv"] = tmp_path / "tableur.xlsx"
    files["csv"].write_text("Identifiant;Région;DRM\nSAMU-1;Alpha;45000\n", encoding="utf-8")
    files["missing"] = tmp_path / "absent.xlsx"
    files["directory"] = tmp_path / "dossier.xlsx"
    files["directory"].mkdir()
    files["zip"] = tmp_path / "pas_excel.xlsx"
    with zipfile.ZipFile(files["zip"], "w") as z:
        z.writestr("bonjour.txt", "pas un classeur")
    if good is not None:
        data = good.read_bytes()
        files["truncated"] = tmp_path / "tronque.xlsx"
        files["truncated"].write_bytes(data[: len(data) // 2])
    return files


@pytest.mark.parametrize("command", ["validate", "compute"])
def test_bad_files_exit_2_without_traceback(capsys, save, tmp_path, command):
    files = _bad_files(tmp_path, save(worked_example()))
    for kind, path in files.items():
        extra = ["--out", str(tmp_path / "out")] if command == "compute" else []
        code, out, err = run(capsys, command, path, *extra)
        assert code == 2, (kind, err)
        assert err.strip(), kind
        assert err.startswith("Erreur"), (kind, err)
        assert "Traceback" not in err, kind
    assert not (tmp_path / "out").exists()


def test_missing_sheet_exit_2(capsys, save, tmp_path):
    import openpyxl

    path = save(worked_example())
    book = openpyxl.load_workbook(path)
    del book["CRRA"]
    book.save(path)
    code, out, err = run(capsys, "validate", path)
    assert code == 2
    assert "« CRRA »" in err
    assert "Traceback" not in err


def test_missing_file_message(capsys, tmp_path):
    code, out, err = run(capsys, "validate", tmp_path / "absent.xlsx")
    assert code == 2
    assert err.startswith("Erreur — ")
    assert "« absent.xlsx »" in err and "introuvable" in err
    assert len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- no traceback
def test_unexpected_exception_is_one_french_line(capsys, tmp_path, monkeypatch):
    def boom(scenario, **kwargs):
        raise RuntimeError("panne\nsur deux lignes")

    monkeypatch.setattr(cli, "load_scenario", lambda path: (worked_example(), [], None))
    monkeypatch.setattr("migac_desktop.core.model.compute", boom)
    monkeypatch.delenv("MIGAC_DEBUG", raising=False)
    code, out, err = run(capsys, "compute", "x.xlsx", "--out", tmp_path)
    assert code == 1
    assert err.startswith("Erreur inattendue : panne sur deux lignes")
    assert len(err.strip().splitlines()) == 1
    monkeypatch.setenv("MIGAC_DEBUG", "1")
    with pytest.raises(RuntimeError):
        cli.main(["compute", "x.xlsx", "--out", str(tmp_path)])


def test_compute_with_a_loader_stub(capsys, tmp_path, monkeypatch):
    """The command itself, independent of the workbook reader."""
    monkeypatch.setattr(cli, "load_scenario", lambda path: (worked_example(), [], None))
    code, out, err = run(capsys, "compute", "x.xlsx", "--out", tmp_path)
    assert code == 0, err
    header, rows = read_csv(tmp_path / "crra.csv")
    assert header == CRRA_HEADER
    assert [cents(r["modelled"]) for r in rows] == [1_514_362.78, 2_874_983.14,
                                                    5_044_801.08, 3_865_853.00]


def test_subprocess_exit_codes(tmp_path, workbook):
    good = tmp_path / "exemple.xlsx"
    workbook.write_scenario(worked_example(), good)
    done = run_process("compute", good, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "4 CRRA" in done.stdout
    header, rows = read_csv(tmp_path / "out" / "crra.csv")
    assert header == CRRA_HEADER and len(rows) == 4

    cases = {
        "bad file": (["validate", _bad_files(tmp_path, good)["random"]], 2),
        "missing file": (["compute", tmp_path / "absent.xlsx", "--out", tmp_path / "o"], 2),
        "bad arguments": (["compute"], 2),
        "report": (["report", good, "--pdf", tmp_path / "r.pdf"], 0),
        "version": (["--version"], 0),
    }
    for name, (argv, expected) in cases.items():
        done = run_process(*argv)
        assert done.returncode == expected, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
    done = run_process("validate", tmp_path / "absent.xlsx")
    assert "introuvable" in done.stderr and "absent.xlsx" in done.stderr


def test_subprocess_without_workbook_module(tmp_path):
    """Exit codes that do not need the workbook reader, as a real process."""
    for argv, expected in ((["--version"], 0), ([], 2), (["compute", "x.xlsx"], 2),
                           (["report", "x.xlsx", "--pdf", tmp_path / "r.pdf"], 2),
                           (["validate", tmp_path], 2)):
        done = run_process(*argv)
        assert done.returncode == expected, (argv, done.stderr)
        assert "Traceback" not in done.stderr
        assert done.stderr.strip() or expected == 0


# --------------------------------------------------------------------------- csv format
def test_float_formatting():
    values = np.array([45000.0, 0.07, -385637.22184760636, float("nan"), 0.1 + 0.2, -0.0,
                       1e20, 2.5e-7, 123456789012.5])
    assert format_float_column(values) == [
        "45000", "0.07", "-385637.22184760636", "", "0.30000000000000004", "0",
        "100000000000000000000", "0.00000025", "123456789012.5"]
    # Never an exponent, the same digits as repr (an effet revenu in % near 0).
    tiny = np.array([6.984919309616089e-10, -2.663978262353203e-05, 9.701275336771947e-17])
    assert format_float_column(tiny) == ["0.0000000006984919309616089", "-0.00002663978262353203",
                                         "0.00000000000000009701275336771947"]
    assert [float(t) for t in format_float_column(tiny)] == tiny.tolist()
    assert format_float_column(np.array([3, 0, 12], dtype="int64")) == ["3", "0", "12"]
    parsed = [float(t) for t in format_float_column(values) if t]
    assert parsed == [v for v in values.tolist() if not math.isnan(v)]


def test_formula_injection_neutralised_in_text_only(tmp_path):
    rows = with_row(WORKED_EXAMPLE_ROWS, 0, label="=HYPERLINK(\"http://x\";\"clic\")",
                    crra_id="-SAMU-A1", establishment="@SUM(A1)")
    rows = with_row(rows, 2, region="+Bêta", establishment="CHU, « B »")
    rows = with_row(rows, 3, region="+Bêta")
    results = compute(Scenario(crra=make_table(schema.CRRA, rows)))
    write_results_csv(results, tmp_path)
    _, crra_rows = read_csv(tmp_path / "crra.csv")
    a1 = crra_rows[0]
    assert a1["crra_id"] == "'-SAMU-A1"
    assert a1["label"] == "'=HYPERLINK(\"http://x\";\"clic\")"
    assert a1["revenue_effect"].startswith("-385637.22")            # numbers untouched
    assert a1["revenue_effect_pct"].startswith("-0.2029")
    assert crra_rows[1]["crra_id"] == "SAMU-A2"                       # ordinary text as is
    assert crra_rows[2]["region"] == "'+Bêta"
    assert unneutralise(a1["crra_id"]) == "-SAMU-A1"
    assert unneutralise("'quote") == "'quote" and neutralise("'quote") == "'quote"
    _, hospitals = read_csv(tmp_path / "establishments.csv")
    assert hospitals[0]["establishment"] == "'@SUM(A1)"
    assert hospitals[2]["establishment"] == "CHU, « B »"              # quoted, not split
    _, regions = read_csv(tmp_path / "regions.csv")
    assert [r["region"] for r in regions] == ["Alpha", "'+Bêta"]
    assert regions[1]["revenue_effect"].startswith("810654.07")


def test_write_is_atomic_and_keeps_previous_files(tmp_path, monkeypatch):
    results = compute(worked_example())
    write_results_csv(results, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def failing(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(csv_export.os, "replace", failing)
    with pytest.raises(OSError):
        write_results_csv(compute(synthetic_scenario(50)), tmp_path)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before                   # nothing half-written, no temporary left


def test_csv_line_format(tmp_path):
    write_results_csv(compute(worked_example()), tmp_path)
    raw = (tmp_path / "crra.csv").read_bytes()
    assert b"\r" not in raw and raw.endswith(b"\n")
    assert raw.count(b"\n") == 5
    assert "Bêta".encode() in raw


def test_text_fields_quoted_and_read_back(tmp_path):
    labels = ['Centre 15, « Nord »', 'dit "le grand"', "deux\nlignes", "L'Aigle", ""]
    rows = [dict(r) for r in WORKED_EXAMPLE_ROWS] + [
        dict(WORKED_EXAMPLE_ROWS[0], crra_id="SAMU-A3", finess="010000003")]
    for row, label in zip(rows, labels):
        row["label"] = label
    write_results_csv(compute(Scenario(crra=make_table(schema.CRRA, rows))), tmp_path)
    with open(tmp_path / "crra.csv", encoding="utf-8", newline="") as fh:
        read = list(csv.DictReader(fh))
    assert [r["label"] for r in read] == labels
    assert [r["finess"] for r in read] == [r["finess"] for r in rows]


def test_cli_imports_no_gui_or_plotting(tmp_path):
    """Start-up: the command line never pays for Qt or matplotlib."""
    code = ("import sys; from migac_desktop import cli; "
            "rc = cli.main(['--version']); "
            "bad = [m for m in ('PySide6', 'matplotlib', 'pandas', 'openpyxl') if m in sys.modules]; "
            "print(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_compute_imports_no_gui_or_plotting(tmp_path, workbook):
    path = tmp_path / "s.xlsx"
    workbook.write_scenario(worked_example(), path)
    code = ("import sys; from migac_desktop import cli; "
            f"rc = cli.main(['compute', {str(path)!r}, '--out', {str(tmp_path / 'o')!r}]); "
            "print(rc, [m for m in ('PySide6', 'matplotlib') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, timeout=60)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stderr


def test_synthetic_scenario_is_valid_and_plausible():
    from migac_desktop.core.validation import validate

    scenario = synthetic_scenario(2_000, seed=3)
    assert validate(scenario) == []
    crra = scenario.crra
    assert crra["region"].nunique() == 26
    assert crra["crra_id"].is_unique
    assert crra["drm"].between(8_000, 480_000).all()
    assert all(len(f) == 9 and f.isalnum() for f in crra["finess"])
    per_hospital = crra.groupby("finess")["crra_id"].count()
    assert per_hospital.max() == 2 and (per_hospital == 2).sum() > 100
    assert crra["etp_arm_override"].notna().any()
    effect = compute(scenario).crra_arrays["revenue_effect"]
    assert (effect > 0).any() and (effect < 0).any()
    again = synthetic_scenario(2_000, seed=3)
    assert again.inputs_equal(scenario)
    assert len(synthetic_scenario(4, years=5).years) == 5


def test_compute_empty_out_is_an_argument_error(capsys, tmp_path):
    code, out, err = run(capsys, "compute", tmp_path / "x.xlsx", "--out", "")
    assert code == 2
    assert err.startswith("Erreur — l'option --out")
