#!/usr/bin/env bash
# Regenerates the reference fixtures in tests/fixtures/ from lifelines, statsmodels and scipy.
#
# Creates the virtual environment from requirements.txt when it is missing, then runs every
# reference/generate_*.py (a glob, so each area's generator is picked up without editing this
# file). The generators are seeded, so a rerun with the pinned versions rewrites the same files.
#
# Usage: crates/stats/reference/regenerate.sh   (from anywhere)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
fixtures="$here/../tests/fixtures"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating $venv from requirements.txt"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi

mkdir -p "$fixtures"
shopt -s nullglob
scripts=("$here"/generate_*.py)
if [ ${#scripts[@]} -eq 0 ]; then
    echo "no reference/generate_*.py scripts found" >&2
    exit 1
fi
for script in "${scripts[@]}"; do
    echo "running $(basename "$script")"
    # Each script writes its JSON files into the directory given as its first argument.
    (cd "$here" && "$venv/bin/python" "$script" "$fixtures")
done
echo "fixtures written to $(cd "$fixtures" && pwd)"
