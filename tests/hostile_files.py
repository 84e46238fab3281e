"""Broken and hostile workbooks, built byte by byte, for the data-safety tests.

Each builder writes one file and the corpus (:func:`build_corpus`) lists them with
what the refusal must say. The ZIP writer here (:func:`raw_zip`) can lie: sizes,
CRC, offsets, flags and compression methods are whatever the test asks, so that
zip bombs, overlapping entries and lying headers are exactly those an attacker
would craft.
"""

from __future__ import annotations

import os
import random
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from conftest import WORKED_EXAMPLE_ROWS, worked_example

from migac_desktop.io.headers import column_letter
from migac_desktop.io.workbook import write_scenario

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CRRA_HEADERS = ["Identifiant", "Libellé", "Région", "Département", "FINESS", "Établissement",
                "DRM", "Coefficient géographique", "Dotation historique", "ETP ARM retenus",
                "ETP MR retenus"]
CRRA_KEYS = ["crra_id", "label", "region", "departement", "finess", "establishment", "drm",
             "geo_coef", "historic", "etp_arm_override", "etp_mr_override"]


# -- parts of a workbook ----------------------------------------------------------

def base_workbook(path: Path) -> Path:
    write_scenario(worked_example(), path)
    return path


def read_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {info.filename: z.read(info) for info in z.infolist()}


def write_parts(path: Path, parts: dict[str, bytes], level: int = 6) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def sheet_parts(parts: dict[str, bytes]) -> dict[str, str]:
    """Sheet title → part name, from workbook.xml and its relations."""
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    targets = {}
    for rel in re.finditer(r"<Relationship\b[^>]*>", rels):
        rid = re.search(r'Id="([^"]+)"', rel.group(0)).group(1)
        target = re.search(r'Target="([^"]+)"', rel.group(0)).group(1)
        targets[rid] = target.lstrip("/") if target.startswith("/") else "xl/" + target
    out = {}
    for sheet in re.finditer(r"<sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]*)"', sheet.group(0)).group(1)
        rid = re.search(r'r:id="([^"]+)"', sheet.group(0)).group(1)
        out[name.replace("&amp;", "&")] = targets[rid]
    return out


@dataclass(frozen=True)
class Raw:
    """A cell given as XML; ``{ref}`` is replaced by its reference."""

    xml: str


def cell_xml(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value.xml.replace("{ref}", ref)
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list], first_row: int = 1) -> bytes:
    body = []
    for r, row in enumerate(rows, start=first_row):
        cells = "".join(cell_xml(f"{column_letter(c)}{r}", v) for c, v in enumerate(row))
        body.append(f'<row r="{r}">{cells}</row>')
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<worksheet xmlns="{MAIN_NS}"><sheetData>{"".join(body)}</sheetData></worksheet>'
            ).encode()


def crra_rows(edit=None) -> list[list]:
    """The worked example's CRRA sheet as rows, header first; ``edit(rows)`` may change them."""
    rows = [list(CRRA_HEADERS)]
    for r in WORKED_EXAMPLE_ROWS:
        rows.append([r.get(k) for k in CRRA_KEYS])
    if edit is not None:
        edit(rows)
    return rows


def with_sheet(folder: Path, name: str, title: str, xml: bytes, level: int = 6) -> Path:
    """The worked example with one sheet's XML replaced."""
    parts = read_parts(base_workbook(folder / f"_base_{name}"))
    parts[sheet_parts(parts)[title]] = xml
    (folder / f"_base_{name}").unlink()
    return write_parts(folder / name, parts, level)


def with_part(folder: Path, name: str, part: str, data: bytes) -> Path:
    parts = read_parts(base_workbook(folder / f"_base_{name}"))
    parts[part] = data
    (folder / f"_base_{name}").unlink()
    return write_parts(folder / name, parts)


# -- a ZIP writer that can lie ----------------------------------------------------

@dataclass
class RawEntry:
    name: str
    data: bytes                     # as stored (already compressed when method is 8)
    method: int = 8
    crc: int = 0
    size: int = 0                   # declared uncompressed size
    flags: int = 0
    offset: int | None = None       # reuse another entry's local header (overlap)


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def entry(name: str, data: bytes, **lies) -> RawEntry:
    e = RawEntry(name, deflate(data), crc=zlib.crc32(data), size=len(data))
    for key, value in lies.items():
        setattr(e, key, value)
    return e


def raw_zip(path: Path, entries: list[RawEntry]) -> Path:
    """A ZIP file with exactly these entries, declared sizes and offsets included."""
    out = bytearray()
    offsets = []
    for e in entries:
        if e.offset is not None:
            offsets.append(offsets[e.offset])
            continue
        offsets.append(len(out))
        name = e.name.encode("utf-8")
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, e.flags | 0x800, e.method, 0, 0x21,
                           e.crc, len(e.data), e.size, len(name), 0)
        out += name + e.data
    start = len(out)
    for e, offset in zip(entries, offsets):
        name = e.name.encode("utf-8")
        stored = entries[[i for i, o in enumerate(offsets) if o == offset][0]]
        out += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, e.flags | 0x800, e.method, 0,
                           0x21, e.crc, len(stored.data), e.size, len(name), 0, 0, 0, 0, 0, offset)
        out += name
    size = len(out) - start
    out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), size, start, 0)
    path.write_bytes(bytes(out))
    return path


def repeated_deflate(head: bytes, block: bytes, times: int) -> tuple[bytes, int, int]:
    """(raw deflate stream, CRC, size) of ``head + block * times``, built without inflating it.

    After a full flush the compressor starts afresh, so every block compresses
    to the same bytes: the stream is that piece repeated, then an empty final block.
    """
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    again = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    assert again == piece
    crc = zlib.crc32(head)
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    return start + piece * times + c.flush(zlib.Z_FINISH), crc, len(head) + len(block) * times


def bomb_sheet(folder: Path, name: str, title: str, megabytes: int, lie: int | None = None) -> Path:
    """The worked example whose sheet ``title`` inflates to ``megabytes`` Mo of rows.

    A real bomb: the stream and its CRC are right, only its size is monstrous
    (``lie`` declares another size in the ZIP directory).
    """
    parts = read_parts(base_workbook(folder / f"_base_{name}"))
    (folder / f"_base_{name}").unlink()
    target = sheet_parts(parts)[title]
    head = f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    block = b'<row><c t="n"><v>0</v></c></row>' * (1024 * 1024 // 32)
    stream, crc, size = repeated_deflate(head, block, megabytes)
    entries = []
    for part, data in parts.items():
        if part == target:
            entries.append(RawEntry(part, stream, crc=crc, size=size if lie is None else lie))
        else:
            entries.append(entry(part, data))
    return raw_zip(folder / name, entries)


# -- not ZIP at all ---------------------------------------------------------------

def ole_file(path: Path, stream_names: list[str]) -> Path:
    """A compound file (OLE2) header and a directory naming these streams."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1A] = struct.pack("<H", 0x3E)
    header[0x1A:0x1C] = struct.pack("<H", 3)
    header[0x1C:0x1E] = b"\xfe\xff"
    header[0x1E:0x20] = struct.pack("<H", 9)
    directory = bytearray()
    for name in ["Root Entry"] + stream_names:
        raw = (name + "\x00").encode("utf-16-le")
        entry_bytes = bytearray(128)
        entry_bytes[:len(raw)] = raw
        entry_bytes[64:66] = struct.pack("<H", len(raw))
        entry_bytes[66] = 5 if name == "Root Entry" else 2
        directory += entry_bytes
    path.write_bytes(bytes(header) + bytes(512) + bytes(directory) + os.urandom(2048))
    return path


BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
              for i in range(1, 10))
    + ']>\n')


def laughs(root: str) -> bytes:
    return (BILLION_LAUGHS + f'<{root} xmlns="{MAIN_NS}">&lol9;</{root}>').encode()


# -- the corpus -------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    name: str
    expect: str                 # a French fragment the refusal must hold
    sheet: str | None = None    # where the problem must be located, if in a sheet
    refused: bool = True        # False: read, with located errors in the cells


def _csv(path):
    path.write_text("Identifiant;DRM;Dotation historique\nSAMU-1;45 000;1 900 000\n", encoding="utf-8")


def _csv_utf16(path):
    path.write_bytes("Identifiant\tDRM\nSAMU-1\t45000\n".encode("utf-16"))


def _html(path):
    path.write_text("<html><body><table><tr><td>Identifiant</td><td>DRM</td></tr></table>"
                    "</body></html>", encoding="utf-8")


def _pdf(path):
    path.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")


def _xml2003(path):
    path.write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                    '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>',
                    encoding="utf-8")


def _ods(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")


def _docx(path):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")


def _truncated(fraction):
    def make(path):
        data = base_workbook(path.with_name("_t_" + path.name)).read_bytes()
        path.with_name("_t_" + path.name).unlink()
        path.write_bytes(data[:int(len(data) * fraction)])
    return make


def _corrupted(path):
    """Bytes of the compressed data overwritten: inflate or the CRC fails."""
    data = bytearray(base_workbook(path.with_name("_c_" + path.name)).read_bytes())
    path.with_name("_c_" + path.name).unlink()
    rnd = random.Random(5)
    for _ in range(40):
        at = rnd.randrange(200, len(data) // 2)
        data[at] ^= 0xFF
    path.write_bytes(bytes(data))


def _overlapping(path):
    parts = read_parts(base_workbook(path.with_name("_o_" + path.name)))
    path.with_name("_o_" + path.name).unlink()
    entries = [entry(name, data) for name, data in parts.items()]
    target = sheet_parts(parts)["CRRA"]
    index = [e.name for e in entries].index(target)
    # The quoted-overlap bomb: many names, one compressed stream.
    for i in range(300):
        entries.append(RawEntry(f"xl/worksheets/copie{i}.xml", b"", crc=entries[index].crc,
                                size=entries[index].size, offset=index))
    raw_zip(path, entries)


def _many_entries(path):
    parts = read_parts(base_workbook(path.with_name("_m_" + path.name)))
    path.with_name("_m_" + path.name).unlink()
    for i in range(6000):
        parts[f"xl/media/vide{i}.bin"] = b""
    write_parts(path, parts, level=1)


def _lying_crc(path):
    parts = read_parts(base_workbook(path.with_name("_l_" + path.name)))
    path.with_name("_l_" + path.name).unlink()
    target = sheet_parts(parts)["CRRA"]
    entries = []
    for name, data in parts.items():
        if name == target:
            bigger = data.replace(b"</sheetData>", b"<row/>" * 200_000 + b"</sheetData>")
            # Declares the small sheet's size and CRC, holds a much bigger one.
            entries.append(RawEntry(name, deflate(bigger), crc=zlib.crc32(data), size=len(data)))
        else:
            entries.append(entry(name, data))
    raw_zip(path, entries)


def _zip_flag(flag=0, method=8):
    def make(path):
        parts = read_parts(base_workbook(path.with_name("_f_" + path.name)))
        path.with_name("_f_" + path.name).unlink()
        entries = [entry(name, data) for name, data in parts.items()]
        entries[-1].flags |= flag
        if method != 8:
            entries[-1].method = method
        raw_zip(path, entries)
    return make


def _laughs_part(part_of, root):
    def make(path):
        parts = read_parts(base_workbook(path.with_name("_x_" + path.name)))
        path.with_name("_x_" + path.name).unlink()
        parts[part_of(parts)] = laughs(root)
        write_parts(path, parts)
    return make


def _laughs_utf16(path):
    parts = read_parts(base_workbook(path.with_name("_u_" + path.name)))
    path.with_name("_u_" + path.name).unlink()
    parts["xl/sharedStrings.xml"] = (BILLION_LAUGHS.replace('"1.0"?>', '"1.0" encoding="UTF-16"?>')
                                     + f'<sst xmlns="{MAIN_NS}"><si><t>&lol9;</t></si></sst>'
                                     ).encode("utf-16")
    write_parts(path, parts)


def _xxe(path):
    parts = read_parts(base_workbook(path.with_name("_e_" + path.name)))
    path.with_name("_e_" + path.name).unlink()
    parts["xl/sharedStrings.xml"] = (
        '<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        f'<sst xmlns="{MAIN_NS}"><si><t>&xxe;</t></si></sst>').encode()
    write_parts(path, parts)


def _million_rows(path, compact=True):
    """A million rows of one number each; compact rows stay under the size limit."""
    head = f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
    if compact:
        rows = "<row><c><v>1</v></c></row>" * 1_000_000
    else:
        rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>' for r in range(1, 1_000_001))
    xml = (head + rows + "</sheetData></worksheet>").encode()
    parts = read_parts(base_workbook(path.with_name("_r_" + path.name)))
    path.with_name("_r_" + path.name).unlink()
    parts[sheet_parts(parts)["CRRA"]] = xml
    write_parts(path, parts, level=1)


def _big_output(path):
    """An output sheet of 60 Mo without <dimension> (never read: openpyxl must not size it)."""
    head = f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
    rows = "".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c><c r="B{r}"><v>{r}.5</v></c></row>'
                   for r in range(1, 900_001))
    xml = (head + rows + "</sheetData></worksheet>").encode()
    parts = read_parts(base_workbook(path.with_name("_b_" + path.name)))
    path.with_name("_b_" + path.name).unlink()
    parts[sheet_parts(parts)["Résultats CRRA"]] = xml
    write_parts(path, parts, level=1)


def _last_excel_row(path):
    xml = sheet_xml(crra_rows())
    xml = xml.replace(b"</sheetData>", b'<row r="1048576"><c r="A1048576"><v>1</v></c></row>'
                      b"</sheetData>")
    _replace(path, "CRRA", xml)


def _beyond_excel(path):
    xml = sheet_xml(crra_rows()).replace(
        b"</sheetData>", b'<row r="99999999999"><c r="A99999999999"><v>1</v></c></row></sheetData>')
    _replace(path, "CRRA", xml)


def _sixteen_thousand_columns(path):
    def edit(rows):
        rows[2] = rows[2] + [float(i) for i in range(16_000 - len(rows[2]))]
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _xfd(path):
    xml = sheet_xml(crra_rows()).replace(b'</row><row r="3">',
                                         b'<c r="XFD2"><v>1</v></c></row><row r="3">')
    _replace(path, "CRRA", xml)


def _long_text(path):
    def edit(rows):
        rows[1][1] = "SAMU " + "x" * 100_000
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _many_strings(path):
    parts = read_parts(base_workbook(path.with_name("_s_" + path.name)))
    path.with_name("_s_" + path.name).unlink()
    sst = parts["xl/sharedStrings.xml"].decode()
    extra = "".join(f"<si><t>t{i}</t></si>" for i in range(250_000))
    parts["xl/sharedStrings.xml"] = sst.replace("</sst>", extra + "</sst>").encode()
    write_parts(path, parts, level=1)


def _inline_strings(path):
    def edit(rows):
        rows.extend([[f"t{i}", "x"] for i in range(60_000)])
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _styles(path):
    parts = read_parts(base_workbook(path.with_name("_y_" + path.name)))
    path.with_name("_y_" + path.name).unlink()
    styles = parts["xl/styles.xml"].decode()
    xf = '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    at = styles.index("</cellXfs>")
    parts["xl/styles.xml"] = (styles[:at] + xf * 120_000 + styles[at:]).encode()
    write_parts(path, parts, level=1)


def _many_sheets(path):
    parts = read_parts(base_workbook(path.with_name("_h_" + path.name)))
    path.with_name("_h_" + path.name).unlink()
    workbook = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    sheets, targets = [], []
    for i in range(300):
        sheets.append(f'<sheet name="Vide {i}" sheetId="{1000 + i}" r:id="rIdV{i}"/>')
        targets.append(f'<Relationship Id="rIdV{i}" Type="http://schemas.openxmlformats.org/'
                       f'officeDocument/2006/relationships/worksheet" Target="worksheets/v{i}.xml"/>')
        parts[f"xl/worksheets/v{i}.xml"] = sheet_xml([])
    parts["xl/workbook.xml"] = workbook.replace("</sheets>", "".join(sheets) + "</sheets>").encode()
    parts["xl/_rels/workbook.xml.rels"] = rels.replace(
        "</Relationships>", "".join(targets) + "</Relationships>").encode()
    write_parts(path, parts)


def _broken_xml(path):
    xml = sheet_xml(crra_rows())
    _replace(path, "CRRA", xml[:len(xml) // 2])


def _bad_number(path):
    def edit(rows):
        rows[2][6] = Raw('<c r="{ref}" t="n"><v>quarante</v></c>')
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _excel_errors(path):
    def edit(rows):
        rows[1][6] = Raw('<c r="{ref}" t="e"><v>#DIV/0!</v></c>')
        rows[2][0] = Raw('<c r="{ref}" t="e"><v>#N/A</v></c>')
        rows[3][8] = Raw('<c r="{ref}" t="e"><v>#REF!</v></c>')
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _errors_everywhere(path):
    """5 000 rows of #N/A in every column: detailed for the first cells, then counted."""
    letters = [column_letter(c) for c in range(11)]
    rows = "".join(f'<row r="{r}">' + "".join(f'<c r="{x}{r}" t="e"><v>#N/A</v></c>' for x in letters)
                   + "</row>" for r in range(6, 5006))
    xml = sheet_xml(crra_rows()).replace(b"</sheetData>", rows.encode() + b"</sheetData>")
    _replace(path, "CRRA", xml)


def _uncomputed(path):
    def edit(rows):
        rows[1][6] = Raw('<c r="{ref}"><f>SOMME(A1:A3)*2</f><v/></c>')
        rows[3][8] = Raw('<c r="{ref}"><f>1+1</f></c>')
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _dates(path):
    def edit(rows):
        rows[1][6] = Raw('<c r="{ref}" t="d"><v>2013-05-01T00:00:00</v></c>')
    _replace(path, "CRRA", sheet_xml(crra_rows(edit)))


def _rows_out_of_order(path):
    xml = sheet_xml(crra_rows()).decode()
    rows = re.findall(r'<row r="\d+">.*?</row>', xml)
    _replace(path, "CRRA", xml.replace("".join(rows), "".join([rows[0], rows[3], rows[1], rows[4], rows[2]])
                                       ).encode())


def _negative_row(path):
    _replace(path, "CRRA", sheet_xml(crra_rows()).replace(b'<row r="3">', b'<row r="-3">'))


def _repeated_cell(path):
    _replace(path, "CRRA", sheet_xml(crra_rows()).replace(
        b'<c r="G2"><v>45000</v></c>', b'<c r="G2"><v>45000</v></c><c r="G2"><v>7</v></c>'))


def _cell_in_wrong_row(path):
    _replace(path, "CRRA", sheet_xml(crra_rows()).replace(b'<c r="G2">', b'<c r="A0">'))


def _cell(xml):
    def make(path):
        def edit(rows):
            rows[1][6] = Raw(xml)
        _replace(path, "CRRA", sheet_xml(crra_rows(edit)))
    return make


def _date_out_of_range(path):
    parts = read_parts(base_workbook(path.with_name("_d_" + path.name)))
    path.with_name("_d_" + path.name).unlink()
    styles = parts["xl/styles.xml"].decode()
    at = styles.index("</cellXfs>")
    index = styles[styles.index("<cellXfs"):at].count("<xf ")
    parts["xl/styles.xml"] = (styles[:at] + '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" '
                              'applyNumberFormat="1"/>' + styles[at:]).encode()

    def edit(rows):
        rows[1][6] = Raw(f'<c r="{{ref}}" s="{index}"><v>1e12</v></c>')
    parts[sheet_parts(parts)["CRRA"]] = sheet_xml(crra_rows(edit))
    write_parts(path, parts)


def _unknown_encoding(path):
    _replace(path, "CRRA", sheet_xml(crra_rows()).replace(b'encoding="UTF-8"', b'encoding="x-klingon"'))


def _sheet_target(target, external=False):
    """The CRRA sheet's relationship pointing elsewhere: a missing part, outside the archive."""
    def make(path):
        parts = read_parts(base_workbook(path.with_name("_g_" + path.name)))
        path.with_name("_g_" + path.name).unlink()
        part = sheet_parts(parts)["CRRA"]
        rels = parts["xl/_rels/workbook.xml.rels"].decode()
        rels = re.sub(f'Target="/?{re.escape(part.removeprefix("xl/"))}"|Target="/{re.escape(part)}"',
                      f'Target="{target}"' + (' TargetMode="External"' if external else ""), rels)
        parts["xl/_rels/workbook.xml.rels"] = rels.encode()
        write_parts(path, parts)
    return make


def _strict(path):
    parts = read_parts(base_workbook(path.with_name("_k_" + path.name)))
    path.with_name("_k_" + path.name).unlink()
    for name in parts:
        if name.endswith((".xml", ".rels")) and name != "[Content_Types].xml":
            parts[name] = (parts[name].replace(MAIN_NS.encode(), b"http://purl.oclc.org/ooxml/spreadsheetml/main")
                           .replace(b"http://schemas.openxmlformats.org/officeDocument/2006/relationships",
                                    b"http://purl.oclc.org/ooxml/officeDocument/relationships"))
    write_parts(path, parts)


def _zip_of_xlsx(path):
    inner = base_workbook(path.with_name("_z_" + path.name))
    with zipfile.ZipFile(path, "w") as z:
        z.write(inner, "scénario.xlsx")
    inner.unlink()


def _replace(path: Path, title: str, xml: bytes) -> None:
    parts = read_parts(base_workbook(path.with_name("_p_" + path.name)))
    path.with_name("_p_" + path.name).unlink()
    parts[sheet_parts(parts)[title]] = xml
    write_parts(path, parts)


def _bomb(title, megabytes, lie=None):
    def make(path):
        bomb_sheet(path.parent, path.name, title, megabytes, lie)
    return make


CORPUS: list[tuple[Case, object]] = [
    (Case("hasard.xlsx", "n'est pas un classeur Excel"), lambda p: p.write_bytes(random.Random(1).randbytes(65536))),
    (Case("hasard_pk.xlsx", "endommagé"), lambda p: p.write_bytes(b"PK\x03\x04" + random.Random(2).randbytes(65536))),
    (Case("vide.xlsx", "vide"), lambda p: p.write_bytes(b"")),
    (Case("tronque_debut.xlsx", "endommagé"), _truncated(0.02)),
    (Case("tronque_milieu.xlsx", "endommagé"), _truncated(0.5)),
    (Case("tronque_fin.xlsx", "endommagé"), _truncated(0.999)),
    (Case("octets_abimes.xlsx", "endommagé"), _corrupted),
    (Case("csv_renomme.xlsx", "CSV"), _csv),
    (Case("csv_utf16.xlsx", "CSV"), _csv_utf16),
    (Case("page_web.xlsx", "page web"), _html),
    (Case("document.xlsx", "PDF"), _pdf),
    (Case("xml_2003.xlsx", "XML 2003"), _xml2003),
    (Case("ancien_97.xlsx", "97-2003"), lambda p: ole_file(p, ["Workbook", "\x05SummaryInformation"])),
    (Case("mot_de_passe.xlsx", "mot de passe"), lambda p: ole_file(
        p, ["\x06DataSpaces", "EncryptionInfo", "EncryptedPackage"])),
    (Case("libreoffice.xlsx", "OpenDocument"), _ods),
    (Case("word.xlsx", "document Word"), _docx),
    (Case("bombe.xlsx", "bombe de décompression"), _bomb("CRRA", 1100)),
    (Case("bombe_sortie.xlsx", "bombe de décompression"), _bomb("Résultats CRRA", 300)),
    (Case("bombe_menteuse.xlsx", "endommagé"), _bomb("CRRA", 300, lie=900_000)),
    (Case("taille_menteuse.xlsx", "endommagé"), _lying_crc),
    (Case("chevauchement.xlsx", "chevauchent"), _overlapping),
    (Case("entrees.xlsx", "parties"), _many_entries),
    (Case("zip_chiffre.xlsx", "chiffrées"), _zip_flag(flag=0x1)),
    (Case("compression.xlsx", "méthode de compression"), _zip_flag(method=99)),
    (Case("laughs_textes.xlsx", "entités XML"), _laughs_part(lambda p: "xl/sharedStrings.xml", "sst")),
    (Case("laughs_classeur.xlsx", "entités XML"), _laughs_part(lambda p: "xl/workbook.xml", "workbook")),
    (Case("laughs_feuille.xlsx", "entités XML"), _laughs_part(lambda p: sheet_parts(p)["CRRA"], "worksheet")),
    (Case("laughs_sortie.xlsx", "entités XML"), _laughs_part(
        lambda p: sheet_parts(p)["Résultats CRRA"], "worksheet")),
    (Case("laughs_types.xlsx", "entités XML"), _laughs_part(lambda p: "[Content_Types].xml", "Types")),
    (Case("laughs_utf16.xlsx", "entités XML"), _laughs_utf16),
    (Case("xxe.xlsx", "entités XML"), _xxe),
    (Case("million_lignes.xlsx", "cellules", "CRRA"), _million_rows),
    (Case("million_lignes_longues.xlsx", "feuille « CRRA »"), lambda p: _million_rows(p, False)),
    (Case("ligne_1048576.xlsx", "au-delà de la ligne", "CRRA"), _last_excel_row),
    (Case("ligne_hors_excel.xlsx", "maximum d'Excel", "CRRA"), _beyond_excel),
    (Case("16000_colonnes.xlsx", "colonne", "CRRA"), _sixteen_thousand_columns),
    (Case("colonne_XFD.xlsx", "colonne XFD", "CRRA"), _xfd),
    (Case("texte_long.xlsx", "caractères", "CRRA"), _long_text),
    (Case("textes_partages.xlsx", "textes"), _many_strings),
    (Case("textes_en_ligne.xlsx", "en ligne", "CRRA"), _inline_strings),
    (Case("styles.xlsx", "styles.xml"), _styles),
    (Case("feuilles.xlsx", "feuilles"), _many_sheets),
    (Case("xml_casse.xlsx", "illisible", "CRRA"), _broken_xml),
    (Case("nombre_faux.xlsx", "illisible", "CRRA"), _bad_number),
    (Case("erreurs_excel.xlsx", "#DIV/0!", "CRRA", refused=False), _excel_errors),
    (Case("erreurs_en_masse.xlsx", "autre(s) cellule(s)", "CRRA", refused=False), _errors_everywhere),
    (Case("formules_non_calculees.xlsx", "formule", "CRRA", refused=False), _uncomputed),
    (Case("date_au_lieu_de_nombre.xlsx", "date", "CRRA", refused=False), _dates),
    # Rows and cells openpyxl would silently drop or overwrite, or fail on in English.
    (Case("lignes_desordre.xlsx", "dans l'ordre", "CRRA"), _rows_out_of_order),
    (Case("ligne_negative.xlsx", "numéro de ligne", "CRRA"), _negative_row),
    (Case("cellule_en_double.xlsx", "deux fois", "CRRA"), _repeated_cell),
    (Case("reference_A0.xlsx", "incohérente", "CRRA"), _cell_in_wrong_row),
    (Case("index_texte_invalide.xlsx", "textes du classeur", "CRRA"),
     _cell('<c r="{ref}" t="s"><v>1.5</v></c>')),
    (Case("nombre_nan.xlsx", "« NaN » n'est pas un nombre valide", "CRRA"), _cell('<c r="{ref}"><v>NaN</v></c>')),
    (Case("nombre_5000_chiffres.xlsx", "n'est pas un nombre valide", "CRRA"),
     _cell('<c r="{ref}"><v>' + "9" * 5000 + "</v></c>")),
    (Case("date_invalide.xlsx", "date valide", "CRRA"), _cell('<c r="{ref}" t="d"><v>2013-13-45</v></c>')),
    (Case("date_hors_limites.xlsx", "hors des dates", "CRRA"), _date_out_of_range),
    (Case("encodage_inconnu.xlsx", "encodage de caractères inconnu", "CRRA"), _unknown_encoding),
    # Sheets declared in the workbook whose content is elsewhere.
    (Case("feuille_partie_absente.xlsx", "absent de l'archive", "CRRA"), _sheet_target("worksheets/absente.xml")),
    (Case("feuille_hors_archive.xlsx", "hors du fichier", "CRRA"), _sheet_target("../../etc/passwd")),
    (Case("feuille_url.xlsx", "hors du fichier", "CRRA"), _sheet_target("http://exemple.invalid/crra.xml", True)),
    (Case("ooxml_strict.xlsx", "Open XML Strict"), _strict),
    (Case("xlsx_dans_zip.xlsx", "Extrayez-le"), _zip_of_xlsx),
]


def build_corpus(folder: Path) -> list[tuple[Case, Path]]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for case, make in CORPUS:
        path = folder / case.name
        make(path)
        out.append((case, path))
    return out
