"""Secrets out of printed text: the one rule the client, the deployer and the runtime share.

Every value known to be secret (client secrets, access tokens, deploy keys) is replaced by
`MASK` wherever it appears in an error, a log line or a report. Messages are built without
secrets in the first place; this is the second line of defence for what a server or a bot
echoes back.

Decisions: the mask is `***` (short, and plainly not a value). Values shorter than
`MIN_SECRET_LENGTH` (8) are not replaced: test tokens like `t` or ids like `abc` would mangle
unrelated text, and real secrets are far longer (Medplum's client secrets are 64 hex digits,
its access tokens JWTs). Longer secrets are replaced first, so one that contains another is
hidden whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MASK = "***"
MIN_SECRET_LENGTH = 8


def _worth_hiding(secrets: Iterable[str | None]) -> list[str]:
    kept = {s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH}
    return sorted(kept, key=len, reverse=True)


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret replaced by MASK."""
    for secret in _worth_hiding(secrets):
        text = text.replace(secret, MASK)
    return text


def redact_json(value: Any, secrets: Iterable[str | None]) -> Any:
    """A copy of a JSON value (an OperationOutcome) with secrets replaced in every string."""
    hidden = _worth_hiding(secrets)
    if isinstance(value, str):
        return redact(value, hidden)
    if isinstance(value, dict):
        return {k: redact_json(v, hidden) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_json(v, hidden) for v in value]
    return value


class Redactor:
    """`redact` with a set of secrets that grows as a run learns them (tokens after login)."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._secrets: set[str] = set()
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Remember one more value to hide (too short ones are ignored, see the module doc)."""
        if secret:
            self._secrets.add(secret)

    def __call__(self, text: str) -> str:
        return redact(text, self._secrets)
