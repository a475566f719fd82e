"""HMAC request signing: what verifies, what is refused, replays."""

from __future__ import annotations

import pytest

from medplum_bots.runtime.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    check_key,
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


GOOD = sign(KEY, NOW, BOT, BODY)


@pytest.mark.parametrize(
    "spelling",
    [
        "v2=" + GOOD.upper(),  # the same MAC in capitals
        "v2= " + GOOD,
        "v2=" + GOOD + " ",
        "V2=" + GOOD,
        "v2=" + GOOD + ",v2=" + "0" * 64,  # a list
        "v2=" + "0" * 64 + ", v2=" + GOOD,
        "v2=" + GOOD + "00",
        "v2=" + GOOD[:-1],
        "v2=" + GOOD.replace("a", "\uff41"),  # full-width letters
    ],
)
def test_a_signature_has_one_spelling(spelling: str) -> None:
    # Each spelling of one signature used to be its own request (and its own cache entry).
    headers = {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: spelling}
    with pytest.raises(SignatureError, match="must be exactly v2=<64 lowercase hex digits>"):
        verify(KEY, BOT, headers, BODY, now=NOW)


@pytest.mark.parametrize("spelling", [f"0{NOW}", f" {NOW}", f"{NOW}.0", "+1", "\u0661", "1" * 13])
def test_a_timestamp_has_one_spelling(spelling: str) -> None:
    headers = {TIMESTAMP_HEADER: spelling, SIGNATURE_HEADER: "v2=" + GOOD}
    with pytest.raises(SignatureError, match="must be whole seconds since 1970"):
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
        ({SIGNATURE_HEADER: "v1=" + sign(KEY, NOW, BOT, BODY)}, "must be exactly v2="),
        ({SIGNATURE_HEADER: sign(KEY, NOW, BOT, BODY)}, "must be exactly v2="),
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


def test_short_keys_are_refused_without_echoing_them() -> None:
    with pytest.raises(SignatureError, match="at least 32 characters") as caught:
        check_key(b"short-key-value")
    assert "short-key-value" not in str(caught.value)
    assert check_key(KEY) == KEY
