"""`invoke create`'s package side: what a failure while recording the new Bot leaves behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet

from medplum_bots.deploy.create import NewBot, create
from medplum_bots.errors import DeployError


def test_a_crash_inside_the_atomic_write_keeps_the_old_config_and_names_the_bot(
    fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = fleet.config_path.read_bytes()

    real_replace = os.replace

    def crash(src: str, dst: str | Path) -> None:
        if Path(dst).name == "medplum.config.json":
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", crash)
    new = NewBot("delta-staging", "src/bots/alpha.py", project_id="staging-project")

    with pytest.raises(DeployError) as caught:
        create(fleet.config(), new, connections=fleet.connections())

    bots = fleet.sites["staging"].standin.store.all("Bot", "staging-project")
    made = next(b for b in bots if b["name"] == "delta-staging")
    assert f"created Bot/{made['id']}" in str(caught.value)
    assert fleet.config_path.read_bytes() == before
    assert [p.name for p in fleet.root.iterdir() if p.name.endswith(".tmp")] == []
