"""medplum.config.json: Medplum CLI's `bots` list plus our per-bot settings and environments.

The file stays readable by Medplum's own CLI (`name`, `id`, `source`, `dist` per entry; it
ignores the rest). Every problem is reported as one line naming the file, the entry and the
field. Writes go through `write_json_atomic`, so a killed process leaves the old file or the
new one, never a partial one.
"""

from __future__ import annotations

import contextlib
import fcntl
import fnmatch
import json
import os
import posixpath
import tempfile
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from medplum_bots.errors import ConfigError, UnknownBotError
from medplum_bots.triggers import check_criteria, check_cron

CONFIG_FILE = "medplum.config.json"
# Every artifact lives under this directory of the project: a `dist` elsewhere could
# overwrite tasks.py, a source, or a file outside the project.
BUILD_DIR = "dist"
RUNTIME_VERSIONS = ("awslambda", "vmcontext", "fission")
AUDIT_TRIGGERS = ("always", "never", "on-error", "on-output")
AUDIT_DESTINATIONS = ("resource", "log")
INTERACTIONS = ("create", "update", "delete")
RUNTIME_TYPES = ("http", "lambda")
LAMBDA_TIMEOUT_MAX = 900

ENTRY_FIELDS = {
    "name",
    "id",
    "source",
    "dist",
    "environment",
    "description",
    "runtimeVersion",
    "timeout",
    "auditEventTrigger",
    "auditEventDestination",
    "subscriptions",
    "cronString",
}
SUBSCRIPTION_FIELDS = {"criteria", "interactions", "status"}
ENVIRONMENT_FIELDS = {"baseUrl", "projectId", "credentials", "runtime"}
CREDENTIALS_FIELDS = {"prefix", "envFile"}
RUNTIME_FIELDS = {
    "type",
    "url",
    "secretName",
    "region",
    "roleArn",
    "functionPrefix",
    "lambdaRuntime",
    "memorySize",
    "architecture",
}
TOP_FIELDS = {"bots", "environments"}


@dataclass(frozen=True)
class SubscriptionSpec:
    """A Subscription the deployer keeps in place for a bot (identity: `criteria`)."""

    criteria: str
    interactions: tuple[str, ...] = ()
    status: str = "active"


@dataclass(frozen=True)
class RuntimeSpec:
    """Where an environment's Python bots run.

    `http`: a JavaScript forwarder is deployed to Medplum and calls `url` (route 1).
    `lambda`: a Python Lambda is registered as the Bot's external function (route 2).
    """

    type: Literal["http", "lambda"] = "http"
    url: str = ""
    secret_name: str = "MEDPLUM_BOTS_RUNTIME_KEY"
    region: str = ""
    role_arn: str = ""
    function_prefix: str = "medplum-bot-py-"
    lambda_runtime: str = "python3.12"
    memory_size: int = 256
    architecture: str = "x86_64"


@dataclass(frozen=True)
class Environment:
    """A Medplum project the bots deploy to (staging, production...)."""

    name: str
    base_url: str
    project_id: str = ""
    credentials_prefix: str = ""
    env_file: str = ""
    runtime: RuntimeSpec = field(default_factory=RuntimeSpec)


@dataclass(frozen=True)
class BotEntry:
    """One entry of `bots`: one Bot resource in one environment."""

    name: str
    id: str
    source: str
    dist: str
    environment: str
    description: str = ""
    runtime_version: str = "awslambda"
    timeout: int | None = None
    audit_event_trigger: str | None = None
    audit_event_destination: tuple[str, ...] | None = None
    subscriptions: tuple[SubscriptionSpec, ...] = ()
    cron_string: str | None = None

    @property
    def module_name(self) -> str:
        """The artifact's name: the source file's stem (`src/bots/my_bot.py` -> `my_bot`)."""
        return Path(self.source).stem


@dataclass(frozen=True)
class ProjectConfig:
    """The whole parsed config; `root` is the directory holding the file."""

    path: Path
    bots: tuple[BotEntry, ...]
    environments: Mapping[str, Environment]

    @property
    def root(self) -> Path:
        return self.path.parent

    def entry(self, name: str) -> BotEntry:
        """The entry called `name`, or UnknownBotError listing the configured names."""
        for bot in self.bots:
            if bot.name == name:
                return bot
        raise UnknownBotError(f"{self.path.name}: no bot named {name!r}; {self._names()}")

    def select(self, patterns: Iterable[str]) -> list[BotEntry]:
        """Entries matching any pattern (`*` matches any run of characters, whole name).

        Order follows the file; a pattern matching nothing is an error listing the names.
        """
        wanted = [p for p in patterns if p]
        if not wanted:
            return list(self.bots)
        for pattern in wanted:
            if not any(_matches(pattern, bot.name) for bot in self.bots):
                raise UnknownBotError(
                    f"{self.path.name}: no bot matches {pattern!r}; {self._names()}"
                )
        return [bot for bot in self.bots if any(_matches(p, bot.name) for p in wanted)]

    def environment(self, name: str) -> Environment:
        try:
            return self.environments[name]
        except KeyError:
            known = ", ".join(sorted(self.environments)) or "none"
            raise ConfigError(
                f"{self.path.name}: unknown environment {name!r} (configured: {known})"
            ) from None

    def _names(self) -> str:
        names = ", ".join(bot.name for bot in self.bots)
        return f"configured bots: {names}" if names else "no bots are configured"


def _matches(pattern: str, name: str) -> bool:
    # Medplum's CLI treats only '*' as special; escape fnmatch's other metacharacters.
    escaped = "".join("[" + c + "]" if c in "?[]" else c for c in pattern)
    return fnmatch.fnmatchcase(name, escaped)


def find_config(start: Path | None = None) -> Path:
    """The nearest medplum.config.json at or above `start` (default: the working directory)."""
    here = (start or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate
    raise ConfigError(f"{CONFIG_FILE} not found in {here} or any parent directory")


def load_config(path: Path | str | None = None) -> ProjectConfig:
    """Read and validate a config file; every problem is a one-line ConfigError."""
    config_path = Path(path) if path is not None else find_config()
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{config_path}: file not found") from None
    except OSError as error:
        raise ConfigError(f"{config_path}: cannot read ({error.strerror})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{config_path.name}:{error.lineno}:{error.colno}: invalid JSON ({error.msg})"
        ) from None
    return parse_config(data, config_path)


def parse_config(data: Any, path: Path) -> ProjectConfig:
    """Validate already-parsed JSON; `path` names the file in error messages."""
    where = path.name
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: the top level must be an object with a 'bots' list")
    _reject_unknown(data, TOP_FIELDS, where)
    environments = _parse_environments(data.get("environments", {}), where)
    _check_distinct_projects(environments, where)
    bots_raw = data.get("bots")
    if not isinstance(bots_raw, list):
        raise ConfigError(f"{where}: 'bots' must be a list")
    bots: list[BotEntry] = []
    seen: set[str] = set()
    for index, raw in enumerate(bots_raw):
        entry = _parse_entry(raw, index, where, environments)
        if entry.name in seen:
            raise ConfigError(f"{where}: bots[{index}] {entry.name!r}: duplicate name")
        seen.add(entry.name)
        bots.append(entry)
    return ProjectConfig(path=path, bots=tuple(bots), environments=environments)


def _check_distinct_projects(environments: Mapping[str, Environment], where: str) -> None:
    """Two environments on one server and project would deploy each other's bots there."""
    seen: dict[tuple[str, str], str] = {}
    for name, env in environments.items():
        if not env.project_id:
            continue  # not known until deploy time; the deployer compares what it logs into
        key = (env.base_url.rstrip("/").lower(), env.project_id)
        if key in seen:
            raise ConfigError(
                f"{where}: environments {seen[key]!r} and {name!r} both point at project "
                f"{env.project_id} on {env.base_url}: each environment needs its own project"
            )
        seen[key] = name


def _reject_unknown(raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(raw) - allowed)
    if unknown:
        known = ", ".join(sorted(allowed))
        raise ConfigError(f"{where}: unknown field {unknown[0]!r} (known fields: {known})")


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str:
    value = raw.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ConfigError(f"{where}: field {key!r} must be a string")
    if required and not value.strip():
        raise ConfigError(f"{where}: field {key!r} is required")
    return value


def _base_url(value: str, where: str) -> str:
    if not value.startswith(("http://", "https://")) or "//" not in value or value.endswith("//"):
        raise ConfigError(f"{where}: field 'baseUrl' must be an http(s) URL, got {value!r}")
    return value if value.endswith("/") else value + "/"


def _parse_environments(raw: Any, where: str) -> dict[str, Environment]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'environments' must be an object")
    result: dict[str, Environment] = {}
    for name, env_raw in raw.items():
        here = f"{where}: environments.{name}"
        if not isinstance(env_raw, dict):
            raise ConfigError(f"{here}: must be an object")
        _reject_unknown(env_raw, ENVIRONMENT_FIELDS, here)
        credentials = env_raw.get("credentials", {})
        if not isinstance(credentials, dict):
            raise ConfigError(f"{here}: field 'credentials' must be an object")
        _reject_unknown(credentials, CREDENTIALS_FIELDS, f"{here}.credentials")
        default_prefix = name.upper().replace("-", "_") + "_"
        result[name] = Environment(
            name=name,
            base_url=_base_url(_text(env_raw, "baseUrl", here, required=True), here),
            project_id=_text(env_raw, "projectId", here),
            credentials_prefix=_text(credentials, "prefix", f"{here}.credentials")
            or default_prefix,
            env_file=_text(credentials, "envFile", f"{here}.credentials") or f".env.{name}",
            runtime=_parse_runtime(env_raw.get("runtime", {}), f"{here}.runtime"),
        )
    return result


def _parse_runtime(raw: Any, where: str) -> RuntimeSpec:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: must be an object")
    _reject_unknown(raw, RUNTIME_FIELDS, where)
    kind = raw.get("type", "http")
    if kind not in RUNTIME_TYPES:
        raise ConfigError(f"{where}: field 'type' must be one of {', '.join(RUNTIME_TYPES)}")
    memory = raw.get("memorySize", 256)
    if not isinstance(memory, int) or isinstance(memory, bool) or not 128 <= memory <= 10240:
        raise ConfigError(f"{where}: field 'memorySize' must be an integer from 128 to 10240")
    architecture = _text(raw, "architecture", where) or "x86_64"
    if architecture not in ("x86_64", "arm64"):
        raise ConfigError(f"{where}: field 'architecture' must be x86_64 or arm64")
    return RuntimeSpec(
        type=kind,
        url=_text(raw, "url", where),
        secret_name=_text(raw, "secretName", where) or "MEDPLUM_BOTS_RUNTIME_KEY",
        region=_text(raw, "region", where),
        role_arn=_text(raw, "roleArn", where),
        function_prefix=_text(raw, "functionPrefix", where) or "medplum-bot-py-",
        lambda_runtime=_text(raw, "lambdaRuntime", where) or "python3.12",
        memory_size=memory,
        architecture=architecture,
    )


def _parse_entry(
    raw: Any, index: int, where: str, environments: Mapping[str, Environment]
) -> BotEntry:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: bots[{index}] must be an object")
    label = raw.get("name") if isinstance(raw.get("name"), str) else None
    here = f"{where}: bots[{index}]" + (f" {label!r}" if label else "")
    _reject_unknown(raw, ENTRY_FIELDS, here)
    name = _text(raw, "name", here, required=True)
    source = _text(raw, "source", here, required=True)
    dist = _text(raw, "dist", here, required=True)
    if not source.endswith(".py"):
        raise ConfigError(f"{here}: field 'source' must be a .py file, got {source!r}")
    dist = _confined_dist(dist, here)
    environment = _text(raw, "environment", here) or _infer_environment(name, environments)
    if not environment:
        raise ConfigError(
            f"{here}: field 'environment' is required (no environment suffix in the name)"
        )
    if environments and environment not in environments:
        known = ", ".join(sorted(environments))
        raise ConfigError(f"{here}: field 'environment' {environment!r} is not one of: {known}")
    runtime_version = _text(raw, "runtimeVersion", here) or "awslambda"
    if runtime_version not in RUNTIME_VERSIONS:
        raise ConfigError(
            f"{here}: field 'runtimeVersion' must be one of {', '.join(RUNTIME_VERSIONS)}"
        )
    timeout = raw.get("timeout")
    if timeout is not None and (
        not isinstance(timeout, int)
        or isinstance(timeout, bool)
        or not 1 <= timeout <= LAMBDA_TIMEOUT_MAX
    ):
        raise ConfigError(
            f"{here}: field 'timeout' must be whole seconds from 1 to {LAMBDA_TIMEOUT_MAX}"
        )
    trigger = raw.get("auditEventTrigger")
    if trigger is not None and trigger not in AUDIT_TRIGGERS:
        raise ConfigError(
            f"{here}: field 'auditEventTrigger' must be one of {', '.join(AUDIT_TRIGGERS)}"
        )
    destination = _parse_destination(raw.get("auditEventDestination"), here)
    cron = raw.get("cronString")
    if cron is not None and (not isinstance(cron, str) or not cron.strip()):
        raise ConfigError(f"{here}: field 'cronString' must be a non-empty string")
    if cron is not None:
        check_cron(cron, here)
    return BotEntry(
        name=name,
        id=_text(raw, "id", here),
        source=source,
        dist=dist,
        environment=environment,
        description=_text(raw, "description", here),
        runtime_version=runtime_version,
        timeout=timeout,
        audit_event_trigger=trigger,
        audit_event_destination=destination,
        subscriptions=_parse_subscriptions(raw.get("subscriptions", []), here),
        cron_string=cron,
    )


def _confined_dist(dist: str, where: str) -> str:
    """`dist` as a normalised relative path under BUILD_DIR/, or a ConfigError."""
    text = dist.replace("\\", "/")
    normal = posixpath.normpath(text)
    inside = (
        not text.startswith("/")
        and ":" not in normal.split("/")[0]  # a Windows drive letter
        and normal.startswith(BUILD_DIR + "/")
        and ".." not in normal.split("/")
    )
    if not inside or not normal.endswith(".py"):
        raise ConfigError(
            f"{where}: field 'dist' must be a .py path under {BUILD_DIR}/ "
            f"(e.g. {BUILD_DIR}/bots/my_bot.py), got {dist!r}"
        )
    return dist


def _infer_environment(name: str, environments: Mapping[str, Environment]) -> str:
    for env in environments:
        if name.endswith("-" + env):
            return env
    return ""


def _parse_destination(raw: Any, where: str) -> tuple[str, ...] | None:
    if raw is None:
        return None
    values = [raw] if isinstance(raw, str) else raw
    if (
        not isinstance(values, list)
        or not values
        or any(v not in AUDIT_DESTINATIONS for v in values)
    ):
        raise ConfigError(
            f"{where}: field 'auditEventDestination' must be a list of: "
            f"{', '.join(AUDIT_DESTINATIONS)}"
        )
    return tuple(values)


def _parse_subscriptions(raw: Any, where: str) -> tuple[SubscriptionSpec, ...]:
    if not isinstance(raw, list):
        raise ConfigError(f"{where}: field 'subscriptions' must be a list")
    specs: list[SubscriptionSpec] = []
    for index, sub in enumerate(raw):
        here = f"{where}.subscriptions[{index}]"
        if isinstance(sub, str):
            sub = {"criteria": sub}
        if not isinstance(sub, dict):
            raise ConfigError(f"{here}: must be an object or a criteria string")
        _reject_unknown(sub, SUBSCRIPTION_FIELDS, here)
        criteria = _text(sub, "criteria", here, required=True)
        check_criteria(criteria, here)
        interactions = sub.get("interactions", [])
        if isinstance(interactions, str):
            interactions = [interactions]
        if not isinstance(interactions, list) or any(i not in INTERACTIONS for i in interactions):
            raise ConfigError(
                f"{here}: field 'interactions' must be a list of: {', '.join(INTERACTIONS)}"
            )
        status = _text(sub, "status", here) or "active"
        if status not in ("active", "off"):
            raise ConfigError(f"{here}: field 'status' must be active or off")
        if any(s.criteria == criteria for s in specs):
            raise ConfigError(f"{here}: duplicate criteria {criteria!r}")
        specs.append(SubscriptionSpec(criteria, tuple(sorted(set(interactions))), status))
    return tuple(specs)


LOCK_POLL_SECONDS = 0.05


def lock_path(path: Path) -> Path:
    """The lock file beside the config (`.medplum.config.json.lock`); never holds data."""
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def config_lock(path: Path) -> Iterator[None]:
    """Hold the config's lock: one process (or one environment of a run) writes at a time.

    `flock` locks belong to an open file, so two holders in one process exclude each other
    too; the lock goes away with the process, so a killed run never leaves it stuck.
    """
    with open(lock_path(path), "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.asynccontextmanager
async def config_lock_async(path: Path) -> AsyncIterator[None]:
    """`config_lock` for coroutines: polls instead of blocking the event loop."""
    import asyncio

    with open(lock_path(path), "a") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON (2-space indent, trailing newline) via a temp file and rename."""
    text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if path.exists():
            os.chmod(temp, path.stat().st_mode & 0o777)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def read_raw(path: Path) -> dict[str, Any]:
    """The file as JSON, order preserved; validated first so a broken file is never rewritten."""
    load_config(path)
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def append_entries(path: Path, entries: Sequence[Mapping[str, Any]]) -> None:
    """Append bot entries atomically, refusing names already present (hold `config_lock`)."""
    data = read_raw(path)
    names = {bot.get("name") for bot in data.get("bots", [])}
    for entry in entries:
        if entry.get("name") in names:
            raise ConfigError(f"{path.name}: a bot named {entry.get('name')!r} already exists")
        names.add(entry.get("name"))
    data.setdefault("bots", []).extend(dict(entry) for entry in entries)
    parse_config(data, path)
    write_json_atomic(path, data)


def set_bot_ids(path: Path, ids: Mapping[str, str]) -> None:
    """Fill in Bot ids by entry name, atomically; every other field and order is kept.

    Read-modify-write: callers that may run concurrently hold `config_lock`.
    """
    data = read_raw(path)
    for bot in data.get("bots", []):
        if bot.get("name") in ids:
            bot["id"] = ids[bot["name"]]
    write_json_atomic(path, data)
