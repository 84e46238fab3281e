"""« Imprimer la sélection »: a selection of any table as a one-section report, so that it
prints with the report's page layout (A4, header and « Page N / M », header row repeated
on every page, columns split over pages when they do not fit, the first one repeated).

The cells arrive as the table shows them (already French text); nothing is recomputed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..core.french import plural
from .report_model import LEFT, RIGHT, Column, Paragraph, Report, Section, Table

# Wide selections print smaller, down to this size; beyond, columns go to further pages.
_FONT_SIZES = ((8, 8.5), (12, 7.5), (10**9, 7.0))


def selection_report(table_name: str, headers: Sequence[str], rows: Sequence[Sequence[str]],
                     numeric: Sequence[bool], *, title: str, source: str, total_rows: int,
                     unsaved: bool = False, created: date | None = None, context: str = "") -> Report:
    """The report of ``rows`` (the cells shown) under ``headers``.

    ``table_name``: the table's French name (« Tableau des CRRA »), the page header's
    label; ``total_rows``: the rows the table shows, to say how many were selected;
    ``context``: what the table shows (a region, a level), said under its name.
    """
    columns = [Column(header, RIGHT if is_number else LEFT, repeat=(i == 0), wrap=not is_number, group=i)
               for i, (header, is_number) in enumerate(zip(headers, numeric))]
    size = next(s for limit, s in _FONT_SIZES if len(columns) <= limit)
    lead = f"{plural(len(rows), 'ligne')} sur {plural(total_rows, 'ligne')} du tableau, " \
           f"{plural(len(columns), 'colonne')}, telles qu'affichées (filtre et tri compris)."
    blocks: list = [Paragraph(context + (" · " if context else "") + lead, style="small"),
                    Table(columns=columns, rows=[list(r) for r in rows], id="selection",
                          font_size=size)]
    section = Section(id="selection", title=table_name, label=table_name, blocks=blocks,
                      in_contents=False)
    return Report(title=title, subtitle=f"{table_name} – sélection", source=source,
                  created=created or date.today(), region=None, sections=[section],
                  unsaved=unsaved)
