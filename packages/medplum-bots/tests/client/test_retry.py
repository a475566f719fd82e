"""RetryPolicy: which failures are retried and how long to wait."""

from __future__ import annotations

from email.utils import formatdate

import httpx
import pytest

from medplum_bots.client.retry import RetryPolicy, is_idempotent, parse_retry_after

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("status", "method", "marked", "retried"),
    [
        (429, "POST", False, True),  # the server did no work
        (429, "GET", False, True),
        (503, "GET", False, True),
        (500, "PUT", False, True),
        (502, "PATCH", False, False),  # `add .../-` would append twice
        (502, "PATCH", True, True),
        (504, "DELETE", False, True),
        (500, "POST", False, False),  # could create twice
        (500, "POST", True, True),
        (400, "GET", False, False),
        (404, "GET", False, False),
        (409, "PUT", False, False),
        (401, "GET", False, False),  # handled by a fresh login, not by the policy
    ],
)
def test_which_answers_are_retried(status: int, method: str, marked: bool, retried: bool) -> None:
    assert RetryPolicy().retries_status(status, method, marked) is retried


def test_which_transport_failures_are_retried() -> None:
    policy = RetryPolicy()
    request = httpx.Request("POST", "https://x/")
    never_sent = [httpx.ConnectError("refused", request=request), httpx.PoolTimeout("pool")]
    maybe_sent = [
        httpx.ReadTimeout("slow"),
        httpx.RemoteProtocolError("dropped"),
        httpx.ReadError("reset"),
        httpx.WriteTimeout("slow"),
    ]
    for error in never_sent:
        assert policy.retries_error(error, "POST")
    for error in maybe_sent:
        assert not policy.retries_error(error, "POST"), error
        assert policy.retries_error(error, "POST", idempotent=True), error
        assert policy.retries_error(error, "GET"), error
    assert not policy.retries_error(ValueError("bug"), "GET")
    assert not policy.retries_error(httpx.UnsupportedProtocol("ftp"), "GET")


def test_idempotent_methods() -> None:
    assert [m for m in ("GET", "put", "DELETE", "PATCH", "POST") if is_idempotent(m)] == [
        "GET",
        "put",
        "DELETE",
    ]
    assert is_idempotent("POST", marked=True)


def test_backoff_is_exponential_full_jitter_and_capped() -> None:
    top = RetryPolicy(base_delay=0.5, max_delay=3.0, random=lambda: 1.0)
    assert [top.delay(n) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    bottom = RetryPolicy(base_delay=0.5, random=lambda: 0.0)
    assert bottom.delay(4) == 0.0


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    policy = RetryPolicy(now=lambda: NOW, max_retry_after=30.0, random=lambda: 0.0)
    assert policy.delay(1, "3") == 3.0
    assert policy.delay(1, formatdate(NOW + 12, usegmt=True)) == 12.0
    assert policy.delay(1, formatdate(NOW - 60, usegmt=True)) == 0.0  # already past
    assert policy.delay(1, "86400") == 30.0  # capped
    assert policy.delay(1, "soon") == 0.0  # unreadable: ordinary backoff
    assert parse_retry_after(None, NOW) is None
    assert parse_retry_after(" ", NOW) is None


def test_next_delay_stops_at_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, random=lambda: 1.0, base_delay=1.0)
    assert policy.next_delay(1, "GET", False, status=503) == 1.0
    assert policy.next_delay(2, "GET", False, status=503) == 2.0
    assert policy.next_delay(3, "GET", False, status=503) is None
    assert policy.next_delay(1, "GET", False, status=400) is None
    assert RetryPolicy.never().next_delay(1, "GET", False, status=429) is None


def test_a_policy_without_attempts_is_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts must be at least 1"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="must not be negative"):
        RetryPolicy(base_delay=-1)
