"""What the budget benchmarks share: a measured row, its printing, the machine, Xvfb.

Each ``bench_*.py`` of the performance budget prints its rows as it measures them and,
with ``--json``, ends with one line ``BUDGET-JSON [...]`` that ``benchmarks/budget.py``
collects into the table of ``docs/PERFORMANCE.md``.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / "samples" / "scenario_national_2014.xlsx"
JSON_PREFIX = "BUDGET-JSON "


@dataclass
class Row:
    label: str
    values: list[float]          # seconds, or MB when unit == "MB"
    target: float | None
    unit: str = "s"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def ok(self) -> bool | None:
        return None if self.target is None else self.median <= self.target


def fmt(value: float, unit: str = "s") -> str:
    if unit == "MB":
        return f"{value:.0f} Mo"
    if value < 1:
        return f"{value * 1000:.1f} ms"
    return f"{value:.2f} s"


def verdict(row: Row) -> str:
    if row.ok is None:
        return ""
    return "tenu" if row.ok else "MANQUÉ"


def print_row(row: Row) -> None:
    target = f"cible ≤ {fmt(row.target, row.unit)}" if row.target is not None else ""
    print(f"{row.label:<52} médiane {fmt(row.median, row.unit):>9}   min {fmt(min(row.values), row.unit):>9}   "
          f"max {fmt(max(row.values), row.unit):>9}   (n={len(row.values)})   {target}  {verdict(row)}",
          flush=True)


def emit_json(rows: list[Row]) -> None:
    print(JSON_PREFIX + json.dumps([asdict(r) for r in rows], ensure_ascii=False), flush=True)


def rows_from_output(text: str) -> list[Row]:
    for line in reversed(text.splitlines()):
        if line.startswith(JSON_PREFIX):
            return [Row(**r) for r in json.loads(line[len(JSON_PREFIX):])]
    raise RuntimeError("pas de ligne " + JSON_PREFIX.strip() + " dans la sortie :\n" + text[-2000:])


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} Gio"
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    from importlib import metadata
    versions = {}
    for dist in ("PySide6-Essentials", "pandas", "numpy", "openpyxl", "matplotlib"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "?"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "système": f"{platform.system()} {platform.release()}",
        "processeur": f"{cpu}, {os.cpu_count()} cœur(s) visibles",
        "mémoire": memory,
        "Python": platform.python_version(),
        "bibliothèques": ", ".join(f"{k} {v}" for k, v in versions.items()),
        "charge (uptime)": load,
    }


class Xvfb:
    """A virtual X server for the duration of a ``with`` block (None when unavailable).

    Started once, so that the measured launches do not pay for the server's start.
    """

    def __init__(self, size: str = "1366x768x24"):
        self.size = size
        self.process: subprocess.Popen | None = None
        self.display: str | None = None

    def __enter__(self) -> Xvfb:
        exe = shutil.which("Xvfb")
        if exe is None or not sys.platform.startswith("linux"):
            return self
        read, write = os.pipe()
        self.process = subprocess.Popen([exe, "-displayfd", str(write), "-screen", "0", self.size,
                                         "-nolisten", "tcp"], pass_fds=(write,),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()
        self.display = f":{number}" if number else None
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        env = dict(os.environ if base is None else base)
        if self.display:
            env["DISPLAY"] = self.display
            env.pop("QT_QPA_PLATFORM", None)
            env.pop("WAYLAND_DISPLAY", None)
        else:
            env["QT_QPA_PLATFORM"] = "offscreen"
        return env
