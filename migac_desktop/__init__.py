"""MIGAC Desktop: allocation of the MIG SAMU grant among call centres (CRRA)."""

__version__ = "0.1.0"
