"""One changed Bot's deploy, step by step (what `invoke deploy` sends for it):

    [runtimeVersion, only if it changes: `$deploy` depends on it]
    -> the executable: `$deploy` the forwarder (route http) or the Lambda (route lambda)
       ||  upload the source Binary  ||  bring its Subscriptions in line
    -> one JSON Patch: sourceCode, settings, identifiers, the content hash (written last)

Each step that fails raises `StepFailed`, whose message (`$deploy: HTTP 400: ...`) is the
report's reason. Transient failures are retried by the client's `RetryPolicy`; Medplum's
"update in progress" answer to `$deploy` is retried here too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import TypeVar, cast

from medplum_bots.build.bundle import Artifact
from medplum_bots.client import AsyncMedplumClient
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import BotEntry, Environment
from medplum_bots.deploy.options import Connections
from medplum_bots.deploy.plan import (
    DEPLOYED_HASH,
    EXTERNAL_FUNCTION_ID,
    SOURCE_CONTENT_TYPE,
    bot_patch,
    changed_settings,
    identifier_value,
)
from medplum_bots.deploy.session import Resource
from medplum_bots.deploy.subscriptions import plan_subscriptions
from medplum_bots.deploy.targets import Forwarder, LambdaFunction, Target
from medplum_bots.errors import DeployError, MedplumBotsError, OperationOutcomeError, outcome_text

T = TypeVar("T")
EXECUTABLE_FILENAME = "index.js"  # Medplum's default name for executableCode
# Medplum's answer while a previous Lambda update is still being applied (a 400).
LAMBDA_BUSY = "update is in progress"
# The owned Subscriptions of every changed Bot of an environment, searched once for all.
OwnedSubscriptions = asyncio.Task[dict[str, list[Resource]]]


class StepFailed(Exception):
    """One step of one bot's deploy failed; the message is the report's reason."""

    def __init__(self, step: str, error: BaseException) -> None:
        super().__init__(f"{step}: {error}")


async def step(name: str, work: Awaitable[T]) -> T:
    """`work`'s result; a Medplum, tooling or OS error becomes StepFailed naming the step."""
    try:
        return await work
    except (OperationOutcomeError, MedplumBotsError, OSError) as error:
        raise StepFailed(name, error) from error


async def deploy_bot(
    client: AsyncMedplumClient,
    connections: Connections,
    target: Target,
    bot: Resource,
    wanted: str,
    subscriptions: OwnedSubscriptions,
) -> None:
    """Bring `bot` in line with `target`, ending with the content hash `wanted`."""
    bot_id = bot["id"]
    runtime_version = target.settings["runtimeVersion"]
    if bot.get("runtimeVersion") != runtime_version:
        # $deploy installs code for the Bot's runtime: switch it first.
        op = [{"op": "add", "path": "/runtimeVersion", "value": runtime_version}]
        # Setting one field is safe to repeat after a 5xx; the Bot update below (which may
        # append identifiers) is not, so it is not retried.
        patched = client.patch_resource("Bot", bot_id, op, idempotent=True)
        bot = cast(Resource, await step("runtimeVersion", patched))
    filename = Path(target.entry.source).name
    results = await asyncio.gather(
        _install_executable(client, connections, target, bot),
        step(
            "source upload",
            client.create_attachment(target.source, SOURCE_CONTENT_TYPE, filename),
        ),
        step("subscriptions", _sync_subscriptions(client, target, bot_id, subscriptions)),
        return_exceptions=True,
    )
    for result in results:
        if isinstance(result, BaseException):
            raise result
    function_name, attachment = results[0], results[1]
    put = {DEPLOYED_HASH: wanted}
    remove: list[str] = []
    if isinstance(function_name, str):
        put[EXTERNAL_FUNCTION_ID] = function_name
    else:
        remove.append(EXTERNAL_FUNCTION_ID)  # switched to route http: stop calling a Lambda
    assert isinstance(attachment, dict)
    ops = bot_patch(
        bot,
        source_attachment=attachment,
        settings=target.settings,
        identifiers=put,
        remove_identifiers=remove,
    )
    await step("Bot update", client.patch_resource("Bot", bot_id, ops))


async def _install_executable(
    client: AsyncMedplumClient, connections: Connections, target: Target, bot: Resource
) -> str | None:
    """Route http: `$deploy` the forwarder (None). Route lambda: the function's name."""
    match target.executable:
        case LambdaFunction():
            deployer = connections.lambda_deployer or _deploy_function
            work = asyncio.to_thread(deployer, target.entry, target.environment, target.artifact)
            return await step("lambda", work)
        case Forwarder() as forwarder:
            retry = connections.retry or RetryPolicy()
            code = forwarder.code_for(bot)
            await step("$deploy", _deploy_code(client, retry, bot["id"], code))
            return None


def _deploy_function(entry: BotEntry, env: Environment, artifact: Artifact) -> str:
    from medplum_bots.deploy.lambda_route import deploy_function

    return deploy_function(entry, env, artifact)


async def _deploy_code(
    client: AsyncMedplumClient, retry: RetryPolicy, bot_id: str, code: str
) -> None:
    body = {"code": code, "filename": EXECUTABLE_FILENAME}
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = await client.post(f"fhir/R4/Bot/{bot_id}/$deploy", body, idempotent=True)
        except OperationOutcomeError as error:
            if LAMBDA_BUSY in str(error).lower() and attempt < retry.max_attempts:
                await retry.async_sleep(retry.delay(attempt))
                continue
            raise
        if isinstance(answer, dict) and any(
            issue.get("severity") in ("error", "fatal")
            for issue in answer.get("issue") or []
            if isinstance(issue, dict)
        ):
            raise DeployError(outcome_text(answer))
        return


async def _sync_subscriptions(
    client: AsyncMedplumClient, target: Target, bot_id: str, subscriptions: OwnedSubscriptions
) -> None:
    owned = (await subscriptions).get(bot_id, [])
    changes = plan_subscriptions(owned, target.subscriptions(bot_id))
    await asyncio.gather(
        *(client.create_resource(s) for s in changes.create),
        *(client.update_resource(s) for s in changes.update),
        *(client.delete_resource("Subscription", i) for i in changes.delete),
    )


async def preview(
    target: Target, bot: Resource, wanted: str, subscriptions: OwnedSubscriptions
) -> str:
    """What a deploy would change, for --dry-run (reads only)."""
    changes = changed_settings(bot, target.settings)
    owned = (await step("subscriptions", subscriptions)).get(bot["id"], [])
    planned = plan_subscriptions(owned, target.subscriptions(bot["id"]))
    if not planned.empty:
        changes.append(planned.summary())
    before = identifier_value(bot, DEPLOYED_HASH)
    if before == wanted:
        return "would redeploy (--force); nothing changed"
    changes.append(f"version {before[:12] if before else 'none'} -> {wanted[:12]}")
    return "would change: " + "; ".join(changes)
