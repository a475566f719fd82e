"""A bot over Medplum's ~1 MB `$deploy` limit fails `invoke build` naming it, and a deploy
fails only that bot."""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet, open_fleet, results, standard_entries

from medplum_bots.build.forwarder_size import MAX_EXECUTABLE
from medplum_bots.deploy.report import DEPLOYED, FAILED
from tests.oneline.cli import error_line, invoke


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    with ExitStack() as stack:
        fleet = open_fleet(stack, tmp_path / "project")
        # 700 kB of data in the module: its base64 in the forwarder is over the limit.
        blob = base64.b64encode(os.urandom(525_000)).decode()
        (fleet.root / "src/bots/big.py").write_text(
            f'BLOB = "{blob}"\n\n\ndef handler(medplum, event):\n    return len(BLOB)\n'
        )
        entries = standard_entries(fleet)
        entries.insert(1, fleet.entry("big", "staging"))
        fleet.write_config(entries)
        yield fleet


def test_invoke_build_refuses_the_bot_naming_it(fleet: Fleet) -> None:
    done = invoke(fleet.root, "build")

    assert done.returncode == 1
    line = error_line(done)
    assert line.startswith("error: bot 'big-staging': its forwarder with the embedded artifact is ")
    assert f"so at most {MAX_EXECUTABLE:,}: move large data out of the bot's modules" in line
    assert not (fleet.root / "dist").exists()  # nothing written


def test_a_deploy_fails_only_the_oversized_bot(fleet: Fleet) -> None:
    report = fleet.deploy("alpha-staging", "big-staging", "beta-staging")

    assert results(report) == {
        "alpha-staging": DEPLOYED,
        "big-staging": FAILED,
        "beta-staging": DEPLOYED,
    }
    big = next(o for o in report.outcomes if o.bot == "big-staging")
    assert big.detail.startswith("build: bot 'big-staging': its forwarder with the embedded")
    assert "executableCode" not in fleet.bot("big-staging")
