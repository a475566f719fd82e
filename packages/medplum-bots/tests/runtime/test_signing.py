"""HMAC request signing: what verifies, what is refused, replays."""

from __future__ import annotations

import pytest

from medplum_bots.runtime.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    ReplayCache,
    ReplayWindowFull,
    SignatureError,
    check_key,
    check_replay,
    sign,
    signature_headers,
    verify,
)
from tests.runtime.bots import KEY

BODY = b'{"input":{"resourceType":"Patient"}}'
NOW = 1_700_000_000


BOT = "hello"


def test_signature_covers_timestamp_bot_and_body() -> None:
    signature = sign(KEY, NOW, BOT, BODY)
    assert len(signature) == 64 and int(signature, 16) >= 0
    assert sign(KEY, NOW, BOT, BODY) == signature
    assert sign(KEY, NOW + 1, BOT, BODY) != signature
    assert sign(KEY, NOW, BOT, BODY + b" ") != signature
    assert sign(KEY, NOW, "other", BODY) != signature
    assert sign(KEY + b"x", NOW, BOT, BODY) != signature


def test_good_signature_verifies_with_any_header_case() -> None:
    headers = signature_headers(KEY, BOT, BODY, now=NOW)
    assert headers[SIGNATURE_HEADER] == f"v2={sign(KEY, NOW, BOT, BODY)}"
    lowered = {name.lower(): value for name, value in headers.items()}
    assert verify(KEY, BOT, lowered, BODY, now=NOW + 299) == (sign(KEY, NOW, BOT, BODY), NOW)


def test_a_signature_for_one_bot_does_not_run_another() -> None:
    headers = signature_headers(KEY, BOT, BODY, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(KEY, "delete_everything", headers, BODY, now=NOW)


def test_one_matching_signature_among_several_is_enough() -> None:
    headers = signature_headers(KEY, BOT, BODY, now=NOW)
    headers[SIGNATURE_HEADER] = "v2=" + "0" * 64 + ", " + headers[SIGNATURE_HEADER]
    verify(KEY, BOT, headers, BODY, now=NOW)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({TIMESTAMP_HEADER: None}, f"missing {TIMESTAMP_HEADER} header"),
        ({SIGNATURE_HEADER: None}, f"missing {SIGNATURE_HEADER} header"),
        ({TIMESTAMP_HEADER: "yesterday"}, "must be whole seconds"),
        ({TIMESTAMP_HEADER: str(NOW - 301)}, "more than 300 seconds away"),
        ({TIMESTAMP_HEADER: str(NOW + 301)}, "more than 300 seconds away"),
        ({SIGNATURE_HEADER: "v2=" + "0" * 64}, "does not match"),
        ({SIGNATURE_HEADER: "v1=" + sign(KEY, NOW, BOT, BODY)}, "does not match"),
        ({SIGNATURE_HEADER: sign(KEY, NOW, BOT, BODY)}, "does not match"),
    ],
)
def test_bad_headers_are_refused(change: dict[str, str | None], message: str) -> None:
    headers: dict[str, str] = dict(signature_headers(KEY, BOT, BODY, now=NOW))
    for name, value in change.items():
        if value is None:
            del headers[name]
        else:
            headers[name] = value
    with pytest.raises(SignatureError, match=message):
        verify(KEY, BOT, headers, BODY, now=NOW)


def test_other_body_or_key_is_refused() -> None:
    headers = signature_headers(KEY, BOT, BODY, now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(KEY, BOT, headers, BODY.replace(b"Patient", b"Practitioner"), now=NOW)
    with pytest.raises(SignatureError, match="does not match"):
        verify(b"another-key-of-enough-length-0123456789", BOT, headers, BODY, now=NOW)


def test_replay_cache_refuses_a_second_use_within_the_window() -> None:
    cache = ReplayCache()
    a, b, c = ("a" * 64, "b" * 64, "c" * 64)
    check_replay(cache, a, NOW, now=NOW)
    check_replay(cache, b, NOW, now=NOW)
    with pytest.raises(SignatureError, match="replayed"):
        check_replay(cache, a, NOW, now=NOW + 300)
    # Once its timestamp can no longer pass `verify` (300 s), the entry is dropped.
    check_replay(cache, c, NOW + 302, now=NOW + 302)
    assert len(cache) == 1


def test_a_full_replay_cache_refuses_instead_of_forgetting() -> None:
    cache = ReplayCache(max_entries=3)
    signatures = [str(n) * 64 for n in range(4)]
    for signature in signatures[:3]:
        check_replay(cache, signature, NOW, now=NOW)
    with pytest.raises(ReplayWindowFull, match="busy"):
        check_replay(cache, signatures[3], NOW, now=NOW + 1)
    # The oldest entry was not evicted: its replay is still refused.
    with pytest.raises(SignatureError, match="replayed"):
        check_replay(cache, signatures[0], NOW, now=NOW + 1)
    # Room again once entries leave the window.
    check_replay(cache, signatures[3], NOW + 310, now=NOW + 310)


def test_entries_leave_in_timestamp_order_even_when_they_arrived_out_of_order() -> None:
    cache = ReplayCache()
    check_replay(cache, "1" * 64, NOW + 100, now=NOW)  # a client clock ahead
    check_replay(cache, "2" * 64, NOW - 100, now=NOW)  # one behind
    check_replay(cache, "3" * 64, NOW + 201, now=NOW + 201)
    assert len(cache) == 2  # the one behind expired; the one ahead is still guarded
    with pytest.raises(SignatureError, match="replayed"):
        check_replay(cache, "1" * 64, NOW + 100, now=NOW + 201)


def test_short_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(SignatureError, match="at least 32 characters") as caught:
        check_key(b"short-key-value")
    assert "short-key-value" not in str(caught.value)
    assert check_key(KEY) == KEY
