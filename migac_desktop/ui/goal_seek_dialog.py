"""« Valeur cible… »: the value of one input that brings a unit's figure to a target.

The dialog asks the input (a national parameter, a band's ETP, a CRRA's DRM,
coefficient or retained ETP: preselected from the CRRA table's current cell), the target
(a unit, an output, a value typed in French) and shows what core/goal_seek.py finds. Every
trial value is computed on a private copy of the scenario; only « Appliquer » changes the
document, by pushing the result's one undoable command (« valeur cible : … »).
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from ..core import schema
from ..core.goal_seek import CRRA_INPUTS, NATIONAL_INPUTS, GoalInput, GoalSeekError, GoalTarget, goal_seek
from ..core.numbers import NumberError, format_euros, format_signed_euros, format_signed_percent, parse_number
from ..core.units import UnitError, output_value, unit_mask
from .palette_colours import colour
from .unit_chooser import UnitChooser, output_items

KINDS = (("parameter", "Paramètre national"), ("band", "ETP d'une tranche du référentiel"),
         ("crra", "Donnée d'un CRRA"))
BAND_KEYS = (("etp_arm", "ETP ARM"), ("etp_mr", "ETP MR"))
CRRA_KEYS = tuple((k, schema.CRRA.column(k).header) for k in CRRA_INPUTS)


def figure_text(output: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "non défini"
    if output == "revenue_effect_pct":
        return format_signed_percent(value, 2)
    if output == "revenue_effect":
        return format_signed_euros(value)
    return format_euros(value)


def parse_target(output: str, text: str) -> float:
    """The typed target: euros, or for the effet revenu in % a percentage (« −2 % » or
    « −2 », the form's rule); :class:`GoalSeekError` (French, naming the field)."""
    typed = text.strip()
    try:
        if output == "revenue_effect_pct":
            value = parse_number(typed if typed.endswith("%") else typed + " %", "%")
        else:
            value = parse_number(typed, "€")
    except NumberError as exc:
        raise GoalSeekError(f"Valeur visée : {exc}.") from None
    if math.isnan(value):
        raise GoalSeekError("Valeur visée : tapez la valeur à atteindre (par exemple 0 pour un "
                            "effet revenu nul).")
    return value


class GoalSeekDialog(QDialog):
    """Input, target, « Chercher » and « Appliquer »; Échap closes."""

    def __init__(self, window, goal_input: GoalInput | None = None):
        super().__init__(window)
        self.setObjectName("goalSeekDialog")
        self.setWindowTitle("Valeur cible")
        self.setAccessibleName("Valeur cible")
        self.window_ = window
        self.document = window.document
        self.result = None
        layout = QVBoxLayout(self)
        box = QGroupBox("Donnée à chercher")
        form = QFormLayout(box)
        self.kind = QComboBox()
        self.kind.setObjectName("goalSeekKind")
        self.kind.setAccessibleName("Type de donnée à chercher")
        for key, text in KINDS:
            self.kind.addItem(text, key)
        form.addRow("&Type :", self.kind)
        self.row = QComboBox()
        self.row.setObjectName("goalSeekRow")
        self.row.setAccessibleName("Tranche ou CRRA de la donnée")
        self.row.setMinimumContentsLength(30)
        self.row.setEditable(True)
        self.row.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        completer = QCompleter(self.row.model(), self.row)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.row.setCompleter(completer)
        self.row_label = QLabel("&Ligne :")
        self.row_label.setBuddy(self.row)
        form.addRow(self.row_label, self.row)
        self.key = QComboBox()
        self.key.setObjectName("goalSeekKey")
        self.key.setAccessibleName("Donnée à chercher")
        form.addRow("&Donnée :", self.key)
        self.current_input = QLabel()
        self.current_input.setObjectName("goalSeekCurrentInput")
        form.addRow("Valeur actuelle :", self.current_input)
        layout.addWidget(box)

        box = QGroupBox("Cible")
        form = QFormLayout(box)
        self.unit = UnitChooser(self.document, "goalSeek")
        # The chooser's own labels (« Niveau : », « Unité : ») are its combo boxes' buddies: a
        # form label would be the buddy of the row's container, which names nothing.
        form.addRow(self.unit)
        self.output = QComboBox()
        self.output.setObjectName("goalSeekOutput")
        self.output.setAccessibleName("Résultat visé")
        for key, text in output_items(self.document.scenario.years, percent=True):
            self.output.addItem(text, key)
        form.addRow("&Résultat :", self.output)
        self.value = QLineEdit("0")
        self.value.setObjectName("goalSeekValue")
        self.value.setAccessibleName("Valeur visée")
        self.value.setToolTip("En euros (« 1 250 000 ») ; l'effet revenu en % se tape en "
                              "pourcentage (« −2 % »).")
        form.addRow("Valeur &visée :", self.value)
        self.current_output = QLabel()
        self.current_output.setObjectName("goalSeekCurrentOutput")
        form.addRow("Résultat actuel :", self.current_output)
        layout.addWidget(box)

        self.message = QLabel()
        self.message.setObjectName("goalSeekMessage")
        self.message.setAccessibleName("Réponse de la recherche")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.setMinimumWidth(520)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.search_button = QPushButton("&Chercher")
        self.search_button.setObjectName("goalSeekSearch")
        self.search_button.setDefault(True)
        self.apply_button = QPushButton("&Appliquer")
        self.apply_button.setObjectName("goalSeekApply")
        self.apply_button.setEnabled(False)
        self.apply_button.setToolTip("Donner à la donnée la valeur trouvée (une modification, "
                                     "annulable par Ctrl+Z)")
        buttons.addButton(self.search_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.apply_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton("Fermer", QDialogButtonBox.ButtonRole.RejectRole)
        close.setObjectName("goalSeekClose")
        layout.addWidget(buttons)
        self.search_button.clicked.connect(self.search)
        self.apply_button.clicked.connect(self.apply)
        close.clicked.connect(self.reject)

        self.kind.currentIndexChanged.connect(lambda _i: self._fill_kind())
        for combo in (self.row, self.key, self.output):
            combo.currentIndexChanged.connect(lambda _i: self._changed())
        self.unit.changed.connect(self._changed)
        self.value.textEdited.connect(lambda _t: self._changed())
        self.document.recomputed.connect(self._changed)
        self._preselect(goal_input)
        self.kind.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- choices ------------------------------------------------------------------
    def _fill_kind(self, row: int | None = None, key: str | None = None) -> None:
        kind = self.kind.currentData()
        scenario = self.document.scenario
        for combo in (self.row, self.key):
            combo.blockSignals(True)
            combo.clear()
        if kind == "parameter":
            for k in NATIONAL_INPUTS:
                self.key.addItem(schema.PARAMETER_BY_KEY[k].label, k)
        elif kind == "band":
            for i, label in enumerate(scenario.bands["label"]):
                self.row.addItem(str(label or f"Tranche {i + 1}"), i)
            for k, text in BAND_KEYS:
                self.key.addItem(text, k)
        else:
            crra = scenario.crra
            for i, (ident, label) in enumerate(zip(crra["crra_id"], crra["label"])):
                self.row.addItem(f"{ident} – {label}" if label else str(ident), i)
            for k, text in CRRA_KEYS:
                self.key.addItem(text, k)
        self.row.setEnabled(kind != "parameter")
        self.row.setVisible(kind != "parameter")
        self.row_label.setVisible(kind != "parameter")
        if row is not None:
            self.row.setCurrentIndex(max(self.row.findData(row), 0))
        if key is not None:
            self.key.setCurrentIndex(max(self.key.findData(key), 0))
        for combo in (self.row, self.key):
            combo.blockSignals(False)
        self._changed()

    def _preselect(self, goal_input: GoalInput | None) -> None:
        results = self.document.results
        region = self.document.working_region
        level, unit_key = ("region", region) if region else ("region", None)
        if goal_input is None:
            goal_input = GoalInput.parameter("cout_etp_arm")
        kind = {schema.PARAMETERS_SHEET: "parameter", "Référentiel": "band"}.get(goal_input.sheet, "crra")
        self.kind.blockSignals(True)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.kind.blockSignals(False)
        self._fill_kind(goal_input.position, goal_input.key)
        if kind == "crra" and results is not None:
            # « what must we retain for this CRRA so that its hospital keeps its money »
            level, unit_key = "establishment", results.crra_arrays["finess"][goal_input.row]
        self.unit.set_unit(level, unit_key)
        self.output.setCurrentIndex(max(self.output.findData("revenue_effect"), 0))
        self._changed()

    def goal_input(self) -> GoalInput:
        kind, key = self.kind.currentData(), self.key.currentData()
        if kind == "parameter":
            return GoalInput.parameter(key)
        row = self.row.currentData()
        if row is None:
            raise GoalSeekError("Ligne : choisissez la tranche ou le CRRA dans la liste.")
        return GoalInput.band(row, key) if kind == "band" else GoalInput.crra(row, key)

    def target(self) -> GoalTarget:
        level, key = self.unit.unit()
        if level != "national" and key is None:
            raise GoalSeekError("Unité : choisissez l'unité dans la liste.")
        output = self.output.currentData()
        return GoalTarget(output, parse_target(output, self.value.text()), level, key)

    def _changed(self) -> None:
        """Any change: the answer found no longer holds; the current figures are shown."""
        self.result = None
        self.apply_button.setEnabled(False)
        self.message.setText("")
        results = self.document.results
        if results is None:
            self.current_input.setText("—")
            self.current_output.setText("—")
            self._say("Le scénario contient des erreurs (voir le panneau « Problèmes ») : "
                      "corrigez-les avant de chercher une valeur cible.", error=True)
            return
        try:
            gi = self.goal_input()
            self.current_input.setText(gi.format(gi.current(self.document.scenario, results)))
        except (GoalSeekError, IndexError):
            self.current_input.setText("—")
        level, key = self.unit.unit()
        output = self.output.currentData()
        try:
            mask = unit_mask(results, level, key)
            self.current_output.setText(figure_text(output, output_value(results, output, mask)))
        except UnitError:
            self.current_output.setText("—")

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color:{colour('error_text')}" if error else "")

    # -- actions --------------------------------------------------------------------
    def search(self) -> None:
        """The goal seek on a private copy: the document is not touched."""
        self._changed()
        if self.document.results is None:
            return
        try:
            self.result = goal_seek(self.document.scenario, self.goal_input(), self.target(),
                                    base=self.document.results)
        except GoalSeekError as exc:
            text = str(exc)
            self._say(text[:1].upper() + text[1:], error=True)
            return
        self._say(self.result.message, error=not self.result.reached)
        self.apply_button.setEnabled(self.result.reached)
        if self.result.reached:
            self.apply_button.setFocus()

    def apply(self) -> None:
        """One undoable change: the value found."""
        if self.result is None or not self.result.reached:
            return
        result = self.result
        self.document.push(result.command(self.document.scenario))
        show = getattr(self.window_, "show_message", None)
        if show is not None:
            show(f"{result.label[:1].upper()}{result.label[1:]} (Ctrl+Z pour annuler).")
        self.accept()


def current_cell_input(window) -> GoalInput | None:
    """The CRRA table's current cell as an input, when it is one (DRM, coefficient,
    retained ETP) and the CRRA tab is shown."""
    panel = getattr(window, "crra_panel", None)
    if panel is None or window.tabs.currentWidget() is not panel:
        return None
    index = panel.view.currentIndex()
    if not index.isValid():
        return None
    key = panel.model.columns[index.column()].key
    if key not in CRRA_INPUTS:
        return None
    return GoalInput.crra(panel.model.position(index.row()), key)


def open_goal_seek(window, goal_input: GoalInput | None = None) -> GoalSeekDialog:
    if not isinstance(goal_input, GoalInput):       # a menu's ``checked`` flag
        goal_input = None
    if goal_input is None:
        goal_input = current_cell_input(window)
    dialog = GoalSeekDialog(window, goal_input)
    window.goal_seek_dialog = dialog
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
