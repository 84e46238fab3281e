#!/usr/bin/env bash
# Rewrites the lock files from pyproject.toml, keeping the versions already locked unless
# asked: bash scripts/lock.sh [--upgrade | --upgrade-package NAME …]
# requirements/run.lock: what run.sh installs; requirements/test.lock: with the test tools;
# both with the hashes of every file of PyPI for Python 3.11. Needs .venv/ (test.sh makes it).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
UV="$ROOT/.venv/bin/uv"
[ -x "$UV" ] || "$ROOT/.venv/bin/python" -m pip install -q --require-hashes -r "$ROOT/requirements/uv.lock"
cd "$ROOT"
common=(--generate-hashes --python-version 3.11 --no-header --no-annotate "$@")
"$UV" pip compile pyproject.toml "${common[@]}" -o requirements/run.lock
"$UV" pip compile pyproject.toml --extra test "${common[@]}" -o requirements/test.lock
echo "[migac] requirements/run.lock et requirements/test.lock réécrits ; relancez bash scripts/test.sh."
