"""What the workbook package raises: an unreadable scenario, a failed save."""

from __future__ import annotations

from typing import NoReturn

from ...core.validation import ERROR, Problem
from ...oserrors import WriteError

_SAVE_ADVICE = "Enregistrez-le au format .xlsx depuis Excel ou LibreOffice."


class WorkbookError(Exception):
    """The file cannot give a scenario at all; ``problems`` says why, in French."""

    def __init__(self, problems: list[Problem], filename: str | None = None):
        self.problems = list(problems)
        self.filename = filename
        super().__init__(self._message())

    def _message(self) -> str:
        if len(self.problems) == 1 and not self.problems[0].location:
            return self.problems[0].message
        head = (f"Le fichier « {self.filename} » ne peut pas être ouvert comme scénario :"
                if self.filename else "Le classeur ne peut pas être ouvert comme scénario :")
        return "\n".join([head] + [f"  • {p}" for p in self.problems])


WorkbookWriteError = WriteError   # saving failed; the previous file, if any, is untouched


def _fail(message: str, name: str) -> NoReturn:
    raise WorkbookError([Problem(ERROR, message)], name)


def _not_xlsx(name: str, reason: str) -> NoReturn:
    _fail(f"Le fichier « {name} » n'est pas un classeur Excel (.xlsx) lisible : {reason}. "
          f"{_SAVE_ADVICE}", name)
