"""``migac sensitivity SCENARIO.xlsx --out DIR [--variation 0.1]`` (WORKBOOK.md).

Kept apart from cli.py so that the command's logic lives in one place; cli.py only adds
its parser. Like cli.py, nothing but the standard library is imported before the
command runs.
"""

from __future__ import annotations

DEFAULT_VARIATION_TEXT = "0.1"


def add_parser(sub) -> None:
    """Add the ``sensitivity`` command to cli.py's sub-parsers."""
    p = sub.add_parser("sensitivity", help="sensibilité des résultats aux paramètres nationaux",
                       description="Fait varier chaque paramètre national et chaque colonne du "
                                   "référentiel (ETP ARM, ETP MR) à la baisse puis à la hausse, "
                                   "et écrit DOSSIER/sensitivity.csv : les montants de chaque "
                                   "région et de chaque établissement dans chaque cas.")
    p.add_argument("scenario", metavar="SCENARIO", help="classeur du scénario (.xlsx)")
    p.add_argument("--out", "-o", metavar="DOSSIER", required=True,
                   help="dossier du fichier CSV (créé s'il n'existe pas)")
    p.add_argument("--variation", metavar="V", default=DEFAULT_VARIATION_TEXT,
                   help="variation relative, entre 0 et 1 exclus (0.1 par défaut : ±10 %%)")
    p.set_defaults(handler=cmd_sensitivity)


def _variation(text: str) -> float | None:
    from .core.numbers import NumberError, parse_number

    try:
        value = parse_number(text)
    except NumberError:
        return None
    return value if 0.0 < value < 1.0 else None


def cmd_sensitivity(args) -> int:
    from .cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, _err, _out, load_valid_scenario
    from .core.french import plural
    from .oserrors import os_reason

    if not args.out.strip():
        _err("Erreur — l'option --out attend un dossier, pas un texte vide.")
        return EXIT_INVALID
    variation = _variation(args.variation)
    if variation is None:
        _err(f"Erreur — l'option --variation doit être un nombre compris entre 0 et 1 exclus "
             f"(par exemple 0,1 pour ±10 %), pas « {args.variation} ».")
        return EXIT_INVALID
    scenario, results = load_valid_scenario(args.scenario)

    from .core.numbers import format_number
    from .core.sensitivity import DIRECTION_LABELS, sweep
    from .io.sensitivity_export import write_sensitivity_csv

    run = sweep(scenario, variation, base=results)
    refused = run.first_refusal()
    if refused is not None:
        v, problems = refused
        factor = format_number(v.factor, 4).rstrip("0").rstrip(",")
        _err(f"Erreur — paramètre {v.parameter}, variation {DIRECTION_LABELS[v.direction]} "
             f"(direction {v.direction}, × {factor}) : le modèle refuse le scénario varié.")
        for problem in problems:
            _err(str(problem))
        return EXIT_INVALID
    try:
        path = write_sensitivity_csv(run, args.out)
    except OSError as exc:
        where = exc.filename or args.out
        _err(f"Erreur — impossible d'écrire « {where} » : {os_reason(exc)}.")
        return EXIT_FAILURE
    n_units = len(results.region_names) + len(results.finess_names)
    _out(f"Sensibilité à ±{format_number(variation * 100, 2).rstrip('0').rstrip(',')} % : "
         f"{plural(len(run.variations), 'scénario varié', 'scénarios variés')}, "
         f"{plural(n_units, 'unité')} ({plural(len(results.region_names), 'région')} et "
         f"{plural(len(results.finess_names), 'établissement')}).")
    _out("Fichier écrit :")
    _out(f"  {path}")
    return EXIT_OK
