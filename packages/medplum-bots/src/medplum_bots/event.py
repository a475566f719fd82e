"""What a bot's handler receives: `BotEvent`, the Python shape of Medplum's BotEvent."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

SETTING_VALUE_KEYS = ("valueString", "valueBoolean", "valueDecimal", "valueInteger")


class Headers(Mapping[str, str]):
    """Read-only HTTP headers with case-insensitive lookup (`X-Medplum-Deleted-Resource`)."""

    def __init__(self, values: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, tuple[str, str]] = {}
        for key, value in (values or {}).items():
            text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
            self._values[key.lower()] = (key, text)

    def __getitem__(self, key: str) -> str:
        return self._values[key.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (original for original, _ in self._values.values())

    def __len__(self) -> int:
        return len(self._values)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"


if TYPE_CHECKING:
    # A default (PEP 696) keeps an unparameterised `BotEvent` valid under --strict, with
    # `input: Any`; typing_extensions is only read by the type checker, never imported.
    from typing_extensions import TypeVar as DefaultTypeVar

    InputT = DefaultTypeVar("InputT", default=Any)
else:
    InputT = TypeVar("InputT")


@dataclass(frozen=True)
class BotEvent(Generic[InputT]):
    """One execution of a bot; `BotEvent[Patient]` types its `input` (no run-time check).

    `input` is the parsed body for JSON content types, an `Hl7Message` for HL7 v2
    (`x-application/hl7-v2+er7`, as Medplum hands TypeScript bots; a test builds one with
    `medplum_bots.hl7.input_for(content_type, text)`), and the raw text otherwise.
    `secrets` maps a name to the Project's setting, e.g.
    `{"API_KEY": {"name": "API_KEY", "valueString": "..."}}`; `secret()` reads its value.
    """

    bot: Mapping[str, Any]
    input: InputT
    content_type: str = "application/json"
    secrets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    trace_id: str | None = None
    headers: Headers = field(default_factory=Headers)
    requester: Mapping[str, Any] | None = None

    def secret(self, name: str) -> str | bool | int | float | None:
        """The value of the Project secret `name`, or None when it is not set."""
        setting = self.secrets.get(name)
        if not setting:
            return None
        for key in SETTING_VALUE_KEYS:
            if key in setting:
                value: str | bool | int | float = setting[key]
                return value
        return None
