#!/usr/bin/env bash
# Prépare l'environnement (paquets système, .venv/) puis lance toute la suite de tests.
# Usage : bash scripts/test.sh [arguments de pytest…]
#   ex. : bash scripts/test.sh -x -k lissage
set -euo pipefail

# shellcheck source=scripts/_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

migac_check_python
migac_ensure_system_packages "${MIGAC_RUNTIME_PACKAGES[@]}" "${MIGAC_TEST_PACKAGES[@]}"
migac_ensure_venv test

cd "$MIGAC_ROOT"
migac_say "Lancement des tests (QT_QPA_PLATFORM=offscreen)"
# pytest's exit code is passed on as is (0 all passed, 1 failures, 5 no test collected, …).
export QT_QPA_PLATFORM=offscreen
exec "$MIGAC_VENV/bin/python" -m pytest "$@"
