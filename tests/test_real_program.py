"""The real program driven from outside (X server, xdotool) on a scenario it never saw:
what issue « The window as an Excel user expects it » asks to see for itself."""

import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migac_desktop.core import schema
from migac_desktop.core.scenario import Scenario, make_table
from migac_desktop.io.workbook import write_scenario

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux") or shutil.which("xvfb-run") is None
    or shutil.which("xdotool") is None, reason="Linux, xvfb-run et xdotool nécessaires")


def unseen_scenario(seed: int) -> Scenario:
    """Fifteen CRRA in four regions, figures drawn at random: a file the program never saw."""
    rng = random.Random(seed)
    regions = ["Île-de-France", "Haute-Normandie", "Bretagne", "Corse"]
    rows = []
    for i in range(15):
        region = regions[i % 4]
        rows.append(dict(crra_id=f"CRRA-{i + 1:02d}", label=f"Centre 15 n° {i + 1}", region=region,
                         departement=f"{10 + i}", finess=f"{100000000 + 7919 * i}",
                         establishment=f"CH n° {i + 1}", drm=float(rng.randrange(20000, 300000)),
                         geo_coef=0.07 if region == "Île-de-France" else 0.0,
                         historic=float(rng.randrange(1_000_000, 6_000_000))))
    return Scenario(crra=make_table(schema.CRRA, rows))


def test_real_program_driven_from_outside(tmp_path):
    path = tmp_path / "jamais vu.xlsx"
    write_scenario(unseen_scenario(2026), path)
    out = tmp_path / "facts.json"
    env = dict(os.environ)
    env.pop("QT_QPA_PLATFORM", None)                     # a real X server, not offscreen
    env.update(XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               PYTHONPATH=os.pathsep.join([str(HERE.parent), env.get("PYTHONPATH", "")]))
    run = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1366x768x24", sys.executable,
                          str(HERE / "real_program_driver.py"), str(path), str(out)],
                         env=env, capture_output=True, text=True, timeout=180)
    assert out.exists(), run.stdout + run.stderr
    facts = json.loads(out.read_text(encoding="utf-8"))
    assert "driver_error" not in facts, facts["driver_error"]
    assert run.returncode == 0, run.stderr
    # Qt's dialogs in French from the start.
    assert facts["translated"].replace("\u00a0", " ") == "Voir dans :"
    assert facts["open_dialog"] == "QFileDialog"
    labels = " ".join(facts["open_dialog_labels"]).replace("\u00a0", " ")
    assert "Voir dans :" in labels and "Look in" not in labels
    # An envelope added changes no allocation until its amount is typed.
    assert facts["envelope_dialog"] == "envelopeDialog"
    assert facts["envelope_rows_while_open"] == 0 and facts["envelope_rows_after"] == 0
    assert facts["allocations_unchanged"]
    # Ctrl+Z in a parameter field, Ctrl+Y.
    assert facts["after_commit"] == 46000
    assert facts["after_ctrl_z"] == 45000 and facts["field_after_ctrl_z"] == "45 000"
    assert facts["after_ctrl_y"] == 46000
    assert facts["ctrl_f_focus"] == "crraSearch"
    # « Somme » of three DRM cells, in French format.
    total = sum(facts["drm_three"])
    summary = (facts["selection_summary"] or "").replace("\u00a0", " ").replace("\u202f", " ")
    assert "Somme" in summary and f"{total:,.0f}".replace(",", " ") in summary
    # DRM « 1.234 »: a warning naming the CRRA and « DRM ».
    [warning] = [p for p in facts["problems"] if facts["drm_crra"] in p and "« DRM »" in p]
    assert warning.startswith("Avertissement")
    assert facts["pasted"] == "CH de\nMelun"
    lines = facts["comparison_copy"].strip("\r\n").splitlines()
    assert len(lines) == 3 and "€" not in facts["comparison_copy"]
    # Two saves one after the other: dated (ISO 8601 with its offset), authored rows, the
    # first save's rows unchanged by the second, the last naming the CRRA and the column.
    first, second = facts["journal_first"], facts["journal_second"]
    assert first[0] == ["Date", "Auteur", "Action", "Motif"] and len(first) > 2
    assert second[:len(first)] == first and len(second) == len(first) + 1
    date, author, action, _ = second[-1]
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$", date)
    assert author and date >= first[-1][0]
    assert action.startswith(f"modifier DRM de {facts['journal_crra']} : ")
    assert action.replace("\u00a0", " ").replace("\u202f", " ").endswith("→ 123 456")
