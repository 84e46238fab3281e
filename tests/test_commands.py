"""Edit commands without Qt: do, undo, redo, labels, and what they say changed."""

import math

import pytest

from migac_desktop.core.commands import (
    InsertRows,
    InvalidValue,
    RemoveRows,
    SetCells,
    SetParameter,
    coerce_cell,
    coerce_parameter,
    fill_down_cells,
)
from migac_desktop.core.model import compute


def modelled(scenario, ident):
    crra = compute(scenario).crra
    return crra.loc[crra["crra_id"] == ident, "modelled"].iat[0]


def test_set_cell_label_undo_redo(example):
    before = example.copy()
    cmd = SetCells(example, "CRRA", [(0, "drm", 60000.0)])
    assert cmd.label == "modifier DRM de SAMU-A1"
    change = cmd.redo(example)
    assert change.rows == (0,) and change.columns == ("drm",) and not change.structural
    assert compute(example).crra["tranche"].iat[0] == "T2"
    cmd.undo(example)
    assert example.inputs_equal(before)
    assert modelled(example, "SAMU-A1") == pytest.approx(1_514_362.78, abs=0.01)


def test_paste_many_cells_is_one_command(example):
    cells = [(0, "drm", 1.0), (1, "drm", 2.0), (0, "historic", 3.0), (1, "label", "X")]
    cmd = SetCells(example, "CRRA", cells)
    assert cmd.label == "modifier 4 cellules"
    cmd.redo(example)
    assert list(example.crra["drm"][:2]) == [1.0, 2.0] and example.crra["label"].iat[1] == "X"
    cmd.undo(example)
    assert list(example.crra["drm"][:2]) == [45000.0, 100000.0] and example.crra["label"].iat[1] == "SAMU A2"


def test_insert_and_remove_rows_restore_order(example):
    before = example.copy()
    ins = InsertRows(example, "CRRA", 2, [dict(crra_id="SAMU-N", region="Alpha", finess="010000009",
                                               drm=1000.0, historic=10.0, geo_coef=0.0)])
    assert ins.label == "ajouter le CRRA SAMU-N"
    ins.redo(example)
    assert list(example.crra["crra_id"]) == ["SAMU-A1", "SAMU-A2", "SAMU-N", "SAMU-B1", "SAMU-B2"]
    assert math.isnan(example.crra["etp_arm_override"].iat[2])
    ins.undo(example)
    assert example.inputs_equal(before)
    rem = RemoveRows(example, "CRRA", [3, 0])
    assert rem.label == "supprimer 2 CRRA"
    rem.redo(example)
    assert list(example.crra["crra_id"]) == ["SAMU-A2", "SAMU-B1"]
    rem.undo(example)
    assert example.inputs_equal(before)


def test_parameter_command(example):
    cmd = SetParameter(example, "cout_etp_arm", 50000.0)
    assert cmd.label == "modifier « Coût annuel d'un ETP d'ARM »"
    cmd.redo(example)
    assert example.parameters.cout_etp_arm == 50000.0
    cmd.undo(example)
    assert example.parameters.cout_etp_arm == 45000.0


def test_fill_down(example):
    cells = fill_down_cells(example, "CRRA", [1, 2, 3], ["geo_coef"])
    SetCells(example, "CRRA", cells, label="recopier vers le bas").redo(example)
    assert list(example.crra["geo_coef"]) == [0.0, 0.0, 0.0, 0.0]


def test_coerce_cell_french_text_and_refusals():
    assert coerce_cell("CRRA", "drm", "1 234,5") == 1234.5
    assert coerce_cell("CRRA", "geo_coef", "7 %") == pytest.approx(0.07)
    assert coerce_cell("CRRA", "finess", 10000001) == "010000001"
    assert coerce_cell("CRRA", "departement", 75.0) == "75"
    assert math.isnan(coerce_cell("CRRA", "etp_arm_override", ""))
    with pytest.raises(InvalidValue, match="DRM : la valeur ne peut pas être négative"):
        coerce_cell("CRRA", "drm", "-3")
    with pytest.raises(InvalidValue, match="n'est pas un nombre"):
        coerce_cell("CRRA", "historic", "beaucoup")
    with pytest.raises(InvalidValue, match="obligatoire"):
        coerce_cell("CRRA", "drm", "")
    with pytest.raises(InvalidValue, match="Coefficient géographique"):
        coerce_cell("CRRA", "geo_coef", "1,5")
    # A value in another unit is refused, not misread (12,5 % is not 0,125 €).
    with pytest.raises(InvalidValue, match="Dotation historique : « 12,5 % » est un pourcentage, "
                                           "pas un montant en euros"):
        coerce_cell("CRRA", "historic", "12,5 %")
    with pytest.raises(InvalidValue, match="« 7 € » est un montant en euros, pas un pourcentage"):
        coerce_cell("Lissage", "share", "7 €")


def test_coerce_parameter():
    assert coerce_parameter("frais_par_drm", "1,75") == 1.75
    assert coerce_parameter("calage", "montant cible") == "Montant cible"
    assert coerce_parameter("annee_historique", "2013") == 2013
    assert coerce_parameter("enveloppe_cible", "") is None
    with pytest.raises(InvalidValue):
        coerce_parameter("cout_etp_mr", "-1")
    with pytest.raises(InvalidValue):
        coerce_parameter("calage", "autre")
    assert coerce_parameter("frais_par_drm", "1,5 €") == 1.5
    with pytest.raises(InvalidValue, match="Coût annuel d'un ETP d'ARM : « 10 % » est un pourcentage"):
        coerce_parameter("cout_etp_arm", "10 %")
