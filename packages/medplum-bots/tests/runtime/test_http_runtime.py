"""The ASGI runtime served by uvicorn on loopback: authentication, limits, bot results."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from medplum_bots import InMemoryMedplum
from medplum_bots.errors import MedplumBotsError
from medplum_bots.runtime.adapter import BotRegistry, make_payload
from medplum_bots.runtime.deploy_keys import generate
from medplum_bots.runtime.http_app import BotRuntime, normalize_base_url, settings_from_env
from medplum_bots.runtime.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_headers
from tests.runtime.bots import ALL, BASE_URL, CALLS, KEY
from tests.runtime.serving import serve_asgi

PAIR, OTHER = generate(), generate()
PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Jane"], "family": "Doe"}]}
MAX_BODY = 20_000


class Runtime:
    """A served runtime, its in-memory Medplum, and a client posting signed payloads."""

    def __init__(self, url: str, medplum: InMemoryMedplum) -> None:
        self.url = url
        self.medplum = medplum
        self.http = httpx.Client(base_url=url, timeout=10)
        self.token = medplum.issue_token()

    def body(self, value: Any, **extra: Any) -> bytes:
        extra.setdefault("base_url", BASE_URL)
        return json.dumps(make_payload(value, access_token=self.token, **extra)).encode()

    def post(
        self,
        name: str,
        body: bytes,
        *,
        key: bytes = KEY,
        now: float | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        signed = signature_headers(key, name, body, now=now)
        return self.http.post(f"/bots/{name}", content=body, headers={**signed, **(headers or {})})


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    medplum = InMemoryMedplum()
    app = BotRuntime(
        BotRegistry(ALL),
        key=KEY,
        allowed_base_urls=["http://MEDPLUM.local"],
        max_body=MAX_BODY,
        transport=medplum,
    )
    with serve_asgi(app) as url:
        served = Runtime(url, medplum)
        yield served
        served.http.close()


def test_health(runtime: Runtime) -> None:
    answer = runtime.http.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "bots": len(ALL), "running": 0, "capacity": 64}


def test_a_signed_request_runs_the_bot(runtime: Runtime) -> None:
    before = len(runtime.medplum.all("Observation"))
    answer = runtime.post("hello", runtime.body(PATIENT))
    assert answer.status_code == 200
    data = answer.json()
    assert data["ok"] is True and data["outcome"] is None
    assert data["result"]["greeted"] == "Doe"
    assert data["logs"] == ["Hello Jane Doe!", "to stderr", "WARNING bots.hello: warned Doe"]
    # The bot wrote to Medplum with the token it was handed.
    assert len(runtime.medplum.all("Observation")) == before + 1


def rejected(runtime: Runtime, answer: httpx.Response, status: int, text: str) -> None:
    assert answer.status_code == status, answer.text
    data = answer.json()
    assert data["ok"] is False and data["logs"] == []
    assert text in data["outcome"]["issue"][0]["details"]["text"]
    assert runtime.token not in answer.text


def test_rejected_requests_never_reach_the_handler(runtime: Runtime) -> None:
    body = runtime.body(PATIENT)
    calls_before = list(CALLS.names)
    observations = len(runtime.medplum.all("Observation"))
    url = "/bots/hello"

    unsigned = runtime.http.post(url, content=body)
    rejected(runtime, unsigned, 401, f"missing {TIMESTAMP_HEADER}")

    forged = signature_headers(KEY, "hello", body)
    forged[SIGNATURE_HEADER] = "v2=" + "ab" * 32
    rejected(runtime, runtime.http.post(url, content=body, headers=forged), 401, "does not match")

    wrong_key = runtime.post("hello", body, key=b"an-attacker-key-that-is-long-enough-1234")
    rejected(runtime, wrong_key, 401, "does not match")

    stale = runtime.post("hello", body, now=time.time() - 301)
    rejected(runtime, stale, 401, "more than 300 seconds")

    tampered_headers = signature_headers(KEY, "hello", body)
    tampered = runtime.http.post(
        url, content=body.replace(b"Jane", b"Joan"), headers=tampered_headers
    )
    rejected(runtime, tampered, 401, "does not match")

    elsewhere = runtime.body(PATIENT, base_url="https://evil.example.com/")
    rejected(runtime, runtime.post("hello", elsewhere), 401, "allow-list")

    oversized = runtime.body({"resourceType": "Patient", "note": "x" * MAX_BODY})
    rejected(runtime, runtime.post("hello", oversized), 413, f"over {MAX_BODY} bytes")

    def chunks() -> Iterator[bytes]:
        yield oversized[: MAX_BODY // 2]
        yield oversized[MAX_BODY // 2 :]

    streamed = runtime.http.post(
        url, content=chunks(), headers=signature_headers(KEY, "hello", oversized)
    )
    rejected(runtime, streamed, 413, f"over {MAX_BODY} bytes")

    not_json = b"not json at all"
    rejected(runtime, runtime.post("hello", not_json), 400, "not JSON")

    unknown = runtime.post("no_such_bot", runtime.body(PATIENT))
    rejected(runtime, unknown, 404, "no bot named 'no_such_bot'")

    assert runtime.http.get(url).status_code == 405
    assert runtime.http.post("/elsewhere", content=body).status_code == 404

    assert CALLS.names == calls_before
    assert len(runtime.medplum.all("Observation")) == observations


def test_a_replayed_request_is_refused(runtime: Runtime) -> None:
    body = runtime.body(PATIENT)
    headers = signature_headers(KEY, "hello", body)
    first = runtime.http.post("/bots/hello", content=body, headers=headers)
    assert first.status_code == 200
    calls = len(CALLS.names)
    again = runtime.http.post("/bots/hello", content=body, headers=headers)
    rejected(runtime, again, 401, "replayed")
    assert len(CALLS.names) == calls


def test_a_raising_bot_answers_its_failure_and_the_runtime_keeps_serving(runtime: Runtime) -> None:
    answer = runtime.post("boom", runtime.body(PATIENT))
    assert answer.status_code == 200
    data = answer.json()
    assert data["ok"] is False and data["result"] is None
    assert data["outcome"]["issue"][0]["details"]["text"] == "ValueError: patient has no name"
    assert data["logs"][:2] == ["about to fail", "Unhandled error: ValueError: patient has no name"]
    after = runtime.post("hello", runtime.body(PATIENT))
    assert after.status_code == 200 and after.json()["ok"] is True


def test_concurrent_requests_keep_their_own_logs(runtime: Runtime) -> None:
    def call(i: int) -> dict[str, Any]:
        name = "async_echo" if i % 2 else "sync_echo"
        answer: dict[str, Any] = runtime.post(name, runtime.body({"tag": f"r{i}"})).json()
        return answer

    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(call, range(24)))
    for i, answer in enumerate(answers):
        assert answer["ok"], answer
        assert answer["logs"] == [f"r{i} step {step}" for step in range(3)]


def test_event_fields_arrive_through_http(runtime: Runtime) -> None:
    body = runtime.body(
        "MSH|^~\\&|LAB\rPID|1||42",
        content_type="x-application/hl7-v2+er7",
        secrets={"API_KEY": "k"},
        headers={"X-Medplum-Deleted-Resource": "Patient/9"},
    )
    seen = runtime.post("describe", body).json()["result"]
    assert seen["input"] == "MSH|^~\\&|LAB\rPID|1||42" and seen["inputType"] == "Hl7Message"
    assert seen["apiKey"] == "k" and seen["deleted"] == "Patient/9"


# -- settings ----------------------------------------------------------------------------------

GOOD_KEY = "k" * 40
HTTPS_BASE = "https://medplum.example.com/"


def test_settings_refuse_to_start_without_a_key() -> None:
    with pytest.raises(MedplumBotsError, match="MEDPLUM_BOTS_RUNTIME_KEY is not set"):
        settings_from_env({"MEDPLUM_BOTS_ALLOWED_BASE_URLS": HTTPS_BASE})
    with pytest.raises(MedplumBotsError, match="at least 32 characters"):
        settings_from_env(
            {"MEDPLUM_BOTS_RUNTIME_KEY": "short", "MEDPLUM_BOTS_ALLOWED_BASE_URLS": HTTPS_BASE}
        )


def test_settings_from_environment() -> None:
    settings = settings_from_env(
        {
            "MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY,
            "MEDPLUM_BOTS_ALLOWED_BASE_URLS": "https://api.medplum.com, https://Medplum.Example.org/x",
            "MEDPLUM_BOTS_TRUSTED_KEYS": f"staging={PAIR.public}, production={OTHER.public}",
            "MEDPLUM_BOTS_MAX_BODY": "2048",
            "MEDPLUM_BOTS_THREADS": "8",
        }
    )
    assert settings.key == GOOD_KEY.encode()
    assert settings.allowed_base_urls == (
        "https://api.medplum.com/",
        "https://medplum.example.org/x/",
    )
    assert settings.max_body == 2048 and settings.threads == 8
    assert settings.trusted_keys.environments() == {PAIR.id: "staging", OTHER.id: "production"}


def test_the_runtime_refuses_to_start_without_a_trusted_deploy_key() -> None:
    with pytest.raises(MedplumBotsError, match="MEDPLUM_BOTS_TRUSTED_KEYS is not set"):
        settings_from_env(
            {"MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY, "MEDPLUM_BOTS_ALLOWED_BASE_URLS": HTTPS_BASE}
        )
    with pytest.raises(MedplumBotsError, match="each key is `<environment>=ed25519:"):
        settings_from_env(
            {
                "MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY,
                "MEDPLUM_BOTS_ALLOWED_BASE_URLS": HTTPS_BASE,
                "MEDPLUM_BOTS_TRUSTED_KEYS": PAIR.private,
            }
        )


def test_allowed_base_urls_default_to_the_configured_environments(default_project: Path) -> None:
    settings = settings_from_env(
        {
            "MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY,
            "MEDPLUM_BOTS_TRUSTED_KEYS": f"staging={PAIR.public}",
        },
        default_project / "medplum.config.json",
    )
    assert settings.allowed_base_urls == ("https://api.medplum.com/",)
    with pytest.raises(MedplumBotsError, match="MEDPLUM_BOTS_ALLOWED_BASE_URLS is not set"):
        settings_from_env({"MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY}, default_project / "missing.json")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MEDPLUM_BOTS_ALLOWED_BASE_URLS": "ftp://x"}, "not an http(s) URL"),
        (
            {"MEDPLUM_BOTS_MAX_BODY": "lots"},
            "MEDPLUM_BOTS_MAX_BODY must be a positive whole number",
        ),
    ],
)
def test_bad_settings_are_one_line_errors(env: dict[str, str], message: str) -> None:
    full = {
        "MEDPLUM_BOTS_RUNTIME_KEY": GOOD_KEY,
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": HTTPS_BASE,
        "MEDPLUM_BOTS_TRUSTED_KEYS": f"staging={PAIR.public}",
        **env,
    }
    with pytest.raises(MedplumBotsError) as caught:
        settings_from_env(full)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_base_url_normalisation() -> None:
    assert normalize_base_url("HTTPS://Api.Medplum.com") == "https://api.medplum.com/"
    for bad in ("https://user:pw@host/", "https://host/?q=1", "host.example.com"):
        with pytest.raises(ValueError):
            normalize_base_url(bad)
