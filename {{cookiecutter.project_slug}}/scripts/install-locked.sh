#!/bin/sh
# Install exactly what the locks pin, each package checked against its hash: what CI, the deploy
# job and the runtime image run (docs/ci-cd.md "The lock").
#
#   sh scripts/install-locked.sh [requirements-dev.txt|requirements.txt] [extra pip options]
#
# The lock (default requirements-dev.txt: the tools too) goes in with --require-hashes; when
# medplum-bots comes from git, requirements-tooling.txt then adds it at the commit `invoke lock`
# pinned, with --no-deps (its dependencies came hashed with the lock) and without build isolation
# (setuptools, which builds it, is in the lock with its hash). `pip check` proves the set whole.
# PYTHON picks the interpreter (default: python).
set -eu
lock=requirements-dev.txt
case "${1:-}" in *.txt) lock="$1" && shift ;; esac
python="${PYTHON:-python}"
for file in "$lock" requirements.txt; do
  if [ ! -f "$file" ]; then
    echo "error: $file is missing: run \`invoke lock\` and commit the result" >&2
    exit 1
  fi
done
"$python" -m pip install --disable-pip-version-check --require-hashes -r "$lock" "$@"
if [ -f requirements-tooling.txt ]; then
  "$python" -m pip install --disable-pip-version-check --no-deps --no-build-isolation \
    -r requirements-tooling.txt "$@"
fi
"$python" -m pip check
