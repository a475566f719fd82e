"""`invoke retire` (and `invoke deploy --prune`): take Bots the config no longer names off.

A retired bot's Subscriptions are turned off first (a Subscription pointing at a deleted Bot
would fail on every event) and then its Bot is deleted (`DELETE Bot/{id}`). Only Bots this
repository manages (their `MANAGED_BY` identifier, `deploy.records`) are touched, and only
for names no longer in medplum.config.json: a name still there would be recreated by the next
deploy with `--create`, or fail it, so it is refused with what to do instead. Nothing is
written before every environment was read and `confirm` agreed to the list.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from medplum_bots.config import ProjectConfig
from medplum_bots.deploy.credentials import Credentials, resolve_credentials
from medplum_bots.deploy.options import Connections
from medplum_bots.deploy.records import Stewardship
from medplum_bots.deploy.report import FAILED, RETIRED, BotOutcome, DeployReport
from medplum_bots.deploy.session import EnvironmentSession, Resource
from medplum_bots.errors import ConfigError, DeployError
from medplum_bots.redaction import Redactor

# Shown the Bots about to go (`Bot/<id> (<entry>, <environment>)`); True to go ahead.
Confirm = Callable[[Sequence[str]], bool]
SUBSCRIPTION_OFF = "off"
# Requests in flight per environment: a search, then a few PUTs and a DELETE per Bot.
CONCURRENCY = 8


def check_retirable(config: ProjectConfig, names: Sequence[str]) -> None:
    """A one-line error for a name the config still has."""
    for name in names:
        if any(entry.name == name for entry in config.bots):
            raise ConfigError(
                f"{name!r} is still in {config.path.name}: remove its entry (and its source, "
                "if no other entry uses it) from the config first, then retire it"
            )


def retire(
    config: ProjectConfig,
    names: Sequence[str],
    confirm: Confirm,
    connections: Connections | None = None,
    environments: Sequence[str] = (),
) -> DeployReport:
    """Retire the Bots this repository manages as `names` in `environments` (all when empty).

    Raises ConfigError for a name still in the config; a name found nowhere is a failed row.
    When `confirm` says no, nothing is written and the report is empty.
    """
    check_retirable(config, names)
    connections = connections or Connections()
    chosen = list(environments) or list(config.environments)
    envs = {name: config.environment(name) for name in chosen}
    credentials = {
        name: resolve_credentials(env, config.root, connections.environ)
        for name, env in envs.items()
    }
    return asyncio.run(
        _retire(config, names, confirm, connections, credentials, Stewardship.of(config))
    )


async def _retire(
    config: ProjectConfig,
    names: Sequence[str],
    confirm: Confirm,
    connections: Connections,
    credentials: Mapping[str, Credentials],
    stewardship: Stewardship,
) -> DeployReport:
    redactor = Redactor(c.client_secret for c in credentials.values())
    sessions = await asyncio.gather(
        *(
            EnvironmentSession.open(
                config.environment(name),
                creds,
                redactor=redactor,
                retry=connections.retry,
                transport=connections.transport,
                timeout=connections.timeout,
                concurrency=CONCURRENCY,
            )
            for name, creds in credentials.items()
        ),
        return_exceptions=True,
    )
    try:
        for session in sessions:
            if isinstance(session, BaseException):
                raise DeployError(redactor(str(session))) from None
        opened = [s for s in sessions if isinstance(s, EnvironmentSession)]
        found = await asyncio.gather(*(_managed(s, stewardship, names) for s in opened))
        doomed = [
            (s, bot, name) for s, bots in zip(opened, found, strict=True) for bot, name in bots
        ]
        outcomes: list[BotOutcome] = []
        seen = {name for _, _, name in doomed}
        for name in names:
            if name not in seen:
                outcomes.append(
                    BotOutcome(
                        name,
                        ", ".join(s.environment.name for s in opened),
                        FAILED,
                        detail=f"no Bot is managed as {name!r} by this repository there",
                    )
                )
        if doomed and not confirm(
            [f"Bot/{bot['id']} ({name}, {s.environment.name})" for s, bot, name in doomed]
        ):
            return DeployReport(())
        outcomes[:0] = await asyncio.gather(
            *(_retire_one(session, bot, name) for session, bot, name in doomed)
        )
        return DeployReport(tuple(outcomes))
    finally:
        await asyncio.gather(*(s.close() for s in sessions if isinstance(s, EnvironmentSession)))


async def _managed(
    session: EnvironmentSession, stewardship: Stewardship, names: Sequence[str]
) -> list[tuple[Resource, str]]:
    bots = await session.read_managed_bots(())
    result: list[tuple[Resource, str]] = []
    for bot in bots.values():
        name = stewardship.entry_of(bot)
        if name is not None and name in names:
            result.append((bot, name))
    return result


async def _retire_one(session: EnvironmentSession, bot: Resource, name: str) -> BotOutcome:
    environment = session.environment.name
    bot_id = bot["id"]
    try:
        owned = (await session.owned_subscriptions([bot_id]))[bot_id]
        live = [s for s in owned if s.get("status") != SUBSCRIPTION_OFF]
        await asyncio.gather(*(session.client.update_resource(_off(s)) for s in live))
        await session.client.delete_resource("Bot", bot_id)
    except Exception as error:
        return BotOutcome(name, environment, FAILED, detail=session.redactor(str(error)))
    return BotOutcome(
        name,
        environment,
        RETIRED,
        detail=f"Bot/{bot_id} deleted; {len(live)} Subscription(s) turned off",
    )


def _off(subscription: Mapping[str, Any]) -> dict[str, Any]:
    return {**subscription, "status": SUBSCRIPTION_OFF}
