"""One environment's part of a deploy run, once its session is logged in (`EnvironmentRun`).

1. Reads, all at once: the selected Bots and every Bot this tooling manages (one batch of
   searches; a managed Bot whose entry the config no longer names is an `orphaned` row),
   whether the Project holds the runtime secret, and (with --create) the Bots marked as made
   for entries without an id. Nothing is created or written unless every read succeeds.
2. Entries without an id get their Bot (found or created, see `EnvironmentSession.
   find_or_create_bot`), and its id is written to medplum.config.json at once; `invoke
   create` goes the same way and appends its new entry instead.
3. Each Bot whose stored content hash and records match its target and that nobody changed
   since (`records.drift`) is `unchanged`; the others are deployed (`steps.deploy_bot`;
   `drifted` when only the server side changed), at most `jobs` at a time across
   environments, sharing one search for their Subscriptions. With --dry-run they are
   previewed instead.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from medplum_bots.config import append_entries, config_lock_async, load_config, set_bot_ids
from medplum_bots.deploy.credentials import BASE_URL
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.plan import DEPLOYED_HASH, identifier_value
from medplum_bots.deploy.records import (
    DEPLOYED_AT,
    DEPLOYED_BY,
    DEPLOYED_COMMIT,
    MANAGED_BY,
    Stewardship,
    drift,
    orphan_detail,
)
from medplum_bots.deploy.report import (
    CREATED,
    DEPLOYED,
    DRIFTED,
    FAILED,
    ORPHANED,
    UNCHANGED,
    WOULD_CREATE,
    WOULD_DEPLOY,
    BotOutcome,
)
from medplum_bots.deploy.runtime_check import Expected, RuntimeOffer, ask_runtime, unmet
from medplum_bots.deploy.session import EnvironmentSession, Resource, RuntimeSecret
from medplum_bots.deploy.smoke import run_smoke
from medplum_bots.deploy.steps import OwnedSubscriptions, StepFailed, deploy_bot, preview, step
from medplum_bots.deploy.targets import Forwarder, Route, Target
from medplum_bots.errors import BuildError, DeployError, MedplumBotsError

NOT_CHECKED = "runtime not checked (--no-runtime-check)"
OutcomeCallback = Callable[[BotOutcome], None]
RecordCallback = Callable[[str, str], None]  # (entry name, Bot id) written to the config


@dataclass(frozen=True)
class Found:
    """The Bot a target deploys to, and how this run came by it."""

    target: Target
    bot: Resource
    created: bool = False  # made by this run: reported as `created`
    note: str = ""  # where an adopted Bot came from, shown instead of a detail
    drift: str = ""  # how the Bot changed on the server since our deploy: reported `drifted`


@dataclass
class EnvironmentRun:
    """Deploys one environment's targets through its logged-in `session` (module docstring).

    `hashing` computes the content hashes of entries with an id in a thread while the reads
    are in flight; `new_entries` are config entries (by name) that `invoke create` appends
    once their Bot exists; `on_outcome` hears each bot's outcome as soon as it is known,
    `on_recorded` each Bot id written to the config.
    """

    session: EnvironmentSession
    targets: list[Target]
    options: DeployOptions
    connections: Connections
    semaphore: asyncio.Semaphore
    config_path: Path
    hashing: asyncio.Future[dict[tuple[str, str], str]] | None = None
    on_outcome: OutcomeCallback | None = None
    new_entries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    on_recorded: RecordCallback | None = None
    stewardship: Stewardship | None = None
    started: float = field(default_factory=time.perf_counter)
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    outcomes: dict[str, BotOutcome] = field(default_factory=dict)
    offer: asyncio.Task[RuntimeOffer] | None = None
    secret: asyncio.Future[RuntimeSecret] | None = None
    orphans: list[BotOutcome] = field(default_factory=list)

    async def run(self) -> list[BotOutcome]:
        """Every target's outcome, in target order, then a row per orphan (`orphaned`)."""
        forwarders = [t.executable for t in self.targets if isinstance(t.executable, Forwarder)]
        self.secret = asyncio.ensure_future(self.session.runtime_secret())
        if forwarders and self.options.runtime_check:
            # Asked while the Bots are read; awaited only if some bot changed.
            self.offer = asyncio.create_task(self._ask_runtime(forwarders[0], self.secret))
        try:
            await self._run()
        finally:
            for future in (self.offer, self.secret):
                if future is None:
                    continue
                if not future.done():
                    future.cancel()
                elif not future.cancelled():
                    future.exception()  # nobody needed it: not an unretrieved error
        return [self.outcomes[t.entry.name] for t in self.targets] + self.orphans

    async def _run(self) -> None:
        existing = [t for t in self.targets if t.entry.id]
        missing = [t for t in self.targets if not t.entry.id]
        # Reads first, all at once; nothing is created or written unless every one succeeds
        # (a run that cannot read its Bots must not go on creating more).
        bots, secret, marked = await asyncio.gather(
            self.session.read_managed_bots([t.entry.id for t in existing]),
            self.secret or self.session.runtime_secret(),
            self.session.entry_bots([t.entry.name for t in missing]) if missing else _nothing(),
        )
        warning = secret.warning
        self._find_orphans(bots.values())
        created = await self._create_missing(missing, marked)
        if self.hashing is not None:
            self.hashes = await self.hashing
        found: list[Found] = []
        for target in self.targets:
            if not target.entry.id:
                if target.entry.name in created:
                    found.append(created[target.entry.name])
            elif (bot := bots.get(target.entry.id)) is not None:
                found.append(Found(target, bot))
            else:
                self._report(
                    self._outcome(
                        target,
                        FAILED,
                        detail=f"Bot/{target.entry.id} not found in "
                        f"Project/{self.session.project_id} (deleted, or credentials of "
                        "another project?)",
                    )
                )
        changed = [self._drifted(item) for item in found if not self._unchanged(item)]
        if changed:
            # One search for every changed bot's Subscriptions, shared by their deploys.
            subscriptions = asyncio.create_task(
                self.session.owned_subscriptions([item.bot["id"] for item in changed])
            )
            await asyncio.gather(*(self._one(item, subscriptions, warning) for item in changed))

    def _find_orphans(self, bots: Iterable[Resource]) -> None:
        """A row for each Bot this repository manages whose entry the config no longer names."""
        if self.stewardship is None:
            return
        for bot in bots:
            name = self.stewardship.orphan_entry(bot)
            if name is not None:
                self.orphans.append(
                    BotOutcome(
                        name,
                        self.session.environment.name,
                        ORPHANED,
                        detail=orphan_detail(bot, name),
                    )
                )

    def _drifted(self, found: Found) -> Found:
        """`found`, with how its Bot drifted when it carries the wanted hash all the same."""
        wanted = self._hash(found.target, found.bot["id"])
        if found.created or identifier_value(found.bot, DEPLOYED_HASH) != wanted:
            return found
        reason = drift(found.bot, found.target.settings)
        return replace(found, drift=reason) if reason else found

    def _unchanged(self, found: Found) -> bool:
        """Report `found` as unchanged when its Bot carries the wanted hash and records (and
        not --force) and nobody changed it on the server since."""
        if found.created or self.options.force:
            return False
        wanted = self._hash(found.target, found.bot["id"])
        if identifier_value(found.bot, DEPLOYED_HASH) != wanted:
            return False
        managed = self.stewardship.managed_value(found.target) if self.stewardship else None
        if managed is not None and identifier_value(found.bot, MANAGED_BY) != managed:
            return False  # deployed before the Bots recorded who manages them
        if drift(found.bot, found.target.settings):
            return False
        self._report(
            self._outcome(
                found.target,
                UNCHANGED,
                version=wanted[:12],
                seconds=time.perf_counter() - self.started,
                detail=found.note,
            )
        )
        return True

    async def _create_missing(
        self, targets: Sequence[Target], marked: Mapping[str, list[Resource]]
    ) -> dict[str, Found]:
        """Find or create the Bot of each entry without an id (--create); record the ids.

        Under the config lock, one entry at a time: another run may have recorded an id (or
        created a Bot) since this run read the config, and then its Bot is used, not a new one.
        Entries that get no Bot are reported here.
        """
        result: dict[str, Found] = {}
        if not targets:
            return result
        if self.options.dry_run:
            for target in targets:
                bots = marked.get(target.entry.name) or []
                detail = (
                    f"would adopt Bot/{bots[0]['id']} (marked as this entry)"
                    if len(bots) == 1
                    else "would create the Bot"
                )
                self._report(self._outcome(target, WOULD_CREATE, detail=detail))
            return result
        async with config_lock_async(self.config_path):
            entries = load_config(self.config_path).bots
            recorded = {e.name: e.id for e in entries if e.id}
            for target in targets:
                name = target.entry.name
                if name in self.new_entries and any(e.name == name for e in entries):
                    # `invoke create` of a name another create recorded meanwhile.
                    detail = f"{self.config_path.name}: a bot named {name!r} already exists"
                    self._report(self._outcome(target, FAILED, detail=detail))
                    continue
                found = await self._find_or_create(target, recorded.get(name))
                if found is not None:
                    result[name] = found
        return result

    async def _find_or_create(self, target: Target, recorded: str | None) -> Found | None:
        """The entry's Bot with its id recorded, or None after reporting why there is none."""
        entry = target.entry
        started = time.perf_counter()
        try:
            if recorded:
                read = await step("read", self.session.client.read_resource("Bot", recorded))
                note = f"Bot/{recorded} was created by another run meanwhile"
                return self._found(target, cast(Resource, read), note=note)
            bot, created = await step(
                "create",
                self.session.find_or_create_bot(
                    entry.name, entry.description, entry.runtime_version
                ),
            )
        except StepFailed as error:
            seconds = time.perf_counter() - started
            self._report(self._outcome(target, FAILED, seconds=seconds, detail=str(error)))
            return None
        # Recorded before deploying, so a failed deploy never leaves an orphan Bot.
        try:
            self._record(entry.name, bot["id"])
        except (OSError, MedplumBotsError) as error:
            self._report(
                self._outcome(target, FAILED, detail=self._unrecorded(entry.name, bot, error))
            )
            return None
        if self.on_recorded is not None:
            self.on_recorded(entry.name, bot["id"])
        if created:
            return self._found(target, bot, created=True)
        return self._found(
            target, bot, note=f"adopted Bot/{bot['id']}, made for this entry by an earlier run"
        )

    def _record(self, name: str, bot_id: str) -> None:
        """Write the Bot id into entry `name`, or append the entry (`invoke create`) with it."""
        new = self.new_entries.get(name)
        if new is None:
            set_bot_ids(self.config_path, {name: bot_id})
        else:
            append_entries(self.config_path, [{**new, "id": bot_id}])

    def _unrecorded(self, name: str, bot: Resource, error: BaseException) -> str:
        file = self.config_path.name
        if name in self.new_entries:
            return (
                f"created Bot/{bot['id']} but could not add {name!r} to {file} ({error}); "
                f'add the entry with "id": "{bot["id"]}"'
            )
        return (
            f"created Bot/{bot['id']} but could not record its id in {file} ({error}); "
            "add it by hand"
        )

    @staticmethod
    def _found(target: Target, bot: Resource, *, created: bool = False, note: str = "") -> Found:
        entry = replace(target.entry, id=bot["id"])
        return Found(replace(target, entry=entry), bot, created, note)

    async def _one(
        self, found: Found, subscriptions: OwnedSubscriptions, warning: str | None
    ) -> None:
        outcome = await self._deploy_one(found, subscriptions, warning)
        if found.note and not outcome.failed:
            outcome = replace(outcome, detail=found.note)
        self._report(outcome)

    async def _deploy_one(
        self, found: Found, subscriptions: OwnedSubscriptions, warning: str | None
    ) -> BotOutcome:
        target, bot = found.target, found.bot
        async with self.semaphore:
            start = time.perf_counter()
            wanted = self._hash(target, bot["id"])
            prefix = f"created Bot/{bot['id']}, then " if found.created else ""
            try:
                if target.refused:
                    raise StepFailed("build", BuildError(target.refused))
                note = await self._check_runtime(target)
                if self.options.dry_run:
                    detail = await preview(target, bot, wanted, subscriptions)
                    if found.drift:
                        detail = f"{found.drift}; would redeploy to repair it"
                    if note:
                        detail += f"; {note}"
                    result = DRIFTED if found.drift else WOULD_DEPLOY
                    return self._outcome(target, result, version=wanted[:12], detail=detail)
                if warning and target.route is Route.HTTP:
                    raise StepFailed("runtime", DeployError(warning))
                await deploy_bot(
                    self.session.client,
                    self.connections,
                    target,
                    bot,
                    wanted,
                    subscriptions,
                    self._records(target),
                )
                if target.smoke is not None:
                    await step("smoke", run_smoke(self.session.client, bot["id"], target.smoke))
            except StepFailed as error:
                seconds = time.perf_counter() - start
                return self._outcome(target, FAILED, seconds=seconds, detail=prefix + str(error))
            except Exception as error:  # a bug or an unforeseen answer: this bot only
                return self._outcome(
                    target,
                    FAILED,
                    seconds=time.perf_counter() - start,
                    detail=f"{prefix}unexpected {type(error).__name__}: {error}",
                )
            result = CREATED if found.created else DEPLOYED
            if found.drift:
                result, note = DRIFTED, f"repaired: {found.drift}" + (f"; {note}" if note else "")
            return self._outcome(
                target,
                result,
                version=wanted[:12],
                seconds=time.perf_counter() - start,
                detail=note or "",
            )

    async def _ask_runtime(
        self, forwarder: Forwarder, secret: asyncio.Future[RuntimeSecret]
    ) -> RuntimeOffer:
        """The runtime's offer, once the Project's runtime key is known (to prove it matches)."""
        credentials = self.session.credentials
        expected = Expected(
            environment=self.session.environment.name,
            base_url=credentials.base_url,
            base_url_source=credentials.sources.get(BASE_URL, "baseUrl"),
            secret_name=self.session.environment.runtime.secret_name,
            runtime_key=(await asyncio.shield(secret)).value,
        )
        return await ask_runtime(
            forwarder.runtime_url,
            forwarder.deploy_key,
            expected=expected,
            transport=self.connections.runtime_transport,
        )

    def _records(self, target: Target) -> dict[str, str]:
        """The identifiers the final patch records besides the hash (`deploy.records`)."""
        if self.stewardship is None:
            return {}
        records = {
            MANAGED_BY: self.stewardship.managed_value(target),
            DEPLOYED_COMMIT: self.stewardship.provenance.record,
            DEPLOYED_AT: self.stewardship.deployed_at,
        }
        if self.session.profile:
            records[DEPLOYED_BY] = self.session.profile
        return records

    async def _check_runtime(self, target: Target) -> str | None:
        """Raise StepFailed if the runtime cannot run `target`; a note when not checked."""
        if target.route is not Route.HTTP:
            return None
        if self.offer is None:
            return NOT_CHECKED
        offer = await step("runtime", self.offer)
        reason = unmet(target.artifact, offer)
        if reason is not None:
            raise StepFailed("runtime", DeployError(reason))
        return None

    def _hash(self, target: Target, bot_id: str) -> str:
        known = self.hashes.get((target.entry.name, bot_id))
        return known if known is not None else target.hash_for(bot_id)

    def _outcome(self, target: Target, result: str, **kw: Any) -> BotOutcome:
        return BotOutcome(target.entry.name, target.environment.name, result, **kw)

    def _report(self, outcome: BotOutcome) -> None:
        self.outcomes[outcome.bot] = outcome
        if self.on_outcome is not None:
            self.on_outcome(outcome)


async def _nothing() -> dict[str, list[Resource]]:
    return {}


def content_hashes(targets: Sequence[Target]) -> dict[tuple[str, str], str]:
    """The content hash of each target with a Bot id, by (entry name, Bot id)."""
    return {(t.entry.name, t.entry.id): t.hash_for(t.entry.id) for t in targets if t.entry.id}
