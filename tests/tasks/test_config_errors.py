"""A broken medplum.config.json is one line from every task of a generated project."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.template import run_in

ENTRY = {
    "name": "intake-staging",
    "id": "bot-1",
    "source": "src/bots/intake.py",
    "dist": "dist/bots/intake.py",
    "environment": "staging",
}
BASE: dict[str, Any] = {
    "bots": [
        ENTRY,
        {**ENTRY, "name": "intake-production", "id": "bot-2", "environment": "production"},
        {**ENTRY, "name": "triage-staging", "id": "", "source": "src/bots/triage.py"},
    ],
    "environments": {
        "staging": {"baseUrl": "https://staging.example.org"},
        "production": {"baseUrl": "https://api.medplum.com/"},
    },
}


def write(root: Path, data: Any) -> Path:
    path = root / "medplum.config.json"
    path.write_text(json.dumps(data, indent=2))
    return path


def with_bot(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["bots"][0].update(changes)
    return data


def test_a_broken_config_is_one_line_from_every_task(default_project: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("tasks.py", "pyproject.toml"):
        (project / name).write_text((default_project / name).read_text())
    (project / "src").symlink_to(default_project / "src")
    write(project, with_bot(timout=5))
    for args in (["run", "--name", "intake-staging"], ["build"], ["deploy", "--name", "*"]):
        done = run_in(project, "invoke", *args, input="{}")
        assert done.returncode == 1, args
        assert done.stderr.strip().splitlines() == [
            "error: medplum.config.json: bots[0] 'intake-staging': unknown field 'timout' "
            "(known fields: auditEventDestination, auditEventTrigger, cronString, description, "
            "dist, environment, id, name, runtimeVersion, smoke, source, subscriptions, timeout)"
        ], (args, done.stderr)
