"""What every table of the window does as Excel does: clipboard, status-bar summary,
right-click menus, column chooser, export. The views (ui/views.py) call these.

Settings keys of the tables live here, in one place.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
from PySide6.QtCore import QSettings, QSortFilterProxyModel
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu

from ..core.numbers import format_euros, format_number, format_percent
from .settings import COLUMNS_KEY, EXPORT_FOLDER_KEY
from .table_models import format_value

# The CRRA table opens on the figures a modeller works with (then the yearly
# allocations); identity columns and the rest follow. DRM, coefficient and historic
# amount stay side by side as in the workbook, so a block copied from it pastes as one.
CRRA_FIRST_COLUMNS = ("crra_id", "label", "drm", "geo_coef", "historic", "modelled",
                      "revenue_effect", "revenue_effect_pct")
# Widest default of some columns (px at 100 %): narrow, the full text in the cell's tooltip
# and through a wider column.
CRRA_TEXT_WIDTHS = {"label": 170, "region": 140, "departement": 90, "finess": 95,
                    "establishment": 170, "geo_coef": 105}

# The CRRA cells « Valeur cible… » can solve for (core/goal_seek.py CRRA_INPUTS).
GOAL_SEEK_KEYS = ("drm", "geo_coef", "etp_arm_override", "etp_mr_override")

EXPORT_FILTERS = "Classeur Excel (*.xlsx);;Fichier CSV (*.csv)"


# -- clipboard ------------------------------------------------------------------------------
def parse_clipboard(text: str) -> list[list[str]]:
    """Rows of cells as Excel and LibreOffice put them on the clipboard (``excel-tab``).

    A cell holding a line break or a tab comes quoted (``"CH de⏎Melun"``): it stays one
    cell. An empty line is a row of one empty cell.
    """
    if not text:
        return []
    rows = [row if row else [""] for row in csv.reader(io.StringIO(text, newline=""),
                                                         dialect="excel-tab")]
    return rows


def clipboard_text(rows: list[list[str]]) -> str:
    """Cells as Excel writes them (``excel-tab``), one ``\\n`` ended line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, dialect="excel-tab", lineterminator="\n")
    writer.writerows(rows)
    return buffer.getvalue()


# -- the columns behind a view ----------------------------------------------------------
def source_model(model):
    """The table model under any sort/filter proxies."""
    while isinstance(model, QSortFilterProxyModel):
        model = model.sourceModel()
    return model


def column_defs(model) -> list:
    """The ColumnDef of each column of ``model`` (proxies keep their source's columns)."""
    return list(getattr(source_model(model), "columns", []))


# -- status-bar summary -----------------------------------------------------------------
_UNIT_OF_KIND = {"euros": "euros", "signed_euros": "euros", "percent": "percent",
                 "signed_percent": "percent", "drm": "number", "etp": "etp", "year": "year"}


def selection_summary(values_by_kind: dict[str, list[np.ndarray]], region: str | None = None) -> str:
    """« Somme : … · Moyenne : … · Nombre : … » of the numbers selected, as Excel shows it.

    Euros as euros, DRM and ETP as numbers; percentages and years have no meaningful
    sum: « Moyenne » and « Nombre » only. Numbers of different units are only counted.
    Empty below two numbers (Excel shows nothing for one cell).
    """
    arrays = {}
    for kind, chunks in values_by_kind.items():
        unit = _UNIT_OF_KIND.get(kind)
        if unit is None:
            continue
        values = np.concatenate([np.asarray(c, dtype="float64") for c in chunks]) if chunks \
            else np.empty(0)
        values = values[np.isfinite(values)]
        if values.size:
            arrays.setdefault(unit, []).append(values)
    if not arrays:
        return ""
    merged = {unit: np.concatenate(chunks) for unit, chunks in arrays.items()}
    count = sum(v.size for v in merged.values())
    if count < 2:
        return ""
    prefix = f"{region} : " if region else ""
    if len(merged) > 1:
        return f"{prefix}Nombre : {count} (unités différentes)"
    unit, values = next(iter(merged.items()))
    total, mean = float(values.sum()), float(values.mean())
    if unit == "euros":
        parts = [f"Somme : {format_euros(total)}", f"Moyenne : {format_euros(mean)}"]
    elif unit == "percent":
        parts = [f"Moyenne : {format_percent(mean)}"]
    elif unit == "year":
        parts = []
    else:                                   # ETP and counts as the tables show them
        kind = "etp" if unit == "etp" else "drm"
        parts = [f"Somme : {format_value(kind, total)}", f"Moyenne : {format_value(kind, mean)}"]
    parts.append(f"Nombre : {count}")
    return prefix + " · ".join(parts)


def connect_table_views(window, summary_label, show_message) -> None:
    """Wire every table of ``window`` to the status bar (called once by MainWindow)."""
    from .excel_view import ExcelTableView, ReadOnlyTableView
    for view in window.findChildren(ExcelTableView):
        view.selectionSummary.connect(summary_label.setText)
        if isinstance(view, ReadOnlyTableView):
            view.message.connect(show_message)


# -- context menus ------------------------------------------------------------------------
def _action(menu: QMenu, text: str, slot, shortcut=None, enabled: bool = True,
            name: str = "") -> QAction:
    action = menu.addAction(text)
    if name:
        action.setObjectName(name)
    if shortcut is not None:
        # Shown in the menu; the view's own keys do the work (no second shortcut).
        action.setShortcut(QKeySequence(shortcut))
        action.setShortcutVisibleInContextMenu(True)
    action.triggered.connect(lambda _checked=False: slot())
    action.setEnabled(enabled)
    return action


def build_context_menu(view) -> QMenu:
    """The right-click menu of a table: Copier, Couper, Coller, Recopier vers le bas,
    Insérer / Supprimer des lignes (where the table has them), Exporter le tableau…,
    Imprimer la sélection…, Sélection en PDF…"""
    menu = QMenu(view)
    menu.setObjectName("tableContextMenu")
    menu.setAccessibleName("Menu du tableau")
    K = QKeySequence.StandardKey
    has_selection = bool(view.selectionModel() and view.selectionModel().selectedIndexes())
    editable = view.is_editable()
    _action(menu, "Copier", view.copy, K.Copy, has_selection, "tableCopy")
    if editable:
        _action(menu, "Couper", view.cut, K.Cut, has_selection, "tableCut")
        _action(menu, "Coller", view.paste, K.Paste, view.currentIndex().isValid(), "tablePaste")
        _action(menu, "Recopier vers le bas", view.fill_down, "Ctrl+D", has_selection,
                "tableFillDown")
    handlers = view.row_handlers
    if handlers is not None:
        menu.addSeparator()
        _action(menu, handlers.insert_label, handlers.insert, enabled=True, name="tableInsertRows")
        _action(menu, handlers.remove_label, handlers.remove, enabled=has_selection,
                name="tableRemoveRows")
    goal_seek = getattr(view, "goal_seek_handler", None)      # the CRRA table's inputs
    if goal_seek is not None:
        index = view.currentIndex()
        defs = column_defs(view.model())
        key = defs[index.column()].key if index.isValid() and index.column() < len(defs) else ""
        menu.addSeparator()
        _action(menu, "Valeur cible…", goal_seek, enabled=key in GOAL_SEEK_KEYS,
                name="tableGoalSeek")
    menu.addSeparator()
    _action(menu, "Exporter le tableau…", view.export_dialog, name="tableExport")
    _action(menu, "Imprimer la sélection…", view.print_selection, enabled=has_selection,
            name="tablePrintSelection")
    _action(menu, "Sélection en PDF…", view.selection_pdf, enabled=has_selection, name="tableSelectionPdf")
    return menu


def build_header_menu(view) -> QMenu:
    """The column chooser: one checkable entry per column, and the default layout back."""
    menu = QMenu(view)
    menu.setObjectName("columnChooserMenu")
    menu.setAccessibleName("Colonnes affichées")
    header = view.horizontalHeader()
    model = view.model()
    if model is None:
        return menu
    for logical in sorted(range(header.count()), key=header.visualIndex):
        text = str(model.headerData(logical, header.orientation()) or "")
        action = menu.addAction(text)
        action.setCheckable(True)
        action.setChecked(not header.isSectionHidden(logical))
        action.setEnabled(logical not in view.fixed_columns())
        action.toggled.connect(lambda shown, c=logical: view.set_column_shown(c, shown))
    menu.addSeparator()
    reset = menu.addAction("Rétablir les colonnes par défaut")
    reset.setObjectName("resetColumns")
    reset.triggered.connect(lambda _checked=False: view.reset_columns())
    return menu


# -- column layout, persisted -----------------------------------------------------------
def load_columns(name: str) -> dict | None:
    if not name:
        return None
    raw = QSettings().value(COLUMNS_KEY.format(name=name))
    if not raw:
        return None
    try:
        state = json.loads(str(raw))
    except ValueError:
        return None
    return state if isinstance(state, dict) else None


def save_columns(name: str, state: dict | None) -> None:
    if not name:
        return
    settings = QSettings()
    key = COLUMNS_KEY.format(name=name)
    if state is None:
        settings.remove(key)
    else:
        settings.setValue(key, json.dumps(state, ensure_ascii=False))


# -- export -----------------------------------------------------------------------------------
def table_contents(view) -> tuple[list[str], list[str], list[list]]:
    """Headers, kinds and column values of the table as shown: visible columns in their
    order on screen, rows filtered and sorted as on screen; numbers raw (floats)."""
    from ..io.table_export import NUMERIC_KINDS
    from .table_models import DISPLAY, SORT_ROLE
    model = view.model()
    defs = column_defs(model)
    columns = view.visible_columns()
    headers, kinds, values = [], [], []
    n = model.rowCount()
    for c in columns:
        kind = defs[c].kind if c < len(defs) else "text"
        headers.append(str(model.headerData(c, view.horizontalHeader().orientation()) or ""))
        kinds.append(kind)
        if kind in NUMERIC_KINDS:
            column = []
            for r in range(n):
                v = model.data(model.index(r, c), SORT_ROLE)
                column.append(math.nan if v is None else float(v))
        else:
            column = [model.data(model.index(r, c), DISPLAY) or "" for r in range(n)]
        values.append(column)
    return headers, kinds, values


def export_button(view, text: str = "Exporter le tableau…"):
    """The button beside a table that does what its right-click « Exporter le tableau… »
    does: the rows as shown, to .xlsx or .csv."""
    from PySide6.QtWidgets import QPushButton
    button = QPushButton(text)
    name = view.accessibleName() or "le tableau"
    button.setObjectName(f"{view.objectName() or 'table'}Export")
    button.setAccessibleName(f"Exporter {name[0].lower() + name[1:]}")
    button.setToolTip(f"{name} : les lignes affichées (filtre et tri compris), en .xlsx avec les "
                      "formats français ou en .csv comme migac compute")
    button.clicked.connect(lambda _checked=False: view.export_dialog())
    return button


def export_view(view, path) -> None:
    """Write the table as shown to ``path`` (.xlsx or .csv); TableExportError in French."""
    from ..io.table_export import write_table
    headers, kinds, values = table_contents(view)
    write_table(path, headers, kinds, values)


def export_name(view) -> str:
    """The file name offered for a table: « Tableau du lissage » → « lissage »."""
    import re
    name = re.sub(r"^Tableau (des |du |de la |de l'|de )?", "", view.accessibleName() or "")
    return re.sub(r"[^\w-]+", "_", name).strip("_") or "tableau"


def ask_export_path(view, suggested: str) -> str:
    from pathlib import Path
    settings = QSettings()
    folder = str(settings.value(EXPORT_FOLDER_KEY, str(Path.home())))
    path, chosen = QFileDialog.getSaveFileName(view, "Exporter le tableau",
                                               str(Path(folder) / suggested), EXPORT_FILTERS)
    if not path:
        return ""
    if not path.lower().endswith((".xlsx", ".csv")):
        path += ".csv" if "csv" in chosen.lower() else ".xlsx"
    settings.setValue(EXPORT_FOLDER_KEY, str(Path(path).parent))
    return path



# -- the editor's reading of a typed number -----------------------------------------
def decimal_point_hint(kind: str, text: str) -> str:
    """How a count typed with a point was read: ``1.234`` is 1,234, not 1 234.

    Empty when there is nothing to say (no point, a comma too, a whole number, not a
    number at all: the editor's refusal says that).
    """
    from ..core.numbers import NumberError, parse_number
    if kind != "drm":
        return ""
    typed = text.strip()
    if typed.count(".") != 1 or "," in typed:
        return ""
    try:
        number = parse_number(typed)
    except NumberError:
        return ""
    if math.isnan(number) or float(number).is_integer():
        return ""
    head, _, tail = typed.partition(".")
    digits = len(tail.strip())
    read = format_number(number, min(max(digits, 1), 6))
    if digits == 3 and head.strip().lstrip("+").isdigit():
        whole = head.strip().lstrip("+") + tail.strip()
        return (f"« {typed} » est lu {read} (le point est la virgule décimale) : pour "
                f"{format_number(float(whole))} DRM, tapez {whole} sans point.")
    return f"« {typed} » est lu {read} : un nombre de DRM est en principe entier."
