"""HL7 v2 date/times to and from ISO 8601, as @medplum/core's `parseHl7DateTime` and
`formatHl7DateTime` compute them (JavaScript `Date` arithmetic included, quirks and all:
fields roll over, a `-` anywhere is read as a time zone offset, 4 fraction digits are
milliseconds)."""

from __future__ import annotations

import datetime as dt
import math
import re

from medplum_bots.hl7.jsdate import UTC, parse_js_date

_MS_PER_DAY = 86_400_000
_MAX_MS = 8.64e15  # JavaScript's Date range
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


def _parse_int(text: str) -> float:
    """JavaScript's `parseInt(text, 10)`: NaN (here `math.nan`) when no digits lead."""
    match = _LEADING_INT.match(text)
    return float(int(match.group(1))) if match else math.nan


def _int_or(text: str, default: int) -> float:
    value = _parse_int(text)
    return default if math.isnan(value) else value


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (any year)."""
    year -= month <= 2
    era = (year if year >= 0 else year - 399) // 400
    yoe = year - era * 400
    doy = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(days: int) -> tuple[int, int, int]:
    days += 719468
    era = (days if days >= 0 else days - 146096) // 146097
    doe = days - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (month <= 2), month, day


def _date_utc(
    year: float, month: float, day: float, h: float, m: float, s: float, ms: float
) -> float:
    """JavaScript's `Date.UTC` (months from 0; years 0-99 are 1900-1999; overflow rolls)."""
    if 0 <= year <= 99:
        year += 1900
    full_year = int(year) + int(month) // 12
    days = _days_from_civil(full_year, int(month) % 12 + 1, 1) + int(day) - 1
    return days * _MS_PER_DAY + ((int(h) * 60 + int(m)) * 60 + int(s)) * 1000 + int(ms)


def _iso_from_ms(ms: float) -> str:
    """JavaScript's `toISOString()`; ValueError where it throws RangeError."""
    if math.isnan(ms) or abs(ms) > _MAX_MS:
        raise ValueError("Invalid time value")
    total = int(ms)
    days, rest = divmod(total, _MS_PER_DAY)
    year, month, day = _civil_from_days(days)
    seconds, millis = divmod(rest, 1000)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text_year = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"
    return (
        f"{text_year}-{month:02d}-{day:02d}T{hours:02d}:{minutes:02d}:{seconds:02d}.{millis:03d}Z"
    )


def _zone_offset_ms(text: str, default: str | None) -> float:
    offset = default
    plus = text.find("+")
    if plus != -1:
        offset = text[plus:]
    minus = text.find("-")
    if minus != -1:
        offset = text[minus:]
    if not offset:
        return 0
    sign = -1 if offset.startswith("-") else 1
    digits = offset[1:].replace(":", "", 1)
    hour, minute = _parse_int(digits[0:2]), _parse_int(digits[2:4])
    return sign * (hour * 3_600_000 + minute * 60_000)


def parse_hl7_datetime(value: str | None, *, tz_offset: str | None = None) -> str | None:
    """`YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ]` as ISO 8601 UTC text
    (`2024-01-02T03:04:05.000Z`); None for None or "". `tz_offset` (`"-0500"`) applies when
    the value has none. ValueError where core throws (an unreadable offset)."""
    if not value:
        return None
    year = _int_or(value[0:4], 0)
    month = _int_or(value[4:6], 1) - 1
    day = _int_or(value[6:8], 1)
    hour = _int_or(value[8:10], 0)
    minute = _int_or(value[10:12], 0)
    second = _int_or(value[12:14], 0)
    millis = _int_or(value[15:19], 0) if "." in value else 0
    ms = _date_utc(year, month, day, hour, minute, second, millis)
    offset = _zone_offset_ms(value, tz_offset)
    if offset != 0:
        ms = ms - offset  # NaN stays NaN: an invalid date, as in JavaScript
    return _iso_from_ms(ms)


def format_hl7_datetime(value: dt.datetime | str) -> str:
    """An instant as HL7 `YYYYMMDDHHMMSS[.mmm]` in UTC (milliseconds without padding, as
    core writes them). Text is read as JavaScript's `new Date` reads ISO 8601; a naive
    datetime is taken as UTC. ValueError for an invalid date."""
    if isinstance(value, str):
        parsed = parse_js_date(value)
        if parsed is None:
            raise ValueError(f"Invalid time value: {value!r}")
        instant = parsed
    else:
        instant = value if value.tzinfo else value.replace(tzinfo=UTC)
    utc = instant.astimezone(UTC)
    text = f"{utc.year:04d}{utc:%m%d%H%M%S}"
    millis = utc.microsecond // 1000
    return f"{text}.{millis}" if millis > 0 else text
