"""Entry script of the stand-alone program (PyInstaller): the same as the ``migac-desktop`` command."""

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


if __name__ == "__main__":
    if getattr(sys, "frozen", False):
        _persistent_matplotlib_cache()
    from migac_desktop.ui.app import main
    sys.exit(main())
