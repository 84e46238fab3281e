"""What a file is when it is not a workbook: CSV, HTML, PDF, old ``.xls``, OpenDocument, Numbers…

The French reason says what the file is and how to make a workbook of it,
from its first bytes (a file that is not a ZIP) or from its part names (a
ZIP that is another kind of document).
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path

from . import limits
from .refusals import SAVE_AS_XLSX

__all__ = ["not_a_spreadsheet_package", "not_a_workbook"]

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


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
                    + SAVE_AS_XLSX)
        return (prefix + "c'est un classeur protégé par mot de passe ou un ancien classeur Excel "
                "97-2003 (.xls), ou un autre document Office ancien. Retirez le mot de passe s'il y "
                "en a un, puis " + SAVE_AS_XLSX[0].lower() + SAVE_AS_XLSX[1:])
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
                + SAVE_AS_XLSX[0].lower() + SAVE_AS_XLSX[1:])
    if low.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in low[:8192]:
        return (prefix + "c'est un classeur « XML 2003 » d'Excel, un format ancien. "
                + SAVE_AS_XLSX)
    if low.startswith("{\\rtf"):
        return prefix + "c'est un document RTF (traitement de texte). " + SAVE_AS_XLSX
    if text and _looks_like_text(head):
        sep = max((";", ",", "\t"), key=lambda s: text.count(s))
        shown = {";": "points-virgules", ",": "virgules", "\t": "tabulations"}[sep]
        if text.count(sep) >= 1:
            return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou "
                    f"autre format renommé en .xlsx ; valeurs séparées par des {shown}). "
                    "Ouvrez-le dans Excel ou LibreOffice puis "
                    + SAVE_AS_XLSX[0].lower() + SAVE_AS_XLSX[1:])
        return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou autre "
                "format renommé en .xlsx). " + SAVE_AS_XLSX)
    return (prefix + "son contenu n'est pas celui d'un classeur (fichier texte, CSV ou autre "
            "format renommé en .xlsx, ou données sans format reconnu). " + SAVE_AS_XLSX)


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
            while read < limits.MAX_FILE_BYTES:
                chunk = fh.read(limits.CHUNK)
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


def _apple_kind(names: Collection[str]) -> str | None:
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



def not_a_spreadsheet_package(name: str, names: Collection[str], mimetype: Callable[[], bytes]) -> str | None:
    """The French reason why a ZIP holding ``names`` is another kind of document, or None.

    ``mimetype()`` gives the first bytes of the OpenDocument ``mimetype`` part, when there is one.
    """
    prefix = f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : "
    if "mimetype" in names:
        mime = mimetype().decode("ascii", "replace").strip()
        if "opendocument.spreadsheet" in mime:
            return (prefix + "c'est un classeur OpenDocument (.ods, LibreOffice). Ouvrez-le dans "
                    "LibreOffice Calc puis Fichier > Enregistrer sous, type « Excel 2007-365 "
                    "(.xlsx) ».")
        if "opendocument" in mime:
            return (prefix + "c'est un document OpenDocument (texte ou présentation), pas un "
                    "classeur. Choisissez le fichier .xlsx du scénario.")
    if "xl/workbook.bin" in names:
        return (prefix + "c'est un classeur binaire Excel (.xlsb). Ouvrez-le dans Excel puis "
                "Fichier > Enregistrer sous, type « Classeur Excel (.xlsx) ».")
    apple = _apple_kind(names)
    if apple:
        return prefix + apple
    if "word/document.xml" in names or "ppt/presentation.xml" in names:
        what = "un document Word" if "word/document.xml" in names else "une présentation PowerPoint"
        return prefix + f"c'est {what}, pas un classeur. Choisissez le fichier .xlsx du scénario."
    return None
