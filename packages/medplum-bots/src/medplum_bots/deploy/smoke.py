"""After a bot's deploy: run it once on the entry's `smoke` input and fail the deploy if it fails.

A deploy can succeed while every run of the bot fails (a runtime that refuses it, a missing
secret, a bug only the deployed build shows). An entry's optional `smoke` (medplum.config.json,
`config.SmokeSpec`) is executed through `$execute` right after the deploy, on Medplum, the
way events will run it; its failure is that bot's failed row, with the bot's error said once
(`remote.split_failure`), so CI fails. The input is read during preparation, before anything
is sent: a missing smoke file stops the run like any other config mistake.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medplum_bots.client import AsyncMedplumClient
from medplum_bots.config import BotEntry
from medplum_bots.deploy.remote import read_input, split_failure
from medplum_bots.errors import (
    ConfigError,
    DeployError,
    MedplumBotsError,
    NetworkError,
    OperationOutcomeError,
    outcome_text,
)

JSON = "application/json"
FHIR_JSON = "application/fhir+json"


@dataclass(frozen=True)
class SmokeInput:
    """The value a bot is run on after its deploy, its content type, and where it came from."""

    data: Any
    content_type: str
    label: str


def smoke_input(entry: BotEntry, root: Path) -> SmokeInput | None:
    """The entry's smoke input, read now; ConfigError naming the entry when it cannot be."""
    spec = entry.smoke
    if spec is None:
        return None
    if spec.file is not None:
        try:
            data, kind = read_input(root / spec.file, spec.content_type or "")
        except MedplumBotsError as error:
            raise ConfigError(f"bot {entry.name!r}: smoke {error}") from None
        return SmokeInput(data, kind, f"smoke file {spec.file}")
    kind = spec.content_type or JSON
    if kind == JSON and isinstance(spec.input, dict) and "resourceType" in spec.input:
        kind = FHIR_JSON
    return SmokeInput(spec.input, kind, "smoke input")


async def run_smoke(client: AsyncMedplumClient, bot_id: str, smoke: SmokeInput) -> None:
    """Execute the deployed Bot on `smoke`; DeployError (one line) when the run fails."""
    try:
        await client.execute_bot(bot_id, smoke.data, smoke.content_type)
    except NetworkError as error:
        raise DeployError(f"deployed, but its {smoke.label} got no answer: {error}") from None
    except OperationOutcomeError as error:
        failure = split_failure(outcome_text(error.outcome))
        raise DeployError(
            f"deployed, but the bot failed on its {smoke.label} (HTTP {error.status}): "
            f"{failure.error}"
        ) from None
