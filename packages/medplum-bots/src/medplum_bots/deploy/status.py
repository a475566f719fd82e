"""`invoke status`: what runs on each environment compared with the repository (read-only).

Per environment: one login and one search (the Bots this tooling manages, plus the configured
Bots that carry no record yet); per entry one row:

- `deployed`: the Bot carries the content hash of the current build and nobody changed it;
- `changed locally`: the build differs from what is deployed (a deploy would send it);
- `drifted`: changed on the server since our deploy (`deploy.records.drift`);
- `missing`: the config names a Bot id the project does not have (or no id yet);
- `orphaned`: a Bot this repository manages that the config no longer names.

Each row names the commit and time its Bot was deployed from (`deploy.records`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from medplum_bots.config import ProjectConfig
from medplum_bots.deploy.credentials import Credentials
from medplum_bots.deploy.environment import content_hashes
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.plan import DEPLOYED_HASH, identifier_value
from medplum_bots.deploy.records import (
    DEPLOYED_AT,
    DEPLOYED_COMMIT,
    Stewardship,
    drift,
    orphan_detail,
    short_commit,
)
from medplum_bots.deploy.report import DEPLOYED, DRIFTED, ORPHANED
from medplum_bots.deploy.session import EnvironmentSession, Resource
from medplum_bots.deploy.targets import Target, prepare
from medplum_bots.redaction import Redactor

# Words shared with the deploy report come from it; these two are status's own.
CHANGED = "changed locally"
MISSING = "missing"


@dataclass(frozen=True)
class StatusRow:
    """One entry (or orphan) in one environment; `state` joins states with `, `."""

    entry: str
    environment: str
    state: str
    commit: str = ""
    deployed_at: str = ""
    detail: str = ""


def status(
    config: ProjectConfig,
    patterns: Sequence[str] = (),
    connections: Connections | None = None,
    build: bool = True,
) -> list[StatusRow]:
    """The rows of `invoke status` for the entries matching `patterns` (all when empty)."""
    connections = connections or Connections()
    options = DeployOptions(create=True, build=build, runtime_check=False)
    targets, credentials = prepare(config, [p for p in patterns if p], options, connections.environ)
    return asyncio.run(_status(targets, credentials, connections, Stewardship.of(config)))


async def _status(
    targets: Sequence[Target],
    credentials: Mapping[str, Credentials],
    connections: Connections,
    stewardship: Stewardship,
) -> list[StatusRow]:
    redactor = Redactor(c.client_secret for c in credentials.values())
    by_env: dict[str, list[Target]] = {}
    for target in targets:
        by_env.setdefault(target.environment.name, []).append(target)
    groups = await asyncio.gather(
        *(
            _environment(group, credentials[name], connections, stewardship, redactor)
            for name, group in by_env.items()
        )
    )
    return [row for group in groups for row in group]


async def _environment(
    targets: Sequence[Target],
    credentials: Credentials,
    connections: Connections,
    stewardship: Stewardship,
    redactor: Redactor,
) -> list[StatusRow]:
    environment = targets[0].environment
    session = await EnvironmentSession.open(
        environment,
        credentials,
        redactor=redactor,
        retry=connections.retry,
        transport=connections.transport,
        timeout=connections.timeout,
        concurrency=4,
    )
    try:
        bots = await session.read_managed_bots([t.entry.id for t in targets if t.entry.id])
    finally:
        await session.close()
    hashes = await asyncio.to_thread(content_hashes, targets)
    rows = [_row(t, bots.get(t.entry.id), hashes) for t in targets]
    for bot in bots.values():
        name = stewardship.orphan_entry(bot)
        if name is not None:
            rows.append(_recorded(name, environment.name, ORPHANED, bot, orphan_detail(bot, name)))
    return rows


def _row(target: Target, bot: Resource | None, hashes: Mapping[tuple[str, str], str]) -> StatusRow:
    name, environment = target.entry.name, target.environment.name
    if bot is None:
        where = f"Bot/{target.entry.id} not found" if target.entry.id else "no Bot id yet"
        return StatusRow(name, environment, MISSING, detail=where)
    states: list[str] = []
    wanted = hashes.get((name, bot["id"]))
    deployed = identifier_value(bot, DEPLOYED_HASH)
    if deployed != wanted:
        states.append(CHANGED)
    reason = drift(bot, target.settings) if deployed else None
    if reason:
        states.append(DRIFTED)
    detail = reason or ("never deployed" if not deployed else "")
    return _recorded(name, environment, ", ".join(states) or DEPLOYED, bot, detail)


def _recorded(name: str, environment: str, state: str, bot: Resource, detail: str) -> StatusRow:
    commit = identifier_value(bot, DEPLOYED_COMMIT) or ""
    at = identifier_value(bot, DEPLOYED_AT) or ""
    return StatusRow(name, environment, state, commit, at, detail)


HEADERS = ("bot", "environment", "state", "commit", "deployed at")


def format_status(rows: Sequence[StatusRow]) -> str:
    """Aligned columns; a row's detail is indented below it."""
    cells = [
        (
            r.entry,
            r.environment,
            r.state,
            short_commit(r.commit) if r.commit else "-",
            r.deployed_at or "-",
        )
        for r in rows
    ]
    widths = [max(len(c[i]) for c in (HEADERS, *cells)) for i in range(len(HEADERS))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    lines = [line(HEADERS), line(["-" * w for w in widths])]
    for row, values in zip(rows, cells, strict=True):
        lines.append(line(values))
        if row.detail:
            lines.append(f"    {row.detail}")
    return "\n".join(lines)
