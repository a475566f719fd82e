"""What a runtime offers bots, for `invoke deploy` to check before it reports `deployed`.

Besides what it offers, the runtime answers two questions the deployer's signed request may
ask (`answer_checks`), so a deploy whose every run would be refused fails instead:

- `keyCheck: {challenge, mac}`: does `mac` verify under this runtime's request key
  (`MEDPLUM_BOTS_RUNTIME_KEY`)? The deployer computes it with the Project secret the forwarder
  signs with (`key_check_mac`); the answer is a yes or no, and no key ever travels. The MAC
  covers a fixed context no request signature starts with, so it cannot sign a bot request.
- `baseUrl`: is this Medplum base URL on the runtime's allow-list?
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import platform
import re
from collections.abc import Collection
from importlib import metadata
from typing import Any

from medplum_bots.build.loader import ARTIFACT_FORMAT
from medplum_bots.urls import normalize_base_url

TOOLING = "medplum-bots"


def normalize(name: str) -> str:
    """PEP 503 name normalisation (`Foo_Bar` -> `foo-bar`)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def _distributions() -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.name
        if name:
            found.setdefault(normalize(name), dist.version)
    return dict(sorted(found.items()))


def capabilities() -> dict[str, Any]:
    """`{tooling, python, artifactFormat, distributions}` of this process."""
    distributions = _distributions()
    return {
        "tooling": distributions.get(TOOLING, "unknown"),
        "python": platform.python_version(),
        "artifactFormat": ARTIFACT_FORMAT,
        "distributions": distributions,
    }


# Starts every key-check MAC; forwarder signatures start with digits (a timestamp).
KEY_CHECK_CONTEXT = b"medplum-bots request key check v1\n"


def key_check_mac(key: bytes, challenge: str) -> str:
    """Hex HMAC-SHA256 of `challenge` under a request key, in the key check's own context."""
    return hmac.new(key, KEY_CHECK_CONTEXT + challenge.encode(), hashlib.sha256).hexdigest()


def answer_checks(body: bytes, key: bytes, allowed: Collection[str]) -> dict[str, Any]:
    """The answers to a capabilities request's `keyCheck` and `baseUrl` (only those asked):
    `requestKeyMatches` and `baseUrlAllowed`, each true or false."""
    try:
        request = json.loads(body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    if not isinstance(request, dict):
        return {}
    answers: dict[str, Any] = {}
    check = request.get("keyCheck")
    if isinstance(check, dict):
        challenge, mac = check.get("challenge"), check.get("mac")
        answers["requestKeyMatches"] = (
            isinstance(challenge, str)
            and isinstance(mac, str)
            and hmac.compare_digest(key_check_mac(key, challenge), mac.lower())
        )
    base_url = request.get("baseUrl")
    if isinstance(base_url, str):
        try:
            answers["baseUrlAllowed"] = normalize_base_url(base_url) in allowed
        except ValueError:
            answers["baseUrlAllowed"] = False
    return answers
