"""JavaScript's `new Date(text)` for the ISO 8601 forms FHIR and HL7 conversions use.

@medplum/core's date helpers parse with `new Date(...)`: a date alone is UTC midnight, a
date-time with `Z` or an offset is that instant, and a date-time without one is local time,
which is UTC on Medplum's Lambda runtime (and taken as UTC here). Other text is an invalid
date (None), where JavaScript's legacy parser would guess.
"""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(
    r"^(?P<year>[+-]\d{6}|\d{4})(?:-(?P<month>\d{1,2})(?:-(?P<day>\d{1,2}))?)?"
    r"(?:[Tt ](?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.(?P<fraction>\d+))?)?"
    r"(?P<zone>[Zz]|[+-]\d{2}:?\d{2})?)?$",
)

UTC = dt.UTC
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def parse_js_date(text: str) -> dt.datetime | None:
    """The instant `new Date(text)` gives (aware, UTC), or None for an invalid date."""
    match = _ISO.match(text.strip())
    if not match:
        return None
    parts = match.groupdict()
    year = int(parts["year"])
    month = int(parts["month"] or 1)
    day = int(parts["day"] or 1)
    hour = int(parts["hour"] or 0)
    minute = int(parts["minute"] or 0)
    second = int(parts["second"] or 0)
    millis = int((parts["fraction"] or "0")[:3].ljust(3, "0"))
    if not (1 <= month <= 12 and 1 <= day <= 31 and minute < 60 and second < 60):
        return None
    if hour > 24 or (hour == 24 and (minute or second or millis)):
        return None
    try:
        base = dt.datetime(year, month, day, tzinfo=UTC)
    except ValueError:
        # JavaScript rolls Feb 30 over into March; ISO text with such a day is still a date.
        try:
            base = dt.datetime(year, month, 1, tzinfo=UTC) + dt.timedelta(days=day - 1)
        except (ValueError, OverflowError):
            return None
    instant = base + dt.timedelta(hours=hour, minutes=minute, seconds=second, milliseconds=millis)
    zone = parts["zone"]
    if zone and zone not in "Zz":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        instant -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return instant


def to_iso_string(instant: dt.datetime) -> str:
    """JavaScript's `Date.prototype.toISOString()` (milliseconds, `Z`)."""
    utc = instant.astimezone(UTC)
    year = utc.year
    text_year = f"{year:04d}" if 0 <= year <= 9999 else f"{year:+07d}"
    return f"{text_year}-{utc:%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}Z"
