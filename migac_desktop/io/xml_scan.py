"""Scanning an XML part without parsing it: its prolog (a DTD is refused) and its start tags.

A DTD, where entities are declared (« billion laughs », XXE), can only come
before the root element: the prolog is read up to it. Sheets and strings are
then counted by their start tags, chunk by chunk, at the speed of a regular
expression; only a sheet holding formulas is parsed, to find those no
spreadsheet program has computed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import IO

from . import limits
from .xlsx_reader import local, prolog_text

__all__ = ["DTD", "ENCODING", "LONG", "TagCounter", "read_prolog", "uncomputed_cells"]

ENCODING = "encoding"     # not text the prolog can be read in
DTD = "dtd"               # a <!DOCTYPE> (or any <! but a comment) before the root
LONG = "long"             # no root element within the first PROLOG_BYTES

_ROOT_RE = re.compile(r"<([A-Za-z_][\w.\-]*:)?[A-Za-z_][\w.\-]*")
_REF_RE = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+$")


def read_prolog(head: bytes) -> tuple[str | None, str]:
    """(what is wrong, :data:`ENCODING`, :data:`DTD`, :data:`LONG` or None; the root's prefix, ``x:`` or ``""``)."""
    if not head:
        return None, ""
    text = prolog_text(head)
    if "\x00" in text[:64]:
        return ENCODING, ""
    too_long = LONG if len(head) >= limits.PROLOG_BYTES else None
    at = 0
    while True:
        lt = text.find("<", at)
        if lt < 0:
            return too_long, ""
        if text.startswith("<?", lt):
            end = text.find("?>", lt)
            at = end + 2 if end >= 0 else len(text)
        elif text.startswith("<!--", lt):
            end = text.find("-->", lt)
            at = end + 3 if end >= 0 else len(text)
        elif text.startswith("<!", lt):
            return DTD, ""
        else:
            match = _ROOT_RE.match(text, lt)
            return None, (match.group(1) or "" if match else "")
        if at >= len(text):
            return too_long, ""


class TagCounter:
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


def uncomputed_cells(fh: IO[bytes]) -> Iterator[tuple[int, int]]:
    """(row, column), 1-based, of each cell holding a formula with no value computed by a spreadsheet program.

    openpyxl (``data_only``) reads them as empty; the reader reports them.
    Parsed with DTDs forbidden (defusedxml's exception); the cells found
    before a damaged spot are yielded all the same.
    """
    from defusedxml.ElementTree import iterparse

    row = col = 0
    for event, el in iterparse(fh, events=("start", "end"), forbid_dtd=True):
        tag = local(el.tag)
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
                name = local(child.tag)
                if name == "f":
                    f = child
                elif name == "v":
                    v = child
            if f is not None and (v is None or (not v.text and el.get("t") != "str")):
                yield row, col
            el.clear()
        elif tag == "row":
            el.clear()


def _column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n
