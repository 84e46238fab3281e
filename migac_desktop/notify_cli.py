"""``migac notify SCENARIO.xlsx --out DIR [--region NOM]`` (WORKBOOK.md).

One notification per hospital (FINESS) of the scenario, or of the region:
``DIR/<FINESS>.pdf`` and ``DIR/notifications.csv``. Kept apart from cli.py like
sensitivity_cli.py; the PDFs are painted by the ui layer, reached through cli.py's
renderer (the one import of the ui layer by the command line).
"""

from __future__ import annotations


def add_parser(sub) -> None:
    """Add the ``notify`` command to cli.py's sub-parsers."""
    p = sub.add_parser("notify", help="écrit la notification de chaque établissement en PDF",
                       description="Écrit une notification par établissement (FINESS) du "
                                   "scénario ou de la région : DOSSIER/<FINESS>.pdf (A4) et "
                                   "DOSSIER/notifications.csv (colonnes de establishments.csv). "
                                   "Les fichiers de même nom sont remplacés.")
    p.add_argument("scenario", metavar="SCENARIO", help="classeur du scénario (.xlsx)")
    p.add_argument("--out", "-o", metavar="DOSSIER", required=True,
                   help="dossier des notifications (créé s'il n'existe pas)")
    p.add_argument("--region", metavar="RÉGION",
                   help="seulement les établissements de cette région, nommée exactement "
                        "comme dans le scénario (par défaut : tout le scénario)")
    p.set_defaults(handler=cmd_notify)


def cmd_notify(args) -> int:
    from pathlib import Path

    from .cli import EXIT_FAILURE, EXIT_INVALID, EXIT_OK, _err, _out, _report_renderer, load_valid_scenario
    from .core.french import plural
    from .oserrors import os_reason

    if not args.out.strip():
        _err("Erreur — l'option --out attend un dossier, pas un texte vide.")
        return EXIT_INVALID
    render = _report_renderer("write_notification_pdfs")
    if render is None:
        _err("La commande notify a besoin de Qt (PySide6), absent de cette installation : "
             "installez PySide6-Essentials, ou écrivez les notifications depuis la fenêtre.")
        return EXIT_FAILURE
    scenario, results = load_valid_scenario(args.scenario)
    regions = [str(r) for r in results.region_names]
    if args.region is not None and args.region not in regions:
        from .core.french import order_key

        shown = ", ".join(f"« {r} »" for r in sorted(regions, key=order_key))
        _err(f"Erreur — la région « {args.region} » n'a aucun CRRA dans le scénario "
             f"(régions : {shown}).")
        return EXIT_INVALID

    from .io.notifications_csv import write_notifications_csv
    from .reporting.notification import notified_establishments

    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        run = render(scenario, results, out, region=args.region, source=Path(args.scenario))
        csv_path = write_notifications_csv(results, notified_establishments(results, args.region),
                                           out)
    except OSError as exc:
        _err(f"Erreur — impossible d'écrire les notifications dans « {exc.filename or out} » : "
             f"{os_reason(exc)}.")
        return EXIT_FAILURE
    title = scenario.parameters.titre.strip() or Path(args.scenario).name
    _out(f"Scénario : {title}")
    if args.region is not None:
        _out(f"Région : {args.region}")
    _out(f"{plural(len(run.paths), 'notification écrite', 'notifications écrites')} "
         f"dans « {out} » ({plural(sum(run.pages), 'page')})")
    _out("Fichiers écrits :")
    for path in [csv_path] + run.paths:
        _out(f"  {path}")
    return EXIT_OK
