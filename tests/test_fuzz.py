"""Property-based tests: round trip, formula injection, and fuzzed workbooks.

* **Round trip**: hypothesis builds valid scenarios (parameters, bands, smoothing,
  CRRA with extra columns, envelopes, extra sheets), saves, reopens: every input is
  equal, and the results cached in the output sheets are the model's.
* **Formula injection**: text typed by users that starts with ``=``, ``+``, ``-``
  or ``@`` is written as text, never as a formula, and neutralised in CSV exports.
* **Fuzzing**: valid workbooks mutated (cells, types, sheet names, headers, ZIP
  entries, raw bytes): the reader returns a scenario or located French problems,
  never another exception.

Runs are deterministic (``derandomize``); ``MIGAC_FUZZ_EXAMPLES`` raises the number
of examples for a longer campaign.
"""

from __future__ import annotations

import csv
import os
import re
import time
import zipfile
from pathlib import Path

import hostile_files as hf
import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import is_excel_error
from migac_desktop.core.scenario import Parameters, Scenario, make_table
from migac_desktop.core.validation import errors_of, validate
from migac_desktop.io.csv_export import FORMULA_TRIGGERS, unneutralise, write_results_csv
from migac_desktop.io.workbook import WorkbookError, open_scenario, write_scenario

EXAMPLES = int(os.environ.get("MIGAC_FUZZ_EXAMPLES", "0") or 0)


def examples(default: int) -> int:
    return EXAMPLES or default


PROPERTY = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# -- valid scenarios ---------------------------------------------------------------------

# Text as typed in a cell: no control characters (a workbook cannot hold them), no
# surrounding spaces (the reader trims them). Two kinds of text cannot come back and
# are left out, both known limits: OOXML escapes of the form _xHHHH_ (openpyxl's reader
# unescapes them) and the literal text of an Excel error (« #N/A » typed as a name reads
# back as the error value: with cached values only, openpyxl gives both as the same text).
_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")
TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1,
               max_size=24).map(str.strip).filter(
    lambda t: bool(t) and not _ESCAPE.search(t) and not is_excel_error(t))
TRICKY = st.sampled_from([
    "=SOMME(A1:A3)", "+33 4 72 00 00 00", "-5", "@cmd", "=cmd|' /C calc'!A0", "=HYPERLINK(\"x\")",
    "Hôpital d’Annecy", "Saint-Étienne", "CHU de Pointe-à-Pitre", "« guillemets »", "1 234,5",
    "0042", "2A", "VRAI", "#N/A!", "<b>gras</b>", "a & b", "x" * 200, "日本語", "😀 émoji"])
LABEL = st.one_of(TEXT, TRICKY)
MONEY = st.one_of(st.just(0.0), st.floats(min_value=0.01, max_value=1e10))
COUNT = st.one_of(st.integers(min_value=0, max_value=2_000_000).map(float),
                  st.floats(min_value=0, max_value=2e6, allow_nan=False))
ETP = st.floats(min_value=0, max_value=500, allow_nan=False)


@st.composite
def scenarios(draw) -> Scenario:
    calage = draw(st.sampled_from(schema.CALIBRATIONS))
    params = Parameters(
        cout_etp_arm=draw(MONEY), cout_etp_mr=draw(MONEY), cout_etp_encadrement=draw(MONEY),
        etp_encadrement_par_crra=draw(ETP), frais_fixes_crra=draw(MONEY),
        frais_par_drm=draw(st.floats(min_value=0, max_value=1000, allow_nan=False)),
        annee_historique=draw(st.integers(min_value=1990, max_value=2100)),
        calage=calage,
        enveloppe_cible=(draw(st.floats(min_value=1, max_value=1e10, allow_nan=False))
                         if calage == "Montant cible" else draw(st.one_of(st.none(), MONEY))),
        titre=draw(st.one_of(st.just(""), LABEL)), note=draw(st.one_of(st.just(""), LABEL)))
    n_bands = draw(st.integers(min_value=1, max_value=5))
    steps = draw(st.lists(st.floats(min_value=1, max_value=1e5, allow_nan=False),
                          min_size=n_bands - 1, max_size=n_bands - 1))
    mins = [0.0] + list(np.cumsum(steps))
    bands = make_table(schema.BANDS, [dict(drm_min=m, etp_arm=draw(ETP), etp_mr=draw(ETP),
                                           label=draw(LABEL)) for m in mins])
    first = draw(st.integers(min_value=2000, max_value=2150))
    n_years = draw(st.integers(min_value=1, max_value=5))
    shares = sorted(draw(st.lists(st.floats(min_value=0, max_value=1, allow_nan=False),
                                  min_size=n_years, max_size=n_years)))
    smoothing = make_table(schema.SMOOTHING, [dict(year=first + i, share=s)
                                              for i, s in enumerate(shares)])
    regions = draw(st.lists(LABEL, min_size=1, max_size=4, unique=True))
    n = draw(st.integers(min_value=1, max_value=12))
    ids = draw(st.lists(LABEL, min_size=n, max_size=n, unique=True))
    extra = draw(st.sampled_from([None, "Commentaire de l’ARS", "=Note"]))
    rows = []
    for i, ident in enumerate(ids):
        region_index = draw(st.integers(min_value=0, max_value=len(regions) - 1))
        row = dict(crra_id=ident, label=draw(st.one_of(st.just(""), LABEL)),
                   region=regions[region_index],
                   departement=draw(st.sampled_from(["01", "2A", "971", "75", ""])),
                   finess=f"{region_index:02d}{i:07d}", establishment=draw(LABEL),
                   drm=draw(COUNT), geo_coef=draw(st.floats(min_value=0, max_value=0.99)),
                   historic=draw(MONEY),
                   etp_arm_override=draw(st.one_of(st.none(), ETP)),
                   etp_mr_override=draw(st.one_of(st.none(), ETP)))
        if extra:
            row[extra] = draw(st.one_of(st.none(), LABEL, st.integers(-10**6, 10**6)))
        rows.append(row)
    crra = make_table(schema.CRRA, rows)
    env_rows = []
    for region in draw(st.lists(st.sampled_from(regions), unique=True, max_size=len(regions))):
        env_rows.append(dict(region=region, year=first + draw(st.integers(0, n_years - 1)),
                             amount=draw(MONEY)))
    envelopes = make_table(schema.ENVELOPES, env_rows)
    extra_sheets = {}
    if draw(st.booleans()):
        extra_sheets["Notes de l’ARS"] = [("Auteur", "Valeur"), (draw(LABEL), draw(COUNT)),
                                          (draw(TRICKY), None)]
    extra_parameters = [("source", draw(LABEL), draw(LABEL), None)] if draw(st.booleans()) else []
    scenario = Scenario(parameters=params, bands=bands, smoothing=smoothing, crra=crra,
                        envelopes=envelopes, extra_sheets=extra_sheets,
                        extra_parameters=extra_parameters)
    return scenario


def same_extras(a: Scenario, b: Scenario) -> bool:
    def norm(rows):
        out = []
        for row in rows:
            row = list(row)
            while row and row[-1] in (None, ""):
                row.pop()
            out.append(tuple(None if v == "" else v for v in row))
        while out and not out[-1]:
            out.pop()
        return out
    return (a.extra_parameters == b.extra_parameters
            and {k: norm(v) for k, v in a.extra_sheets.items()}
            == {k: norm(v) for k, v in b.extra_sheets.items()})


@settings(max_examples=examples(30), **PROPERTY)
@given(scenario=scenarios())
def test_round_trip_of_valid_scenarios(tmp_path_factory, scenario):
    assume(not errors_of(validate(scenario)))
    path = tmp_path_factory.mktemp("aller-retour") / "scenario.xlsx"
    results = compute(scenario)
    write_scenario(scenario, path, results)
    loaded = open_scenario(path)
    assert errors_of(loaded.problems) == []
    back = loaded.scenario
    assert back.inputs_equal(scenario)
    assert back.parameters == scenario.parameters
    assert same_extras(back, scenario)
    again = compute(back)
    for key in results.crra_arrays:
        a, b = results.crra_arrays[key], again.crra_arrays[key]
        if a.dtype.kind == "f":
            assert np.allclose(a, b, rtol=1e-12, atol=1e-6, equal_nan=True), key
        else:
            assert list(a) == list(b), key
    # The results cached in the output sheet are the model's (what Excel shows on opening).
    ws = openpyxl.load_workbook(path, read_only=True, data_only=True)["Résultats CRRA"]
    rows = list(ws.iter_rows(min_row=2, max_row=len(scenario.crra) + 1, values_only=True))
    modelled = [row[15] for row in rows]
    assert np.allclose(modelled, results.crra_arrays["modelled"], rtol=1e-9, atol=1e-6)


# -- formula injection -------------------------------------------------------------------

INJECTED = st.tuples(st.sampled_from(["=", "+", "-", "@"]),
                     st.sampled_from(["SOMME(A1:A9)", "cmd|' /C calc'!A0", "HYPERLINK(\"http://x\")",
                                      "1+1", "A1", "2", "IMPORTXML(\"u\";\"//a\")"])).map("".join)


@settings(max_examples=examples(25), **PROPERTY)
@given(texts=st.lists(INJECTED, min_size=7, max_size=7))
def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path_factory, texts):
    from conftest import worked_example

    scenario = worked_example()
    scenario.crra.loc[0, "label"] = texts[0]
    scenario.crra.loc[1, "establishment"] = texts[1]
    scenario.crra.loc[2, "crra_id"] = texts[2]
    scenario.crra["Commentaire"] = [texts[3], None, 3, texts[3]]
    scenario.parameters = scenario.parameters.with_value("titre", texts[4])
    scenario.bands.loc[0, "label"] = texts[5]
    scenario.extra_sheets = {"Notes": [("Texte", texts[6]), (texts[6], 1.0)]}
    folder = tmp_path_factory.mktemp("injection")
    path = folder / "s.xlsx"
    write_scenario(scenario, path)
    with zipfile.ZipFile(path) as z:
        parts = hf.sheet_parts({n: z.read(n) for n in ("xl/workbook.xml",
                                                         "xl/_rels/workbook.xml.rels")})
        for title, part in parts.items():
            xml = z.read(part).decode("utf-8")
            formulas = re.findall(r"<f[^>]*>(.*?)</f>", xml)
            if title not in schema.RESULT_SHEETS:
                assert formulas == [], title           # no formula at all in inputs and extras
            for text in texts:                         # no user text inside the live formulas
                if len(text) > 6:
                    assert all(text[1:] not in f for f in formulas), (title, text)
    wb = openpyxl.load_workbook(path, read_only=True)   # formulas, not values
    cells = {}
    for ws in wb.worksheets:
        if ws.title not in schema.RESULT_SHEETS:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        cells[c.value] = c.data_type
    wb.close()
    for text in texts:
        assert cells[text] == "s", text
    back = open_scenario(path).scenario
    assert back.crra["label"].iat[0] == texts[0] and back.parameters.titre == texts[4]
    # CSV exports neutralise them too.
    written = write_results_csv(compute(scenario), folder / "csv")
    with open(written[0], encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0]["label"] == "'" + texts[0] and unneutralise(rows[0]["label"]) == texts[0]
    assert rows[2]["crra_id"] == "'" + texts[2]
    for row in rows:
        for key, field in row.items():
            assert not (field and field[0] in FORMULA_TRIGGERS and _is_text(field)), (key, field)


def _is_text(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return True
    return False


# -- fuzzing -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> list[dict[str, bytes]]:
    """Valid workbooks to mutate: the worked example, a rich scenario, a hand-made one."""
    from conftest import worked_example

    folder = tmp_path_factory.mktemp("graines")
    rich = worked_example()
    rich.crra["Commentaire"] = ["à revoir", 12, None, "=1+1"]
    rich.extra_sheets = {"Notes": [("Auteur", "Date"), ("ARS", 3.5)]}
    write_scenario(worked_example(), folder / "a.xlsx")
    write_scenario(rich, folder / "b.xlsx")
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    sheets = {"Paramètres": [["Clé", "Paramètre", "Valeur", "Unité"], ["cout_etp_arm", "", 45000, "€"]],
              "Référentiel": [["DRM minimum", "ETP ARM", "ETP MR"], [0, 12, 6], [100000, 25, 12]],
              "Lissage": [["Année", "Part cumulée"], [2014, "20 %"], [2015, "100 %"]],
              "CRRA": hf.crra_rows()}
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(folder / "c.xlsx")
    return [hf.read_parts(folder / name) for name in ("a.xlsx", "b.xlsx", "c.xlsx")]


TRIED = {"inputs": 0, "refused": 0, "read": 0}

# A hang guard, not a timing: the reader's speed on these files is measured by
# benchmarks/bench_hostile.py. Generous, so that a loaded machine never fails a run.
HANG_GUARD_S = 60
FRENCH_WORDS = ("fichier", "classeur", "feuille", "cellule", "ligne", "colonne")
# What a Python exception's text looks like, and a French message never contains.
PYTHON_TEXT = re.compile(r"Traceback|\w*Error\b|\w*Exception\b|NoneType|Errno|\bobject\b|"
                         r"\binvalid\b|\bexpected\b|\bunsupported\b|\bnot found\b")


def assert_located(problem, filename: str) -> None:
    """A French message that says where: the sheet (and its cell), or the file itself."""
    message = problem.message
    assert message and not PYTHON_TEXT.search(message), message
    if problem.row is not None or problem.column is not None:
        assert problem.sheet is not None, message
    if problem.sheet is None:
        text = message.lower()
        assert "fichier" in text or "classeur" in text or filename in message, message
    else:
        assert "«" in str(problem) and any(w in str(problem) for w in FRENCH_WORDS), str(problem)


def check_reader(path: Path) -> None:
    """A scenario with located problems, or WorkbookError: never anything else."""
    TRIED["inputs"] += 1
    start = time.monotonic()
    try:
        loaded = open_scenario(path)
    except WorkbookError as exc:
        TRIED["refused"] += 1
        assert exc.problems
        for p in exc.problems:
            assert_located(p, path.name)
        assert "«" in str(exc) and "Traceback" not in str(exc)
    else:
        TRIED["read"] += 1
        for p in loaded.problems:
            assert p.severity in ("error", "warning")
            assert_located(p, path.name)
    assert time.monotonic() - start < HANG_GUARD_S


def test_the_oracle_refuses_unlocated_or_python_messages():
    """The fuzz oracle itself: a message must say where, in French."""
    from migac_desktop.core.validation import Problem

    good = [Problem("error", "valeur manquante", sheet="CRRA", row=3, column="DRM"),
            Problem("error", "feuille absente du classeur : ajoutez-la (nommée « CRRA »)"),
            Problem("error", "Le fichier « x.xlsx » est endommagé.")]
    for problem in good:
        assert_located(problem, "x.xlsx")
    bad = [Problem("error", "valeur manquante"),                       # where?
           Problem("error", "valeur manquante", row=3, column="DRM"),  # a row of which sheet?
           Problem("error", "KeyError: 'drm'", sheet="CRRA"),
           Problem("error", "« » 'NoneType' object is not subscriptable", sheet="CRRA")]
    for problem in bad:
        with pytest.raises(AssertionError):
            assert_located(problem, "x.xlsx")


CELL_XML = st.one_of(
    st.tuples(st.sampled_from(["n", "s", "e", "b", "str", "d", "inlineStr", "", "zz"]),
              st.one_of(st.text(max_size=12), st.integers(-10**12, 10**12).map(str),
                        st.sampled_from(["", "1e309", "nan", "-0", "#DIV/0!", "#REF!", "#N/A",
                                         "2013-05-01", "99999999", "1,5", "0x1F", "<", "&amp;"])))
    .map(lambda tv: ('<c r="{ref}"' + (f' t="{tv[0]}"' if tv[0] else "") + ">"
                     + (f"<is><t>{_xml_text(tv[1])}</t></is>" if tv[0] == "inlineStr"
                        else f"<v>{_xml_text(tv[1])}</v>") + "</c>")),
    st.sampled_from(['<c r="{ref}"><f>1/0</f></c>', '<c r="{ref}"><f>A1</f><v>3</v></c>',
                     '<c r="{ref}" t="e"><f>NA()</f><v>#N/A</v></c>', '<c r="{ref}"/>',
                     '<c><v>1</v></c>', '<c r="XFD1048576"><v>1</v></c>', '<c r="A0"><v>1</v></c>',
                     '<c r="{ref}" s="9999"><v>1</v></c>', '<c r="{ref}" t="s"><v>-1</v></c>',
                     '<c r="{ref}" t="s"><v>999999</v></c>', '<c r="{ref}"><v>1</v><v>2</v></c>']),
)


def _xml_text(text: str) -> str:
    text = "".join(ch for ch in text if ch in "\t\n\r" or (ord(ch) >= 32 and not 0xD800 <= ord(ch) <= 0xDFFF
                                                            and ord(ch) not in (0xFFFE, 0xFFFF)))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@st.composite
def cell_mutations(draw, seeds):
    parts = dict(draw(st.sampled_from(seeds)))
    sheets = hf.sheet_parts(parts)
    inputs = [t for t in sheets if t not in schema.RESULT_SHEETS]
    for _ in range(draw(st.integers(1, 6))):
        part = sheets[draw(st.sampled_from(inputs))]
        xml = parts[part].decode("utf-8")
        cells = list(re.finditer(r"<c r=\"([A-Z]+\d+)\"[^>]*?(?:/>|>.*?</c>)", xml))
        if not cells:
            continue
        target = draw(st.sampled_from(cells))
        new = draw(CELL_XML).replace("{ref}", target.group(1))
        xml = xml[:target.start()] + new + xml[target.end():]
        parts[part] = xml.encode("utf-8")
    return parts


@st.composite
def structure_mutations(draw, seeds):
    """Sheet names, headers, rows and attributes of the XML."""
    parts = dict(draw(st.sampled_from(seeds)))
    kind = draw(st.sampled_from(["rename", "header", "attribute", "row", "drop-row", "duplicate"]))
    sheets = hf.sheet_parts(parts)
    if kind == "rename":
        names = re.findall(r'<sheet [^>]*name="([^"]*)"', parts["xl/workbook.xml"].decode())
        old = draw(st.sampled_from(names))
        new = draw(st.one_of(st.sampled_from(["", "crra", " CRRA ", "Parametres", "LISSAGE",
                                               "Résultats CRRA", "Référentiel", "x" * 300,
                                               "a&amp;b", "Notes"]),
                             st.text(st.characters(whitelist_categories=("L", "N", "Zs")),
                                     max_size=40)))
        parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
            f'name="{old}"'.encode(), f'name="{new}"'.encode(), 1)
    else:
        title = draw(st.sampled_from([t for t in sheets if t not in schema.RESULT_SHEETS]))
        part = sheets[title]
        xml = parts[part].decode("utf-8")
        if kind == "header":
            row1 = re.search(r'<row r="1"[^>]*>.*?</row>', xml)
            if row1:
                header = [draw(st.one_of(st.none(), LABEL, st.integers(), st.sampled_from(
                    ["Identifiant", "DRM", "drm", "FINESS", "Valeur", "Clé", "Année"])))
                    for _ in range(draw(st.integers(0, 14)))]
                new = hf.sheet_xml([header]).decode()
                new = re.search(r'<row r="1">.*?</row>', new).group(0)
                xml = xml[:row1.start()] + new + xml[row1.end():]
        elif kind == "attribute":
            attr = draw(st.sampled_from(['r="', 't="', 's="', 'spans="']))
            value = draw(st.sampled_from(["0", "-1", "", "A", "99999999999", "1:99999", "ZZZZ1"]))
            hits = [m.start() for m in re.finditer(re.escape(attr), xml)]
            if hits:
                at = draw(st.sampled_from(hits)) + len(attr)
                end = xml.index('"', at)
                xml = xml[:at] + value + xml[end:]
        elif kind == "row":
            rows = [[draw(st.one_of(st.none(), LABEL, COUNT, st.booleans()))
                     for _ in range(draw(st.integers(0, 14)))] for _ in range(draw(st.integers(1, 5)))]
            body = re.search(r"<sheetData>(.*)</sheetData>", hf.sheet_xml(rows, first_row=2).decode(),
                             re.S).group(1)
            xml = re.sub(r'<row r="2".*?</row>', lambda m: body, xml, count=1, flags=re.S)
        elif kind == "drop-row":
            rows = list(re.finditer(r"<row [^>]*>.*?</row>|<row [^>]*/>", xml, re.S))
            if rows:
                target = draw(st.sampled_from(rows))
                xml = xml[:target.start()] + xml[target.end():]
        else:
            rows = list(re.finditer(r"<row [^>]*>.*?</row>", xml, re.S))
            if rows:
                target = draw(st.sampled_from(rows))
                xml = xml[:target.end()] + target.group(0) + xml[target.end():]
        parts[part] = xml.encode("utf-8")
    return parts


def _zip_mutation(draw, parts: dict[str, bytes]) -> dict[str, bytes] | bytes:
    names = list(parts)
    kind = draw(st.sampled_from(["delete", "rename", "truncate", "flip", "random", "junk",
                                 "empty", "duplicate-name", "entity", "order"]))
    name = draw(st.sampled_from(names))
    if kind == "delete":
        del parts[name]
    elif kind == "rename":
        parts[draw(st.sampled_from(["xl/x.xml", name.upper(), name + "/", "../" + name]))] = parts.pop(name)
    elif kind == "truncate":
        parts[name] = parts[name][:draw(st.integers(0, max(len(parts[name]) - 1, 0)))]
    elif kind == "flip":
        data = bytearray(parts[name])
        for _ in range(draw(st.integers(1, 8))):
            if data:
                data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
        parts[name] = bytes(data)
    elif kind == "random":
        parts[name] = draw(st.binary(max_size=200))
    elif kind == "junk":
        parts[draw(st.sampled_from(["xl/media/x.bin", "zz.xml", "xl/worksheets/sheet99.xml"]))] = \
            draw(st.binary(max_size=100))
    elif kind == "empty":
        parts[name] = b""
    elif kind == "entity":
        parts[name] = hf.laughs("worksheet")
    elif kind == "order":
        items = list(parts.items())
        items.reverse()
        return dict(items)
    else:
        return parts            # duplicates are added by the writer below
    return parts


@st.composite
def zip_mutations(draw, seeds):
    parts = dict(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 3))):
        parts = _zip_mutation(draw, parts)
    stored = draw(st.booleans())
    duplicate = draw(st.one_of(st.none(), st.sampled_from(sorted(parts))))
    return parts, stored, duplicate


def write_mutated(path: Path, parts: dict[str, bytes], stored: bool = False,
                  duplicate: str | None = None) -> Path:
    import warnings

    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # « Duplicate name » is what we want
        with zipfile.ZipFile(path, "w", method) as z:
            for name, data in parts.items():
                z.writestr(name, data)
            if duplicate is not None and duplicate in parts:
                z.writestr(duplicate, b"<worksheet/>")
    return path


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=examples(60), **PROPERTY)
@given(data=st.data())
def test_fuzzed_cells(seeds, fuzz_dir, data):
    parts = data.draw(cell_mutations(seeds))
    check_reader(write_mutated(fuzz_dir / "cellules.xlsx", parts))


@settings(max_examples=examples(60), **PROPERTY)
@given(data=st.data())
def test_fuzzed_structure(seeds, fuzz_dir, data):
    parts = data.draw(structure_mutations(seeds))
    check_reader(write_mutated(fuzz_dir / "structure.xlsx", parts))


@settings(max_examples=examples(60), **PROPERTY)
@given(data=st.data())
def test_fuzzed_zip_entries(seeds, fuzz_dir, data):
    parts, stored, duplicate = data.draw(zip_mutations(seeds))
    check_reader(write_mutated(fuzz_dir / "zip.xlsx", parts, stored, duplicate))


@settings(max_examples=examples(60), **PROPERTY)
@given(data=st.data())
def test_fuzzed_bytes(seeds, fuzz_dir, data):
    parts = data.draw(st.sampled_from(seeds))
    raw = bytearray((write_mutated(fuzz_dir / "base.xlsx", parts)).read_bytes())
    for _ in range(data.draw(st.integers(1, 12))):
        kind = data.draw(st.sampled_from(["set", "insert", "delete", "cut"]))
        at = data.draw(st.integers(0, len(raw) - 1))
        if kind == "set":
            raw[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[at:at] = data.draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del raw[at:at + data.draw(st.integers(1, 16))]
        else:
            del raw[at:]
        if not raw:
            break
    path = fuzz_dir / "octets.xlsx"
    path.write_bytes(bytes(raw))
    check_reader(path)


def test_fuzz_counts_are_reported(capsys):
    """Every fuzzed input went through the oracle, and the count is printed for the note.

    Runs after the four fuzz tests of this module (pytest keeps the file's order); alone
    (``-k counts``) it has nothing to count and says so instead of passing.
    """
    if not any(TRIED.values()):
        pytest.skip("aucune entrée essayée : les tests de fuzzing de ce module n'ont pas tourné")
    assert TRIED["inputs"] == TRIED["refused"] + TRIED["read"]
    assert TRIED["refused"] > 0 and TRIED["read"] > 0       # both sides of the oracle ran
    with capsys.disabled():
        print(f"\n[fuzz] entrées essayées : {TRIED['inputs']} (refusées : {TRIED['refused']}, "
              f"lues avec leurs problèmes : {TRIED['read']})")
