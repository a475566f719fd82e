"""What makes Medplum run a bot on its own, checked before anything is sent.

A Subscription whose criteria Medplum cannot match, or a `cronString` its cron worker does not
accept, deploys without a word and the bot never fires. Both are checked when the config is
read, so `invoke build` in a pull request's CI fails naming the entry.

- Criteria: `ResourceType` or `ResourceType?param=value&...`, with a resource type Medplum's
  server knows and, for each parameter, a search parameter it has for that type (modifiers such
  as `:not` and chains are left to the server; the parameter's own name must exist).
- Cron: Medplum's cron worker keeps a `cronString` only when `isValidCron` of the npm package
  cron-validator accepts it with its default options (`packages/server/src/workers/cron.ts`):
  five fields, digits only (no `MON`/`JAN` names, no seconds, no `?`, weekdays 0-6), `*`,
  ranges `a-b`, steps `/n`, lists `a,b`. Anything else is silently never scheduled. Written
  here rather than taken from croniter, which accepts names, seconds and `7` for Sunday:
  the rule is cron-validator's exact accepted set, and `tests/config/test_triggers.py` runs the
  same strings through cron-validator under Node. Medplum also only runs cron bots in projects
  with the `cron` feature.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from medplum_bots.errors import ConfigError

CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12))
WEEKDAY = ("day of week", 0, 6)
_DIGITS = re.compile(r"\d+")


def check_criteria(criteria: str, where: str) -> None:
    """Raise ConfigError when Medplum could never match `criteria`."""
    from medplum_bots.testing.search_parameters import is_searchable_type, search_parameter

    resource_type, _, query = criteria.partition("?")
    if not is_searchable_type(resource_type):
        raise ConfigError(
            f"{where}: criteria {criteria!r}: {resource_type!r} is not a FHIR resource type "
            "Medplum knows (the bot would never fire)"
        )
    for name, _value in parse_qsl(query, keep_blank_values=True):
        code = name.split(":", 1)[0].split(".", 1)[0]
        if code and search_parameter(resource_type, code) is None:
            raise ConfigError(
                f"{where}: criteria {criteria!r}: {resource_type} has no search parameter "
                f"{code!r} (the bot would never fire)"
            )


def check_cron(cron: str, where: str) -> None:
    """Raise ConfigError when Medplum's cron worker would ignore `cron`."""
    fields = cron.split()
    problem = None
    if len(fields) != 5:
        problem = (
            f"it has {len(fields)} fields, Medplum's cron takes 5 (minute hour day month weekday)"
        )
    else:
        for text, (label, low, high) in zip(fields, (*CRON_FIELDS, WEEKDAY), strict=True):
            if not _valid_field(text, low, high):
                problem = f"its {label} field {text!r} is not digits from {low} to {high}"
                break
    if problem:
        raise ConfigError(
            f"{where}: field 'cronString' {cron!r}: {problem}, so Medplum would never run it "
            "(e.g. '0 9 * * *' is every day at 09:00 UTC; "
            "'*/15 * * * 1-5' every 15 minutes on weekdays)"
        )


def is_valid_cron(cron: str) -> bool:
    """cron-validator's `isValidCron(cron)` with its default options."""
    try:
        check_cron(cron, "")
    except ConfigError:
        return False
    return True


def _valid_field(text: str, low: int, high: int) -> bool:
    if re.search(r"[^\d\-,/*]", text):
        return False
    return all(_valid_condition(part, low, high) for part in text.split(","))


def _valid_condition(condition: str, low: int, high: int) -> bool:
    if condition.endswith("/"):
        return False
    left, slash, step = condition.partition("/")
    if slash and "/" in step:
        return False
    if slash and not (_DIGITS.fullmatch(step) and int(step) > 0):
        return False
    sides = left.split("-")
    if len(sides) == 1:
        return left == "*" or _in_range(left, low, high)
    if len(sides) == 2:
        small, big = sides
        return _in_range(small, low, high) and _in_range(big, low, high) and int(small) <= int(big)
    return False


def _in_range(text: str, low: int, high: int) -> bool:
    return bool(_DIGITS.fullmatch(text)) and low <= int(text) <= high
