"""The adapter: payload -> client + BotEvent -> handler -> BotResult, with per-run logs."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import logging
import sys
import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest

from medplum_bots import AsyncMedplumClient, BotEvent, InMemoryMedplum, MedplumClient
from medplum_bots.errors import OperationOutcomeError, outcome
from medplum_bots.runtime.adapter import (
    HL7_V2,
    InvalidPayloadError,
    event_from_payload,
    execute,
    execute_sync,
    make_payload,
    to_jsonable,
)
from tests.runtime.bots import BASE_URL, async_echo, boom, describe, hello, sync_echo

PATIENT = {"resourceType": "Patient", "id": "p1", "name": [{"given": ["Jane"], "family": "Doe"}]}


def payload(value: Any, **extra: Any) -> dict[str, Any]:
    return make_payload(value, base_url=BASE_URL, access_token="token-1234567890", **extra)


def test_sync_handler_gets_a_client_bound_to_the_payload() -> None:
    medplum = InMemoryMedplum()
    result = execute_sync(hello, payload(PATIENT), transport=medplum)
    assert result.ok, result.outcome
    observation = medplum.all("Observation")[0]
    assert result.result == {"greeted": "Doe", "observation": observation["id"]}
    assert result.logs == ["Hello Jane Doe!", "to stderr", "WARNING bots.hello: warned Doe"]
    assert result.outcome is None
    assert result.to_json() == {
        "ok": True,
        "result": result.result,
        "logs": result.logs,
        "outcome": None,
    }


def test_client_sends_token_and_trace_id() -> None:
    seen: list[httpx.Headers] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(200, json={"resourceType": "Patient", "id": "p1"})

    def reader(medplum: MedplumClient, event: BotEvent) -> Any:
        return medplum.read_resource("Patient", "p1")["id"]

    result = execute_sync(
        reader, payload(None, trace_id="trace-abc"), transport=httpx.MockTransport(record)
    )
    assert result.ok and result.result == "p1"
    assert seen[0]["authorization"] == "Bearer token-1234567890"
    assert seen[0]["x-trace-id"] == "trace-abc"


def test_async_handler_gets_async_client_and_sync_handler_runs_in_a_worker() -> None:
    threads: list[str] = []

    def where(medplum: MedplumClient, event: BotEvent) -> Any:
        threads.append(threading.current_thread().name)
        return type(medplum).__name__

    async def both() -> tuple[Any, Any]:
        first = await execute(async_echo, payload({"tag": "a"}), transport=InMemoryMedplum())
        second = await execute(where, payload({}), transport=InMemoryMedplum())
        return first.result, second.result

    first, second = asyncio.run(both())
    assert first == {"tag": "a", "client": AsyncMedplumClient.__name__}
    assert second == MedplumClient.__name__
    assert threads and threads[0] != threading.main_thread().name


def test_execute_sync_runs_async_handlers_and_sync_ones_in_the_calling_thread() -> None:
    threads: list[threading.Thread] = []

    def here(medplum: MedplumClient, event: BotEvent) -> Any:
        threads.append(threading.current_thread())
        return 1

    assert execute_sync(async_echo, payload({"tag": "x"})).result["tag"] == "x"
    assert execute_sync(here, payload({})).result == 1
    assert threads == [threading.current_thread()]


def test_logs_are_isolated_between_concurrent_executions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    medplum = InMemoryMedplum()

    async def bystander() -> None:
        for _ in range(5):
            print("not a bot")
            await asyncio.sleep(0.001)

    async def many() -> list[Any]:
        runs = [
            execute(
                async_echo if i % 2 else sync_echo, payload({"tag": f"bot{i}"}), transport=medplum
            )
            for i in range(16)
        ]
        results = await asyncio.gather(*runs, bystander())
        return list(results[:-1])

    results = asyncio.run(many())
    for i, result in enumerate(results):
        assert result.ok
        assert result.logs == [f"bot{i} step {step}" for step in range(3)]
    # Output outside any execution still reaches the real stdout, and no bot's logs leak there.
    out = capsys.readouterr().out
    assert out.count("not a bot") == 5
    assert "step" not in out
    assert sys.stdout is not None and type(sys.stdout).__name__ != "_StreamProxy"


def test_logs_from_threads_running_side_by_side() -> None:
    results: dict[int, Any] = {}

    def run(i: int) -> None:
        results[i] = execute_sync(sync_echo, payload({"tag": f"t{i}"}))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(8):
        assert results[i].logs == [f"t{i} step {step}" for step in range(3)]


def test_a_raising_bot_fails_with_its_logs_and_traceback() -> None:
    result = execute_sync(boom, payload(PATIENT))
    assert not result.ok and result.result is None
    assert result.outcome == outcome("error", "exception", "ValueError: patient has no name")
    assert result.logs[0] == "about to fail"
    assert result.logs[1] == "Unhandled error: ValueError: patient has no name"
    assert result.logs[2] == "Traceback (most recent call last):"
    assert any("in boom" in line for line in result.logs)
    assert result.logs[-1] == "ValueError: patient has no name"
    # The adapter's own frames say nothing about the bot.
    assert not any("adapter.py" in line for line in result.logs)


def test_operation_outcome_errors_keep_their_outcome() -> None:
    failure = outcome("error", "not-found", "Patient/x not found")

    def missing(medplum: MedplumClient, event: BotEvent) -> Any:
        raise OperationOutcomeError(failure, 404)

    result = execute_sync(missing, payload({}))
    assert not result.ok and result.outcome == failure
    assert "Unhandled error: HTTP 404: Patient/x not found" in result.logs


def test_sys_exit_in_a_bot_is_a_failure_not_an_exit() -> None:
    def leaves(medplum: MedplumClient, event: BotEvent) -> Any:
        sys.exit(3)

    result = execute_sync(leaves, payload({}))
    assert not result.ok
    assert result.outcome == outcome("error", "exception", "SystemExit: 3")


def test_the_access_token_never_reaches_logs_or_outcomes() -> None:
    token = "secret-token-abcdef123456"

    def leaky(medplum: MedplumClient, event: BotEvent) -> Any:
        print("my token is", medplum.get_access_token())
        raise RuntimeError(f"token {medplum.get_access_token()} rejected")

    result = execute_sync(leaky, make_payload({}, base_url=BASE_URL, access_token=token))
    text = repr(result.to_json())
    assert token not in text
    assert "my token is ***" in result.logs


def test_hl7_text_becomes_an_hl7_message_and_json_text_is_parsed() -> None:
    message = "MSH|^~\\&|LAB|HOSP\rPID|1||123"
    seen = execute_sync(describe, payload(message, content_type=HL7_V2)).result
    # The bot saw an Hl7Message; returned, it is answered as its text.
    assert seen["input"] == message and seen["inputType"] == "Hl7Message"
    not_hl7 = execute_sync(describe, payload("PID|1", content_type=HL7_V2)).result
    assert not_hl7["inputType"] == "str"
    for kind in ("application/json", "application/fhir+json; charset=utf-8"):
        seen = execute_sync(describe, payload('{"resourceType": "Patient"}', content_type=kind))
        assert seen.result["input"] == {"resourceType": "Patient"}
    seen = execute_sync(describe, payload("just text", content_type="text/plain"))
    assert seen.result["input"] == "just text"


def test_hl7_results_are_answered_as_text() -> None:
    class Ack:
        def __str__(self) -> str:
            return "MSH|^~\\&|ACK"

    def acker(medplum: MedplumClient, event: BotEvent) -> Any:
        return Ack()

    result = execute_sync(acker, payload("MSH|^~\\&|X", content_type=HL7_V2))
    assert result.ok and result.result == "MSH|^~\\&|ACK"


def test_secrets_headers_and_trace_reach_the_event() -> None:
    event_payload = payload(
        PATIENT,
        secrets={"API_KEY": "abc", "FLAG": True},
        headers={"X-Medplum-Deleted-Resource": "Patient/p1"},
        trace_id="t-1",
    )
    seen = execute_sync(describe, event_payload).result
    assert seen["secrets"] == ["API_KEY", "FLAG"]
    assert seen["apiKey"] == "abc"
    assert seen["deleted"] == "Patient/p1"
    assert seen["traceId"] == "t-1"
    assert seen["contentType"] == "application/fhir+json"


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ([], "execution payload must be a JSON object"),
        ({"baseUrl": BASE_URL, "secrets": []}, "'secrets' must be an object"),
        ({"baseUrl": BASE_URL, "headers": "x"}, "'headers' must be an object"),
        ({"baseUrl": BASE_URL, "contentType": 5}, "'contentType' must be a string"),
        (
            {"baseUrl": BASE_URL, "input": "{oops", "contentType": "application/json"},
            "'input' is not valid JSON for application/json",
        ),
        ({"accessToken": "x"}, "'baseUrl' must be an http(s) URL"),
    ],
)
def test_malformed_payloads_are_refused_before_the_handler_runs(bad: Any, message: str) -> None:
    ran: list[bool] = []

    def never(medplum: MedplumClient, event: BotEvent) -> Any:
        ran.append(True)

    with pytest.raises(InvalidPayloadError, match=message.replace("(", r"\(").replace(")", r"\)")):
        execute_sync(never, bad)
    assert ran == []


def test_event_from_payload_defaults() -> None:
    event = event_from_payload({"input": {"a": 1}})
    assert event.content_type == "application/json"
    assert event.secrets == {} and len(event.headers) == 0 and event.requester is None


class Color:
    RED = "red"


@dataclasses.dataclass
class Point:
    x: int
    y: Decimal


def test_results_are_made_json_safe() -> None:
    when = datetime.datetime(2024, 5, 1, 12, 0, tzinfo=datetime.UTC)
    value = {
        "set": {3, 1, 2},
        "tuple": (1, "a"),
        "point": Point(1, Decimal("2.5")),
        "when": when,
        "day": datetime.date(2024, 5, 1),
        "text": b"caf\xc3\xa9",
        1: "int key",
    }
    assert to_jsonable(value) == {
        "set": [1, 2, 3],
        "tuple": [1, "a"],
        "point": {"x": 1, "y": 2.5},
        "when": "2024-05-01T12:00:00+00:00",
        "day": "2024-05-01",
        "text": "café",
        "1": "int key",
    }


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"x": object()}, "bot result at $.x is a object, which JSON cannot hold"),
        ([float("nan")], "bot result at $[0] is nan"),
        ({"raw": b"\xff\xfe"}, "bot result at $.raw is binary data that is not UTF-8 text"),
        ({"color": Color()}, "bot result at $.color is a Color"),
    ],
)
def test_results_json_cannot_hold_fail_the_execution(value: Any, message: str) -> None:
    def returns(medplum: MedplumClient, event: BotEvent) -> Any:
        print("computed")
        return value

    result = execute_sync(returns, payload({}))
    assert not result.ok and result.result is None
    assert result.outcome is not None
    text = result.outcome["issue"][0]["details"]["text"]
    assert text.startswith(message)
    assert result.logs == ["computed", text]


def test_a_result_containing_itself_fails() -> None:
    loop: list[Any] = []
    loop.append(loop)

    def returns(medplum: MedplumClient, event: BotEvent) -> Any:
        return loop

    result = execute_sync(returns, payload({}))
    assert not result.ok and "contains itself" in repr(result.outcome)


def test_logging_records_outside_executions_are_not_captured(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def quiet(medplum: MedplumClient, event: BotEvent) -> Any:
        return None

    logging.getLogger("outside").warning("before")
    result = execute_sync(quiet, payload({}))
    logging.getLogger("outside").warning("after")
    assert result.ok and result.logs == []
    assert [r.getMessage() for r in caplog.records] == ["before", "after"]


def test_warnings_outside_executions_still_reach_stderr_while_one_runs(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With no logging configured, Python prints warnings to stderr; capturing keeps that."""
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = []  # as in a plain process (pytest adds its own handlers)
    try:

        async def scenario() -> Any:
            started, release = asyncio.Event(), asyncio.Event()

            async def waits(medplum: AsyncMedplumClient, event: BotEvent) -> Any:
                started.set()
                await release.wait()
                logging.getLogger("bot").warning("inside")

            running = asyncio.ensure_future(execute(waits, payload({})))
            await started.wait()
            logging.getLogger("medplum_bots.runtime").warning("outside")
            release.set()
            return await running

        result = asyncio.run(scenario())
    finally:
        root.handlers = saved
    assert result.logs == ["WARNING bot: inside"]
    err = capsys.readouterr().err
    assert "outside" in err and "inside" not in err
