"""Charts: the Qt-free builders on the worked example, and the ChartView widget offscreen."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import REGIONS_2014, worked_example
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.text import Text

from migac_desktop.core import schema
from migac_desktop.core.model import compute
from migac_desktop.core.numbers import NBSP
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.reporting import charts

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SCREEN = dict(figsize=(9, 5), dpi=100)           # 900 × 500 px
A4_LANDSCAPE = dict(figsize=(11.69, 8.27), dpi=100)



def plain(text: str) -> str:
    return text.replace(NBSP, " ").replace("\u202f", " ")


def cents(values):
    return [round(float(v), 2) for v in values]


@pytest.fixture(scope="module")
def results():
    return compute(worked_example())


@pytest.fixture(scope="module")
def notified_results():
    scenario = worked_example()
    scenario.envelopes = make_table(schema.ENVELOPES, [
        dict(region="Bêta", year=2014, amount=8_300_000),
        dict(region="Bêta", year=2015, amount=8_500_000)])
    return compute(scenario)


def national_like() -> Scenario:
    """26 regions, 101 CRRA with long labels and hospital names, seeded."""
    rng = np.random.default_rng(2014)
    rows, n = [], 0
    for r, region in enumerate(REGIONS_2014):
        for _ in range(1 + (r * 7) % 6 + (r % 3 == 0)):
            n += 1
            drm = float(rng.integers(20_000, 420_000))
            rows.append(dict(
                crra_id=f"SAMU-{n:03d}", label=f"SAMU {n:02d} – Département numéro {n}",
                region=region, departement=f"{n:02d}", finess=f"{r + 1:02d}{n:07d}",
                establishment=f"Centre hospitalier universitaire de la ville {n}",
                drm=drm, geo_coef=0.07 if region == "Île-de-France" else 0.0,
                historic=round(drm * rng.uniform(8, 22) + 600_000, 0)))
    return Scenario(crra=make_table(schema.CRRA, rows))


@pytest.fixture(scope="module")
def big_results():
    return compute(national_like())


def by_gid(ax, gid):
    found = [c for c in ax.containers if c.patches and c.patches[0].get_gid() == gid]
    found += [a for a in ax.get_children() if a.get_gid() == gid]
    assert found, f"aucun élément {gid!r}"
    return found[0]


def all_texts(fig):
    return [plain(t.get_text()) for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def assert_nothing_clipped(fig):
    """Every axes with its labels, every legend, every value label inside the figure."""
    fig.draw_without_rendering()
    page = fig.bbox
    for ax in fig.axes:
        box = ax.get_tightbbox()
        assert box.x0 >= page.x0 - 1 and box.y0 >= page.y0 - 1, (box, page)
        assert box.x1 <= page.x1 + 1 and box.y1 <= page.y1 + 1, (box, page)
        inside = ax.get_window_extent()
        for text in ax.texts:                    # value labels at the bar ends
            if text.get_in_layout():
                continue
            t = text.get_window_extent()
            assert inside.x0 - 1 <= t.x0 and t.x1 <= inside.x1 + 1, text.get_text()
    for legend in fig.legends:
        box = legend.get_window_extent()
        assert page.x0 - 1 <= box.x0 and box.x1 <= page.x1 + 1
        assert page.y0 - 1 <= box.y0 and box.y1 <= page.y1 + 1


# -- French formatting ------------------------------------------------------
def test_french_number_helpers():
    assert plain(charts.format_millions(12_500_000)) == "12,5 M€"
    assert plain(charts.format_thousands(162_131)) == "162 k€"
    assert plain(charts.format_compact_euros(-2_064_999)) == "−2,1 M€"
    assert plain(charts.format_compact_euros(45_600)) == "46 k€"


def test_tick_formatter_chooses_unit_and_decimals():
    f = charts.FrenchFormatter("euros")
    assert [plain(s) for s in f.format_ticks([0, 2.5e6, 5e6, 7.5e6])] == [
        "0", "2,5 M€", "5,0 M€", "7,5 M€"]
    assert [plain(s) for s in f.format_ticks([0, 10e6, 20e6])] == ["0", "10 M€", "20 M€"]
    assert [plain(s) for s in f.format_ticks([0, 200_000, 400_000])] == ["0", "200 k€", "400 k€"]
    signed = charts.FrenchFormatter("euros", signed=True)
    assert [plain(s) for s in signed.format_ticks([-1e6, 0, 1e6])] == ["−1 M€", "0", "+1 M€"]
    pct = charts.FrenchFormatter("percent", signed=True)
    assert [plain(s) for s in pct.format_ticks([-0.1, 0, 0.05])] == ["−10 %", "0", "+5 %"]
    assert [plain(s) for s in charts.FrenchFormatter("number").format_ticks([95, 97.5, 100])] == [
        "95,0", "97,5", "100,0"]


def test_entity_titles(results):
    assert charts.entity_title(results, "national") == "France entière"
    assert charts.entity_title(results, "region", "Bêta") == "Région Bêta"
    assert charts.entity_title(results, "crra", "SAMU-A1") == "CRRA SAMU-A1 (SAMU A1)"
    assert charts.entity_title(results, "establishment", "020000001") == \
        "Établissement 020000001 – CHU B"


# -- builders on the worked example -----------------------------------------
def test_comparison_bars(results):
    fig = charts.draw_comparison_bars(Figure(**SCREEN), results)
    ax, = fig.axes
    historic, modelled = by_gid(ax, "historic"), by_gid(ax, "modelled")
    assert len(historic.patches) == 2 and len(modelled.patches) == 2
    # Sorted by historic, largest first: Bêta (8,1 M€) then Alpha (5,2 M€).
    assert [plain(t.get_text()) for t in ax.get_yticklabels()] == ["Bêta", "Alpha"]
    assert cents(p.get_width() for p in historic.patches) == [8_100_000, 5_200_000]
    assert cents(p.get_width() for p in modelled.patches) == [8_910_654.08, 4_389_345.92]
    assert [p.get_facecolor() for p in historic.patches][0] != modelled.patches[0].get_facecolor()
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Dotation historique 2013", "Montant modélisé"]
    texts = all_texts(fig)
    assert "+10,0 %" in texts and "−15,6 %" in texts
    assert_nothing_clipped(fig)


def test_comparison_bars_follow_the_historic_year(results):
    fig = charts.draw_comparison_bars(Figure(**SCREEN), results, historic_year=2012)
    assert fig.legends[0].get_texts()[0].get_text() == "Dotation historique 2012"


@pytest.mark.parametrize("level, expected", [
    ("region", [810_654.08, -810_654.08]),
    ("establishment", [810_654.08, -385_637.22, -425_016.86]),
    ("crra", [765_853.00, 44_801.08, -385_637.22, -425_016.86]),
])
def test_revenue_effect_bars_are_the_effects(results, level, expected):
    fig = charts.draw_revenue_effect(Figure(**SCREEN), results, level)
    ax, = fig.axes
    bars = by_gid(ax, "revenue_effect")
    assert cents(p.get_width() for p in bars.patches) == expected
    green, red = (np.array(to_rgb(c)) for c in (charts.GAIN_COLOUR, charts.LOSS_COLOUR))
    for patch, value in zip(bars.patches, expected):
        colour = np.array(patch.get_facecolor()[:3])
        assert np.allclose(colour, green if value > 0 else red)
    zero = by_gid(ax, "zero")
    assert list(zero.get_xdata()) == [0, 0]
    assert_nothing_clipped(fig)


def test_revenue_effect_labels_and_percent(results):
    fig = charts.draw_revenue_effect(Figure(**SCREEN), results, "region")
    texts = all_texts(fig)
    assert "+810 654 € (+10,0 %)" in texts
    assert "−810 654 € (−15,6 %)" in texts
    fig = charts.draw_revenue_effect(Figure(**SCREEN), results, "crra", region="Alpha",
                                     percent=True)
    ax, = fig.axes
    bars = by_gid(ax, "revenue_effect")
    pct = results.crra.set_index("crra_id")["revenue_effect_pct"]
    assert [round(p.get_width(), 9) for p in bars.patches] == [
        round(pct["SAMU-A2"], 9), round(pct["SAMU-A1"], 9)]
    assert "−12,9 % (−425 017 €)" in all_texts(fig)
    assert charts.chart_title(fig) == "Effet revenu par CRRA – Région Alpha"


def test_revenue_effect_keeps_the_largest_when_too_many(big_results):
    fig = charts.draw_revenue_effect(Figure(**SCREEN), big_results, "crra", max_bars=12)
    bars = by_gid(fig.axes[0], "revenue_effect")
    widths = [p.get_width() for p in bars.patches]
    assert len(widths) == 12
    assert widths == sorted(widths, reverse=True)
    twelfth = np.sort(np.abs(big_results.crra["revenue_effect"].to_numpy()))[-12]
    assert min(abs(w) for w in widths) == pytest.approx(twelfth)
    total = len(big_results.crra)
    assert total > 90
    assert any(f"sur {total} CRRA" in t for t in all_texts(fig))


def test_scatter(results):
    fig = charts.draw_scatter(Figure(**SCREEN), results)
    ax, = fig.axes
    diagonal = by_gid(ax, "diagonal")
    assert list(diagonal.get_xdata()) == list(diagonal.get_ydata())
    assert diagonal.get_label() == "Modèle = historique"
    winners, losers = by_gid(ax, "winners"), by_gid(ax, "losers")
    assert len(winners.get_offsets()) == 2 and len(losers.get_offsets()) == 2
    for x, y in winners.get_offsets():
        assert y > x
    texts = all_texts(fig)
    # Labelled by their label (a département where the label has one), not identifier.
    assert {"SAMU B2", "SAMU A2", "SAMU A1", "SAMU B1"} <= set(texts)
    assert ax.get_xlabel() == "Dotation historique 2013"
    assert ax.get_ylabel() == "Montant modélisé"
    assert_nothing_clipped(fig)


def test_scatter_highlight_region(results):
    fig = charts.draw_scatter(Figure(**SCREEN), results, highlight_region="Alpha", annotate=1)
    ax, = fig.axes
    assert len(by_gid(ax, "highlight").get_offsets()) == 2
    assert len(by_gid(ax, "others").get_offsets()) == 2
    names = {t for t in all_texts(fig) if t.startswith("SAMU")}
    assert names == {"SAMU A2"}            # the largest gap of Alpha only


def test_smoothing_trajectory(results):
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "region", "Bêta")
    ax, = fig.axes
    line = by_gid(ax, "trajectory")
    assert list(line.get_xdata()) == [2013, 2014, 2015, 2016]
    assert cents(line.get_ydata()) == cents(results.trajectory("region", "Bêta"))
    assert cents(line.get_ydata()) == [8_100_000, 8_262_130.82, 8_586_392.45, 8_910_654.08]
    target = by_gid(ax, "target")
    assert cents(target.get_ydata()) == [8_910_654.08, 8_910_654.08]
    assert target.get_linestyle() == "--"
    assert cents(by_gid(ax, "historic").get_ydata()) == [8_100_000, 8_100_000]
    texts = all_texts(fig)
    assert "20 % : +162 131 €" in texts
    assert "60 % : +486 392 €" in texts
    assert "100 % : +810 654 €" in texts
    assert charts.chart_title(fig) == "Lissage de l'effet revenu – Région Bêta"
    assert not any(a.get_gid() == "notified" for a in ax.get_children())
    assert_nothing_clipped(fig)


@pytest.mark.parametrize("level, key, title", [
    ("national", None, "France entière"),
    ("crra", "SAMU-A1", "CRRA SAMU-A1 (SAMU A1)"),
    ("establishment", "020000001", "Établissement 020000001 – CHU B"),
])
def test_smoothing_levels(results, level, key, title):
    fig = charts.draw_smoothing(Figure(**A4_LANDSCAPE), results, level, key)
    ax, = fig.axes
    assert cents(by_gid(ax, "trajectory").get_ydata()) == cents(results.trajectory(level, key))
    assert charts.chart_title(fig) == f"Lissage de l'effet revenu – {title}"
    assert_nothing_clipped(fig)


def test_smoothing_historic_year_and_loss(results):
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "crra", "SAMU-A1", historic_year=2012)
    ax, = fig.axes
    assert list(by_gid(ax, "trajectory").get_xdata()) == [2012, 2014, 2015, 2016]
    assert "20 % : −77 127 €" in all_texts(fig)


def test_smoothing_notified_envelopes(notified_results):
    fig = charts.draw_smoothing(Figure(**SCREEN), notified_results, "region", "Bêta")
    ax, = fig.axes
    marker = by_gid(ax, "notified")
    assert list(marker.get_xdata()) == [2014, 2015]
    assert list(marker.get_ydata()) == [8_300_000, 8_500_000]
    assert marker.get_label() == "Enveloppe notifiée"
    assert "Enveloppe notifiée" in [t.get_text() for t in fig.legends[0].get_texts()]
    # The region receives the envelope: the line goes through the markers.
    assert cents(by_gid(ax, "trajectory").get_ydata()[1:3]) == [8_300_000, 8_500_000]
    # Alpha has no envelope.
    fig = charts.draw_smoothing(Figure(**SCREEN), notified_results, "region", "Alpha")
    assert not any(a.get_gid() == "notified" for a in fig.axes[0].get_children())


def test_region_crra_trajectories(notified_results):
    fig = charts.draw_region_crra_trajectories(Figure(**SCREEN), notified_results, "Bêta")
    ax, = fig.axes
    crra = notified_results.crra.set_index("crra_id")
    for ident in ("SAMU-B1", "SAMU-B2"):
        line = by_gid(ax, f"crra:{ident}")
        assert list(line.get_xdata()) == [2013, 2014, 2015, 2016]
        expected = np.array(notified_results.trajectory("crra", ident)) / crra.loc[ident, "historic"] * 100
        assert np.allclose(line.get_ydata(), expected)
        assert line.get_ydata()[0] == 100
    region = by_gid(ax, "region")
    assert np.allclose(region.get_ydata()[1:3], [8_300_000 / 81_000, 8_500_000 / 81_000])
    notified = by_gid(ax, "notified")
    assert np.allclose(notified.get_ydata(), [8_300_000 / 81_000, 8_500_000 / 81_000])
    legend = [plain(t.get_text()) for t in fig.legends[0].get_texts()]
    assert any(t.startswith("SAMU-B2 : +24,7 %") for t in legend)
    assert_nothing_clipped(fig)


def test_region_crra_trajectories_in_euros(results):
    fig = charts.draw_region_crra_trajectories(Figure(**SCREEN), results, "Alpha", index=False)
    ax, = fig.axes
    assert cents(by_gid(ax, "crra:SAMU-A1").get_ydata()) == cents(results.trajectory("crra", "SAMU-A1"))
    assert cents(by_gid(ax, "region").get_ydata()) == cents(results.trajectory("region", "Alpha"))


def test_nothing_to_show_draws_a_message(results):
    for fig in (charts.draw_smoothing(Figure(**SCREEN), results, "region", "Inconnue"),
                charts.draw_revenue_effect(Figure(**SCREEN), results, "crra", region="Inconnue"),
                charts.draw_region_crra_trajectories(Figure(**SCREEN), results, "Inconnue")):
        assert not fig.axes
        assert any(t.startswith(charts.NO_DATA) for t in all_texts(fig))


def test_builders_redraw_in_place(results):
    fig = Figure(**SCREEN)
    assert charts.draw_comparison_bars(fig, results) is fig
    charts.draw_revenue_effect(fig, results)
    charts.draw_smoothing(fig, results, "national")
    assert len(fig.axes) == 1 and len(fig.legends) == 1


def test_user_text_is_not_mathtext():
    scenario = worked_example()
    scenario.crra.loc[0, "region"] = "R$gion $x$"
    scenario.crra.loc[1, "region"] = "R$gion $x$"
    res = compute(scenario)
    fig = charts.draw_revenue_effect(Figure(**SCREEN), res)
    ax, = fig.axes
    label = next(t for t in ax.get_yticklabels() if "gion" in t.get_text())
    assert label._preprocess_math(label.get_text()) == ("R$gion $x$", False)
    fig.savefig(__import__("io").BytesIO(), format="png")


@pytest.mark.parametrize("size", [SCREEN, A4_LANDSCAPE], ids=["ecran", "a4"])
def test_national_scale_nothing_clipped(big_results, size):
    biggest = big_results.regions.sort_values("n_crra").iloc[-1]["region"]
    builders = [
        lambda f: charts.draw_comparison_bars(f, big_results),
        lambda f: charts.draw_revenue_effect(f, big_results, "region"),
        lambda f: charts.draw_revenue_effect(f, big_results, "crra"),
        lambda f: charts.draw_revenue_effect(f, big_results, "establishment"),
        lambda f: charts.draw_scatter(f, big_results, highlight_region="Provence-Alpes-Côte d'Azur"),
        lambda f: charts.draw_smoothing(f, big_results, "region", "Provence-Alpes-Côte d'Azur"),
        lambda f: charts.draw_region_crra_trajectories(f, big_results, biggest),
    ]
    for build in builders:
        fig = build(Figure(**size))
        assert_nothing_clipped(fig)
    fig = charts.draw_comparison_bars(Figure(**size), big_results)
    assert len(fig.axes[0].get_yticklabels()) == 26


def test_export_png_and_svg(results, tmp_path):
    fig = charts.draw_smoothing(Figure(**SCREEN), results, "region", "Alpha")
    png, svg = tmp_path / "lissage.png", tmp_path / "lissage.svg"
    fig.savefig(png, dpi=300)
    fig.savefig(svg)
    assert png.read_bytes()[:8] == PNG_SIGNATURE
    assert png.stat().st_size > 10_000
    head = svg.read_text(encoding="utf-8")
    assert "<svg" in head[:2000]


def test_reporting_is_qt_free_and_never_uses_pyplot():
    code = textwrap.dedent("""
        import io, sys
        from matplotlib.figure import Figure
        from migac_desktop.reporting import charts
        sys.path.insert(0, "tests")
        from conftest import worked_example
        from migac_desktop.core.model import compute
        r = compute(worked_example())
        for draw in (charts.draw_comparison_bars, charts.draw_revenue_effect, charts.draw_scatter):
            draw(Figure(), r).savefig(io.BytesIO(), format="png")
        charts.draw_smoothing(Figure(), r, "national").savefig(io.BytesIO(), format="svg")
        bad = [m for m in sys.modules if m.startswith(("PySide6", "PyQt", "matplotlib.pyplot"))]
        print(bad)
        assert not bad, bad
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr + done.stdout


# -- ChartView ----------------------------------------------------------------
def test_importing_the_view_does_not_import_matplotlib():
    code = ("import sys, migac_desktop.ui.charts\n"
            "bad = [m for m in sys.modules if m.split('.')[0] == 'matplotlib'\n"
            "       or m == 'migac_desktop.reporting.charts']\n"
            "assert not bad, bad\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 0, done.stderr


@pytest.fixture
def view(qtbot):
    from migac_desktop.ui.charts import ChartView
    widget = ChartView()
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    return widget


def test_view_creates_its_canvas_on_first_show(view, qtbot, results):
    calls = []

    def drawer(fig):
        calls.append(fig)
        charts.draw_revenue_effect(fig, results)

    view.set_drawer(drawer)
    assert view.figure is None and view.canvas is None and not calls
    assert view.dirty
    view.show()
    qtbot.waitExposed(view)
    assert view.figure is not None
    assert calls and calls[0] is view.figure
    assert not view.dirty
    bars = by_gid(view.figure.axes[0], "revenue_effect")
    assert cents(p.get_width() for p in bars.patches) == [810_654.08, -810_654.08]
    assert view.canvas.parent() is view


def test_view_redraws_when_visible_and_defers_when_hidden(view, qtbot, results):
    view.show()
    qtbot.waitExposed(view)
    view.set_drawer(lambda fig: charts.draw_comparison_bars(fig, results))
    assert len(by_gid(view.figure.axes[0], "historic").patches) == 2
    view.hide()
    calls = []
    view.set_drawer(lambda fig: (calls.append(1), charts.draw_smoothing(fig, results, "national")))
    assert not calls and view.dirty
    view.refresh()
    assert not calls
    view.show()
    qtbot.waitExposed(view)
    assert calls == [1]
    assert by_gid(view.figure.axes[0], "trajectory") is not None
    view.refresh()
    assert calls == [1, 1]


def test_view_redraws_after_a_resize(view, qtbot, results):
    calls = []
    view.set_drawer(lambda fig: (calls.append(fig.get_size_inches().tolist()),
                                 charts.draw_revenue_effect(fig, results)))
    view.show()
    qtbot.waitExposed(view)
    before = len(calls)
    view.resize(600, 400)
    qtbot.waitUntil(lambda: len(calls) > before, timeout=3000)


def test_view_shows_a_message_when_the_drawer_fails(view, qtbot, results):
    view.show()
    qtbot.waitExposed(view)

    def broken(fig):
        raise ValueError("boom")

    view.set_drawer(broken)                      # must not raise
    assert charts.NO_DATA in all_texts(view.figure)
    view.set_drawer(None)
    assert charts.NO_DATA in all_texts(view.figure)
    # An empty result (no region) is not an error either.
    empty = compute(worked_example())
    empty.__dict__["regions"] = empty.regions.iloc[0:0]
    view.set_drawer(lambda fig: charts.draw_comparison_bars(fig, empty))
    assert charts.NO_DATA in all_texts(view.figure)
    view.canvas.draw()                           # renders without error


def test_view_export(view, qtbot, results, tmp_path):
    view.set_drawer(lambda fig: charts.draw_scatter(fig, results))
    # Before the first show: drawn into a figure made for the export.
    early = view.export(tmp_path / "avant.png")
    assert early.read_bytes()[:8] == PNG_SIGNATURE
    assert view.figure is None
    view.show()
    qtbot.waitExposed(view)
    png = view.export(tmp_path / "nuage.png")
    svg = view.export(str(tmp_path / "nuage.SVG"))
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    w_in, h_in = view.figure.get_size_inches()
    assert (width, height) == (round(w_in * 300), round(h_in * 300))      # 300 dpi
    assert "<svg" in svg.read_text(encoding="utf-8")[:2000]
    with pytest.raises(ValueError, match="PNG ou SVG"):
        view.export(tmp_path / "nuage.pdf")


def test_view_export_dialog(view, qtbot, results, tmp_path, monkeypatch):
    from migac_desktop.ui.charts import EXPORT_FILTERS
    assert list(EXPORT_FILTERS) == ["Image PNG (*.png)", "Image SVG (*.svg)"]
    assert view.export_action.text() == "Exporter…"
    assert view.export_button.text() == "Exporter…"
    view.set_drawer(lambda fig: charts.draw_comparison_bars(fig, results))
    view.show()
    qtbot.waitExposed(view)
    target = tmp_path / "regions.svg"
    monkeypatch.setattr(view, "ask_export_path", lambda: str(target))
    view.export_action.trigger()
    assert target.exists() and "<svg" in target.read_text(encoding="utf-8")[:2000]
    assert view.export_directory == str(tmp_path)
    monkeypatch.setattr(view, "ask_export_path", lambda: None)
    assert view.export_dialog() is None


def test_effect_labels_shorten_on_a_narrow_chart(big_results):
    """« amount (percent) » when the chart has room; the amount alone on a narrow one."""
    def labels(width):
        fig = charts.draw_revenue_effect(Figure(figsize=(width, 6), dpi=100), big_results, level="crra")
        return [t.get_text() for t in fig.axes[0].texts if "€" in t.get_text()]
    wide, narrow = labels(12), labels(4.3)
    assert wide and all(" (" in t and t.endswith("%)") for t in wide)
    assert narrow and all(" (" not in t and t.endswith("€") for t in narrow)
