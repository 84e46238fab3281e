"""Valid scenarios as other programs write them: they open and compute to the sample's figures.

Each workbook here is the national sample with one construct that real files
carry and that the reader once refused, slowed on or printed about (issue 11,
items 20 to 26): a whole-column merge, conditional formats and data validation
after the cells, styles and metadata the reader never uses, part names in
another case, a shared-strings table never written, a notes sheet wider than
the scenario's limits, a style explosion. They are built by editing the XML
inside the sample's ZIP, then opened in this process and by ``migac validate``
and ``migac compute`` in a child process: same figures as the sample, nothing
but French on stdout and stderr.
"""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import hostile_files as hf
import pytest

from migac_desktop.core.model import compute
from migac_desktop.io import safety
from migac_desktop.io.workbook import WorkbookError, open_scenario, read_scenario, write_scenario

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "samples" / "scenario_national_2014.xlsx"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Words of openpyxl's, Python's or Qt's English that must never reach the user.
ENGLISH = re.compile(r"\b(the|is|out of range|error|warning|cannot|invalid|failed|unable|traceback|"
                     r"exception|none|workbook|file|value)\b", re.IGNORECASE)


# -- editing the sample's parts ---------------------------------------------------

def _after_cells(xml: str, insert: str) -> str:
    """``insert`` after </sheetData> and the autofilter, where the schema puts merges and formats."""
    at = min(i for i in (xml.find(tag) for tag in ("<printOptions", "<pageMargins", "<pageSetup",
                                                      "<headerFooter", "<drawing", "<legacyDrawing",
                                                      "<tableParts", "<extLst", "</worksheet>")) if i >= 0)
    return xml[:at] + insert + xml[at:]


def _edit_sheet(parts, title, edit):
    part = hf.sheet_parts(parts)[title]
    parts[part] = edit(parts[part].decode()).encode()


def _edit(parts, part, edit):
    parts[part] = edit(parts[part].decode()).encode()


def whole_column_merge(parts):
    _edit_sheet(parts, "CRRA", lambda x: _after_cells(
        x, '<mergeCells count="2"><mergeCell ref="M:M"/><mergeCell ref="70:70"/></mergeCells>'))


def libreoffice_conditional_format(parts):
    _edit_sheet(parts, "CRRA", lambda x: _after_cells(
        x, '<conditionalFormatting sqref="G2:G102"><cfRule type="expression" priority="1" aboveAverage="0" '
           'equalAverage="0" bottom="0" percent="0" rank="0" text="" dxfId="0" operator="expression">'
           '<formula>G2&gt;100000</formula></cfRule></conditionalFormatting>'))


def validation_and_drawing(parts):
    _edit_sheet(parts, "CRRA", lambda x: _after_cells(
        x, '<dataValidations count="1"><dataValidation type="liste" sqref="C2:C102"><formula1>"a,b"</formula1>'
           f'</dataValidation></dataValidations><legacyDrawing xmlns:r="{R_NS}" r:id="rIdAbsent"/>'))


def empty_fill(parts):
    _edit(parts, "xl/styles.xml", lambda x: re.sub(
        r'<fills count="(\d+)">', lambda m: f'<fills count="{int(m.group(1)) + 1}">', x).replace(
        "</fills>", "<fill/></fills>"))


def colour_not_argb(parts):
    _edit(parts, "xl/styles.xml", lambda x: x.replace('<color theme="1" />', '<color rgb="rouge" />', 1))


def unknown_format_attribute(parts):
    _edit(parts, "xl/styles.xml", lambda x: x.replace(
        '<xf numFmtId="164" fontId="0"', '<xf xr:etiquette="1" xmlns:xr="urn:x" maison="oui" numFmtId="164" '
                                         'fontId="0"', 1))


def named_style_without_name(parts):
    _edit(parts, "xl/styles.xml", lambda x: x.replace(
        '<cellStyle name="Normal" xfId="0" builtinId="0" hidden="0" />', '<cellStyle xfId="0" builtinId="0" />'))


def no_named_style(parts):
    """Cell formats pointing to no named style: openpyxl printed « 0 is out of range »."""
    _edit(parts, "xl/styles.xml", lambda x: re.sub(
        r'<cellStyleXfs count="1">.*?</cellStyleXfs>', '<cellStyleXfs count="0"/>', x))


def padded_core_date(parts):
    _edit(parts, "docProps/core.xml", lambda x: re.sub(
        r"(<dcterms:created[^>]*>)[^<]*", r"\g<1>2021- 8- 2T20:24:17Z", x))


def sheet_state_show(parts):
    _edit(parts, "xl/workbook.xml", lambda x: x.replace('state="visible"', 'state="show"'))


def strings_in_another_case(parts):
    parts["xl/SharedStrings.xml"] = parts.pop("xl/sharedStrings.xml")


def strings_never_written(parts):
    """Every text inline, the shared-strings table absent though its relationship stays."""
    strings = [s for s in _shared_strings(parts.pop("xl/sharedStrings.xml"))]

    def inline(match):
        attrs, index = match.group(1), int(match.group(2))
        text = strings[index].replace("&", "&amp;").replace("<", "&lt;")
        return f'<c{attrs} t="inlineStr"><is><t>{text}</t></is></c>'
    for part in hf.sheet_parts(parts).values():
        parts[part] = re.sub(r'<c([^>]*?) t="s"><v>(\d+)</v></c>', inline, parts[part].decode()).encode()


def _shared_strings(data: bytes) -> list[str]:
    from defusedxml.ElementTree import fromstring

    out = []
    for si in fromstring(data):
        out.append("".join(t.text or "" for t in si.iter() if t.tag.endswith("}t")))
    return out


def notes_sheet(cell: str, rows: int | None = None):
    """A « Notes » sheet the scenario does not use, with a value at ``cell``."""
    def edit(parts):
        row = int(re.search(r"\d+", cell).group(0))
        parts["xl/worksheets/notes.xml"] = (
            f'<worksheet xmlns="{hf.MAIN_NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Notes du '
            f'modélisateur</t></is></c></row><row r="{row}"><c r="{cell}" t="inlineStr"><is><t>à revoir</t></is>'
            '</c></row></sheetData></worksheet>').encode()
        _edit(parts, "xl/workbook.xml", lambda x: x.replace(
            "</sheets>", '<sheet name="Notes" sheetId="99" state="visible" r:id="rIdNotes" /></sheets>'))
        _edit(parts, "xl/_rels/workbook.xml.rels", lambda x: x.replace(
            "</Relationships>", '<Relationship Id="rIdNotes" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/worksheet" Target="worksheets/notes.xml"/></Relationships>'))
        _edit(parts, "[Content_Types].xml", lambda x: x.replace(
            "</Types>", '<Override PartName="/xl/worksheets/notes.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'))
    return edit


def style_explosion(parts, styles: int = 20_000):
    xfs = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>' * styles
    names = "".join(f'<cellStyle name="Normal {i}" xfId="{i + 1}"/>' for i in range(styles))
    _edit(parts, "xl/styles.xml", lambda x: x.replace(
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>',
        f'<cellStyleXfs count="{styles + 1}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" />{xfs}'
        '</cellStyleXfs>').replace("</cellStyles>", names + "</cellStyles>"))


CONSTRUCTS = {
    "fusion_colonne_entiere": whole_column_merge,                    # item 20
    "format_conditionnel_libreoffice": libreoffice_conditional_format,
    "validation_et_dessin": validation_and_drawing,
    "remplissage_vide": empty_fill,                                   # item 21
    "couleur_non_argb": colour_not_argb,
    "attribut_inconnu": unknown_format_attribute,
    "style_nomme_sans_nom": named_style_without_name,
    "date_core_espaces": padded_core_date,
    "feuille_state_show": sheet_state_show,
    "textes_partages_casse": strings_in_another_case,                 # item 22
    "textes_partages_jamais_ecrits": strings_never_written,
    "styles_jamais_ecrits": lambda parts: parts.pop("xl/styles.xml"),
    "notes_colonne_IW": notes_sheet("IW2"),                           # item 23
    "sans_style_nomme": no_named_style,                               # item 24
    "explosion_de_styles": style_explosion,                           # item 25
}


def build(folder: Path, name: str, *edits) -> Path:
    parts = hf.read_parts(SAMPLE)
    for edit in edits:
        edit(parts)
    return hf.write_parts(folder / f"{name}.xlsx", parts)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reels")
    out = {name: build(folder, name, edit) for name, edit in CONSTRUCTS.items()}
    out["tout_ensemble"] = build(folder, "tout_ensemble", *[
        edit for name, edit in CONSTRUCTS.items()
        if name not in ("textes_partages_casse", "explosion_de_styles", "styles_jamais_ecrits")])
    return out


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    loaded = open_scenario(SAMPLE)
    out = tmp_path_factory.mktemp("attendu")
    done = _migac("compute", SAMPLE, "--out", out)
    assert done.returncode == 0, done.stderr
    return loaded, compute(loaded.scenario), {p.name: p.read_bytes() for p in out.iterdir()}


def _migac(*argv) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "migac_desktop", *map(str, argv)], capture_output=True,
                          text=True, timeout=120, cwd=REPO)


def _only_french(done: subprocess.CompletedProcess) -> None:
    for line in (done.stdout + done.stderr).splitlines():
        shown = re.sub(r"«[^»]*»|/\S+", "", line)        # quoted names and paths are not prose
        assert not ENGLISH.search(shown), line


@pytest.mark.parametrize("name", list(CONSTRUCTS) + ["tout_ensemble"])
def test_real_world_construct_opens_and_computes_to_the_sample_figures(files, expected, name):
    sample, sample_results, _ = expected
    loaded = open_scenario(files[name])
    assert not loaded.errors, [str(p) for p in loaded.errors]
    results = compute(loaded.scenario)
    assert results.crra.equals(sample_results.crra)
    assert results.national == sample_results.national


@pytest.mark.parametrize("name", list(CONSTRUCTS) + ["tout_ensemble"])
def test_real_world_construct_on_the_command_line(files, expected, name, tmp_path):
    _, _, sample_csv = expected
    validated = _migac("validate", files[name])
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "Scénario valide (101 CRRA)" in validated.stdout
    _only_french(validated)
    computed = _migac("compute", files[name], "--out", tmp_path / "out")
    assert computed.returncode == 0, computed.stderr
    _only_french(computed)
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == sample_csv


def test_notes_sheet_wider_than_the_scenario_is_kept_on_save(files, tmp_path):
    loaded = open_scenario(files["notes_colonne_IW"])
    assert loaded.scenario.extra_sheets["Notes"][1][256] == "à revoir"     # column IW
    write_scenario(loaded.scenario, tmp_path / "enregistre.xlsx")
    again = read_scenario(tmp_path / "enregistre.xlsx")
    assert again.scenario.extra_sheets["Notes"][1][256] == "à revoir"
    assert not again.problems


def test_notes_sheet_over_a_limit_is_dropped_with_a_warning_naming_it(tmp_path):
    path = build(tmp_path, "notes_ligne_250000", notes_sheet("B250000"))
    loaded = open_scenario(path)
    assert not loaded.errors
    (warning,) = [p for p in loaded.warnings if p.sheet == "Notes"]
    assert str(warning).startswith("Avertissement — feuille « Notes », ligne 250000 : cette feuille ne sera "
                                   "pas conservée à l'enregistrement")
    assert "Notes" not in loaded.scenario.extra_sheets
    done = _migac("validate", path)
    assert done.returncode == 0
    assert any(line.startswith("Avertissement — feuille « Notes »") for line in done.stderr.splitlines())
    _only_french(done)


def test_limits_of_the_input_sheets_still_refuse(tmp_path):
    """The notes sheet's leeway is not the scenario's: a value in column IW of « CRRA » is refused."""
    path = build(tmp_path, "crra_colonne_IW", lambda parts: _edit_sheet(parts, "CRRA", lambda x: re.sub(
        r'(<row r="2"[^>]*>.*?)</row>', r'\1<c r="IW2" t="inlineStr"><is><t>x</t></is></c></row>', x,
        count=1, flags=re.S)))
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    (problem,) = info.value.problems
    assert (problem.sheet, problem.row) == ("CRRA", 2) and "colonne IW" in problem.message


def test_extra_sheet_over_the_cell_limit_is_dropped_not_refused(tmp_path, monkeypatch):
    """The pre-flight's counts: an extra sheet that would pass them is left out, the inputs read."""
    path = build(tmp_path, "notes_grande", notes_sheet("C3"))
    base = safety.check_file(path, lambda t: t.startswith(("Résultats", "Synthèse", "Trajectoires")),
                             optional_sheet=lambda t: t == "Notes")
    monkeypatch.setattr(safety, "MAX_CELLS", base.cells - 1)      # the inputs fit, not the notes
    loaded = open_scenario(path)
    assert not loaded.errors
    assert [p.sheet for p in loaded.warnings] == ["Notes"]
    assert "cellules" in loaded.warnings[0].message


def test_stylesheet_that_must_still_refuse_names_its_part(tmp_path):
    path = build(tmp_path, "styles_casses", lambda parts: parts.__setitem__(
        "xl/styles.xml", parts["xl/styles.xml"][:200]))
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    text = str(info.value)
    assert "xl/styles.xml" in text and "structure interne" not in text


def test_numbers_document_is_named(tmp_path):
    path = tmp_path / "tableau.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        for name in ("Index/Document.iwa", "Index/CalculationEngine.iwa", "Index/Tables/DataList.iwa",
                     "Metadata/Properties.plist", "Metadata/DocumentIdentifier", "preview.jpg"):
            z.writestr(name, b"\x00iwa")
    with pytest.raises(WorkbookError) as info:
        read_scenario(path)
    text = str(info.value)
    assert "un document Numbers (Apple) : exportez-le en .xlsx depuis Numbers" in text
    assert "Word" not in text and "OpenDocument" not in text
    done = _migac("validate", path)
    assert done.returncode == 2 and "Numbers (Apple)" in done.stderr + done.stdout


def test_extra_sheet_still_refuses_the_file_for_what_makes_it_hostile(tmp_path):
    """Left out over a limit, yes; but XML entities in it mean no ordinary workbook."""
    def laughs(parts):
        notes_sheet("C3")(parts)
        parts["xl/worksheets/notes.xml"] = hf.laughs("worksheet")
    with pytest.raises(WorkbookError) as info:
        read_scenario(build(tmp_path, "notes_entites", laughs))
    assert "entités XML" in str(info.value) and "Notes" in str(info.value)


def test_extra_sheet_too_big_to_read_is_dropped_not_refused(tmp_path, monkeypatch):
    def big_notes(parts):
        notes_sheet("C3")(parts)
        rows = "".join(f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>remarque {r}</t></is></c></row>'
                       for r in range(4, 2004))
        _edit(parts, "xl/worksheets/notes.xml", lambda x: x.replace("</sheetData>", rows + "</sheetData>"))
    path = build(tmp_path, "notes_lourde", big_notes)
    sizes = {i.filename: i.file_size for i in zipfile.ZipFile(path).infolist()}
    assert sizes["xl/worksheets/sheet4.xml"] < 40_000 < sizes["xl/worksheets/notes.xml"]
    monkeypatch.setattr(safety, "MAX_SHEET_BYTES", 40_000)     # the CRRA sheet fits, the notes do not
    loaded = open_scenario(path)
    assert not loaded.errors and "Notes" not in loaded.scenario.extra_sheets
    (warning,) = loaded.warnings
    assert warning.sheet == "Notes" and "ferait" in warning.message
    assert "refusé" not in warning.message


def test_chart_sheet_is_named_as_not_kept(tmp_path):
    """A chart sheet is no table: not read, and said, since the save does not keep it."""
    def chart(parts):
        parts["xl/chartsheets/sheet1.xml"] = (f'<chartsheet xmlns="{hf.MAIN_NS}"><sheetViews><sheetView '
                                              'workbookViewId="0"/></sheetViews></chartsheet>').encode()
        _edit(parts, "xl/workbook.xml", lambda x: x.replace(
            "</sheets>", '<sheet name="Graphique DRM" sheetId="98" r:id="rIdChart" /></sheets>'))
        _edit(parts, "xl/_rels/workbook.xml.rels", lambda x: x.replace(
            "</Relationships>", '<Relationship Id="rIdChart" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>'))
    loaded = open_scenario(build(tmp_path, "graphique", chart))
    assert not loaded.errors
    (warning,) = loaded.warnings
    assert warning.sheet == "Graphique DRM" and "feuille graphique" in warning.message
    assert "Graphique DRM" not in loaded.scenario.extra_sheets
