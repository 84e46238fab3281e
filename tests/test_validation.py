"""Validation: every problem of MODEL.md's "Invalid input", located and in French."""

import pytest

from migac_desktop.core import schema
from migac_desktop.core.scenario import make_table
from migac_desktop.core.validation import errors_of, validate, warnings_of


def find(problems, *, sheet=None, row=None, column=None, text=None, error=True):
    return [p for p in problems if p.is_error == error
            and (sheet is None or p.sheet == sheet) and (row is None or p.row == row)
            and (column is None or p.column == column) and (text is None or text in p.message)]


def test_worked_example_is_valid(example):
    assert validate(example) == []


def test_negative_values_located(example):
    example.crra.loc[1, "drm"] = -1
    example.crra.loc[2, "historic"] = -5
    example.crra.loc[3, "etp_mr_override"] = -2
    problems = validate(example)
    assert find(problems, sheet="CRRA", row=3, column="DRM", text="négative")
    assert find(problems, sheet="CRRA", row=4, column="Dotation historique", text="négative")
    assert find(problems, sheet="CRRA", row=5, column="ETP MR retenus", text="négative")
    assert str(find(problems, row=3)[0]).startswith("Erreur — feuille « CRRA », ligne 3, colonne « DRM »")


def test_source_rows_used_for_located_messages(example):
    example.source_rows["CRRA"] = [2, 3, 7, 8]   # a blank block was skipped in the file
    example.crra.loc[2, "drm"] = -1
    assert find(validate(example), sheet="CRRA", row=7, column="DRM")


def test_geo_coefficient_bounds_and_warning(example):
    example.crra.loc[0, "geo_coef"] = 1.0
    example.crra.loc[1, "geo_coef"] = 0.40
    problems = validate(example)
    assert find(problems, row=2, column="Coefficient géographique")
    assert find(problems, row=3, column="Coefficient géographique", error=False, text="35 %")
    assert not find(problems, row=3, column="Coefficient géographique")


def test_duplicate_identifier_and_finess_in_two_regions(example):
    example.crra.loc[1, "crra_id"] = "SAMU-A1"
    example.crra.loc[3, "region"] = "Alpha"
    problems = validate(example)
    dup = find(problems, row=3, column="Identifiant", text="SAMU-A1")
    assert dup and "ligne 2" in dup[0].message
    assert find(problems, column="FINESS", text="020000001")


def test_one_finess_under_two_names_is_a_warning(example):
    example.crra.loc[3, "establishment"] = "Centre hospitalier B"     # CHU B, same FINESS
    example.crra.loc[2, "establishment"] = " chu b "                  # case and spaces: same
    problems = validate(example)
    assert errors_of(problems) == []
    [warning] = find(problems, error=False, column="Établissement")
    assert warning.row == 5 and warning.key == "establishment"
    assert warning.message == ("le FINESS 020000001 s'appelle « Centre hospitalier B » ici et "
                               "« chu b » ligne 4 : la synthèse par établissement retient le "
                               "premier nom ; harmonisez-les.")


def test_missing_required_values(example):
    example.crra.loc[0, "region"] = ""
    example.crra.loc[1, "historic"] = float("nan")
    problems = validate(example)
    assert find(problems, row=2, column="Région", text="manquante")
    assert find(problems, row=3, column="Dotation historique", text="manquante")


def test_bands_must_start_at_zero_and_increase(example):
    example.bands = make_table(schema.BANDS, [dict(drm_min=10, etp_arm=1, etp_mr=1),
                                              dict(drm_min=10, etp_arm=2, etp_mr=2)])
    problems = validate(example)
    assert find(problems, sheet="Référentiel", row=2, text="commencer à 0")
    assert find(problems, sheet="Référentiel", row=3, text="croître strictement")


def test_smoothing_rules(example):
    example.smoothing = make_table(schema.SMOOTHING, [
        dict(year=2014, share=0.5), dict(year=2016, share=0.4), dict(year=2017, share=1.2)])
    problems = validate(example)
    assert find(problems, sheet="Lissage", row=3, column="Année", text="se suivre")
    assert find(problems, sheet="Lissage", row=3, column="Part cumulée", text="diminuer")
    assert find(problems, sheet="Lissage", row=4, column="Part cumulée")


def test_last_share_not_full_is_a_warning(example):
    example.smoothing.loc[2, "share"] = 0.9
    problems = validate(example)
    assert not errors_of(problems)
    assert find(problems, sheet="Lissage", row=4, error=False, text="100 %")


def test_no_crra(example):
    example.crra = example.crra.iloc[0:0]
    assert find(validate(example), sheet="CRRA", text="aucun CRRA")


def test_calibration_errors(example):
    example.parameters = example.parameters.with_value("calage", "Montant cible")
    assert find(validate(example), sheet="Paramètres", text="enveloppe cible positive")
    example.parameters = example.parameters.with_value("calage", "Enveloppe historique")
    for col in ("drm",):
        example.crra[col] = 0.0
    example.parameters = (example.parameters.with_value("cout_etp_arm", 0.0)
                          .with_value("cout_etp_mr", 0.0).with_value("cout_etp_encadrement", 0.0)
                          .with_value("frais_fixes_crra", 0.0))
    assert find(validate(example), sheet="Paramètres", text="somme des montants bruts est nulle")


@pytest.mark.parametrize("calage, changes", [
    # Σ raw a denormal: the calibration factor overflows (found by the fuzzed round trip).
    ("Enveloppe historique", dict(cout_etp_arm=0.0, cout_etp_mr=0.0, cout_etp_encadrement=0.0,
                                  frais_fixes_crra=0.0, frais_par_drm=2.2250738585072014e-308)),
    ("Aucun", dict(cout_etp_arm=1e308)),                     # costs beyond any number
])
def test_amounts_that_cannot_be_computed_are_an_error(example, calage, changes):
    params = example.parameters.with_value("calage", calage)
    for key, value in changes.items():
        params = params.with_value(key, value)
    example.parameters = params
    found = find(validate(example), sheet="Paramètres", column="Valeur",
                 text="les montants modélisés ne peuvent pas être calculés")
    assert len(found) == 1 and found[0].key == ("calage" if calage != "Aucun" else "cout_etp_arm")


def test_envelope_unknown_region_or_year(example):
    example.envelopes = make_table(schema.ENVELOPES, [
        dict(region="Gamma", year=2014, amount=1e6), dict(region="Alpha", year=2020, amount=1e6)])
    problems = validate(example)
    assert find(problems, sheet="Enveloppes régionales", row=2, column="Région", text="Gamma")
    assert find(problems, sheet="Enveloppes régionales", row=3, column="Année", text="2020")


def test_warnings_zero_drm_zero_historic(example):
    example.crra.loc[0, "drm"] = 0
    example.crra.loc[1, "historic"] = 0
    problems = validate(example)
    assert not errors_of(problems)
    assert len(warnings_of(problems)) == 2
    assert all(str(p).startswith("Avertissement") for p in warnings_of(problems))


def test_negative_parameter(example):
    example.parameters = example.parameters.with_value("cout_etp_mr", -1.0)
    example.parameter_rows["cout_etp_mr"] = 3
    problem = find(validate(example), sheet="Paramètres", row=3, column="Valeur")
    assert problem and "médecin régulateur" in problem[0].message


@pytest.mark.parametrize("calage", ["n'importe quoi"])
def test_unknown_calibration(example, calage):
    example.parameters = example.parameters.with_value("calage", calage)
    assert find(validate(example), sheet="Paramètres", text="inconnu")
