"""The explanation of the transition policy « Plafonné » for one CRRA (MODEL.md), year by
year: its unit, the unit's bounds, how the year was financed, and the CRRA's share."""

from __future__ import annotations

import html
import math

from ..core.numbers import format_euros, format_percent

UNIT_NAMES = {"establishment": "Établissement", "region": "Région", "crra": "CRRA"}


def _euros(value: float) -> str:
    return format_euros(value, 2)


def _signed_euros(value: float) -> str:
    """To the cent, signed: « −20 127,44 € », « +1 234,50 € », « 0,00 € »."""
    text = format_euros(value, 2)
    return "+" + text if round(value, 2) > 0 else text if round(value, 2) < 0 else format_euros(0.0, 2)


def unit_title(results, i: int) -> str:
    """« Établissement 010000001 – CH A1 », « Région Alpha », « CRRA SAMU-A1 »."""
    t = results.transition
    arrays = results.crra_arrays
    name = str(t.unit_names[t.unit_index(i)])
    if t.level_key == "establishment" and arrays["establishment"][i]:
        name = f"{name} – {arrays['establishment'][i]}"
    return f"{UNIT_NAMES[t.level_key]} {name}"


def financing_text(year) -> str:
    """How the year's net cost of the bounds was paid (step 4), in words and to the cent."""
    net = year.net_cost
    if abs(net) < 0.005:
        return "aucune unité hors de ses bornes : les dotations linéaires sont gardées"
    if net > 0:
        gains = float(year.gain.sum())
        text = (f"les planchers coûtent {_euros(net)} ; les unités en hausse rendent "
                f"θ = {_euros(min(net, gains))} / {_euros(gains)} = {format_percent(year.theta, 2)} "
                "de leur gain" if gains > 0 else
                f"les planchers coûtent {_euros(net)} ; aucune unité n'est en hausse")
        if year.room_rate > 0:
            text += (f", puis {format_percent(year.room_rate, 2)} de la marge de chaque unité "
                     "au-dessus de son plancher")
        return text
    losses = float(year.loss.sum())
    text = (f"les plafonds libèrent {_euros(-net)} ; les unités en baisse récupèrent "
            f"φ = {_euros(min(-net, losses))} / {_euros(losses)} = {format_percent(year.phi, 2)} "
            "de leur perte" if losses > 0 else
            f"les plafonds libèrent {_euros(-net)} ; aucune unité n'est en baisse")
    if year.room_rate > 0:
        text += (f", puis {format_percent(year.room_rate, 2)} de la marge de chaque unité "
                 "sous son plafond")
    return text


def policy_rows(results, parameters, i: int, linear_by_year: dict[int, float], notified, row,
                letter) -> list[str]:
    """Rows « 9 bis » of the explanation: the policy's figures for CRRA ``i``."""
    t = results.transition
    u = t.unit_index(i)
    inside = t.level_key != "crra"          # a CRRA inside a hospital or a region
    title = html.escape(unit_title(results, i))
    rows = [row(f"9 bis. Politique de transition « Plafonné » : {title}",
                f"unité protégée : {html.escape(parameters.lissage_niveau.lower())} ; "
                "financement national, dans le total de l'année", "")]
    loss, gain = parameters.perte_max_annuelle, parameters.gain_max_annuel
    previous = f"historique {parameters.annee_historique}"
    for n, (year, policy) in enumerate(zip(results.years, t.policy.years)):
        sub = f"&nbsp;&nbsp;&nbsp;9 bis {letter(n)}. {year}"
        prev, lin, final = float(policy.prev[u]), float(policy.linear[u]), float(policy.final[u])
        floor, cap = float(policy.floor[u]), float(policy.cap[u])
        rows.append(row(f"{sub} – dotation précédente de l'unité", previous, _euros(prev)))
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;dotation linéaire de l'unité (L)",
                        "somme des dotations 9 de ses CRRA", _euros(lin)))
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;plancher",
                        f"précédente × (1 − {format_percent(loss)})" if loss is not None
                        else "aucune perte maximale", _euros(floor) if not math.isnan(floor) else "aucun"))
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;plafond",
                        f"précédente × (1 + {format_percent(gain)})" if gain is not None
                        else "aucun gain maximal", _euros(cap) if not math.isnan(cap) else "aucun"))
        if policy.floored[u]:
            status = f"relevée à son plancher : {_euros(floor)}"
        elif policy.capped[u]:
            status = f"ramenée à son plafond : {_euros(cap)}"
        else:
            status = "entre son plancher et son plafond : non bornée"
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;garantie", status,
                        "oui" if policy.guaranteed[u] else "non"))
        clipped = float(policy.clipped[u])
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;financement de l'année (part de l'unité)",
                        financing_text(policy), _signed_euros(final - clipped)))
        rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;dotation de l'unité (A)",
                        "bornée, puis financement", _euros(final), strong=not inside))
        if inside:
            crra_linear = linear_by_year[year]
            share = crra_linear / lin if lin else math.nan
            # The value column does not wrap: the long quotient goes with the formula.
            formula = (f"dotation linéaire du CRRA / L = {_euros(crra_linear)} / {_euros(lin)}"
                       if lin else "part égale : dotations linéaires nulles")
            rows.append(row("&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;part du CRRA dans l'unité",
                            formula, format_percent(share, 2) if lin else "part égale"))
            rows.append(row(f"&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;dotation {year} du CRRA",
                            "part × dotation de l'unité", _euros(float(policy.crra[i])),
                            strong=year not in notified))
        previous = f"dotation {year} de l'unité"
    return rows
