#!/usr/bin/env bash
# Prépare l'environnement (paquets système, .venv/) puis lance toute la suite de tests.
# Usage : bash scripts/test.sh [arguments de pytest…]
#   ex. : bash scripts/test.sh -x -k lissage
#         bash scripts/test.sh -m "not slow"      (la boucle rapide de tous les jours)
set -euo pipefail

# shellcheck source=scripts/_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

migac_check_python
migac_ensure_system_packages "${MIGAC_RUNTIME_PACKAGES[@]}" "${MIGAC_TEST_PACKAGES[@]}"
migac_ensure_venv test

cd "$MIGAC_ROOT"
# The guardrails first: the import contracts (Qt only under ui/, the layers), ruff, and the
# types of core/ and io/; any finding stops here (MIGAC_SKIP_CHECKS=1 skips them, for a
# quick rerun of a few tests while a change is under way).
if [ "${MIGAC_SKIP_CHECKS:-0}" != 1 ]; then
    migac_say "Contrôles : contrats d'import, ruff, mypy"
    "$MIGAC_VENV/bin/lint-imports" --no-cache >/dev/null \
        || { "$MIGAC_VENV/bin/lint-imports" --no-cache; migac_die "un contrat d'import est rompu (voir ci-dessus)."; }
    "$MIGAC_VENV/bin/ruff" check --no-cache . || migac_die "ruff signale des problèmes (voir ci-dessus ; ruff check --fix en corrige une partie)."
    "$MIGAC_VENV/bin/mypy" --cache-dir=/dev/null || migac_die "mypy signale des erreurs de types (voir ci-dessus)."
fi
migac_say "Lancement des tests (QT_QPA_PLATFORM=offscreen)"
# Two workers (pytest-xdist), one test file per worker at a time so that a module's shared
# fixtures (a LibreOffice run, a corpus) are built once; `-n 0` or MIGAC_TEST_WORKERS=0
# runs in this process only (pdb, -x).
workers=(-n "${MIGAC_TEST_WORKERS:-2}" --dist loadfile)
for arg in "$@"; do
    case "$arg" in -n*|--numprocesses*|--pdb|*xdist*) workers=() ;; esac
done
# pytest's exit code is passed on as is (0 all passed, 1 failures, 5 no test collected, …).
export QT_QPA_PLATFORM=offscreen
exec "$MIGAC_VENV/bin/python" -m pytest "${workers[@]}" "$@"
