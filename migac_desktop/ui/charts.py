"""A chart in the window: a matplotlib canvas created the first time it is shown.

Importing this module does not import matplotlib (nor the reporting charts):
the canvas, the figure and the builders are loaded on the first ``showEvent``,
so that starting the application does not pay for them.

The view holds a *drawer*, a callable that draws into the figure it is given
(typically ``lambda fig: charts.draw_revenue_effect(fig, results)``).
``set_drawer`` after each recompute is cheap: a hidden view (another tab) only
remembers that it must redraw, and redraws when it is shown again. A drawer or
a rendering that fails never raises out of a Qt slot: the canvas says
« Aucune donnée à afficher » and the error goes to the log.

The canvas (``FigureCanvasQTAgg``) renders at the screen's device pixel ratio
itself; exports are rendered again from the figure (PNG at 300 dpi, or SVG),
never grabbed from the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QPainter, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

NO_DATA = "Aucune donnée à afficher"
EXPORT_FILTERS = {"Image PNG (*.png)": ".png", "Image SVG (*.svg)": ".svg"}
EXPORT_DPI = 300
SCREEN_DPI = 100                  # figure inches ↔ logical pixels: 900 × 500 px = 9 × 5 in
RESIZE_REDRAW_MS = 150            # builders size bars and labels from the figure: redraw after a resize
MIN_CHART_SIZE = QSize(280, 300)  # logical pixels
FOCUS_FRAME = 2                   # pixels round the canvas when the chart has the focus

Drawer = Callable[[object], object]

_canvas_class = None


def _make_canvas_class():
    """FigureCanvasQTAgg whose rendering errors become the French message (imported lazily)."""
    global _canvas_class
    if _canvas_class is not None:
        return _canvas_class
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

    class _SafeCanvas(FigureCanvasQTAgg):
        def draw(self):
            try:
                super().draw()
            except Exception:
                log.exception("Échec du rendu du graphique")
                from ..reporting.charts import draw_message
                draw_message(self.figure, NO_DATA)
                super().draw()

    _canvas_class = _SafeCanvas
    return _canvas_class


class ChartView(QWidget):
    """A matplotlib chart, drawn by a replaceable drawer, with an « Exporter… » action.

    For a screen reader the chart is a control on the Tab chain: its accessible name says
    which chart it is, its description what it shows, read from the figure once drawn
    (ui/chart_text.py), and which table holds its figures; Entrée goes to that table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Graphique")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.source_table: QWidget | None = None     # the table the chart is drawn from
        self._drawer: Drawer | None = None
        self._canvas = None
        self._dirty = True
        self.export_name = "graphique"          # default file name offered by the dialog
        self.export_directory = str(Path.home())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(*(FOCUS_FRAME,) * 4)
        layout.setSpacing(2)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 4, 0)
        bar.addStretch(1)
        self.export_action = QAction("Exporter…", self)
        self.export_action.setIconText("Exporter…")     # Qt strips the ellipsis otherwise
        self.export_action.setToolTip("Enregistrer le graphique en image PNG (300 dpi) ou SVG")
        self.export_action.setStatusTip(self.export_action.toolTip())
        self.export_action.triggered.connect(lambda _checked=False: self.export_dialog())
        self.export_button = QToolButton(self)
        self.export_button.setObjectName("chartExport")
        self.export_button.setDefaultAction(self.export_action)
        self.export_button.setAccessibleName("Exporter le graphique")
        self.export_button.setAccessibleDescription(self.export_action.toolTip())
        self.export_button.setAutoRaise(True)
        bar.addWidget(self.export_button)
        layout.addLayout(bar)
        self._placeholder = QWidget(self)
        self._placeholder.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout.addWidget(self._placeholder, 1)

        self._resize_timer = QTimer(self)
        self._resize_timer.setSingleShot(True)
        self._resize_timer.setInterval(RESIZE_REDRAW_MS)
        self._resize_timer.timeout.connect(self._after_resize)

    # -- state --------------------------------------------------------------
    @property
    def figure(self):
        """The matplotlib Figure, or None until the view has first been shown."""
        return self._canvas.figure if self._canvas is not None else None

    @property
    def canvas(self):
        return self._canvas

    @property
    def drawer(self) -> Drawer | None:
        return self._drawer

    @property
    def dirty(self) -> bool:
        """True when the figure does not show the current drawer yet."""
        return self._dirty

    # -- drawing ------------------------------------------------------------
    def set_drawer(self, drawer: Drawer | None) -> None:
        """Draw with ``drawer(fig)`` from now on: at once if shown, else on the next show."""
        self._drawer = drawer
        self._dirty = True
        if self._canvas is not None and self.isVisible():
            self._redraw()

    def refresh(self) -> None:
        """Redraw with the current drawer (deferred to the next show when hidden)."""
        self._dirty = True
        if self._canvas is not None and self.isVisible():
            self._redraw()

    def _draw_into(self, fig) -> bool:
        """Run the drawer into ``fig``; on any error draw the French message instead."""
        from ..reporting.charts import draw_message
        try:
            if self._drawer is None:
                draw_message(fig, NO_DATA)
                return False
            self._drawer(fig)
            return True
        except Exception:
            log.exception("Échec du dessin du graphique")
            try:
                draw_message(fig, NO_DATA)
            except Exception:              # pragma: no cover - the figure itself is broken
                log.exception("Échec du message du graphique")
            return False

    def _redraw(self) -> None:
        self._dirty = False
        self._draw_into(self._canvas.figure)
        self._describe(self._canvas.figure)
        self._canvas.draw_idle()

    def _describe(self, fig) -> None:
        """The accessible description: what the figure drawn shows, and where its figures are."""
        from .chart_text import describe_figure
        try:
            text = describe_figure(fig)
        except Exception:                   # pragma: no cover - a figure the reader does not know
            log.exception("Description du graphique impossible")
            text = ""
        table = self.source_table
        if table is not None and table.accessibleName():
            text += f" Les valeurs sont dans le « {table.accessibleName()} » (Entrée pour y aller)."
        self.setAccessibleDescription(text.strip())

    @property
    def description(self) -> str:
        return self.accessibleDescription()

    def _ensure_canvas(self) -> None:
        if self._canvas is not None:
            return
        from matplotlib.figure import Figure
        fig = Figure(figsize=(9, 5), dpi=SCREEN_DPI)
        canvas = _make_canvas_class()(fig)
        canvas.setParent(self)
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        # Room for its title and labels, whose size follows the text size: with large text
        # (200 %) the page scrolls (ui/main_window.py PageTabs) rather than overlap them.
        canvas.setMinimumSize(MIN_CHART_SIZE)
        self.layout().replaceWidget(self._placeholder, canvas)
        self._placeholder.deleteLater()
        self._placeholder = None
        self._canvas = canvas

    # -- events -------------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        try:
            self._ensure_canvas()
        except Exception:                   # pragma: no cover - matplotlib missing or broken
            log.exception("Impossible de créer le graphique")
            return
        if self._dirty:
            self._redraw()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._canvas is not None and self._drawer is not None:
            self._resize_timer.start()

    def _after_resize(self) -> None:
        if self._canvas is None:
            return
        if self.isVisible():
            self._redraw()
        else:
            self._dirty = True

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.source_table is not None:
            self.source_table.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        super().keyPressEvent(event)

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.hasFocus():             # the focus shows: a frame round the canvas, in the
            painter = QPainter(self)    # palette's highlight (dark and high-contrast too)
            pen = painter.pen()
            pen.setColor(self.palette().color(QPalette.ColorRole.Highlight))
            pen.setWidth(FOCUS_FRAME)
            painter.setPen(pen)
            painter.drawRect(self.rect().adjusted(1, 1, -1, -1))
            painter.end()

    def contextMenuEvent(self, event) -> None:
        menu = QMenu(self)
        menu.addAction(self.export_action)
        menu.exec(event.globalPos())

    # -- export -------------------------------------------------------------
    def export(self, path: str | Path) -> Path:
        """Save the chart as PNG (300 dpi) or SVG, by the file's extension.

        Works before the view was ever shown: the drawer then draws into a
        figure of the screen size (9 × 5 in) made for the export.
        """
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("png", "svg"):
            raise ValueError(f"format d'image non pris en charge : « {path.suffix or path.name} » "
                             "(PNG ou SVG attendu)")
        fig = self.figure
        if fig is None:
            from matplotlib.figure import Figure
            fig = Figure(figsize=(9, 5), dpi=SCREEN_DPI)
            self._draw_into(fig)
        elif self._dirty:
            self._redraw()
        fig.savefig(path, format=fmt, dpi=EXPORT_DPI if fmt == "png" else "figure",
                    facecolor="white")
        if self._canvas is not None:
            self._canvas.draw_idle()
        return path

    def ask_export_path(self) -> str | None:
        """Ask where to save (a file dialog); None when cancelled. Tests replace this."""
        start = str(Path(self.export_directory) / f"{self.export_name}.png")
        path, selected = QFileDialog.getSaveFileName(
            self, "Exporter le graphique", start, ";;".join(EXPORT_FILTERS))
        if not path:
            return None
        if Path(path).suffix.lower() not in EXPORT_FILTERS.values():
            path += EXPORT_FILTERS.get(selected, ".png")
        return path

    def export_dialog(self) -> Path | None:
        """The « Exporter… » action: ask for a file, save, say so if it failed."""
        path = self.ask_export_path()
        if not path:
            return None
        try:
            saved = self.export(path)
        except Exception as exc:
            log.exception("Échec de l'export du graphique")
            QMessageBox.warning(self, "Exporter le graphique",
                                f"L'image n'a pas pu être enregistrée :\n{exc}")
            return None
        self.export_directory = str(saved.parent)
        return saved
