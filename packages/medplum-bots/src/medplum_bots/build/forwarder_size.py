"""The route-http forwarder's size, checked at build: a bot over Medplum's `$deploy` limit
fails `invoke build` (CI's pull-request check) naming the bot, not a deploy after the merge.

Medplum parses a `$deploy` body under its JSON limit (`maxJsonSize`, 1 MB by default), and the
forwarder carries the bot's whole artifact. The size is the forwarder's as the runtime module
renders it (`runtime.forwarder.ForwarderSpec.identity`: the largest values a deploy can sign
into it), so a bot that passes here is never refused for its size at deploy time.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from medplum_bots.config import BotEntry, ProjectConfig
from medplum_bots.errors import BuildError, ConfigError
from medplum_bots.runtime.forwarder import ForwarderSpec

# The largest forwarder `invoke deploy` sends: 1 MB less room for the JSON around it.
MAX_EXECUTABLE = 900_000
# A placeholder as long as a deploy key's id (16 hex); `ForwarderSpec.identity` puts the
# largest Bot id, sequence and signature in.
_KEY_ID = "0" * 16


def forwarder_size(entry: BotEntry, config: ProjectConfig, content: bytes) -> int | None:
    """Characters of `entry`'s forwarder carrying `content`; None when it has none (route
    lambda) or its runtime is not set up yet (the deploy says what is missing)."""
    runtime = config.environment(entry.environment).runtime
    if runtime.type != "http" or not runtime.url:
        return None
    spec = ForwarderSpec(
        runtime.url,
        Path(entry.dist).stem,
        runtime.secret_name,
        entry.environment,
        content,
        entry.timeout,
    )
    try:
        return spec.identity(_KEY_ID)[1]
    except ConfigError:
        return None


def too_large(name: str, size: int) -> str:
    """The one line for a forwarder over MAX_EXECUTABLE."""
    return (
        f"bot {name!r}: its forwarder with the embedded artifact is {size:,} bytes; Medplum "
        f"accepts `$deploy` bodies up to about 1 MB (maxJsonSize), so at most "
        f"{MAX_EXECUTABLE:,}: move large data out of the bot's modules (a Binary, a Project "
        "secret)"
    )


def check_sizes(config: ProjectConfig, built: Iterable[tuple[BotEntry, bytes]]) -> None:
    """BuildError naming the first entry whose forwarder would be over the limit."""
    for entry, content in built:
        size = forwarder_size(entry, config, content)
        if size is not None and size > MAX_EXECUTABLE:
            raise BuildError(too_large(entry.name, size))
