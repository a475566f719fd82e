"""`invoke rollback --name X [--to VERSION]`: run an earlier deploy's code again, as a new deploy.

The versions are read from the Bot's `_history`: each version whose deployed-hash identifier
differs from the version before it ends a deploy, and its `executableCode` is the forwarder that
deploy installed, carrying the signed artifact, with the Python source in its `sourceCode`.

A rollback never replays old bytes as they are. The old artifact's signature must verify
against a deploy key this repository trusts (the environment's current key, or one listed in
`MEDPLUM_BOTS_TRUSTED_KEYS` of the environment's `.env` file, for code signed before a
rotation): code that was altered on the server is refused, not re-signed. The artifact's text
is then signed again with the current deploy key and deployed through the ordinary deploy
(`deploy_targets`, `force`), so it is a new deploy with everything a deploy records, and the
runtime's protections against older artifacts see a new one. The Bot's deployed hash then
differs from the working tree's, so the next `invoke deploy` brings the repository's code back.

Route http only: a Lambda (route lambda) keeps no earlier code on the Bot.
"""

from __future__ import annotations

import ast
import asyncio
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from medplum_bots.build.bundle import Artifact
from medplum_bots.build.loader import ArtifactError, artifact_sha256, read_artifact
from medplum_bots.client import MedplumClient
from medplum_bots.config import ProjectConfig
from medplum_bots.deploy.credentials import find_value, resolve_credentials, resolve_deploy_key
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.orchestrate import deploy_targets
from medplum_bots.deploy.plan import DEPLOYED_HASH, desired_settings, identifier_value
from medplum_bots.deploy.records import (
    DEPLOYED_COMMIT,
    DIRTY,
    Provenance,
    Stewardship,
    short_commit,
)
from medplum_bots.deploy.remote import _deployed_entry
from medplum_bots.deploy.report import DeployReport
from medplum_bots.deploy.targets import Route, Target, _forwarder
from medplum_bots.errors import DeployError
from medplum_bots.runtime.deploy_keys import (
    TRUSTED_KEYS_VAR,
    DeployKeyError,
    TrustedKeys,
    public_text,
    trusted_entry,
)
from medplum_bots.runtime.forwarder import carried_artifact


@dataclass(frozen=True)
class DeployedVersion:
    """One deploy as the Bot's history shows it."""

    number: int  # 1 for the oldest deploy in the history: what the list shows and --to takes
    version: str  # the Bot's versionId right after that deploy (Medplum: a UUID)
    time: str
    hash: str  # the deployed content hash
    executable: str  # "Binary/<id>": the forwarder it installed
    source: str  # "Binary/<id>": the Python source it recorded
    commit: str = ""  # `records.DEPLOYED_COMMIT` (`+dirty` for an uncommitted tree), if any
    current: bool = False

    def line(self) -> str:
        mark = "*" if self.current else " "
        commit = f"  commit {short_commit(self.commit)}" if self.commit else ""
        return f"{mark} {self.number:>3}  {self.time}  {self.hash[:12]}{commit}"


@dataclass(frozen=True)
class Rollback:
    """What `rollback` found, chose and (unless only listing) deployed."""

    versions: tuple[DeployedVersion, ...]  # oldest first
    chosen: DeployedVersion | None
    report: DeployReport | None


def deployed_versions(client: MedplumClient, bot_id: str) -> list[DeployedVersion]:
    """The deploys of Bot `bot_id`, oldest first; the one whose code runs now is `current`."""
    history: list[Mapping[str, Any]] = []
    page: Any = client.get(f"fhir/R4/Bot/{bot_id}/_history")
    while page:
        history.extend(e["resource"] for e in page.get("entry") or [] if "resource" in e)
        following = [link["url"] for link in page.get("link") or [] if link["relation"] == "next"]
        page = client.get(following[0]) if following else None
    # Oldest first. Medplum's versionIds are UUIDs: the order is `lastUpdated`'s (the
    # history answers newest first, so a tie keeps the older version first once reversed).
    history.reverse()
    history.sort(key=lambda bot: str(bot["meta"].get("lastUpdated") or ""))
    found: list[DeployedVersion] = []
    previous: str | None = None
    for bot in history:
        value = identifier_value(bot, DEPLOYED_HASH)
        executable = str((bot.get("executableCode") or {}).get("url") or "")
        if value and value != previous and executable:
            found.append(
                DeployedVersion(
                    number=len(found) + 1,
                    version=str(bot["meta"]["versionId"]),
                    time=str(bot["meta"].get("lastUpdated") or "?"),
                    hash=value,
                    executable=executable,
                    source=str((bot.get("sourceCode") or {}).get("url") or ""),
                    commit=identifier_value(bot, DEPLOYED_COMMIT) or "",
                )
            )
        previous = value
    if history and found:
        now = identifier_value(history[-1], DEPLOYED_HASH)
        for index in range(len(found) - 1, -1, -1):
            if found[index].hash == now:
                found[index] = replace(found[index], current=True)
                break
    return found


def choose(versions: list[DeployedVersion], to: str, name: str) -> DeployedVersion:
    """`to`: a number from the list, or a prefix (4+ characters) of a deploy's content hash,
    commit or Bot version; without it, the deploy before the one running."""
    listed = ", ".join(str(v.number) for v in versions) or "none"
    if to:
        wanted = to.strip()
        for version in reversed(versions):
            prefixes = (version.hash, version.commit, version.version)
            if wanted == str(version.number) or (
                len(wanted) >= 4 and any(p.startswith(wanted) for p in prefixes if p)
            ):
                return version
        raise DeployError(f"bot {name!r}: no deploy {to!r} in its history (deploys: {listed})")
    current = next((i for i, v in enumerate(versions) if v.current), None)
    running = versions[current].hash if current is not None else None
    for version in reversed(versions[:current]):
        if version.hash != running:
            return version
    raise DeployError(f"bot {name!r}: no earlier deploy to roll back to (deploys: {listed})")


def rollback(
    config: ProjectConfig,
    name: str,
    to: str = "",
    *,
    list_only: bool = False,
    options: DeployOptions | None = None,
    connections: Connections | None = None,
) -> Rollback:
    """List the deploys of entry `name` and, unless `list_only`, deploy the chosen one again."""
    entry = _deployed_entry(config, name)
    env = config.environment(entry.environment)
    if Route(env.runtime.type) is not Route.HTTP:
        raise DeployError(
            f"bot {name!r}: rollback needs route http (environment {env.name!r} runs Lambdas, "
            "which keep no earlier code on the Bot); check out the old commit and deploy it"
        )
    connections = connections or Connections()
    credentials = resolve_credentials(env, config.root, connections.environ)
    key = resolve_deploy_key(env, config.root, connections.environ)
    with MedplumClient(
        credentials.base_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        retry=connections.retry,
        timeout=connections.timeout,
    ) as client:
        versions = deployed_versions(client, entry.id)
        if list_only:
            return Rollback(tuple(versions), None, None)
        chosen = choose(versions, to, name)
        forwarder = client.download(chosen.executable).decode("utf-8", errors="replace")
        source = client.download(chosen.source) if chosen.source else b""
    carried = carried_artifact(forwarder)
    if carried is None:
        raise DeployError(
            f"bot {name!r}: version {chosen.version}'s executable code carries no artifact "
            "(deployed by an older medplum-bots?); check out its commit and deploy it"
        )
    text = carried.content.decode("utf-8")
    try:
        embedded = read_artifact(text, f"version {chosen.version}'s artifact")
    except ArtifactError as error:
        raise DeployError(f"bot {name!r}: {error}") from None
    listed = find_value(env, config.root, TRUSTED_KEYS_VAR, connections.environ)
    own = trusted_entry(env.name, public_text(key.public_key()))
    where = listed[1] if listed else TRUSTED_KEYS_VAR
    statement = carried.statement
    try:  # the current key, and the keys the environment's runtime trusts (rotations)
        keys = TrustedKeys.parse(",".join([own, *(listed[:1] if listed else [])]), where)
        keys.verify_deploy(carried.key_id, carried.signature, statement, "the artifact")
        if statement.sha256 != hashlib.sha256(carried.content).hexdigest():
            raise DeployKeyError("the artifact: its content does not match the signed hash")
        if statement.bot_id != entry.id or statement.bot != embedded.name:
            raise DeployKeyError(
                f"the artifact was signed for {statement.bot} on Bot/{statement.bot_id}"
            )
    except DeployKeyError as error:
        raise DeployError(
            f"bot {name!r}: version {chosen.version} is not re-signed: {error} (not deployed by "
            "a key this repository trusts, or altered on the server)"
        ) from None
    with tempfile.TemporaryDirectory(prefix="medplum-rollback-") as scratch:
        path = Path(scratch) / f"{embedded.name}.py"
        path.write_bytes(carried.content)
        artifact = Artifact(
            path=path,
            name=embedded.name,
            sha256=artifact_sha256(text),
            size=len(carried.content),
            modules=tuple(m.name for m in embedded.modules),
            requirements=_requirements(text),
            source=entry.source,
            entry_module=embedded.entry,
        )
        target = Target(
            entry,
            env,
            artifact,
            source,
            desired_settings(entry),
            _forwarder(entry, env, artifact, key),
        )
        deploy_options = options or DeployOptions()
        # The Bot records what it runs: the rolled-back deploy's commit, not this checkout's.
        stewardship = Stewardship.of(config)
        if chosen.commit:
            commit = chosen.commit.removesuffix(DIRTY)
            provenance = Provenance(commit, dirty=chosen.commit.endswith(DIRTY))
            stewardship = replace(stewardship, provenance=provenance)
        report = asyncio.run(
            deploy_targets(
                [target],
                {env.name: credentials},
                DeployOptions(jobs=1, force=True, runtime_check=deploy_options.runtime_check),
                connections,
                config.path,
                stewardship=stewardship,
            )
        )
    return Rollback(tuple(versions), chosen, report)


def _requirements(text: str) -> tuple[str, ...]:
    """The `requirements=` of the artifact's `install_artifact` call (literal data, not run)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "install_artifact":
            for keyword in node.keywords:
                if keyword.arg == "requirements":
                    return tuple(ast.literal_eval(keyword.value))
    return ()
