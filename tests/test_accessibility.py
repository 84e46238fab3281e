"""Every control that takes keyboard focus, tab by tab: a name a screen reader can say,
and a place on the Tab chain (issue 17, « Tested with a real screen-reader stack »).

The name is the one Qt hands to the screen reader (QAccessibleInterface, what AT-SPI,
UI Automation and VoiceOver read): the accessible name, else the text of a button or of
the label whose buddy the field is, or the title of its group box. A combo box counts
only by its buddy label: on Linux Qt says its current item (« Toutes les régions ») whatever
its accessible name, which names the value, not the control; the label whose buddy it is
reaches the screen reader as its « labelled by » relation.
"""

from pathlib import Path

import pytest
from conftest import open_window
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QLabel, QWidget

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "scenario_national_2014.xlsx"
TABS = ["CRRA", "Paramètres nationaux", "Comparaison", "Différences", "Lissage", "Sensibilité",
        "Historique"]
WINDOW = "fenêtre"              # what is outside the tabs: tab bar, problems panel


def buddy_text(widget: QWidget) -> str:
    labels = widget.window().findChildren(QLabel)
    return " ".join(label.text().replace("&", "").strip() for label in labels if label.buddy() is widget)


def spoken_name(widget: QWidget) -> str:
    """The name a screen reader announces for ``widget`` (see the module's docstring)."""
    from PySide6.QtGui import QAccessible

    if isinstance(widget, QComboBox):
        return buddy_text(widget)
    own = widget.accessibleName().strip()
    if own:
        return own
    interface = QAccessible.queryAccessibleInterface(widget)
    name = interface.text(QAccessible.Text.Name).replace("&", "").strip() if interface else ""
    if isinstance(widget, QAbstractButton) and not name:
        name = widget.text().replace("&", "").strip()
    return name


def takes_focus(widget: QWidget) -> bool:
    """Focus reaches it with Tab: its own policy, shown, no proxy taking its focus."""
    return (bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus) and widget.isVisible()
            and widget.focusProxy() is None)


def focusable_in(root: QWidget, skip=()) -> list[QWidget]:
    found = [w for w in [root, *root.findChildren(QWidget)] if takes_focus(w)]
    return [w for w in found if not any(s is w or s.isAncestorOf(w) for s in skip)]


def describe(widget: QWidget, where: str) -> str:
    state = "" if widget.isEnabled() else ", désactivé"
    return f"{widget.objectName() or '(sans objectName)'} ({type(widget).__name__}{state}) — {where}"


def focus_chain(start: QWidget) -> list[QWidget]:
    """``nextInFocusChain`` from ``start`` round to it again."""
    chain, widget = [start], start.nextInFocusChain()
    while widget is not start and len(chain) < 20000:
        chain.append(widget)
        widget = widget.nextInFocusChain()
    return chain


def tab_walk(qtbot, window, start: QWidget) -> list[QWidget]:
    """What Tab gives the focus to, from ``start`` until it comes back: Qt's own move
    (``focusNextPrevChild``), the one a Tab key makes when the widget lets it pass."""
    start.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is start, timeout=2000)
    reached = [start]
    for _ in range(500):
        window.focusNextChild()
        focus = QApplication.focusWidget()
        if focus is None or focus is start or focus in reached:
            break
        reached.append(focus)
    return reached


@pytest.fixture
def national_window(qtbot, tmp_path, monkeypatch):
    window = open_window(qtbot, tmp_path, monkeypatch, None, size=(1366, 768))
    assert window.open_path(SAMPLE, ask=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


def check_area(qtbot, window, area: str) -> tuple[list[str], list[str], int]:
    """The unnamed and the unreached controls of one tab (or of the window around the
    tabs), each described precisely; and how many controls were looked at."""
    tabs = window.tabs
    pages = [tabs.widget(i) for i in range(tabs.count())]
    if area == WINDOW:
        tabs.setCurrentIndex(0)
        QApplication.processEvents()
        controls = focusable_in(window, skip=pages + [window.menuBar()])
        start = tabs.tabBar()
    else:
        tabs.setCurrentIndex(TABS.index(area))
        QApplication.processEvents()
        page = tabs.currentWidget()
        controls = focusable_in(page)
        start = page
    where = f"onglet « {area} »" if area != WINDOW else "autour des onglets"
    unnamed = [describe(w, where) for w in controls if not spoken_name(w)]
    chain = focus_chain(start)
    walked = tab_walk(qtbot, window, tabs.tabBar())
    unreached = [describe(w, where) + (" : hors de la chaîne nextInFocusChain" if w not in chain
                                       else " : la touche Tab ne l'atteint pas")
                 for w in controls if w not in chain or (w.isEnabled() and w not in walked)]
    return unnamed, unreached, len(controls)


@pytest.fixture
def unseen_window(qtbot, tmp_path, monkeypatch):
    """The window on a scenario it never saw (random figures, four regions), opened from a file."""
    from test_real_program import unseen_scenario

    from migac_desktop.io.workbook import write_scenario
    path = tmp_path / "jamais vu.xlsx"
    write_scenario(unseen_scenario(1789), path)
    window = open_window(qtbot, tmp_path, monkeypatch, None, size=(1366, 768))
    assert window.open_path(path, ask=False)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)
    return window


@pytest.mark.parametrize("area", [*TABS, WINDOW])
@pytest.mark.parametrize("which", ["national_window", "unseen_window"])
def test_every_focusable_control_is_named_and_on_the_tab_chain(qtbot, request, which, area):
    window = request.getfixturevalue(which)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == TABS
    unnamed, unreached, looked_at = check_area(qtbot, window, area)
    assert looked_at >= 2
    assert not unreached, "contrôles hors de l'ordre de tabulation :\n" + "\n".join(unreached)
    assert not unnamed, f"{len(unnamed)} contrôle(s) sans nom accessible :\n" + "\n".join(unnamed)


def test_the_check_sees_an_unnamed_control(qtbot, national_window):
    """A field added without a name is reported, with where it is; named, it is not."""
    from PySide6.QtWidgets import QLineEdit

    window = national_window
    page = window.crra_panel
    field = QLineEdit(page)
    field.setObjectName("champTémoin")
    page.layout().addWidget(field)
    unnamed, _, _ = check_area(qtbot, window, "CRRA")
    assert unnamed == ["champTémoin (QLineEdit) — onglet « CRRA »"]
    field.setAccessibleName("Champ témoin")
    assert check_area(qtbot, window, "CRRA")[0] == []


def test_the_check_sees_a_keyboard_trap(qtbot, national_window):
    """A field that sends the focus back (a keyboard trap): the controls after it are
    reported as out of the Tab key's reach."""
    from PySide6.QtWidgets import QLineEdit

    window = national_window
    page = window.crra_panel

    class Trap(QLineEdit):
        def focusInEvent(self, event):
            super().focusInEvent(event)
            page.region.setFocus(Qt.FocusReason.OtherFocusReason)

    trap = Trap(page)
    trap.setObjectName("piège")
    trap.setAccessibleName("Piège")
    page.layout().addWidget(trap)
    QWidget.setTabOrder(page.region, trap)
    _, unreached, _ = check_area(qtbot, window, "CRRA")
    assert "crraSearch (QLineEdit) — onglet « CRRA » : la touche Tab ne l'atteint pas" in unreached
    assert not [line for line in unreached if line.startswith("crraRegionFilter")]


def test_region_label_names_and_reaches_the_crra_filter(qtbot, national_window):
    """« Région : » is the filter's buddy: Orca reads it as the filter's label, and its
    mnemonic Alt+R moves the focus to the filter."""
    window = national_window
    panel = window.crra_panel
    assert buddy_text(panel.region) == "Région :"
    panel.view.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.view, timeout=2000)
    qtbot.keyClick(panel.view, Qt.Key.Key_R, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is panel.region


def test_charts_are_named_described_from_their_data_and_lead_to_their_table(qtbot, national_window):
    """The comparison's « Effet revenu trié »: the chart is on the Tab chain, named, and its
    description names the regions of the smallest and the largest effet revenu, as drawn;
    Entrée on it goes to the table its figures come from."""
    from migac_desktop.core.numbers import format_signed_euros

    window = national_window
    window.tabs.setCurrentWidget(window.comparison_panel)
    panel = window.comparison_panel
    panel.chart_kind.setCurrentIndex(panel.chart_kind.findData("effect"))
    chart = panel.chart
    qtbot.waitUntil(lambda: "Effet revenu" in chart.accessibleDescription(), timeout=5000)
    regions = window.document.results.regions.sort_values("revenue_effect")
    low, high = regions.iloc[0], regions.iloc[-1]
    text = chart.accessibleDescription()
    assert chart.accessibleName() == "Graphique de comparaison"
    assert f"de {format_signed_euros(low['revenue_effect'])} ({low['region']})" in text, text
    assert f"à {format_signed_euros(high['revenue_effect'])} ({high['region']})" in text, text
    assert "« Tableau de comparaison »" in text
    assert chart in focusable_in(window.comparison_panel)
    chart.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is chart, timeout=2000)
    qtbot.keyClick(chart, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is panel.table
