"""National parameters: the form, the référentiel, the smoothing, the envelopes."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QHeaderView,
                               QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from ..core import schema
from ..core.commands import InsertRows, InvalidValue, RemoveRows, SetParameter, coerce_parameter
from ..core.numbers import format_number
from .document import Document
from .table_models import ScenarioTableModel
from .views import ScenarioTableView

INVALID_STYLE = "QLineEdit { border: 2px solid #c0392b; background: #fdecea; }"


def parameter_text(key: str, value) -> str:
    spec = schema.PARAMETER_BY_KEY[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if spec.kind == "integer":
        return f"{int(value)}"
    if spec.kind == "number":
        return format_number(value, 0 if float(value).is_integer() else 2)
    return str(value)


class ParametersForm(QWidget):
    """One editor per national parameter; each commit is one undoable command."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("parametersForm")
        self.document = document
        self.editors: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for spec in schema.PARAMETERS:
            if spec.kind == "choice":
                editor = QComboBox()
                editor.addItems(schema.CALIBRATIONS)
                editor.currentTextChanged.connect(lambda text, k=spec.key: self._commit(k, text))
            else:
                editor = QLineEdit()
                editor.setMinimumWidth(320 if spec.kind == "text" else 160)
                if spec.kind != "text":
                    editor.setAlignment(Qt.AlignmentFlag.AlignRight)
                editor.editingFinished.connect(lambda k=spec.key: self._commit_line(k))
            editor.setObjectName(f"param_{spec.key}")
            editor.setToolTip(spec.help)
            self.editors[spec.key] = editor
            row = QWidget()
            box = QHBoxLayout(row)
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(editor)
            if spec.unit:
                unit = QLabel(spec.unit)
                unit.setMinimumWidth(50)
                box.addWidget(unit)
            box.addStretch(1)
            label = QLabel(spec.label + " :")
            label.setToolTip(spec.help)
            form.addRow(label, row)
        self.notice = QLabel("Les valeurs par défaut sont illustratives : chargez les valeurs "
                             "officielles depuis votre propre scénario.")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #555; font-style: italic;")
        form.addRow(self.notice)
        document.reset.connect(self.refresh)
        document.edited.connect(self._on_edited)
        self.refresh()

    def refresh(self) -> None:
        p = self.document.scenario.parameters
        for spec in schema.PARAMETERS:
            editor = self.editors[spec.key]
            value = getattr(p, spec.key)
            editor.blockSignals(True)
            if isinstance(editor, QComboBox):
                editor.setCurrentText(str(value))
            else:
                editor.setText(parameter_text(spec.key, value))
                editor.setCursorPosition(0)
                editor.setStyleSheet("")
            editor.blockSignals(False)
        self._update_target_enabled()

    def _update_target_enabled(self) -> None:
        enabled = self.document.scenario.parameters.calage == "Montant cible"
        self.editors["enveloppe_cible"].setEnabled(enabled)

    def _on_edited(self, change) -> None:
        if change.sheet == schema.PARAMETERS_SHEET:
            self.refresh()

    def _commit_line(self, key: str) -> None:
        editor = self.editors[key]
        current = getattr(self.document.scenario.parameters, key)
        if editor.text().strip() == parameter_text(key, current):
            editor.setStyleSheet("")
            return
        self._commit(key, editor.text())

    def _commit(self, key: str, text: str) -> bool:
        editor = self.editors[key]
        try:
            value = coerce_parameter(key, text)
        except InvalidValue as exc:
            if isinstance(editor, QLineEdit):
                editor.setStyleSheet(INVALID_STYLE)
                editor.setToolTip(str(exc))
            self.message.emit(f"Valeur refusée — {exc}")
            return False
        if isinstance(editor, QLineEdit):
            editor.setStyleSheet("")
            editor.setToolTip(schema.PARAMETER_BY_KEY[key].help)
        if value != getattr(self.document.scenario.parameters, key):
            self.document.push(SetParameter(self.document.scenario, key, value))
        return True


class TableEditor(QWidget):
    """A small input table (référentiel, lissage, enveloppes) with add and remove."""

    message = Signal(str)

    def __init__(self, document: Document, sheet: str, object_name: str, title: str,
                 add_label: str, parent=None):
        super().__init__(parent)
        self.document, self.sheet = document, sheet
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        heading = QLabel(f"<b>{title}</b>")
        layout.addWidget(heading)
        self.model = ScenarioTableModel(document, sheet, self)
        self.view = ScenarioTableView(self)
        self.view.setObjectName(object_name)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.view.message.connect(self.message)
        self.view.set_row_handlers(self.add_row, self.remove_rows, add_label, "Supprimer la sélection")
        self.model.rejected.connect(lambda text: self.message.emit(f"Valeur refusée — {text}"))
        layout.addWidget(self.view)
        buttons = QHBoxLayout()
        self.add_button = QPushButton(add_label)
        self.remove_button = QPushButton("Supprimer la sélection")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_rows)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def add_row(self) -> None:
        frame = self.document.scenario.table(self.sheet)
        row: dict = {}
        if self.sheet == "Référentiel" and len(frame):
            last = frame.iloc[-1]
            row = dict(drm_min=float(last["drm_min"]) + 50000, etp_arm=last["etp_arm"],
                       etp_mr=last["etp_mr"], label=f"T{len(frame) + 1}")
        elif self.sheet == "Lissage":
            year = int(frame["year"].iat[-1]) + 1 if len(frame) else \
                int(self.document.scenario.parameters.annee_historique) + 1
            row = dict(year=year, share=1.0)
        elif self.sheet == "Enveloppes régionales":
            regions = list(dict.fromkeys(self.document.scenario.crra["region"]))
            years = self.document.scenario.years
            if not regions or not years:
                self.message.emit("Ajoutez d'abord des CRRA et des années de lissage.")
                return
            row = dict(region=regions[0], year=years[0], amount=0.0)
        self.document.push(InsertRows(self.document.scenario, self.sheet, len(frame), [row]))

    def remove_rows(self) -> None:
        rows, _ = self.view.selected_block()
        if not rows:
            self.message.emit("Sélectionnez les lignes à supprimer.")
            return
        positions = [self.model.position(r) for r in rows]
        self.document.push(RemoveRows(self.document.scenario, self.sheet, positions))


class ParametersPanel(QScrollArea):
    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        inner = QWidget()
        layout = QHBoxLayout(inner)
        left = QVBoxLayout()
        group = QGroupBox("Paramètres nationaux")
        box = QVBoxLayout(group)
        self.form = ParametersForm(document)
        box.addWidget(self.form)
        left.addWidget(group)
        self.envelopes = TableEditor(document, "Enveloppes régionales", "envelopesTable",
                                     "Enveloppes régionales notifiées", "Ajouter une enveloppe")
        left.addWidget(self.envelopes, 1)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        self.bands = TableEditor(document, "Référentiel", "referentielTable",
                                 "Référentiel de moyens (tranches d'activité)", "Ajouter une tranche")
        self.smoothing = TableEditor(document, "Lissage", "lissageTable",
                                     "Lissage de l'effet revenu (parts cumulées)", "Ajouter une année")
        for editor in (self.form, self.bands, self.smoothing, self.envelopes):
            editor.message.connect(self.message)
        right.addWidget(self.bands, 3)
        right.addWidget(self.smoothing, 2)
        layout.addLayout(right, 4)
        self.setWidget(inner)
