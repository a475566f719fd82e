"""Option values checked by the package: one line naming the option, never a traceback."""

from __future__ import annotations

import pytest

from medplum_bots.arguments import ArgumentError, http_timeout, whole_number


def test_whole_numbers_are_checked_with_the_option_named() -> None:
    assert whole_number("--jobs", "4") == 4
    with pytest.raises(ArgumentError, match=r"^--jobs must be a whole number, got 'abc'$"):
        whole_number("--jobs", "abc")
    with pytest.raises(ArgumentError, match=r"^--jobs must be at least 1, got 0$"):
        whole_number("--jobs", "0")


def test_the_http_timeout_comes_from_the_option_then_the_environment() -> None:
    assert http_timeout("", {}) == 30.0
    assert http_timeout("", {"MEDPLUM_BOTS_HTTP_TIMEOUT": "5"}) == 5.0
    assert http_timeout("2.5", {"MEDPLUM_BOTS_HTTP_TIMEOUT": "5"}) == 2.5
    with pytest.raises(ArgumentError, match=r"^MEDPLUM_BOTS_HTTP_TIMEOUT must be a number"):
        http_timeout("", {"MEDPLUM_BOTS_HTTP_TIMEOUT": "soon"})
    with pytest.raises(ArgumentError, match=r"^--timeout must be more than 0 seconds"):
        http_timeout("0")
