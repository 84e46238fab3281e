"""MIGAC Desktop: allocation of the MIG SAMU grant among call centres (CRRA)."""

import os as _os

# numpy's OpenBLAS starts one thread per core when it loads (half of numpy's import
# time, 50 ms at start-up); the model is element-wise and never needs them. A value
# set by the user wins.
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

__version__ = "0.1.0"
