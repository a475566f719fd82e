"""`invoke deploy`: build, then bring every selected Bot in line with medplum.config.json.

Everything that can be checked without a server is checked first (patterns, ids, runtimes,
credentials, the build), so a typo fails before anything is touched. Then each environment
logs in once and reads all its selected Bots in one search; a Bot whose stored content hash
(see `deploy_plan`) matches is skipped. Each changed Bot, at most `jobs` at a time:

    [runtimeVersion, only if it changes: `$deploy` depends on it]
    -> `$deploy` forwarder (or Lambda)  ||  upload source Binary  ||  Subscriptions
    -> one JSON Patch: sourceCode, settings, content hash (written last)

Transient failures (429, 5xx, timeouts, dropped connections) are retried by the client's
`RetryPolicy`; Medplum's "update in progress" answer to `$deploy` is retried here too. A bot
that fails is reported with its environment and a one-line reason, and never as deployed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar, cast

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from medplum_bots.build.bundle import Artifact, build_all, read_manifest, render_artifact
from medplum_bots.build.loader import artifact_sha256
from medplum_bots.client import AsyncMedplumClient
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import (
    BotEntry,
    Environment,
    ProjectConfig,
    config_lock_async,
    load_config,
    set_bot_ids,
)
from medplum_bots.deploy.credentials import (
    Credentials,
    Redactor,
    resolve_credentials,
    resolve_deploy_key,
)
from medplum_bots.deploy.plan import (
    DEPLOYED_HASH,
    EXTERNAL_FUNCTION_ID,
    SOURCE_CONTENT_TYPE,
    bot_patch,
    changed_settings,
    content_hash,
    desired_settings,
    identifier_value,
)
from medplum_bots.deploy.report import (
    CREATED,
    DEPLOYED,
    FAILED,
    INTERRUPTED,
    UNCHANGED,
    WOULD_CREATE,
    WOULD_DEPLOY,
    BotOutcome,
    DeployReport,
)
from medplum_bots.deploy.runtime_check import RuntimeOffer, ask_runtime, unmet
from medplum_bots.deploy.session import EnvironmentSession, Resource
from medplum_bots.deploy.subscriptions import Key, desired_subscriptions, plan_subscriptions
from medplum_bots.errors import (
    BuildError,
    DeployError,
    MedplumBotsError,
    OperationOutcomeError,
    outcome_text,
)
from medplum_bots.runtime.deploy_keys import deploy_sequence, key_id
from medplum_bots.runtime.forwarder import ForwarderSpec

T = TypeVar("T")
LambdaDeployer = Callable[[BotEntry, Environment, Artifact], str]
EXECUTABLE_FILENAME = "index.js"  # Medplum's default name for executableCode
# Medplum's answer while a previous Lambda update is still being applied (a 400).
LAMBDA_BUSY = "update is in progress"
# A deploying bot has at most this many requests in flight (source, $deploy, Subscriptions).
REQUESTS_PER_BOT = 3
# The forwarder's size limit: Medplum parses `$deploy` with its JSON limit (1 MB by default).
MAX_EXECUTABLE = 900_000
NOT_CHECKED = "runtime not checked (--no-runtime-check)"


@dataclass(frozen=True)
class DeployOptions:
    """What `invoke deploy` was asked to do."""

    # 32 bots in flight: with pools of at most 16 connections (deploy/pools.py) more bots in
    # flight keep paying off up to 50 (bench/bench_deploy.py); 32 keeps at most ~100 requests
    # in flight from one IP, and a deploy's total (3 per bot) is what Medplum's per-minute
    # limits count, whatever --jobs is (packages/medplum-bots/docs/deploy-transport.md).
    jobs: int = 32
    force: bool = False
    dry_run: bool = False
    create: bool = False
    build: bool = True
    # Ask each route-http runtime what it offers before deploying (see `runtime_check`).
    runtime_check: bool = True

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise DeployError(f"--jobs must be at least 1, got {self.jobs}")


@dataclass(frozen=True)
class Connections:
    """How a run reaches servers; tests and benchmarks inject their own pieces.

    `environ` replaces the process environment for credentials; `lambda_deployer` replaces
    `lambda_route.deploy_function` (it runs in a worker thread).
    """

    environ: Mapping[str, str] | None = None
    retry: RetryPolicy | None = None
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 30.0
    lambda_deployer: LambdaDeployer | None = None
    runtime_transport: httpx.AsyncBaseTransport | None = None  # for the capabilities check


@dataclass(frozen=True)
class Target:
    """One selected entry with everything its deploy needs, worked out before any request."""

    entry: BotEntry
    environment: Environment
    artifact: Artifact
    source: bytes
    settings: dict[str, Any]
    executable: dict[str, Any]
    code: ForwarderSpec | None = None  # the forwarder (route http); None for route lambda
    deploy_key: Ed25519PrivateKey | None = None  # signs the forwarder's artifact (route http)

    def hash_for(self, bot_id: str) -> str:
        """The content hash this entry's Bot `bot_id` carries once deployed."""
        return content_hash(
            artifact_sha256=self.artifact.sha256,
            executable=self.executable,
            source=self.source,
            settings=self.settings,
            subscriptions=self.subscriptions(bot_id).values(),
        )

    def subscriptions(self, bot_id: str) -> dict[Key, dict[str, Any]]:
        """The Subscriptions the entry declares for Bot `bot_id`."""
        return desired_subscriptions(self.entry.subscriptions, bot_id, self.entry.name)


class StepFailed(Exception):
    """One step of one bot's deploy failed; the message is the report's reason."""

    def __init__(self, step: str, error: BaseException) -> None:
        super().__init__(f"{step}: {error}")


async def _step(name: str, work: Awaitable[T]) -> T:
    try:
        return await work
    except (OperationOutcomeError, MedplumBotsError, OSError) as error:
        raise StepFailed(name, error) from error


# ---------------------------------------------------------------------------------------------
# Checks and preparation (no network)


def _check_ids(selected: Sequence[BotEntry], create: bool) -> None:
    missing = [entry.name for entry in selected if not entry.id]
    if missing and not create:
        raise DeployError(
            f"no Bot id for {', '.join(missing)} in medplum.config.json: run `invoke deploy "
            f"--create --name {missing[0]}` (creates the Bot) or `invoke create`"
        )
    seen: dict[tuple[str, str], str] = {}
    for entry in selected:
        if not entry.id:
            continue
        key = (entry.environment, entry.id)
        if key in seen:
            raise DeployError(
                f"bots {seen[key]!r} and {entry.name!r} both deploy Bot/{entry.id} "
                f"in environment {entry.environment!r}"
            )
        seen[key] = entry.name


def _executable(
    entry: BotEntry, env: Environment, artifact: Artifact, key: Ed25519PrivateKey | None
) -> tuple[dict[str, Any], ForwarderSpec | None]:
    """What makes the Bot run (for the hash), and the forwarder code for route http."""
    runtime = env.runtime
    if runtime.type == "lambda":
        from medplum_bots.deploy.lambda_deploy import function_spec

        spec = function_spec(entry, env, artifact.name)  # DeployError without role or region
        return {"route": "lambda", **asdict(spec)}, None
    if not runtime.url:
        raise DeployError(
            f"environments.{env.name}.runtime: field 'url' is required for route http "
            "(where your Python runtime serves /bots/<name>); a Bot that cannot run is not deployed"
        )
    assert key is not None
    forwarder = ForwarderSpec(
        runtime.url,
        artifact.name,
        runtime.secret_name,
        env.name,
        artifact.path.read_bytes(),
        entry.timeout,
    )
    # Signed per Bot at `$deploy` (`_make_executable`); the hash leaves the signature out.
    identity, size = forwarder.identity(key_id(key.public_key()))
    if size > MAX_EXECUTABLE:
        raise DeployError(
            f"bot {entry.name!r}: its forwarder with the embedded artifact is {size:,} "
            f"bytes; Medplum accepts `$deploy` bodies up to about 1 MB (maxJsonSize): move "
            "large data out of the bot's modules (a Binary, a Project secret)"
        )
    return {"route": "http", "code": identity}, forwarder


def _artifacts(
    config: ProjectConfig, selected: Sequence[BotEntry], patterns: Sequence[str], build: bool
) -> dict[Path, Artifact]:
    """The artifact of every selected entry by resolved dist path (building them first)."""
    root = config.root.resolve()
    if build:
        return {a.path.resolve(): a for a in build_all(config, patterns)}
    records = {(root / str(r["dist"])).resolve(): r for r in read_manifest(root)}
    result: dict[Path, Artifact] = {}
    for entry in selected:
        path = (root / entry.dist).resolve()
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise BuildError(
                f"{entry.dist}: no artifact for bot {entry.name!r}; run `invoke build` first"
            ) from None
        record = records.get(path, {})
        sha256 = artifact_sha256(text)
        # Bundled again in memory (nothing written): a stale artifact would be deployed
        # next to the new sourceCode, and the two would disagree on what the bot does.
        fresh = render_artifact(root / entry.source, root, path.stem)[1].sha256
        if fresh != sha256:
            raise BuildError(
                f"{entry.dist}: built from older sources than {entry.source} and the modules it "
                f"imports; run `invoke build` (or deploy without --no-build)"
            )
        result[path] = Artifact(
            path=path,
            name=path.stem,
            sha256=sha256,
            size=len(text.encode()),
            modules=tuple(record.get("modules") or ()),
            requirements=tuple(record.get("requirements") or ()),
            source=entry.source,
        )
    return result


def prepare(
    config: ProjectConfig,
    patterns: Sequence[str],
    options: DeployOptions,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[Target], dict[str, Credentials]]:
    """Select, check and build: the targets and each environment's credentials.

    Raises a one-line error for an unknown pattern, a missing id (without --create), an
    unconfigured runtime, a missing credential or a failed build; nothing is sent.
    """
    selected = config.select(patterns)
    _check_ids(selected, options.create)
    environments = {entry.environment: config.environment(entry.environment) for entry in selected}
    credentials = {
        name: resolve_credentials(env, config.root, environ) for name, env in environments.items()
    }
    keys = {
        name: resolve_deploy_key(env, config.root, environ)
        for name, env in environments.items()
        if env.runtime.type == "http"
    }
    artifacts = _artifacts(config, selected, patterns, options.build)
    targets: list[Target] = []
    for entry in selected:
        env = environments[entry.environment]
        artifact = artifacts.get((config.root / entry.dist).resolve())
        if artifact is None:
            raise BuildError(f"{entry.dist}: the build made no artifact for bot {entry.name!r}")
        try:
            source = (config.root / entry.source).read_bytes()
        except OSError as error:
            raise BuildError(f"{entry.source}: cannot read ({error.strerror})") from None
        key = keys.get(entry.environment)
        executable, code = _executable(entry, env, artifact, key)
        targets.append(
            Target(entry, env, artifact, source, desired_settings(entry), executable, code, key)
        )
    return targets, credentials


# ---------------------------------------------------------------------------------------------
# One environment


@dataclass
class _EnvironmentRun:
    session: EnvironmentSession
    targets: list[Target]
    options: DeployOptions
    connections: Connections
    semaphore: asyncio.Semaphore
    config_path: Path
    # Content hashes of entries with an id, computed in a thread while the network is busy.
    hashing: asyncio.Future[dict[tuple[str, str], str]] | None = None
    started: float = field(default_factory=time.perf_counter)
    hashes: dict[tuple[str, str], str] = field(default_factory=dict)
    on_outcome: Callable[[BotOutcome], None] | None = None
    offer: asyncio.Task[RuntimeOffer] | None = None

    @property
    def client(self) -> AsyncMedplumClient:
        return self.session.client

    def _outcome(self, target: Target, result: str, **kw: Any) -> BotOutcome:
        return BotOutcome(target.entry.name, target.environment.name, result, **kw)

    async def run(self) -> list[BotOutcome]:
        forwarded = [t for t in self.targets if t.code is not None]
        if forwarded and self.options.runtime_check:
            # Asked while the Bots are read; awaited only if some bot changed.
            runtime = forwarded[0].environment.runtime
            key = forwarded[0].deploy_key
            assert key is not None
            self.offer = asyncio.create_task(
                ask_runtime(
                    runtime.url,
                    key,
                    environment=forwarded[0].environment.name,
                    transport=self.connections.runtime_transport,
                )
            )
        try:
            return await self._run()
        finally:
            if self.offer is not None:
                if not self.offer.done():
                    self.offer.cancel()
                elif not self.offer.cancelled():
                    self.offer.exception()  # nobody needed it: not an unretrieved error

    async def _check_runtime(self, target: Target) -> str | None:
        """Raise StepFailed if the runtime cannot run `target`; a note when not checked."""
        if target.code is None:
            return None
        if self.offer is None:
            return NOT_CHECKED
        offer = await _step("runtime", self.offer)
        reason = unmet(target.artifact, offer)
        if reason is not None:
            raise StepFailed("runtime", DeployError(reason))
        return None

    async def _run(self) -> list[BotOutcome]:
        existing = [t for t in self.targets if t.entry.id]
        missing = [t for t in self.targets if not t.entry.id]
        # Reads first, all at once; nothing is created or written unless every one succeeds
        # (a run that cannot read its Bots must not go on creating more).
        bots, warning, marked = await asyncio.gather(
            self.session.read_bots([t.entry.id for t in existing]),
            self.session.missing_runtime_secret(),
            self.session.entry_bots([t.entry.name for t in missing]) if missing else _nothing(),
        )
        created = await self._create_missing(missing, marked)
        if self.hashing is not None:
            self.hashes = await self.hashing
        outcomes: dict[str, BotOutcome] = {}
        notes: dict[str, str] = {}
        changed = self._sort_out(bots, created, outcomes, notes)
        if changed:
            done = await self._deploy_changed(changed, warning)
            for outcome in done:
                note = notes.get(outcome.bot)
                if note and not outcome.failed:
                    outcome = replace(outcome, detail=note)
                outcomes[outcome.bot] = outcome
        return [outcomes[t.entry.name] for t in self.targets]

    def _sort_out(
        self,
        bots: Mapping[str, Resource],
        created: Mapping[str, Any],
        outcomes: dict[str, BotOutcome],
        notes: dict[str, str],
    ) -> list[tuple[Target, Resource, bool]]:
        """Report what needs no deploy (failed creates, missing Bots, unchanged hashes) and
        return the (target, Bot, newly created) triples that do."""
        changed: list[tuple[Target, Resource, bool]] = []
        for index, target in enumerate(self.targets):
            name = target.entry.name
            created_bot: Resource | None = None
            if name in created:
                made = created[name]
                if isinstance(made, BotOutcome):
                    self._report(outcomes, made)
                    continue
                created_bot, how = made
                if how == CREATED:
                    changed.append((target, created_bot, True))
                    continue
                notes[name] = how
                self.targets[index] = target = replace(
                    target, entry=replace(target.entry, id=created_bot["id"])
                )
            found = bots.get(target.entry.id) if name not in created else created_bot
            if found is None:
                self._report(
                    outcomes,
                    self._outcome(
                        target,
                        FAILED,
                        detail=f"Bot/{target.entry.id} not found in "
                        f"Project/{self.session.project_id} (deleted, or credentials of "
                        "another project?)",
                    ),
                )
            elif not self.options.force and identifier_value(found, DEPLOYED_HASH) == (
                wanted := self._hash(target, found["id"])
            ):
                self._report(
                    outcomes,
                    self._outcome(
                        target,
                        UNCHANGED,
                        version=wanted[:12],
                        seconds=self._elapsed(),
                        detail=notes.get(name, ""),
                    ),
                )
            else:
                changed.append((target, found, False))
        return changed

    def _report(self, outcomes: dict[str, BotOutcome], outcome: BotOutcome) -> None:
        outcomes[outcome.bot] = outcome
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    async def _deploy_changed(
        self, changed: list[tuple[Target, Resource, bool]], warning: str | None
    ) -> list[BotOutcome]:
        # One search for every changed bot's Subscriptions, shared by their deploys.
        subscription_search = asyncio.create_task(
            self.session.owned_subscriptions([item[1]["id"] for item in changed])
        )
        return await asyncio.gather(
            *(
                self._one(target, bot, new, subscription_search, warning)
                for target, bot, new in changed
            )
        )

    def _hash(self, target: Target, bot_id: str) -> str:
        known = self.hashes.get((target.entry.name, bot_id))
        return known if known is not None else target.hash_for(bot_id)

    def _elapsed(self) -> float:
        return time.perf_counter() - self.started

    async def _create_missing(
        self, targets: list[Target], marked: Mapping[str, list[Resource]]
    ) -> dict[str, tuple[Resource, str] | BotOutcome]:
        """Find or create the Bot of each entry without an id (--create); record the ids.

        Under the config lock, one entry at a time: another run may have recorded an id (or
        created a Bot) since this run read the config, and then its Bot is used, not a new one.
        Returns the Bot and how it was found: CREATED, or a note saying where it came from.
        """
        result: dict[str, tuple[Resource, str] | BotOutcome] = {}
        if not targets:
            return result
        if self.options.dry_run:
            for target in targets:
                found = marked.get(target.entry.name) or []
                detail = (
                    f"would adopt Bot/{found[0]['id']} (marked as this entry)"
                    if len(found) == 1
                    else "would create the Bot"
                )
                result[target.entry.name] = self._outcome(target, WOULD_CREATE, detail=detail)
            return result
        async with config_lock_async(self.config_path):
            recorded = {b.name: b.id for b in load_config(self.config_path).bots if b.id}
            for target in targets:
                result[target.entry.name] = await self._find_or_create(
                    target, recorded.get(target.entry.name)
                )
        return result

    async def _find_or_create(
        self, target: Target, recorded: str | None
    ) -> tuple[Resource, str] | BotOutcome:
        entry = target.entry
        started = time.perf_counter()
        try:
            if recorded:
                bot = cast(
                    Resource, await _step("read", self.client.read_resource("Bot", recorded))
                )
                return bot, f"Bot/{recorded} was created by another run meanwhile"
            bot, created = await _step(
                "create",
                self.session.find_or_create_bot(
                    entry.name, entry.description, entry.runtime_version
                ),
            )
        except StepFailed as error:
            return self._outcome(
                target, FAILED, seconds=time.perf_counter() - started, detail=str(error)
            )
        # Written before deploying, so a failed deploy never leaves an orphan Bot.
        try:
            set_bot_ids(self.config_path, {entry.name: bot["id"]})
        except (OSError, MedplumBotsError) as error:
            return self._outcome(
                target,
                FAILED,
                detail=f"created Bot/{bot['id']} but could not record its id in "
                f"{self.config_path.name} ({error}); add it by hand",
            )
        if created:
            return bot, CREATED
        return bot, f"adopted Bot/{bot['id']}, made for this entry by an earlier run"

    async def _one(
        self,
        target: Target,
        bot: Resource,
        new: bool,
        subscriptions: asyncio.Task[dict[str, list[Resource]]],
        warning: str | None,
    ) -> BotOutcome:
        outcome = await self._one_outcome(target, bot, new, subscriptions, warning)
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        return outcome

    async def _one_outcome(
        self,
        target: Target,
        bot: Resource,
        new: bool,
        subscriptions: asyncio.Task[dict[str, list[Resource]]],
        warning: str | None,
    ) -> BotOutcome:
        async with self.semaphore:
            start = time.perf_counter()
            wanted = self._hash(target, bot["id"])
            prefix = f"created Bot/{bot['id']}, then " if new else ""
            try:
                note = await self._check_runtime(target)
                if self.options.dry_run:
                    detail = await self._preview(target, bot, subscriptions)
                    if note:
                        detail += f"; {note}"
                    return self._outcome(target, WOULD_DEPLOY, version=wanted[:12], detail=detail)
                if warning and target.code is not None:
                    raise StepFailed("runtime", DeployError(warning))
                await self._deploy(target, bot, wanted, subscriptions)
            except StepFailed as error:
                return self._outcome(
                    target, FAILED, seconds=time.perf_counter() - start, detail=prefix + str(error)
                )
            except Exception as error:  # a bug or an unforeseen answer: this bot only
                return self._outcome(
                    target,
                    FAILED,
                    seconds=time.perf_counter() - start,
                    detail=f"{prefix}unexpected {type(error).__name__}: {error}",
                )
            return self._outcome(
                target,
                CREATED if new else DEPLOYED,
                version=wanted[:12],
                seconds=time.perf_counter() - start,
                detail=note or "",
            )

    async def _deploy(
        self,
        target: Target,
        bot: Resource,
        wanted: str,
        subscriptions: asyncio.Task[dict[str, list[Resource]]],
    ) -> None:
        bot_id = bot["id"]
        runtime_version = target.settings["runtimeVersion"]
        if bot.get("runtimeVersion") != runtime_version:
            # $deploy installs code for the Bot's runtime: switch it first.
            op = [{"op": "add", "path": "/runtimeVersion", "value": runtime_version}]
            # Setting one field is safe to repeat after a 5xx; the Bot update below (which may
            # append identifiers) is not, so it is not retried.
            patched = self.client.patch_resource("Bot", bot_id, op, idempotent=True)
            bot = cast(Resource, await _step("runtimeVersion", patched))
        filename = Path(target.entry.source).name
        results = await asyncio.gather(
            self._make_executable(target, bot),
            _step(
                "source upload",
                self.client.create_attachment(target.source, SOURCE_CONTENT_TYPE, filename),
            ),
            _step("subscriptions", self._sync_subscriptions(target, bot_id, subscriptions)),
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
        await _step("Bot update", self.client.patch_resource("Bot", bot_id, ops))

    async def _make_executable(self, target: Target, bot: Resource) -> str | None:
        """Route http: `$deploy` the forwarder (None). Route lambda: the function's name."""
        if target.code is None:
            deployer = self.connections.lambda_deployer or _default_lambda_deployer
            return await _step(
                "lambda",
                asyncio.to_thread(deployer, target.entry, target.environment, target.artifact),
            )
        assert target.deploy_key is not None
        meta = bot.get("meta")
        last_updated = meta.get("lastUpdated") if isinstance(meta, dict) else None
        sequence = deploy_sequence(time.time(), last_updated)
        code = target.code.render(target.deploy_key, bot["id"], sequence)
        await _step("$deploy", self._deploy_code(bot["id"], code))
        return None

    async def _deploy_code(self, bot_id: str, code: str) -> None:
        retry = self.connections.retry or RetryPolicy()
        body = {"code": code, "filename": EXECUTABLE_FILENAME}
        attempt = 0
        while True:
            attempt += 1
            try:
                answer = await self.client.post(
                    f"fhir/R4/Bot/{bot_id}/$deploy", body, idempotent=True
                )
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
        self,
        target: Target,
        bot_id: str,
        subscriptions: asyncio.Task[dict[str, list[Resource]]],
    ) -> None:
        owned = (await subscriptions).get(bot_id, [])
        changes = plan_subscriptions(owned, target.subscriptions(bot_id))
        await asyncio.gather(
            *(self.client.create_resource(s) for s in changes.create),
            *(self.client.update_resource(s) for s in changes.update),
            *(self.client.delete_resource("Subscription", i) for i in changes.delete),
        )

    async def _preview(
        self,
        target: Target,
        bot: Resource,
        subscriptions: asyncio.Task[dict[str, list[Resource]]],
    ) -> str:
        """What a deploy would change, for --dry-run (reads only)."""
        changes = changed_settings(bot, target.settings)
        owned = (await _step("subscriptions", subscriptions)).get(bot["id"], [])
        planned = plan_subscriptions(owned, target.subscriptions(bot["id"]))
        if not planned.empty:
            changes.append(planned.summary())
        before = identifier_value(bot, DEPLOYED_HASH)
        wanted = self._hash(target, bot["id"])
        if before == wanted:
            return "would redeploy (--force); nothing changed"
        changes.append(f"version {before[:12] if before else 'none'} -> {wanted[:12]}")
        return "would change: " + "; ".join(changes)


async def _nothing() -> dict[str, list[Resource]]:
    return {}


def _content_hashes(targets: Sequence[Target]) -> dict[tuple[str, str], str]:
    return {(t.entry.name, t.entry.id): t.hash_for(t.entry.id) for t in targets if t.entry.id}


def _default_lambda_deployer(entry: BotEntry, env: Environment, artifact: Artifact) -> str:
    from medplum_bots.deploy.lambda_route import deploy_function

    return deploy_function(entry, env, artifact)


# ---------------------------------------------------------------------------------------------
# The whole run


OutcomeCallback = Callable[[BotOutcome], None]


async def deploy_targets(
    targets: Sequence[Target],
    credentials: Mapping[str, Credentials],
    options: DeployOptions,
    connections: Connections,
    config_path: Path,
    *,
    sessions: Mapping[str, EnvironmentSession] | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> DeployReport:
    """Deploy prepared targets, every environment concurrently; see the module docstring.

    `sessions` lets a caller that already logged in (`invoke create`) reuse its token;
    `on_outcome` hears about each bot as soon as it is done (progress), secrets redacted.
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

        hashing = asyncio.ensure_future(asyncio.to_thread(_content_hashes, group))
        given = (sessions or {}).get(name)
        try:
            session = given or await EnvironmentSession.open(
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
            run = _EnvironmentRun(
                session, group, options, connections, semaphore, config_path, hashing
            )
            run.on_outcome = report
            return await run.run()
        except Exception as error:
            return failed(error)
        finally:
            if given is None:
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


async def deploy_async(
    config: ProjectConfig,
    patterns: Iterable[str] = (),
    options: DeployOptions | None = None,
    connections: Connections | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> DeployReport:
    """Build and deploy the entries matching `patterns` (all when empty)."""
    options = options or DeployOptions()
    connections = connections or Connections()
    wanted = [p for p in patterns if p]
    targets, credentials = prepare(config, wanted, options, connections.environ)
    return await deploy_targets(
        targets, credentials, options, connections, config.path, on_outcome=on_outcome
    )


def deploy(
    config: ProjectConfig,
    patterns: Iterable[str] = (),
    options: DeployOptions | None = None,
    connections: Connections | None = None,
    on_outcome: OutcomeCallback | None = None,
) -> DeployReport:
    """`deploy_async` for synchronous callers (`invoke deploy`).

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
        return interrupted_report(targets, done)


def interrupted_report(
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
