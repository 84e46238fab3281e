"""Generate the four sample scenarios of MIGAC Desktop.

Run from the repository root::

    python samples/make_samples.py

It writes, next to this file:

- ``scenario_national_2014.xlsx``: a FICTITIOUS national scenario for 2014: the 26 ARS of
  2014, one CRRA per département (101), activity roughly proportional to population, the
  illustrative parameters, référentiel and smoothing of MODEL.md, historic 2013 amounts
  summing exactly to 227 730 000 € (the national SAMU amount of the 2014 circular).
  No ETP override: this is the national (DGOS-like) baseline.
- ``scenario_region.xlsx``: the working file of one ARS (Rhône-Alpes): its CRRA only, with
  the same data, two overrides after the ARS's diagnosis, calage « Montant cible » on the
  region's modelled amount of the national computation, and a notified 2014 envelope.
- ``exemple_modele.xlsx``: exactly the worked example of MODEL.md.
- ``scenario_garanties.xlsx``: the national scenario with the transition policy
  « Plafonné »: no hospital (FINESS) loses more than 2 % of its previous year's
  allocation in a year, the guarantee paid by the gainers inside each year's envelope.

Everything is derived from the tables below and a seeded ``numpy`` generator, so two runs
give the same data (the .xlsx bytes may differ by their timestamps). The files are written
with the application's own writer (:func:`migac_desktop.io.workbook.write_scenario`), then
reopened with :func:`open_scenario` and checked.

Every figure is invented: the populations are rounded orders of magnitude of the 2011-2012
census, the hospitals are the plausible host of each département's SAMU, and the FINESS
numbers are generated, not the real ones.

**FINESS.** Nine characters: the département prefix (two digits in metropolitan France,
``2A``/``2B`` in Corsica, ``97`` plus one digit overseas: ``971`` … ``976``), then digits,
then a check key: the Luhn digit computed over the eight preceding characters. For the key
only, Corsica's letters are mapped to digits as in INSEE's NIR convention: ``2A`` → ``19``,
``2B`` → ``18`` (see :func:`finess_key`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(ROOT))

from migac_desktop.core import schema  # noqa: E402
from migac_desktop.core.model import compute  # noqa: E402
from migac_desktop.core.numbers import format_euros, format_number  # noqa: E402
from migac_desktop.core.scenario import Parameters, Scenario, default_bands, default_smoothing, make_table  # noqa: E402

SEED = 20140101
NATIONAL_AMOUNT = 227_730_000          # circular of 2014: 227,73 M€ of MIG SAMU (JPE)
TARGET_TOTAL_DRM = 14_000_000          # "about 14 million DRM a year"
REGION_FILE_REGION = "Rhône-Alpes"

NATIONAL_FILE = HERE / "scenario_national_2014.xlsx"
REGION_FILE = HERE / "scenario_region.xlsx"
EXAMPLE_FILE = HERE / "exemple_modele.xlsx"
GUARANTEES_FILE = HERE / "scenario_garanties.xlsx"
GUARANTEED_LOSS = 0.02                  # perte_max_annuelle of scenario_garanties.xlsx

# Coefficients géographiques (illustrative, MODEL.md).
GEO = {
    "Île-de-France": 0.07,
    "Corse": 0.08,
    "Guadeloupe": 0.26,
    "Martinique": 0.26,
    "Guyane": 0.26,
    "Océan Indien": 0.31,
}

# The 101 départements of 2014: code, name, region (ARS), population (rounded, 2011-2012
# census order of magnitude), host hospital of the SAMU. ``None`` as host means the
# CRRA is hosted by another département's hospital (see SHARED_HOSTS).
DEPARTEMENTS: tuple[tuple[str, str, str, int, str | None], ...] = (
    ("01", "Ain", "Rhône-Alpes", 603_000, "CH de Bourg-en-Bresse"),
    ("02", "Aisne", "Picardie", 541_000, "CH de Laon"),
    ("03", "Allier", "Auvergne", 342_000, "CH de Moulins"),
    ("04", "Alpes-de-Haute-Provence", "Provence-Alpes-Côte d'Azur", 161_000, "CH de Digne-les-Bains"),
    ("05", "Hautes-Alpes", "Provence-Alpes-Côte d'Azur", 139_000, "CH de Gap"),
    ("06", "Alpes-Maritimes", "Provence-Alpes-Côte d'Azur", 1_082_000, "CHU de Nice"),
    ("07", "Ardèche", "Rhône-Alpes", 318_000, "CH de Privas"),
    ("08", "Ardennes", "Champagne-Ardenne", 282_000, "CH de Charleville-Mézières"),
    ("09", "Ariège", "Midi-Pyrénées", 152_000, None),
    ("10", "Aube", "Champagne-Ardenne", 305_000, "CH de Troyes"),
    ("11", "Aude", "Languedoc-Roussillon", 360_000, "CH de Carcassonne"),
    ("12", "Aveyron", "Midi-Pyrénées", 277_000, "CH de Rodez"),
    ("13", "Bouches-du-Rhône", "Provence-Alpes-Côte d'Azur", 1_985_000, "AP-HM – Hôpital de la Timone"),
    ("14", "Calvados", "Basse-Normandie", 687_000, "CHU de Caen"),
    ("15", "Cantal", "Auvergne", 148_000, "CH d'Aurillac"),
    ("16", "Charente", "Poitou-Charentes", 353_000, "CH d'Angoulême"),
    ("17", "Charente-Maritime", "Poitou-Charentes", 629_000, "CH de La Rochelle"),
    ("18", "Cher", "Centre", 312_000, "CH de Bourges"),
    ("19", "Corrèze", "Limousin", 242_000, "CH de Tulle"),
    ("21", "Côte-d'Or", "Bourgogne", 527_000, "CHU de Dijon"),
    ("22", "Côtes-d'Armor", "Bretagne", 595_000, "CH de Saint-Brieuc"),
    ("23", "Creuse", "Limousin", 122_000, None),
    ("24", "Dordogne", "Aquitaine", 416_000, "CH de Périgueux"),
    ("25", "Doubs", "Franche-Comté", 531_000, "CHU de Besançon"),
    ("26", "Drôme", "Rhône-Alpes", 491_000, "CH de Valence"),
    ("27", "Eure", "Haute-Normandie", 591_000, "CH d'Évreux"),
    ("28", "Eure-et-Loir", "Centre", 432_000, "CH de Chartres"),
    ("29", "Finistère", "Bretagne", 902_000, "CHU de Brest"),
    ("2A", "Corse-du-Sud", "Corse", 145_000, "CH d'Ajaccio"),
    ("2B", "Haute-Corse", "Corse", 170_000, "CH de Bastia"),
    ("30", "Gard", "Languedoc-Roussillon", 723_000, "CHU de Nîmes"),
    ("31", "Haute-Garonne", "Midi-Pyrénées", 1_268_000, "CHU de Toulouse"),
    ("32", "Gers", "Midi-Pyrénées", 189_000, "CH d'Auch"),
    ("33", "Gironde", "Aquitaine", 1_479_000, "CHU de Bordeaux"),
    ("34", "Hérault", "Languedoc-Roussillon", 1_063_000, "CHU de Montpellier"),
    ("35", "Ille-et-Vilaine", "Bretagne", 1_008_000, "CHU de Rennes"),
    ("36", "Indre", "Centre", 229_000, "CH de Châteauroux"),
    ("37", "Indre-et-Loire", "Centre", 596_000, "CHRU de Tours"),
    ("38", "Isère", "Rhône-Alpes", 1_225_000, "CHU de Grenoble"),
    ("39", "Jura", "Franche-Comté", 261_000, "CH de Lons-le-Saunier"),
    ("40", "Landes", "Aquitaine", 392_000, "CH de Mont-de-Marsan"),
    ("41", "Loir-et-Cher", "Centre", 332_000, "CH de Blois"),
    ("42", "Loire", "Rhône-Alpes", 753_000, "CHU de Saint-Étienne"),
    ("43", "Haute-Loire", "Auvergne", 225_000, "CH du Puy-en-Velay"),
    ("44", "Loire-Atlantique", "Pays de la Loire", 1_317_000, "CHU de Nantes"),
    ("45", "Loiret", "Centre", 665_000, "CHR d'Orléans"),
    ("46", "Lot", "Midi-Pyrénées", 174_000, "CH de Cahors"),
    ("47", "Lot-et-Garonne", "Aquitaine", 333_000, "CH d'Agen"),
    ("48", "Lozère", "Languedoc-Roussillon", 77_000, "CH de Mende"),
    ("49", "Maine-et-Loire", "Pays de la Loire", 795_000, "CHU d'Angers"),
    ("50", "Manche", "Basse-Normandie", 499_000, "CH de Saint-Lô"),
    ("51", "Marne", "Champagne-Ardenne", 568_000, "CHU de Reims"),
    ("52", "Haute-Marne", "Champagne-Ardenne", 182_000, "CH de Chaumont"),
    ("53", "Mayenne", "Pays de la Loire", 307_000, "CH de Laval"),
    ("54", "Meurthe-et-Moselle", "Lorraine", 733_000, "CHRU de Nancy"),
    ("55", "Meuse", "Lorraine", 193_000, "CH de Bar-le-Duc"),
    ("56", "Morbihan", "Bretagne", 737_000, "CH de Vannes"),
    ("57", "Moselle", "Lorraine", 1_046_000, "CHR de Metz-Thionville"),
    ("58", "Nièvre", "Bourgogne", 217_000, "CH de Nevers"),
    ("59", "Nord", "Nord-Pas-de-Calais", 2_583_000, "CHRU de Lille"),
    ("60", "Oise", "Picardie", 808_000, "CH de Creil"),
    ("61", "Orne", "Basse-Normandie", 290_000, "CH d'Alençon"),
    ("62", "Pas-de-Calais", "Nord-Pas-de-Calais", 1_465_000, "CH d'Arras"),
    ("63", "Puy-de-Dôme", "Auvergne", 638_000, "CHU de Clermont-Ferrand"),
    ("64", "Pyrénées-Atlantiques", "Aquitaine", 660_000, "CH de Pau"),
    ("65", "Hautes-Pyrénées", "Midi-Pyrénées", 229_000, "CH de Tarbes"),
    ("66", "Pyrénées-Orientales", "Languedoc-Roussillon", 457_000, "CH de Perpignan"),
    ("67", "Bas-Rhin", "Alsace", 1_104_000, "Hôpitaux universitaires de Strasbourg"),
    ("68", "Haut-Rhin", "Alsace", 754_000, "CH de Mulhouse"),
    ("69", "Rhône", "Rhône-Alpes", 1_762_000, "Hospices civils de Lyon – Hôpital Édouard-Herriot"),
    ("70", "Haute-Saône", "Franche-Comté", 239_000, "CH de Vesoul"),
    ("71", "Saône-et-Loire", "Bourgogne", 556_000, "CH de Chalon-sur-Saône"),
    ("72", "Sarthe", "Pays de la Loire", 568_000, "CH du Mans"),
    ("73", "Savoie", "Rhône-Alpes", 421_000, None),
    ("74", "Haute-Savoie", "Rhône-Alpes", 756_000, "CH d'Annecy"),
    ("75", "Paris", "Île-de-France", 2_241_000, "AP-HP – Hôpital Necker"),
    ("76", "Seine-Maritime", "Haute-Normandie", 1_253_000, "CHU de Rouen"),
    ("77", "Seine-et-Marne", "Île-de-France", 1_353_000, "CH de Melun"),
    ("78", "Yvelines", "Île-de-France", 1_413_000, "CH de Versailles"),
    ("79", "Deux-Sèvres", "Poitou-Charentes", 371_000, None),
    ("80", "Somme", "Picardie", 571_000, "CHU d'Amiens"),
    ("81", "Tarn", "Midi-Pyrénées", 378_000, "CH d'Albi"),
    ("82", "Tarn-et-Garonne", "Midi-Pyrénées", 248_000, "CH de Montauban"),
    ("83", "Var", "Provence-Alpes-Côte d'Azur", 1_018_000, "CHI de Toulon – La Seyne-sur-Mer"),
    ("84", "Vaucluse", "Provence-Alpes-Côte d'Azur", 548_000, "CH d'Avignon"),
    ("85", "Vendée", "Pays de la Loire", 649_000, "CH de La Roche-sur-Yon"),
    ("86", "Vienne", "Poitou-Charentes", 431_000, "CHU de Poitiers"),
    ("87", "Haute-Vienne", "Limousin", 375_000, "CHU de Limoges"),
    ("88", "Vosges", "Lorraine", 378_000, "CH d'Épinal"),
    ("89", "Yonne", "Bourgogne", 342_000, "CH d'Auxerre"),
    ("90", "Territoire de Belfort", "Franche-Comté", 143_000, None),
    ("91", "Essonne", "Île-de-France", 1_226_000, "CH Sud-Francilien"),
    ("92", "Hauts-de-Seine", "Île-de-France", 1_586_000, "AP-HP – Hôpital Raymond-Poincaré"),
    ("93", "Seine-Saint-Denis", "Île-de-France", 1_530_000, "AP-HP – Hôpital Avicenne"),
    ("94", "Val-de-Marne", "Île-de-France", 1_341_000, "AP-HP – Hôpital Henri-Mondor"),
    ("95", "Val-d'Oise", "Île-de-France", 1_180_000, "CH René-Dubos de Pontoise"),
    ("971", "Guadeloupe", "Guadeloupe", 404_000, "CHU de Pointe-à-Pitre"),
    ("972", "Martinique", "Martinique", 389_000, "CHU de Martinique"),
    ("973", "Guyane", "Guyane", 237_000, "CH de Cayenne"),
    ("974", "La Réunion", "Océan Indien", 829_000, "CHU de La Réunion"),
    ("976", "Mayotte", "Océan Indien", 213_000, "CH de Mayotte"),
)

# A CHU that also hosts the CRRA of a neighbouring département of its region:
# hosted département → host département (same FINESS, same region).
SHARED_HOSTS = {
    "09": "31",   # Ariège regulated by the CHU de Toulouse
    "23": "87",   # Creuse by the CHU de Limoges
    "73": "38",   # Savoie by the CHU de Grenoble
    "79": "86",   # Deux-Sèvres by the CHU de Poitiers
    "90": "25",   # Territoire de Belfort by the CHU de Besançon
}

REGIONS_2014 = (
    "Alsace", "Aquitaine", "Auvergne", "Basse-Normandie", "Bourgogne", "Bretagne", "Centre",
    "Champagne-Ardenne", "Corse", "Franche-Comté", "Haute-Normandie", "Île-de-France",
    "Languedoc-Roussillon", "Limousin", "Lorraine", "Midi-Pyrénées", "Nord-Pas-de-Calais",
    "Pays de la Loire", "Picardie", "Poitou-Charentes", "Provence-Alpes-Côte d'Azur",
    "Rhône-Alpes", "Guadeloupe", "Martinique", "Guyane", "Océan Indien",
)

# The regional file's overrides, after the ARS's (fictitious) diagnosis.
REGION_OVERRIDES = {
    "SAMU-069": {"etp_arm_override": 60.0},   # Lyon: 60 ARM instead of its band's 55 (T6)
    "SAMU-007": {"etp_mr_override": 10.0},    # Ardèche: 10 MR instead of 9 (T2), night line
}


# -- FINESS ----------------------------------------------------------------------------

_CORSICA_KEY_DIGITS = {"2A": "19", "2B": "18"}


def finess_key(body: str) -> int:
    """Luhn check digit of the 8 first characters of a FINESS.

    Corsica's ``2A``/``2B`` prefix is read as ``19``/``18`` (INSEE's NIR convention).
    """
    if len(body) != 8:
        raise ValueError(f"a FINESS body has 8 characters: {body!r}")
    digits = _CORSICA_KEY_DIGITS.get(body[:2], body[:2]) + body[2:]
    if not digits.isdigit():
        raise ValueError(f"FINESS body not numeric: {body!r}")
    total = 0
    # From the right, the digit next to the key is doubled, then every other one.
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def finess_is_valid(finess: str) -> bool:
    return (isinstance(finess, str) and len(finess) == 9 and finess[8].isdigit()
            and _body_ok(finess[:8]) and finess_key(finess[:8]) == int(finess[8]))


def _body_ok(body: str) -> bool:
    try:
        finess_key(body)
    except ValueError:
        return False
    return True


def make_finess(dept: str, rng: np.random.Generator, used: set[str]) -> str:
    """A fresh well-formed FINESS for a hospital of département ``dept``."""
    while True:
        if len(dept) == 3:                       # overseas: 97x + 5 digits
            body = dept + "0" + "".join(str(d) for d in rng.integers(0, 10, 4))
        else:                                    # 2 characters + 6 digits
            body = dept + "0" + "".join(str(d) for d in rng.integers(0, 10, 5))
        finess = body + str(finess_key(body))
        if finess not in used:
            used.add(finess)
            return finess


# -- national scenario ---------------------------------------------------------------

def crra_id(dept: str) -> str:
    return f"SAMU-{dept.zfill(3)}"


def _drm(rng: np.random.Generator) -> np.ndarray:
    """Seeded activity: roughly proportional to population.

    Activity grows a little faster than population for small départements and shows
    economies of scale for large ones (30 % of the population above one million counts);
    Paris, the capital, gets +15 % (commuters, tourists) and no noise, so that it stays
    the busiest CRRA at about 440 000 DRM; every other département gets a seeded noise of
    ±15 % at most. The level is set so that the total is about 14 million DRM, then
    rounded to the DRM.
    """
    pop = np.array([d[3] for d in DEPARTEMENTS], dtype=float)
    eff = np.where(pop > 1.0e6, 1.0e6 + 0.3 * (pop - 1.0e6), pop) ** 1.25
    paris = np.array([d[0] == "75" for d in DEPARTEMENTS])
    noise = np.clip(rng.normal(0.0, 0.07, len(pop)), -0.15, 0.15)
    shape = eff * np.where(paris, 1.15, 1.0 + noise)
    drm = np.round(shape * TARGET_TOTAL_DRM / shape.sum())
    assert drm.min() >= 8_000 and drm.max() <= 480_000, (drm.min(), drm.max())
    assert drm.argmax() == int(np.flatnonzero(paris)[0]), "Paris is the busiest CRRA"
    return drm


def _largest_remainder(values: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers proportional to ``values`` that sum exactly to ``total``."""
    scaled = values * (total / values.sum())
    floor = np.floor(scaled)
    short = int(round(total - floor.sum()))
    order = np.argsort(-(scaled - floor), kind="stable")
    floor[order[:short]] += 1
    return floor


def national_scenario() -> Scenario:
    rng = np.random.default_rng(SEED)
    drm = _drm(rng)

    # Hospitals and FINESS (a shared host reuses its host's FINESS and name).
    used: set[str] = set()
    by_dept: dict[str, tuple[str, str]] = {}
    for code, _name, _region, _pop, host in DEPARTEMENTS:
        if host is not None:
            by_dept[code] = (make_finess(code, rng, used), host)
    region_of = {d[0]: d[2] for d in DEPARTEMENTS}
    for hosted, host in SHARED_HOSTS.items():
        assert region_of[hosted] == region_of[host], (hosted, host)
        by_dept[hosted] = by_dept[host]

    rows = []
    for (code, name, region, _pop, _host), n in zip(DEPARTEMENTS, drm):
        finess, establishment = by_dept[code]
        rows.append(dict(
            crra_id=crra_id(code), label=f"SAMU {code} – {name}", region=region,
            departement=code, finess=finess, establishment=establishment, drm=float(n),
            geo_coef=GEO.get(region, 0.0), historic=0.0))

    # Historic 2013 = modelled amount x seeded noise, so that there are winners and losers
    # in every direction: a regional component (the region's effet revenu, 4 to 14 % either
    # way, signs chosen so that gains and losses roughly balance and the final rescaling
    # barely moves them) times a CRRA component (±15 %, centred within each region so that
    # it only moves money between the region's CRRA), at most ±25 % overall; then rounded
    # to the euro so that the total is exactly the national amount (largest remainders).
    parameters = Parameters(calage="Montant cible", enveloppe_cible=float(NATIONAL_AMOUNT))
    draft = Scenario(parameters=parameters, crra=make_table(schema.CRRA, rows))
    modelled = compute(draft).crra_arrays["modelled"]
    region_arr = np.array([r["region"] for r in rows], dtype=object)
    regions = list(dict.fromkeys(region_arr))
    magnitude = rng.uniform(0.04, 0.14, len(regions))
    regional: dict[str, float] = {}
    balance = 0.0                  # Σ modelled x (factor - 1) so far
    for j in rng.permutation(len(regions)):
        region = regions[j]
        weight = float(modelled[region_arr == region].sum())
        # effet revenu e  <=>  historic = modelled / (1 + e)
        up, down = 1 / (1 - magnitude[j]) - 1, 1 / (1 + magnitude[j]) - 1
        delta = up if abs(balance + weight * up) < abs(balance + weight * down) else down
        regional[region] = delta
        balance += weight * delta
    local = rng.uniform(-0.15, 0.15, len(rows))
    for region in regions:
        mask = region_arr == region
        local[mask] -= np.average(local[mask], weights=modelled[mask])
    factor = np.array([1.0 + regional[r] for r in region_arr]) * (1.0 + local)
    factor = np.clip(factor, 0.75, 1.25)
    historic = _largest_remainder(modelled * factor, NATIONAL_AMOUNT)
    for row, h in zip(rows, historic):
        row["historic"] = float(h)

    parameters = Parameters(
        titre="Scénario national 2014 (données fictives)",
        note=("Données fictives : les CRRA, établissements, FINESS, DRM et dotations 2013 sont "
              "inventés ; les paramètres, le référentiel et le lissage sont illustratifs et ne "
              "sont pas ceux de la DGOS. Seul le total des dotations historiques reprend le "
              "montant national de la MIG SAMU de la circulaire 2014 (227,73 M€). "
              "Scénario national de référence, sans effectif retenu par les ARS."))
    return Scenario(parameters=parameters, bands=default_bands(), smoothing=default_smoothing(),
                    crra=make_table(schema.CRRA, rows))


# -- regional scenario ----------------------------------------------------------------

def regional_scenario(national: Scenario, region: str = REGION_FILE_REGION) -> Scenario:
    results = compute(national)
    regions = results.regions.set_index("region")
    target = round(float(regions.loc[region, "modelled"]))
    national_2014 = float(regions.loc[region, "alloc_2014"])

    crra = national.crra[national.crra["region"] == region].reset_index(drop=True).copy()
    for ident, overrides in REGION_OVERRIDES.items():
        pos = crra.index[crra["crra_id"] == ident]
        assert len(pos) == 1, ident
        for key, value in overrides.items():
            crra.loc[pos[0], key] = value

    envelope = round(national_2014, -3)      # "rounded to the thousand": close, not equal
    assert abs(envelope - national_2014) > 1, "the notified envelope must differ"
    parameters = Parameters(
        calage="Montant cible", enveloppe_cible=float(target),
        titre=f"Scénario régional – {region} 2014 (données fictives)",
        note=(f"Données fictives (extraites du scénario national fictif) ; paramètres "
              f"illustratifs, non ceux de la DGOS. Fichier de travail de l'ARS {region} : "
              f"ses seuls CRRA. Le calage « Montant cible » porte sur le montant modélisé de "
              f"la région dans le calcul national ({format_euros(target)}), et non sur ses "
              f"dotations historiques : le fichier reproduit ainsi la péréquation nationale "
              f"(un calage « Enveloppe historique » sur les seuls CRRA de la région annulerait "
              f"l'effet revenu régional). Deux effectifs sont retenus par l'ARS après diagnostic "
              f"(ETP ARM du SAMU 69, ETP MR du SAMU 07) ; l'enveloppe 2014 notifiée "
              f"({format_euros(envelope)}) est répartie au prorata des dotations lissées."))
    envelopes = make_table(schema.ENVELOPES, [dict(region=region, year=2014, amount=envelope)])
    return Scenario(parameters=parameters, bands=default_bands(), smoothing=default_smoothing(),
                    crra=crra, envelopes=envelopes)


# -- guarantees: the national scenario with losses capped ------------------------------

def guarantees_scenario(national: Scenario) -> Scenario:
    """The national scenario, « Plafonné » by hospital: at most 2 % lost a year."""
    scenario = national.copy()
    loss = format_number(GUARANTEED_LOSS * 100) + "\u00a0%"
    p = scenario.parameters
    for key, value in (("lissage_mode", schema.CAPPED), ("lissage_niveau", "Établissement"),
                       ("perte_max_annuelle", GUARANTEED_LOSS), ("gain_max_annuel", None)):
        p = p.with_value(key, value)
    scenario.parameters = p.with_value(
        "titre", f"Scénario national 2014 – pertes plafonnées à {loss} par établissement "
                 "(données fictives)").with_value(
        "note", (f"Données fictives : celles du scénario national fictif, avec la politique de "
                 f"transition « Plafonné » : aucun établissement (FINESS) ne perd plus de {loss} "
                 f"de sa dotation de l'année précédente en un an ; cette garantie est financée "
                 f"dans l'enveloppe de l'année par les établissements qui gagnent, et le total "
                 f"national de chaque année reste celui du lissage linéaire. Paramètres "
                 f"illustratifs, non ceux de la DGOS."))
    return scenario


# -- worked example of MODEL.md ---------------------------------------------------------

# The four CRRA of MODEL.md's worked example, written here only: the tests build their
# example from these rows (tests/conftest.py) and the sample file gives them longer names.
WORKED_EXAMPLE_ROWS = [
    dict(crra_id="SAMU-A1", label="SAMU A1", region="Alpha", departement="01", finess="010000001",
         establishment="CH A1", drm=45000, geo_coef=0.0, historic=1_900_000),
    dict(crra_id="SAMU-A2", label="SAMU A2", region="Alpha", departement="01", finess="010000002",
         establishment="CH A2", drm=100000, geo_coef=0.0, historic=3_300_000),
    dict(crra_id="SAMU-B1", label="SAMU B1", region="Bêta", departement="02", finess="020000001",
         establishment="CHU B", drm=260000, geo_coef=0.07, historic=5_000_000, etp_arm_override=40),
    dict(crra_id="SAMU-B2", label="SAMU B2", region="Bêta", departement="02", finess="020000001",
         establishment="CHU B", drm=150000, geo_coef=0.07, historic=3_100_000),
]

# What ``exemple_modele.xlsx`` shows instead of the short names: (label, establishment).
EXAMPLE_NAMES = {
    "SAMU-A1": ("SAMU A1 – Alphaville", "CH d'Alphaville"),
    "SAMU-A2": ("SAMU A2 – Alphabourg", "CHU d'Alphabourg"),
    "SAMU-B1": ("SAMU B1 – Bêtaville", "CHU de Bêtaville"),
    "SAMU-B2": ("SAMU B2 – Bêtamont", "CHU de Bêtaville"),
}


def example_scenario() -> Scenario:
    rows = [dict(row, label=EXAMPLE_NAMES[row["crra_id"]][0],
                 establishment=EXAMPLE_NAMES[row["crra_id"]][1]) for row in WORKED_EXAMPLE_ROWS]
    parameters = Parameters(
        titre="Exemple du modèle (MODEL.md)",
        note=("Exemple de calcul de MODEL.md : quatre CRRA fictifs dans deux régions fictives, "
              "paramètres, référentiel et lissage illustratifs par défaut."))
    return Scenario(parameters=parameters, bands=default_bands(), smoothing=default_smoothing(),
                    crra=make_table(schema.CRRA, rows))


# -- writing and checking ---------------------------------------------------------------

def _pct(x: float) -> str:
    return ("+" if x > 0 else "") + format_number(x * 100, 2) + "\u00a0%"


def _n(x: float, decimals: int = 0) -> str:
    return format_number(float(x), decimals)


def _check(path: Path) -> Scenario:
    from migac_desktop.core.validation import errors_of, warnings_of
    from migac_desktop.io.workbook import open_scenario

    loaded = open_scenario(path)
    errors = errors_of(loaded.problems)
    for problem in warnings_of(loaded.problems):
        print(f"  {problem}")
    if errors:
        for problem in errors:
            print(f"  {problem}")
        raise SystemExit(f"{path.name}: {len(errors)} erreur(s) à la réouverture")
    print(f"{path.name} rouvert : 0 erreur, {len(warnings_of(loaded.problems))} avertissement(s)")
    return loaded.scenario


def _summary(path: Path) -> None:
    scenario = _check(path)
    results = compute(scenario)
    crra, regions = scenario.crra, results.regions
    print(f"{path.name}: « {scenario.parameters.titre} »")
    print(f"  {len(crra)} CRRA, {len(regions)} région(s), {crra['finess'].nunique()} FINESS ; "
          f"DRM total {_n(crra['drm'].sum())} (min {_n(crra['drm'].min())}, "
          f"max {_n(crra['drm'].max())})")
    print(f"  Σ dotations historiques {format_euros(crra['historic'].sum(), 2)} ; "
          f"Σ modélisé {format_euros(results.crra_arrays['modelled'].sum(), 2)} ; "
          f"k = {results.calibration_factor:.9f}")
    pct = regions.set_index("region")["revenue_effect_pct"]
    print(f"  effet revenu par région : min {_pct(pct.min())} ({pct.idxmin()}), "
          f"max {_pct(pct.max())} ({pct.idxmax()})")
    if len(regions) <= 3:
        for _, r in regions.iterrows():
            print(f"    {r['region']} : historique {format_euros(r['historic'], 2)}, modélisé "
                  f"{format_euros(r['modelled'], 2)}, "
                  f"effet revenu {_pct(r['revenue_effect_pct'])}, "
                  f"dotation 2014 {format_euros(r['alloc_2014'], 2)}")
    for (region, year), amount in results.notified.items():
        alloc = float(regions.set_index("region").loc[region, f"alloc_{year}"])
        print(f"  enveloppe notifiée {region} {year} : {format_euros(amount, 2)} ; "
              f"dotation {year} calculée {format_euros(alloc, 2)}")


def _guarantees_summary(path: Path, national: Scenario) -> None:
    """The policy binds, and each year's national total is the linear one."""
    results = compute(_check(path))
    linear = compute(national)
    t = results.transition
    if t is None:
        raise SystemExit(f"{path.name}: la politique « Plafonné » n'est pas active")
    floored = 0
    for year, policy_year in zip(results.years, t.policy.years):
        total, plain = results.national[f"alloc_{year}"], linear.national[f"alloc_{year}"]
        if abs(total - plain) > 0.01:
            raise SystemExit(f"{path.name}: total {year} {format_euros(total, 2)} au lieu de "
                             f"{format_euros(plain, 2)}")
        floored += int(policy_year.floored.sum())
        print(f"  {year} : {int(policy_year.floored.sum())} établissement(s) au plancher, "
              f"θ = {_pct(policy_year.theta)}, total {format_euros(total, 2)}")
    if not floored:
        raise SystemExit(f"{path.name}: aucun établissement n'est au plancher")
    gap = results.establishments["remaining_gap"]
    print(f"  reste à converger en {results.years[-1]} : {int((gap.abs() >= 0.01).sum())} "
          f"établissement(s), {format_euros(float(gap.clip(lower=0).sum()), 2)} à recevoir")


def main() -> None:
    from migac_desktop.io.workbook import write_scenario

    national = national_scenario()
    regional = regional_scenario(national)
    example = example_scenario()
    guarantees = guarantees_scenario(national)
    for scenario, path in ((national, NATIONAL_FILE), (regional, REGION_FILE),
                           (example, EXAMPLE_FILE), (guarantees, GUARANTEES_FILE)):
        write_scenario(scenario, path, results=compute(scenario))
    for path in (NATIONAL_FILE, REGION_FILE, EXAMPLE_FILE, GUARANTEES_FILE):
        _summary(path)
    _guarantees_summary(GUARANTEES_FILE, national)

    # The regional file's envelope vs the unconstrained smoothed amount.
    plain = regional.copy()
    plain.envelopes = plain.envelopes.iloc[0:0]
    before = float(compute(plain).regions["alloc_2014"].sum())
    print(f"  ({REGION_FILE.name} : dotation 2014 lissée avant l'enveloppe "
          f"{format_euros(before, 2)})")


if __name__ == "__main__":
    main()
