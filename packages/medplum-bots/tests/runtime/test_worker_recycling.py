"""Warm workers keep a bot version's module state; workers retire after N executions or when
idle; a new deploy gets a new worker. A real runtime process over loopback."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from medplum_standin import MedplumStandIn

from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from tests.runtime.generic import Project, open_standin, runtime_process
from tests.runtime.test_isolation import run

COUNTER = """
    import os

    CALLS = []


    def handler(medplum, event):
        CALLS.append(1)
        return {"pid": os.getpid(), "calls": len(CALLS), "version": 1}
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Project]:
    standin: MedplumStandIn = open_standin()
    key = generate()
    limits = {"MEDPLUM_BOTS_WORKER_EXECUTIONS": "3", "MEDPLUM_BOTS_WORKER_IDLE": "1"}
    trusted = trusted_entry("staging", key.public)
    try:
        with runtime_process(tmp_path / "rt", standin.base_url, trusted, extra_env=limits) as rt:
            made = Project(tmp_path / "project", standin, rt.url, key)
            made.runtime = rt  # type: ignore[attr-defined]
            made.add_bot("counter", COUNTER)
            assert made.deploy().ok
            yield made
    finally:
        standin.__exit__(None, None, None)


def test_workers_keep_state_retire_and_restart_fresh(project: Project) -> None:
    first = [run(project, "counter")["result"] for _ in range(3)]
    # One warm worker: its module state lives across the executions of this version.
    assert {answer["pid"] for answer in first} == {first[0]["pid"]}
    assert [answer["calls"] for answer in first] == [1, 2, 3]
    # Three executions (MEDPLUM_BOTS_WORKER_EXECUTIONS): that worker retired.
    fourth = run(project, "counter")["result"]
    assert fourth["pid"] != first[0]["pid"] and fourth["calls"] == 1
    # Idle for longer than MEDPLUM_BOTS_WORKER_IDLE: retired too.
    time.sleep(2.5)
    later = run(project, "counter")["result"]
    assert later["pid"] != fourth["pid"] and later["calls"] == 1
    # A deploy is a new version: a new worker, fresh state.
    project.write("src/bots/counter.py", COUNTER.replace('"version": 1', '"version": 2'))
    assert project.deploy().ok
    deployed = run(project, "counter")["result"]
    assert deployed["version"] == 2 and deployed["calls"] == 1
