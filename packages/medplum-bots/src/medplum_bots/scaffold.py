"""`invoke new`: start a bot — its module, its test, and one config entry per environment.

The module comes from the hello-patient starter, the test runs it against the in-memory
Medplum, and the entries (`<name>-staging`, `<name>-production`) have empty ids: `invoke
deploy --create` creates the Bots and fills the ids in. Every check runs before anything is
written, and a failure while writing removes what was already written, so a refused or failed
`new` leaves the repository as it was.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Any

from medplum_bots.config import (
    BotEntry,
    ProjectConfig,
    append_entries,
    check_writable,
    config_lock,
    environment_from_name,
    load_config,
    to_json,
)
from medplum_bots.errors import MedplumBotsError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
MAX_NAME = 48  # leaves room for "-production" and a function-name prefix
DEFAULT_ENVIRONMENTS = ("staging", "production")
# Production only keeps AuditEvents of failed runs; staging keeps every run for debugging.
AUDIT_TRIGGER = {"production": "on-error"}
DEFAULT_AUDIT_TRIGGER = "always"
TIMEOUT = 10  # seconds; the entry's other settings are the config's defaults

# string.Template ($name), not str.format: the starters are full of braces.
BOT_STARTER = Template('''"""$name: says hello to the Patient it receives.

Started by `invoke new` from the hello-patient starter; make it yours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from medplum_bots import BotEvent, MedplumClient

if TYPE_CHECKING:
    # FHIR types serve the type checker only: a deployed bot never loads them.
    from medplum_bots.fhir import Patient


def handler(medplum: MedplumClient, event: BotEvent[Patient]) -> bool:
    patient = event.input  # a Patient: mypy --strict reports patient["nmae"]
    name = (patient.get("name") or [{}])[0]
    first_name = (name.get("given") or [""])[0]
    last_name = name.get("family", "")
    print(f"Hello {first_name} {last_name}!")
    return True
''')

TEST_STARTER = Template('''"""Tests of the $name bot: its handler against the in-memory Medplum."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from medplum_bots import BotEvent, InMemoryMedplum

from bots.$module import handler

if TYPE_CHECKING:
    from medplum_bots.fhir import Patient


def test_says_hello_to_the_patient(capsys: pytest.CaptureFixture[str]) -> None:
    medplum = InMemoryMedplum().client()
    # Annotated, the test data is checked by mypy; stored, by Medplum's rules (400 if invalid).
    ada: Patient = {"resourceType": "Patient", "name": [{"given": ["Ada"], "family": "Lovelace"}]}
    patient = medplum.create_resource(ada)
    event = BotEvent(bot={"reference": "Bot/$name"}, input=patient)

    assert handler(medplum, event) is True
    assert capsys.readouterr().out == "Hello Ada Lovelace!\\n"
''')


class ScaffoldError(MedplumBotsError):
    """A bot cannot be started with this name (or its files cannot be written)."""


@dataclass(frozen=True)
class ScaffoldedBot:
    """What `new_bot` wrote: the bot module, its test, and the config entry names."""

    name: str
    module: str
    source: Path
    test: Path
    entries: tuple[str, ...]


def module_for(name: str) -> str:
    """The Python module name of a bot name: `lab-results` -> `lab_results`."""
    return name.replace("-", "_")


def check_name(name: str) -> str:
    """Refuse names that cannot become a module or whose entries would be ambiguous."""
    if not NAME.match(name):
        raise ScaffoldError(f"bot name {name!r} must be lower-kebab-case, e.g. 'lab-results'")
    if len(name) > MAX_NAME:
        raise ScaffoldError(f"bot name {name!r} is longer than {MAX_NAME} characters")
    module = module_for(name)
    if keyword.iskeyword(module) or keyword.issoftkeyword(module):
        raise ScaffoldError(f"bot name {name!r} is a Python keyword and cannot name a module")
    if environment_from_name(name, DEFAULT_ENVIRONMENTS):
        raise ScaffoldError(
            f"bot name {name!r} must not end in -staging/-production: entries get those suffixes"
        )
    return module


def entries_for(config: ProjectConfig, name: str, module: str) -> list[dict[str, Any]]:
    """One entry per configured environment (ids empty), as written to the config file."""
    environments = list(config.environments) or list(DEFAULT_ENVIRONMENTS)
    return [
        to_json(
            BotEntry(
                name=f"{name}-{env}",
                id="",
                source=f"src/bots/{module}.py",
                dist=f"dist/bots/{module}.py",
                environment=env,
                description=f"{name} ({env})",
                timeout=TIMEOUT,
                audit_event_trigger=AUDIT_TRIGGER.get(env, DEFAULT_AUDIT_TRIGGER),
                audit_event_destination=("resource",),
            )
        )
        for env in environments
    ]


def new_bot(name: str, config_path: Path | str | None = None) -> ScaffoldedBot:
    """Create the bot module, its test and its config entries, or nothing at all."""
    module = check_name(name)
    config = load_config(config_path)
    root = config.root
    source = root / "src" / "bots" / f"{module}.py"
    test = root / "tests" / f"test_{module}.py"
    entries = entries_for(config, name, module)
    _refuse_existing(config, source, test, entries)
    check_writable(config.path, "the new bot's entries")

    written: list[Path] = []
    try:
        for path, text in (
            (source, BOT_STARTER.substitute(name=name)),
            (test, TEST_STARTER.substitute(name=name, module=module)),
        ):
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite
                written.append(path)
                handle.write(text)
        with config_lock(config.path):
            append_entries(config.path, entries)
    except BaseException as error:
        for path in written:
            path.unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise ScaffoldError(f"cannot write {error.filename}: {error.strerror}") from None
        raise
    return ScaffoldedBot(name, module, source, test, tuple(entry["name"] for entry in entries))


def _refuse_existing(
    config: ProjectConfig, source: Path, test: Path, entries: list[dict[str, Any]]
) -> None:
    root = config.root
    for path in (source, test):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists")
    names = {bot.name for bot in config.bots}
    for entry in entries:
        if entry["name"] in names:
            raise ScaffoldError(f"{config.path.name}: a bot named {entry['name']!r} already exists")
    for bot in config.bots:
        if Path(bot.source) == source.relative_to(root):
            raise ScaffoldError(f"{config.path.name}: {bot.name!r} already uses {bot.source}")
