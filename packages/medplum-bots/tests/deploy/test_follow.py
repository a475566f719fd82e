"""`invoke logs --follow` against the stand-in: executions of several bots, several pages per
poll, nothing shown twice or skipped; plain lines without a terminal; Ctrl-C ends it cleanly."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from medplum_standin import ExternalResult, MedplumStandIn

from medplum_bots.config import load_config
from medplum_bots.deploy.follow import Followed, Printer, follow, open_tails

PROJECT = "project-1"
CLIENT = ("client-1", "client-secret-1-abcdef")
EXTERNAL = "https://medplum.com/bot-external-function-id"


class Site:
    def __init__(self, standin: MedplumStandIn, root: Path) -> None:
        self.standin = standin
        self.root = root
        self.ids: dict[str, str] = {}
        token = httpx.post(
            standin.base_url + "oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": CLIENT[0],
                "client_secret": CLIENT[1],
            },
        ).json()["access_token"]
        self.api = httpx.Client(
            base_url=standin.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )

    def add_bot(self, name: str) -> None:
        def run(payload: dict[str, object]) -> ExternalResult:
            return ExternalResult(value=True, log=f"{name} got {json.dumps(payload['input'])}")

        self.standin.external_functions[name] = run
        bot = self.standin.seed(
            {
                "resourceType": "Bot",
                "name": name,
                "runtimeVersion": "awslambda",
                "identifier": [{"system": EXTERNAL, "value": name}],
            },
            PROJECT,
        )
        self.ids[name] = bot["id"]

    def write_config(self) -> None:
        entries = [
            {
                "name": f"{name}-staging",
                "id": bot_id,
                "source": f"src/bots/{name}.py",
                "dist": f"dist/bots/{name}.py",
            }
            for name, bot_id in self.ids.items()
        ]
        environments = {
            "staging": {
                "baseUrl": self.standin.base_url,
                "projectId": PROJECT,
                "runtime": {"type": "http", "url": "https://runtime.example.com/"},
            }
        }
        (self.root / "medplum.config.json").write_text(
            json.dumps({"bots": entries, "environments": environments})
        )
        for name in self.ids:
            path = self.root / "src" / "bots" / f"{name}.py"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("def handler(medplum, event):\n    return True\n")

    def execute(self, name: str, value: int) -> None:
        answer = self.api.post(f"fhir/R4/Bot/{self.ids[name]}/$execute", json={"n": value})
        assert answer.status_code == 200, answer.text


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with MedplumStandIn() as standin:
        standin.add_project(PROJECT)
        standin.add_client(*CLIENT, PROJECT)
        made = Site(standin, tmp_path)
        made.add_bot("alpha")
        made.add_bot("beta")
        made.write_config()
        yield made
        made.api.close()


ENVIRON = {"STAGING_MEDPLUM_CLIENT_ID": CLIENT[0], "STAGING_MEDPLUM_CLIENT_SECRET": CLIENT[1]}


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_follow_shows_every_execution_of_several_bots_once_in_order(site: Site) -> None:
    config = load_config(site.root / "medplum.config.json")
    site.execute("alpha", 0)  # before the tail starts: shown by recent(), never again
    tails = open_tails(config, config.select(["*-staging"]), environ=ENVIRON, page_size=2)
    seen: list[Followed] = []
    lock = threading.Lock()

    def record(followed: Followed) -> None:
        with lock:
            seen.append(followed)

    for tail in tails:
        for followed in tail.recent(5):
            record(followed)
    stop = threading.Event()
    thread = threading.Thread(
        target=follow, args=(tails, record, stop), kwargs={"min_delay": 0.05, "max_delay": 0.2}
    )
    thread.start()
    try:
        # Bursts of executions between polls: several pages (of 2) per poll.
        for burst in range(3):
            for n in range(5):
                site.execute("alpha" if n % 2 else "beta", burst * 10 + n)
            time.sleep(0.3)
        wait_for(lambda: len(seen) >= 16)
        time.sleep(0.5)  # more polls: nothing shown twice
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    logs = [f.entry.log for f in seen]
    expected = ['alpha got {"n": 0}'] + [
        f'{"alpha" if n % 2 else "beta"} got {{"n": {burst * 10 + n}}}'
        for burst in range(3)
        for n in range(5)
    ]
    assert logs == expected
    assert len({f.id for f in seen}) == len(seen)
    assert {f.bot for f in seen} == {"alpha-staging", "beta-staging"}
    assert all(f.entry.outcome == "ok" for f in seen)
    # Several pages per poll: the stand-in saw `_count=2` searches with next-page offsets.
    offsets = [r for r in site.standin.requests if r.path.endswith("/AuditEvent")]
    assert any("_offset=" in r.query for r in offsets)


def test_a_tail_keeps_events_it_already_showed_out_of_the_overlap(site: Site) -> None:
    config = load_config(site.root / "medplum.config.json")
    (tail,) = open_tails(config, config.select(["alpha-staging"]), environ=ENVIRON)
    site.execute("alpha", 1)
    first = tail.poll()
    site.execute("alpha", 2)
    second = tail.poll()
    # The second poll re-reads the overlap window (the first event is in it) but shows only
    # the new one.
    assert [f.entry.log for f in first] == ['alpha got {"n": 1}']
    assert [f.entry.log for f in second] == ['alpha got {"n": 2}']
    assert tail.poll() == []
    query = site.standin.requests[-1].query
    assert "_lastUpdated=ge" in query and "_sort=_lastUpdated" in query


def test_printer_colours_only_on_a_terminal(site: Site) -> None:
    config = load_config(site.root / "medplum.config.json")
    (tail,) = open_tails(config, config.select(["alpha-staging"]), environ=ENVIRON)
    site.execute("alpha", 7)
    (followed,) = tail.poll()
    plain, coloured = io.StringIO(), io.StringIO()
    Printer(plain)(followed)
    Printer(coloured, colour=True)(followed)
    assert "\x1b[" not in plain.getvalue()
    assert plain.getvalue().splitlines() == [
        f"{followed.entry.time}  alpha-staging  ok",
        '    alpha got {"n": 7}',
    ]
    assert "\x1b[32mok" in coloured.getvalue()


def test_invoke_logs_follow_streams_and_stops_cleanly_on_ctrl_c(site: Site) -> None:
    (site.root / "tasks.py").write_text("from medplum_bots.tasks import namespace as ns\n")
    env = {**os.environ, **ENVIRON, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "invoke", "logs", "--follow", "--name", "*-staging"],
        cwd=site.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None and process.stdout is not None
        assert process.stderr.readline().startswith("following alpha-staging, beta-staging")
        site.execute("beta", 42)
        line = process.stdout.readline()
        assert line.split()[1:] == ["beta-staging", "ok"]
        assert process.stdout.readline() == '    beta got {"n": 42}\n'
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert err.strip() == "stopped" and "Traceback" not in err
    assert CLIENT[1] not in out + err
