"""Command-line values checked by the package, so a bad one is one line, not a traceback.

invoke converts an option to the type of its default itself and lets a `ValueError` escape
with its traceback (`--jobs abc`); the tasks therefore take such options as text and call
these functions, whose errors are `ArgumentError` lines naming the option.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

from medplum_bots.errors import MedplumBotsError

HTTP_TIMEOUT_VARIABLE = "MEDPLUM_BOTS_HTTP_TIMEOUT"
# Seconds one request to Medplum may take, retries and their waits included.
DEFAULT_HTTP_TIMEOUT = 30.0


class ArgumentError(MedplumBotsError):
    """An option's value cannot be used."""


def whole_number(option: str, text: str | int, minimum: int = 1, maximum: int | None = None) -> int:
    """`text` as an int from `minimum` to `maximum`, or ArgumentError naming `option`."""
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ArgumentError(f"{option} must be a whole number, got {str(text)!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        upper = f" and at most {maximum}" if maximum is not None else ""
        raise ArgumentError(f"{option} must be at least {minimum}{upper}, got {value}")
    return value


def seconds(option: str, text: str | float) -> float:
    """`text` as a positive, finite number of seconds, or ArgumentError naming `option`."""
    try:
        value = float(str(text).strip())
    except ValueError:
        raise ArgumentError(f"{option} must be a number of seconds, got {str(text)!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise ArgumentError(f"{option} must be more than 0 seconds, got {str(text)!r}")
    return value


def http_timeout(option_value: str = "", environ: Mapping[str, str] | None = None) -> float:
    """The request budget: `--timeout`, else MEDPLUM_BOTS_HTTP_TIMEOUT, else 30 s."""
    if str(option_value).strip():
        return seconds("--timeout", option_value)
    env = os.environ if environ is None else environ
    value = env.get(HTTP_TIMEOUT_VARIABLE, "").strip()
    return seconds(HTTP_TIMEOUT_VARIABLE, value) if value else DEFAULT_HTTP_TIMEOUT
