"""Reading a workbook: the national sample, 10 000 CRRA, and a style explosion.

« Lire » is :func:`read_scenario` (pre-flight checks and the input sheets), « valider »
is :func:`open_scenario` (reading plus validation), as ``migac validate`` does. The
style explosion is a scenario of 100 CRRA whose workbook carries 50 000 named cell
styles, as corporate templates copied from workbook to workbook do (Excel accepts up to
64 000): the reader needs none of them, so such a file must open in under a second.
Run from the repository root::

    python benchmarks/bench_reader.py
"""

from __future__ import annotations

import argparse
import gc
import re
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.common import NATIONAL, Row, emit_json, print_row
from benchmarks.synthetic import synthetic_scenario

TARGETS = {"national": 0.3, "10 000 CRRA": 3.0}   # and 1 s for the style explosion


def style_explosion(source: Path, target: Path, styles: int = 50_000) -> Path:
    """``source`` with ``styles`` more named cell styles (cellStyleXfs and cellStyles)."""
    with zipfile.ZipFile(source) as z:
        parts = {info.filename: z.read(info) for info in z.infolist()}
    xml = parts["xl/styles.xml"].decode()
    xfs = "".join('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" applyNumberFormat="0"/>'
                  for _ in range(styles))
    names = "".join(f'<cellStyle name="Normal {i // 100} {i % 100}" xfId="{i + 1}"/>' for i in range(styles))
    xml = re.sub(r"<cellStyleXfs count=\"\d+\">(.*?)</cellStyleXfs>",
                 lambda m: f'<cellStyleXfs count="{styles + 1}">{m.group(1)}{xfs}</cellStyleXfs>', xml, flags=re.S)
    xml = re.sub(r"<cellStyles count=\"\d+\">(.*?)</cellStyles>",
                 lambda m: f'<cellStyles count="{styles + 1}">{m.group(1)}{names}</cellStyles>', xml, flags=re.S)
    parts["xl/styles.xml"] = xml.encode()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return target


def timed(func) -> float:
    gc.collect()
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="mesures par fichier")
    parser.add_argument("--styles", type=int, default=50_000, help="styles nommés du fichier à styles")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from migac_desktop.io.workbook import open_scenario, read_scenario, write_scenario

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "10000_crra.xlsx"
        write_scenario(synthetic_scenario(10_000), big)
        small = Path(tmp) / "100_crra.xlsx"
        write_scenario(synthetic_scenario(100), small)
        styled = style_explosion(small, Path(tmp) / "styles_nommes.xlsx", args.styles)
        size = zipfile.ZipFile(styled).getinfo("xl/styles.xml").file_size
        styles = f"{args.styles:,} styles nommés".replace(",", "\u202f")
        shown = f"{size / 1e6:.1f}".replace(".", ",")
        print(f"styles.xml du fichier « {styles} » : {shown} Mo", flush=True)
        for name, source in (("national", NATIONAL), ("10 000 CRRA", big), (styles, styled)):
            open_scenario(source)                              # warm-up (imports, caches)
            read = [timed(lambda source=source: read_scenario(source)) for _ in range(args.runs)]
            rows.append(Row(f"lire ({name})", read, None))
            print_row(rows[-1])
            validated = [timed(lambda source=source: open_scenario(source)) for _ in range(args.runs)]
            rows.append(Row(f"lire et valider ({name})", validated, TARGETS.get(name, 1.0)))
            print_row(rows[-1])
    if args.json:
        emit_json(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
