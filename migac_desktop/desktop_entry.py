"""Linux desktop integration: ``migac-desktop --install-desktop-entry``. No Qt here.

Installs, for the current user only (no administrator rights), what a freedesktop
desktop (GNOME, KDE, Xfce…) needs to show MIGAC Desktop in its application menu and
in « Ouvrir avec » for ``.xlsx`` files:

- ``$XDG_DATA_HOME/applications/migac-desktop.desktop`` (``~/.local/share`` when the
  variable is unset), made from the packaged template
  ``migac_desktop/resources/migac-desktop.desktop`` with ``Exec`` and ``TryExec`` set to
  the absolute path of the program that runs the command (virtual environment's
  ``migac-desktop`` script, or the stand-alone bundle's executable);
- the icons in ``$XDG_DATA_HOME/icons/hicolor/<N>x<N>/apps/`` and ``…/scalable/apps/``;
- then ``update-desktop-database`` and ``gtk-update-icon-cache`` when they are installed
  (the menu picks the entry up without them too, a little later).

The file name ``migac-desktop.desktop`` is the one the application gives to
``QGuiApplication.setDesktopFileName`` (the Wayland app id) and its ``StartupWMClass``
is the X11 instance name the window carries (see ``ui/app.py``): the taskbar groups the
window under this entry and shows its icon. The entry is not made the default program
for ``.xlsx`` files (Excel or LibreOffice stay so); the summary says how to do it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .io.atomic import write_atomically

APP_ID = "migac-desktop"
DESKTOP_FILE = f"{APP_ID}.desktop"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ICON_SIZES = (16, 32, 48, 64, 128, 256)

# Characters that force quoting of an Exec argument (Desktop Entry Specification, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def resources_dir() -> Path:
    """The packaged resources (icons, desktop entry template), in a checkout, a wheel or a bundle."""
    return Path(__file__).resolve().parent / "resources"


def icon_png(size: int) -> Path:
    return resources_dir() / f"{APP_ID}-{size}.png"


def data_home(environ: os._Environ | dict | None = None) -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when unset or not absolute (XDG rule)."""
    environ = os.environ if environ is None else environ
    value = environ.get("XDG_DATA_HOME", "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / ".local" / "share"


def launcher_command() -> list[str]:
    """The command that starts this installation of MIGAC Desktop, as absolute paths.

    The stand-alone bundle (PyInstaller) is its own executable; an installed package
    has its ``migac-desktop`` script beside the interpreter (virtual environment) or
    on the PATH; failing both, the interpreter runs the module.
    """
    if getattr(sys, "frozen", False):
        return [os.path.abspath(sys.executable)]
    argv0 = sys.argv[0] if sys.argv else ""
    if Path(argv0).name in (APP_ID, f"{APP_ID}.exe") and os.path.isfile(argv0):
        return [os.path.abspath(argv0)]
    # Not resolved: a venv's bin/python is a symlink to the system interpreter.
    beside = Path(os.path.abspath(sys.executable)).parent / APP_ID
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which(APP_ID)
    if found:
        return [os.path.abspath(found)]
    return [os.path.abspath(sys.executable), "-m", "migac_desktop.ui.app"]


def quote_exec_argument(argument: str) -> str:
    """One argument of an ``Exec`` value, quoted and escaped as the specification asks.

    Quoting first (reserved characters), then the escapes of every string value
    (a backslash is written twice); ``%`` is doubled so it is not a field code.
    """
    argument = argument.replace("%", "%%")
    if not argument or any(c in _RESERVED for c in argument):
        escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
        argument = f'"{escaped}"'
    return argument.replace("\\", "\\\\")


def desktop_entry_text(command: list[str] | None = None) -> str:
    """The template with ``Exec`` (``… %f``) and ``TryExec`` pointing at ``command``."""
    command = launcher_command() if command is None else command
    lines = []
    for line in (resources_dir() / DESKTOP_FILE).read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(quote_exec_argument(a) for a in command) + " %f"
        elif line.startswith("TryExec="):
            line = "TryExec=" + command[0].replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _installed_paths(home: Path) -> tuple[Path, list[tuple[Path, Path]]]:
    """The entry's path and the (source, destination) pairs of the icons."""
    icons = home / "icons" / "hicolor"
    pairs = [(icon_png(s), icons / f"{s}x{s}" / "apps" / f"{APP_ID}.png") for s in ICON_SIZES]
    pairs.append((resources_dir() / f"{APP_ID}.svg", icons / "scalable" / "apps" / f"{APP_ID}.svg"))
    return home / "applications" / DESKTOP_FILE, pairs


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, mode=0o644)


def _refresh_caches(home: Path) -> list[str]:
    """Run the menu and icon cache tools that are installed; their absence is not an error."""
    done = []
    for tool, args in (("update-desktop-database", ["-q", str(home / "applications")]),
                       ("gtk-update-icon-cache", ["-q", "-f", "-t", str(home / "icons" / "hicolor")])):
        exe = shutil.which(tool)
        if exe is None:
            continue
        try:
            subprocess.run([exe, *args], check=False, timeout=30,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            done.append(tool)
        except (OSError, subprocess.SubprocessError):
            pass
    return done


def install(environ: dict | None = None, command: list[str] | None = None) -> Path:
    """Install the entry and the icons for the current user; return the entry's path."""
    home = data_home(environ)
    entry, icons = _installed_paths(home)
    for source, destination in icons:
        _write_atomically(destination, source.read_bytes())
    _write_atomically(entry, desktop_entry_text(command).encode("utf-8"))
    _refresh_caches(home)
    return entry


def uninstall(environ: dict | None = None) -> list[Path]:
    """Remove what :func:`install` wrote; return the files removed."""
    home = data_home(environ)
    entry, icons = _installed_paths(home)
    removed = []
    for path in [entry, *(destination for _, destination in icons)]:
        if path.is_file():
            path.unlink()
            removed.append(path)
    _refresh_caches(home)
    return removed


def command_line(option: str) -> int:
    """``--install-desktop-entry`` / ``--uninstall-desktop-entry``: act, print a French summary."""
    if not sys.platform.startswith("linux"):
        print("Cette option ne concerne que Linux (menus des bureaux freedesktop). Sous Windows et "
              "macOS, construisez le programme autonome : voir « Lancer par double-clic » dans le README.",
              file=sys.stderr)
        return 2
    try:
        if option == "--uninstall-desktop-entry":
            removed = uninstall()
            if removed:
                print(f"MIGAC Desktop a été retiré du menu des applications ({len(removed)} fichier(s) "
                      f"supprimé(s) dans {data_home()}).")
            else:
                print("MIGAC Desktop n'était pas installé dans le menu des applications de cet utilisateur.")
            return 0
        entry = install()
    except OSError as exc:
        print(f"L'installation dans le menu des applications a échoué : {exc}", file=sys.stderr)
        return 1
    program = " ".join(launcher_command())
    print("MIGAC Desktop est installé dans le menu des applications (pour cet utilisateur) :\n"
          f"  entrée du menu : {entry}\n"
          f"  icônes         : {data_home() / 'icons' / 'hicolor'}/<taille>/apps/{APP_ID}.png (et .svg)\n"
          f"  programme      : {program}\n"
          "Un double-clic sur l'icône ouvre MIGAC Desktop, et les classeurs .xlsx proposent "
          "« MIGAC Desktop » dans « Ouvrir avec ».\n"
          "Pour en faire le programme par défaut des classeurs .xlsx :\n"
          f"  xdg-mime default {DESKTOP_FILE} {XLSX_MIME}\n"
          f"Pour le retirer du menu : {program} --uninstall-desktop-entry\n"
          f"{reinstall_advice()}")
    return 0


def reinstall_advice() -> str:
    """When to install the entry again: it names the program by its absolute path."""
    if getattr(sys, "frozen", False):
        folder = Path(os.path.abspath(sys.executable)).parent
        return (f"Si vous déplacez ou remplacez le dossier du programme ({folder}), relancez "
                "cette commande depuis son nouvel emplacement.")
    return "Si vous déplacez ou recréez l'environnement Python, relancez l'installation."
