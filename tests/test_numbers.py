"""French number parsing and formatting: one locale for the editor, reader and reports."""

import math

import pytest

from migac_desktop.core.numbers import (
    NBSP,
    NumberError,
    format_euros,
    format_number,
    format_percent,
    format_signed_euros,
    parse_number,
)


@pytest.mark.parametrize("text, value", [
    ("1234,5", 1234.5), ("1234.5", 1234.5), ("1 234,5", 1234.5), (f"1{NBSP}234,5", 1234.5),
    ("1\u202f234,5", 1234.5), ("1.234,5", 1234.5), ("1,234.5", 1234.5), ("1.234.567", 1234567),
    ("20 %", 0.2), ("7%", 0.07), ("0,07", 0.07), ("-3", -3), ("\u22123,5", -3.5),
    ("45 000 €", 45000), ("1e3", 1000), (12, 12.0), (0.5, 0.5), ("  ", math.nan), (None, math.nan),
])
def test_parse_accepts_french_and_english(text, value):
    got = parse_number(text)
    assert (math.isnan(got) and math.isnan(value)) or got == pytest.approx(value)


@pytest.mark.parametrize("text, reason", [
    ("abc", "n'est pas un nombre"), ("#DIV/0!", "#DIV/0!"), ("#N/A", "#N/A"),
    (True, "logique"), ("12abc", "n'est pas un nombre"), ("1,2,3,4", "n'est pas un nombre"),
])
def test_parse_refuses_with_french_reason(text, reason):
    with pytest.raises(NumberError) as info:
        parse_number(text)
    assert reason in str(info.value)


def test_parse_refuses_dates():
    from datetime import datetime
    with pytest.raises(NumberError, match="date"):
        parse_number(datetime(2014, 1, 1))


@pytest.mark.parametrize("text, unit, value", [
    ("7 %", "%", 0.07), ("0,07", "%", 0.07), ("45 000 €", "€", 45000), ("1,5 €", "€/DRM", 1.5),
    ("45 000", "€", 45000), ("120 000", "DRM/an", 120000), ("20 %", None, 0.2),
])
def test_parse_takes_the_unit_of_the_field(text, unit, value):
    assert parse_number(text, unit) == pytest.approx(value)


@pytest.mark.parametrize("text, unit, reason", [
    ("12,5 %", "€", "« 12,5 % » est un pourcentage, pas un montant en euros"),
    ("45 000 €", "%", "« 45 000 € » est un montant en euros, pas un pourcentage"),
    ("12 %", "DRM/an", "pas un nombre de DRM"), ("3 EUR", "ETP", "pas un nombre d'ETP"),
    ("2013 €", "", "« 2013 € » est un montant en euros, pas un nombre"),
])
def test_parse_refuses_a_value_in_another_unit(text, unit, reason):
    with pytest.raises(NumberError) as info:
        parse_number(text, unit)
    assert str(info.value) == reason or reason in str(info.value)


def test_format_french():
    assert format_euros(227_730_000) == f"227{NBSP}730{NBSP}000{NBSP}€"
    assert format_percent(0.07) == f"7,0{NBSP}%"
    assert format_number(1234.5, 1) == f"1{NBSP}234,5"
    assert format_signed_euros(-810_654.08) == f"−810{NBSP}654{NBSP}€"
    assert format_signed_euros(810_654.08) == f"+810{NBSP}654{NBSP}€"
    assert format_euros(float("nan")) == ""
    # What is shown reads back as the same number.
    assert parse_number(format_number(-1234567.25, 2)) == -1234567.25


# -- French text (core/french.py): one module for the window, the report and the CLI --------
def test_plural_counts_french_singular_below_two_and_grouped():
    from migac_desktop.core.french import plural
    assert plural(0, "erreur") == "0 erreur"
    assert plural(1, "région") == "1 région"
    assert plural(2, "avertissement") == "2 avertissements"
    assert plural(10_000, "CRRA", "CRRA") == f"10{NBSP}000 CRRA"
    assert plural(3, "cellule calculée", "cellules calculées") == "3 cellules calculées"


def test_fewest_decimals():
    from migac_desktop.core.french import fewest_decimals
    assert fewest_decimals(12.0) == "12"
    assert fewest_decimals(100.0) == "100"
    assert fewest_decimals(12.5) == "12,5"
    assert fewest_decimals(1.25) == "1,25"
    assert fewest_decimals(1.2346, 3) == "1,235"
    assert fewest_decimals(1.2, 3) == "1,2"
    assert fewest_decimals(45_000.5) == f"45{NBSP}000,5"
    assert fewest_decimals(float("nan")) == ""


def test_file_size_and_dates():
    from datetime import date, datetime

    from migac_desktop.core.french import date_time, file_size, long_date
    assert file_size(820 * 1024) == "820 ko"
    assert file_size(10) == "1 ko"
    assert file_size(3 * 1024 ** 2 // 2) == "1,5 Mo"
    assert file_size(int(3.2 * 1024 ** 3)) == "3,2 Go"
    assert long_date(date(2014, 3, 1)) == "1er mars 2014"
    assert long_date(date(2026, 8, 15)) == "15 août 2026"
    assert date_time(datetime(2014, 3, 1, 9, 5)) == "01/03/2014 à 09:05"


def test_sort_key_ignores_accents_ligatures_and_case():
    from migac_desktop.core.french import sorted_french, strip_accents
    assert strip_accents("Île-de-France") == "Ile-de-France"
    assert sorted_french(["Rhône-Alpes", "Île-de-France", "Haute-Normandie", "œuvre", "Océan"]) == \
        ["Haute-Normandie", "Île-de-France", "Océan", "œuvre", "Rhône-Alpes"]
