"""Human-readable text for FHIR values: names, addresses, codes, dates and ages
(@medplum/core's format.ts and `calculateAge`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, NamedTuple

from medplum_bots.hl7.jsdate import UTC, parse_js_date

Json = Mapping[str, Any]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def format_human_name(
    name: Json | None,
    *,
    prefix: bool = True,
    suffix: bool = True,
    use: bool = False,
    all: bool = False,
) -> str:
    """`"Dr. Alice Smith MD"`: prefixes, given names, family, suffixes (`use`/`all` add `[use]`);
    the name's `text` when it has none of those."""
    if not name:
        return ""
    builder: list[str] = []
    if name.get("prefix") and prefix:
        builder.extend(name["prefix"])
    if name.get("given"):
        builder.extend(name["given"])
    if name.get("family"):
        builder.append(name["family"])
    if name.get("suffix") and suffix:
        builder.extend(name["suffix"])
    if name.get("use") and (all or use):
        builder.append(f"[{name['use']}]")
    if not builder:
        text = _text(name.get("text"))
        if text:
            return text
    return " ".join(str(part) for part in builder).strip()


def format_given_name(name: Json) -> str:
    """The given names, space separated."""
    return " ".join(name.get("given") or []).strip()


def format_family_name(name: Json) -> str:
    """The family name, or "" when it is not text."""
    return _text(name.get("family")) or ""


def format_address(
    address: Json | None,
    *,
    line_separator: str = ", ",
    use: bool = False,
    all: bool = False,
) -> str:
    """`"742 Evergreen Terrace, Springfield, IL, 12345"`: lines, then city, state, postal code."""
    if not address:
        return ""
    builder: list[str] = []
    if address.get("line"):
        builder.extend(address["line"])
    city_state_zip = [address[k] for k in ("city", "state", "postalCode") if address.get(k)]
    if city_state_zip:
        builder.append(", ".join(city_state_zip))
    if address.get("use") and (all or use):
        builder.append(f"[{address['use']}]")
    return line_separator.join(builder).strip()


def format_coding(coding: Json | None, include_code: bool = False) -> str:
    """The coding's display (with ` (code)` when asked), else its code, else ""."""
    coding = coding or {}
    display = _text(coding.get("display"))
    if display:
        code = _text(coding.get("code")) if include_code else None
        return f"{display} ({code})" if code else display
    return _text(coding.get("code")) or ""


def format_codeable_concept(concept: Json | None) -> str:
    """The concept's text, else its codings' displays (or codes) joined by `, `."""
    if not concept:
        return ""
    text = _text(concept.get("text"))
    if text:
        return text
    if concept.get("coding"):
        return ", ".join(format_coding(c) for c in concept["coding"])
    return ""


def format_date(
    date: str | None, locales: str | None = None, options: Mapping[str, Any] | None = None
) -> str:
    """A FHIR date as `M/D/YYYY` (the en-US form Medplum's runtime renders); "" when missing
    or invalid. Other locales and `Intl` options are refused (ValueError): Python has no
    `Intl`, and a guessed format would be wrong text in a document."""
    if locales not in (None, "en-US") or options:
        raise ValueError(
            "format_date supports only the en-US default format "
            f"(locales={locales!r}, options={dict(options or {})!r} given)"
        )
    if not date:
        return ""
    instant = parse_js_date(date)
    if instant is None:
        return ""
    return f"{instant.month}/{instant.day}/{instant.year}"


class Age(NamedTuple):
    """Whole years, months and days between two dates (`calculate_age`)."""

    years: int
    months: int
    days: int


def _day(text: str, what: str) -> dt.datetime:
    instant = parse_js_date(text)
    if instant is None:
        # JavaScript would answer NaN for every part; a bot is better told which input.
        raise ValueError(f"{what} {text!r} is not an ISO 8601 date")
    return instant.replace(hour=0, minute=0, second=0, microsecond=0)


def calculate_age(birth_date: str, end_date: str | None = None) -> Age:
    """Age from `birth_date` (YYYY-MM-DD) to `end_date` (default: today, UTC)."""
    start = _day(birth_date, "birth date")
    end = _day(end_date, "end date") if end_date else dt.datetime.now(UTC)
    end = end.replace(hour=0, minute=0, second=0, microsecond=0)
    years = end.year - start.year
    if end.month < start.month or (end.month == start.month and end.day < start.day):
        years -= 1
    months = end.year * 12 + end.month - (start.year * 12 + start.month)
    if end.day < start.day:
        months -= 1
    days = (end - start).days
    return Age(years, months, days)


def calculate_age_string(birth_date: str, end_date: str | None = None) -> str:
    """`"042Y"`, `"011M"` or `"020D"`: years from 2, months from 1, days below (HL7 style)."""
    age = calculate_age(birth_date, end_date)
    if age.years >= 2:
        return str(age.years).rjust(3, "0") + "Y"
    if age.months >= 1:
        return str(age.months).rjust(3, "0") + "M"
    return str(age.days).rjust(3, "0") + "D"
