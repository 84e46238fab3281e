#!/usr/bin/env bash
# Redessine les icônes de MIGAC Desktop à partir de migac_desktop/resources/migac-desktop.svg,
# la seule source : les PNG 16 à 256 px (migac_desktop/resources/, installés avec le paquet)
# et les icônes ICO (Windows) et ICNS (macOS) des programmes autonomes (packaging/).
# À relancer après toute modification du SVG, puis à enregistrer (commit) avec lui.
# Demande rsvg-convert (Debian : apt-get install librsvg2-bin) et Pillow (installé avec matplotlib).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RES="$ROOT/migac_desktop/resources"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
command -v rsvg-convert >/dev/null || { echo "rsvg-convert introuvable : apt-get install librsvg2-bin" >&2; exit 1; }
for size in 16 32 48 64 128 256 512; do
    rsvg-convert -w "$size" -h "$size" "$RES/migac-desktop.svg" -o "$RES/migac-desktop-$size.png"
done
"$PYTHON" - "$RES" "$ROOT/packaging" <<'PY'
import sys
from pathlib import Path
from PIL import Image
res = Path(sys.argv[1])
big = Image.open(res / "migac-desktop-256.png")
out = Path(sys.argv[2])
big.save(out / "migac-desktop.ico", sizes=[(s, s) for s in (16, 32, 48, 64, 128, 256)])
Image.open(res / "migac-desktop-512.png").save(out / "migac-desktop.icns")
PY
rm -f "$RES/migac-desktop-512.png"     # only the source of the .icns
echo "Icônes écrites dans $RES (PNG) et $ROOT/packaging (ICO, ICNS)"
