#!/usr/bin/env bash
# Build the medplum-bots wheel from this checkout into build/wheels/ (replacing older builds of
# it) and print its path. Generated projects pin medplum-bots==<version>; the scripts and tests
# install them with `--find-links build/wheels` until that version is on the package index.
set -euo pipefail
cd "$(dirname "$0")/.."
python=.venv/bin/python
[ -x "$python" ] || python=python3
rm -rf build/wheels && mkdir -p build/wheels
"$python" -m pip wheel -q --disable-pip-version-check --no-deps --no-build-isolation \
  -w build/wheels packages/medplum-bots 2>/dev/null \
  || "$python" -m pip wheel -q --disable-pip-version-check --no-deps -w build/wheels packages/medplum-bots
ls "$PWD"/build/wheels/medplum_bots-*.whl
