"""Small pieces the result panels share: their tool bar choices and chart timing."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLayout, QSizePolicy, QStyle

CHART_DELAY_MS = 120


def chart_timer(parent, slot) -> QTimer:
    """Charts redraw once edits pause: a matplotlib redraw takes longer than a frame,
    so tables refresh at once and the chart follows as soon as the typing stops."""
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(CHART_DELAY_MS)
    timer.timeout.connect(slot)
    return timer


def add_choice(bar: QHBoxLayout, label: str, object_name: str, items=()) -> QComboBox:
    """A labelled combo box in a tool bar row; items are (data, text) pairs.

    The label is the combo's buddy: on Linux a screen reader names a combo box only by
    the label whose buddy it is (Qt gives AT-SPI its current item as its name), and the
    label's mnemonic (« &Niveau : », Alt+N) moves the focus to it."""
    combo = QComboBox()
    combo.setObjectName(object_name)
    if label:
        caption = QLabel(label)
        caption.setObjectName(f"{object_name}Label")
        caption.setBuddy(combo)
        bar.addWidget(caption)
    for key, text in items:
        combo.addItem(text, key)
    bar.addWidget(combo)
    return combo


class FlowRow(QLayout):
    """A tool bar row that wraps onto a second line when the window is too narrow for it
    (large text, 200 %, a small screen) instead of widening the window past the screen
    or cutting its last controls off. Used like a QHBoxLayout: ``addWidget`` (the stretch
    is ignored: each control keeps its own width), ``addStretch`` (nothing to stretch)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._items = []
        self.setContentsMargins(0, 0, 0, 0)

    # -- QHBoxLayout's calls the panels make ----------------------------------------------
    def addWidget(self, widget, stretch: int = 0, alignment=None) -> None:
        super().addWidget(widget)

    def addStretch(self, stretch: int = 0) -> None:
        return None

    # -- QLayout ---------------------------------------------------------------------------
    def addItem(self, item) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        """On one line: as wide as all its controls."""
        shown = [i for i in self._items if not i.isEmpty()]
        width = sum(i.sizeHint().width() for i in shown) + self._gap() * max(len(shown) - 1, 0)
        height = max((i.sizeHint().height() for i in shown), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def maximumSize(self) -> QSize:
        """No taller than its lines at the width it has: the page's extra height goes to
        its table or chart, not under the tool bar."""
        width = self.geometry().width() or self.sizeHint().width()
        return QSize(16777215, max(self.heightForWidth(width), self.minimumSize().height()))

    def minimumSize(self) -> QSize:
        """As narrow as its widest control: the rest wraps."""
        size = QSize()
        for item in self._items:
            if not item.isEmpty():
                size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _gap(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing) if style else 6

    def _place(self, rect: QRect, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        lines, line, line_width = [], [], 0
        for item in self._items:
            if item.isEmpty():
                continue
            width = min(item.sizeHint().width(), area.width())
            if line and line_width + gap + width > area.width():
                lines.append(line)
                line, line_width = [], 0
            line.append((item, width))
            line_width += (gap if line_width else 0) + width
        if line:
            lines.append(line)
        y = area.y()
        for line in lines:
            height = max(item.sizeHint().height() for item, _ in line)
            x = area.x()
            for item, width in line:
                if move:
                    h = item.sizeHint().height()
                    policy = item.widget().sizePolicy() if item.widget() is not None else None
                    if policy is not None and policy.verticalPolicy() == QSizePolicy.Policy.Expanding:
                        h = height
                    item.setGeometry(QRect(QPoint(x, y + (height - h) // 2), QSize(width, h)))
                x += width + gap
            y += height + gap
        return y - gap - area.y() + m.top() + m.bottom() if lines else 0
