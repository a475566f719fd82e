"""Replays and rollbacks against real runtime processes (uvicorn, as in the container).

Requests are made the way a deployed forwarder makes them (reference first, the artifact file
when the runtime answers 409), signed with the runtime key, with deploy references signed by
real deploy keys. With `MEDPLUM_BOTS_REDIS_URL` the runtimes share a real `redis-server`: a
replay to another replica or after a restart is refused, and an older deploy never runs after
a newer one ran anywhere. Without it, each process remembers only what it saw itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from medplum_bots.build.bundle import render_artifact
from medplum_bots.runtime.deploy_keys import KeyPair, generate, load_private, trusted_entry
from medplum_bots.runtime.forwarder import CarriedArtifact
from medplum_bots.runtime.signing import signature_headers
from tests.runtime.generic import RUNTIME_KEY, RuntimeProcess, bot_text, runtime_process
from tests.runtime.redis_server import RedisServer, redis_server

BASE_URL = "https://medplum.test/"
BOT = "greeter"
BOT_ID = "3f1c2a9e-0000-4000-8000-000000000001"
STAGING, PRODUCTION = generate(), generate()
TRUSTED = ",".join(
    [trusted_entry("staging", STAGING.public), trusted_entry("production", PRODUCTION.public)]
)


def artifact(tmp: Path, version: int) -> bytes:
    """A built bot artifact answering its version (what `invoke build` writes)."""
    root = tmp / f"v{version}"
    (root / "src" / "bots").mkdir(parents=True, exist_ok=True)
    (root / "src" / "bots" / "__init__.py").write_text("")
    source = root / "src" / "bots" / f"{BOT}.py"
    source.write_text(
        bot_text(
            f"""
            def handler(medplum, event):
                print("v{version} ran")
                return {{"version": {version}}}
            """
        )
    )
    return render_artifact(source, root, BOT)[0].encode()


@dataclass
class Deploy:
    """One signed deploy of Bot BOT_ID (what its forwarder carries)."""

    carried: CarriedArtifact

    @classmethod
    def make(
        cls, content: bytes, sequence: int, key: KeyPair = PRODUCTION, env: str = "production"
    ) -> Deploy:
        private = load_private(key.private)
        return cls(
            CarriedArtifact.sign(
                content, private, environment=env, bot=BOT, bot_id=BOT_ID, sequence=sequence
            )
        )

    def request(self, with_code: bool) -> tuple[bytes, dict[str, str]]:
        payload: dict[str, Any] = {
            "bot": {"reference": f"Bot/{BOT_ID}"},
            "baseUrl": BASE_URL,
            "accessToken": "token-not-used-by-this-bot",
            "input": {},
            "contentType": "application/json",
            "secrets": {},
            "headers": {},
            "timeout": 10,
            "artifact": self.carried.with_code() if with_code else self.carried.reference(),
            "nonce": time.perf_counter_ns(),
        }
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        headers.update(signature_headers(RUNTIME_KEY.encode(), BOT, body))
        return body, headers


def post(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{url}/bots/{BOT}", content=body, headers=headers, timeout=30)


def execute(url: str, deploy: Deploy) -> httpx.Response:
    """As the forwarder does: the reference, then the file if this runtime asks for it."""
    answer = post(url, *deploy.request(with_code=False))
    if answer.status_code == 409 and answer.json().get("artifact") == "needed":
        answer = post(url, *deploy.request(with_code=True))
    return answer


@pytest.fixture
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def runtime(tmp: Path, name: str, redis: RedisServer | None) -> Any:
    extra = {"MEDPLUM_BOTS_REDIS_URL": redis.url} if redis is not None else {}
    return runtime_process(tmp / name, BASE_URL, TRUSTED, extra_env=extra)


def test_the_artifact_crosses_once_per_runtime(tmp_path: Path) -> None:
    deploy = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    with runtime(tmp_path, "rt", None) as rt:
        first = post(rt.url, *deploy.request(with_code=False))
        assert first.status_code == 409, first.text
        assert first.json()["artifact"] == "needed" and first.json()["ok"] is False
        ran = post(rt.url, *deploy.request(with_code=True))
        assert ran.status_code == 200 and ran.json()["result"] == {"version": 1}
        # From now on the reference alone runs it.
        again = post(rt.url, *deploy.request(with_code=False))
        assert again.status_code == 200 and again.json()["logs"] == ["v1 ran"]


def test_v1_is_refused_after_v2_ran(tmp_path: Path) -> None:
    v1 = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    v2 = Deploy.make(artifact(tmp_path, 2), sequence=2_000)
    with runtime(tmp_path, "rt", None) as rt:
        assert execute(rt.url, v1).json()["result"] == {"version": 1}
        assert execute(rt.url, v2).json()["result"] == {"version": 2}
        # Someone with `$deploy` rights puts v1's forwarder back: it no longer runs.
        refused = execute(rt.url, v1)
        assert refused.status_code == 403
        assert "sequence 1000, older than sequence 2000" in refused.text
        # A deliberate rollback is a new deploy of the old code, with a new sequence.
        rollback = Deploy.make(artifact(tmp_path, 1), sequence=3_000)
        assert execute(rt.url, rollback).json()["result"] == {"version": 1}
        assert execute(rt.url, v2).status_code == 403


def test_a_key_is_trusted_for_its_own_environment_only(tmp_path: Path) -> None:
    # The staging key signing a production deploy (say, with a huge sequence to lock out
    # every later production deploy) is refused before anything is remembered.
    forged = Deploy.make(artifact(tmp_path, 1), sequence=2**52, key=STAGING, env="production")
    honest = Deploy.make(artifact(tmp_path, 2), sequence=1_000)
    with runtime(tmp_path, "rt", None) as rt:
        refused = execute(rt.url, forged)
        assert refused.status_code == 403
        assert "signed for environment 'production' by deploy key" in refused.text
        assert "trusts for environment 'staging' only" in refused.text
        assert execute(rt.url, honest).json()["result"] == {"version": 2}


def test_an_artifact_runs_only_for_the_bot_it_was_deployed_to(tmp_path: Path) -> None:
    deploy = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    body, _ = deploy.request(with_code=True)
    payload = json.loads(body)
    payload["bot"] = {"reference": "Bot/another-bot"}  # transplanted into another Bot
    moved = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    headers.update(signature_headers(RUNTIME_KEY.encode(), BOT, moved))
    with runtime(tmp_path, "rt", None) as rt:
        refused = post(rt.url, moved, headers)
    assert refused.status_code == 403
    assert f"deployed to Bot/{BOT_ID}, not to the Bot executing it (Bot/another-bot)" in (
        refused.text
    )


def test_a_replay_after_a_restart_is_refused_with_the_redis_store(
    tmp_path: Path, redis: RedisServer
) -> None:
    deploy = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    with runtime(tmp_path, "rt", redis) as rt:
        assert post(rt.url, *deploy.request(with_code=True)).status_code == 200
        captured = deploy.request(with_code=False)
        assert post(rt.url, *captured).status_code == 200
    with runtime(tmp_path, "rt", redis) as restarted:
        replayed = post(restarted.url, *captured)
        assert replayed.status_code == 401 and "replayed" in replayed.text


def test_without_a_store_a_restart_forgets(tmp_path: Path) -> None:
    # The documented limit of the in-process default (docs/runtime.md).
    v1 = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    v2 = Deploy.make(artifact(tmp_path, 2), sequence=2_000)
    with runtime(tmp_path, "rt", None) as rt:
        captured = v1.request(with_code=True)
        assert post(rt.url, *captured).status_code == 200
        assert execute(rt.url, v2).status_code == 200
    with runtime(tmp_path, "rt", None) as restarted:
        assert post(restarted.url, *captured).status_code == 200  # replayed, and v1 again


def test_two_replicas_sharing_redis_agree(tmp_path: Path, redis: RedisServer) -> None:
    v1 = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    v2 = Deploy.make(artifact(tmp_path, 2), sequence=2_000)
    with ExitStack() as stack:
        first: RuntimeProcess = stack.enter_context(runtime(tmp_path, "a", redis))
        second: RuntimeProcess = stack.enter_context(runtime(tmp_path, "b", redis))
        assert execute(second.url, v1).json()["result"] == {"version": 1}
        captured = v1.request(with_code=True)
        assert post(first.url, *captured).json()["result"] == {"version": 1}
        replayed = post(second.url, *captured)
        assert replayed.status_code == 401 and "replayed" in replayed.text
        # v2 runs on the first replica: the second, which only ever ran v1, refuses v1 now.
        assert execute(first.url, v2).json()["result"] == {"version": 2}
        refused = execute(second.url, v1)
        assert refused.status_code == 403 and "older than sequence 2000" in refused.text
        assert execute(second.url, v2).json()["result"] == {"version": 2}


def test_replicas_without_a_shared_store_each_accept_a_replay_once(tmp_path: Path) -> None:
    # Why several replicas need the Redis store: each remembers only its own requests.
    deploy = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    captured = deploy.request(with_code=True)
    with ExitStack() as stack:
        replicas = [stack.enter_context(runtime(tmp_path, n, None)) for n in ("a", "b")]
        assert [post(r.url, *captured).status_code for r in replicas] == [200, 200]
        assert [post(r.url, *captured).status_code for r in replicas] == [401, 401]


def test_redis_down_fails_closed(tmp_path: Path, redis: RedisServer) -> None:
    deploy = Deploy.make(artifact(tmp_path, 1), sequence=1_000)
    with runtime(tmp_path, "rt", redis) as rt:
        assert execute(rt.url, deploy).status_code == 200
        redis.stop()
        refused = execute(rt.url, deploy)
        assert refused.status_code == 503
        text = refused.json()["outcome"]["issue"][0]["details"]["text"]
        assert text.startswith("shared store unavailable (redis://127.0.0.1:")
        assert text.endswith("refusing to run bots without replay and rollback checks")
        assert refused.json()["logs"] == []
