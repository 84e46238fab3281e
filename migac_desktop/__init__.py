"""MIGAC Desktop: allocation of the MIG SAMU grant among call centres (CRRA)."""

import os as _os

# numpy's OpenBLAS starts one thread per core when it loads (half of numpy's import
# time, 50 ms at start-up); the model is element-wise and never needs them. A value
# set by the user wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

_DISTRIBUTION = "migac-desktop"


def _read_version() -> str:
    """The version is written once, in pyproject.toml; the installed metadata carries it.

    A checkout used without installing (``PYTHONPATH=.``) reads pyproject.toml itself.
    """
    from importlib import metadata

    try:
        return metadata.version(_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        pass
    import tomllib
    from pathlib import Path

    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        with pyproject.open("rb") as f:
            return tomllib.load(f)["project"]["version"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        return "0+inconnue"


__version__: str    # declared for type checkers; set by __getattr__ on first use


def __getattr__(name: str):
    # Read on first use, not at import: importlib.metadata costs a few milliseconds that
    # the start-up does not need to pay.
    if name == "__version__":
        global __version__
        __version__ = _read_version()
        return __version__
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
