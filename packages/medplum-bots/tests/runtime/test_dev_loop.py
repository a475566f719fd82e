"""`invoke dev` end to end: the loop runs on its own thread (or as `invoke dev`), the test
saves files, and the new code answers `$execute` through the stand-in and the generic runtime
(its own process). A change to shared code reaches the bot; a failing test keeps the old code
running; Ctrl-C during a deploy lets it finish and says what was deployed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from medplum_standin import MedplumStandIn

from medplum_bots.deploy.dev_loop import DevLoop
from medplum_bots.deploy.options import Connections
from tests.runtime.generic import Project, served_project

BOT = """
    from shared.words import salute


    def handler(medplum, event):
        print("greeter ran for " + event.input["name"])
        return {"greeting": salute(event.input["name"])}
"""
WORDS = """
    def salute(name):
        return "Hello " + name
"""
TEST = """
    from bots.greeter import handler


    def test_greeter_greets():
        assert "greeting" in handler(None, type("E", (), {"input": {"name": "Ada"}})())
"""
PYPROJECT = """
    [tool.pytest.ini_options]
    pythonpath = ["src"]
    testpaths = ["tests"]
"""


@pytest.fixture
def project(tmp_path: Path, standin: MedplumStandIn) -> Iterator[Project]:
    with served_project(tmp_path, standin) as (made, _runtime):
        made.write("src/shared/words.py", WORDS)
        made.write("tests/test_greeter.py", TEST)
        made.write("pyproject.toml", PYPROJECT)
        made.add_bot("greeter", BOT)
        yield made


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def greeting(project: Project) -> object:
    answer = project.execute("greeter", {"name": "Ada"})
    return answer.json().get("greeting") if answer.status_code == 200 else answer.text


def test_saves_are_built_tested_and_deployed_and_a_failing_test_keeps_the_old_code(
    project: Project,
) -> None:
    said: list[str] = []
    loop = DevLoop(
        project.root / "medplum.config.json",
        ["*"],
        "staging",
        said.append,
        connections=Connections(environ=project.environ()),
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    try:
        assert loop.ready.wait(60)
        assert "greeter-staging" in loop.session.deployed
        assert greeting(project) == "Hello Ada"
        time.sleep(0.3)  # the watcher is up

        # Shared code, not the bot's file: the bot's artifact changed, so it redeploys.
        project.write("src/shared/words.py", WORDS.replace("Hello", "Dear"))
        wait_until(lambda: greeting(project) == "Dear Ada")

        # A change its test rejects is not deployed: the previous code keeps answering.
        rounds = loop.session.rounds
        project.write("src/bots/greeter.py", BOT.replace('"greeting"', '"oops"'))
        wait_until(lambda: any("tests failed for greeter-staging" in line for line in said))
        assert loop.session.rounds > rounds
        assert greeting(project) == "Dear Ada"
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive()
    assert "tests: 0 of 1 passed" in "\n".join(said)
    assert loop.session.summary().startswith("deployed: greeter-staging (")


def test_the_local_environment_runs_the_changed_bot_in_memory(project: Project) -> None:
    project.write("examples/ada.json", '{"name": "Ada"}')
    said: list[str] = []
    loop = DevLoop(
        project.root / "medplum.config.json",
        ["*"],
        "local",
        said.append,
        input_path=project.root / "examples" / "ada.json",
    )
    stop = threading.Event()
    thread = threading.Thread(target=loop.run, args=(stop,))
    thread.start()
    try:
        wait_until(lambda: "greeter-staging: ok -> {'greeting': 'Hello Ada'}" in said)
        time.sleep(0.3)
        project.write("src/shared/words.py", WORDS.replace("Hello", "Dear"))
        wait_until(lambda: "greeter-staging: ok -> {'greeting': 'Dear Ada'}" in said)
    finally:
        stop.set()
        thread.join(30)
    assert "greeter-staging | greeter ran for Ada" in said
    assert project.standin.requests == [] or all(
        "/Bot/" not in r.path for r in project.standin.requests
    )


def test_ctrl_c_during_a_deploy_lets_it_finish_and_says_what_was_deployed(
    project: Project,
) -> None:
    (project.root / "tasks.py").write_text("from medplum_bots.tasks import namespace as ns\n")
    env = {**os.environ, **project.environ(), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "dev", "--name", "greeter-staging"],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # SIGINT to this process alone, as a terminal's Ctrl-C would
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(process.stdout.readline, "")),  # type: ignore[union-attr]
        daemon=True,
    )
    reader.start()
    try:
        wait_until(lambda: any("greeter-staging: deployed" in line for line in lines))
        # Executions of the deployed bot stream into the loop's output (AuditEvents).
        assert greeting(project) == "Hello Ada"
        wait_until(lambda: any(line == "    greeter ran for Ada\n" for line in lines))
        assert any(line.split()[1:] == ["greeter-staging", "ok"] for line in lines)
        time.sleep(0.3)
        # The next $deploy takes 2 s: Ctrl-C arrives while it is in flight.
        fault = project.standin.faults.add(
            method="POST", path=r"/\$deploy$", status=None, delay=2.0
        )
        project.write("src/shared/words.py", WORDS.replace("Hello", "Dear"))
        wait_until(lambda: fault.fired > 0)
        process.send_signal(signal.SIGINT)
        process.wait(60)
        reader.join(10)
    finally:
        if process.poll() is None:
            process.kill()
    output = "".join(lines)
    assert process.returncode == 0, process.stderr.read()  # type: ignore[union-attr]
    assert "stopping: a deploy in flight finishes first" in output
    assert (
        output.strip().splitlines()[-1].split("  ", 1)[1].startswith("deployed: greeter-staging (")
    )
    # Finished, not half done: the new code answers and the Bot carries its content hash.
    project.standin.faults.clear()
    assert greeting(project) == "Dear Ada", output + process.stderr.read()  # type: ignore[union-attr]
    assert [o.result for o in project.deploy().outcomes] == ["unchanged"]
