# shellcheck shell=bash
# Shared set-up for scripts/run.sh and scripts/test.sh (sourced, not run).
#
# - checks that python3 is 3.11 or newer;
# - checks the Debian packages the application needs (dpkg-query) and, when some are
#   missing, installs them with apt-get if we are root, or prints the exact command and
#   stops otherwise;
# - creates the virtual environment .venv/ at the repository root and installs into it the
#   exact packages of the lock file (requirements/run.lock for run.sh, requirements/test.lock
#   with the test tools for test.sh: versions and hashes), then the project itself
#   (editable, without dependencies). uv (pinned in requirements/uv.lock, installed inside
#   .venv/ by pip) does the install when it can be had, pip otherwise (MIGAC_NO_UV=1 forces
#   pip). Skipped when nothing changed since the last install (stamp file newer than
#   pyproject.toml and the lock file). scripts/lock.sh rewrites the lock files.
#
# Every list of system packages lives here, and only here.

# --- Debian packages ---------------------------------------------------------------------
# Checked with `ldd` on PySide6's Qt libraries and platform plugins (libQt6Gui, libQt6XcbQpa,
# platforms/libqxcb.so, libqoffscreen.so, libqwayland.so, printsupport, xcbglintegrations)
# on a bare Debian 12 (debootstrap --variant=minbase + python3). Each package is listed
# directly, not left to another package's dependencies.
# shellcheck disable=SC2034  # used by run.sh and test.sh
MIGAC_RUNTIME_PACKAGES=(
    # OpenGL / EGL (linked by QtGui and every platform plugin)
    libegl1 libgl1
    # keyboard
    libxkbcommon0 libxkbcommon-x11-0
    # X11 / xcb, for the xcb platform plugin (libqxcb.so) and libQt6XcbQpa
    libx11-6 libx11-xcb1 libxcb1
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1
    libxcb-util1 libxcb-xfixes0 libxcb-xkb1 libxcb-glx0
    # Wayland sessions (platforms/libqwayland.so)
    libwayland-client0 libwayland-cursor0 libwayland-egl1
    # fonts
    fontconfig libfontconfig1 libfreetype6 fonts-dejavu-core
    # GLib event loop, D-Bus (libQt6DBus), printing to system printers (CUPS plugin)
    libglib2.0-0 libdbus-1-3 libcups2
)

# Only for the test suite: a virtual X server for tests and screenshots of real windows,
# pdftotext/pdftoppm to check the PDF reports, and LibreOffice Calc (headless) as the
# independent engine that recomputes the saved workbooks' formulas and re-saves scenarios
# for the round-trip tests (tests/test_libreoffice.py).
# shellcheck disable=SC2034  # used by test.sh
MIGAC_TEST_PACKAGES=(
    xvfb xauth poppler-utils
    # xdotool: keys and clicks sent through the X server to the real program (tests/test_real_program.py)
    xdotool
    libreoffice-calc-nogui
    # desktop-file-validate and update-desktop-database, for the Linux desktop entry
    desktop-file-utils
    # the accessibility tree read as a screen reader reads it (tests/test_atspi.py): a private
    # D-Bus session (dbus-run-session), the AT-SPI bus and registry, and pyatspi for the
    # system's python3 that reads the tree from another process
    dbus-daemon at-spi2-core python3-gi gir1.2-atspi-2.0 python3-pyatspi
)

# --- helpers -------------------------------------------------------------------------------
MIGAC_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MIGAC_VENV="$MIGAC_ROOT/.venv"
MIGAC_STAMP="$MIGAC_VENV/.migac-install-stamp"

migac_say() { printf '[migac] %s\n' "$*"; }

# migac_install_hint PKG... : prints (stdout) the command that installs the packages with
# administrator rights: with sudo, and with `su -c '…'` (root's password), the only way
# on a Debian installed without sudo.
migac_install_hint() {
    local install="apt-get update && apt-get install -y --no-install-recommends $*"
    if command -v sudo >/dev/null 2>&1; then
        printf '    sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n\n' "$*"
        printf '[migac] ou, sans droits sudo, avec le mot de passe de root :\n\n'
    else
        printf '[migac] (sudo n'\''est pas installé : la commande passe par su, avec le mot de passe de root)\n\n'
    fi
    printf "    su -c '%s'\n\n" "$install"
}
migac_die() {
    printf '\n[migac] ERREUR : %s\n' "$*" >&2
    exit 1
}

# Prints the packages of "$@" that are not installed. A library renamed by the 64-bit time_t
# transition (Debian 13, Ubuntu 24.04: libglib2.0-0t64, libcups2t64…) counts as installed.
migac_missing_packages() {
    local pkg name status
    for pkg in "$@"; do
        for name in "$pkg" "${pkg}t64"; do
            status="$(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null || true)"
            [ "$status" = "installed" ] && continue 2
        done
        printf '%s\n' "$pkg"
    done
}

migac_check_python() {
    command -v python3 >/dev/null 2>&1 \
        || migac_die "python3 est introuvable. Installez Python 3.11 ou plus récent (Debian : apt-get install python3)."
    python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || migac_die "MIGAC Desktop demande Python 3.11 ou plus récent ; python3 est en version $(python3 -c 'import platform; print(platform.python_version())')."
}

# migac_no_display_hint [ARG...] : what run.sh says without a graphical session, naming
# the script by its real path (it can be run from any folder) with the same arguments.
migac_no_display_hint() {
    local script args=""
    script="$(cd "$MIGAC_ROOT/scripts" && pwd -P)/run.sh"
    [ "$#" -gt 0 ] && args="$(printf ' %q' "$@")"
    printf '\n[migac] L'\''environnement est prêt, mais aucune session graphique n'\''est ouverte\n'
    printf '[migac] (variables DISPLAY et WAYLAND_DISPLAY vides) : MIGAC Desktop a besoin d'\''un écran.\n'
    printf '[migac] Lancez cette commande depuis le bureau (terminal d'\''une session graphique), ou,\n'
    printf '[migac] sur un serveur sans écran, dans un écran virtuel :\n\n'
    if ! command -v xvfb-run >/dev/null 2>&1; then
        if [ "$(id -u)" -eq 0 ]; then
            printf '    apt-get install -y xvfb xauth   # une seule fois\n\n'
        else
            printf '[migac] une seule fois, l'\''écran virtuel (paquets xvfb et xauth) :\n\n'
            migac_install_hint xvfb xauth
            printf '[migac] puis :\n\n'
        fi
    fi
    printf '    xvfb-run -a bash %q%s\n\n' "$script" "$args"
}

# migac_ensure_system_packages PKG... : installs the missing ones (root) or stops with the
# exact command to run (not root).
migac_ensure_system_packages() {
    local wanted=("$@")
    # `python3 -m venv` needs ensurepip, which Debian ships in python3-venv.
    if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
        wanted+=(python3-venv)
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        migac_say "Système sans dpkg/apt : les bibliothèques système ne sont pas vérifiées."
        migac_say "Sous Linux, Qt demande notamment libEGL, libGL, libxkbcommon, les bibliothèques xcb et fontconfig."
        return 0
    fi
    local missing
    mapfile -t missing < <(migac_missing_packages "${wanted[@]}")
    if [ "${#missing[@]}" -eq 0 ]; then
        return 0
    fi
    if [ "$(id -u)" -eq 0 ]; then
        migac_say "Installation des paquets système manquants : ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q \
            || migac_die "« apt-get update » a échoué : vérifiez la connexion au dépôt Debian."
        apt-get install -y -q --no-install-recommends "${missing[@]}" \
            || migac_die "« apt-get install » a échoué pour : ${missing[*]}"
    else
        {
            printf '\n[migac] Il manque des paquets système : %s\n' "${missing[*]}"
            printf '[migac] Installez-les avec la commande suivante (droits administrateur), puis relancez ce script :\n\n'
            migac_install_hint "${missing[@]}"
        } >&2
        exit 1
    fi
}

# migac_install_locked LOCK : installs the locked packages and the project (editable) into
# .venv/, with uv when it can be had, with pip otherwise. Returns non-zero on failure.
migac_install_locked() {
    local lock="$1" py="$MIGAC_VENV/bin/python"
    export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
    if [ "${MIGAC_NO_UV:-0}" != "1" ] \
        && { [ -x "$MIGAC_VENV/bin/uv" ] \
             || "$py" -m pip install -q --require-hashes -r "$MIGAC_ROOT/requirements/uv.lock"; } \
        && [ -x "$MIGAC_VENV/bin/uv" ]; then
        if "$MIGAC_VENV/bin/uv" pip install --quiet --python "$py" --require-hashes -r "$lock" \
            && "$MIGAC_VENV/bin/uv" pip install --quiet --python "$py" --no-deps -e "$MIGAC_ROOT"; then
            return 0
        fi
        migac_say "uv n'a pas pu installer les paquets : nouvel essai avec pip."
    fi
    "$py" -m pip install --require-hashes -r "$lock" \
        && "$py" -m pip install --no-deps -e "$MIGAC_ROOT"
}

# migac_ensure_venv [test] : creates .venv/ if needed and installs the project in it
# (editable), with the test tools (pytest, pytest-qt, pytest-xdist, hypothesis) when asked for.
migac_ensure_venv() {
    local extras="${1:-}" stamp="$MIGAC_STAMP" lock="$MIGAC_ROOT/requirements/run.lock"
    if [ -n "$extras" ]; then
        stamp="$MIGAC_STAMP-$extras"
        lock="$MIGAC_ROOT/requirements/$extras.lock"
    fi
    cd "$MIGAC_ROOT" || exit 1
    # A venv whose interpreter or pip no longer works (python3 upgraded, venv creation
    # interrupted, directory copied from another machine) is rebuilt.
    if [ -e "$MIGAC_VENV" ] && ! "$MIGAC_VENV/bin/python" -m pip --version >/dev/null 2>&1; then
        migac_say "Environnement .venv/ inutilisable : il est recréé."
        rm -rf "$MIGAC_VENV"
    fi
    if [ ! -e "$MIGAC_VENV" ]; then
        migac_say "Création de l'environnement Python dans .venv/"
        python3 -m venv "$MIGAC_VENV" \
            || migac_die "La création de l'environnement .venv/ a échoué."
    fi
    # An install with the test tools serves run.sh too.
    local done_stamp done_lock
    for done_stamp in "$stamp" "$MIGAC_STAMP-test"; do
        done_lock="$lock"
        [ "$done_stamp" = "$MIGAC_STAMP-test" ] && done_lock="$MIGAC_ROOT/requirements/test.lock"
        if [ -f "$done_stamp" ] && [ "$done_stamp" -nt "$MIGAC_ROOT/pyproject.toml" ] \
            && [ "$done_stamp" -nt "$done_lock" ] && [ -x "$MIGAC_VENV/bin/migac-desktop" ]; then
            return 0
        fi
    done
    if [ -n "$extras" ]; then
        migac_say "Installation de MIGAC Desktop, de ses dépendances et des outils de test dans .venv/ (la première fois, une minute environ)"
    else
        migac_say "Installation de MIGAC Desktop et de ses dépendances dans .venv/ (la première fois, une minute environ)"
    fi
    rm -f "$stamp"
    migac_install_locked "$lock" \
        || migac_die "L'installation des dépendances Python a échoué (voir les messages ci-dessus)."
    touch "$stamp"
}
