"""The JavaScript forwarder, run by Node against a runtime served on loopback.

It runs the way Medplum runs a Bot's executable code: in a `vm` context (the stand-in's
`run_vmcontext`, mirroring Medplum's vmcontext wrapper) and as a CommonJS module required by
a Lambda-style wrapper.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from medplum_standin.vmcontext import node_binary, run_vmcontext

from medplum_bots import InMemoryMedplum
from medplum_bots.errors import ConfigError
from medplum_bots.runtime.adapter import BotRegistry
from medplum_bots.runtime.forwarder import forwarder_code
from medplum_bots.runtime.http_app import BotRuntime
from tests.runtime.bots import ALL, BASE_URL, KEY
from tests.runtime.serving import serve_asgi

SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Jane"], "family": "Doe"}]}


@pytest.fixture(scope="module")
def runtime_url() -> Iterator[str]:
    app = BotRuntime(
        BotRegistry(ALL), key=KEY, allowed_base_urls=[BASE_URL], transport=InMemoryMedplum()
    )
    with serve_asgi(app) as url:
        yield url


def execution(
    value: Any, content_type: str = "application/fhir+json", **extra: Any
) -> dict[str, Any]:
    """The payload Medplum hands the forwarder's runtime."""
    payload = {
        "bot": {"reference": "Bot/123", "display": "hello"},
        "baseUrl": BASE_URL,
        "accessToken": "vm-access-token-1234567890",
        "input": value,
        "contentType": content_type,
        "secrets": {
            SECRET: {"name": SECRET, "valueString": KEY.decode()},
            "API_KEY": {"name": "API_KEY", "valueString": "k-1"},
        },
        "traceId": "trace-42",
        "headers": {},
    }
    payload.update(extra)
    return payload


def test_code_is_deterministic_commonjs_with_the_target_embedded() -> None:
    code = forwarder_code("https://bots.example.com/", "my_bot", SECRET)
    assert code == forwarder_code("https://bots.example.com/", "my_bot", SECRET)
    assert "exports.handler = async (medplum, event) =>" in code
    assert '"https://bots.example.com/bots/my_bot"' in code
    assert f'"{SECRET}"' in code
    assert forwarder_code("https://bots.example.com/", "other_bot", SECRET) != code


@pytest.mark.parametrize(
    ("url", "name", "secret", "message"),
    [
        ("http://bots.example.com", "b", SECRET, "must use https"),
        ("bots.example.com", "b", SECRET, "must be an https URL"),
        ("https://bots.example.com", "not-a-module", SECRET, "must be a Python module name"),
        ("https://bots.example.com", "b", "bad name", "must be letters, digits"),
    ],
)
def test_bad_targets_are_refused(url: str, name: str, secret: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        forwarder_code(url, name, secret)


def test_forwarder_runs_the_python_bot_in_vmcontext(runtime_url: str) -> None:
    result = run_vmcontext(forwarder_code(runtime_url, "hello", SECRET), execution(PATIENT))
    assert result.ok, result
    assert result.result["greeted"] == "Doe"
    # The Python bot's output is printed by the forwarder, so Medplum's log holds it.
    assert result.logs == ["Hello Jane Doe!", "to stderr", "WARNING bots.hello: warned Doe"]


def test_event_fields_reach_the_python_bot_minus_the_runtime_key(runtime_url: str) -> None:
    code = forwarder_code(runtime_url, "describe", SECRET)
    payload = execution(PATIENT, headers={"X-Medplum-Deleted-Resource": "Patient/9"})
    result = run_vmcontext(code, payload)
    assert result.ok, result
    seen = result.result
    assert seen["input"] == PATIENT and seen["contentType"] == "application/fhir+json"
    assert seen["secrets"] == ["API_KEY"] and seen["apiKey"] == "k-1"
    assert seen["deleted"] == "Patient/9" and seen["traceId"] == "trace-42"


def test_the_callers_credentials_in_headers_stay_in_medplum(runtime_url: str) -> None:
    # Medplum passes the $execute caller's request headers to the bot, Authorization included.
    headers = {
        "Authorization": "Bearer caller-token-abcdef0123456789",
        "Cookie": "session=abc",
        "Content-Type": "application/fhir+json",
    }
    result = run_vmcontext(
        forwarder_code(runtime_url, "describe", SECRET), execution(PATIENT, headers=headers)
    )
    assert result.ok, result
    assert result.result["headers"] == ["content-type"]


def test_hl7_messages_reach_the_python_bot_as_hl7_messages(runtime_url: str) -> None:
    # Medplum parses HL7 v2 input into an Hl7Message; the forwarder sends its text, the
    # runtime parses it again, as Medplum's own Lambda wrapper does.
    code = forwarder_code(runtime_url, "hl7_echo", SECRET)
    result = run_vmcontext(
        code, execution("MSH|^~\\&|LAB|HOSP\nPID|1||42", "x-application/hl7-v2+er7")
    )
    assert result.ok, result
    assert result.result == "Hl7Message:MSH|^~\\&|LAB|HOSP/PID|1||42"


def test_a_failing_python_bot_throws_its_outcome_after_printing_its_logs(runtime_url: str) -> None:
    result = run_vmcontext(forwarder_code(runtime_url, "boom", SECRET), execution(PATIENT))
    assert not result.ok
    assert result.error == "ValueError: patient has no name"
    # What Medplum's AuditEvent gets: the bot's output, its traceback once (its own frames
    # only, no runtime internals), then the one line Medplum's wrapper prints for the error.
    assert result.logs[:2] == ["about to fail", "Traceback (most recent call last):"]
    assert result.logs[-2:] == [
        "ValueError: patient has no name",
        "Unhandled error: ValueError: patient has no name\n",
    ]
    text = "\n".join(result.logs)
    assert text.count("Traceback") == 1 and text.count("Unhandled error") == 1
    assert "medplum_bots" not in text and "evalmachine" not in text


TWICE_IN_ONE_INSTANT = """
const forward = exports.handler;
exports.handler = async (medplum, event) => {
  const now = Date.now();
  Date.now = () => now;
  return [await forward(medplum, event), await forward(medplum, event)];
};
"""


def test_identical_executions_at_the_same_instant_are_not_replays(runtime_url: str) -> None:
    code = forwarder_code(runtime_url, "describe", SECRET) + TWICE_IN_ONE_INSTANT
    result = run_vmcontext(code, execution(PATIENT))
    assert result.ok, result
    assert [seen["input"] for seen in result.result] == [PATIENT, PATIENT]


def test_missing_secret_is_a_clear_error(runtime_url: str) -> None:
    payload = execution(PATIENT, secrets={})
    result = run_vmcontext(forwarder_code(runtime_url, "hello", SECRET), payload)
    assert not result.ok
    assert result.error is not None
    assert result.error.startswith(f"Project secret {SECRET} is not set")


def test_wrong_key_is_reported_with_the_runtime_answer(runtime_url: str) -> None:
    payload = execution(PATIENT)
    payload["secrets"][SECRET]["valueString"] = "a-different-key-that-is-long-enough-123"
    result = run_vmcontext(forwarder_code(runtime_url, "hello", SECRET), payload)
    assert not result.ok
    assert result.error == (
        "Python bots runtime answered HTTP 401 for hello: "
        "X-Medplum-Bots-Signature does not match the request body and bot"
    )


def test_unknown_bot_is_reported(runtime_url: str) -> None:
    result = run_vmcontext(forwarder_code(runtime_url, "gone", SECRET), execution(PATIENT))
    assert result.error == (
        "Python bots runtime answered HTTP 404 for gone: no bot named 'gone' in this runtime"
    )


def test_runtime_down_is_a_clear_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    result = run_vmcontext(forwarder_code(url, "hello", SECRET), execution(PATIENT))
    assert not result.ok and result.error is not None
    assert result.error.startswith(f"Python bots runtime unreachable at {url}/bots/hello: ")
    assert "ECONNREFUSED" in result.error


LAMBDA_WRAPPER = """
const userCode = require(process.argv[2]);
const payload = JSON.parse(process.argv[3]);
const medplum = {
  getBaseUrl: () => payload.baseUrl,
  getAccessToken: () => payload.accessToken,
};
userCode.handler(medplum, payload).then(
  (result) => console.log('RESULT ' + JSON.stringify(result)),
  (err) => { console.log('ERROR ' + err.message); process.exitCode = 1; }
);
"""


def test_forwarder_works_as_a_lambda_commonjs_module(runtime_url: str, tmp_path: Path) -> None:
    """Medplum's Lambda wrapper `require`s the code as `user.cjs` and calls its handler."""
    (tmp_path / "user.cjs").write_text(forwarder_code(runtime_url, "hello", SECRET))
    (tmp_path / "index.cjs").write_text(LAMBDA_WRAPPER)
    run = subprocess.run(
        [
            node_binary(),
            str(tmp_path / "index.cjs"),
            str(tmp_path / "user.cjs"),
            json.dumps(execution(PATIENT)),
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "Hello Jane Doe!"
    assert json.loads(lines[-1].removeprefix("RESULT "))["greeted"] == "Doe"
