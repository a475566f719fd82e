"""What a deploy records on each Bot, and what those records tell later runs.

Every deploy's final JSON Patch sets these identifiers on the Bot (beside the content hash,
`plan.DEPLOYED_HASH`):

- `MANAGED_BY` = `<repository>|<entry name>`: which repository's which config entry manages
  the Bot. `invoke status` and every deploy find the Bots a repository manages with one
  search (`identifier=MANAGED_BY|`, every value of the system) and call those whose entry the
  config no longer names orphans.
- `DEPLOYED_BY` = the profile the deployer logged in as (`ClientApplication/<id>`). Medplum
  sets `meta.author` to the profile of whoever wrote a resource last, and our final patch is
  the deploy's last write, so right after a deploy `meta.author` equals this record. Anyone
  else writing the Bot (the Medplum app's editor, a `$deploy` of other code, a changed
  `auditEventTrigger`) changes `meta.author`: drift, seen in the Bot search's answer itself,
  without a request per Bot. (Medplum's `meta.versionId` is a random UUID the server assigns
  on each write, so a Bot cannot carry the version its own final write gets; the version a
  deploy made is the oldest version in `Bot/{id}/_history` carrying its `DEPLOYED_AT`.)
- `DEPLOYED_COMMIT` = the git commit deployed, `+dirty` appended when the work tree had
  uncommitted changes (the deploy warns in one line), `unknown` outside a git checkout.
- `DEPLOYED_AT` = when the deploy wrote the Bot (UTC, ISO 8601, seconds).

The repository identity is the `[project] name` of the pyproject.toml beside
medplum.config.json (the generated project's slug): it is the same in every clone and CI
checkout, unlike a directory name, and a project keeps it for life. A repository without one
falls back to its directory's name.
"""

from __future__ import annotations

import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medplum_bots.deploy.plan import DEPLOYED_HASH, changed_settings, identifier_value
from medplum_bots.deploy.subscriptions import MANAGED_BY as MANAGED_BY

if TYPE_CHECKING:
    from medplum_bots.config import ProjectConfig
    from medplum_bots.deploy.targets import Target

SYSTEM_BASE = "https://medplum-bots-template.dev/"
# MANAGED_BY is the system the managed Subscriptions' tag uses too: on a Subscription its code
# names the Bot, on a Bot its identifier value names the repository entry.
DEPLOYED_BY = SYSTEM_BASE + "deployed-by"
DEPLOYED_COMMIT = SYSTEM_BASE + "deployed-commit"
DEPLOYED_AT = SYSTEM_BASE + "deployed-at"
DIRTY = "+dirty"
UNKNOWN_COMMIT = "unknown"


def repository_identity(root: Path) -> str:
    """The name this repository signs its Bots with (see the module docstring)."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        data = {}
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) and name else root.resolve().name


def managed_value(repository: str, entry: str) -> str:
    return f"{repository}|{entry}"


def managed_entry(value: str | None, repository: str) -> str | None:
    """The entry name of a MANAGED_BY value of `repository`; None for another repository's."""
    if value is None:
        return None
    owner, bar, entry = value.partition("|")
    return entry if bar and owner == repository and entry else None


@dataclass(frozen=True)
class Provenance:
    """The commit a deploy ships and whether the work tree had uncommitted changes."""

    commit: str
    dirty: bool = False

    @property
    def record(self) -> str:
        return self.commit + (DIRTY if self.dirty else "")

    def warning(self) -> str | None:
        """One line for a deploy from a dirty tree."""
        if not self.dirty:
            return None
        return (
            f"warning: uncommitted changes are deployed (recorded as {self.record[:12]}"
            f"{DIRTY}); commit them so the Bots name the code they run"
        )


def git_provenance(root: Path) -> Provenance:
    """HEAD and the dirty flag of the git work tree holding `root` (`unknown` outside one)."""
    try:
        head = _git(root, "rev-parse", "HEAD")
        status = _git(root, "status", "--porcelain", "--untracked-files=normal")
    except (OSError, subprocess.CalledProcessError):
        return Provenance(UNKNOWN_COMMIT)
    return Provenance(head.strip(), bool(status.strip()))


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


def now_record() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def author_of(bot: Mapping[str, Any]) -> str | None:
    """The profile that wrote the Bot last (`meta.author.reference`), when the server says."""
    author = (bot.get("meta") or {}).get("author")
    reference = author.get("reference") if isinstance(author, dict) else None
    return reference if isinstance(reference, str) else None


@dataclass(frozen=True)
class Stewardship:
    """Which Bots a repository manages: its identity, every entry name its config has (not
    only the selected ones), and what a deploy from it records."""

    repository: str
    names: frozenset[str]
    provenance: Provenance
    deployed_at: str

    @classmethod
    def of(cls, config: ProjectConfig) -> Stewardship:
        return cls(
            repository_identity(config.root),
            frozenset(entry.name for entry in config.bots),
            git_provenance(config.root),
            now_record(),
        )

    def managed_value(self, target: Target) -> str:
        return managed_value(self.repository, target.entry.name)

    def entry_of(self, bot: Mapping[str, Any]) -> str | None:
        """The entry name a Bot is managed as by this repository, or None."""
        return managed_entry(identifier_value(bot, MANAGED_BY), self.repository)

    def orphan_entry(self, bot: Mapping[str, Any]) -> str | None:
        """The entry name of a Bot this repository manages and the config no longer names."""
        name = self.entry_of(bot)
        return name if name is not None and name not in self.names else None


def drift(bot: Mapping[str, Any], settings: Mapping[str, Any]) -> str | None:
    """How a Bot carrying its deployed hash changed on the server since, or None.

    Read from the Bot the search returned, nothing else: someone else wrote it last
    (`meta.author` is not the deploy's `DEPLOYED_BY`), or a setting we set differs.
    """
    since = deployed_since(bot)
    deployed_by = identifier_value(bot, DEPLOYED_BY)
    author = author_of(bot)
    if deployed_by and author and author != deployed_by:
        return f"changed on the server by {author}{since}"
    changed = changed_settings(bot, settings)
    if changed:
        return f"changed on the server{since}: " + "; ".join(changed)
    return None


def deployed_since(bot: Mapping[str, Any]) -> str:
    """` since the deploy of <commit> at <time>`, from the Bot's records (empty without)."""
    commit = identifier_value(bot, DEPLOYED_COMMIT)
    at = identifier_value(bot, DEPLOYED_AT)
    if not commit and not at:
        return ""
    return f" since the deploy of {short_commit(commit or UNKNOWN_COMMIT)}" + (
        f" at {at}" if at else ""
    )


def short_commit(record: str) -> str:
    """A DEPLOYED_COMMIT value shortened for a table: 12 hex digits, `+dirty` kept."""
    dirty = record.endswith(DIRTY)
    return record.removesuffix(DIRTY)[:12] + (DIRTY if dirty else "")


def orphan_detail(bot: Mapping[str, Any], name: str) -> str:
    hashed = " (deployed)" if identifier_value(bot, DEPLOYED_HASH) else ""
    return (
        f"Bot/{bot['id']}{hashed} is managed by this repository but medplum.config.json no "
        f"longer names {name!r}: `invoke retire --name {name}` turns it off and deletes it"
    )
