"""Hostile files: refused quickly, within bounded memory, in French, at the right place.

The corpus of :mod:`hostile_files` is opened twice: in this process (the reader
raises ``WorkbookError`` with located problems, or reads the cells and reports
them), then by ``migac validate`` in a child process limited to 500 Mo of address
space (exit code 2, French lines, no traceback, no file hanging).
"""

from __future__ import annotations

import io
import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import hostile_files as hf
import pytest

from migac_desktop.core.validation import ERROR
from migac_desktop.io import safety
from migac_desktop.io import workbook as wbmod
from migac_desktop.io.safety import FileLock, lock_owner
from migac_desktop.io.workbook import WorkbookError, open_scenario, read_scenario, write_scenario

REPO = Path(__file__).resolve().parent.parent
CASES = {case.name: case for case, _ in hf.CORPUS}
FRENCH_WORDS = ("fichier", "feuille", "cellule", "classeur", "ligne", "colonne")
# Hang guard, not a timing (a loaded machine must not fail the suite): how quickly these
# files are refused is measured by benchmarks/bench_hostile.py.
HANG_GUARD_S = 60


@pytest.fixture(scope="session")
def corpus(tmp_path_factory):
    return {case.name: path for case, path in hf.build_corpus(tmp_path_factory.mktemp("hostile"))}


def assert_french(text: str) -> None:
    assert "Traceback" not in text
    assert "«" in text and "»" in text
    assert any(word in text for word in FRENCH_WORDS), text


# -- the corpus, in this process ---------------------------------------------------

@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file_is_refused_or_reported_in_french(corpus, name):
    case = CASES[name]
    path = corpus[name]
    start = time.perf_counter()
    if case.refused:
        with pytest.raises(WorkbookError) as info:
            open_scenario(path)
        problems = info.value.problems
        text = str(info.value)
        assert name in text                           # the file is named
    else:
        loaded = open_scenario(path)
        problems = loaded.errors
        text = "\n".join(str(p) for p in problems)
    elapsed = time.perf_counter() - start
    assert elapsed < HANG_GUARD_S, f"{name} : {elapsed:.1f} s"
    assert problems and all(p.severity == ERROR for p in problems)
    assert case.expect in text, text
    assert_french(text)
    if case.sheet is not None:
        located = [p for p in problems if p.sheet == case.sheet and case.expect in str(p)]
        assert located, text


def test_located_cell_problems(corpus):
    errors = open_scenario(corpus["erreurs_excel.xlsx"]).errors
    at = {(p.sheet, p.row, p.column) for p in errors}
    assert {("CRRA", 2, "DRM"), ("CRRA", 3, "Identifiant"), ("CRRA", 4, "Dotation historique")} <= at
    assert any("#REF!" in p.message for p in errors)
    uncomputed = open_scenario(corpus["formules_non_calculees.xlsx"]).errors
    assert [(p.row, p.column) for p in uncomputed] == [(2, "DRM"), (4, "Dotation historique")]
    assert all("Excel ou LibreOffice" in p.message for p in uncomputed)
    [date] = open_scenario(corpus["date_au_lieu_de_nombre.xlsx"]).errors
    assert (date.sheet, date.row, date.column) == ("CRRA", 2, "DRM")


def test_a_column_full_of_errors_is_detailed_then_counted(corpus):
    loaded = open_scenario(corpus["erreurs_en_masse.xlsx"])
    drm = [p for p in loaded.errors if p.column == "DRM"]
    assert len(drm) == 101
    assert [p.row for p in drm[:100]] == list(range(6, 106))
    summary = drm[100]
    assert summary.row == 106 and "4\u00a0900 autre(s) cellule(s)" in summary.message
    assert "ligne 106 à la ligne 5005" in summary.message
    # The counted cells are not reported again as missing values.
    assert not any("valeur manquante" in p.message and p.row > 105 for p in loaded.errors)
    assert len(loaded.errors) < 11 * 102


def test_unread_output_sheet_without_dimension_is_never_parsed(tmp_path):
    """openpyxl would parse a sheet lacking <dimension> to its end just to size it."""
    path = tmp_path / "sortie.xlsx"
    hf._big_output(path)
    start = time.perf_counter()
    loaded = open_scenario(path)
    assert time.perf_counter() - start < HANG_GUARD_S
    assert loaded.errors == []


# -- the corpus, through ``migac validate`` under 500 Mo -----------------------------

# Peak memory from /proc's VmHWM: ru_maxrss survives fork and exec on Linux, so a
# child would report the test process's own high-water mark (several hundred Mo
# once LibreOffice tests or large scenarios ran before).
DRIVER = r"""
import contextlib, io, json, resource, sys, time

def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

limit = 500 * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from migac_desktop import cli
report = []
for path in sys.argv[1:]:
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["validate", path])
    seconds = time.perf_counter() - start
    report.append(dict(path=path, code=code, seconds=seconds, peak_mb=peak_mb(),
                       stdout=out.getvalue(), stderr=err.getvalue()))
print(json.dumps(report))
"""


def test_every_hostile_file_through_migac_validate_within_limits(corpus):
    paths = [str(corpus[name]) for name in CASES]
    env = dict(os.environ, MIGAC_DEBUG="0")
    done = subprocess.run([sys.executable, "-c", DRIVER, *paths], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=HANG_GUARD_S * len(paths))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    assert len(report) == len(CASES)
    for row, name in zip(report, CASES):
        case = CASES[name]
        assert row["code"] == 2, (name, row)
        assert row["seconds"] < HANG_GUARD_S, (name, row["seconds"])
        assert row["peak_mb"] < 500, (name, row["peak_mb"])
        lines = [line for line in row["stderr"].splitlines() if line.strip()]
        assert lines, name
        assert all(line.startswith(("Erreur — ", "Avertissement — ", "  •")) for line in lines), lines
        assert case.expect in row["stderr"], (name, row["stderr"])
        assert_french(row["stderr"])
        assert "Traceback" not in row["stdout"]


def _limit_memory():
    limit = 500 * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


@pytest.mark.parametrize("name", ["bombe.xlsx", "million_lignes.xlsx", "laughs_textes.xlsx",
                                  "16000_colonnes.xlsx", "mot_de_passe.xlsx", "tronque_milieu.xlsx"])
def test_real_migac_process_exits_2(corpus, name):
    """The console script itself, as a user runs it: exit code 2, no traceback."""
    script = Path(sys.executable).with_name("migac")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "migac_desktop"]
    start = time.perf_counter()
    done = subprocess.run(command + ["validate", str(corpus[name])], capture_output=True,
                          text=True, timeout=HANG_GUARD_S, preexec_fn=_limit_memory,
                          env=dict(os.environ, MIGAC_DEBUG="0"))
    assert time.perf_counter() - start < HANG_GUARD_S
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stderr.startswith("Erreur — ")
    assert CASES[name].expect in done.stderr
    # Memory: the child ran under a 500 Mo address-space limit (_limit_memory) and
    # still answered with its French refusal, not a MemoryError.


# -- defusedxml: the second line of defence, proven --------------------------------

def test_defusedxml_parses_for_openpyxl_and_refuses_entities():
    import defusedxml
    import openpyxl.xml
    from openpyxl.xml import functions

    assert openpyxl.xml.DEFUSEDXML is True
    assert wbmod.defusedxml_active()
    bomb = hf.laughs("sst")
    start = time.perf_counter()
    with pytest.raises(defusedxml.DefusedXmlException):
        functions.fromstring(bomb)
    with pytest.raises(defusedxml.DefusedXmlException):
        for _ in functions.iterparse(io.BytesIO(bomb)):
            pass
    assert time.perf_counter() - start < HANG_GUARD_S


def test_openpyxl_alone_refuses_the_billion_laughs(corpus):
    """Even past the pre-flight, openpyxl's own parser stops the expansion at once."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    start = time.perf_counter()
    with pytest.raises(ValueError) as info:     # openpyxl wraps the parser's error
        load_workbook(corpus["laughs_textes.xlsx"], read_only=True)
    assert isinstance(info.value.__cause__, DefusedXmlException)
    assert time.perf_counter() - start < HANG_GUARD_S


def test_reader_without_preflight_still_refuses_entities(corpus, monkeypatch):
    monkeypatch.setattr(safety, "check_file", lambda path, *args, **kwargs: safety.Plan())
    with pytest.raises(WorkbookError, match="endommagé"):
        read_scenario(corpus["laughs_textes.xlsx"])


@pytest.mark.parametrize("name", ["laughs_textes.xlsx", "laughs_feuille.xlsx", "xxe.xlsx"])
def test_reader_alone_parses_no_dtd_with_its_fast_parser(corpus, monkeypatch, name):
    """The reader's C parser runs only after the prolog is known to hold no DTD."""
    monkeypatch.setattr(safety, "check_file", lambda path, *args, **kwargs: safety.Plan())
    with pytest.raises(WorkbookError, match="DTD ou d'entités XML"):
        read_scenario(corpus[name])


# -- each limit, with small limits so the files stay small ---------------------------

@pytest.fixture
def base(tmp_path):
    return hf.base_workbook(tmp_path / "base.xlsx")


def _refused(path, fragment):
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    assert fragment in str(info.value), str(info.value)
    return info.value


def test_file_size_limit(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_FILE_BYTES", 1000)
    _refused(base, "trop volumineux")


def test_entry_and_directory_limits(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_ENTRIES", 5)
    _refused(base, "parties (au plus 5")
    monkeypatch.setattr(safety, "MAX_ENTRIES", 5000)
    monkeypatch.setattr(safety, "MAX_DIRECTORY_BYTES", 100)
    _refused(base, "répertoire de l'archive")


def test_declared_total_and_ratio_limits(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_DECLARED_TOTAL", 10_000)
    _refused(base, "bombe de décompression")
    monkeypatch.setattr(safety, "MAX_DECLARED_TOTAL", safety.GB)
    monkeypatch.setattr(safety, "RATIO_FLOOR", 1000)
    monkeypatch.setattr(safety, "MAX_RATIO", 2)
    _refused(base, "se décompresse")


def test_part_limits(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_SHEET_BYTES", 1000)
    error = _refused(base, "(feuille « ")
    assert "ferait" in str(error)
    monkeypatch.setattr(safety, "MAX_SHEET_BYTES", 50 * safety.MB)
    monkeypatch.setattr(safety, "MAX_READ_BYTES", 3000)
    _refused(base, "feuilles lues")
    monkeypatch.setattr(safety, "MAX_READ_BYTES", 100 * safety.MB)
    monkeypatch.setattr(safety, "MAX_XML_TOTAL", 3000)
    _refused(base, "parties annexes")


def test_sheet_count_limit(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_SHEETS", 3)
    _refused(base, "feuilles (au plus 3)")


def test_cells_and_strings_limits(base, monkeypatch):
    monkeypatch.setattr(safety, "MAX_CELLS", 20)
    error = _refused(base, "cellules")
    assert error.problems[0].sheet is not None
    monkeypatch.setattr(safety, "MAX_CELLS", 500_000)
    monkeypatch.setattr(safety, "MAX_SHARED_STRINGS", 3)
    _refused(base, "textes")


def test_rows_columns_and_text_limits_while_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(safety, "MAX_ROWS", 4)
    rows = hf.crra_rows()
    path = hf.with_sheet(tmp_path, "lignes.xlsx", "CRRA", hf.sheet_xml(rows))
    error = _refused(path, "au-delà de la ligne 4")
    assert (error.problems[0].sheet, error.problems[0].row) == ("Paramètres", 5)
    monkeypatch.setattr(safety, "MAX_ROWS", 200_000)
    monkeypatch.setattr(safety, "MAX_COLUMNS", 10)
    error = _refused(path, "colonne K")
    assert (error.problems[0].sheet, error.problems[0].row) == ("CRRA", 1)
    monkeypatch.setattr(safety, "MAX_COLUMNS", 256)
    monkeypatch.setattr(safety, "MAX_CELL_TEXT", 5)
    error = _refused(path, "caractères")
    assert (error.problems[0].sheet, error.problems[0].row, error.problems[0].column) == (
        "Paramètres", 1, "B")
    monkeypatch.setattr(safety, "MAX_CELL_TEXT", 32767)
    monkeypatch.setattr(safety, "MAX_SLOTS", 12)
    _refused(path, "cases")


def test_blank_rows_and_columns_past_the_limits_are_dropped(tmp_path, monkeypatch):
    """A sheet formatted far down or far right is not refused for its blank cells."""
    monkeypatch.setattr(safety, "MAX_ROWS", 20)
    xml = hf.sheet_xml(hf.crra_rows()).replace(
        b"</sheetData>", b'<row r="5000" s="0"/><row r="90000"><c r="B90000" s="0"/></row>'
                         b"</sheetData>")
    xml = xml.replace(b'</row><row r="3">', b'<c r="XFD2" s="0"/></row><row r="3">')
    path = hf.with_sheet(tmp_path, "formate.xlsx", "CRRA", xml)
    loaded = open_scenario(path)
    assert loaded.errors == []
    assert len(loaded.scenario.crra) == 4


def test_numbers_typed_as_text_in_french_or_english(tmp_path):
    def edit(rows):
        rows[1][6], rows[1][8] = "45 000", "1 900 000,00 €"
        rows[2][6], rows[2][8] = "100000,0", "3,300,000.00"
        rows[3][6], rows[3][8] = "260\u202f000", "5.000.000,00"
        rows[4][6], rows[4][8] = "1,5E5", "3 100 000"
        rows[4][7] = "7 %"
    path = hf.with_sheet(tmp_path, "textes.xlsx", "CRRA", hf.sheet_xml(hf.crra_rows(edit)))
    loaded = open_scenario(path)
    assert loaded.errors == []
    crra = loaded.scenario.crra
    assert crra["drm"].tolist() == [45000, 100000, 260000, 150000]
    assert crra["historic"].tolist() == [1_900_000, 3_300_000, 5_000_000, 3_100_000]
    assert crra["geo_coef"].iat[3] == pytest.approx(0.07)


def test_a_number_in_another_unit_is_refused_at_its_cell(tmp_path):
    def edit(rows):
        rows[2][8] = "12,5 %"                  # Dotation historique: a share, not euros
        rows[3][7] = "45 000 €"                # Coefficient géographique: euros, not a share
    path = hf.with_sheet(tmp_path, "unites.xlsx", "CRRA", hf.sheet_xml(hf.crra_rows(edit)))
    loaded = open_scenario(path)
    found = {(p.sheet, p.row, p.column): p.message for p in loaded.errors}
    assert set(found) == {("CRRA", 3, "Dotation historique"), ("CRRA", 4, "Coefficient géographique")}
    assert "« 12,5 % » est un pourcentage, pas un montant en euros" in found["CRRA", 3, "Dotation historique"]
    assert "« 45 000 € » est un montant en euros, pas un pourcentage" in found["CRRA", 4,
                                                                                "Coefficient géographique"]


def test_formula_with_a_cached_value_is_read(tmp_path):
    def edit(rows):
        rows[1][6] = hf.Raw('<c r="{ref}"><f>40000+5000</f><v>45000</v></c>')
        rows[1][1] = hf.Raw('<c r="{ref}" t="str"><f>""</f><v></v></c>')
        rows[0].append("Calcul libre")
        rows[1].append(hf.Raw('<c r="{ref}"><f>1+1</f></c>'))   # extra column: kept empty
    path = hf.with_sheet(tmp_path, "formules.xlsx", "CRRA", hf.sheet_xml(hf.crra_rows(edit)))
    loaded = open_scenario(path)
    assert loaded.errors == []
    assert loaded.scenario.crra["drm"].iat[0] == 45000


def test_uncomputed_parameter_formula(tmp_path):
    from migac_desktop.core import schema

    rows = [["Clé", "Paramètre", "Valeur", "Unité"]]
    for spec in schema.PARAMETERS:
        rows.append([spec.key, spec.label, spec.default if spec.default != "" else None, spec.unit])
    rows[1][2] = hf.Raw('<c r="{ref}"><f>44000+1000</f><v/></c>')
    path = hf.with_sheet(tmp_path, "param.xlsx", "Paramètres", hf.sheet_xml(rows))
    [problem] = [p for p in open_scenario(path).errors if "formule" in p.message]
    assert (problem.sheet, problem.row, problem.column, problem.key) == (
        "Paramètres", 2, "Valeur", "cout_etp_arm")


def test_every_refusal_is_quick_on_a_real_scenario_size(tmp_path):
    """The pre-flight of an ordinary file never hangs (its cost: benchmarks/bench_hostile.py)."""
    path = tmp_path / "s.xlsx"
    write_scenario(hf.worked_example(), path)
    start = time.perf_counter()
    for _ in range(20):
        safety.check_file(path)
    assert time.perf_counter() - start < HANG_GUARD_S


def test_unreadable_file_while_checking(tmp_path, monkeypatch):
    path = hf.base_workbook(tmp_path / "s.xlsx")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")
    monkeypatch.setattr(safety.Path, "stat", refuse)
    with pytest.raises(safety.UnsafeFile, match="accès refusé"):
        safety.check_file(path)


# -- lock files of Excel and LibreOffice --------------------------------------------

def test_no_lock(tmp_path):
    assert lock_owner(tmp_path / "s.xlsx") is None


def test_libreoffice_lock_names_its_user(tmp_path):
    target = tmp_path / "scénario ARS.xlsx"
    lock = tmp_path / ".~lock.scénario ARS.xlsx#"
    lock.write_text("Jeanne Dupont,jdupont,pc-ars-01,12.03.2024 14:32,"
                    "file:///home/jdupont/.config/libreoffice/4;", encoding="utf-8")
    owner = lock_owner(target)
    assert owner == FileLock("LibreOffice", "Jeanne Dupont", lock)
    assert owner.describe() == "LibreOffice (par Jeanne Dupont)"
    lock.write_text(",jdupont,pc-ars-01,12.03.2024 14:32,file:///x;", encoding="utf-8")
    assert lock_owner(target).user == "jdupont"
    lock.write_bytes(b"\xff\xfe garbage")
    assert lock_owner(target).program == "LibreOffice"


def test_excel_owner_file_names_its_user(tmp_path):
    target = tmp_path / "s.xlsx"
    owner_file = tmp_path / "~$s.xlsx"
    name = "Paul Martin".encode("cp1252")
    owner_file.write_bytes(bytes([len(name)]) + name + b" " * (54 - len(name)) + bytes(111))
    owner = lock_owner(target)
    assert (owner.program, owner.user) == ("Excel", "Paul Martin")
    assert owner.describe() == "Excel (par Paul Martin)"
    owner_file.write_bytes(b"")
    assert lock_owner(target) == FileLock("Excel", None, owner_file)
    assert lock_owner(target).describe() == "Excel"


def test_zip_of_the_corpus_is_well_formed_where_it_should_be(corpus):
    """The builders make what they claim: the bomb really is a valid deflate stream."""
    with zipfile.ZipFile(corpus["bombe_sortie.xlsx"]) as z:
        info = z.getinfo(hf.sheet_parts({n: z.read(n) for n in ("xl/workbook.xml",
                                                                  "xl/_rels/workbook.xml.rels")})
                         ["Résultats CRRA"])
        assert info.file_size > 250 * safety.MB and info.compress_size < 2 * safety.MB
        with z.open(info) as fh:
            head = fh.read(4096)
        assert head.startswith(b'<?xml version="1.0"?><worksheet')


# -- files that are not regular files, and valid oddities read as they are ------------

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading waits for a writer: it must be refused before any read."""
    fifo = tmp_path / "tube.xlsx"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, "-m", "migac_desktop", "validate", str(fifo)],
                          capture_output=True, text=True, timeout=30, cwd=REPO,
                          env=dict(os.environ, MIGAC_DEBUG="0"))
    assert done.returncode == 2, done.stderr
    assert "n'est pas un fichier ordinaire" in done.stderr
    assert_french(done.stderr)


@pytest.mark.skipif(os.name != "posix", reason="symbolic links need privileges on Windows")
def test_symbolic_link_loop_is_said_in_french(tmp_path):
    loop = tmp_path / "boucle.xlsx"
    loop.symlink_to(loop)
    with pytest.raises(WorkbookError) as info:
        open_scenario(loop)
    assert "liens symboliques" in str(info.value)
    assert_french(str(info.value))


def test_valid_oddities_are_read_without_problems(tmp_path):
    """ZIP64, data descriptors, a renamed workbook part, an unknown element in a row,
    an invisible character in a sheet name: a valid scenario all the same."""
    base = hf.base_workbook(tmp_path / "base.xlsx")
    parts = hf.read_parts(base)
    paths = []
    with zipfile.ZipFile(tmp_path / "zip64.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            with z.open(name, "w", force_zip64=True) as fh:
                fh.write(data)
    paths.append(tmp_path / "zip64.xlsx")

    class Unseekable(io.RawIOBase):
        def __init__(self):
            self.data = bytearray()

        def writable(self):
            return True

        def write(self, b):
            self.data += b
            return len(b)

    stream = Unseekable()
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as z:   # data descriptors
        for name, data in parts.items():
            with z.open(name, "w") as fh:
                fh.write(data)
    (tmp_path / "descripteurs.xlsx").write_bytes(bytes(stream.data))
    paths.append(tmp_path / "descripteurs.xlsx")

    moved = dict(parts)
    moved["xl/classeur.xml"] = moved.pop("xl/workbook.xml")
    moved["xl/_rels/classeur.xml.rels"] = moved.pop("xl/_rels/workbook.xml.rels")
    moved["[Content_Types].xml"] = moved["[Content_Types].xml"].replace(b"/xl/workbook.xml",
                                                                        b"/xl/classeur.xml")
    moved["_rels/.rels"] = moved["_rels/.rels"].replace(b"xl/workbook.xml", b"xl/classeur.xml")
    paths.append(hf.write_parts(tmp_path / "classeur_renomme.xlsx", moved))

    odd = dict(parts)
    crra = hf.sheet_parts(parts)["CRRA"]
    odd[crra] = hf.sheet_xml(hf.crra_rows()).replace(b'<row r="3">', b'<row r="3"><inconnu><x/></inconnu>')
    odd["xl/workbook.xml"] = odd["xl/workbook.xml"].replace(b'name="CRRA"', "name=\"C\u200bRRA\"".encode())
    paths.append(hf.write_parts(tmp_path / "bizarre.xlsx", odd))
    for path in paths:
        loaded = open_scenario(path)
        assert loaded.errors == [], (path.name, loaded.errors)
        assert len(loaded.scenario.crra) == 4, path.name
