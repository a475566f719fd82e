"""Preparing a deploy: everything that can be checked and made without a server.

`prepare` selects the entries, checks their ids, resolves each environment's credentials and
deploy key, builds (or checks) the artifacts and works out each entry's `Target`: the Bot
settings, and what makes the Bot run on its environment's route, a `Forwarder` (route http)
or a `LambdaFunction` (route lambda). A typo fails here, before anything is touched.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from medplum_bots.build.bundle import Artifact, build_all, render_artifact
from medplum_bots.build.forwarder_size import MAX_EXECUTABLE, too_large
from medplum_bots.build.loader import artifact_sha256
from medplum_bots.build.manifest import read_manifest
from medplum_bots.config import BotEntry, Environment, ProjectConfig, check_writable
from medplum_bots.deploy.credentials import Credentials, resolve_credentials, resolve_deploy_key
from medplum_bots.deploy.options import DeployOptions
from medplum_bots.deploy.plan import content_hash, desired_settings
from medplum_bots.deploy.smoke import SmokeInput, smoke_input
from medplum_bots.deploy.subscriptions import Key, desired_subscriptions
from medplum_bots.errors import BuildError, DeployError
from medplum_bots.runtime.deploy_keys import deploy_sequence, key_id
from medplum_bots.runtime.forwarder import ForwarderSpec

if TYPE_CHECKING:
    from medplum_bots.deploy.lambda_deploy import FunctionSpec


class Route(enum.Enum):
    """How a Bot's Python runs (the environment's `runtime.type`)."""

    HTTP = "http"  # `$deploy` a JavaScript forwarder that posts to the Python runtime
    LAMBDA = "lambda"  # a Python Lambda, named by the Bot's external-function identifier


@dataclass(frozen=True)
class Forwarder:
    """Route http: the JavaScript `$deploy`ed as the Bot's executable code.

    Rendered per Bot at `$deploy` time: its artifact's signature binds the Bot's id, the
    environment and a deploy sequence (`deploy_keys.deploy_sequence`), so the runtime refuses
    an older artifact after a newer one. The content hash covers `identity`, which leaves the
    per-deploy signature out (a redeploy of the same code is unchanged).
    `size` is the largest the signed text can be (`ForwarderSpec.identity`).
    """

    spec: ForwarderSpec
    deploy_key: Ed25519PrivateKey  # signs the artifact the forwarder carries
    runtime_url: str
    identity: str
    size: int

    def fingerprint(self) -> dict[str, Any]:
        """What the content hash covers of it."""
        return {"route": Route.HTTP.value, "code": self.identity}

    def code_for(self, bot: Mapping[str, Any]) -> str:
        """The JavaScript to `$deploy` on `bot`, signed for it with a new deploy sequence."""
        meta = bot.get("meta")
        last_updated = meta.get("lastUpdated") if isinstance(meta, Mapping) else None
        sequence = deploy_sequence(time.time(), last_updated)
        return self.spec.render(self.deploy_key, str(bot["id"]), sequence)


@dataclass(frozen=True)
class LambdaFunction:
    """Route lambda: the function Medplum invokes instead of its own."""

    spec: FunctionSpec

    def fingerprint(self) -> dict[str, Any]:
        """What the content hash covers of it."""
        return {"route": Route.LAMBDA.value, **asdict(self.spec)}


Executable = Forwarder | LambdaFunction


@dataclass(frozen=True)
class Target:
    """One selected entry with everything its deploy needs, worked out before any request."""

    entry: BotEntry
    environment: Environment
    artifact: Artifact
    source: bytes
    settings: dict[str, Any]
    executable: Executable
    smoke: SmokeInput | None = None  # run after the deploy (`smoke`)
    refused: str = ""  # why this bot cannot be deployed (its other bots still are)

    @property
    def route(self) -> Route:
        return Route.HTTP if isinstance(self.executable, Forwarder) else Route.LAMBDA

    def hash_for(self, bot_id: str) -> str:
        """The content hash this entry's Bot `bot_id` carries once deployed."""
        return content_hash(
            artifact_sha256=self.artifact.sha256,
            executable=self.executable.fingerprint(),
            source=self.source,
            settings=self.settings,
            subscriptions=self.subscriptions(bot_id).values(),
        )

    def subscriptions(self, bot_id: str) -> dict[Key, dict[str, Any]]:
        """The Subscriptions the entry declares for Bot `bot_id`."""
        return desired_subscriptions(self.entry.subscriptions, bot_id, self.entry.name)


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
    if options.create and not options.dry_run and any(not e.id for e in selected):
        check_writable(config.path, "the ids of the Bots it creates")
    environments = {entry.environment: config.environment(entry.environment) for entry in selected}
    credentials = {
        name: resolve_credentials(env, config.root, environ) for name, env in environments.items()
    }
    keys = {
        name: resolve_deploy_key(env, config.root, environ)
        for name, env in environments.items()
        if Route(env.runtime.type) is Route.HTTP
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
        executable: Executable
        refused = ""
        if Route(env.runtime.type) is Route.LAMBDA:
            executable = _lambda_function(entry, env, artifact)
        else:
            executable = _forwarder(entry, env, artifact, keys[entry.environment])
            if executable.size > MAX_EXECUTABLE:
                refused = too_large(entry.name, executable.size)
        smoke = smoke_input(entry, config.root)
        settings = desired_settings(entry)
        targets.append(Target(entry, env, artifact, source, settings, executable, smoke, refused))
    return targets, credentials


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


def _lambda_function(entry: BotEntry, env: Environment, artifact: Artifact) -> LambdaFunction:
    from medplum_bots.deploy.lambda_deploy import function_spec

    return LambdaFunction(function_spec(entry, env, artifact.name))  # DeployError: no role...


def _forwarder(
    entry: BotEntry, env: Environment, artifact: Artifact, key: Ed25519PrivateKey
) -> Forwarder:
    runtime = env.runtime
    if not runtime.url:
        raise DeployError(
            f"environments.{env.name}.runtime: field 'url' is required for route http "
            "(where your Python runtime serves /bots/<name>); a Bot that cannot run is not deployed"
        )
    spec = ForwarderSpec(
        runtime.url,
        artifact.name,
        runtime.secret_name,
        env.name,
        artifact.path.read_bytes(),
        entry.timeout,
    )
    identity, size = spec.identity(key_id(key.public_key()))
    return Forwarder(spec, key, runtime.url, identity, size)


def _artifacts(
    config: ProjectConfig, selected: Sequence[BotEntry], patterns: Sequence[str], build: bool
) -> dict[Path, Artifact]:
    """The artifact of every selected entry by resolved dist path (building them first)."""
    root = config.root.resolve()
    if build:
        built = build_all(config, patterns, check_forwarders=False)  # sizes: per bot, below
        return {a.path.resolve(): a for a in built}
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
