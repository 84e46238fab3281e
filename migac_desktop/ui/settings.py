"""Every key the program keeps in QSettings, declared once, with the few typed getters
the window and its dialogs share (a key typed twice drifts: one day it is read under
another name than it was written)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

# -- keys ---------------------------------------------------------------------------------
LAST_FOLDER_KEY = "files/lastFolder"        # folder of the last scenario opened or saved
RECENT_FILES_KEY = "files/recent"           # list of absolute paths, most recent first
GEOMETRY_KEY = "window/geometry"            # QMainWindow.saveGeometry()
AUTOSAVE_INTERVAL_KEY = "recovery/intervalSeconds"
COLUMNS_KEY = "tables/{name}/columns"       # JSON: order, hidden, widths by column key
EXPORT_FOLDER_KEY = "tables/exportFolder"   # folder of the last table export
AUTHOR_KEY = "journal/author"               # the « Auteur » of the journal; empty = the login
NOTIFY_FOLDER_KEY = "files/notificationsFolder"  # folder of the hospitals' notifications

MAX_RECENT = 8


# -- typed getters -------------------------------------------------------------------------
def _settings(settings: QSettings | None) -> QSettings:
    return settings if settings is not None else QSettings()


def last_folder(settings: QSettings | None = None) -> str:
    """Where the file dialogs start: the last folder used, else the home folder."""
    return str(_settings(settings).value(LAST_FOLDER_KEY, str(Path.home())))


def recent_files(settings: QSettings | None = None) -> list[str]:
    """The recent scenarios; QSettings gives back a one-item list as a bare string."""
    value = _settings(settings).value(RECENT_FILES_KEY, [])
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value or []]


def remember_file(path: Path, settings: QSettings | None = None) -> None:
    """Put ``path`` first among the recent files; its folder is where dialogs start next."""
    settings = _settings(settings)
    path = Path(path).resolve()
    recent = [p for p in recent_files(settings) if p != str(path)]
    recent.insert(0, str(path))
    settings.setValue(RECENT_FILES_KEY, recent[:MAX_RECENT])
    settings.setValue(LAST_FOLDER_KEY, str(path.parent))


def system_login() -> str:
    """The operating system's login, the journal's author unless the user set another."""
    import getpass
    try:
        return getpass.getuser()
    except (KeyError, OSError, ImportError):      # no login name (a service account)
        return ""


def journal_author(settings: QSettings | None = None) -> str:
    """The name the journal records: the one set in the preferences, else the login."""
    name = str(_settings(settings).value(AUTHOR_KEY, "") or "").strip()
    return name or system_login()


def set_journal_author(name: str, settings: QSettings | None = None) -> None:
    _settings(settings).setValue(AUTHOR_KEY, name.strip())


def notifications_folder(settings: QSettings | None = None) -> str:
    """The folder the notifications were last written to, else the scenarios' folder."""
    settings = _settings(settings)
    return str(settings.value(NOTIFY_FOLDER_KEY, "") or "") or last_folder(settings)


def set_notifications_folder(folder: str, settings: QSettings | None = None) -> None:
    _settings(settings).setValue(NOTIFY_FOLDER_KEY, str(folder))
