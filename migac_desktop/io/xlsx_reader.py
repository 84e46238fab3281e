"""The few parts of an .xlsx package the scenario reader needs, read leniently.

openpyxl's ``load_workbook`` parses the whole package: the workbook's every
attribute, the document properties, the complete stylesheet with each named
style, and in each sheet whatever follows the cells (merges, conditional
formats, data validation…). Each of these refused files that Excel and
LibreOffice open (a whole-column merge ``M:M``, an empty ``<fill/>``, a date
padded with blanks in ``docProps/core.xml``, ``<sheet state="show">``), a
template with 50 000 named styles took seconds, and its stylesheet reader
prints on standard output. The scenario needs none of it. Read here: the
sheets' names and parts, the date system, the shared strings, which cell
formats are dates, and each sheet's rows up to the end of ``<sheetData>``.
The cells themselves are still parsed by openpyxl's ``WorkSheetParser``
(:mod:`.cell_parser`), so the checks of :func:`.cell_parser.checked_cells`
apply unchanged.

Part names are matched ignoring case, as the package format (OPC) says:
``xl/SharedStrings.xml`` is the ``sharedStrings.xml`` its relationship names.
A shared-strings table or stylesheet that is named but absent reads as empty,
as LibreOffice does. Every XML part is parsed with DTDs forbidden: the small
ones through defusedxml, the large ones (shared strings, stylesheet, sheets)
by the C parser once their prolog is known to hold no DTD. A part that cannot
be parsed raises :class:`PartError`, which names it.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from . import limits

__all__ = ["Package", "PartError", "SheetRef", "TooManyFormats", "WorkbookInfo", "read_date_styles", "read_strings",
           "read_workbook", "sheet_rows"]

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = f"{{{MAIN_NS}}}row"
_SHEET_DATA = f"{{{MAIN_NS}}}sheetData"
WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
STYLES_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"


class PartError(Exception):
    """A part of the package could not be read; ``part`` names it, ``cause`` says why."""

    def __init__(self, part: str, cause: BaseException):
        super().__init__(f"{part}: {cause!r}")
        self.part = part
        self.cause = cause


class TooManyFormats(Exception):
    """The stylesheet declares more cell formats than any spreadsheet program writes."""

    def __init__(self, part: str, limit: int):
        super().__init__(part)
        self.part = part
        self.limit = limit


def local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


class Package:
    """The archive's part names, found exactly or else ignoring case."""

    def __init__(self, archive: zipfile.ZipFile):
        self.archive = archive
        self.exact: set[str] = set()
        self.folded: dict[str, str] = {}
        for info in archive.infolist():
            self.exact.add(info.filename)
            self.folded.setdefault(info.filename.lower(), info.filename)

    def find(self, part: str | None) -> str | None:
        if not part:
            return None
        part = posixpath.normpath(part.lstrip("/"))
        if part in self.exact:
            return part
        return self.folded.get(part.lower())

    def xml(self, part: str):
        from defusedxml.ElementTree import fromstring

        try:
            return fromstring(self.archive.read(part), forbid_dtd=True)
        except Exception as exc:  # noqa: BLE001 - named by the caller
            raise PartError(part, exc) from None

    def relationships(self, part: str) -> dict[str, tuple[str, str | None, str]]:
        """Id → (type, part or None when outside the archive, target as written)."""
        folder, base = posixpath.split(part)
        rels = self.find(posixpath.join(folder, "_rels", base + ".rels"))
        out: dict[str, tuple[str, str | None, str]] = {}
        if rels is None:
            return out
        for el in self.xml(rels).iter():
            if local(el.tag) == "Relationship":
                target = el.get("Target", "")
                out[el.get("Id", "")] = (el.get("Type", ""), resolve_target(folder, target, el.get("TargetMode")),
                                         target)
        return out

    def content_types(self) -> list[tuple[str, str]]:
        """(part, content type) of each Override of ``[Content_Types].xml``."""
        found = self.find("[Content_Types].xml")
        if found is None:
            return []
        return [(posixpath.normpath(el.get("PartName", "").lstrip("/")), el.get("ContentType", ""))
                for el in self.xml(found).iter() if local(el.tag) == "Override"]


PROLOG_BYTES = limits.PROLOG_BYTES
CHUNK = 256 * 1024


def prolog_text(head: bytes) -> str:
    """The first bytes of an XML part as text, in UTF-16 when a byte-order mark or the
    first ``<`` says so, else byte for byte (enough to find ``<!DOCTYPE`` and the root)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head[:len(head) // 2 * 2].decode("utf-16", "ignore")
    if head.startswith(b"<\x00"):
        return head[:len(head) // 2 * 2].decode("utf-16-le", "ignore")
    if head.startswith(b"\x00<"):
        return head[:len(head) // 2 * 2].decode("utf-16-be", "ignore")
    return head.decode("latin-1")


def _prolog_has_dtd(head: bytes) -> bool:
    """True when a ``<!DOCTYPE`` (or any ``<!`` but a comment) comes before the root element.

    Entities can only be declared in a DTD, and a DTD only before the root:
    a prolog without one makes the whole part entity-free, so it can be parsed
    by the C parser, several times faster than defusedxml's pure-Python one.
    A prolog longer than ``PROLOG_BYTES`` counts as a DTD (refused).
    """
    text = prolog_text(head)
    at = 0
    while True:
        lt = text.find("<", at)
        if lt < 0:
            return len(head) >= PROLOG_BYTES
        if text.startswith("<?", lt):
            end = text.find("?>", lt)
        elif text.startswith("<!--", lt):
            end = text.find("-->", lt)
        elif text.startswith("<!", lt):
            return True
        else:
            return False
        if end < 0:
            return len(head) >= PROLOG_BYTES
        at = end + 2


def _events(fh, events=("end",)):
    """``iterparse`` with the C parser, once the prolog is known to declare no DTD."""
    from xml.etree.ElementTree import XMLPullParser

    from defusedxml import DTDForbidden

    head = fh.read(PROLOG_BYTES)
    if _prolog_has_dtd(head):
        raise DTDForbidden(None, None, None)
    parser = XMLPullParser(events)
    data = head
    while data:
        parser.feed(data)
        yield from parser.read_events()
        data = fh.read(CHUNK)
    parser.close()
    yield from parser.read_events()


def resolve_target(folder: str, target: str, mode: str | None = None) -> str | None:
    """The part a relationship's target names, or None when it points outside the archive."""
    if mode == "External" or "://" in target or "\\" in target:
        return None
    if target.startswith("/"):
        part = posixpath.normpath(target.lstrip("/"))
    else:
        part = posixpath.normpath(posixpath.join(folder, target))
    if part == ".." or part.startswith("../"):
        return None
    return part


@dataclass
class SheetRef:
    title: str
    kind: str                 # the relationship type's last word: worksheet, chartsheet…
    part: str | None          # as found in the archive (any case), None when absent
    target: str               # as the relationship writes it ("" if none)
    outside: bool = False     # the relationship points outside the archive


@dataclass
class WorkbookInfo:
    part: str
    sheets: list[SheetRef] = field(default_factory=list)
    date1904: bool = False
    strings: str | None = None     # found in the archive, or None (an empty table)
    styles: str | None = None


def workbook_part(pkg: Package) -> str | None:
    """The workbook part: from the content types, the package's relationships, or its usual name."""
    for part, kind in pkg.content_types():
        found = pkg.find(part) if kind in WORKBOOK_TYPES else None
        if found:
            return found
    for kind, target, _ in pkg.relationships("").values() if pkg.find("_rels/.rels") else ():
        if kind.endswith("/officeDocument") and pkg.find(target):
            return pkg.find(target)
    return pkg.find("xl/workbook.xml")


def read_workbook(pkg: Package, part: str, root=None) -> WorkbookInfo:
    """Sheets in workbook order, date system, strings and styles parts; nothing else is looked at."""
    root = pkg.xml(part) if root is None else root
    info = WorkbookInfo(part)
    rels = pkg.relationships(part)
    for el in root.iter():
        name = local(el.tag)
        if name == "workbookPr":
            info.date1904 = el.get("date1904", "").strip().lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
            kind, target_part, target = rels.get(rid or "", ("", None, ""))
            info.sheets.append(SheetRef(el.get("name", ""), kind.rsplit("/", 1)[-1], pkg.find(target_part),
                                        target, outside=bool(target) and target_part is None))
    types = dict((p.lower(), k) for p, k in pkg.content_types())
    for kind, target_part, _ in rels.values():
        if kind.endswith("/sharedStrings") and info.strings is None:
            info.strings = pkg.find(target_part)
        elif kind.endswith("/styles") and info.styles is None:
            info.styles = pkg.find(target_part)
    for attr, wanted, usual in (("strings", STRINGS_TYPE, "xl/sharedStrings.xml"),
                                ("styles", STYLES_TYPE, "xl/styles.xml")):
        if getattr(info, attr) is None:
            declared = next((p for p, k in types.items() if k == wanted and pkg.find(p)), None)
            setattr(info, attr, pkg.find(declared) if declared else pkg.find(usual))
    return info


def read_strings(pkg: Package, part: str | None) -> list[str]:
    """The shared strings as plain text (runs joined, phonetic guides left out)."""
    if part is None:
        return []
    strings: list[str] = []
    append = strings.append
    try:
        with pkg.archive.open(part) as fh:
            for _, el in _events(fh):
                if local(el.tag) != "si":
                    continue
                pieces = []
                for child in el:
                    name = local(child.tag)
                    if name == "t":
                        pieces.append(child.text or "")
                    elif name == "r":
                        pieces.extend(t.text or "" for t in child if local(t.tag) == "t")
                append("".join(pieces).replace("x005F_", ""))   # as openpyxl reads it
                el.clear()
    except Exception as exc:  # noqa: BLE001 - named by the caller
        raise PartError(part, exc) from None
    return strings


def read_date_styles(pkg: Package, part: str | None, limit: int | None = None) -> tuple[set[int], set[int]]:
    """Indexes of the cell formats (``cellXfs``) that show dates, and those that show durations.

    Only ``numFmts`` and ``cellXfs`` are looked at: fonts, fills, colours, named
    styles (the 50 000 of a style explosion) are skipped unparsed, whatever they hold.
    """
    if part is None:
        return set(), set()
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

    custom: dict[int, str] = {}
    formats: list[int | None] = []
    inside = None
    try:
        with pkg.archive.open(part) as fh:
            for event, el in _events(fh, ("start", "end")):
                name = local(el.tag)
                if event == "start":
                    if name in ("numFmts", "cellXfs") and inside is None:
                        inside = name
                    continue
                if inside == "numFmts" and name == "numFmt":
                    number = _integer(el.get("numFmtId"))
                    if number is not None:
                        custom[number] = el.get("formatCode") or ""
                elif inside == "cellXfs" and name == "xf":
                    formats.append(_integer(el.get("numFmtId", "0")))
                    if limit is not None and len(formats) > limit:
                        raise TooManyFormats(part, limit)
                if name == inside:
                    inside = None
                    if name == "cellXfs":
                        break       # the number formats come first: the named styles are never parsed
                if inside is None or name == "xf":
                    el.clear()
    except TooManyFormats:
        raise
    except Exception as exc:  # noqa: BLE001 - named by the caller
        raise PartError(part, exc) from None
    dates, durations = set(), set()
    for index, number in enumerate(formats):
        code = custom.get(number) if number in custom else BUILTIN_FORMATS.get(number)
        if code and is_date_format(code):
            dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
    return dates, durations


def _integer(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def sheet_rows(pkg: Package, part: str, strings: list[str], dates: set[int], durations: set[int],
               date1904: bool = False) -> Iterator[tuple]:
    """The sheet's rows as tuples of values, row 1 first, missing rows as ``()``.

    What ``ReadOnlyWorksheet.iter_rows(values_only=True)`` yields with its
    dimensions reset, but the parsing stops at the end of ``<sheetData>``:
    nothing after the cells is ever read.
    """
    from .cell_parser import new_parser

    with pkg.archive.open(part) as fh:
        parser = new_parser(fh, strings, dates, durations, date1904)
        counter = 1
        for _, el in _events(fh):
            tag = el.tag
            if tag == _ROW:
                index, cells = parser.parse_row(el)
                el.clear()
                while counter < index:
                    counter += 1
                    yield ()
                if counter <= index:
                    counter += 1
                    if not cells:
                        yield ()
                        continue
                    row = [None] * max(c["column"] for c in cells)
                    for c in cells:
                        if c["column"] >= 1:
                            row[c["column"] - 1] = c["value"]
                    yield tuple(row)
            elif tag == _SHEET_DATA:
                return
