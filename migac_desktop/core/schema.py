"""Declared columns and parameters of a scenario (WORKBOOK.md, MODEL.md).

One declaration serves the reader, the validator, the writer and the window:
the French header, the kind of value, its unit and bounds, and a tooltip.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str            # internal English name (the DataFrame column)
    header: str         # French header in the workbook and the window
    kind: str           # "text", "finess", "number", "integer", "fraction"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None      # inclusive unless ``max_exclusive``
    max_exclusive: bool = False
    unit: str = ""
    help: str = ""

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "integer", "fraction")

    def bound_problem(self, value: float) -> str | None:
        """French reason when ``value`` is outside the declared bounds."""
        if math.isnan(value):
            return None
        if self.minimum is not None and value < self.minimum:
            if self.minimum == 0:
                return "la valeur ne peut pas être négative"
            return f"la valeur doit être au moins {self.minimum:g}".replace(".", ",")
        if self.maximum is not None:
            if self.max_exclusive and value >= self.maximum:
                if self.kind == "fraction":
                    return f"la valeur doit être comprise entre 0 et {self.maximum * 100:g} % (exclu)"
                return f"la valeur doit être inférieure à {self.maximum:g}"
            if not self.max_exclusive and value > self.maximum:
                if self.kind == "fraction":
                    return f"la valeur doit être comprise entre 0 et {self.maximum * 100:g} %"
                return f"la valeur doit être au plus {self.maximum:g}"
        if self.kind == "integer" and value != int(value):
            return "la valeur doit être un nombre entier"
        return None


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)

    @property
    def keys(self) -> list[str]:
        return [c.key for c in self.columns]


CRRA = Table("CRRA", (
    Column("crra_id", "Identifiant", "text", required=True,
           help="Identifiant unique du CRRA (par exemple SAMU-075)."),
    Column("label", "Libellé", "text", help="Nom du centre de réception et de régulation des appels."),
    Column("region", "Région", "text", required=True, help="Région (ARS) du CRRA."),
    Column("departement", "Département", "text", help="Département du SAMU (texte : 2A, 2B, 971…)."),
    Column("finess", "FINESS", "finess", required=True,
           help="FINESS de l'établissement siège du CRRA (9 caractères)."),
    Column("establishment", "Établissement", "text", help="Établissement siège du CRRA."),
    Column("drm", "DRM", "number", required=True, minimum=0, unit="DRM/an",
           help="Dossiers de régulation médicale de l'année : l'activité du CRRA."),
    Column("geo_coef", "Coefficient géographique", "fraction", minimum=0, maximum=1,
           max_exclusive=True, unit="%",
           help="Majoration des coûts de la région (0 % à 100 % exclu ; vide = 0 %)."),
    Column("historic", "Dotation historique", "number", required=True, minimum=0, unit="€",
           help="Dotation MIG SAMU reçue l'année historique."),
    Column("etp_arm_override", "ETP ARM retenus", "number", minimum=0, unit="ETP",
           help="Effectif d'ARM retenu par l'ARS ; vide = celui du référentiel."),
    Column("etp_mr_override", "ETP MR retenus", "number", minimum=0, unit="ETP",
           help="Effectif de médecins régulateurs retenu par l'ARS ; vide = celui du référentiel."),
))

BANDS = Table("Référentiel", (
    Column("drm_min", "DRM minimum", "number", required=True, minimum=0, unit="DRM",
           help="Activité à partir de laquelle la tranche s'applique."),
    Column("etp_arm", "ETP ARM", "number", required=True, minimum=0, unit="ETP",
           help="Assistants de régulation médicale nécessaires."),
    Column("etp_mr", "ETP MR", "number", required=True, minimum=0, unit="ETP",
           help="Médecins régulateurs nécessaires."),
    Column("label", "Libellé", "text", help="Nom de la tranche (T1, T2… par défaut)."),
))

SMOOTHING = Table("Lissage", (
    Column("year", "Année", "integer", required=True, minimum=1900, maximum=2200,
           help="Année d'application."),
    Column("share", "Part cumulée", "fraction", required=True, minimum=0, maximum=1, unit="%",
           help="Part cumulée de l'effet revenu appliquée cette année (0 % à 100 %)."),
))

ENVELOPES = Table("Enveloppes régionales", (
    Column("region", "Région", "text", required=True, help="Région notifiée."),
    Column("year", "Année", "integer", required=True, minimum=1900, maximum=2200,
           help="Année de la notification (une année du lissage)."),
    Column("amount", "Enveloppe notifiée", "number", required=True, minimum=0, unit="€",
           help="Montant notifié à l'ARS pour cette année."),
))

PARAMETERS_SHEET = "Paramètres"
PARAMETER_HEADERS = ("Clé", "Paramètre", "Valeur", "Unité")

CALIBRATIONS = ("Enveloppe historique", "Montant cible", "Aucun")
# Transition policy (MODEL.md « Transition policy »).
SMOOTHING_MODES = ("Linéaire", "Plafonné")
LINEAR, CAPPED = SMOOTHING_MODES
POLICY_LEVELS = ("Établissement", "Région", "CRRA")
# The results' level of each policy level (Results.trajectory and the window's levels).
POLICY_LEVEL_KEYS = {"Établissement": "establishment", "Région": "region", "CRRA": "crra"}


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    label: str
    kind: str          # "number", "integer", "fraction" (unit %), "choice", "text"
    default: object
    unit: str = ""
    minimum: float | None = None
    help: str = ""
    choices: tuple[str, ...] = ()       # the listed values of a "choice"
    maximum: float | None = None        # inclusive
    optional: bool = False              # empty is a value (None), not an error
    # A key missing from a file is said (a warning) unless its default is what a file
    # without it always meant (the keys added after the first version, the free texts).
    announce_missing: bool = True


PARAMETERS: tuple[ParameterSpec, ...] = (
    ParameterSpec("cout_etp_arm", "Coût annuel d'un ETP d'ARM", "number", 45000.0, "€", 0,
                  "Coût chargé d'un assistant de régulation médicale à temps plein pendant un an."),
    ParameterSpec("cout_etp_mr", "Coût annuel d'un ETP de médecin régulateur", "number", 110000.0, "€", 0,
                  "Coût chargé d'un médecin régulateur à temps plein pendant un an."),
    ParameterSpec("cout_etp_encadrement", "Coût annuel d'un ETP d'encadrement", "number", 60000.0, "€", 0,
                  "Coût chargé d'un cadre (encadrement de la régulation) à temps plein."),
    ParameterSpec("etp_encadrement_par_crra", "ETP d'encadrement par CRRA", "number", 1.0, "ETP", 0,
                  "Effectif d'encadrement compté pour chaque CRRA."),
    ParameterSpec("frais_fixes_crra", "Frais fixes de fonctionnement par CRRA", "number", 150000.0, "€", 0,
                  "Téléphonie, informatique, locaux : coût fixe de chaque centre."),
    ParameterSpec("frais_par_drm", "Frais de fonctionnement par DRM", "number", 1.5, "€/DRM", 0,
                  "Coût variable de fonctionnement pour chaque dossier de régulation médicale."),
    ParameterSpec("annee_historique", "Année des dotations historiques", "integer", 2013, "", 1900,
                  "Année des dotations historiques auxquelles le modèle est comparé."),
    ParameterSpec("calage", "Calage national", "choice", "Enveloppe historique", "", None,
                  "Enveloppe historique : le total modélisé égale la somme des dotations historiques "
                  "(péréquation à budget constant). Montant cible : il égale l'enveloppe cible. "
                  "Aucun : montants bruts, sans calage.", choices=CALIBRATIONS),
    ParameterSpec("enveloppe_cible", "Enveloppe nationale cible", "number", None, "€", 0,
                  "Montant national à répartir, utilisé seulement avec le calage « Montant cible ».",
                  optional=True, announce_missing=False),
    ParameterSpec("lissage_mode", "Politique de transition", "choice", LINEAR, "", None,
                  "Linéaire : les parts cumulées du lissage seules. Plafonné : les parts, puis une "
                  "perte et un gain annuels maximaux par unité, financés dans l'enveloppe de l'année.",
                  choices=SMOOTHING_MODES, announce_missing=False),
    ParameterSpec("lissage_niveau", "Unité protégée par les garanties", "choice", "Établissement", "",
                  None, "L'unité dont la perte et le gain annuels sont bornés : l'établissement "
                  "(FINESS), la région ou le CRRA (lissage « Plafonné » seulement).",
                  choices=POLICY_LEVELS, announce_missing=False),
    ParameterSpec("perte_max_annuelle", "Perte annuelle maximale", "fraction", None, "%", 0,
                  "Plus forte baisse qu'une unité peut subir en un an, en part de sa dotation de "
                  "l'année précédente (0 % : aucune baisse ; vide : pas de plancher).",
                  maximum=1, optional=True, announce_missing=False),
    ParameterSpec("gain_max_annuel", "Gain annuel maximal", "fraction", None, "%", 0,
                  "Plus forte hausse qu'une unité peut recevoir en un an, en part de sa dotation de "
                  "l'année précédente (vide : pas de plafond).",
                  maximum=1, optional=True, announce_missing=False),
    ParameterSpec("titre", "Titre du scénario", "text", "", "", None,
                  "Titre affiché dans la fenêtre et sur les rapports.", announce_missing=False),
    ParameterSpec("note", "Note", "text", "", "", None,
                  "Note libre imprimée sur la page de titre (par exemple : données fictives).",
                  announce_missing=False),
    ParameterSpec("signataire", "Signataire des notifications", "text", "", "", None,
                  "Qui signe les notifications aux établissements, par exemple « Le directeur "
                  "général de l'ARS » (vide : pas de signature imprimée).",
                  announce_missing=False),
)

PARAMETER_BY_KEY = {p.key: p for p in PARAMETERS}

DEFAULT_BANDS = (
    (0, 12, 6, "T1"),
    (50000, 18, 9, "T2"),
    (100000, 25, 12, "T3"),
    (150000, 32, 15, "T4"),
    (200000, 42, 20, "T5"),
    (300000, 55, 26, "T6"),
    (400000, 70, 33, "T7"),
)

DEFAULT_SMOOTHING = ((2014, 0.2), (2015, 0.6), (2016, 1.0))

# Output sheets (WORKBOOK.md): written on save, ignored on read.
RESULT_SHEETS = ("Résultats CRRA", "Synthèse régionale", "Synthèse établissements", "Trajectoires")
# With `lissage_mode` = « Plafonné » only: the policy's units year by year, in formulas.
POLICY_SHEET = "Lissage plafonné"
OUTPUT_SHEETS = RESULT_SHEETS + (POLICY_SHEET,)

@dataclass(frozen=True)
class ResultColumn:
    """One column of the results, for every place that shows it: the window's tables,
    the report, the CSV of ``migac compute`` and the output sheets."""

    key: str            # internal English name (a key of Results; the CSV header)
    header: str         # French header: output sheets, CRRA table, report
    kind: str           # display kind: text, drm (a count), etp, euros, signed_euros,
    #                     percent, signed_percent
    short: str = ""     # narrower header of the comparison table ("" = ``header``)
    help: str = ""      # tooltip of the comparison table

    @property
    def short_header(self) -> str:
        return self.short or self.header


RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("crra_id", "Identifiant", "text"),
    ResultColumn("label", "Libellé", "text"),
    ResultColumn("region", "Région", "text"),
    ResultColumn("finess", "FINESS", "text"),
    ResultColumn("establishment", "Établissement", "text"),
    ResultColumn("drm", "DRM", "drm"),
    ResultColumn("tranche", "Tranche", "text"),
    ResultColumn("etp_arm", "ETP ARM", "etp"),
    ResultColumn("etp_mr", "ETP MR", "etp"),
    ResultColumn("etp_sup", "ETP encadrement", "etp"),
    ResultColumn("staff_cost", "Coût du personnel", "euros"),
    ResultColumn("operating_cost", "Frais de fonctionnement", "euros"),
    ResultColumn("base_cost", "Coût de base", "euros"),
    ResultColumn("geo_coef", "Coefficient géographique", "percent"),
    ResultColumn("raw_amount", "Montant brut", "euros"),
    ResultColumn("modelled", "Montant modélisé", "euros", short="Modélisé",
                 help="Montant modélisé : donné par le modèle."),
    ResultColumn("historic", "Dotation historique", "euros", short="Historique"),
    ResultColumn("revenue_effect", "Effet revenu", "signed_euros",
                 help="Montant modélisé − dotation historique."),
    ResultColumn("revenue_effect_pct", "Effet revenu (%)", "signed_percent",
                 help="Effet revenu rapporté à la dotation historique."),
    ResultColumn("n_crra", "Nombre de CRRA", "drm", short="CRRA", help="Nombre de CRRA."),
    ResultColumn("remaining_gap", "Reste à converger", "signed_euros", short="Reste",
                 help="Montant modélisé − dotation de la dernière année du lissage "
                      "(politique « Plafonné » seulement)."),
)
_RESULT_BY_KEY = {c.key: c for c in RESULT_COLUMNS}

# The columns of each level of results, before one ``alloc_<year>`` per smoothing year
# (Results.crra, .regions, .establishments; the output sheets; the CSV of WORKBOOK.md).
CRRA_RESULT_KEYS = (
    "crra_id", "label", "region", "finess", "establishment", "drm", "tranche",
    "etp_arm", "etp_mr", "etp_sup", "staff_cost", "operating_cost", "base_cost",
    "geo_coef", "raw_amount", "modelled", "historic", "revenue_effect", "revenue_effect_pct",
)
GROUP_RESULT_KEYS = ("n_crra", "historic", "modelled", "revenue_effect", "revenue_effect_pct")
REGION_RESULT_KEYS = ("region",) + GROUP_RESULT_KEYS
ESTABLISHMENT_RESULT_KEYS = ("finess", "establishment", "region") + GROUP_RESULT_KEYS
# crra.csv has no hospital name (establishments.csv has it), as WORKBOOK.md publishes it.
CSV_CRRA_KEYS = tuple(k for k in CRRA_RESULT_KEYS if k != "establishment")
# After the alloc_<year> columns, with `lissage_mode` = « Plafonné » only (WORKBOOK.md).
POLICY_RESULT_KEYS = ("remaining_gap",)


def result_column(key: str) -> ResultColumn:
    """The declaration of a result column; ``alloc_2014`` → « Dotation 2014 », euros."""
    if key.startswith("alloc_"):
        year = key[6:]
        return ResultColumn(key, f"Dotation {year}", "euros",
                            help=f"Dotation {year} après lissage.")
    return _RESULT_BY_KEY[key]


def result_header(key: str) -> str:
    """French header of a result column; ``alloc_2014`` → ``Dotation 2014``."""
    return result_column(key).header
