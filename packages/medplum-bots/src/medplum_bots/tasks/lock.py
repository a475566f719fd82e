"""The task that writes and checks the project's locked dependency sets: lock."""

from __future__ import annotations

from pathlib import Path

from invoke.context import Context
from invoke.tasks import task

from medplum_bots.tasks.guard import guard


@task(
    help={
        "check": "Write nothing; fail with one line when a lock is missing or no longer "
        "satisfies pyproject.toml (what CI runs).",
        "upgrade": "Move every package to its newest version pyproject.toml allows.",
        "find_links": "Also look for packages in this folder or page (pip --find-links); "
        "repeatable.",
    },
    iterable=["find_links"],
)
def lock(
    c: Context, check: bool = False, upgrade: bool = False, find_links: list[str] | None = None
) -> None:
    """Write requirements.txt and requirements-dev.txt: every package pinned, with hashes.

    Run it after changing pyproject.toml and commit the result: CI, the deploy job and the
    runtime image install only what these files pin (scripts/install-locked.sh). Needs pip-tools
    and, when medplum-bots comes from git, git.
    """
    from medplum_bots.lockfiles import check_locks, write_locks

    root = Path.cwd()
    if check:
        guard(lambda: check_locks(root))
        print("the locks match pyproject.toml")
        return
    for line in guard(lambda: write_locks(root, find_links=find_links or [], upgrade=upgrade)):
        print(line)
