"""Tidy the generated project and print the next steps. No validation lives here."""

import json
import shutil
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
OPTIONAL_EXAMPLES = (
    "src/bots/hapi_sync_bot.py",
    "src/bots/hapi_sync_simple_bot.py",
    "tests/test_hapi_sync_bot.py",
    "tests/test_hapi_sync_simple_bot.py",
)


def wants_examples(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "yes", "y", "1")


def tidy(root: Path) -> None:
    if not wants_examples(ANSWERS["include_sync_examples"]):
        for relative in OPTIONAL_EXAMPLES:
            (root / relative).unlink(missing_ok=True)
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


def next_steps(slug: str, first_bot: str) -> str:
    return f"""
Generated {slug}. Next steps:
  cd {slug}
  python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]'
  invoke lint test
  invoke run --name {first_bot}-staging --input examples/patient.json
"""


if __name__ == "__main__":
    tidy(Path.cwd())
    print(next_steps(str(ANSWERS["project_slug"]), str(ANSWERS["first_bot_name"])))
