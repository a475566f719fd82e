"""medplum.config.json: Medplum CLI's `bots` list plus our per-bot settings and environments.

The file stays readable by Medplum's own CLI (`name`, `id`, `source`, `dist` per entry; it
ignores the rest). Every problem is reported as one line naming the file, the entry and the
field. Writes go through `write_json_atomic`, so a killed process leaves the old file or the
new one, never a partial one.
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import os
import posixpath
import stat
import tempfile
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields, is_dataclass, replace
from pathlib import Path
from typing import Any, Literal, TypeVar

from medplum_bots.errors import ConfigError, UnknownBotError
from medplum_bots.triggers import check_criteria, check_cron
from medplum_bots.urls import normalize_base_url

CONFIG_FILE = "medplum.config.json"
# Every artifact lives under this directory of the project: a `dist` elsewhere could
# overwrite tasks.py, a source, or a file outside the project.
BUILD_DIR = "dist"
# Medplum's Bot runtimes; the first is the default, for an entry and for `invoke create`.
RUNTIME_VERSIONS = ("awslambda", "vmcontext", "fission")
DEFAULT_RUNTIME_VERSION = RUNTIME_VERSIONS[0]
AUDIT_TRIGGERS = ("always", "never", "on-error", "on-output")
AUDIT_DESTINATIONS = ("resource", "log")
INTERACTIONS = ("create", "update", "delete")
RUNTIME_TYPES = ("http", "lambda")
LAMBDA_TIMEOUT_MAX = 900
TOP_FIELDS = {"bots", "environments"}

# How each JSON field maps to a dataclass field: the field's metadata under this key holds a
# `Setting`. Parsing, the unknown-field check, defaults (the dataclass defaults) and
# serialisation (`to_json`) all read these declarations, so a field is declared in one place.
SETTING = "medplum_bots.config"


class Invalid(ValueError):
    """A field's value is wrong; the message completes "field 'x' ..."."""


@dataclass(frozen=True)
class Setting:
    """One JSON field: its path (`("credentials", "prefix")` for a nested one) and its check."""

    path: tuple[str, ...]
    check: Callable[[Any, str], Any]
    required: bool = False
    # The value when the file leaves the field out (None: the dataclass default).
    absent: Any = None

    @property
    def key(self) -> str:
        return self.path[-1]


def setting(
    key: str,
    check: Callable[[Any, str], Any] | None = None,
    *,
    default: Any = MISSING,
    factory: Callable[[], Any] | Any = MISSING,
    required: bool = False,
    absent: Any = None,
) -> Any:
    """A dataclass field read from JSON field `key` ("a.b" for a nested object)."""
    meta = {SETTING: Setting(tuple(key.split(".")), check or _text, required, absent)}
    if factory is not MISSING:
        return field(default_factory=factory, metadata=meta)
    return field(default=default, metadata=meta)


def _text(value: Any, here: str) -> str:
    if not isinstance(value, str):
        raise Invalid("must be a string")
    return value


def _one_of(choices: Sequence[str]) -> Callable[[Any, str], str]:
    def check(value: Any, here: str) -> str:
        if value not in choices:
            raise Invalid(f"must be one of {', '.join(choices)}")
        return str(value)

    return check


def _whole(low: int, high: int, what: str) -> Callable[[Any, str], int]:
    def check(value: Any, here: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise Invalid(f"must be {what} from {low} to {high}")
        return value

    return check


def _base_url(value: Any, here: str) -> str:
    url = _text(value, here)
    try:
        return normalize_base_url(url)  # the one rule for base URLs
    except ValueError:
        raise Invalid(f"must be an http(s) URL, got {url!r}") from None


def _no_backslash(path: str) -> None:
    if "\\" in path:
        # Windows' separator: on Linux (CI, the runtime image) it is part of a file name.
        fixed = path.replace("\\", "/")
        raise Invalid(f"uses '\\' ({path}): write paths with '/', e.g. \"{fixed}\"")


def _source(value: Any, here: str) -> str:
    source = _text(value, here)
    _no_backslash(source)
    if not source.endswith(".py"):
        raise Invalid(f"must be a .py file, got {source!r}")
    return source


def _confined_dist(value: Any, here: str) -> str:
    """`dist` as a relative .py path under BUILD_DIR/, or Invalid."""
    dist = _text(value, here)
    _no_backslash(dist)
    text = dist
    normal = posixpath.normpath(text)
    inside = (
        not text.startswith("/")
        and ":" not in normal.split("/")[0]  # a Windows drive letter
        and normal.startswith(BUILD_DIR + "/")
        and ".." not in normal.split("/")
    )
    if not inside or not normal.endswith(".py"):
        raise Invalid(
            f"must be a .py path under {BUILD_DIR}/ (e.g. {BUILD_DIR}/bots/my_bot.py), got {dist!r}"
        )
    return dist


def _non_empty(value: Any, here: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid("must be a non-empty string")
    return value


def _cron(value: Any, here: str) -> str:
    cron = _non_empty(value, here)
    check_cron(cron, here)  # one that Medplum's cron worker would ignore is an error
    return cron


def _criteria(value: Any, here: str) -> str:
    criteria = _non_empty(value, here)
    check_criteria(criteria, here)  # one that Medplum could never match is an error
    return criteria


def _destinations(value: Any, here: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if (
        not isinstance(values, list)
        or not values
        or any(v not in AUDIT_DESTINATIONS for v in values)
    ):
        raise Invalid(f"must be a list of: {', '.join(AUDIT_DESTINATIONS)}")
    return tuple(values)


def _interactions(value: Any, here: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or any(i not in INTERACTIONS for i in values):
        raise Invalid(f"must be a list of: {', '.join(INTERACTIONS)}")
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class SubscriptionSpec:
    """A Subscription the deployer keeps in place for a bot (identity: `criteria`)."""

    criteria: str = setting("criteria", _criteria, required=True)
    interactions: tuple[str, ...] = setting("interactions", _interactions, default=())
    status: str = setting("status", _one_of(("active", "off")), default="active")


def _subscriptions(value: Any, here: str) -> tuple[SubscriptionSpec, ...]:
    if not isinstance(value, list):
        raise Invalid("must be a list")
    specs: list[SubscriptionSpec] = []
    for index, sub in enumerate(value):
        where = f"{here}.subscriptions[{index}]"
        if not isinstance(sub, dict | str):
            raise ConfigError(f"{where}: must be an object or a criteria string")
        spec = from_json(
            SubscriptionSpec, {"criteria": sub} if isinstance(sub, str) else sub, where
        )
        if any(s.criteria == spec.criteria for s in specs):
            raise ConfigError(f"{where}: duplicate criteria {spec.criteria!r}")
        specs.append(spec)
    return tuple(specs)


def _any(value: Any, here: str) -> Any:
    return value


def _relative_file(value: Any, here: str) -> str:
    path = _text(value, here)
    _no_backslash(path)
    if path.startswith("/") or ".." in path.split("/"):
        raise Invalid(f"must be a path inside the project, got {path!r}")
    return path


@dataclass(frozen=True)
class SmokeSpec:
    """What `invoke deploy` runs a bot on (`$execute`) right after deploying it.

    Either `input` (the value itself) or `file` (a project-relative input file, read like
    `invoke execute --input`); `contentType` as for `invoke execute --content-type`.
    """

    input: Any = setting("input", _any, default=None)  # noqa: RUF009 (a field, not a call)
    file: str | None = setting("file", _relative_file, default=None)
    content_type: str | None = setting("contentType", _non_empty, default=None)


def _smoke(value: Any, here: str) -> SmokeSpec:
    where = f"{here}.smoke"
    spec = (
        SmokeSpec(file=_relative_file(value, where))
        if isinstance(value, str)
        else from_json(SmokeSpec, value, where)
    )
    if (spec.input is None) == (spec.file is None):
        raise ConfigError(
            f"{where}: give either 'input' (the value) or 'file' (an input file), "
            'e.g. "smoke": {"input": {"resourceType": "Patient"}} or "smoke": "tests/smoke.json"'
        )
    return spec


@dataclass(frozen=True)
class RuntimeSpec:
    """Where an environment's Python bots run.

    `http`: a JavaScript forwarder is deployed to Medplum and calls `url` (route 1).
    `lambda`: a Python Lambda is registered as the Bot's external function (route 2).
    """

    type: Literal["http", "lambda"] = setting("type", _one_of(RUNTIME_TYPES), default="http")
    url: str = setting("url", default="")
    secret_name: str = setting("secretName", default="MEDPLUM_BOTS_RUNTIME_KEY")
    region: str = setting("region", default="")
    role_arn: str = setting("roleArn", default="")
    function_prefix: str = setting("functionPrefix", default="medplum-bot-py-")
    lambda_runtime: str = setting("lambdaRuntime", default="python3.12")
    memory_size: int = setting("memorySize", _whole(128, 10240, "an integer"), default=256)
    architecture: str = setting("architecture", _one_of(("x86_64", "arm64")), default="x86_64")


def _runtime(value: Any, here: str) -> RuntimeSpec:
    return from_json(RuntimeSpec, value, f"{here}.runtime")


@dataclass(frozen=True)
class Environment:
    """A Medplum project the bots deploy to (staging, production...).

    `name` is its key in `environments`; the credentials' prefix and file default to
    `<NAME>_` and `.env.<name>` (`environment_defaults`).
    """

    name: str
    base_url: str = setting("baseUrl", _base_url, required=True)
    project_id: str = setting("projectId", default="")
    credentials_prefix: str = setting("credentials.prefix", default="")
    env_file: str = setting("credentials.envFile", default="")
    # setting() is a dataclass field with a default_factory: no shared mutable default.
    runtime: RuntimeSpec = setting("runtime", _runtime, factory=RuntimeSpec)  # noqa: RUF009


def environment_defaults(name: str) -> dict[str, str]:
    """What an environment called `name` has unless its config says otherwise."""
    return {
        "name": name,
        "credentials_prefix": name.upper().replace("-", "_") + "_",
        "env_file": f".env.{name}",
    }


def environment_from_name(name: str, environments: Iterable[str]) -> str:
    """The environment a `-<environment>` suffix of an entry name names, or ""."""
    for env in environments:
        if name.endswith("-" + env):
            return env
    return ""


@dataclass(frozen=True)
class BotEntry:
    """One entry of `bots`: one Bot resource in one environment."""

    name: str = setting("name", required=True)
    id: str = setting("id", absent="")
    source: str = setting("source", _source, required=True)
    dist: str = setting("dist", _confined_dist, required=True)
    # Empty in the file: taken from a `-<environment>` suffix of the name (`parse_config`).
    environment: str = setting("environment", absent="")
    description: str = setting("description", default="")
    runtime_version: str = setting(
        "runtimeVersion", _one_of(RUNTIME_VERSIONS), default=DEFAULT_RUNTIME_VERSION
    )
    timeout: int | None = setting(
        "timeout", _whole(1, LAMBDA_TIMEOUT_MAX, "whole seconds"), default=None
    )
    audit_event_trigger: str | None = setting(
        "auditEventTrigger", _one_of(AUDIT_TRIGGERS), default=None
    )
    audit_event_destination: tuple[str, ...] | None = setting(
        "auditEventDestination", _destinations, default=None
    )
    subscriptions: tuple[SubscriptionSpec, ...] = setting(
        "subscriptions", _subscriptions, default=()
    )
    cron_string: str | None = setting("cronString", _cron, default=None)
    # Run after each deploy of this entry; a failure fails the deploy (docs: deploy checks).
    smoke: SmokeSpec | None = setting("smoke", _smoke, default=None)  # noqa: RUF009

    @property
    def module_name(self) -> str:
        """The artifact's name: the source file's stem (`src/bots/my_bot.py` -> `my_bot`)."""
        return Path(self.source).stem


T = TypeVar("T")


def _settings(cls: type[Any]) -> list[tuple[Field[Any], Setting]]:
    return [(f, f.metadata[SETTING]) for f in fields(cls) if SETTING in f.metadata]


def _absent(value: Any) -> bool:
    # null, "" and blanks mean "not given": the dataclass default applies.
    return value is None or (isinstance(value, str) and not value.strip())


def from_json(cls: type[T], raw: Any, here: str, **given: Any) -> T:
    """`cls` from a JSON object by its declared settings; `given` are values (or defaults)
    that are not in the object. Every problem is one ConfigError naming `here` and the field."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{here}: must be an object")
    declared = _settings(cls)
    groups = {s.path[0] for _, s in declared}
    _reject_unknown(raw, groups, here)
    objects: dict[tuple[str, ...], Mapping[str, Any]] = {(): raw}
    for _, s in declared:
        parent = s.path[:-1]
        if parent not in objects:
            inner = objects[parent[:-1]].get(parent[-1], {})
            inner_here = f"{here}.{'.'.join(parent)}"
            if not isinstance(inner, dict):
                raise ConfigError(f"{here}: field {parent[-1]!r} must be an object")
            children = {t.path[len(parent)] for _, t in declared if t.path[:-1] == parent}
            _reject_unknown(inner, children, inner_here)
            objects[parent] = inner
    values = dict(given)
    for f, s in declared:
        value = objects[s.path[:-1]].get(s.key)
        if _absent(value):
            if s.required:
                raise ConfigError(f"{here}: field {s.key!r} is required")
            if s.absent is not None:
                values.setdefault(f.name, s.absent)
            continue
        try:
            values[f.name] = s.check(value, here)
        except Invalid as error:
            raise ConfigError(f"{here}: field {s.key!r} {error}") from None
    return cls(**values)


def to_json(value: Any) -> Any:
    """A config dataclass as the JSON the file holds (fields set to None are left out)."""
    if is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f, s in _settings(type(value)):
            item = getattr(value, f.name)
            if item is None:
                continue
            target = out
            for part in s.path[:-1]:
                target = target.setdefault(part, {})
            target[s.key] = to_json(item)
        return out
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    return value


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


def _parse_environments(raw: Any, where: str) -> dict[str, Environment]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: 'environments' must be an object")
    return {
        name: from_json(
            Environment, env_raw, f"{where}: environments.{name}", **environment_defaults(name)
        )
        for name, env_raw in raw.items()
    }


def _parse_entry(
    raw: Any, index: int, where: str, environments: Mapping[str, Environment]
) -> BotEntry:
    label = raw.get("name") if isinstance(raw, dict) and isinstance(raw.get("name"), str) else None
    here = f"{where}: bots[{index}]" + (f" {label!r}" if label else "")
    entry = from_json(BotEntry, raw, here)
    environment = entry.environment or environment_from_name(entry.name, environments)
    if not environment:
        raise ConfigError(
            f"{here}: field 'environment' is required (no environment suffix in the name)"
        )
    if environments and environment not in environments:
        known = ", ".join(sorted(environments))
        raise ConfigError(f"{here}: field 'environment' {environment!r} is not one of: {known}")
    return entry if environment == entry.environment else replace(entry, environment=environment)


def lock_path(path: Path) -> Path:
    """The lock file beside the config (`.medplum.config.json.lock`); never holds data."""
    return path.parent / f".{path.name}.lock"


@contextlib.contextmanager
def config_lock(path: Path) -> Iterator[None]:
    """Hold the config's lock: one process (or one environment of a run) writes at a time.

    filelock's locks are the operating system's (`flock`, Windows' `LockFileEx`) on a
    descriptor of their own, so two holders in one process exclude each other too, and the
    lock goes away with the process: a killed run never leaves it stuck.
    """
    # Imported here: the Lambda zip and the runtime read the config but never write it, and
    # do not carry filelock.
    from filelock import FileLock

    with FileLock(lock_path(path)):
        yield


@contextlib.asynccontextmanager
async def config_lock_async(path: Path) -> AsyncIterator[None]:
    """`config_lock` for coroutines: waits without blocking the event loop."""
    from filelock import AsyncFileLock

    async with AsyncFileLock(lock_path(path)):
        yield


def check_writable(path: Path, why: str = "") -> None:
    """Refuse to rewrite a file its owner made read-only (ConfigError, one line).

    `write_json_atomic` replaces the file by a rename, which the read-only bit does not stop,
    so the bit is checked here, and by commands that would record something in the config
    before they do anything (`why` says what they would record).
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    if not mode & stat.S_IWUSR:
        purpose = f" ({why})" if why else ""
        raise ConfigError(
            f"{path.name} is read-only and this command would rewrite it{purpose}: make it "
            f"writable (chmod u+w {path.name}) and run the command again"
        )


def write_json_atomic(path: Path, data: Any) -> None:
    """Write JSON (2-space indent, trailing newline) via a temp file and rename; a read-only
    file is refused (`check_writable`)."""
    check_writable(path)
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def write_text_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Write `text` via a temp file in the same directory and rename: readers see the old
    file or the new one, never part of it. `mode` (e.g. 0o600 for secrets) is set before the
    rename; without it an existing file keeps its mode (a new one gets mkstemp's 0o600)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        elif path.exists():
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
