"""`invoke build --changed`: the bots whose artifact differs from a git ref or the last build."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from medplum_bots.build.bundle import changed_artifacts
from medplum_bots.config import load_config
from medplum_bots.errors import BuildError
from tests.build.projects import build, make_project, write_files

HANDLER = "def handler(medplum, event):\n    return True\n"
FILES = {
    "src/bots/__init__.py": "",
    "src/bots/alpha.py": "from shared.text import title\n" + HANDLER,
    "src/bots/beta.py": "import shared.fhir\n" + HANDLER,
    "src/bots/gamma.py": "import json\n" + HANDLER,
    "src/shared/__init__.py": "",
    "src/shared/text.py": "def title(s): return s.title()\n",
    "src/shared/fhir.py": "from shared.text import title\ndef family(p): ...\n",
    "src/shared/other.py": "X = 1\n",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose subdirectory `bots-project/` is the project, committed once."""
    project = make_project(tmp_path / "bots-project", FILES, ["alpha", "beta", "gamma"])
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "initial")
    return project


def _entries(project: Path, ref: str | None) -> list[str]:
    config = load_config(project / "medplum.config.json")
    return [name for item in changed_artifacts(config, (), ref) for name in item.entries]


def test_a_shared_module_change_lists_exactly_the_bots_importing_it(repo: Path) -> None:
    assert _entries(repo, "main") == []
    write_files(repo, {"src/shared/text.py": "def title(s): return s.upper()\n"})

    # alpha imports it directly, beta through shared.fhir; gamma does not import it.
    assert _entries(repo, "main") == [
        "alpha-staging",
        "alpha-production",
        "beta-staging",
        "beta-production",
    ]
    config = load_config(repo / "medplum.config.json")
    reasons = {c.name: c.reason for c in changed_artifacts(config, (), "HEAD")}
    assert reasons == {"alpha": "changed since HEAD", "beta": "changed since HEAD"}


def test_unused_shared_modules_and_new_bots_against_a_ref(repo: Path) -> None:
    write_files(repo, {"src/shared/other.py": "X = 2\n", "src/bots/delta.py": HANDLER})
    config = load_config(repo / "medplum.config.json")
    assert changed_artifacts(config, (), "main") == []  # nobody imports shared.other

    make_project(repo, {}, ["alpha", "beta", "gamma", "delta"])  # add delta's entries
    config = load_config(repo / "medplum.config.json")
    changed = changed_artifacts(config, ("delta-*", "gamma-*"), "main")
    assert [(c.name, c.entries, c.reason) for c in changed] == [
        ("delta", ("delta-staging", "delta-production"), "not in main")
    ]


def test_without_a_ref_the_last_build_is_the_reference(repo: Path) -> None:
    assert len(_entries(repo, None)) == 6  # nothing built yet: everything differs
    build(repo)
    assert _entries(repo, None) == []
    write_files(repo, {"src/shared/fhir.py": "def family(p): return None\n"})
    assert _entries(repo, None) == ["beta-staging", "beta-production"]
    assert not (repo / "dist/bots/beta.py").read_text().count("return None")  # nothing written


def test_bad_refs_and_non_repositories_are_one_line_errors(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    config = load_config(repo / "medplum.config.json")
    with pytest.raises(BuildError, match=r"^unknown git ref 'no-such-branch'$"):
        changed_artifacts(config, (), "no-such-branch")
    outside = make_project(tmp_path_factory.mktemp("not-a-repo"), FILES, ["alpha"])
    with pytest.raises(BuildError, match=r"not inside a git repository"):
        changed_artifacts(load_config(outside / "medplum.config.json"), (), "main")
