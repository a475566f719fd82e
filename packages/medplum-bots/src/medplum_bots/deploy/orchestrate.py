"""`invoke deploy`: build, then bring every selected Bot in line with medplum.config.json.

The run in three parts, each in its own module:

- preparation (`targets.prepare`): everything that can be checked without a server is
  checked first (patterns, ids, runtimes, credentials, the build), so a typo fails before
  anything is touched;
- one environment (`environment.EnvironmentRun`, one Bot's steps in `steps`): one login, the
  Bots read in one search, unchanged ones skipped by their content hash (`plan`), the others
  deployed, at most `jobs` Bots at a time;
- the whole run (here): every environment concurrently, one report in config order, secrets
  redacted, an interrupted run still reported.

A bot that fails is reported with its environment and a one-line reason, and never as
deployed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from medplum_bots.config import ProjectConfig
from medplum_bots.deploy.credentials import Credentials
from medplum_bots.deploy.environment import (
    EnvironmentRun,
    OutcomeCallback,
    RecordCallback,
    content_hashes,
)
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.report import FAILED, INTERRUPTED, BotOutcome, DeployReport
from medplum_bots.deploy.session import EnvironmentSession
from medplum_bots.deploy.targets import Target, prepare
from medplum_bots.errors import MedplumBotsError, OperationOutcomeError
from medplum_bots.redaction import Redactor

__all__ = ["Connections", "DeployOptions", "deploy", "deploy_targets"]

# A deploying bot has at most this many requests in flight (source, $deploy, Subscriptions).
REQUESTS_PER_BOT = 3


def deploy(
    config: ProjectConfig,
    patterns: Iterable[str] = (),
    options: DeployOptions | None = None,
    connections: Connections | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> DeployReport:
    """Build and deploy the entries matching `patterns` (all when empty): `invoke deploy`.

    Interrupted (Ctrl-C, SIGINT), it still returns a report: the bots that finished, and
    the others as INTERRUPTED (`report.interrupted` is set). A rerun finishes them: ids are
    recorded as soon as Bots exist and the content hash is written last.
    """
    options = options or DeployOptions()
    connections = connections or Connections()
    targets, credentials = prepare(config, [p for p in patterns if p], options, connections.environ)
    done: dict[tuple[str, str], BotOutcome] = {}

    def record(outcome: BotOutcome) -> None:
        done[(outcome.bot, outcome.environment)] = outcome
        if on_outcome is not None:
            on_outcome(outcome)

    try:
        return asyncio.run(
            deploy_targets(
                targets, credentials, options, connections, config.path, on_outcome=record
            )
        )
    except KeyboardInterrupt:
        return _interrupted_report(targets, done)


async def deploy_targets(
    targets: Sequence[Target],
    credentials: Mapping[str, Credentials],
    options: DeployOptions,
    connections: Connections,
    config_path: Path,
    *,
    on_outcome: OutcomeCallback | None = None,
    new_entries: Mapping[str, Mapping[str, Any]] | None = None,
    on_recorded: RecordCallback | None = None,
) -> DeployReport:
    """Deploy prepared targets, every environment concurrently; see the module docstring.

    `on_outcome` hears about each bot as soon as it is done (progress), secrets redacted;
    `new_entries` are config entries `invoke create` appends once their Bots exist;
    `on_recorded(entry name, Bot id)` hears each id written to the config.
    """
    redactor = Redactor(c.client_secret for c in credentials.values())
    semaphore = asyncio.Semaphore(options.jobs)
    by_env: dict[str, list[Target]] = {}
    for target in targets:
        by_env.setdefault(target.environment.name, []).append(target)

    def report(outcome: BotOutcome) -> None:
        if on_outcome is not None:
            on_outcome(_redacted(outcome, redactor))

    async def one_environment(name: str, group: list[Target]) -> list[BotOutcome]:
        started = time.perf_counter()

        def failed(error: BaseException) -> list[BotOutcome]:
            outcomes = _environment_failed(name, group, error, time.perf_counter() - started)
            for outcome in outcomes:
                report(outcome)
            return outcomes

        hashing = asyncio.ensure_future(asyncio.to_thread(content_hashes, group))
        try:
            session = await EnvironmentSession.open(
                group[0].environment,
                credentials[name],
                redactor=redactor,
                retry=connections.retry,
                transport=connections.transport,
                timeout=connections.timeout,
                concurrency=REQUESTS_PER_BOT * options.jobs,
            )
        except Exception as error:  # every failure becomes this environment's rows
            hashing.cancel()
            return failed(error)
        try:
            run = EnvironmentRun(
                session,
                group,
                options,
                connections,
                semaphore,
                config_path,
                hashing,
                on_outcome=report,
                new_entries=new_entries or {},
                on_recorded=on_recorded,
            )
            return await run.run()
        except Exception as error:
            return failed(error)
        finally:
            await session.close()

    results = await asyncio.gather(*(one_environment(n, g) for n, g in by_env.items()))
    finished = {(o.bot, o.environment): o for group in results for o in group}
    ordered = [finished[(t.entry.name, t.environment.name)] for t in targets]
    return DeployReport(tuple(_redacted(o, redactor) for o in ordered))


def _environment_failed(
    name: str, group: Sequence[Target], error: BaseException, seconds: float
) -> list[BotOutcome]:
    """One failed row per bot of an environment that could not be deployed at all; the seconds
    column counts the time spent on the environment, retries included."""
    text = str(error)
    if not isinstance(error, MedplumBotsError | OperationOutcomeError):
        text = f"unexpected {type(error).__name__}: {error}"
    return [BotOutcome(t.entry.name, name, FAILED, seconds=seconds, detail=text) for t in group]


def _redacted(outcome: BotOutcome, redactor: Redactor) -> BotOutcome:
    if not outcome.detail:
        return outcome
    detail = " ".join(redactor(outcome.detail).split())
    return BotOutcome(
        outcome.bot, outcome.environment, outcome.result, outcome.version, outcome.seconds, detail
    )


def _interrupted_report(
    targets: Sequence[Target], done: Mapping[tuple[str, str], BotOutcome]
) -> DeployReport:
    """The report of a run stopped part-way: finished bots as they ended, the rest INTERRUPTED."""
    outcomes = tuple(
        done.get(
            (t.entry.name, t.environment.name),
            BotOutcome(
                t.entry.name,
                t.environment.name,
                INTERRUPTED,
                detail="not finished (run the deploy again: it redoes what was cut off)",
            ),
        )
        for t in targets
    )
    return DeployReport(outcomes, interrupted=True)
