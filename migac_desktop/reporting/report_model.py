"""The blocks of the printed report, without Qt, and the French text of their cells.

A :class:`Report` is an ordered list of :class:`Section`, each a list of blocks —
:class:`Title`, :class:`Heading`, :class:`Paragraph`, :class:`Notice`,
:class:`KeyValues`, :class:`Table`, :class:`Chart`, :class:`Columns`,
:class:`Contents`, :class:`PageBreak` — whose every cell is already a French string.
:mod:`.report` fills them from a computed scenario; the Qt layer lays them out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ..core import schema
from ..core.french import fewest_decimals, long_date
from ..core.numbers import format_euros, format_percent, format_signed_euros, format_signed_percent
from .figures import Chart

__all__ = [
    "Report", "Section", "Title", "Heading", "Paragraph", "Notice", "KeyValues", "Column",
    "Table", "Chart", "Columns", "Contents", "PageBreak", "result_column",
]

LEFT, RIGHT, CENTER = "left", "right", "center"
DASH = "—"                      # an undefined value (a percentage of 0)
UNSAVED = "modifications non enregistrées"

# -- blocks ------------------------------------------------------------------------------
@dataclass
class Title:
    """The big title of the title page."""

    kicker: str
    title: str
    subtitle: str = ""


@dataclass
class Heading:
    text: str
    level: int = 2            # 1: section title, 2: sub-heading, 3: minor heading


@dataclass
class Paragraph:
    text: str
    style: str = "body"       # "body", "lead" (larger), "small" (notes under tables)


@dataclass
class Notice:
    """A framed note, e.g. that the data of the scenario are fictitious."""

    title: str
    text: str


@dataclass
class KeyValues:
    """Label–value pairs, laid out in ``columns`` pairs per line."""

    rows: list[tuple[str, str]]
    title: str = ""
    columns: int = 1


@dataclass(frozen=True)
class Column:
    header: str
    align: str = LEFT
    repeat: bool = False      # repeated in every part when the table is split by columns
    wrap: bool = False        # the text may run on several lines (names)
    group: int = 0            # columns of one group stay together when split
    signed: bool = False      # coloured by sign (gains, losses)


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[str]]
    title: str = ""
    totals: list[list[str]] = field(default_factory=list)
    note: str = ""
    id: str = ""              # a stable name (tests, debugging): "regions", "crra:Bretagne"…
    font_size: float = 7.5
    header: bool = True
    keep_together: bool = False
    # When the table is split by columns, each part's caption names its groups.
    group_titles: dict[int, str] = field(default_factory=dict)
    # Preferred splits, fewest parts first: each a list of parts, each a list of group
    # numbers (the repeated columns join every part). The layout takes the first whose
    # parts all fit the page; the same split for every region reads more easily.
    splits: list[list[list[int]]] = field(default_factory=list)

    def __post_init__(self):
        width = len(self.columns)
        for row in self.rows + self.totals:
            if len(row) != width:
                raise ValueError(f"tableau {self.id or self.title} : {len(row)} cellules "
                                 f"pour {width} colonnes")


@dataclass
class Columns:
    """Blocks side by side (small tables); never split across pages."""

    blocks: list
    gap_mm: float = 8.0


@dataclass
class Contents:
    """The list of sections with their first page (filled in by the layout)."""

    title: str = "Sommaire"


@dataclass
class PageBreak:
    pass


@dataclass
class Section:
    id: str                   # "titre", "national", "region:<nom>"
    title: str                # in the contents
    label: str                # in the page header
    blocks: list = field(default_factory=list)
    region: str | None = None
    in_contents: bool = True


@dataclass
class Report:
    title: str                # the scenario's title, or its file name
    subtitle: str             # "Rapport national" / "Rapport régional – Région X"
    source: str               # file name of the scenario
    created: date
    region: str | None
    sections: list[Section]
    note: str = ""
    unsaved: bool = False     # built from a scenario with changes not saved in ``source``

    @property
    def charts(self) -> list[Chart]:
        return [b for s in self.sections for b in _walk(s.blocks) if isinstance(b, Chart)]

    @property
    def tables(self) -> list[Table]:
        return [b for s in self.sections for b in _walk(s.blocks) if isinstance(b, Table)]

    @property
    def header_text(self) -> str:
        return self.title

    @property
    def footer_text(self) -> str:
        text = f"MIGAC Desktop · {self.source} · rapport du {long_date(self.created)}"
        return text + (f" · {UNSAVED}" if self.unsaved else "")

    def section(self, section_id: str) -> Section:
        for section in self.sections:
            if section.id == section_id:
                return section
        raise KeyError(section_id)

    def text(self) -> str:
        """Every word of the report, one block per line (tests, search)."""
        lines = [self.title, self.subtitle]
        for section in self.sections:
            lines.append(section.title)
            for block in _walk(section.blocks):
                lines.extend(_block_text(block))
        return "\n".join(line for line in lines if line)


def _walk(blocks: Iterable) -> Iterable:
    for block in blocks:
        if isinstance(block, Columns):
            yield from _walk(block.blocks)
        else:
            yield block


def _block_text(block) -> list[str]:
    if isinstance(block, Title):
        return [block.kicker, block.title, block.subtitle]
    if isinstance(block, (Heading, Paragraph)):
        return [block.text]
    if isinstance(block, Notice):
        return [block.title, block.text]
    if isinstance(block, KeyValues):
        return [block.title] + [f"{k} : {v}" for k, v in block.rows]
    if isinstance(block, Table):
        out = [block.title, " | ".join(c.header for c in block.columns)]
        out += [" | ".join(r) for r in block.rows + block.totals]
        return out + [block.note]
    if isinstance(block, Chart):
        return [block.title]
    return []


# -- French helpers ------------------------------------------------------------------------
def result_column(key: str, header: str | None = None, *, align: str | None = None,
                  **options) -> Column:
    """A column of the results' catalogue (core/schema.py): its header; numbers on the
    right, signed amounts coloured by sign."""
    col = schema.result_column(key)
    if align is None:
        align = LEFT if col.kind == "text" else RIGHT
    return Column(col.header if header is None else header, align,
                  signed=col.kind.startswith("signed"), **options)


def _is_nan(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _euros(value) -> str:
    return DASH if _is_nan(value) else format_euros(float(value))


def _signed(value) -> str:
    return DASH if _is_nan(value) else format_signed_euros(float(value))


def _pct(value) -> str:
    return DASH if _is_nan(value) else format_signed_percent(float(value))


def _number(value, most: int = 2) -> str:
    return "" if _is_nan(value) else fewest_decimals(float(value), most)


def _share(value) -> str:
    if _is_nan(value):
        return ""
    decimals = 0 if abs(value * 100 - round(value * 100)) < 1e-9 else 1
    return format_percent(float(value), decimals)


def _join_fr(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " et " + items[-1]
