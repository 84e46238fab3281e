"""The unit and output a decision aid talks about: a level, an entity, a result column.

The sensitivity tab and the « Valeur cible » dialog both ask « this figure, of this
unit » (core/units.py); one pair of drop-downs so that they name them alike. The
entity list is searchable (any part of a name, a FINESS or an identifier) and starts on
the working region (Document.working_region): its hospitals and CRRA are listed first.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QCompleter, QHBoxLayout, QLabel, QWidget

from ..core.french import sort_key
from ..core.units import output_label
from .document import Document

LEVEL_ITEMS = (("national", "France entière"), ("region", "Région"),
               ("establishment", "Établissement"), ("crra", "CRRA"))


def output_items(years, *, percent: bool = False) -> list[tuple[str, str]]:
    """(key, French text) of the outputs offered: modelled, effet revenu, each year."""
    items = [("modelled", output_label("modelled")), ("revenue_effect", "Effet revenu (€)")]
    if percent:
        items.append(("revenue_effect_pct", "Effet revenu (%)"))
    items += [(f"alloc_{y}", f"Dotation {y}") for y in years]
    return items


def entity_items(document: Document, level: str) -> list[tuple[str, object]]:
    """(text, key) of a level's entities; the working region's first, then French order."""
    results = document.results
    if results is None or level == "national":
        return []
    if level == "region":
        return [(r, r) for r in document.result_region_names()]
    if level == "establishment":
        frame = results.establishments
        items = [(f"{f} – {e}" if e else str(f), f, r)
                 for f, e, r in zip(frame["finess"], frame["establishment"], frame["region"])]
    else:
        frame = results.crra
        items = [(f"{i} – {lab}" if lab else str(i), i, r)
                 for i, lab, r in zip(frame["crra_id"], frame["label"], frame["region"])]
    working = document.working_region
    items.sort(key=lambda item: (item[2] != working, sort_key(item[2]), sort_key(item[0])))
    return [(text, key) for text, key, _ in items]


class UnitChooser(QWidget):
    """« Niveau » and entity drop-downs in a row; ``changed`` when the unit changes."""

    changed = Signal()

    def __init__(self, document: Document, name: str, parent=None):
        super().__init__(parent)
        self.document = document
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel("&Niveau :")
        layout.addWidget(label)
        self.level = QComboBox()
        self.level.setObjectName(f"{name}Level")
        self.level.setAccessibleName(f"Niveau de l'unité ({name_text(name)})")
        for key, text in LEVEL_ITEMS:
            self.level.addItem(text, key)
        label.setBuddy(self.level)
        layout.addWidget(self.level)
        self.entity = QComboBox()
        self.entity.setObjectName(f"{name}Entity")
        entity_label = QLabel("&Unité :")
        entity_label.setBuddy(self.entity)
        layout.addWidget(entity_label)
        self.entity.setAccessibleName(f"Unité ({name_text(name)}) : recherche par nom ou code")
        self.entity.setMinimumContentsLength(26)
        self.entity.setEditable(True)
        self.entity.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.entity.lineEdit().setPlaceholderText("Rechercher par nom ou code…")
        completer = QCompleter(self.entity.model(), self.entity)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.entity.setCompleter(completer)
        self.entity.lineEdit().editingFinished.connect(self._restore_text)
        layout.addWidget(self.entity, 1)
        self.level.currentIndexChanged.connect(lambda _i: self.fill())
        self.entity.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def fill(self, prefer_working: bool = False) -> None:
        """Refill the entities of the level, keeping the current one when it remains."""
        current = self.entity.currentData()
        level = self.level.currentData()
        self.entity.blockSignals(True)
        self.entity.clear()
        for text, key in entity_items(self.document, level):
            self.entity.addItem(text, key)
        index = self.entity.findData(current) if current is not None and not prefer_working else -1
        if index < 0 and level == "region" and self.document.working_region is not None:
            index = self.entity.findData(self.document.working_region)
        self.entity.setCurrentIndex(max(index, 0) if self.entity.count() else -1)
        self.entity.setEnabled(level != "national" and self.entity.count() > 0)
        self.entity.blockSignals(False)
        self.changed.emit()

    def set_unit(self, level: str, key=None) -> None:
        self.level.blockSignals(True)
        self.level.setCurrentIndex(max(self.level.findData(level), 0))
        self.level.blockSignals(False)
        self.fill()
        index = self.entity.findData(key)
        if index >= 0:
            self.entity.setCurrentIndex(index)

    def unit(self) -> tuple[str, object]:
        level = self.level.currentData()
        return level, (None if level == "national" else self.entity.currentData())

    def _restore_text(self) -> None:
        index = self.entity.currentIndex()
        if index >= 0 and self.entity.currentText() != self.entity.itemText(index):
            self.entity.setEditText(self.entity.itemText(index))


def name_text(name: str) -> str:
    return {"sensitivity": "sensibilité", "goalSeek": "valeur cible"}.get(name, name)
