"""`invoke create`: make a new Bot on Medplum, record it in medplum.config.json, deploy it.

Like Medplum's `bot create`, but ordered so that no failure leaves a Bot nobody knows about:
everything local is checked and built first; then the run of `invoke deploy --create` does
the rest, with one difference: the new entry is appended to the config (atomically: a killed
process leaves the old file or the new one) as soon as its Bot exists, where `deploy
--create` fills in an id. The Bot is created through `admin/projects/{id}/bot`, or adopted
when one already carries this entry's identifier (`EnvironmentSession.find_or_create_bot`);
only then is it deployed, so a failed deploy is fixed by `invoke deploy` rather than by
creating another Bot.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import PurePosixPath
from typing import Any

from medplum_bots.config import (
    DEFAULT_RUNTIME_VERSION,
    Environment,
    ProjectConfig,
    check_writable,
    environment_from_name,
    parse_config,
    read_raw,
)
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.orchestrate import deploy_targets
from medplum_bots.deploy.records import Stewardship
from medplum_bots.deploy.report import CREATED, DEPLOYED, DeployReport
from medplum_bots.deploy.targets import prepare
from medplum_bots.errors import ConfigError, DeployError


@dataclasses.dataclass(frozen=True)
class NewBot:
    """What `invoke create` was given (empty strings mean "work it out")."""

    name: str
    source: str
    project_id: str = ""
    environment: str = ""
    runtime_version: str = DEFAULT_RUNTIME_VERSION
    description: str = ""
    dist: str = ""


def default_dist(source: str) -> str:
    """`src/bots/my_bot.py` -> `dist/bots/my_bot.py` (sources outside src/ go to dist/bots/)."""
    path = PurePosixPath(source)
    if path.parts[:1] == ("src",) and len(path.parts) > 1:
        return str(PurePosixPath("dist", *path.parts[1:]))
    return f"dist/bots/{path.name}"


def _environment_name(config: ProjectConfig, new: NewBot) -> str:
    if new.environment:
        config.environment(new.environment)  # unknown -> ConfigError listing the configured
        return new.environment
    if suffix := environment_from_name(new.name, config.environments):
        return suffix
    if len(config.environments) == 1:
        return next(iter(config.environments))
    known = ", ".join(sorted(config.environments)) or "none"
    raise ConfigError(
        f"bot {new.name!r}: pass --environment (or end the name with -<environment>); "
        f"configured environments: {known}"
    )


def new_entry(config: ProjectConfig, new: NewBot) -> dict[str, Any]:
    """The config entry for `new` (without id), validated against the whole file."""
    if any(bot.name == new.name for bot in config.bots):
        raise ConfigError(f"{config.path.name}: a bot named {new.name!r} already exists")
    source = PurePosixPath(new.source.replace("\\", "/")).as_posix()
    if not (config.root / source).is_file():
        raise ConfigError(f"--source {source!r}: no such file in {config.root}")
    entry: dict[str, Any] = {
        "name": new.name,
        "id": "",
        "source": source,
        "dist": new.dist or default_dist(source),
        "environment": _environment_name(config, new),
    }
    if new.description:
        entry["description"] = new.description
    entry["runtimeVersion"] = new.runtime_version or DEFAULT_RUNTIME_VERSION
    raw = read_raw(config.path)
    parse_config({**raw, "bots": [*raw.get("bots", []), entry]}, config.path)
    return entry


async def create_async(
    config: ProjectConfig,
    new: NewBot,
    options: DeployOptions | None = None,
    connections: Connections | None = None,
) -> DeployReport:
    """Create, record and deploy one bot; see the module docstring for the order.

    Raises a one-line error when the Bot could not be created or its entry not recorded;
    a failed deploy after that is a failed row of the report.
    """
    options = options or DeployOptions()
    connections = connections or Connections()
    check_writable(config.path, f"the entry {new.name!r}")
    entry = new_entry(config, new)
    env = config.environment(entry["environment"])
    project_id = _project_id(config, env, new)
    raw = read_raw(config.path)
    # The config as it will be: the new entry, and the project the Bot is made in.
    environments = dict(raw.get("environments") or {})
    environments[env.name] = {**environments.get(env.name, {}), "projectId": project_id}
    planned = parse_config(
        {**raw, "environments": environments, "bots": [*raw.get("bots", []), entry]},
        config.path,
    )
    options = dataclasses.replace(options, create=True)
    # Checks the runtime and credentials and builds the artifact before anything exists.
    targets, credentials = prepare(planned, [new.name], options, connections.environ)
    recorded: list[str] = []
    report = await deploy_targets(
        targets,
        credentials,
        dataclasses.replace(options, force=True),
        connections,
        config.path,
        new_entries={new.name: entry},
        on_recorded=lambda name, bot_id: recorded.append(bot_id),
        stewardship=Stewardship.of(planned),
    )
    if not recorded:  # no Bot, or it could not be recorded: not a row of a report
        raise DeployError(report.outcomes[0].detail)
    return DeployReport(
        tuple(
            dataclasses.replace(o, result=CREATED) if o.result == DEPLOYED else o
            for o in report.outcomes
        )
    )


def _project_id(config: ProjectConfig, env: Environment, new: NewBot) -> str:
    """The project the Bot is made in: `--project-id`, else the environment's `projectId`."""
    project_id = new.project_id or env.project_id
    if not project_id:
        raise ConfigError(
            f"bot {new.name!r}: pass --project-id (or set environments.{env.name}.projectId)"
        )
    if env.project_id and new.project_id and new.project_id != env.project_id:
        raise ConfigError(
            f"--project-id {new.project_id!r} differs from environments.{env.name}.projectId "
            f"{env.project_id!r} in {config.path.name}"
        )
    return project_id


def create(
    config: ProjectConfig,
    new: NewBot,
    options: DeployOptions | None = None,
    connections: Connections | None = None,
) -> DeployReport:
    """`create_async` for synchronous callers (`invoke create`)."""
    return asyncio.run(create_async(config, new, options, connections))
