"""Data safety: every file is possibly broken or hostile.

Two things live here, both without Qt:

* **Pre-flight checks** on a workbook before openpyxl parses it
  (:func:`not_a_workbook`, :func:`check_file`) and bounds while its sheets are
  read (:class:`ReadLimits`). A file is refused with a French message that says
  where and what to do, quickly and within bounded memory, when it is not a
  workbook at all (CSV, HTML, PDF, old ``.xls``, password-protected workbook,
  OpenDocument…), when it is a damaged ZIP, a zip bomb, or declares XML
  entities, or when its sheets are far larger than any scenario.
* **Lock files** of the programs that may hold a scenario open
  (:func:`lock_owner`): Excel's ``~$name.xlsx`` and LibreOffice's
  ``.~lock.name.xlsx#``, so that the window warns before saving over them.

The limits, documented in the README (« Sécurité des données »):

======================================================  ============
file size on disk                                        100 Mo
entries in the ZIP archive                               5 000
size of the ZIP central directory                        2 Mo
declared uncompressed size, all entries                  1 Go
compression ratio of an entry larger than 1 Mo           200
uncompressed size of a sheet read or of the strings      50 Mo each
uncompressed size of the sheets read and the strings     100 Mo
uncompressed size of the stylesheet (streamed)           20 Mo
cell formats in the stylesheet                           65 000 (Excel's own limit: 64 000)
uncompressed size of any other part                      5 Mo (XML) / 50 Mo
uncompressed size of all other XML parts                 10 Mo
sheets in the workbook                                   200
rows holding data in a sheet read                        200 000
columns holding data in a sheet read                     256
cells in the sheets read                                 300 000
shared strings                                           150 000
cells holding inline text                                100 000
characters in a cell                                     32 767 (Excel's own limit)
XML DTD or entity declaration                            refused
======================================================  ============

The sheets read are the input sheets and any extra sheet (kept and written
back); the output sheets (``Résultats CRRA``…) are never decompressed, only
their declared sizes are checked. The limits are the input sheets': an extra
sheet (notes, a pivot of the modeller's own) that would pass one of them is
not read and not kept, with a warning that names it (:attr:`Plan.dropped`),
never a refusal of the scenario; a DTD, a lying ZIP header or damaged data
in it still refuse the file, which is then no ordinary workbook.

Sizes are checked twice: as declared in the ZIP directory, then as actually
decompressed, by streaming each part in 1 Mo chunks (zipfile itself stops at the declared size and checks the CRC, so a
lying header ends as a damaged file, never as a flood). The bounds on cells and
strings keep the worst accepted file to a few seconds of reading.

The reader (:mod:`.xlsx_reader`) parses every part through defusedxml, DTDs
forbidden: a second line of defence behind the DTD refusal here. Part names
are matched ignoring case, here as in the reader.
"""

from __future__ import annotations

import posixpath
import re
import struct
import threading
import zipfile
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..core.numbers import format_number
from ..core.validation import ERROR, Problem
from ..oserrors import os_reason
from .headers import column_letter
from .xlsx_reader import prolog_text

__all__ = [
    "FileLock", "Plan", "ReadLimits", "SheetDropped", "UnsafeFile", "check_file", "checked_cells", "describe_error",
    "lock_owner", "not_a_workbook",
]

KB = 1024
MB = 1024 * KB
GB = 1024 * MB

MAX_FILE_BYTES = 100 * MB
MAX_ENTRIES = 5_000
MAX_DIRECTORY_BYTES = 2 * MB
MAX_DECLARED_TOTAL = 1 * GB
MAX_RATIO = 200
RATIO_FLOOR = 1 * MB            # the ratio is only checked above this size
MAX_SHEET_BYTES = 50 * MB       # each sheet read, and the shared strings
MAX_READ_BYTES = 100 * MB       # the sheets read and the shared strings together
MAX_STYLES_BYTES = 20 * MB      # the stylesheet: streamed, only its number formats kept
MAX_CELL_FORMATS = 65_000       # cellXfs (Excel stops at 64 000)
MAX_XML_PART_BYTES = 5 * MB     # any other XML part (workbook, relations, drawings…)
MAX_XML_TOTAL = 10 * MB         # all those parts together
MAX_BINARY_PART_BYTES = 50 * MB  # images and other binary parts (never parsed)
MAX_SHEETS = 200
MAX_ROWS = 200_000
EXCEL_MAX_ROWS = 1_048_576
MAX_COLUMNS = 256
EXCEL_MAX_COLUMNS = 16_384      # an extra sheet may be that wide (it is only kept)
MAX_CELLS = 300_000
MAX_SLOTS = 5_000_000           # row width × rows as read, blanks included
MAX_SHARED_STRINGS = 150_000
MAX_INLINE_STRINGS = 100_000    # cells holding their text inline (four times slower to parse)
MAX_CELL_TEXT = 32_767
CHUNK = 1 * MB
PROLOG_BYTES = 64 * KB

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_SAVE_AS_XLSX = "Enregistrez-le au format .xlsx depuis Excel ou LibreOffice."
_PROVENANCE = ("Ce n'est pas un classeur ordinaire : ne l'ouvrez pas ailleurs non plus et "
               "vérifiez sa provenance.")

_WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


class UnsafeFile(Exception):
    """The file is refused; ``problems`` says why and where, in French."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class _OverLimit(UnsafeFile):
    """A sheet passes a size or count limit: refused for an input sheet, dropped for an extra one."""


class SheetDropped(Exception):
    """An extra sheet cannot be read within the limits: not kept, said as a warning."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


def _refuse(message: str, sheet: str | None = None, row: int | None = None,
            column: str | None = None):
    raise UnsafeFile([Problem(ERROR, message, sheet, row, column)])


def _over(message: str, sheet: str | None = None, row: int | None = None):
    raise _OverLimit([Problem(ERROR, message, sheet, row)])


def _size(n: int) -> str:
    """French size: ``1,5 Mo``, ``820 ko``, ``3,2 Go``."""
    if n >= GB:
        return f"{format_number(n / GB, 1)} Go"
    if n >= MB:
        return f"{format_number(n / MB, 1)} Mo"
    return f"{format_number(max(n / KB, 1), 0)} ko"


def _count(n: int) -> str:
    return format_number(n, 0)


def _damaged(name: str, detail: str) -> str:
    return (f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : le fichier est "
            f"endommagé ou incomplet ({detail}). Reprenez une copie intacte (sauvegarde, message "
            "d'origine) ou, s'il s'ouvre dans Excel ou LibreOffice, enregistrez-le de nouveau "
            "au format .xlsx.")


def _unsafe(name: str, reason: str, advice: str = _PROVENANCE) -> str:
    return f"Le fichier « {name} » est refusé par sécurité : {reason}. {advice}"


# -- what a file is, when it is not a ZIP -------------------------------------

def not_a_workbook(path: Path, name: str, head: bytes) -> str:
    """The French reason why a non-ZIP file is not a workbook, with what to do."""
    prefix = f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : "
    if head.startswith(_OLE_MAGIC):
        kind = _ole_kind(path)
        if kind == "encrypted":
            return (prefix + "c'est un classeur protégé par mot de passe. Ouvrez-le dans Excel, "
                    "retirez le mot de passe (Fichier > Informations > Protéger le classeur > "
                    "Chiffrer avec mot de passe, champ vide) et enregistrez-le ; ou, dans "
                    "LibreOffice, Fichier > Enregistrer sous, sans cocher « Enregistrer avec mot "
                    "de passe ».")
        if kind == "xls":
            return (prefix + "c'est un classeur Excel 97-2003 (.xls), un format ancien. "
                    + _SAVE_AS_XLSX)
        return (prefix + "c'est un classeur protégé par mot de passe ou un ancien classeur Excel "
                "97-2003 (.xls), ou un autre document Office ancien. Retirez le mot de passe s'il y "
                "en a un, puis " + _SAVE_AS_XLSX[0].lower() + _SAVE_AS_XLSX[1:])
    text = _sniff_text(head)
    low = text.lower().lstrip("\ufeff \t\r\n")
    if head.startswith(b"%PDF"):
        reason = "c'est un document PDF"
        advice = "Ouvrez le scénario d'origine (.xlsx) plutôt que son impression."
        return f"{prefix}{reason}. {advice}"
    if low.startswith(("<!doctype html", "<html")) or "<html" in low[:2048] or (
            "<table" in low[:4096] and low.startswith("<")):
        return (prefix + "c'est une page web (HTML) renommée en .xlsx, comme en produisent "
                "certains exports de sites. Ouvrez-la dans Excel ou LibreOffice puis "
                + _SAVE_AS_XLSX[0].lower() + _SAVE_AS_XLSX[1:])
    if low.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in low[:8192]:
        return (prefix + "c'est un classeur « XML 2003 » d'Excel, un format ancien. "
                + _SAVE_AS_XLSX)
    if low.startswith("{\\rtf"):
        return prefix + "c'est un document RTF (traitement de texte). " + _SAVE_AS_XLSX
    if text and _looks_like_text(head):
        sep = max((";", ",", "\t"), key=lambda s: text.count(s))
        shown = {";": "points-virgules", ",": "virgules", "\t": "tabulations"}[sep]
        if text.count(sep) >= 1:
            return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou "
                    f"autre format renommé en .xlsx ; valeurs séparées par des {shown}). "
                    "Ouvrez-le dans Excel ou LibreOffice puis "
                    + _SAVE_AS_XLSX[0].lower() + _SAVE_AS_XLSX[1:])
        return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou autre "
                "format renommé en .xlsx). " + _SAVE_AS_XLSX)
    return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou autre "
            "format renommé en .xlsx, ou données sans format reconnu). " + _SAVE_AS_XLSX)


def _sniff_text(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", "ignore")
    return head.decode("utf-8", "ignore")


def _looks_like_text(head: bytes) -> bool:
    sample = head[:4096]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 13))
    return controls <= len(sample) // 100


def _ole_kind(path: Path) -> str:
    """``encrypted`` (an OOXML file protected by a password), ``xls`` or ``other``.

    The stream names of a compound file are in its directory sectors, UTF-16:
    ``EncryptedPackage`` for a password-protected workbook, ``Workbook`` or
    ``Book`` for an Excel 97-2003 one. They are searched in chunks, the file
    size being already bounded.
    """
    encrypted = "EncryptedPackage".encode("utf-16-le")
    workbook = "Workbook".encode("utf-16-le")
    book = "Book\x00".encode("utf-16-le")
    found = set()
    tail = b""
    try:
        with open(path, "rb") as fh:
            read = 0
            while read < MAX_FILE_BYTES:
                chunk = fh.read(CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                data = tail + chunk
                if encrypted in data:
                    return "encrypted"
                if workbook in data or book in data:
                    found.add("xls")
                tail = data[-64:]
    except OSError:
        return "other"
    return "xls" if found else "other"


def _apple_kind(names) -> str | None:
    """What an iWork document is, from its parts (``Index/*.iwa``, or ``index.xml`` of iWork '09)."""
    lowered = {n.lower() for n in names}
    iwork = (any(n.startswith("index/") and n.endswith(".iwa") for n in lowered) or "index.zip" in lowered
             or (("index.xml" in lowered or "index.xml.gz" in lowered)
                 and any(n.startswith("quicklook/") for n in lowered)))
    if not iwork:
        return None
    if any(n.startswith("index/slide") for n in lowered):
        return ("c'est une présentation Keynote (Apple), pas un classeur. Choisissez le fichier .xlsx du "
                "scénario.")
    if any("calculationengine" in n or n.startswith("index/tables/") for n in lowered) or (
            "index.xml" in lowered or "index.xml.gz" in lowered):
        return ("c'est un document Numbers (Apple) : exportez-le en .xlsx depuis Numbers (Fichier > "
                "Exporter vers > Excel…), puis ouvrez le fichier exporté.")
    return ("c'est un document Apple (Numbers, Pages ou Keynote) : s'il s'agit d'un tableau Numbers, "
            "exportez-le en .xlsx depuis Numbers (Fichier > Exporter vers > Excel…), puis ouvrez le fichier "
            "exporté.")


# -- the ZIP directory ----------------------------------------------------------

def _end_of_directory(fh, file_size: int, name: str) -> tuple[int, int]:
    """(entries, central directory size) from the end record, before zipfile parses it."""
    window = min(file_size, 22 + 65_535 + 20)
    fh.seek(file_size - window)
    data = fh.read(window)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        _refuse(_damaged(name, "la fin de l'archive ZIP est introuvable : fichier tronqué, par "
                               "exemple par un téléchargement ou une copie interrompus"))
    (_, _, _, _, entries, cd_size, _, _) = struct.unpack("<4s4H2LH", data[at:at + 22])
    if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
        # ZIP64: the locator sits just before the end record.
        loc = at - 20
        if loc >= 0 and data[loc:loc + 4] == b"PK\x06\x07":
            offset = struct.unpack("<Q", data[loc + 8:loc + 16])[0]
            if 0 <= offset <= file_size - 56:
                fh.seek(offset)
                record = fh.read(56)
                if record[:4] == b"PK\x06\x06":
                    entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


_EXPLANATIONS = (
    # (exception type name, words of its English message, French explanation)
    ("BadZipFile", "Bad CRC-32", "somme de contrôle incorrecte : le contenu ne correspond pas "
                                 "à ce qu'annonce l'archive"),
    ("BadZipFile", "differ", "en-têtes de l'archive incohérents"),
    ("BadZipFile", "Bad magic number", "en-tête de partie introuvable"),
    ("BadZipFile", "Truncated", "archive tronquée"),
    ("BadZipFile", "not a zip file", "ce n'est pas une archive ZIP valide"),
    ("BadZipFile", "Overlapped", "parties de l'archive qui se chevauchent"),
    ("BadZipFile", "", "archive ZIP invalide"),
    ("error", "decompressing", "données compressées invalides"),
    ("EOFError", "", "fin des données compressées prématurée"),
    ("ParseError", "", "XML invalide"),
    ("DTDForbidden", "", "déclaration de DTD ou d'entités XML, refusée par sécurité"),
    ("EntitiesForbidden", "", "déclaration d'entités XML, refusée par sécurité"),
    ("ExpatError", "", "XML invalide"),
    ("UnicodeDecodeError", "", "texte mal encodé"),
    ("NotImplementedError", "", "format de compression non pris en charge"),
    ("OverflowError", "", "nombre ou date hors limites"),
    ("KeyError", "", "partie attendue absente"),
    ("LookupError", "", "encodage de caractères inconnu"),
    ("OSError", "no valid workbook part", "aucune partie n'y est déclarée comme classeur"),
    ("MemoryError", "", "mémoire insuffisante"),
    ("RecursionError", "", "éléments XML imbriqués trop profondément"),
)


def describe_error(exc: BaseException) -> str:
    """The French reason of a parser's exception (its English text would mean nothing)."""
    kind = type(exc).__name__
    text = str(exc)
    if isinstance(exc, ValueError) and "could not convert string to float" in text:
        value = text.split(":", 1)[-1].strip().strip("'\"")
        return f"« {value[:60]} » n'est pas un nombre valide pour ce type de cellule"
    for name, words, french in _EXPLANATIONS:
        if kind == name and words in text:
            detail = ""
            if kind in ("ParseError", "ExpatError") and "line" in text:
                where = re.search(r"line (\d+), column (\d+)", text)
                if where:
                    detail = f", ligne {where.group(1)} colonne {where.group(2)} du XML"
            return french + detail
    # Whatever else a parser met (AttributeError, IndexError…): its English means nothing here.
    return "structure interne incohérente"


@dataclass
class Plan:
    """What the pre-flight found out, for the reader."""

    workbook: str = ""                                          # the workbook part
    sheet_parts: dict[str, str] = field(default_factory=dict)   # sheet title → part
    # Formulas no spreadsheet program has computed, per sheet title: (row, column), 1-based.
    uncomputed: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    cells: int = 0
    strings: int = 0
    inline: int = 0
    # Extra sheets not read (over a limit) → the French reason, for a warning.
    dropped: dict[str, str] = field(default_factory=dict)


def check_file(path, skip_sheet: Callable[[str], bool] | None = None,
               optional_sheet: Callable[[str], bool] | None = None) -> Plan:
    """Check a ZIP workbook before it is parsed; raise :class:`UnsafeFile` if refused.

    ``skip_sheet(title)`` tells the sheets the reader will not read (the output
    sheets): their parts are never decompressed. ``optional_sheet(title)`` tells
    those it reads only to keep them (extra sheets): one over a limit is listed
    in :attr:`Plan.dropped` instead of refusing the file.
    """
    path = Path(path)
    name = path.name or str(path)
    try:
        return _check_file(path, name, skip_sheet, optional_sheet)
    except OSError as exc:
        _refuse(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}) : vérifiez qu'il existe "
                "toujours et vos droits sur ce fichier.")


def _check_file(path: Path, name: str, skip_sheet, optional_sheet=None) -> Plan:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        _refuse(f"Le fichier « {name} » est trop volumineux pour un scénario ({_size(size)} ; "
                f"au plus {_size(MAX_FILE_BYTES)}) : vérifiez que c'est bien un scénario MIG "
                "SAMU, ou retirez-en les images et les feuilles inutiles.")
    with open(path, "rb") as fh:
        entries, cd_size = _end_of_directory(fh, size, name)
        if entries > MAX_ENTRIES:
            _refuse(_unsafe(name, f"l'archive contient {_count(entries)} parties (au plus "
                                  f"{_count(MAX_ENTRIES)} pour un classeur)"))
        if cd_size > MAX_DIRECTORY_BYTES:
            _refuse(_unsafe(name, f"le répertoire de l'archive fait {_size(cd_size)} (au plus "
                                  f"{_size(MAX_DIRECTORY_BYTES)})"))
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, UnicodeDecodeError, NotImplementedError) as exc:
            _refuse(_damaged(name, describe_error(exc)))
        with archive:
            return _Inspector(archive, name, size, skip_sheet, optional_sheet).run()


class _Inspector:
    def __init__(self, archive: zipfile.ZipFile, name: str, size: int,
                 skip_sheet: Callable[[str], bool] | None, optional_sheet: Callable[[str], bool] | None = None):
        from .xlsx_reader import Package

        self.archive = archive
        self.name = name
        self.size = size
        self.skip_sheet = skip_sheet or (lambda title: False)
        self.optional_sheet = optional_sheet or (lambda title: False)
        self.infos = archive.infolist()
        self.by_name = {info.filename: info for info in self.infos}
        self.package = Package(archive)     # part names ignoring case, as the format says
        self.styles: str | None = None
        self.plan = Plan()
        self.titles: dict[str, str] = {}     # part → sheet title, for messages
        self.markup = 0                      # '<' in the sheets read, whatever their prefix

    # -- directory -------------------------------------------------------------
    def run(self) -> Plan:
        self._directory()
        workbook, strings = self._identify()
        self.plan.workbook = workbook
        sheets, related = self._sheets(workbook)
        strings = related.get("strings") or strings
        self.styles = related.get("styles") or self.package.find("xl/styles.xml")
        read_parts = {part for title, part in sheets if not self.skip_sheet(title)}
        skipped = {part for title, part in sheets if self.skip_sheet(title)} - read_parts
        optional = {part: title for title, part in sheets if part in read_parts and self.optional_sheet(title)}
        # A part shared with a sheet that must be read is never optional.
        for title, part in sheets:
            if part in optional and not self.optional_sheet(title) and not self.skip_sheet(title):
                del optional[part]
        for title, part in sheets:
            self.titles.setdefault(part, title)
            if part in read_parts:
                self.plan.sheet_parts.setdefault(title, part)
        self._contents(read_parts, skipped, strings, optional)
        return self.plan

    def _where(self, part: str) -> str:
        title = self.titles.get(part)
        return f"la partie « {part} » (feuille « {title} »)" if title else f"la partie « {part} »"

    def _directory(self) -> None:
        name = self.name
        if len(self.infos) > MAX_ENTRIES:
            _refuse(_unsafe(name, f"l'archive contient {_count(len(self.infos))} parties (au plus "
                                  f"{_count(MAX_ENTRIES)} pour un classeur)"))
        declared = 0
        spans = []
        for info in self.infos:
            if info.flag_bits & 0x1:
                _refuse(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : des "
                        "parties de l'archive sont chiffrées (mot de passe). Retirez le mot de "
                        "passe dans Excel ou LibreOffice, puis enregistrez de nouveau le classeur "
                        "au format .xlsx.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                          zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                _refuse(_damaged(name, f"méthode de compression n° {info.compress_type} inconnue "
                                       f"pour la partie « {info.filename} »"))
            declared += info.file_size
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                _refuse(_unsafe(name, f"la partie « {info.filename} » se décompresse {_count(ratio)} "
                                      f"fois (au plus {MAX_RATIO} fois), de {_size(info.compress_size)} "
                                      f"à {_size(info.file_size)} : c'est une « bombe de "
                                      "décompression »"))
            raw_name = info.orig_filename.encode(
                "utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
            spans.append((info.header_offset,
                          info.header_offset + 30 + len(raw_name) + info.compress_size, info.filename))
        if declared > MAX_DECLARED_TOTAL:
            _refuse(_unsafe(name, f"son contenu décompressé ferait {_size(declared)} (au plus "
                                  f"{_size(MAX_DECLARED_TOTAL)}) : c'est une « bombe de "
                                  "décompression »"))
        spans.sort()
        for (start, end, part), (next_start, _, other) in zip(spans, spans[1:]):
            if next_start < end:
                _refuse(_unsafe(name, f"les parties « {part} » et « {other} » de l'archive se "
                                      "chevauchent, construction typique d'une « bombe de "
                                      "décompression »"))
        if spans and spans[-1][1] > self.size:
            _refuse(_damaged(name, f"la partie « {spans[-1][2]} » dépasse la fin du fichier"))

    # -- what kind of package --------------------------------------------------
    def _identify(self) -> tuple[str, str | None]:
        names = self.by_name
        name = self.name
        prefix = f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : "
        if "mimetype" in names:
            mime = self._small("mimetype", 256).decode("ascii", "replace").strip()
            if "opendocument.spreadsheet" in mime:
                _refuse(prefix + "c'est un classeur OpenDocument (.ods, LibreOffice). Ouvrez-le dans "
                        "LibreOffice Calc puis Fichier > Enregistrer sous, type « Excel 2007-365 "
                        "(.xlsx) ».")
            if "opendocument" in mime:
                _refuse(prefix + "c'est un document OpenDocument (texte ou présentation), pas un "
                        "classeur. Choisissez le fichier .xlsx du scénario.")
        if "xl/workbook.bin" in names:
            _refuse(prefix + "c'est un classeur binaire Excel (.xlsb). Ouvrez-le dans Excel puis "
                    "Fichier > Enregistrer sous, type « Classeur Excel (.xlsx) ».")
        apple = _apple_kind(names)
        if apple:
            _refuse(prefix + apple)
        if "word/document.xml" in names or "ppt/presentation.xml" in names:
            what = "un document Word" if "word/document.xml" in names else "une présentation PowerPoint"
            _refuse(prefix + f"c'est {what}, pas un classeur. Choisissez le fichier .xlsx du scénario.")
        workbook, strings = None, None
        find = self.package.find
        types = find("[Content_Types].xml")
        if types:
            root = self._xml(types)
            for el in root.iter():
                if _local(el.tag) != "Override":
                    continue
                part = find(_part(el.get("PartName", "")))
                kind = el.get("ContentType", "")
                if kind in _WORKBOOK_TYPES and workbook is None:
                    workbook = part
                elif kind == _STRINGS_TYPE and strings is None:
                    strings = part
        if workbook is None:
            workbook = find("xl/workbook.xml")
        if workbook is None:
            # Left to the reader's own message (a ZIP without a workbook).
            return "", strings
        if strings is None:
            strings = find("xl/sharedStrings.xml")
        return workbook, strings

    def _sheets(self, workbook: str) -> tuple[list[tuple[str, str]], dict[str, str]]:
        """(title, part) of every worksheet, in workbook order; the strings and styles parts."""
        from .xlsx_reader import resolve_target

        if not workbook:
            return [], {}
        root = self._xml(workbook)
        if root.tag.startswith("{" + _STRICT_NS):
            _refuse(f"Le fichier « {self.name} » n'est pas un classeur Excel (.xlsx) lisible : il est "
                    "enregistré au format « Feuille de calcul Open XML Strict », que MIGAC Desktop ne "
                    "lit pas. Ouvrez-le dans Excel puis Fichier > Enregistrer sous, type « Classeur "
                    "Excel (.xlsx) » (ou, dans LibreOffice, type « Excel 2007-365 (.xlsx) »).")
        declared = []
        for el in root.iter():
            if _local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), None)
                declared.append((el.get("name", ""), rid))
        if len(declared) > MAX_SHEETS:
            _refuse(_unsafe(self.name, f"le classeur déclare {_count(len(declared))} feuilles (au plus "
                                       f"{MAX_SHEETS})"))
        folder, base = posixpath.split(workbook)
        rels_part = self.package.find(posixpath.join(folder, "_rels", base + ".rels"))
        targets = {}
        related: dict[str, str] = {}
        if rels_part:
            for el in self._xml(rels_part).iter():
                if _local(el.tag) == "Relationship":
                    target = el.get("Target", "")
                    part = resolve_target(folder, target, el.get("TargetMode"))
                    kind = el.get("Type", "")
                    targets[el.get("Id")] = (part, target, kind)
                    found = self.package.find(part)
                    for word in ("strings", "styles"):
                        if found and kind.lower().endswith(f"/{'sharedstrings' if word == 'strings' else 'styles'}"):
                            related.setdefault(word, found)
        sheets = []
        for title, rid in declared:
            part, target, kind = targets.get(rid, ("", "", ""))
            found = self.package.find(part)
            if found:
                if kind.endswith("/worksheet"):
                    sheets.append((title, found))
            elif not self.skip_sheet(title) and not self.optional_sheet(title):
                self._lost_sheet(title, part, target)
        return sheets, related

    def _lost_sheet(self, title: str, part: str | None, target: str) -> None:
        """A sheet the workbook declares, whose content is not in the archive: refused."""
        shown = target[:120]
        if part is None:
            _refuse(f"le classeur désigne le contenu de cette feuille hors du fichier (« {shown} ») : "
                    "aucun tableur n'écrit cela. " + _PROVENANCE, title)
        if not target:
            reason = "aucune partie de l'archive ne lui est associée"
        else:
            reason = f"son contenu (« {part} ») est absent de l'archive"
        _refuse(f"la feuille est déclarée dans le classeur, mais {reason} : le fichier est endommagé "
                "ou incomplet. Reprenez une copie intacte (sauvegarde, message d'origine) ou, s'il "
                "s'ouvre dans Excel ou LibreOffice, enregistrez-le de nouveau au format .xlsx.", title)

    # -- contents --------------------------------------------------------------
    def _contents(self, read_parts: set[str], skipped: set[str], strings: str | None,
                  optional: dict[str, str] | None = None) -> None:
        optional = optional or {}
        self.read_total = 0
        xml_total = 0
        for info in self.infos:
            part = info.filename
            if part.endswith("/") or part in optional:
                continue
            if part in skipped:
                # Never decompressed by the reader: its prolog only, for an XML bomb.
                self._prolog_only(info)
                continue
            if part in read_parts or part == strings:
                self._read_part(info, "sheet" if part in read_parts else "strings")
            elif part == self.styles:
                if info.file_size > MAX_STYLES_BYTES:
                    self._too_big(info, MAX_STYLES_BYTES)
                self._scan(info, "xml")
            elif part.lower().endswith(_XML_SUFFIXES) or part == "[Content_Types].xml":
                if info.file_size > MAX_XML_PART_BYTES:
                    self._too_big(info, MAX_XML_PART_BYTES)
                xml_total += info.file_size
                if xml_total > MAX_XML_TOTAL:
                    _refuse(_unsafe(self.name, "les parties annexes du classeur (styles, noms définis, "
                                               f"relations, dessins…) font plus de {_size(MAX_XML_TOTAL)}",
                                    "Enregistrez-le de nouveau depuis Excel ou LibreOffice après avoir "
                                    "supprimé les styles, noms et objets inutiles."))
                self._scan(info, "xml")
            elif info.file_size > MAX_BINARY_PART_BYTES:
                self._too_big(info, MAX_BINARY_PART_BYTES)
        # Extra sheets last: the input sheets have the limits first, an extra one over them is dropped.
        for info in self.infos:
            title = optional.get(info.filename)
            if title is None:
                continue
            saved = (self.read_total, self.plan.cells, self.plan.inline, self.markup,
                     dict(self.plan.uncomputed))
            try:
                self._read_part(info, "sheet")
            except _OverLimit as exc:
                (self.read_total, self.plan.cells, self.plan.inline, self.markup,
                 self.plan.uncomputed) = saved
                message = exc.problems[0].message
                prefix = f"Le fichier « {self.name} » est refusé par sécurité : "
                if message.startswith(prefix):
                    message = message[len(prefix):].split(". ", 1)[0]
                self.plan.dropped[title] = message
                self.plan.sheet_parts = {t: p for t, p in self.plan.sheet_parts.items() if p != info.filename}

    def _read_part(self, info: zipfile.ZipInfo, kind: str) -> None:
        if info.file_size > MAX_SHEET_BYTES:
            self._too_big(info, MAX_SHEET_BYTES, _over)
        self.read_total += info.file_size
        if self.read_total > MAX_READ_BYTES:
            _over(_unsafe(self.name, f"les feuilles lues et leurs textes font plus de "
                                     f"{_size(MAX_READ_BYTES)} une fois décompressés",
                          "Un scénario MIG SAMU est bien plus petit : vérifiez que c'est "
                          "le bon fichier, ou supprimez les feuilles et lignes inutiles."))
        self._scan(info, kind)

    def _too_big(self, info: zipfile.ZipInfo, limit: int, refuse=None) -> None:
        (refuse or _refuse)(_unsafe(self.name, f"{self._where(info.filename)} ferait {_size(info.file_size)} une "
                                   f"fois décompressée (au plus {_size(limit)})",
                        "Un scénario MIG SAMU est bien plus petit : vérifiez que c'est le bon "
                        "fichier, ou supprimez les lignes, colonnes et objets inutiles."))

    def _open(self, info: zipfile.ZipInfo):
        try:
            return self.archive.open(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError, struct.error) as exc:
            _refuse(_damaged(self.name, f"{self._where(info.filename)} : {describe_error(exc)}"))

    def _chunks(self, info: zipfile.ZipInfo, limit: int | None = None) -> Iterator[bytes]:
        """The part's bytes in chunks; its actual size is checked against the declared one."""
        total = 0
        cap = info.file_size if limit is None else min(limit, info.file_size)
        try:
            with self._open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK if limit is None else max(1, min(CHUNK, cap - total)))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > info.file_size:
                        _refuse(_unsafe(self.name, f"{self._where(info.filename)} se décompresse "
                                                   "au-delà de la taille annoncée par l'archive"))
                    yield chunk
                    if limit is not None and total >= cap:
                        return
        except UnsafeFile:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError, struct.error, zlib.error) as exc:
            _refuse(_damaged(self.name, f"{self._where(info.filename)} : {describe_error(exc)}"))
        if limit is None and total != info.file_size:
            _refuse(_damaged(self.name, f"{self._where(info.filename)} : {_size(total)} au lieu "
                                        f"de {_size(info.file_size)} annoncés"))

    def _small(self, part: str, limit: int) -> bytes:
        info = self.by_name[part]
        return b"".join(self._chunks(info, limit))[:limit]

    def _xml(self, part: str):
        """A small part parsed with defusedxml, after its size and prolog are checked."""
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import fromstring

        info = self.by_name[part]
        if info.file_size > MAX_XML_PART_BYTES:
            self._too_big(info, MAX_XML_PART_BYTES)
        data = b"".join(self._chunks(info))
        self._check_prolog(data[:PROLOG_BYTES], info)
        try:
            return fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            self._entities(info)
        except Exception as exc:  # noqa: BLE001 - any parser error means a damaged part
            _refuse(_damaged(self.name, f"{self._where(part)} : XML invalide ({describe_error(exc)})"))

    def _entities(self, info: zipfile.ZipInfo):
        _refuse(_unsafe(self.name, f"{self._where(info.filename)} déclare une DTD ou des entités XML "
                                   "(<!DOCTYPE>, <!ENTITY>), ce qu'aucun tableur ne produit : c'est "
                                   "le mécanisme des attaques « billion laughs » (expansion "
                                   "d'entités) et XXE"))

    def _check_prolog(self, head: bytes, info: zipfile.ZipInfo) -> str:
        """Refuse a DTD before the root element; return the root's prefix (``x:`` or ``""``)."""
        if not head:
            return ""
        text = prolog_text(head)
        if "\x00" in text[:64]:
            _refuse(_damaged(self.name, f"{self._where(info.filename)} : encodage XML non pris en charge"))
        at = 0
        while True:
            lt = text.find("<", at)
            if lt < 0:
                if len(head) >= PROLOG_BYTES:
                    _refuse(_unsafe(self.name, f"{self._where(info.filename)} commence par plus de "
                                               f"{_size(PROLOG_BYTES)} avant son premier élément XML"))
                return ""
            if text.startswith("<?", lt):
                end = text.find("?>", lt)
                at = end + 2 if end >= 0 else len(text)
            elif text.startswith("<!--", lt):
                end = text.find("-->", lt)
                at = end + 3 if end >= 0 else len(text)
            elif text.startswith("<!", lt):
                self._entities(info)
            else:
                match = _ROOT_RE.match(text, lt)
                return match.group(1) or "" if match else ""
            if at >= len(text):
                if len(head) >= PROLOG_BYTES:
                    _refuse(_unsafe(self.name, f"{self._where(info.filename)} commence par plus de "
                                               f"{_size(PROLOG_BYTES)} avant son premier élément XML"))
                return ""

    def _prolog_only(self, info: zipfile.ZipInfo) -> None:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or info.file_size == 0:
            return
        head = b"".join(self._chunks(info, PROLOG_BYTES))
        self._check_prolog(head[:PROLOG_BYTES], info)

    def _scan(self, info: zipfile.ZipInfo, kind: str) -> None:
        """Stream the whole part: actual size, DTD, and for sheets and strings, counts."""
        part = info.filename
        counter = None
        for chunk in self._chunks(info):
            if counter is None:
                prefix = self._check_prolog(chunk[:PROLOG_BYTES], info).encode("latin-1", "replace")
                if kind == "xml":
                    counter = False
                else:
                    tags = (b"row", b"c", b"f", b"is") if kind == "sheet" else (b"si",)
                    counter = _TagCounter(prefix, tags)
            if counter:
                counter.feed(chunk)
        if not counter:
            return
        title = self.titles.get(part)
        self.markup += counter.markup
        if kind == "strings":
            (strings,) = counter.counts
            self.plan.strings += strings
            if strings > MAX_SHARED_STRINGS or counter.markup > 20 * MAX_SHARED_STRINGS:
                shown = max(strings, counter.markup // 20)
                _refuse(_unsafe(self.name, f"la table des textes du classeur (« {part} ») compte "
                                           f"{_count(shown)} textes (au plus "
                                           f"{_count(MAX_SHARED_STRINGS)})",
                                "Un scénario MIG SAMU en compte bien moins : vérifiez que c'est le "
                                "bon fichier, ou enregistrez-le de nouveau après avoir supprimé les "
                                "feuilles inutiles."))
            return
        rows, cells, formulas, inline = counter.counts
        if rows > EXCEL_MAX_ROWS:
            _over(f"la feuille compte {_count(rows)} lignes, plus que le maximum d'Excel "
                    f"({_count(EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un tableur. "
                    + _PROVENANCE, title)
        self.plan.cells += cells
        if self.plan.cells > MAX_CELLS or self.markup > 8 * MAX_CELLS:
            shown = max(cells, counter.markup // 8)
            _over(f"la feuille compte {_count(shown)} cellules ; MIGAC Desktop lit au plus "
                    f"{_count(MAX_CELLS)} cellules en tout (environ 25 000 CRRA). Un scénario MIG "
                    "SAMU est bien plus petit : vérifiez que c'est le bon fichier, ou supprimez les "
                    "lignes et colonnes inutiles (ou déplacez cette feuille dans un autre classeur).",
                    title)
        self.plan.inline += inline
        if self.plan.inline > MAX_INLINE_STRINGS:
            _over(f"la feuille compte {_count(inline)} cellules de texte « en ligne » ; MIGAC Desktop "
                    f"en lit au plus {_count(MAX_INLINE_STRINGS)} en tout (Excel et LibreOffice n'en "
                    "écrivent pas) : ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le de "
                    "nouveau.", title)
        if formulas and title is not None:
            self._find_uncomputed(info, title)

    def _find_uncomputed(self, info: zipfile.ZipInfo, title: str) -> None:
        """Cells holding a formula with no value computed by a spreadsheet program.

        openpyxl (``data_only``) reads them as empty; the reader reports them.
        """
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import iterparse

        found: list[tuple[int, int]] = []
        row = col = 0
        try:
            with self._open(info) as fh:
                for event, el in iterparse(fh, events=("start", "end"), forbid_dtd=True):
                    tag = _local(el.tag)
                    if event == "start":
                        if tag == "row":
                            r = el.get("r")
                            row = int(r) if r and r.isdigit() else row + 1
                            col = 0
                        elif tag == "c":
                            ref = el.get("r")
                            match = _REF_RE.match(ref) if ref else None
                            col = _column_index(match.group(1)) if match else col + 1
                        continue
                    if tag == "c":
                        f = v = None
                        for child in el:
                            name = _local(child.tag)
                            if name == "f":
                                f = child
                            elif name == "v":
                                v = child
                        if f is not None and (v is None or (not v.text and el.get("t") != "str")):
                            found.append((row, col))
                        el.clear()
                    elif tag == "row":
                        el.clear()
        except DefusedXmlException:
            self._entities(info)
        except UnsafeFile:
            raise
        except Exception:  # noqa: BLE001 - a damaged sheet is reported by the reader itself
            pass
        if found:
            self.plan.uncomputed[title] = found


_ROOT_RE = re.compile(r"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*")
_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+$")


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


class _TagCounter:
    """Counts start tags ``<tag`` (then a space, ``>``, ``/`` or a line break) over chunks.

    One regular expression pass per chunk; an occurrence across two chunks is
    counted once, from the few bytes on each side of the joint.
    """

    def __init__(self, prefix: bytes, tags: tuple[bytes, ...]):
        self.tags = tags
        self.regex = re.compile(b"<" + re.escape(prefix) + b"(" + b"|".join(tags) + rb")[\s/>]")
        self.counts = [0] * len(tags)
        self.markup = 0
        self.keep = len(prefix) + max(len(t) for t in tags) + 1
        self.tail = b""

    def feed(self, chunk: bytes) -> None:
        self.markup += chunk.count(b"<")
        found = self.regex.findall(chunk)
        if self.tail:
            joint = self.tail + chunk[:self.keep]
            cut = len(self.tail)
            found += [m.group(1) for m in self.regex.finditer(joint) if m.start() < cut < m.end()]
        for i, tag in enumerate(self.tags):
            self.counts[i] += found.count(tag)
        self.tail = (self.tail + chunk)[-self.keep:] if len(chunk) < self.keep else chunk[-self.keep:]


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _part(name: str) -> str:
    return posixpath.normpath(name.lstrip("/")) if name else ""


# -- bounds while reading ---------------------------------------------------------

class _BadCell(Exception):
    """A cell or a row openpyxl cannot place or convert; said where, in French."""

    def __init__(self, message: str, row: int | None, column: int | None = None):
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column     # 1-based, or None for a whole row


_GUARD = threading.local()
_GUARD_LOCK = threading.Lock()
_TYPES = {"n": "nombre", "s": "texte partagé", "b": "valeur logique", "d": "date", "e": "erreur",
          "str": "texte", "inlineStr": "texte"}


@contextmanager
def checked_cells():
    """While the reader streams sheets in this thread: every cell placed and converted, or said.

    openpyxl's sheet parser raises the parser's English (``invalid literal for
    int()``, ``list index out of range``) for a cell it cannot convert, with no
    word of where; and in read-only mode it silently drops a row numbered at or
    before the previous one (rows out of order, a row repeated, a negative
    number) and lets a cell repeated in its row overwrite the first. Here each
    of these stops the reading with the cell or row where it happened
    (:class:`_BadCell`, turned into a located problem by :class:`ReadLimits`).
    Other threads reading with openpyxl are not affected. If openpyxl ever
    renames these steps, nothing breaks: the checks are then skipped.
    """
    _install_guard()
    previous = getattr(_GUARD, "active", False)
    _GUARD.active = True
    try:
        yield
    finally:
        _GUARD.active = previous


def _install_guard() -> None:
    from openpyxl.worksheet._reader import WorkSheetParser

    with _GUARD_LOCK:
        if getattr(WorkSheetParser, "_migac_checked", False):
            return
        parse_row = WorkSheetParser.__dict__.get("parse_row")
        parse_cell = WorkSheetParser.__dict__.get("parse_cell")
        if parse_row is None or parse_cell is None:
            return

        def checked_row(self, row):
            if not getattr(_GUARD, "active", False):
                return parse_row(self, row)
            before = self.row_counter
            r = row.get("r")
            if r is not None:
                number = _row_number(r)
                if number is None or number < 1:
                    raise _BadCell(f"numéro de ligne « {r[:20]} » invalide dans le fichier (après la ligne "
                                   f"{before}) : le fichier n'a pas été produit par un tableur ou a été "
                                   "modifié. " + _REWRITE, before + 1 if before else None)
                if number > EXCEL_MAX_ROWS:
                    raise _BadCell(f"la feuille a une ligne numérotée au-delà du maximum d'Excel "
                                   f"({_count(EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un "
                                   "tableur. " + _PROVENANCE, None)
                if number <= before:
                    what = "apparaît deux fois" if number == before else f"apparaît après la ligne {before}"
                    raise _BadCell(f"la ligne {number} {what} dans le fichier : les lignes n'y sont pas "
                                   "dans l'ordre, et une partie des données serait perdue. " + _REWRITE,
                                   number)
            # Anything but a cell inside a row (an unknown element, an extension) would
            # become a phantom cell and shift the row's next cells.
            for child in [child for child in row if _local(child.tag) != "c"]:
                row.remove(child)
            return parse_row(self, row)

        def checked_cell(self, element):
            if not getattr(_GUARD, "active", False):
                return parse_cell(self, element)
            before = self.col_counter
            try:
                cell = parse_cell(self, element)
            except Exception as exc:  # noqa: BLE001 - said in French at its cell
                raise _unreadable_cell(self.row_counter, before, element, exc) from None
            if cell["data_type"] == "e" and element.get("t", "n") == "n":
                # A number under a date format, outside the dates: openpyxl makes it #VALUE!.
                raw = next((c.text or "" for c in element if _local(c.tag) == "v"), "")
                raise _BadCell(f"cellule illisible : elle est au format date mais « {raw[:40]} » est hors "
                               "des dates possibles. Passez la cellule au format nombre (ou corrigez la "
                               "date) dans Excel ou LibreOffice, puis enregistrez le fichier de nouveau.",
                               self.row_counter, cell["column"])
            ref = element.get("r")
            if ref is not None:
                if cell["row"] != self.row_counter:
                    raise _BadCell(f"la cellule « {ref[:20]} » est rangée dans la ligne {self.row_counter} "
                                   "du fichier : référence de cellule incohérente. " + _REWRITE,
                                   self.row_counter, before + 1)
                if cell["column"] <= before:
                    raise _BadCell(f"la cellule « {ref[:20]} » apparaît deux fois ou dans le désordre dans "
                                   "sa ligne : une valeur en effacerait une autre. " + _REWRITE,
                                   self.row_counter, cell["column"])
            return cell

        WorkSheetParser.parse_row = checked_row
        WorkSheetParser.parse_cell = checked_cell
        WorkSheetParser._migac_checked = True


def _row_number(text: str) -> int | None:
    """A row's ``r``: ``12``, or ``12.0`` as some producers write it (openpyxl accepts it)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return None
    return int(value) if value.is_integer() else None


_REWRITE = ("Ouvrez le fichier dans Excel ou LibreOffice, vérifiez cette ligne et enregistrez-le de "
            "nouveau au format .xlsx.")


def _unreadable_cell(row: int, before: int, element, exc: BaseException) -> _BadCell:
    from openpyxl.utils.cell import coordinate_to_tuple

    ref = element.get("r")
    kind = element.get("t", "n")
    raw = next((child.text or "" for child in element if _local(child.tag) == "v"), "")
    shown = raw if len(raw) <= 40 else raw[:40] + "…"
    column = before + 1
    if ref is not None:
        try:
            column = coordinate_to_tuple(ref)[1]
        except Exception:  # noqa: BLE001
            return _BadCell(f"référence de cellule « {ref[:20]} » invalide : le fichier n'a pas été "
                            "produit par un tableur ou a été modifié. " + _REWRITE, row, column)
    if kind == "n":
        reason = f"« {shown} » n'est pas un nombre valide"
    elif kind == "s":
        reason = f"« {shown} » ne désigne aucun des textes du classeur (table des textes partagés)"
    elif kind == "b":
        reason = f"« {shown} » n'est pas une valeur logique valide (0 ou 1)"
    elif kind == "d":
        reason = f"« {shown} » n'est pas une date valide (forme attendue AAAA-MM-JJ)"
    else:
        reason = describe_error(exc)
    what = _TYPES.get(kind, f"« {kind[:20]} »")
    return _BadCell(f"cellule illisible (de type {what}) : {reason}. Ouvrez le fichier dans Excel ou "
                    "LibreOffice, ressaisissez cette cellule et enregistrez-le de nouveau.", row, column)


class ReadLimits:
    """Bounds on the rows a sheet yields, sheet by sheet, for one workbook.

    Checked while streaming, before anything is kept: a row past
    ``MAX_ROWS`` or a column past ``MAX_COLUMNS`` that holds a value, a cell
    longer than Excel allows, too many cells in all. Blank rows and columns
    past the limits (a whole sheet formatted down to row 1 048 576) are
    dropped, not refused. An error of the parser on a sheet is reported at the
    row where it happened. An ``optional`` sheet (an extra sheet, only kept)
    may be as wide as Excel allows; whatever would refuse it raises
    :class:`SheetDropped` instead, and its cells are not counted.
    """

    def __init__(self):
        self.slots = 0

    def rows(self, title: str, iterator: Iterable[tuple], optional: bool = False) -> list[tuple]:
        slots_before = self.slots

        def refuse(message, row=None, column=None):
            if optional:
                raise SheetDropped(message, row, column)
            _refuse(message, title, row, column)

        try:
            return self._rows(iterator, refuse, EXCEL_MAX_COLUMNS if optional else MAX_COLUMNS)
        except SheetDropped:
            self.slots = slots_before
            raise

    def _rows(self, iterator: Iterable[tuple], refuse, max_columns: int) -> list[tuple]:
        out: list[tuple] = []
        append = out.append
        index = 0
        it = iter(iterator)
        try:
            for index, row in enumerate(it, start=1):
                width = len(row)
                if width > max_columns:
                    extra = row[max_columns:]
                    if extra.count(None) != len(extra):
                        column = max_columns + next(i for i, v in enumerate(extra) if v is not None)
                        refuse(f"une valeur se trouve en colonne {column_letter(column)} : MIGAC Desktop "
                               f"lit au plus {max_columns} colonnes (jusqu'à {column_letter(max_columns - 1)}). "
                               "Supprimez les colonnes inutiles ou déplacez-les dans un autre "
                               "classeur.", index)
                    row = row[:max_columns]
                    width = max_columns
                if index > MAX_ROWS:
                    if index > EXCEL_MAX_ROWS:
                        refuse(f"la feuille a une ligne numérotée au-delà du maximum d'Excel "
                               f"({_count(EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un "
                               "tableur. " + _PROVENANCE)
                    if width and row.count(None) != width:
                        refuse(f"la feuille a des données au-delà de la ligne {_count(MAX_ROWS)} : "
                               f"MIGAC Desktop lit au plus {_count(MAX_ROWS)} lignes par feuille. Un "
                               "scénario MIG SAMU est bien plus petit : vérifiez que c'est le bon "
                               "fichier, ou supprimez les lignes inutiles.", index)
                    continue   # blank rows past the limit (formatting down the sheet): dropped
                self.slots += width
                if self.slots > MAX_SLOTS:
                    refuse(f"les feuilles lues comptent plus de {_count(MAX_SLOTS)} cases (lignes × "
                           "colonnes) : supprimez les lignes et colonnes inutiles.", index)
                for i, value in enumerate(row):
                    if value.__class__ is str and len(value) > MAX_CELL_TEXT:
                        refuse(f"la cellule contient un texte de {_count(len(value))} caractères ; "
                               f"un tableur en accepte au plus {_count(MAX_CELL_TEXT)} : raccourcissez-le.",
                               index, column_letter(i))
                append(row)
        except (UnsafeFile, SheetDropped):
            raise
        except MemoryError:
            raise
        except _BadCell as bad:
            refuse(bad.message, bad.row, None if bad.column is None else column_letter(bad.column - 1))
        except Exception as exc:  # noqa: BLE001 - whatever the parser met in the sheet
            refuse(f"contenu illisible à partir de cette ligne ({describe_error(exc)}) : ouvrez le "
                   "fichier dans Excel ou LibreOffice, corrigez la cellule et enregistrez-le de "
                   "nouveau.", index + 1)
        return out


# -- lock files of other programs -------------------------------------------------

@dataclass(frozen=True)
class FileLock:
    """Another program holds the file open (or crashed while it did)."""

    program: str            # « Excel » or « LibreOffice »
    user: str | None
    lock_path: Path

    def describe(self) -> str:
        return f"{self.program} (par {self.user})" if self.user else self.program


def lock_owner(path) -> FileLock | None:
    """The program whose lock file sits beside ``path``, or None.

    LibreOffice writes ``.~lock.NAME#`` holding ``Nom complet,utilisateur,
    machine,date,profil;``; Excel writes ``~$NAME`` holding the user's name
    after a length byte. Both stay behind after a crash: the window asks,
    it does not refuse.
    """
    path = Path(path)
    folder, name = path.parent, path.name
    office = folder / f".~lock.{name}#"
    try:
        if office.is_file():
            return FileLock("LibreOffice", _libreoffice_user(office), office)
        excel = folder / f"~${name}"
        if excel.is_file():
            return FileLock("Excel", _excel_user(excel), excel)
    except OSError:
        return None
    return None


def _libreoffice_user(lock: Path) -> str | None:
    try:
        text = lock.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return None
    fields, current, escaped = [], [], False
    for ch in text:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch in ",;":
            fields.append("".join(current).strip())
            current = []
            if ch == ";":
                break
        else:
            current.append(ch)
    for value in fields[:2]:
        if value and value.isprintable():
            return value
    return None


def _excel_user(lock: Path) -> str | None:
    try:
        data = lock.read_bytes()[:512]
    except OSError:
        return None
    if len(data) < 2:
        return None
    n = data[0]
    if 0 < n < 54 and len(data) > n:
        user = data[1:1 + n].decode("cp1252", "replace").strip()
        if user and user.isprintable():
            return user
    return None
