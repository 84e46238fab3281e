"""Pre-flight checks of a workbook's ZIP archive, before any part of it is parsed.

The archive is refused, with a French message that says where and what to
do, quickly and within bounded memory, when it is a damaged ZIP, a zip bomb,
another kind of document (:mod:`.sniff`), declares XML entities
(:mod:`.xml_scan`), or when its sheets are far larger than any scenario
(:mod:`.limits`).

The sheets read are the input sheets and any extra sheet (kept and written
back); the output sheets (``Résultats CRRA``…) are never decompressed, only
their declared sizes are checked. The limits are the input sheets': an extra
sheet (notes, a pivot of the modeller's own) that would pass one of them is
not read and not kept, with a warning that names it (:attr:`Plan.dropped`),
never a refusal of the scenario; a DTD, a lying ZIP header or damaged data
in it still refuse the file, which is then no ordinary workbook.

Sizes are checked twice: as declared in the ZIP directory, then as actually
decompressed, by streaming each part in 1 Mo chunks (zipfile itself stops at
the declared size and checks the CRC, so a lying header ends as a damaged
file, never as a flood). Part names are matched ignoring case, here as in
the reader.
"""

from __future__ import annotations

import posixpath
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from ..core.french import file_size as size_text
from ..oserrors import os_reason
from . import limits
from .refusals import PROVENANCE, OverLimit, UnsafeFile, count_text, damaged, describe_error, over, refuse, unsafe
from .sniff import not_a_spreadsheet_package
from .xlsx_reader import STRINGS_TYPE, WORKBOOK_TYPES, Package, local, resolve_target
from .xml_scan import DTD, ENCODING, LONG, TagCounter, read_prolog, uncomputed_cells

__all__ = ["Plan", "check_file"]

_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_XML_SUFFIXES = (".xml", ".rels", ".vml")


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
        refuse(f"Le fichier « {name} » ne peut pas être lu ({os_reason(exc)}) : vérifiez qu'il existe "
               "toujours et vos droits sur ce fichier.")


def _check_file(path: Path, name: str, skip_sheet, optional_sheet=None) -> Plan:
    size = path.stat().st_size
    if size > limits.MAX_FILE_BYTES:
        refuse(f"Le fichier « {name} » est trop volumineux pour un scénario ({size_text(size)} ; "
               f"au plus {size_text(limits.MAX_FILE_BYTES)}) : vérifiez que c'est bien un scénario MIG "
               "SAMU, ou retirez-en les images et les feuilles inutiles.")
    with open(path, "rb") as fh:
        entries, cd_size = _end_of_directory(fh, size, name)
        if entries > limits.MAX_ENTRIES:
            refuse(unsafe(name, f"l'archive contient {count_text(entries)} parties (au plus "
                          f"{count_text(limits.MAX_ENTRIES)} pour un classeur)"))
        if cd_size > limits.MAX_DIRECTORY_BYTES:
            refuse(unsafe(name, f"le répertoire de l'archive fait {size_text(cd_size)} (au plus "
                          f"{size_text(limits.MAX_DIRECTORY_BYTES)})"))
        fh.seek(0)
        try:
            archive = zipfile.ZipFile(fh)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
                struct.error, UnicodeDecodeError, NotImplementedError) as exc:
            refuse(damaged(name, describe_error(exc)))
        with archive:
            return _Inspector(archive, name, size, skip_sheet, optional_sheet).run()



def _end_of_directory(fh, file_size: int, name: str) -> tuple[int, int]:
    """(entries, central directory size) from the end record, before zipfile parses it."""
    window = min(file_size, 22 + 65_535 + 20)
    fh.seek(file_size - window)
    data = fh.read(window)
    at = data.rfind(b"PK\x05\x06")
    if at < 0 or len(data) - at < 22:
        refuse(damaged(name, "la fin de l'archive ZIP est introuvable : fichier tronqué, par "
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



class _Inspector:
    """One pass over the archive: its directory, what kind of package, then each part's content."""

    def __init__(self, archive: zipfile.ZipFile, name: str, size: int,
                 skip_sheet: Callable[[str], bool] | None, optional_sheet: Callable[[str], bool] | None = None):
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
        if len(self.infos) > limits.MAX_ENTRIES:
            refuse(unsafe(name, f"l'archive contient {count_text(len(self.infos))} parties (au plus "
                          f"{count_text(limits.MAX_ENTRIES)} pour un classeur)"))
        declared = 0
        spans = []
        for info in self.infos:
            if info.flag_bits & 0x1:
                refuse(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : des "
                       "parties de l'archive sont chiffrées (mot de passe). Retirez le mot de "
                       "passe dans Excel ou LibreOffice, puis enregistrez de nouveau le classeur "
                       "au format .xlsx.")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED,
                                          zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA):
                refuse(damaged(name, f"méthode de compression n° {info.compress_type} inconnue "
                               f"pour la partie « {info.filename} »"))
            declared += info.file_size
            if info.file_size > limits.RATIO_FLOOR and info.file_size > limits.MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                refuse(unsafe(name, f"la partie « {info.filename} » se décompresse {count_text(ratio)} "
                              f"fois (au plus {limits.MAX_RATIO} fois), de {size_text(info.compress_size)} "
                              f"à {size_text(info.file_size)} : c'est une « bombe de "
                              "décompression »"))
            raw_name = info.orig_filename.encode(
                "utf-8" if info.flag_bits & 0x800 else "cp437", "replace")
            spans.append((info.header_offset,
                          info.header_offset + 30 + len(raw_name) + info.compress_size, info.filename))
        if declared > limits.MAX_DECLARED_TOTAL:
            refuse(unsafe(name, f"son contenu décompressé ferait {size_text(declared)} (au plus "
                          f"{size_text(limits.MAX_DECLARED_TOTAL)}) : c'est une « bombe de "
                          "décompression »"))
        spans.sort()
        for (_start, end, part), (next_start, _, other) in zip(spans, spans[1:]):
            if next_start < end:
                refuse(unsafe(name, f"les parties « {part} » et « {other} » de l'archive se "
                              "chevauchent, construction typique d'une « bombe de "
                              "décompression »"))
        if spans and spans[-1][1] > self.size:
            refuse(damaged(name, f"la partie « {spans[-1][2]} » dépasse la fin du fichier"))

    # -- what kind of package --------------------------------------------------
    def _identify(self) -> tuple[str, str | None]:
        names = self.by_name
        name = self.name
        other = not_a_spreadsheet_package(name, names, lambda: self._small("mimetype", 256))
        if other:
            refuse(other)
        workbook, strings = None, None
        find = self.package.find
        types = find("[Content_Types].xml")
        if types:
            root = self._xml(types)
            for el in root.iter():
                if local(el.tag) != "Override":
                    continue
                part = find(_part(el.get("PartName", "")))
                kind = el.get("ContentType", "")
                if kind in WORKBOOK_TYPES and workbook is None:
                    workbook = part
                elif kind == STRINGS_TYPE and strings is None:
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
        if not workbook:
            return [], {}
        root = self._xml(workbook)
        if root.tag.startswith("{" + _STRICT_NS):
            refuse(f"Le fichier « {self.name} » n'est pas un classeur Excel (.xlsx) lisible : il est "
                   "enregistré au format « Feuille de calcul Open XML Strict », que MIGAC Desktop ne "
                   "lit pas. Ouvrez-le dans Excel puis Fichier > Enregistrer sous, type « Classeur "
                   "Excel (.xlsx) » (ou, dans LibreOffice, type « Excel 2007-365 (.xlsx) »).")
        declared = []
        for el in root.iter():
            if local(el.tag) == "sheet":
                rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
                declared.append((el.get("name", ""), rid))
        if len(declared) > limits.MAX_SHEETS:
            refuse(unsafe(self.name, f"le classeur déclare {count_text(len(declared))} feuilles (au plus "
                                       f"{limits.MAX_SHEETS})"))
        folder, base = posixpath.split(workbook)
        rels_part = self.package.find(posixpath.join(folder, "_rels", base + ".rels"))
        targets = {}
        related: dict[str, str] = {}
        if rels_part:
            for el in self._xml(rels_part).iter():
                if local(el.tag) == "Relationship":
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
            refuse(f"le classeur désigne le contenu de cette feuille hors du fichier (« {shown} ») : "
                   "aucun tableur n'écrit cela. " + PROVENANCE, title)
        if not target:
            reason = "aucune partie de l'archive ne lui est associée"
        else:
            reason = f"son contenu (« {part} ») est absent de l'archive"
        refuse(f"la feuille est déclarée dans le classeur, mais {reason} : le fichier est endommagé "
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
                if info.file_size > limits.MAX_STYLES_BYTES:
                    self._too_big(info, limits.MAX_STYLES_BYTES)
                self._scan(info, "xml")
            elif part.lower().endswith(_XML_SUFFIXES) or part == "[Content_Types].xml":
                if info.file_size > limits.MAX_XML_PART_BYTES:
                    self._too_big(info, limits.MAX_XML_PART_BYTES)
                xml_total += info.file_size
                if xml_total > limits.MAX_XML_TOTAL:
                    refuse(unsafe(self.name, "les parties annexes du classeur (styles, noms définis, "
                                               f"relations, dessins…) font plus de {size_text(limits.MAX_XML_TOTAL)}",
                                  "Enregistrez-le de nouveau depuis Excel ou LibreOffice après avoir "
                                  "supprimé les styles, noms et objets inutiles."))
                self._scan(info, "xml")
            elif info.file_size > limits.MAX_BINARY_PART_BYTES:
                self._too_big(info, limits.MAX_BINARY_PART_BYTES)
        # Extra sheets last: the input sheets have the limits first, an extra one over them is dropped.
        for info in self.infos:
            title = optional.get(info.filename)
            if title is None:
                continue
            saved = (self.read_total, self.plan.cells, self.plan.inline, self.markup,
                     dict(self.plan.uncomputed))
            try:
                self._read_part(info, "sheet")
            except OverLimit as exc:
                (self.read_total, self.plan.cells, self.plan.inline, self.markup,
                 self.plan.uncomputed) = saved
                message = exc.problems[0].message
                prefix = f"Le fichier « {self.name} » est refusé par sécurité : "
                if message.startswith(prefix):
                    message = message[len(prefix):].split(". ", 1)[0]
                self.plan.dropped[title] = message
                self.plan.sheet_parts = {t: p for t, p in self.plan.sheet_parts.items() if p != info.filename}

    def _read_part(self, info: zipfile.ZipInfo, kind: str) -> None:
        if info.file_size > limits.MAX_SHEET_BYTES:
            self._too_big(info, limits.MAX_SHEET_BYTES, over)
        self.read_total += info.file_size
        if self.read_total > limits.MAX_READ_BYTES:
            over(unsafe(self.name, f"les feuilles lues et leurs textes font plus de "
                                     f"{size_text(limits.MAX_READ_BYTES)} une fois décompressés",
                        "Un scénario MIG SAMU est bien plus petit : vérifiez que c'est "
                        "le bon fichier, ou supprimez les feuilles et lignes inutiles."))
        self._scan(info, kind)

    def _too_big(self, info: zipfile.ZipInfo, limit: int, raise_as: Callable[[str], NoReturn] = refuse) -> None:
        raise_as(unsafe(self.name, f"{self._where(info.filename)} ferait {size_text(info.file_size)} une "
                                   f"fois décompressée (au plus {size_text(limit)})",
                        "Un scénario MIG SAMU est bien plus petit : vérifiez que c'est le bon "
                        "fichier, ou supprimez les lignes, colonnes et objets inutiles."))

    def _open(self, info: zipfile.ZipInfo):
        try:
            return self.archive.open(info)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError, struct.error) as exc:
            refuse(damaged(self.name, f"{self._where(info.filename)} : {describe_error(exc)}"))

    def _chunks(self, info: zipfile.ZipInfo, limit: int | None = None) -> Iterator[bytes]:
        """The part's bytes in chunks; its actual size is checked against the declared one."""
        total = 0
        cap = info.file_size if limit is None else min(limit, info.file_size)
        try:
            with self._open(info) as fh:
                while True:
                    chunk = fh.read(limits.CHUNK if limit is None else max(1, min(limits.CHUNK, cap - total)))
                    if not chunk:
                        break
                    total += len(chunk)
                    if total > info.file_size:
                        refuse(unsafe(self.name, f"{self._where(info.filename)} se décompresse "
                                                   "au-delà de la taille annoncée par l'archive"))
                    yield chunk
                    if limit is not None and total >= cap:
                        return
        except UnsafeFile:
            raise
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError,
                RuntimeError, struct.error, zlib.error) as exc:
            refuse(damaged(self.name, f"{self._where(info.filename)} : {describe_error(exc)}"))
        if limit is None and total != info.file_size:
            refuse(damaged(self.name, f"{self._where(info.filename)} : {size_text(total)} au lieu "
                                        f"de {size_text(info.file_size)} annoncés"))

    def _small(self, part: str, limit: int) -> bytes:
        info = self.by_name[part]
        return b"".join(self._chunks(info, limit))[:limit]

    def _xml(self, part: str):
        """A small part parsed with defusedxml, after its size and prolog are checked."""
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import fromstring

        info = self.by_name[part]
        if info.file_size > limits.MAX_XML_PART_BYTES:
            self._too_big(info, limits.MAX_XML_PART_BYTES)
        data = b"".join(self._chunks(info))
        self._check_prolog(data[:limits.PROLOG_BYTES], info)
        try:
            return fromstring(data, forbid_dtd=True)
        except DefusedXmlException:
            self._entities(info)
        except Exception as exc:  # noqa: BLE001 - any parser error means a damaged part
            refuse(damaged(self.name, f"{self._where(part)} : XML invalide ({describe_error(exc)})"))

    def _entities(self, info: zipfile.ZipInfo):
        refuse(unsafe(self.name, f"{self._where(info.filename)} déclare une DTD ou des entités XML "
                                   "(<!DOCTYPE>, <!ENTITY>), ce qu'aucun tableur ne produit : c'est "
                                   "le mécanisme des attaques « billion laughs » (expansion "
                                   "d'entités) et XXE"))

    def _check_prolog(self, head: bytes, info: zipfile.ZipInfo) -> str:
        """Refuse a DTD before the root element; return the root's prefix (``x:`` or ``""``)."""
        wrong, prefix = read_prolog(head)
        if wrong == ENCODING:
            refuse(damaged(self.name, f"{self._where(info.filename)} : encodage XML non pris en charge"))
        if wrong == DTD:
            self._entities(info)
        if wrong == LONG:
            refuse(unsafe(self.name, f"{self._where(info.filename)} commence par plus de "
                                     f"{size_text(limits.PROLOG_BYTES)} avant son premier élément XML"))
        return prefix

    def _prolog_only(self, info: zipfile.ZipInfo) -> None:
        if not info.filename.lower().endswith(_XML_SUFFIXES) or info.file_size == 0:
            return
        head = b"".join(self._chunks(info, limits.PROLOG_BYTES))
        self._check_prolog(head[:limits.PROLOG_BYTES], info)

    def _scan(self, info: zipfile.ZipInfo, kind: str) -> None:
        """Stream the whole part: actual size, DTD, and for sheets and strings, counts."""
        part = info.filename
        counter: TagCounter | bool | None = None
        for chunk in self._chunks(info):
            if counter is None:
                prefix = self._check_prolog(chunk[:limits.PROLOG_BYTES], info).encode("latin-1", "replace")
                if kind == "xml":
                    counter = False
                else:
                    tags = (b"row", b"c", b"f", b"is") if kind == "sheet" else (b"si",)
                    counter = TagCounter(prefix, tags)
            if isinstance(counter, TagCounter):
                counter.feed(chunk)
        if not isinstance(counter, TagCounter):
            return
        title = self.titles.get(part)
        self.markup += counter.markup
        if kind == "strings":
            (strings,) = counter.counts
            self.plan.strings += strings
            if strings > limits.MAX_SHARED_STRINGS or counter.markup > 20 * limits.MAX_SHARED_STRINGS:
                shown = max(strings, counter.markup // 20)
                refuse(unsafe(self.name, f"la table des textes du classeur (« {part} ») compte "
                                           f"{count_text(shown)} textes (au plus "
                                           f"{count_text(limits.MAX_SHARED_STRINGS)})",
                              "Un scénario MIG SAMU en compte bien moins : vérifiez que c'est le "
                              "bon fichier, ou enregistrez-le de nouveau après avoir supprimé les "
                              "feuilles inutiles."))
            return
        rows, cells, formulas, inline = counter.counts
        if rows > limits.EXCEL_MAX_ROWS:
            over(f"la feuille compte {count_text(rows)} lignes, plus que le maximum d'Excel "
                 f"({count_text(limits.EXCEL_MAX_ROWS)}) : le fichier n'a pas été produit par un tableur. "
                 + PROVENANCE, title)
        self.plan.cells += cells
        if self.plan.cells > limits.MAX_CELLS or self.markup > 8 * limits.MAX_CELLS:
            shown = max(cells, counter.markup // 8)
            over(f"la feuille compte {count_text(shown)} cellules ; MIGAC Desktop lit au plus "
                 f"{count_text(limits.MAX_CELLS)} cellules en tout (environ 25 000 CRRA). Un scénario MIG "
                 "SAMU est bien plus petit : vérifiez que c'est le bon fichier, ou supprimez les "
                 "lignes et colonnes inutiles (ou déplacez cette feuille dans un autre classeur).",
                 title)
        self.plan.inline += inline
        if self.plan.inline > limits.MAX_INLINE_STRINGS:
            over(f"la feuille compte {count_text(inline)} cellules de texte « en ligne » ; MIGAC Desktop "
                 f"en lit au plus {count_text(limits.MAX_INLINE_STRINGS)} en tout (Excel et LibreOffice n'en "
                 "écrivent pas) : ouvrez le fichier dans Excel ou LibreOffice et enregistrez-le de "
                 "nouveau.", title)
        if formulas and title is not None and not self.optional_sheet(title):
            self._find_uncomputed(info, title)      # the reader reports them for its input sheets only

    def _find_uncomputed(self, info: zipfile.ZipInfo, title: str) -> None:
        """Cells holding a formula with no value computed by a spreadsheet program, for the reader."""
        from defusedxml import DefusedXmlException

        found: list[tuple[int, int]] = []
        try:
            with self._open(info) as fh:
                for cell in uncomputed_cells(fh):
                    found.append(cell)
        except DefusedXmlException:
            self._entities(info)
        except UnsafeFile:
            raise
        except Exception:  # noqa: BLE001 - a damaged sheet is reported by the reader itself
            pass
        if found:
            self.plan.uncomputed[title] = found


def _part(name: str) -> str:
    return posixpath.normpath(name.lstrip("/")) if name else ""
