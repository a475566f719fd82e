"""Before `invoke deploy` reports `deployed`: can the environment's runtime run these bots?

The deployer asks the runtime (`POST /capabilities`, signed with the environment's deploy
key) for its tooling version, artifact format and installed distributions, and refuses a bot
whose requirements it cannot meet, naming the package and the fix. The same answer tells
whether the runtime trusts this deploy key at all. Decision (see docs/runtime.md): a runtime
that cannot be reached fails the deploy of that environment's changed bots, unless the run
says `--no-runtime-check` (a CI runner outside the runtime's network); such bots are then
reported deployed with "runtime not checked".

The same request proves what would otherwise only show at the first run (`Expected`): that
the runtime's request key is the Project secret the forwarder signs with (an HMAC of a fresh
challenge under the secret, which the runtime verifies: neither side sends a key), and that
the environment's base URL, after credential overrides, is on the runtime's allow-list.
Either mismatch fails the environment's changed bots with one line naming the fix.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from medplum_bots.build.bundle import Artifact
from medplum_bots.build.loader import ARTIFACT_FORMAT
from medplum_bots.deploy.pools import tls_context
from medplum_bots.errors import DeployError
from medplum_bots.runtime.capabilities import TOOLING, key_check_mac, normalize
from medplum_bots.runtime.deploy_keys import key_id, sign_request

PATH = "/capabilities"
TIMEOUT = 10.0


@dataclass(frozen=True)
class RuntimeOffer:
    """What one runtime answered."""

    url: str
    tooling: str
    artifact_format: int
    distributions: dict[str, str]


@dataclass(frozen=True)
class Expected:
    """What the environment's bots need from the runtime beyond packages (module docstring)."""

    environment: str
    base_url: str  # after credential overrides
    base_url_source: str  # where it came from, for the message
    secret_name: str
    runtime_key: str | None = field(default=None, repr=False)  # None: the Project's unreadable

    def request(self, challenge: str) -> dict[str, Any]:
        asked: dict[str, Any] = {"baseUrl": self.base_url}
        if self.runtime_key is not None:
            mac = key_check_mac(self.runtime_key.encode(), challenge)
            asked["keyCheck"] = {"challenge": challenge, "mac": mac}
        return asked


async def ask_runtime(
    runtime_url: str,
    key: Ed25519PrivateKey,
    *,
    expected: Expected | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = TIMEOUT,
) -> RuntimeOffer:
    """The runtime's capabilities; DeployError (one line) when it cannot say, or when it
    answers that it would refuse what `expected` describes."""
    url = runtime_url.strip().rstrip("/") + PATH
    asked = expected.request(secrets.token_hex(16)) if expected is not None else {}
    body = json.dumps(asked).encode()
    headers = {"Content-Type": "application/json", **sign_request(key, PATH, body)}
    try:
        async with httpx.AsyncClient(
            transport=transport, verify=tls_context(), timeout=timeout, follow_redirects=False
        ) as client:
            answer = await client.post(url, content=body, headers=headers)
    except httpx.HTTPError as error:
        raise DeployError(
            f"runtime unreachable at {url} ({type(error).__name__}); if this machine cannot "
            "reach it, deploy with --no-runtime-check (the bots are then not checked)"
        ) from None
    try:
        data: Any = answer.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        data = None
    if answer.status_code == 403:
        kid = key_id(key.public_key())
        raise DeployError(
            f"runtime at {runtime_url} does not trust this environment's deploy key {kid}: "
            "add its public key to the runtime's MEDPLUM_BOTS_TRUSTED_KEYS and restart it"
        )
    if answer.status_code != 200 or not isinstance(data, dict):
        raise DeployError(
            f"runtime at {url} answered HTTP {answer.status_code} to the capabilities check "
            "(is it a medplum-bots runtime of this version? rebuild and redeploy it)"
        )
    if expected is not None:
        _check_expected(data, expected, runtime_url)
    distributions = data.get("distributions")
    return RuntimeOffer(
        url=runtime_url,
        tooling=str(data.get("tooling", "unknown")),
        artifact_format=int(data.get("artifactFormat") or 0),
        distributions=dict(distributions) if isinstance(distributions, dict) else {},
    )


def _check_expected(answer: dict[str, Any], expected: Expected, runtime_url: str) -> None:
    """DeployError naming the fix when the runtime says it would refuse the forwarder's calls.

    A runtime that does not answer a question (an older one) is not held to it.
    """
    env = expected.environment
    bound = answer.get("keyEnvironment")
    if isinstance(bound, str) and bound != env:
        kid = answer.get("keyId", "?")
        raise DeployError(
            f"runtime at {runtime_url} trusts deploy key {kid} for environment {bound!r}, not "
            f"{env!r}: give {env!r} its own key (`invoke deploy-key`) and list "
            f"it in the runtime's MEDPLUM_BOTS_TRUSTED_KEYS as {env}=ed25519:..."
        )
    if answer.get("requestKeyMatches") is False:
        raise DeployError(
            f"the runtime at {runtime_url} verifies requests with a MEDPLUM_BOTS_RUNTIME_KEY "
            f"that differs from Project secret {expected.secret_name!r} of environment {env!r} "
            "(what the forwarder signs with), so it would refuse every run: set one to the "
            "other's value and restart the runtime"
        )
    if answer.get("baseUrlAllowed") is False:
        raise DeployError(
            f"environment {env!r} uses Medplum at {expected.base_url} ({expected.base_url_source}"
            f"), which the runtime at {runtime_url} does not accept: add it to the runtime's "
            "MEDPLUM_BOTS_ALLOWED_BASE_URLS and restart the runtime"
        )


def local_tooling() -> str:
    try:
        return metadata.version(TOOLING)
    except metadata.PackageNotFoundError:
        return "unknown"


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def unmet(artifact: Artifact, offer: RuntimeOffer, tooling: str | None = None) -> str | None:
    """Why the runtime cannot run `artifact`, or None when it can."""
    mine = local_tooling() if tooling is None else tooling
    fix = "rebuild and redeploy the runtime (see docs: runtime lifecycle)"
    if offer.artifact_format != ARTIFACT_FORMAT:
        return (
            f"the runtime at {offer.url} reads artifact format {offer.artifact_format}, this "
            f"build writes format {ARTIFACT_FORMAT}: {fix}"
        )
    if _minor(offer.tooling) != _minor(mine):
        return (
            f"the runtime at {offer.url} runs {TOOLING} {offer.tooling}, the bot was built with "
            f"{mine}: {fix} with {TOOLING}=={mine}"
        )
    for requirement in artifact.requirements:
        name, _, version = requirement.partition("==")
        there = offer.distributions.get(normalize(name))
        if there is None:
            return (
                f"bot {artifact.name!r} needs {requirement}, which the runtime at {offer.url} "
                f"does not have: add it to the runtime's dependencies, then {fix}"
            )
        if version and there != version:
            return (
                f"bot {artifact.name!r} needs {requirement}, the runtime at {offer.url} has "
                f"{name}=={there}: align the versions, then {fix}"
            )
    return None
