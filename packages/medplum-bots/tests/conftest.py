"""Shared fixtures: a small project laid out like a generated one (bots, shared code, config)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

HELLO_PATIENT = '''"""Greets the Patient it is given."""

from typing import Any

from medplum_bots import BotEvent, MedplumClient


def handler(medplum: MedplumClient, event: BotEvent) -> Any:
    patient = event.input
    first = patient.get("name", [{}])[0].get("given", [""])[0]
    last = patient.get("name", [{}])[0].get("family", "")
    print(f"Hello {first} {last}!")
    return True
'''


def _entry(env: str) -> dict[str, object]:
    return {
        "name": f"my-first-bot-{env}",
        "id": "",
        "source": "src/bots/my_first_bot.py",
        "dist": "dist/bots/my_first_bot.py",
        "environment": env,
    }


def _environment(prefix: str) -> dict[str, object]:
    return {
        "baseUrl": "https://api.medplum.com/",
        "projectId": "",
        "credentials": {"prefix": prefix, "envFile": f".env.{prefix.lower().rstrip('_')}"},
        "runtime": {"type": "http", "url": "", "secretName": "MEDPLUM_BOTS_RUNTIME_KEY"},
    }


def make_project(root: Path) -> Path:
    """Write the one-bot project under `root` and return `root`."""
    (root / "src" / "bots").mkdir(parents=True)
    (root / "src" / "shared").mkdir()
    (root / "src" / "bots" / "__init__.py").write_text("")
    (root / "src" / "shared" / "__init__.py").write_text("")
    (root / "src" / "bots" / "my_first_bot.py").write_text(HELLO_PATIENT)
    config = {
        "bots": [_entry("staging"), _entry("production")],
        "environments": {
            "staging": _environment("STAGING_"),
            "production": _environment("PRODUCTION_"),
        },
    }
    (root / "medplum.config.json").write_text(json.dumps(config, indent=2) + "\n")
    return root


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with one hello-patient bot (two entries); treat it as read-only."""
    return make_project(tmp_path_factory.mktemp("project"))
