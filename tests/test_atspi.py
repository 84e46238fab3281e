"""The real program as a screen reader sees it: its accessibility tree read through AT-SPI.

The program runs in a virtual X server (``xvfb-run -a``: a free display per run) and a
private D-Bus session (``dbus-run-session``), where the AT-SPI bus starts on demand; the
tree is read from another process, the system's Python with pyatspi
(tests/atspi_reader.py), the way Orca reads it. Two runs at once (pytest-xdist workers)
share nothing: display, buses and runtime folder are their own.
"""

import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from migac_desktop.core import schema
from migac_desktop.core.numbers import format_number
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.io.workbook import write_scenario

HERE = Path(__file__).resolve().parent
SYSTEM_PYTHON = "/usr/bin/python3"
APP_NAME = "MIGAC Desktop"
MENUS = ["Fichier", "Édition", "Affichage", "Aide"]
TABS = ["CRRA", "Paramètres nationaux", "Comparaison", "Différences", "Lissage", "Sensibilité",
        "Historique"]
RUN_TIMEOUT = 180       # the whole run (X server, buses, program, reading), seconds
WINDOW_TIMEOUT = 90     # the reader's wait for the window, seconds


def _system_pyatspi() -> bool:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    try:
        check = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return check.returncode == 0


pytestmark = [
    pytest.mark.gui,
    pytest.mark.skipif(
        not sys.platform.startswith("linux") or shutil.which("xvfb-run") is None
        or shutil.which("dbus-run-session") is None or not _system_pyatspi(),
        reason="lecture AT-SPI impossible : xvfb-run (paquet xvfb), dbus-run-session (paquet "
               "dbus-daemon), le bus d'accessibilité (at-spi2-core) et pyatspi pour le Python du "
               "système (paquet python3-pyatspi) sont nécessaires"),
]


def scenario_never_seen() -> Scenario:
    """Twelve CRRA in three regions, DRM drawn at random (thousands: « 123 456 »)."""
    rng = random.Random(17)
    regions = ["Bretagne", "Guyane", "Île-de-France"]
    rows = []
    for i in range(12):
        region = regions[i % 3]
        rows.append(dict(crra_id=f"ACC-{i + 1:02d}", label=f"Centre 15 n° {i + 1}", region=region,
                         departement=f"{20 + i}", finess=f"{200000000 + 7919 * i}",
                         establishment=f"CH n° {i + 1}", drm=float(rng.randrange(20000, 300000)),
                         geo_coef=0.07 if region == "Île-de-France" else 0.0,
                         historic=float(rng.randrange(1_000_000, 6_000_000))))
    return Scenario(crra=make_table(schema.CRRA, rows))


def read_tree(folder: Path, scenario: Path) -> dict:
    """Start the program under Xvfb and a private bus; its AT-SPI tree, as JSON."""
    runtime = folder / "run"            # the buses' sockets and dconf: here, not in the system's temporary folder
    runtime.mkdir(mode=0o700)
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)
    env.update(ATSPI_KEYS="alt+d p", ATSPI_DIALOG="Préférences",      # Édition → Préférences…
               XDG_RUNTIME_DIR=str(runtime), XDG_CONFIG_HOME=str(folder / "config"),
               XDG_DATA_HOME=str(folder / "data"), XDG_CACHE_HOME=str(folder / "cache"),
               PYTHONPATH=os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]))
    command = ["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", "dbus-run-session", "--",
               SYSTEM_PYTHON, str(HERE / "atspi_reader.py"), APP_NAME, str(WINDOW_TIMEOUT), "--",
               sys.executable, "-m", "migac_desktop.ui.app", str(scenario)]
    process = subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=RUN_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        pytest.fail(f"lecture AT-SPI interrompue après {RUN_TIMEOUT} s\n{err[-3000:]}")
    finally:
        _end_group(process.pid)
    lines = [line for line in out.splitlines() if line.startswith("ATSPI-JSON ")]
    assert lines, f"le lecteur AT-SPI n'a rien écrit (code {process.returncode})\n{err[-3000:]}"
    tree = json.loads(lines[-1][len("ATSPI-JSON "):])
    assert "error" not in tree, f"{tree['error']}\n{err[-3000:]}"
    return tree


def _end_group(pgid: int, grace: float = 5.0) -> None:
    """Whatever the run left behind (the bus launcher…) asked to stop, then killed: an X
    server given the time to stop removes its lock and socket from /tmp, a killed one not."""
    import time
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pgid, sig)
        except ProcessLookupError:
            return
        end = time.monotonic() + grace
        while time.monotonic() < end:
            try:
                os.killpg(pgid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


@pytest.fixture(scope="module")
def seen(tmp_path_factory):
    folder = tmp_path_factory.mktemp("atspi")
    scenario = scenario_never_seen()
    path = folder / "jamais vu.xlsx"
    write_scenario(scenario, path)
    return scenario, read_tree(folder, path)


def nodes(node, where=lambda n: True):
    """Every node under ``node`` (itself included), depth first, that ``where`` accepts."""
    found = [node] if where(node) else []
    for child in node["children"]:
        found.extend(nodes(child, where))
    return found


def one(node, role, name=None):
    matches = nodes(node, lambda n: n["role"] == role and (name is None or n["name"] == name))
    assert len(matches) == 1, f"{len(matches)} nœud(s) « {role} » {name or ''} : " \
        f"{[m['name'] for m in matches]}"
    return matches[0]


def window(tree):
    frames = [n for n in tree["application"]["children"] if n["role"] == "frame"]
    assert len(frames) == 1, [f["name"] for f in frames]
    return frames[0]


def unnamed(node) -> bool:
    """What a screen reader would announce without a name: nothing, or for a combo box
    only its current item. On Linux Qt gives a combo box its current item as name and
    its label as a « labelled by » relation (the label whose buddy it is), which Orca reads."""
    if any(label.strip() for label in node.get("labelled_by", ())):
        return False
    name = node["name"].strip()
    return not name or (node["role"] == "combo box" and name in node.get("items", ()))


def test_application_and_window_found_by_name(seen):
    _, tree = seen
    assert tree["application"]["role"] == "application"
    assert tree["application"]["name"] == APP_NAME
    assert not tree["truncated"]
    frame = window(tree)
    assert frame["name"] == "jamais vu.xlsx — MIGAC Desktop"
    assert "showing" in frame["states"]


def test_menu_bar_menus_and_their_items(seen):
    _, tree = seen
    bar = one(window(tree), "menu bar")
    assert [(m["role"], m["name"]) for m in bar["children"]] == [("menu item", m) for m in MENUS]
    items = {m["name"]: [i["name"] for popup in m["children"] if popup["role"] == "popup menu"
                         for i in popup["children"] if i["role"] == "menu item"]
             for m in bar["children"]}
    # Mnemonics are not read out (« &Ouvrir… » is « Ouvrir… »).
    assert {"Ouvrir…", "Enregistrer", "Enregistrer sous…", "Quitter"} <= set(items["Fichier"])
    assert {"Copier", "Coller", "Rechercher un CRRA…"} <= set(items["Édition"])
    assert "Problèmes" in items["Affichage"]
    assert items["Aide"] == ["À propos de MIGAC Desktop"]
    assert not [n for n in items.values() for name in n if not name.strip() or "&" in name]


def main_tabs(tree):
    """The window's tab bar: the page tab list whose first tab is « CRRA » (the explanation
    panel and the « Différences » tab have tab bars of their own)."""
    found = nodes(window(tree), lambda n: n["role"] == "page tab list" and n["children"]
                  and n["children"][0]["name"] == "CRRA")
    assert len(found) == 1, [n["name"] for n in found]
    return found[0]


def main_stack(tree):
    """The pages of the window's tabs: the layered pane whose first page holds the CRRA table."""
    found = [n for n in nodes(window(tree), lambda n: n["role"] == "layered pane")
             if n["children"] and nodes(n["children"][0], lambda c: c["role"] == "table"
                                        and c["name"] == "Tableau des CRRA")]
    assert len(found) == 1, [len(n["children"]) for n in found]
    return found[0]


def test_tabs_are_a_page_tab_list(seen):
    _, tree = seen
    tab_list = main_tabs(tree)
    assert tab_list["name"] == "CRRA"           # Qt names a tab bar after its current tab
    tabs = [t for t in tab_list["children"] if t["role"] == "page tab"]
    assert [t["name"] for t in tabs] == TABS
    assert [t["name"] for t in tabs if "selected" in t["states"]] == ["CRRA"]
    assert all("focusable" in t["states"] for t in tabs)


def test_crra_table_headers_and_cells_are_read(seen):
    scenario, tree = seen
    table = one(window(tree), "table", "Tableau des CRRA")
    assert "focusable" in table["states"]
    facts = table["table"]
    assert facts["rows"] == len(scenario.crra) == 12
    headers = facts["headers"]
    assert headers[:3] == ["Identifiant", "Libellé", "Région"]
    assert "DRM" in headers and "Dotation historique" in headers
    assert all(h and h.strip() for h in headers), headers
    crra = scenario.crra.set_index("crra_id")
    i_id, i_region, i_drm = headers.index("Identifiant"), headers.index("Région"), headers.index("DRM")
    assert len(facts["cells"]) == 5
    for row in facts["cells"]:
        expected = crra.loc[row[i_id]]          # an identifier of the scenario
        assert row[i_region] == expected["region"]
        assert row[i_drm] == format_number(expected["drm"])       # « 123 456 »
        assert "\u00a0" in row[i_drm] or "\u202f" in row[i_drm]


def test_search_field_is_named(seen):
    _, tree = seen
    search = one(window(tree), "text", "Rechercher un CRRA")
    assert "focusable" in search["states"] and search["text"] == ""


def crra_page(tree):
    """The CRRA tab's page: the stacked page that holds the CRRA table."""
    [page] = [p for p in main_stack(tree)["children"]
              if nodes(p, lambda n: n["role"] == "table" and n["name"] == "Tableau des CRRA")]
    return page


def test_every_focusable_control_of_the_crra_tab_is_named(seen):
    _, tree = seen
    page = crra_page(tree)
    focusable = nodes(page, lambda n: "focusable" in n["states"] and "showing" in n["states"])
    roles = {n["role"] for n in focusable}
    assert {"combo box", "text", "push button", "table"} <= roles, roles
    missing = [f"{n['role']} « {n['name']} »" for n in focusable if unnamed(n)]
    assert not missing, "contrôles de l'onglet CRRA sans nom accessible : " + ", ".join(missing)
    # The window's other controls: tab bar, problems panel (menus: the test above).
    outside = [n for child in window(tree)["children"] if child["role"] not in ("menu bar", "status bar")
               for n in nodes(child, lambda n: "focusable" in n["states"] and "showing" in n["states"]
                              and n["role"] not in ("filler", "layered pane"))]
    assert {"page tab list", "list"} <= {n["role"] for n in outside}
    missing = [f"{n['role']} « {n['name']} »" for n in outside if unnamed(n)]
    assert not missing, "contrôles de la fenêtre sans nom accessible : " + ", ".join(missing)


def test_every_tab_as_a_screen_reader_reads_it(seen):
    """Every tab's focusable controls, the hidden tabs' too, with the names the bus carries.

    On Linux Qt names a combo box after its current item whatever its accessible name, and
    its label reaches Orca only as the buddy of a QLabel (« labelled by »): a combo box
    without a buddy label is announced by its value alone."""
    _, tree = seen
    stack = main_stack(tree)
    assert len(stack["children"]) == len(TABS) and stack["children"][0] is crra_page(tree)
    missing = [f"onglet « {tab} » : {n['role']} « {n['name']} »"
               for tab, page in zip(TABS, stack["children"])
               for n in nodes(page, lambda n: "focusable" in n["states"]
                              and n["role"] not in ("filler", "layered pane"))
               if unnamed(n)]
    assert not missing, "contrôles sans nom pour le lecteur d'écran :\n" + "\n".join(missing)


def test_a_dialog_opened_from_the_keyboard_is_read(seen):
    """Alt+D then P (Édition → Préférences…), typed through the X server: the dialog is a
    « dialog » named by its title, its field named and focused, its buttons named."""
    _, tree = seen
    dialog = tree.get("dialog")
    if dialog is not None and "xdotool manquant" in dialog.get("error", ""):
        pytest.skip("xdotool (paquet xdotool) est nécessaire pour taper dans la fenêtre")
    assert dialog is not None and "error" not in dialog, dialog
    assert dialog["role"] == "dialog" and dialog["name"] == "Préférences — MIGAC Desktop"
    field = one(dialog, "text", "Nom d'auteur du journal")
    assert "focused" in field["states"]
    buttons = {n["name"] for n in nodes(dialog, lambda n: n["role"] == "push button")}
    assert {"Enregistrer", "Annuler"} <= buttons, buttons
    missing = [f"{n['role']} « {n['name']} »" for n in nodes(dialog, lambda n: "focusable" in n["states"])
               if unnamed(n)]
    assert not missing, missing
