"""The model runs once per edit, open, save and command: ``validation.evaluate`` is the
one place that computes, and what it computed travels with the scenario."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from migac_desktop import cli
from migac_desktop.core import model
from migac_desktop.io.workbook import open_scenario, write_scenario

EDIT = Qt.ItemDataRole.EditRole


@pytest.fixture
def calls(monkeypatch):
    """The list of scenarios ``model.compute`` was called with, from now on."""
    seen = []
    real = model.compute

    def counted(scenario, *args, **kwargs):
        seen.append(scenario)
        return real(scenario, *args, **kwargs)

    monkeypatch.setattr(model, "compute", counted)
    return seen


@pytest.fixture
def saved(tmp_path, example):
    path = tmp_path / "scenario.xlsx"
    write_scenario(example, path)
    return path


def test_open_edit_and_save_compute_once_each(window, saved, tmp_path, calls):
    assert window.open_path(saved, ask=False)
    assert len(calls) == 1
    assert window.document.results is not None
    model_ = window.crra_panel.model
    assert model_.setData(model_.index(0, model_.column_of_key("drm")), "60 000", EDIT)
    assert len(calls) == 2
    assert window.save_to(tmp_path / "copie.xlsx")
    assert len(calls) == 2          # the window's results are written as they are
    window.document.undo_stack.undo()
    assert len(calls) == 3


def test_open_scenario_keeps_the_results_it_validated_with(saved, calls):
    loaded = open_scenario(saved)
    assert len(calls) == 1
    assert loaded.results is not None and calls == [loaded.scenario]
    assert loaded.results.national["modelled"] == pytest.approx(13_300_000)


def test_writer_without_results_computes_once(example, tmp_path, calls):
    write_scenario(example, tmp_path / "a.xlsx")
    assert len(calls) == 1
    example.crra.loc[0, "drm"] = -5     # invalid: checked statically, never computed
    write_scenario(example, tmp_path / "b.xlsx")
    assert len(calls) == 1


@pytest.mark.parametrize("command", ["compute", "compute --workbook", "validate", "report"])
def test_each_command_computes_once(command, saved, tmp_path, calls, capsys):
    argv = {"compute": ["compute", str(saved), "--out", str(tmp_path / "out")],
            "compute --workbook": ["compute", str(saved), "--out", str(tmp_path / "out"),
                                   "--workbook", str(tmp_path / "résultats.xlsx")],
            "validate": ["validate", str(saved)],
            "report": ["report", str(saved), "--pdf", str(tmp_path / "r.pdf")]}[command]
    assert cli.main(argv) == 0, capsys.readouterr().err
    assert len(calls) == 1
