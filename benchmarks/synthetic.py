"""Synthetic scenarios for benchmarks and tests: any number of plausible CRRA.

``synthetic_scenario(n, seed=0)`` gives a valid :class:`Scenario` with ``n`` CRRA spread
over the 26 regions of 2014 (more in the populous ones), sorted by region as an ARS
sheet would be: DRM between 8 000 and 480 000 (log-uniform, so every band of the
default référentiel is used), 9-digit FINESS unique per hospital with about one hospital
in seven hosting two CRRA, the illustrative coefficients géographiques of MODEL.md,
a few staffing overrides, and historic amounts scattered ±15 % around what the
default model gives (so the effet revenu has both signs). Deterministic for a seed.

Vectorised except for the text columns: a million CRRA take about two seconds to build.

Run from the repository root: ``from benchmarks.synthetic import synthetic_scenario``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from migac_desktop.core import schema
from migac_desktop.core.scenario import Parameters, Scenario, make_table

# The 26 regions of 2014, a rough population weight, the coefficient géographique
# (illustrative, MODEL.md) and a typical département code.
REGIONS: tuple[tuple[str, float, float, str], ...] = (
    ("Alsace", 1.9, 0.0, "67"),
    ("Aquitaine", 3.3, 0.0, "33"),
    ("Auvergne", 1.4, 0.0, "63"),
    ("Basse-Normandie", 1.5, 0.0, "14"),
    ("Bourgogne", 1.6, 0.0, "21"),
    ("Bretagne", 3.3, 0.0, "35"),
    ("Centre", 2.6, 0.0, "45"),
    ("Champagne-Ardenne", 1.3, 0.0, "51"),
    ("Corse", 0.3, 0.08, "2A"),
    ("Franche-Comté", 1.2, 0.0, "25"),
    ("Haute-Normandie", 1.8, 0.0, "76"),
    ("Île-de-France", 12.0, 0.07, "75"),
    ("Languedoc-Roussillon", 2.7, 0.0, "34"),
    ("Limousin", 0.7, 0.0, "87"),
    ("Lorraine", 2.3, 0.0, "54"),
    ("Midi-Pyrénées", 2.9, 0.0, "31"),
    ("Nord-Pas-de-Calais", 4.0, 0.0, "59"),
    ("Pays de la Loire", 3.6, 0.0, "44"),
    ("Picardie", 1.9, 0.0, "80"),
    ("Poitou-Charentes", 1.8, 0.0, "86"),
    ("Provence-Alpes-Côte d'Azur", 4.9, 0.0, "13"),
    ("Rhône-Alpes", 6.3, 0.0, "69"),
    ("Guadeloupe", 0.4, 0.26, "971"),
    ("Martinique", 0.4, 0.26, "972"),
    ("Guyane", 0.25, 0.26, "973"),
    ("Océan Indien", 1.0, 0.31, "974"),
)


def linear_smoothing(n_years: int, first_year: int = 2014, first_share: float = 0.2) -> pd.DataFrame:
    """``n_years`` consecutive years, ``first_share`` then linear up to 100 %."""
    if n_years < 1:
        raise ValueError("n_years must be at least 1")
    if n_years == 1:
        shares = [1.0]
    else:
        shares = [first_share + (1.0 - first_share) * i / (n_years - 1) for i in range(n_years)]
    return make_table(schema.SMOOTHING, [dict(year=first_year + i, share=s)
                                         for i, s in enumerate(shares)])


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _text(values: np.ndarray) -> pd.Series:
    # Text columns are Python str in object columns, as make_table builds them.
    return pd.Series(values, dtype="object", copy=False)


def synthetic_crra(n: int, seed: int = 0, *, override_share: float = 0.05,
                   shared_share: float = 0.15) -> pd.DataFrame:
    """The CRRA table of :func:`synthetic_scenario` (columns of ``schema.CRRA``)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.default_rng(seed)
    names = np.array([r[0] for r in REGIONS], dtype=object)
    weights = np.array([r[1] for r in REGIONS])
    geo_by_region = np.array([r[2] for r in REGIONS])
    dept_by_region = np.array([r[3] for r in REGIONS], dtype=object)

    # Every region gets at least one CRRA when n allows; the rest by population.
    if n >= len(REGIONS):
        base = np.ones(len(REGIONS), dtype=np.int64)
        extra = rng.multinomial(n - len(REGIONS), weights / weights.sum())
        counts = base + extra
    else:
        counts = rng.multinomial(n, weights / weights.sum())
    region_idx = np.repeat(np.arange(len(REGIONS)), counts)

    # Activity: log-uniform on [8 000, 480 000] DRM, whole numbers.
    drm = np.round(np.exp(rng.uniform(np.log(8_000), np.log(480_000), n)))

    # Hospitals: a CRRA shares the previous one's hospital with probability
    # ``shared_share`` when both are in the same region (never three in a row).
    shared = rng.random(n) < shared_share
    shared[0] = False
    shared[1:] &= region_idx[1:] == region_idx[:-1]
    shared[1:] &= ~shared[:-1]
    hospital = np.cumsum(~shared) - 1
    n_hospitals = int(hospital[-1]) + 1
    hosp_region = region_idx[np.flatnonzero(~shared)]
    # FINESS: the département's first two characters + 7 digits unique per hospital.
    prefix = [d[:2] for d in dept_by_region]
    finess_h = _objects([f"{prefix[r]}{i:07d}" for i, r in enumerate(hosp_region.tolist(), 1)])
    finess = finess_h[hospital]
    twice = (np.bincount(hospital, minlength=n_hospitals) > 1).tolist()
    est_h = _objects([f"{'CHU' if t else 'CH'} n° {i}" for i, t in enumerate(twice, 1)])
    establishment = est_h[hospital]

    ids = _objects([f"SAMU-{i:07d}" for i in range(1, n + 1)])
    labels = _objects([f"Centre 15 n° {i}" for i in range(1, n + 1)])

    # Overrides: a few ARS diagnoses, a couple of ETP around the band's staffing.
    band_min = np.array([b[0] for b in schema.DEFAULT_BANDS], dtype=float)
    band_arm = np.array([b[1] for b in schema.DEFAULT_BANDS], dtype=float)
    band_mr = np.array([b[2] for b in schema.DEFAULT_BANDS], dtype=float)
    band = np.searchsorted(band_min, drm, side="right") - 1
    arm_over = np.full(n, np.nan)
    mr_over = np.full(n, np.nan)
    pick = rng.random(n) < override_share
    arm_over[pick] = np.maximum(1, band_arm[band[pick]] + rng.integers(-3, 4, pick.sum()))
    pick = rng.random(n) < override_share / 2
    mr_over[pick] = np.maximum(1, band_mr[band[pick]] + rng.integers(-2, 3, pick.sum()))

    # Historic: the default model's raw amount, ±15 %, whole euros.
    p = Parameters()
    arm = np.where(np.isnan(arm_over), band_arm[band], arm_over)
    mr = np.where(np.isnan(mr_over), band_mr[band], mr_over)
    geo = geo_by_region[region_idx]
    raw = (arm * p.cout_etp_arm + mr * p.cout_etp_mr
           + p.etp_encadrement_par_crra * p.cout_etp_encadrement
           + p.frais_fixes_crra + p.frais_par_drm * drm) * (1 + geo)
    historic = np.round(raw * rng.lognormal(0.0, 0.15, n))

    return pd.DataFrame({
        "crra_id": _text(ids),
        "label": _text(labels),
        "region": _text(names[region_idx]),
        "departement": _text(dept_by_region[region_idx]),
        "finess": _text(finess),
        "establishment": _text(establishment),
        "drm": drm.astype("float64"),
        "geo_coef": geo.astype("float64"),
        "historic": historic.astype("float64"),
        "etp_arm_override": arm_over,
        "etp_mr_override": mr_over,
    })


def synthetic_scenario(n: int, seed: int = 0, *, years: int = 3, title: str | None = None,
                       **kwargs) -> Scenario:
    """A valid scenario with ``n`` CRRA; ``years`` smoothing years (3: 20/60/100 %)."""
    smoothing = linear_smoothing(years)
    params = Parameters(titre=title if title is not None else f"Scénario synthétique ({n} CRRA)",
                        note="Données fictives générées pour les mesures de performance.")
    return Scenario(parameters=params, smoothing=smoothing,
                    crra=synthetic_crra(n, seed, **kwargs))
