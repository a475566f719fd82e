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


def issue_text(issue: Any) -> str:
    """One issue as @medplum/core's `operationOutcomeIssueToString` writes it.

    `details.text` (with ` (diagnostics)` when both exist), else the diagnostics, then
    ` (expression, ...)` naming the element paths: "Missing required property
    (DiagnosticReport.code)".
    """
    if not isinstance(issue, dict):
        return "Unknown error"
    details = issue.get("details")
    text = details.get("text") if isinstance(details, dict) else None
    diagnostics = issue.get("diagnostics")
    if text:
        result = f"{text} ({diagnostics})" if diagnostics else str(text)
    else:
        result = str(diagnostics) if diagnostics else "Unknown error"
    expression = issue.get("expression")
    if isinstance(expression, list) and expression:
        result += f" ({', '.join(str(e) for e in expression)})"
    return result


def outcome_text(value: Any) -> str:
    """An OperationOutcome as @medplum/core's `operationOutcomeToString` writes it: every
    issue's text (see `issue_text`) joined by `; `, or "Unknown error" when it has none."""
    if not isinstance(value, dict):
        return str(value)
    issues = value.get("issue")
    texts = [issue_text(i) for i in issues] if isinstance(issues, list) else []
    return "; ".join(texts) or "Unknown error"


class OperationOutcomeError(Exception):
    """A failed FHIR call, or a bot failure, carrying an OperationOutcome.

    The message is @medplum/core's (`outcome_text`), after `HTTP <status>: ` when the error
    is a server's answer.
    """

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
