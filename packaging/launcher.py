"""Entry script of the stand-alone program (PyInstaller), for its two executables.

The bundle's folder holds ``migac-desktop`` (the window, the same as the
``migac-desktop`` command) and ``migac`` (the command line, the same as ``migac``),
built from this one script: the executable's own name says which one runs.
"""

import os
import sys
from pathlib import Path


def _persistent_matplotlib_cache() -> None:
    """Keep matplotlib's font list from one session to the next.

    PyInstaller's matplotlib run-time hook points ``MPLCONFIGDIR`` at a new temporary
    folder on every start (made for one-file bundles, unpacked elsewhere each time), so
    the first chart of every session would rebuild the font list (about a second). A
    one-folder bundle does not move: a per-user cache folder of its own is safe
    (matplotlib rebuilds the list by itself if the bundle is moved).
    """
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "migac-desktop" / "matplotlib"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return                                   # keep the temporary folder
    os.environ["MPLCONFIGDIR"] = str(folder)


def _is_command_line(executable: str) -> bool:
    """``migac`` / ``migac.exe``: the command line; anything else opens the window."""
    return Path(executable).name.lower() in ("migac", "migac.exe")


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        _persistent_matplotlib_cache()
    if _is_command_line(sys.executable if getattr(sys, "frozen", False) else sys.argv[0]):
        from migac_desktop.cli import main
    else:
        from migac_desktop.ui.app import main
    sys.exit(main())
