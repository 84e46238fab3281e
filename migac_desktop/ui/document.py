"""The open scenario as the window sees it: undo stack, results, problems.

Data flows one way: a view pushes a core command through :meth:`push`; the
command changes the scenario; the document validates, recomputes and emits
what changed; views refresh from that. No view writes into a DataFrame.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..core import journal
from ..core.commands import Change, Command
from ..core.model import Results
from ..core.scenario import Scenario
from ..core.validation import Problem, errors_of, evaluate


class _UndoCommand(QUndoCommand):
    """Adapts a core command to the Qt stack; ``push`` runs ``redo`` at once."""

    def __init__(self, document: Document, command: Command):
        super().__init__(command.label)
        self.document = document
        self.command = command
        self.pushed = False          # the first redo is the push itself

    def redo(self) -> None:
        text = self.command.journal_text()
        self.document._journal(text if not self.pushed else journal.redone(text))
        self.pushed = True
        self.document._changed(self.command.redo(self.document.scenario))

    def undo(self) -> None:
        self.document._journal(journal.undone(self.command.journal_text()))
        self.document._changed(self.command.undo(self.document.scenario))


class Document(QObject):
    reset = Signal()                 # a new scenario: every view rebuilds
    edited = Signal(object)          # a Change (inputs), before results refresh
    recomputed = Signal()            # results and problems are new
    pathChanged = Signal()
    workingRegionChanged = Signal(object)   # the region name, or None for every region
    journalChanged = Signal()        # an entry added, saved or given a reason

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.scenario = Scenario()
        self.path: Path | None = None
        self.results: Results | None = None
        self.problems: list[Problem] = []
        self.undo_stack = QUndoStack(self)
        self._read_warnings: list[Problem] = []
        self._working_region: str | None = None
        # The journal's entries not yet saved, in order (undos and redos included).
        self.journal: list[journal.Entry] = []
        # The scenario as it was opened: a reference to compare with (ui/reference.py).
        self.scenario_at_open: Scenario | None = None
        self._recompute()

    # -- state ---------------------------------------------------------------
    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def errors(self) -> list[Problem]:
        return errors_of(self.problems)

    @property
    def working_region(self) -> str | None:
        """The region the modeller works on (chosen in the CRRA tab), None for all:
        the comparison, the smoothing tab and the report start on it."""
        return self._working_region

    def set_working_region(self, region: str | None) -> None:
        region = region or None
        if region != self._working_region:
            self._working_region = region
            self.workingRegionChanged.emit(region)

    def region_names(self) -> list[str]:
        """The scenario's regions in French order (every drop-down lists them so)."""
        from ..core.french import sorted_french
        return sorted_french({r for r in self.scenario.crra["region"] if isinstance(r, str) and r.strip()})

    def result_region_names(self) -> list[str]:
        """The computed scenario's regions in French order; none while it has errors."""
        from ..core.french import sorted_french
        return sorted_french(str(r) for r in self.results.region_names) if self.results is not None else []

    def display_name(self) -> str:
        if self.path is not None:
            return self.path.name
        return "Sans titre"

    # -- changes -------------------------------------------------------------
    def load(self, scenario: Scenario, path: Path | None, problems: list[Problem] | None = None,
             evaluation: tuple[list[Problem], Results | None] | None = None) -> None:
        """Replace the open scenario (Nouveau, Ouvrir): the stack starts clean.

        ``evaluation``: what the reader's ``evaluate`` gave (``Loaded.evaluation``),
        so that opening a file runs the model once, not twice.
        """
        self.undo_stack.clear()
        self.journal = []
        self.scenario = scenario
        self.scenario_at_open = scenario.copy()     # commands change the open one in place
        self.path = Path(path) if path is not None else None
        # Warnings found while reading (unknown keys, defaults taken) stay listed.
        # The reader's list holds the evaluation's own problems too: those are recomputed
        # after each edit, not kept (a warning of the policy was listed twice, and stayed).
        evaluated = evaluation[0] if evaluation is not None else []
        self._read_warnings = [p for p in problems or []
                               if not p.is_error and p.position is None and p not in evaluated]
        self._recompute(evaluation)
        self.reset.emit()
        self.pathChanged.emit()

    def push(self, command: Command) -> None:
        self.undo_stack.push(_UndoCommand(self, command))

    def saved_as(self, path: Path, extra_sheets: dict | None = None) -> None:
        """The scenario is in ``path``; ``extra_sheets``: the sheets as written, the
        journal extended by the entries that were pending (now history)."""
        self.path = Path(path)
        if extra_sheets is not None:
            self.scenario.extra_sheets = extra_sheets
        self.journal = []
        self.undo_stack.setClean()
        self.journalChanged.emit()
        self.pathChanged.emit()

    def saved_journal(self) -> list[tuple]:
        """The journal's rows as the file holds them (header excluded)."""
        return journal.saved_rows(self.scenario.extra_sheets)

    def set_reason(self, index: int, reason: str) -> None:
        """The « Motif » of the pending entry ``index`` (not an undoable edit: it
        annotates the history, it changes no input)."""
        if self.journal[index].reason != reason:
            self.journal[index].reason = reason
            self.journalChanged.emit()

    def _journal(self, action: str) -> None:
        self.journal.append(journal.Entry(action))
        self.journalChanged.emit()

    def _changed(self, change: Change) -> None:
        self.edited.emit(change)
        self._recompute()
        self.recomputed.emit()

    def _recompute(self, evaluation=None) -> None:
        problems, self.results = evaluation if evaluation is not None else evaluate(self.scenario)
        self.problems = self._read_warnings + problems
