"""Undo and redo wherever the focus is, as in Excel.

A ``QLineEdit`` keeps its own little undo history and takes Ctrl+Z for it, so
inside a parameter field or a cell being edited the window's « Annuler » never
fired. Here a field of the document (a parameter, a cell editor) hands the undo
and redo keys to the window: the typed value is committed first (it becomes one
undoable command like any other), then the document's stack undoes or redoes.
Fields that edit no document (the search box) keep Qt's own behaviour.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView, QApplication, QLineEdit, QWidget

OWN_UNDO = "ownUndo"     # property: this field's Ctrl+Z is its own (search boxes)


def undo_keys() -> list[QKeySequence]:
    """Ctrl+Z (the platform's undo); built once the application exists."""
    return [QKeySequence(QKeySequence.StandardKey.Undo)]


def redo_keys() -> list[QKeySequence]:
    """Ctrl+Y as in Excel, Ctrl+Maj+Z, and the platform's redo when it is another."""
    keys = [QKeySequence("Ctrl+Y"), QKeySequence("Ctrl+Shift+Z")]
    keys += [k for k in QKeySequence.keyBindings(QKeySequence.StandardKey.Redo) if k not in keys]
    return keys


def _matches(event, sequences) -> bool:
    pressed = QKeySequence(event.keyCombination())
    return any(pressed.matches(s) == QKeySequence.SequenceMatch.ExactMatch
               for s in sequences if not s.isEmpty())


def _editing_view(widget: QWidget) -> QAbstractItemView | None:
    """The item view whose cell editor ``widget`` is, if any."""
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractItemView):
            return parent if parent.state() == QAbstractItemView.State.EditingState else None
        parent = parent.parentWidget()
    return None


def commit_pending_edit(widget: QWidget | None) -> None:
    """Write what is typed in ``widget`` (a cell editor or a document field) to the
    document, as the Enter key would."""
    if not isinstance(widget, QLineEdit) or widget.property(OWN_UNDO):
        return
    view = _editing_view(widget)
    if view is not None:
        view.commitData(widget)
        view.closeEditor(widget, QAbstractItemDelegate.EndEditHint.NoHint)
    elif widget.isModified():
        widget.editingFinished.emit()


class EditKeys(QObject):
    """Application event filter: undo / redo keys of the window's fields go to the window."""

    def __init__(self, window: QWidget, undo, redo):
        super().__init__(window)
        self.window, self.undo, self.redo = window, undo, redo
        self.undo_keys, self.redo_keys = undo_keys(), redo_keys()
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
            return False
        if not isinstance(obj, QLineEdit) or obj.property(OWN_UNDO) or obj.window() is not self.window:
            return False
        action = (self.undo if _matches(event, self.undo_keys)
                  else self.redo if _matches(event, self.redo_keys) else None)
        if action is None:
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()      # the key press comes to the field, and so to this filter
            return True
        action()
        return True

    def uninstall(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

