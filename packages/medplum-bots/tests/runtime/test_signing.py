"""HMAC request signing: what verifies, what is refused, replays."""

from __future__ import annotations

import pytest

from medplum_bots.runtime.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ReplayCache,
    SignatureError,
    check_key,
    sign,
    signature_headers,
    verify,
)
from tests.runtime.bots import KEY

BODY = b'{"input":{"resourceType":"Patient"}}'
NOW = 1_700_000_000


def test_signature_covers_timestamp_and_body() -> None:
    signature = sign(KEY, NOW, BODY)
    assert len(signature) == 64 and int(signature, 16) >= 0
    assert sign(KEY, NOW, BODY) == signature
    assert sign(KEY, NOW + 1, BODY) != signature
    assert sign(KEY, NOW, BODY + b" ") != signature
    assert sign(KEY + b"x", NOW, BODY) != signature


def test_good_signature_verifies_with_any_header_case() -> None:
    headers = signature_headers(KEY, BODY, now=NOW)
    assert headers[SIGNATURE_HEADER] == f"v1={sign(KEY, NOW, BODY)}"
    lowered = {name.lower(): value for name, value in headers.items()}
    assert verify(KEY, lowered, BODY, now=NOW + 299) == sign(KEY, NOW, BODY)


def test_one_matching_signature_among_several_is_enough() -> None:
    headers = signature_headers(KEY, BODY, now=NOW)
    headers[SIGNATURE_HEADER] = "v1=" + "0" * 64 + ", " + headers[SIGNATURE_HEADER]
    verify(KEY, headers, BODY, now=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({TIMESTAMP_HEADER: None}, f"missing {TIMESTAMP_HEADER} header"),
        ({SIGNATURE_HEADER: None}, f"missing {SIGNATURE_HEADER} header"),
        ({TIMESTAMP_HEADER: "yesterday"}, "must be whole seconds"),
        ({TIMESTAMP_HEADER: str(NOW - 301)}, "more than 300 seconds away"),
        ({TIMESTAMP_HEADER: str(NOW + 301)}, "more than 300 seconds away"),
        ({SIGNATURE_HEADER: "v1=" + "0" * 64}, "does not match"),
        ({SIGNATURE_HEADER: "v2=" + sign(KEY, NOW, BODY)}, "does not match"),
        ({SIGNATURE_HEADER: sign(KEY, NOW, BODY)}, "does not match"),
    ],
)
def test_bad_headers_are_refused(change: dict[str, str | None], message: str) -> None:
    headers: dict[str, str] = dict(signature_headers(KEY, BODY, now=NOW))
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    with pytest.raises(SignatureError, match=message):
        verify(KEY, headers, BODY, now=NOW)


def test_other_body_or_key_is_refused() -> None:
    headers = signature_headers(KEY, BODY, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(KEY, headers, BODY.replace(b"Patient", b"Practitioner"), now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(b"another-key-of-enough-length-0123456789", headers, BODY, now=NOW)


def test_replay_cache_refuses_a_second_use_within_the_window() -> None:
    cache = ReplayCache(max_age=300)
    cache.check_and_add("a", now=NOW)
    cache.check_and_add("b", now=NOW)
    with pytest.raises(SignatureError, match="replayed"):
        cache.check_and_add("a", now=NOW + 10)
    # Once past the window (which `verify` enforces anyway) the entry is dropped.
    cache.check_and_add("c", now=NOW + 601)
    assert len(cache) == 1


def test_replay_cache_is_bounded() -> None:
    cache = ReplayCache(max_entries=3)
    for name in "abcde":
        cache.check_and_add(name, now=NOW)
    assert len(cache) == 3
    with pytest.raises(SignatureError):
        cache.check_and_add("e", now=NOW)


def test_short_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(SignatureError, match="at least 32 characters") as caught:
        check_key(b"short-key-value")
    assert "short-key-value" not in str(caught.value)
    assert check_key(KEY) == KEY
