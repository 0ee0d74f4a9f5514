#!/usr/bin/env bash
# One command: install everything (with LibreOffice, for the comparison, and the bench extra),
# then run the benchmark; the table goes to stdout and to bench/results.md.
# Usage: bash scripts/bench.sh [bench/run.py options, e.g. --only example]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --with-test-tools
.venv/bin/pip install -q --disable-pip-version-check -e ".[test,bench]"
.venv/bin/python bench/run.py "$@"
