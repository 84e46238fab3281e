"""Small pieces the result panels share: their tool bar choices and chart timing."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel

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
