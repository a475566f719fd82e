"""HL7 v2 for bots, with @medplum/core's semantics (`docs/hl7.md`).

    from medplum_bots.hl7 import Hl7Message

A bot run with content type `x-application/hl7-v2+er7` gets an `Hl7Message` as
`event.input` (`input_for`), and may return one: its text is the answer (`str(message)`).
"""

from __future__ import annotations

from typing import Any

from medplum_bots.hl7.dates import format_hl7_datetime, parse_hl7_datetime
from medplum_bots.hl7.message import AckCode, Hl7Context, Hl7Field, Hl7Message, Hl7Segment

HL7_V2 = "x-application/hl7-v2+er7"

__all__ = [
    "HL7_V2",
    "AckCode",
    "Hl7Context",
    "Hl7Field",
    "Hl7Message",
    "Hl7Segment",
    "format_hl7_datetime",
    "input_for",
    "is_hl7_content_type",
    "parse_hl7_datetime",
]


def is_hl7_content_type(content_type: str | None) -> bool:
    """True for `x-application/hl7-v2+er7` (parameters and case ignored)."""
    return (content_type or "").split(";", 1)[0].strip().lower() == HL7_V2


def input_for(content_type: str | None, value: Any) -> Any:
    """What a bot's `event.input` is: an `Hl7Message` for HL7 v2 text, else `value` unchanged
    (as Medplum hands TypeScript bots `Hl7Message.parse(body)`). Text that is not a message
    (no MSH) stays text, so the bot sees exactly what was sent."""
    if isinstance(value, str) and is_hl7_content_type(content_type) and value.startswith("MSH"):
        return Hl7Message.parse(value)
    return value
