#!/usr/bin/env bash
# Construit le programme autonome de MIGAC Desktop (PyInstaller, un dossier), puis le vérifie.
#
#   bash scripts/build_bundle.sh            # construit dist/migac-desktop/ et le vérifie
#   bash scripts/build_bundle.sh --check    # vérifie seulement un dist/migac-desktop/ existant
#
# - un environnement Python séparé, build/bundle-venv/ (jamais .venv/ : PyInstaller n'est
#   pas une dépendance du projet ni de ses tests), reçoit MIGAC Desktop (installé comme
#   l'installerait un utilisateur, pas en mode éditable) et PyInstaller ;
# - PyInstaller suit packaging/migac-desktop.spec : dist/migac-desktop/migac-desktop
#   (Linux), dist/migac-desktop/migac-desktop.exe (Windows, même spec, à lancer sous
#   Windows), dist/MIGAC Desktop.app (macOS) ;
# - la vérification lance le programme construit sous un écran virtuel (xvfb-run) sur
#   samples/scenario_national_2014.xlsx avec --smoke-test : il doit ouvrir sa fenêtre et
#   le scénario (101 CRRA), puis s'arrêter ; la ligne de commande du dossier (migac) doit
#   valider le même scénario ; elle affiche la taille du dossier et le temps de démarrage
#   (benchmarks/bench_startup.py --program). Elle n'écrit que dans un dossier temporaire
#   (configuration, caches et copies de secours des programmes lancés), effacé à la fin.
#
# Les dossiers build/ et dist/ ne sont pas suivis par git.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_VENV="${MIGAC_BUILD_VENV:-$ROOT/build/bundle-venv}"
PYTHON="${PYTHON:-python3}"
DIST="$ROOT/dist/migac-desktop"
PROGRAM="$DIST/migac-desktop"
CLI="$DIST/migac"
SAMPLE="$ROOT/samples/scenario_national_2014.xlsx"

say() { printf '[bundle] %s\n' "$*"; }
die() { printf '\n[bundle] ERREUR : %s\n' "$*" >&2; exit 1; }

build() {
    if [ ! -x "$BUILD_VENV/bin/python" ]; then
        say "Création de l'environnement de construction $BUILD_VENV"
        "$PYTHON" -m venv "$BUILD_VENV" || die "« $PYTHON -m venv » a échoué (paquet python3-venv ?)"
    fi
    say "Installation de MIGAC Desktop et de PyInstaller dans l'environnement de construction"
    PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 \
        "$BUILD_VENV/bin/python" -m pip install -q "$ROOT" "pyinstaller>=6.10" \
        || die "l'installation a échoué (voir les messages de pip ci-dessus)"
    say "Construction (PyInstaller, quelques minutes)"
    (cd "$ROOT" && "$BUILD_VENV/bin/pyinstaller" --noconfirm --clean --log-level WARN \
        --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" packaging/migac-desktop.spec) \
        || die "PyInstaller a échoué"
}

check() {
    [ -x "$PROGRAM" ] || die "programme introuvable : $PROGRAM (construisez-le d'abord)"
    [ -x "$CLI" ] || die "ligne de commande introuvable : $CLI (reconstruisez le programme)"
    command -v xvfb-run >/dev/null || die "xvfb-run introuvable : apt-get install xvfb xauth"
    say "Vérification : $PROGRAM --smoke-test $(basename "$SAMPLE") sous xvfb-run"
    local scratch out
    # Everything the programs write (settings, font and matplotlib caches, recovery
    # copies, temporary files) goes to one temporary folder, removed on exit.
    scratch="$(mktemp -d)"
    # shellcheck disable=SC2064  # expanded now, on purpose
    trap "rm -rf '$scratch'" EXIT
    mkdir -p "$scratch/config" "$scratch/cache" "$scratch/data" "$scratch/tmp"
    local isolated=(env -u QT_QPA_PLATFORM XDG_CONFIG_HOME="$scratch/config"
                    XDG_CACHE_HOME="$scratch/cache" XDG_DATA_HOME="$scratch/data"
                    TMPDIR="$scratch/tmp" MIGAC_RECOVERY_DIR="$scratch/recovery")
    out="$("${isolated[@]}" timeout 120 \
        xvfb-run -a "$PROGRAM" --smoke-test "$SAMPLE" 2>"$scratch/stderr")" || {
        cat "$scratch/stderr" >&2
        die "le programme construit ne s'est pas lancé correctement"
    }
    printf '%s\n' "$out"
    case "$out" in
        *"MIGAC-SMOKE ok fichier=scenario_national_2014.xlsx crra=101"*) ;;
        *) die "le programme construit n'a pas ouvert l'échantillon national" ;;
    esac
    say "Le programme autonome démarre et ouvre l'échantillon national."
    "${isolated[@]}" "$CLI" --version || die "« $CLI --version » a échoué"
    "${isolated[@]}" "$CLI" validate "$SAMPLE" >/dev/null \
        || die "la ligne de commande du programme autonome ne valide pas l'échantillon national"
    say "La ligne de commande du programme autonome (migac) valide l'échantillon national."
    say "Taille du dossier : $(du -sh "$DIST" | cut -f1) ($(find "$DIST" -type f | wc -l) fichiers)"
    if [ -x "$ROOT/.venv/bin/python" ]; then
        bench_python="$ROOT/.venv/bin/python"
    else
        bench_python="$BUILD_VENV/bin/python"
    fi
    "${isolated[@]}" "$bench_python" "$ROOT/benchmarks/bench_startup.py" --program "$PROGRAM" --runs 7
}

case "${1:-}" in
    --check) check ;;
    "") build; check ;;
    *) die "option inconnue : $1 (rien, ou --check)" ;;
esac
