"""Reads the real program's accessibility tree through AT-SPI, as a screen reader does.

Run by tests/test_atspi.py with the SYSTEM Python (pyatspi comes from Debian's
python3-pyatspi, not from the project's environment), inside a virtual X server and a
private D-Bus session:

    xvfb-run -a dbus-run-session -- python3 atspi_reader.py APP_NAME TIMEOUT -- PROGRAM…

It starts PROGRAM in its own process group, waits (polling the AT-SPI registry) until an
application APP_NAME with a window shows, and prints on stdout one line, ``ATSPI-JSON`` and a JSON object: the
application's name and its tree (role, name, states, labels (« labelled by »), a text field's text, a table's size,
column headers and first cells), then ends the program's process group. No project module
is imported: the reader sees only what the accessibility bus carries.

With ``ATSPI_KEYS`` (xdotool's key names, « alt+d p ») and ``ATSPI_DIALOG`` (a dialog's
title) in the environment, the keys are then typed into the window (xdotool, through the X
server, as a user would) and the dialog that opens is read too, under ``"dialog"``.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pyatspi
from gi.repository import GLib

MARK = "ATSPI-JSON "
MAX_NODES = 5000
CELL_ROWS = 5           # rows of each table whose cells are read
# Roles whose children are not walked: a table's cells are read through its Table
# interface (thousands of children), a combo box's child is its popup list.
LEAF_ROLES = {"table", "tree table", "combo box", "list", "tree"}
STATES = {"focusable": pyatspi.STATE_FOCUSABLE, "showing": pyatspi.STATE_SHOWING,
          "visible": pyatspi.STATE_VISIBLE, "enabled": pyatspi.STATE_ENABLED,
          "focused": pyatspi.STATE_FOCUSED, "selected": pyatspi.STATE_SELECTED}


def _text(accessible) -> str | None:
    try:
        text = accessible.queryText()
    except NotImplementedError:
        return None
    return text.getText(0, text.characterCount)


def _table(accessible) -> dict | None:
    try:
        table = accessible.queryTable()
    except NotImplementedError:
        return None
    n_rows, n_columns = table.nRows, table.nColumns
    headers = []
    for c in range(n_columns):
        header = table.getColumnHeader(c)
        headers.append(header.name if header is not None else table.getColumnDescription(c))
    cells = []
    for r in range(min(n_rows, CELL_ROWS)):
        row = []
        for c in range(n_columns):
            cell = table.getAccessibleAt(r, c)
            row.append(None if cell is None else (_text(cell) or cell.name))
        cells.append(row)
    return {"rows": n_rows, "columns": n_columns, "headers": headers, "cells": cells}


def describe(accessible, budget: list[int]) -> dict:
    """One node and, within the budget, its children."""
    budget[0] -= 1
    role = accessible.getRoleName()
    states = accessible.getState()
    node = {"role": role, "name": accessible.name or "", "description": accessible.description or "",
            "states": sorted(k for k, v in STATES.items() if states.contains(v))}
    labels = [target.name for relation in accessible.getRelationSet()
              if relation.getRelationType() == pyatspi.RELATION_LABELLED_BY
              for target in (relation.getTarget(i) for i in range(relation.getNTargets()))
              if target is not None]
    if labels:
        node["labelled_by"] = labels
    if role in ("text", "entry", "password text"):
        node["text"] = _text(accessible)
    if role in ("table", "tree table"):
        node["table"] = _table(accessible)
    if role == "combo box":     # Qt names an unnamed combo box after its current item
        node["items"] = [item.name for popup in accessible if popup is not None
                         for _, item in zip(range(60), popup) if item is not None]
    children = []
    if role not in LEAF_ROLES:
        for child in accessible:
            if budget[0] <= 0:
                break
            if child is not None:
                children.append(describe(child, budget))
    node["children"] = children
    return node


def find_application(name: str):
    desktop = pyatspi.Registry.getDesktop(0)
    for application in desktop:
        if application is not None and application.name == name and application.childCount:
            frames = [w for w in application if w is not None and w.getRoleName() == "frame"]
            if frames and any(f.childCount for f in frames):
                return application
    return None


def settled(application) -> bool:
    """The window shows its tabs and its CRRA table has rows (the scenario is open)."""
    for frame in application:
        found = pyatspi.findDescendant(
            frame, lambda a: a.getRoleName() == "table" and a.queryTable().nRows > 0)
        if found is not None:
            return True
    return False


def read_dialog(application, title: str, keys: str, timeout: float) -> dict:
    """Type ``keys`` into the program's window, then read the dialog ``title`` it opens."""
    if shutil.which("xdotool") is None:
        return {"error": "xdotool manquant : la boîte de dialogue n'a pas été ouverte"}
    found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "MIGAC Desktop"],
                           capture_output=True, text=True, timeout=30).stdout.split()
    if not found:
        return {"error": "fenêtre introuvable par xdotool"}
    subprocess.run(["xdotool", "windowfocus", "--sync", found[-1]], timeout=30, check=False)
    time.sleep(0.5)
    for key in keys.split():
        subprocess.run(["xdotool", "key", key], timeout=30, check=False)
        time.sleep(0.6)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for window in application:
            # Qt adds the application's name to a dialog's title: « Préférences — MIGAC Desktop ».
            if window is not None and window.getRoleName() == "dialog" and window.name.startswith(title):
                time.sleep(0.5)
                return describe(window, [MAX_NODES])
        time.sleep(0.3)
    return {"error": f"aucune boîte de dialogue « {title} » après {timeout:.0f} s "
                     f"(fenêtres : {[w.name for w in application if w is not None]})"}


def main() -> int:
    separator = sys.argv.index("--")
    app_name, timeout = sys.argv[1], float(sys.argv[2])
    program = sys.argv[separator + 1:]
    env = dict(os.environ, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_ACCESSIBILITY="1")
    env.pop("QT_QPA_PLATFORM", None)            # the X server, not offscreen
    child = subprocess.Popen(program, env=env, start_new_session=True)
    result: dict = {}
    try:
        deadline = time.monotonic() + timeout
        application = None
        while time.monotonic() < deadline:
            if child.poll() is not None:
                result["error"] = f"le programme s'est arrêté (code {child.returncode})"
                break
            try:
                application = find_application(app_name)
                if application is not None and settled(application):
                    break
            except (GLib.Error, AttributeError, NotImplementedError):   # an object that went away
                pass
            application = None
            time.sleep(0.3)
        if application is None and "error" not in result:
            names = [a.name for a in pyatspi.Registry.getDesktop(0) if a is not None]
            result["error"] = (f"aucune application « {app_name} » avec une fenêtre après "
                               f"{timeout:.0f} s (applications vues : {names})")
        if application is not None:
            time.sleep(0.5)             # the last repaints after the scenario opened
            budget = [MAX_NODES]
            result["application"] = describe(application, budget)
            result["truncated"] = budget[0] <= 0
            if os.environ.get("ATSPI_KEYS") and os.environ.get("ATSPI_DIALOG"):
                result["dialog"] = read_dialog(application, os.environ["ATSPI_DIALOG"],
                                               os.environ["ATSPI_KEYS"], 30)
    except Exception as exc:  # noqa: BLE001 -- the test shows it rather than an empty output
        result["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        try:
            os.killpg(child.pid, signal.SIGTERM)
            child.wait(10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(child.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            child.wait()
    # One marked line: the bus's own daemons print on the same stdout.
    print(MARK + json.dumps(result, ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
