"""HL7 v2 messages with @medplum/core's semantics: `Hl7Message`, `Hl7Segment`, `Hl7Field`,
`Hl7Context`.

Indexing is core's: segments from 0 (`message.get_segment(0)` is MSH); fields from 1 as in
`PID.5`, field 0 being the segment name, and in MSH field 1 is the field separator and
field 2 the encoding characters (so `MSH.9` is `get_field(9)`); components from 1 (`PID.5.1`);
repetitions and subcomponents from 0. Escape sequences (`\\F\\`, `\\S\\`, ...) are kept as
they are, as core keeps them: `str(message)` gives back the parsed text. Where core answers
`undefined` these answer None; where core throws (a repetition that does not exist) they raise.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Final, Literal

from medplum_bots.hl7.dates import format_hl7_datetime

AckCode = Literal["AA", "AE", "AR", "CA", "CE", "CR"]

_ACK_TEXT: Final[dict[str, str]] = {
    "AA": "OK",
    "AE": "Application Error",
    "AR": "Application Reject",
    "CA": "Commit Accept",
    "CE": "Commit Error",
    "CR": "Commit Reject",
}
_SEGMENT_BREAK = re.compile(r"[\r\n]+")


def _split(text: str, separator: str) -> list[str]:
    """JavaScript's `text.split(separator)`: an empty separator splits into characters."""
    if separator == "":
        return list(text)
    return text.split(separator)


def _at(items: Sequence[str], index: int) -> str:
    """`items[index] ?? ''` in JavaScript: "" for any index outside the list."""
    return items[index] if 0 <= index < len(items) else ""


class Hl7Context:
    """The separators of a message (MSH-1 and MSH-2); the defaults are HL7's `|^~\\&`."""

    __slots__ = (
        "component_separator",
        "escape_character",
        "field_separator",
        "repetition_separator",
        "segment_separator",
        "subcomponent_separator",
    )

    def __init__(
        self,
        segment_separator: str = "\r",
        field_separator: str = "|",
        component_separator: str = "^",
        repetition_separator: str = "~",
        escape_character: str = "\\",
        subcomponent_separator: str = "&",
    ) -> None:
        self.segment_separator = segment_separator
        self.field_separator = field_separator
        self.component_separator = component_separator
        self.repetition_separator = repetition_separator
        self.escape_character = escape_character
        self.subcomponent_separator = subcomponent_separator

    def get_msh1(self) -> str:
        """MSH-1: the field separator."""
        return self.field_separator

    def get_msh2(self) -> str:
        """MSH-2: the component, repetition, escape and subcomponent characters."""
        return (
            self.component_separator
            + self.repetition_separator
            + self.escape_character
            + self.subcomponent_separator
        )

    def __repr__(self) -> str:
        return f"Hl7Context({self.get_msh1() + self.get_msh2()!r})"


class Hl7Field:
    """One field: its repetitions, each a list of components (`components[rep][comp - 1]`)."""

    __slots__ = ("components", "context")

    def __init__(self, components: list[list[str]], context: Hl7Context | None = None) -> None:
        self.context = context or Hl7Context()
        self.components = components

    def get_component(
        self, component: int, subcomponent: int | None = None, repetition: int = 0
    ) -> str:
        """Component `component` (from 1) of repetition `repetition` (from 0), or its
        subcomponent `subcomponent` (from 0); "" when absent. IndexError for a repetition
        the field does not have (core throws a TypeError there)."""
        if not 0 <= repetition < len(self.components):
            raise IndexError(f"HL7 field has no repetition {repetition}")
        value = _at(self.components[repetition], component - 1)
        if subcomponent is not None:
            value = _at(_split(value, self.context.subcomponent_separator), subcomponent)
        return value

    def set_component(
        self, component: int, value: str, subcomponent: int | None = None, repetition: int = 0
    ) -> bool:
        """Set a component (or subcomponent), adding repetitions and components as needed;
        False for a component below 1 or a negative subcomponent."""
        if component < 1:
            return False
        if repetition < 0:
            raise IndexError(f"HL7 field has no repetition {repetition}")
        while len(self.components) <= repetition:
            self.components.append([""])
        parts = self.components[repetition]
        if subcomponent is not None:
            if subcomponent < 0:
                return False
            current = parts[component - 1] if component - 1 < len(parts) else ""
            subs = _split(current or "", self.context.subcomponent_separator)
            while len(subs) <= subcomponent:
                subs.append("")
            subs[subcomponent] = value
            value = self.context.subcomponent_separator.join(subs)
        _assign(parts, component - 1, value)
        return True

    def to_string(self) -> str:
        """The field's text: components joined by `^`, repetitions by `~`."""
        return self.context.repetition_separator.join(
            self.context.component_separator.join(r) for r in self.components
        )

    __str__ = to_string

    def __repr__(self) -> str:
        return f"Hl7Field({self.to_string()!r})"

    @staticmethod
    def parse(text: str, context: Hl7Context | None = None) -> Hl7Field:
        """Split a field's text into repetitions and components."""
        context = context or Hl7Context()
        return Hl7Field(
            [
                _split(r, context.component_separator)
                for r in _split(text, context.repetition_separator)
            ],
            context,
        )


def _assign(items: list[str], index: int, value: str) -> None:
    """JavaScript's `array[index] = value`: a gap left by a far index reads as ""."""
    while len(items) <= index:
        items.append("")
    items[index] = value


class Hl7Segment:
    """One segment: its fields, field 0 being the segment name (`PID`)."""

    __slots__ = ("context", "fields", "name")

    def __init__(
        self, fields: Sequence[Hl7Field] | Sequence[str], context: Hl7Context | None = None
    ) -> None:
        self.context = context or Hl7Context()
        if all(isinstance(f, str) for f in fields):
            self.fields = [Hl7Field.parse(f, self.context) for f in fields]  # type: ignore[arg-type]
        elif all(isinstance(f, Hl7Field) for f in fields):
            self.fields = list(fields)  # type: ignore[arg-type]
        else:
            raise TypeError("Hl7Segment takes a list of strings or a list of Hl7Field")
        if not self.fields:
            raise ValueError("Hl7Segment needs at least its name field")
        first = self.fields[0].components
        self.name: str = first[0][0] if first and first[0] else ""

    def get_field(self, index: int) -> Hl7Field | None:
        """Field `index` (from 1, as in `PID.5`; 0 is the name). In MSH, field 1 is the field
        separator, field 2 the encoding characters and `MSH.n` is `get_field(n)`."""
        if self.name == "MSH":
            if index == 1:
                return Hl7Field([[self.context.get_msh1()]], self.context)
            if index == 2:
                return Hl7Field([[self.context.get_msh2()]], self.context)
            if index > 2:
                index -= 1
        return self.fields[index] if 0 <= index < len(self.fields) else None

    def get_component(
        self,
        field_index: int,
        component: int,
        subcomponent: int | None = None,
        repetition: int = 0,
    ) -> str:
        """`get_field(field_index).get_component(...)`, "" when the field is absent."""
        found = self.get_field(field_index)
        return found.get_component(component, subcomponent, repetition) if found else ""

    def set_field(self, index: int, field: Hl7Field | str) -> bool:
        """Set field `index` (from 1; MSH-1 and MSH-2 cannot be set), adding empty fields."""
        if self.name == "MSH":
            if index in (1, 2):
                return False
            if index > 2:
                index -= 1
        if index < 0:
            # JavaScript would set a property no method reads; refusing says so.
            return False
        while len(self.fields) <= index:
            self.fields.append(Hl7Field([[""]], self.context))
        self.fields[index] = (
            Hl7Field.parse(field, self.context) if isinstance(field, str) else field
        )
        return True

    def set_component(
        self,
        field_index: int,
        component: int,
        value: str,
        subcomponent: int | None = None,
        repetition: int = 0,
    ) -> bool:
        """`get_field(field_index).set_component(...)`; False when the field is absent."""
        found = self.get_field(field_index)
        if found is None:
            return False
        return found.set_component(component, value, subcomponent, repetition)

    def to_string(self) -> str:
        """The segment's text, fields joined by the field separator."""
        return self.context.field_separator.join(f.to_string() for f in self.fields)

    __str__ = to_string

    def __repr__(self) -> str:
        return f"Hl7Segment({self.to_string()!r})"

    @staticmethod
    def parse(text: str, context: Hl7Context | None = None) -> Hl7Segment:
        """Split a segment's text into fields."""
        context = context or Hl7Context()
        return Hl7Segment(
            [Hl7Field.parse(f, context) for f in _split(text, context.field_separator)], context
        )


class Hl7Message:
    """One message: its segments, the first being the header (MSH)."""

    __slots__ = ("context", "segments")

    def __init__(self, segments: list[Hl7Segment], context: Hl7Context | None = None) -> None:
        self.context = context or Hl7Context()
        self.segments = segments

    @property
    def header(self) -> Hl7Segment:
        """The first segment (MSH)."""
        return self.segments[0]

    def get_segment(self, index: int | str) -> Hl7Segment | None:
        """The segment at `index` (from 0), or the first segment named `index`; None if none."""
        if isinstance(index, int):
            return self.segments[index] if 0 <= index < len(self.segments) else None
        return next((s for s in self.segments if s.name == index), None)

    def get_all_segments(self, name: str) -> list[Hl7Segment]:
        """Every segment named `name`, in order."""
        return [s for s in self.segments if s.name == name]

    def set_segment(self, index: int | str, segment: Hl7Segment) -> bool:
        """Replace the segment at `index` (appending past the end) or the first one named
        `index`; MSH only as the first segment, and the first segment only by an MSH."""
        if isinstance(index, int):
            if (segment.name == "MSH") != (index == 0):
                return False
            if index < 0:
                return False
            if index >= len(self.segments):
                self.segments.append(segment)
            else:
                self.segments[index] = segment
            return True
        position = next((i for i, s in enumerate(self.segments) if s.name == index), -1)
        if (segment.name == "MSH" and position != 0) or (position == 0 and segment.name != "MSH"):
            return False
        if position == -1:
            return False
        self.segments[position] = segment
        return True

    def to_string(self) -> str:
        """The message's text, segments joined by carriage returns."""
        return self.context.segment_separator.join(s.to_string() for s in self.segments)

    __str__ = to_string

    def __repr__(self) -> str:
        return f"Hl7Message({self.to_string()!r})"

    def build_ack(
        self,
        ack_code: AckCode = "AA",
        err_segment: Hl7Segment | None = None,
        *,
        now: dt.datetime | None = None,
    ) -> Hl7Message:
        """The ACK for this message: MSH with sender and receiver swapped, time `now`
        (default: the current time) as MSH-7 and its milliseconds as control id, the
        message type mirroring the original's trigger event, then `MSA|code|control id|text`
        and `err_segment` when given."""
        now = now or dt.datetime.now(dt.UTC)
        if now.tzinfo is None:
            now = now.replace(tzinfo=dt.UTC)
        msh = self.get_segment("MSH")

        def text(index: int, default: str = "") -> str:
            found = msh.get_field(index) if msh else None
            return found.to_string() if found is not None else default

        millis = (now - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)
        header = Hl7Segment(
            [
                "MSH",
                self.context.get_msh2(),
                text(5),
                text(6),
                text(3),
                text(4),
                format_hl7_datetime(now),
                "",
                self._ack_message_type(msh),
                str(millis),
                "P",
                text(12, "2.5.1"),
            ],
            self.context,
        )
        ack = Hl7Segment(["MSA", ack_code, text(10), _ACK_TEXT[ack_code]], self.context)
        return Hl7Message([header, ack, *([err_segment] if err_segment else [])])

    @staticmethod
    def _ack_message_type(msh: Hl7Segment | None) -> str:
        # Mirror the original: ACK, ACK^<trigger>, or ACK^<trigger>^ACK (HL7 2.3.1+).
        message_type = msh.get_field(9) if msh else None
        trigger = message_type.get_component(2) if message_type else ""
        structure = message_type.get_component(3) if message_type else ""
        if trigger and structure:
            return f"ACK^{trigger}^ACK"
        return f"ACK^{trigger}" if trigger else "ACK"

    @staticmethod
    def parse(text: str) -> Hl7Message:
        """Parse a message; its separators are read from MSH. Segments may end with `\\r`,
        `\\n` or both. ValueError("Invalid HL7 message") when it does not start with MSH."""
        if not text.startswith("MSH"):
            raise ValueError("Invalid HL7 message")
        context = Hl7Context("\r", *(text[i : i + 1] for i in range(3, 8)))
        return Hl7Message(
            [Hl7Segment.parse(line, context) for line in _SEGMENT_BREAK.split(text)], context
        )
