#!/usr/bin/env bash
# One command: install everything (with the test tools), then run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh --with-test-tools
.venv/bin/python -m pytest -q "$@"
