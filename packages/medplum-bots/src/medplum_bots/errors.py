"""Errors shared by the client, the runtime and the tooling.

`OperationOutcomeError` mirrors `@medplum/core`: it carries the server's OperationOutcome.
`MedplumBotsError` subclasses are the tooling's own failures; their message is always one
line that names what was wrong (file, entry, field, variable), and never holds a secret.
"""

from __future__ import annotations

from typing import Any


def outcome(severity: str, code: str, text: str) -> dict[str, Any]:
    """Build a one-issue OperationOutcome."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "details": {"text": text}}],
    }


def outcome_text(value: Any) -> str:
    """The human text of an OperationOutcome: every issue's details.text or diagnostics."""
    if not isinstance(value, dict):
        return str(value)
    texts: list[str] = []
    for issue in value.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details")
        text = details.get("text") if isinstance(details, dict) else None
        text = text or issue.get("diagnostics") or issue.get("code")
        if text:
            texts.append(str(text))
    return "; ".join(texts) or "unknown error"


class OperationOutcomeError(Exception):
    """A failed FHIR call, or a bot failure, carrying an OperationOutcome."""

    def __init__(self, outcome: dict[str, Any], status: int | None = None) -> None:
        self.outcome = outcome
        self.status = status
        prefix = f"HTTP {status}: " if status is not None else ""
        super().__init__(prefix + outcome_text(outcome).replace("\n", " "))


class NetworkError(OperationOutcomeError):
    """A call that got no answer: the server could not be reached, or it went silent.

    The message names the method and URL (never the query: it may hold patient data), says
    what happened in plain words, and how many attempts took how long.
    """

    def __init__(self, where: str, reason: str, attempts: int, seconds: float) -> None:
        self.where = where
        self.reason = reason
        self.attempts = attempts
        self.seconds = seconds
        tries = f"{attempts} attempts" if attempts != 1 else "1 attempt"
        text = f"{where}: {reason} ({tries} in {seconds:.1f} s)"
        super().__init__(outcome("error", "exception", text))


class MedplumBotsError(Exception):
    """A tooling failure with a one-line, secret-free message."""


class ConfigError(MedplumBotsError):
    """medplum.config.json is missing, malformed or names something unknown."""


class UnknownBotError(ConfigError):
    """No configured bot matches a name or pattern."""


class CredentialsError(MedplumBotsError):
    """A credential an environment needs is missing or rejected."""


class BuildError(MedplumBotsError):
    """A bot could not be bundled (syntax error, missing module, cycle...)."""


class DeployError(MedplumBotsError):
    """A bot could not be deployed."""
