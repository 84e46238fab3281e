"""National parameters: the form, the référentiel, the smoothing, the envelopes."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ..core import schema
from ..core.commands import InsertRows, InvalidValue, RemoveRows, SetParameter, coerce_cell, coerce_parameter
from ..core.french import fewest_decimals
from ..core.numbers import NBSP, NumberError, format_euros, format_number, parse_number
from .document import Document
from .palette_colours import colour, field_style
from .table_actions import export_button
from .table_models import ScenarioTableModel
from .views import CellDelegate, ScenarioTableView

ENVELOPES = "Enveloppes régionales"


# The transition policy's fields, under their own heading; all but the mode are used by
# « Plafonné » only, and disabled under « Linéaire ».
POLICY_KEYS = ("lissage_mode", "lissage_niveau", "perte_max_annuelle", "gain_max_annuel")
POLICY_HEADING = "Politique de transition"
PLACEHOLDERS = {"perte_max_annuelle": "vide : pas de plancher",
                "gain_max_annuel": "vide : pas de plafond"}
# Under their heading, shorter labels (the accessible names and messages keep the full ones).
FORM_LABELS = {"lissage_mode": "Mode", "lissage_niveau": "Unité protégée"}


def parameter_text(key: str, value) -> str:
    spec = schema.PARAMETER_BY_KEY[key]
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if spec.kind == "integer":
        return f"{int(value)}"
    if spec.kind == "number":
        return format_number(value, 0 if float(value).is_integer() else 2)
    if spec.kind == "fraction":             # 0.02 → « 2 % », 0.025 → « 2,5 % »
        return f"{fewest_decimals(float(value) * 100, 4)}{NBSP}%"
    return str(value)


def typed_parameter(key: str, text: str) -> object:
    """A percentage is typed as a percentage: « 2 » (or « 2 % ») is 2 %, not 200 %.

    Returns what :func:`coerce_parameter` then checks; :class:`InvalidValue`, quoting the
    text as typed, when it is not a number.
    """
    text = text.strip()
    spec = schema.PARAMETER_BY_KEY[key]
    if spec.kind == "fraction" and text and not text.endswith("%"):
        try:
            return parse_number(text, spec.unit) / 100
        except NumberError as exc:
            raise InvalidValue(f"{spec.label} : {exc}.") from None
    return text


class ParametersForm(QWidget):
    """One editor per national parameter; each commit is one undoable command."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("parametersForm")
        self.document = document
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.labels: dict[str, QLabel] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for spec in schema.PARAMETERS:
            if spec.kind == "choice":
                editor = QComboBox()
                editor.addItems(spec.choices)
                editor.currentTextChanged.connect(lambda text, k=spec.key: self._commit(k, text))
            else:
                editor = QLineEdit()
                editor.setMinimumWidth(320 if spec.kind == "text" else 160)
                if spec.kind != "text":
                    editor.setAlignment(Qt.AlignmentFlag.AlignRight)
                editor.editingFinished.connect(lambda k=spec.key: self._commit_line(k))
            editor.setObjectName(f"param_{spec.key}")
            editor.setToolTip(spec.help)
            editor.setAccessibleName(spec.label)
            editor.setAccessibleDescription(spec.help)
            if spec.key in PLACEHOLDERS:
                editor.setPlaceholderText(PLACEHOLDERS[spec.key])
            self.editors[spec.key] = editor
            if spec.key == POLICY_KEYS[0]:
                heading = QLabel(f"<b>{POLICY_HEADING}</b>")
                heading.setObjectName("policyHeading")
                form.addRow(heading)
            row = QWidget()
            outer = QVBoxLayout(row)
            outer.setContentsMargins(0, 0, 0, 0)
            outer.setSpacing(2)
            box = QHBoxLayout()
            box.setContentsMargins(0, 0, 0, 0)
            box.addWidget(editor)
            if spec.unit and spec.kind != "fraction":   # a percentage shows its own « % »
                unit = QLabel(spec.unit)
                unit.setMinimumWidth(50)
                box.addWidget(unit)
            box.addStretch(1)
            outer.addLayout(box)
            # The reason a typed value was refused, under the field itself.
            error = QLabel()
            error.setObjectName(f"paramError_{spec.key}")
            error.setWordWrap(True)
            error.setStyleSheet(f"color: {colour('error_text')};")
            error.setMinimumWidth(320)
            error.setAccessibleName(f"Erreur : {spec.label}")
            error.hide()
            outer.addWidget(error)
            self.errors[spec.key] = error
            label = QLabel(FORM_LABELS.get(spec.key, spec.label) + " :")
            label.setToolTip(spec.help)
            label.setBuddy(editor)
            self.labels[spec.key] = label
            form.addRow(label, row)
        self.notice = QLabel("Les valeurs par défaut sont illustratives : chargez les valeurs "
                             "officielles depuis votre propre scénario.")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet(f"color: {colour('hint_text')}; font-style: italic;")
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
            self._show_error(spec.key, None)
        self._update_target_enabled()

    def _update_target_enabled(self) -> None:
        p = self.document.scenario.parameters
        self.editors["enveloppe_cible"].setEnabled(p.calage == "Montant cible")
        for key in POLICY_KEYS[1:]:
            self.editors[key].setEnabled(p.capped)
            self.labels[key].setEnabled(p.capped)

    def _show_error(self, key: str, reason: str | None) -> None:
        editor, error = self.editors[key], self.errors[key]
        if isinstance(editor, QLineEdit):
            editor.setStyleSheet(field_style("invalid") if reason else "")
            editor.setToolTip(reason or schema.PARAMETER_BY_KEY[key].help)
        error.setText(reason or "")
        error.setVisible(bool(reason))

    def _on_edited(self, change) -> None:
        if change.sheet == schema.PARAMETERS_SHEET:
            self.refresh()

    def _commit_line(self, key: str) -> None:
        editor = self.editors[key]
        current = getattr(self.document.scenario.parameters, key)
        if editor.text().strip() == parameter_text(key, current):
            self._show_error(key, None)
            return
        self._commit(key, editor.text())

    def _commit(self, key: str, text: str) -> bool:
        editor = self.editors[key]
        try:
            value = coerce_parameter(key, typed_parameter(key, text))
        except InvalidValue as exc:
            self._show_error(key, str(exc))
            self.message.emit(f"Valeur refusée — {exc}")
            return False
        self._show_error(key, None)
        if value != getattr(self.document.scenario.parameters, key):
            self.document.push(SetParameter(self.document.scenario, key, value))
        elif isinstance(editor, QLineEdit):     # « 2 » typed for 2 %: shown as « 2 % »
            editor.setText(parameter_text(key, value))
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
        self.view.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.view.setAccessibleName(title)
        if sheet == ENVELOPES:
            self.view.use_delegate(EnvelopeDelegate(document))
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._fit_height)
        self._fit_height()
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
        buttons.addWidget(export_button(self.view))
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
        elif self.sheet == ENVELOPES:
            # Asked whole in a dialog: a row with no amount yet would notify 0 €.
            if not self.document.region_names() or not self.document.scenario.years:
                self.message.emit("Ajoutez d'abord des CRRA et des années de lissage.")
                return
            dialog = EnvelopeDialog(self.document, self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            row = dialog.row()
        self.document.push(InsertRows(self.document.scenario, self.sheet, len(frame), [row]))
        self.view.selectRow(self.model.row_of_position(len(frame)))

    def _fit_height(self, *_args) -> None:
        """As tall as its rows (3 to 9 shown), so that its buttons sit right under it."""
        rows = min(max(self.model.rowCount(), 3), 9)
        header = self.view.horizontalHeader().sizeHint().height()
        height = header + rows * self.view.verticalHeader().defaultSectionSize()
        self.view.setFixedHeight(height + 2 * self.view.frameWidth())

    def remove_rows(self) -> None:
        rows, _ = self.view.selected_block()
        if not rows:
            self.message.emit("Sélectionnez les lignes à supprimer.")
            return
        positions = [self.model.position(r) for r in rows]
        self.document.push(RemoveRows(self.document.scenario, self.sheet, positions))


class ParametersPanel(QScrollArea):
    """The national parameters on the left; the three small tables on the right, each as
    tall as its rows, so that every button shows at 1366×768."""

    message = Signal(str)

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("parametersPanel")
        self.setAccessibleName("Paramètres nationaux, référentiel, lissage et enveloppes")
        self.setWidgetResizable(True)
        inner = QWidget()
        layout = QHBoxLayout(inner)
        left = QVBoxLayout()
        group = QGroupBox("Paramètres nationaux")
        box = QVBoxLayout(group)
        self.form = ParametersForm(document)
        box.addWidget(self.form)
        left.addWidget(group)
        left.addStretch(1)
        layout.addLayout(left, 3)
        right = QVBoxLayout()
        self.bands = TableEditor(document, "Référentiel", "referentielTable",
                                 "Référentiel de moyens (tranches d'activité)", "Ajouter une tranche")
        self.smoothing = TableEditor(document, "Lissage", "lissageTable",
                                     "Lissage de l'effet revenu (parts cumulées)", "Ajouter une année")
        self.envelopes = TableEditor(document, ENVELOPES, "envelopesTable",
                                     "Enveloppes régionales notifiées", "Ajouter une enveloppe…")
        for editor in (self.form, self.bands, self.smoothing, self.envelopes):
            editor.message.connect(self.message)
        for editor in (self.bands, self.smoothing, self.envelopes):
            right.addWidget(editor)
        right.addStretch(1)
        layout.addLayout(right, 4)
        self.setWidget(inner)

class EnvelopeDelegate(CellDelegate):
    """The envelope table's region and year are chosen from the scenario's, not typed."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.document = document

    def _choices(self, index) -> list[str] | None:
        key = index.model().columns[index.column()].key
        if key == "region":
            return self.document.region_names()
        if key == "year":
            return [str(y) for y in self.document.scenario.years]
        return None

    def createEditor(self, parent, option, index):
        choices = self._choices(index)
        if choices is None:
            return super().createEditor(parent, option, index)
        editor = QComboBox(parent)
        editor.addItems(choices)
        editor.setAccessibleName(index.model().columns[index.column()].header)
        return editor

    def setEditorData(self, editor, index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findText(index.data(Qt.ItemDataRole.EditRole) or ""), 0))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)
            return
        super().setModelData(editor, model, index)


class EnvelopeDialog(QDialog):
    """A notified envelope asked whole: region and year from the scenario, then the amount."""

    def __init__(self, document: Document, parent=None):
        super().__init__(parent)
        self.setObjectName("envelopeDialog")
        self.setWindowTitle("Ajouter une enveloppe notifiée")
        self.document = document
        self.amount: float | None = None
        form = QFormLayout(self)
        self.region = QComboBox()
        self.region.setObjectName("envelopeRegion")
        self.region.addItems(document.region_names())
        if document.working_region and self.region.findText(document.working_region) >= 0:
            self.region.setCurrentText(document.working_region)
        self.year = QComboBox()
        self.year.setObjectName("envelopeYear")
        self.year.addItems([str(y) for y in document.scenario.years])
        self.amount_edit = QLineEdit()
        self.amount_edit.setObjectName("envelopeAmount")
        self.amount_edit.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount_edit.setPlaceholderText("montant notifié, en euros")
        for label, field, name in (("&Région :", self.region, "Région de l'enveloppe"),
                                   ("&Année :", self.year, "Année de l'enveloppe"),
                                   ("&Enveloppe notifiée (€) :", self.amount_edit,
                                    "Montant de l'enveloppe notifiée, en euros")):
            field.setAccessibleName(name)
            caption = QLabel(label)
            caption.setBuddy(field)
            form.addRow(caption, field)
        self.info = QLabel()
        self.info.setObjectName("envelopeInfo")
        self.info.setWordWrap(True)
        self.info.setMinimumWidth(420)
        form.addRow(self.info)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Ajouter")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for signal in (self.region.currentIndexChanged, self.year.currentIndexChanged,
                       self.amount_edit.textChanged):
            signal.connect(self._update)
        self.amount_edit.setFocus()
        self._update()

    def _existing_row(self) -> int | None:
        env = self.document.scenario.envelopes
        for pos, (region, year) in enumerate(zip(env["region"], env["year"])):
            if region == self.region.currentText() and str(int(year)) == self.year.currentText():
                return self.document.scenario.excel_row(ENVELOPES, pos)
        return None

    def _update(self) -> None:
        region, year = self.region.currentText(), self.year.currentText()
        lines, self.amount = [], None
        results = self.document.results
        if results is not None and year:
            before = results.linear_regions(int(year)).get(region)
            if before is not None:
                lines.append(f"Dotations {year} de la région avant toute enveloppe : "
                             f"{format_euros(before)}.")
        existing = self._existing_row()
        if existing is not None:
            lines.append(f"Une enveloppe est déjà notifiée à « {region} » pour {year} (ligne "
                         f"{existing}) : modifiez-la dans le tableau.")
        elif self.amount_edit.text().strip():
            try:
                self.amount = coerce_cell(ENVELOPES, "amount", self.amount_edit.text())
            except InvalidValue as exc:
                lines.append(f"Montant refusé — {exc}")
        else:
            lines.append("Saisissez le montant notifié à la région pour cette année.")
        self.info.setText("\n".join(lines))
        self.ok.setEnabled(self.amount is not None)

    def row(self) -> dict:
        return dict(region=self.region.currentText(), year=int(self.year.currentText()),
                    amount=float(self.amount))
