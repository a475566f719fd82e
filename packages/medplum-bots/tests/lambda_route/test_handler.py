"""The Lambda handler: Medplum's direct invocation and the function URL, same answers as route 1.

A recorded Medplum payload (`medplum_payload.json`, the fields of `buildPayload` in Medplum's
cloud/aws/execute.ts) runs a bundled bot that reads a Patient from the loopback stand-in.
"""

from __future__ import annotations

import asyncio
import base64
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import httpx
import pytest
from medplum_standin import ExternalResult, MedplumStandIn
from medplum_standin.fixtures import CLIENT_ID, CLIENT_SECRET, PROJECT_ID, medplum_standin

from medplum_bots.build.bundle import Artifact, build_bot
from medplum_bots.build.loader import forget_artifacts
from medplum_bots.client import MedplumClient
from medplum_bots.config import BotEntry, Environment, RuntimeSpec
from medplum_bots.deploy.lambda_route import (
    build_zip,
    deploy_function,
    handler,
    is_function_url_event,
)
from medplum_bots.deploy.plan import EXTERNAL_FUNCTION_ID
from medplum_bots.errors import OperationOutcomeError
from medplum_bots.runtime.adapter import BotRegistry
from medplum_bots.runtime.http_app import BotRuntime
from medplum_bots.runtime.lambda_handler import reset
from medplum_bots.runtime.signing import signature_headers
from tests.lambda_route.isolated import run_isolated
from tests.lambda_route.lambda_emulator import invoke

__all__ = ["medplum_standin"]

HERE = Path(__file__).resolve().parent
KEY = b"k" * 16 + b"-lambda-route-test-key-0123456789"
GREETER = """\
import logging

from medplum_bots import BotEvent, MedplumClient
from shared.greeting import greet


def handler(medplum: MedplumClient, event: BotEvent) -> dict[str, object]:
    patient = medplum.read_resource("Patient", event.input["patientId"])
    text = greet(patient)
    print(text)
    logging.getLogger("greeter").warning("api key set: %s", event.secret("API_KEY") is not None)
    if event.input.get("fail"):
        raise ValueError(f"cannot greet {patient['id']}")
    return {"greeting": text, "trace": event.trace_id, "contentType": event.content_type}
"""
GREETING = """\
def greet(patient: dict) -> str:
    name = patient["name"][0]
    return f"Hello {name['given'][0]} {name['family']}!"
"""
ADA = {"resourceType": "Patient", "id": "p-ada", "name": [{"given": ["Ada"], "family": "Lovelace"}]}


@pytest.fixture(scope="module")
def greeter(tmp_path_factory: pytest.TempPathFactory) -> Artifact:
    """The greeter bot bundled with the shared module it imports."""
    root = tmp_path_factory.mktemp("project")
    (root / "src" / "bots").mkdir(parents=True)
    (root / "src" / "shared").mkdir()
    (root / "src" / "bots" / "__init__.py").write_text("")
    (root / "src" / "shared" / "__init__.py").write_text("")
    (root / "src" / "bots" / "greeter.py").write_text(GREETER)
    (root / "src" / "shared" / "greeting.py").write_text(GREETING)
    return build_bot(root / "src" / "bots" / "greeter.py", root, root / "dist/bots/greeter.py")


@pytest.fixture
def standin(medplum_standin: MedplumStandIn) -> MedplumStandIn:
    medplum_standin.seed(ADA, PROJECT_ID)
    medplum_standin.set_secret(PROJECT_ID, "API_KEY", "k-123")
    return medplum_standin


@pytest.fixture
def lambda_env(
    greeter: Artifact, standin: MedplumStandIn, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """The variables the deployer sets, plus route 1's settings for the function URL."""
    monkeypatch.setenv("MEDPLUM_BOT_ARTIFACT", str(greeter.path))
    monkeypatch.setenv("MEDPLUM_BOT_NAME", greeter.name)
    monkeypatch.setenv("MEDPLUM_BOTS_RUNTIME_KEY", KEY.decode())
    monkeypatch.setenv("MEDPLUM_BOTS_ALLOWED_BASE_URLS", standin.base_url)
    reset()
    forget_artifacts()
    yield
    reset()
    forget_artifacts()


@pytest.fixture
def payload(standin: MedplumStandIn) -> dict[str, Any]:
    recorded: dict[str, Any] = json.loads((HERE / "medplum_payload.json").read_text())
    bot_id = recorded["bot"]["reference"].removeprefix("Bot/")
    recorded["baseUrl"] = standin.base_url
    recorded["accessToken"] = standin.issue_run_token(PROJECT_ID, f"Bot/{bot_id}")
    return recorded


def _route_one(greeter: Artifact, allowed: str, body: bytes, headers: dict[str, str]) -> Any:
    """POST /bots/greeter to route 1's HTTP runtime (in-process ASGI); (status, JSON)."""
    from medplum_bots.build.loader import load_artifact

    registry = BotRegistry({greeter.name: load_artifact(greeter.path).handler})
    app = BotRuntime(registry, key=KEY, allowed_base_urls=[allowed])

    async def post() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://runtime") as client:
            return await client.post(f"/bots/{greeter.name}", content=body, headers=headers)

    response = asyncio.run(post())
    return response.status_code, response.json()


def _url_event(method: str, path: str, body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """A Lambda function URL event (payload format 2.0) for one request."""
    return {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": "",
        "headers": {k.lower(): v for k, v in headers.items()},
        "requestContext": {"http": {"method": method, "path": path}, "requestId": "r-1"},
        "body": base64.b64encode(body).decode(),
        "isBase64Encoded": True,
    }


def _frames_dropped(lines: list[str]) -> list[str]:
    """Log lines without a traceback's frame lines (they start with two spaces)."""
    return [line for line in lines if not line.startswith("  ")]


def _trace_headers(standin: MedplumStandIn) -> list[str | None]:
    return [r.headers.get("x-trace-id") for r in standin.requests if "Patient" in r.path]


def test_direct_invocation_answers_like_route_one(
    lambda_env: None, greeter: Artifact, standin: MedplumStandIn, payload: dict[str, Any]
) -> None:
    direct = invoke(handler, payload)
    assert not direct.function_error, direct.payload
    assert direct.payload == {
        "greeting": "Hello Ada Lovelace!",
        "trace": payload["traceId"],
        "contentType": "application/fhir+json",
    }
    assert direct.log.splitlines() == ["Hello Ada Lovelace!", "WARNING greeter: api key set: True"]

    body = json.dumps(payload).encode()
    status, routed = _route_one(
        greeter, standin.base_url, body, signature_headers(KEY, "greeter", body)
    )
    assert status == 200
    assert routed == {
        "ok": True,
        "result": direct.payload,
        "logs": direct.log.splitlines(),
        "outcome": None,
    }
    # Both runs called Medplum with the bot's token and the execution's trace id.
    assert _trace_headers(standin) == [payload["traceId"]] * 2


def test_a_failing_bot_is_a_function_error_with_its_log(
    lambda_env: None, greeter: Artifact, standin: MedplumStandIn, payload: dict[str, Any]
) -> None:
    payload["input"] = {"patientId": "p-ada", "fail": True}
    direct = invoke(handler, payload)
    assert direct.function_error
    assert direct.payload["errorType"] == "BotFailed"
    assert direct.payload["errorMessage"] == "ValueError: cannot greet p-ada"
    lines = direct.log.splitlines()
    assert lines[:3] == [
        "Hello Ada Lovelace!",
        "WARNING greeter: api key set: True",
        "Unhandled error: ValueError: cannot greet p-ada",
    ]
    assert any('src/bots/greeter.py", line 13' in line for line in lines), lines
    assert lines[-1] == "[ERROR] BotFailed: ValueError: cannot greet p-ada"
    assert payload["accessToken"] not in direct.log

    body = json.dumps(payload).encode()
    status, routed = _route_one(
        greeter, standin.base_url, body, signature_headers(KEY, "greeter", body)
    )
    assert (status, routed["ok"], routed["result"]) == (200, False, None)
    assert routed["outcome"]["issue"][0]["details"]["text"] == direct.payload["errorMessage"]
    # The same lines; the traceback's frames may differ (route 1 runs the bot in a thread).
    assert _frames_dropped(routed["logs"]) == _frames_dropped(lines[:-1])
    assert any('src/bots/greeter.py", line 13' in line for line in routed["logs"])


def test_a_malformed_payload_fails_without_running_the_bot(
    lambda_env: None, standin: MedplumStandIn, payload: dict[str, Any]
) -> None:
    del payload["baseUrl"]
    direct = invoke(handler, payload)
    assert direct.function_error
    assert direct.payload["errorMessage"] == "payload field 'baseUrl' must be an http(s) URL"
    assert _trace_headers(standin) == []


def test_function_url_requests_get_route_one_answers(
    lambda_env: None, greeter: Artifact, standin: MedplumStandIn, payload: dict[str, Any]
) -> None:
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", **signature_headers(KEY, greeter.name, body)}
    event = _url_event("POST", f"/bots/{greeter.name}", body, headers)
    assert is_function_url_event(event) and not is_function_url_event(payload)

    answer = handler(event, None)
    assert answer["statusCode"] == 200
    assert answer["headers"]["content-type"] == "application/json"
    status, routed = _route_one(greeter, standin.base_url, body, headers)
    assert (answer["statusCode"], json.loads(answer["body"])) == (status, routed)
    assert routed["result"]["greeting"] == "Hello Ada Lovelace!"

    # The app lives as long as the container: the same signed request is now a replay.
    replayed = handler(event, None)
    assert replayed["statusCode"] == 401
    assert "replayed" in json.loads(replayed["body"])["outcome"]["issue"][0]["details"]["text"]

    forged = {**headers, "X-Medplum-Bots-Signature": "v1=" + "0" * 64}
    rejected = handler(_url_event("POST", f"/bots/{greeter.name}", body, forged), None)
    expected = _route_one(greeter, standin.base_url, body, forged)
    assert (rejected["statusCode"], json.loads(rejected["body"])) == expected
    assert expected[0] == 401

    # Another request (so not a replay) for a bot this function does not hold.
    other = json.dumps({**payload, "traceId": "t-other"}).encode()
    plain = _url_event("POST", "/bots/other", other, signature_headers(KEY, "other", other))
    plain["body"], plain["isBase64Encoded"] = other.decode(), False
    unknown = handler(plain, None)
    assert unknown["statusCode"] == 404
    health = handler(_url_event("GET", "/healthz", b"", {}), None)
    assert health["statusCode"] == 200
    assert json.loads(health["body"]) == {"status": "ok", "bots": 1, "running": 0, "capacity": 64}


def test_function_url_without_a_key_refuses_to_run(
    lambda_env: None,
    greeter: Artifact,
    payload: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("MEDPLUM_BOTS_RUNTIME_KEY")
    body = json.dumps(payload).encode()
    answer = handler(
        _url_event("POST", "/bots/greeter", body, signature_headers(KEY, "greeter", body)), None
    )
    assert answer["statusCode"] == 503
    assert "MEDPLUM_BOTS_RUNTIME_KEY is not set" in capsys.readouterr().out


def test_deployed_function_runs_as_the_bots_external_function(
    aws: str, lambda_env: None, greeter: Artifact, standin: MedplumStandIn, tmp_path: Path
) -> None:
    """Deploy to (moto) Lambda, set the identifier on the Bot, `$execute` through Medplum."""
    entry = BotEntry(
        name="greeter-staging",
        id="",
        source="src/bots/greeter.py",
        dist="dist/bots/greeter.py",
        environment="staging",
        runtime_version="awslambda",
    )
    runtime = RuntimeSpec(type="lambda", region="us-east-1", role_arn=aws)
    environment = Environment("staging", standin.base_url, PROJECT_ID, runtime=runtime)
    layer = tmp_path / "layer"
    layer.mkdir()
    name = deploy_function(entry, environment, greeter, requirements_dir=layer)
    lam = boto3.client("lambda", region_name="us-east-1")
    assert lam.get_function_configuration(FunctionName=name)["Environment"]["Variables"] == {
        "MEDPLUM_BOT_ARTIFACT": "bot.py",
        "MEDPLUM_BOT_NAME": "greeter",
    }

    # What AWS would run: this handler (moto cannot run Python without Docker).
    def function(event: dict[str, Any]) -> ExternalResult:
        result = invoke(handler, event)
        return ExternalResult(result.payload, result.log, result.function_error)

    standin.external_functions[name] = function
    with MedplumClient(
        standin.base_url, client_id=CLIENT_ID, client_secret=CLIENT_SECRET
    ) as medplum:
        created = medplum.post(
            f"admin/projects/{PROJECT_ID}/bot",
            {"name": entry.name, "runtimeVersion": "awslambda"},
        )
        # What the deployer's final patch does for route lambda.
        identifier = [{"system": EXTERNAL_FUNCTION_ID, "value": name}]
        medplum.update_resource({**created, "identifier": identifier})
        bot = medplum.read_resource("Bot", created["id"])

        answer = medplum.execute_bot(bot["id"], {"patientId": "p-ada"}, "application/fhir+json")
        assert answer["greeting"] == "Hello Ada Lovelace!"
        with pytest.raises(OperationOutcomeError) as failed:
            medplum.execute_bot(bot["id"], {"patientId": "p-ada", "fail": True})
        assert failed.value.status == 400

    events = standin.wait_for_audit_events(bot["id"], 2)
    assert [event["outcome"] for event in events] == ["0", "4"]
    assert "Hello Ada Lovelace!" in events[0]["outcomeDesc"]
    assert "Unhandled error: ValueError: cannot greet p-ada" in events[1]["outcomeDesc"]


def test_the_zip_runs_on_its_own(
    greeter: Artifact,
    standin: MedplumStandIn,
    payload: dict[str, Any],
    runtime_layer: Path,
    tmp_path: Path,
) -> None:
    """Unzipped alone (no site-packages), the package runs the bot against Medplum."""
    package = build_zip(greeter.path, tmp_path / "greeter.zip", requirements_dir=runtime_layer)
    task_root = tmp_path / "task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(task_root)
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(task_root)!r})\n"
        "from medplum_bots.deploy.lambda_route import handler\n"
        "result = handler(json.load(sys.stdin), None)\n"
        "print('RESULT ' + json.dumps(result))\n"
    )
    completed = run_isolated(
        script, stdin=json.dumps(payload), cwd=tmp_path, env={"MEDPLUM_BOT_NAME": "greeter"}
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[:2] == ["Hello Ada Lovelace!", "WARNING greeter: api key set: True"]
    assert json.loads(lines[-1].removeprefix("RESULT ")) == {
        "greeting": "Hello Ada Lovelace!",
        "trace": payload["traceId"],
        "contentType": "application/fhir+json",
    }
