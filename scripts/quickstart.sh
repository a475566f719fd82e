#!/usr/bin/env bash
# Generate a project with the default answers and run its first bot locally, on the
# in-memory Medplum: no server, no credentials. The project lands in ${1:-build/quickstart}.
# The project pins medplum-bots==<version>; it is installed from the wheel built from this
# checkout (build/wheels), as it would be from the package index.
set -euo pipefail
template="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$template/build/quickstart}"

python3 -m venv "$template/.venv"
"$template/.venv/bin/python" -m pip install -q --disable-pip-version-check 'cookiecutter>=2.6' \
  'setuptools>=77' wheel
wheels="$(dirname "$(bash "$template/scripts/build_wheel.sh")")"
rm -rf "$out/my-medplum-bots"
"$template/.venv/bin/cookiecutter" --no-input -o "$out" "$template"

cd "$out/my-medplum-bots"
python3 -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check --find-links "$wheels" -e '.[dev]'
echo "== invoke run --name my-first-bot-staging --input examples/patient.json"
.venv/bin/invoke run --name my-first-bot-staging --input examples/patient.json
echo
echo "Your project is in $out/my-medplum-bots: cd there, '. .venv/bin/activate', then 'invoke --list'."
