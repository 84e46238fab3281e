#!/usr/bin/env bash
# Prépare l'environnement (paquets système, .venv/) puis ouvre MIGAC Desktop.
# Usage : bash scripts/run.sh                 -> ouvre l'exemple national (samples/scenario_national_2014.xlsx)
#         bash scripts/run.sh MON_SCENARIO.xlsx -> ouvre ce scénario
set -euo pipefail

# shellcheck source=scripts/_setup.sh
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"

migac_check_python
migac_ensure_system_packages "${MIGAC_RUNTIME_PACKAGES[@]}"
migac_ensure_venv

if [ "$#" -gt 0 ]; then
    args=("$@")
else
    sample="$MIGAC_ROOT/samples/scenario_national_2014.xlsx"
    if [ -f "$sample" ]; then
        args=("$sample")
    else
        migac_say "Exemple introuvable ($sample) : l'application s'ouvre sans scénario."
        args=()
    fi
fi

# Without a graphical session Qt cannot open a window: say so clearly instead of Qt's
# "could not connect to display" abort. QT_QPA_PLATFORM set by the user (offscreen, vnc…)
# is left alone.
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    migac_no_display_hint "$@" >&2
    exit 1
fi

migac_say "Ouverture de MIGAC Desktop ${args[*]:-}"
cd "$MIGAC_ROOT"
exec "$MIGAC_VENV/bin/migac-desktop" "${args[@]}"
