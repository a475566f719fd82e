"""The README's first command: generate a project and run its first bot on the in-memory
Medplum, installing medplum-bots from the wheel built from this checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.template import ROOT


def test_the_quickstart_runs_the_first_bot_from_a_clean_output_directory(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "quickstart.sh"), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    lines = done.stdout.splitlines()
    ran = lines.index("== invoke run --name my-first-bot-staging --input examples/patient.json")
    # The bot's log goes to stderr, its result to stdout (a terminal shows both).
    assert lines[ran + 1] == "true"
    assert "Hello Jane Doe!" in done.stderr.splitlines()
    project = tmp_path / "out" / "my-medplum-bots"
    version = subprocess.run(
        [
            str(project / ".venv/bin/python"),
            "-c",
            "import medplum_bots, importlib.metadata as m;"
            " print(m.version('medplum-bots'), medplum_bots.__file__)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    # The project's environment holds the pinned package itself, not the checkout's source.
    assert "site-packages" in version[1] and str(ROOT / "packages") not in version[1]
    assert not (project / "src" / "medplum_bots").exists()
