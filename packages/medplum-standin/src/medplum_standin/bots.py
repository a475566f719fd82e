"""Bot execution in the stand-in: the payload Medplum builds, the runtimes, the AuditEvent.

Mirrors Medplum's server (`bots/execute.ts`, `cloud/aws/execute.ts`, `util/auditevent.ts`):
- `awslambda` Bots with the identifier `https://medplum.com/bot-external-function-id` call the
  registered Python callable `external_functions[<value>]` (an "external function"); its return
  value is the function's JSON answer, i.e. the bot's return value; an exception is a
  function error (the run fails, its message becomes the log).
- other `awslambda` Bots run the code of their last *successful* `$deploy` (what Medplum's
  `medplum-bot-lambda-<id>` would hold), `vmcontext` Bots their current `executableCode`; both
  run the JavaScript in Node's `vm` through `medplum_standin.vmcontext.run_vmcontext`.
- each execution writes an AuditEvent honouring `auditEventTrigger` / `auditEventDestination`.
"""

from __future__ import annotations

import json
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from medplum_standin.projects import Projects, Resource

EXTERNAL_FUNCTION_SYSTEM = "https://medplum.com/bot-external-function-id"
SUPPORTED_INTERACTION_URL = (
    "https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction"
)
MAX_AUDIT_DESCRIPTION = 10 * 1024

ExternalFunction = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class ExternalResult:
    """Optional richer answer from an external function: value, log tail, function error."""

    value: Any = None
    log: str = ""
    function_error: bool = False


@dataclass(frozen=True)
class Execution:
    """What one bot run produced (Medplum's BotExecutionResult)."""

    success: bool
    log: str
    has_value: bool
    value: Any = None
    payload: dict[str, Any] = field(default_factory=dict)


class BotHost(Protocol):
    """What the runner needs from the server."""

    store: Projects
    base_url: str
    external_functions: dict[str, ExternalFunction]
    lambda_code: dict[str, str]

    def issue_run_token(self, project_id: str, profile: str) -> str: ...


def external_function_id(bot: Resource) -> str | None:
    """The external function named by the Bot's identifier, if any."""
    for identifier in bot.get("identifier") or []:
        if identifier.get("system") == EXTERNAL_FUNCTION_SYSTEM and identifier.get("value"):
            return str(identifier["value"])
    return None


def now_iso() -> str:
    """The current instant as FHIR `instant` text with milliseconds, like Medplum writes it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def bot_secrets(store: Projects, bot: Resource) -> dict[str, Any]:
    """Project secrets (and system secrets for `system` Bots) as name -> ProjectSetting."""
    project = store.get("Project", bot["meta"]["project"]) or {}
    settings: list[Any] = []
    if bot.get("system"):
        settings += project.get("systemSecret") or []
    settings += project.get("secret") or []
    return {s["name"]: s for s in settings if isinstance(s, dict) and "name" in s}


def _reference(resource: Resource) -> dict[str, str]:
    """Like `createReference`: the reference plus the name as display when there is one."""
    reference = {"reference": f"{resource['resourceType']}/{resource['id']}"}
    if isinstance(resource.get("name"), str):
        reference["display"] = resource["name"]
    return reference


def _run_js(code: str, payload: dict[str, Any], timeout: float) -> Execution:
    # Imported lazily: vmcontext.py is another helper's module and needs Node.
    from medplum_standin.vmcontext import run_vmcontext

    result = run_vmcontext(code, payload, timeout=timeout)
    log = "\n".join(result.logs)
    if not result.ok:
        log = "\n".join(part for part in (log, f"Error {result.error or ''}".strip()) if part)
        return Execution(False, log, False, payload=payload)
    return Execution(True, log, result.result is not None, result.result, payload=payload)


def _run_external(function: ExternalFunction, payload: dict[str, Any]) -> Execution:
    try:
        answer = function(payload)
    except Exception as error:
        # A Lambda function error: the run fails; the error is all that reaches the log.
        log = "".join(traceback.format_exception_only(error)).strip()
        return Execution(False, log, False, payload=payload)
    if isinstance(answer, ExternalResult):
        value = answer.value
        return Execution(not answer.function_error, answer.log, value is not None, value, payload)
    # Lambda answers are JSON; a value that cannot be serialised is a function error.
    try:
        value = json.loads(json.dumps(answer))
    except (TypeError, ValueError) as error:
        return Execution(False, f"Invalid Lambda response: {error}", False, payload=payload)
    return Execution(True, "", value is not None, value, payload=payload)


class BotRunner:
    """Runs Bots for `$execute` and subscriptions and records their AuditEvents."""

    def __init__(self, host: BotHost) -> None:
        self._host = host
        self.executions: list[Execution] = []
        self._lock = threading.Lock()

    def execute(
        self,
        bot: Resource,
        input: Any,
        content_type: str,
        *,
        requester: Mapping[str, Any] | None = None,
        headers: Mapping[str, Any] | None = None,
        trace_id: str | None = None,
        subscription: Resource | None = None,
        run_as: str | None = None,
    ) -> Execution:
        """Run `bot` once with `input` and write its AuditEvent; never raises for bot errors.

        `run_as` is the profile whose token the runtime gets (default: the Bot itself).
        """
        host = self._host
        start = now_iso()
        project_id = bot["meta"]["project"]
        full: dict[str, Any] = {
            "bot": _reference(bot),
            "baseUrl": host.base_url,
            "requester": dict(requester) if requester else None,
            "accessToken": host.issue_run_token(project_id, run_as or f"Bot/{bot['id']}"),
            "input": input,
            "contentType": content_type or None,
            "secrets": bot_secrets(host.store, bot),
            "traceId": trace_id or str(uuid.uuid4()),
            "headers": dict(headers or {}),
            "streaming": False,
        }
        # Medplum sends JSON.stringify(payload): keys whose value is undefined are absent.
        payload = {k: v for k, v in full.items() if v is not None}
        function_id = external_function_id(bot)
        runtime = bot.get("runtimeVersion")
        if runtime == "awslambda" and function_id is not None:
            function = host.external_functions.get(function_id)
            if function is None:
                execution = Execution(
                    False, f"Function not found: {function_id}", False, payload=payload
                )
            else:
                execution = _run_external(function, payload)
        elif runtime in ("awslambda", "vmcontext"):
            code, missing = self._code_to_run(bot)
            if code is None:
                execution = Execution(False, missing, False, payload=payload)
            else:
                execution = _run_js(code, payload, timeout=float(bot.get("timeout") or 10))
        else:
            execution = Execution(False, "Unsupported bot runtime", False, payload=payload)
        with self._lock:
            self.executions.append(execution)
        self._audit(bot, payload, start, execution, subscription)
        return execution

    def _code_to_run(self, bot: Resource) -> tuple[str | None, str]:
        """(JavaScript, "") or (None, why there is nothing to run)."""
        store = self._host.store
        if bot.get("runtimeVersion") == "awslambda":
            binary_id = self._host.lambda_code.get(bot["id"])
            if binary_id is None:
                return None, f"Function not found: medplum-bot-lambda-{bot['id']}"
            return store.binary_content(binary_id).decode(), ""
        url = (bot.get("executableCode") or {}).get("url")
        if not isinstance(url, str) or not url.startswith("Binary/"):
            return None, "No executable code"
        return store.binary_content(url.removeprefix("Binary/")).decode(), ""

    def _audit(
        self,
        bot: Resource,
        payload: dict[str, Any],
        start: str,
        execution: Execution,
        subscription: Resource | None,
    ) -> None:
        trigger = bot.get("auditEventTrigger", "always")
        log = execution.log
        if (
            trigger == "never"
            or (trigger == "on-error" and execution.success)
            or (trigger == "on-output" and not log)
        ):
            return
        if "resource" not in bot.get("auditEventDestination", ["resource"]):
            return  # `log` destination: Medplum writes it to its server log only
        bot_ref = _reference(bot)
        entities: list[dict[str, Any]] = [
            {"what": bot_ref, "role": {"code": "4", "display": "Domain"}}
        ]
        for extra in (payload.get("input"), subscription):
            if isinstance(extra, dict) and "resourceType" in extra and "id" in extra:
                role = {"Patient": ("1", "Patient"), "Subscription": ("9", "Subscriber")}.get(
                    extra["resourceType"], ("4", "Domain")
                )
                entities.append(
                    {
                        "what": {"reference": f"{extra['resourceType']}/{extra['id']}"},
                        "role": {"code": role[0], "display": role[1]},
                    }
                )
        agents: list[dict[str, Any]] = []
        if payload.get("requester"):
            agents.append({"who": payload["requester"], "requestor": True})
        agents.append({"who": bot_ref, "requestor": False})
        event: Resource = {
            "resourceType": "AuditEvent",
            "period": {"start": start, "end": now_iso()},
            "recorded": now_iso(),
            "type": {"system": "https://medplum.com/CodeSystem/audit-event", "code": "execute"},
            "agent": agents,
            "source": {"observer": bot_ref},
            "entity": entities,
            "outcome": "0" if execution.success else "4",
            "outcomeDesc": log[-MAX_AUDIT_DESCRIPTION:],
        }
        self._host.store.create(event, bot["meta"]["project"])
