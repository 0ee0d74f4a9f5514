#!/usr/bin/env bash
# One command: install everything, then build the bundled example documents into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/gongfu build "$@"
