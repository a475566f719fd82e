"""Where the tooling comes from (package index or the template's git tag) and the hashed locks.

Both variants are really installed: the index one with medplum-bots from this checkout's wheel
(`--find-links`, as from an index), the git one from a local git repository made of this
checkout's packages/medplum-bots and tagged like a release. Each lock goes into a fresh venv
through scripts/install-locked.sh, the script CI, the deploy job and the Dockerfile run; every
other package comes from the package index, checked against the lock's hashes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.generation.test_answers import generate_cli
from tests.template import ROOT, WHEELS, render, run_in, wheel

VERSION = tomllib.loads((ROOT / "packages/medplum-bots/pyproject.toml").read_text())["project"][
    "version"
]
TAG = f"medplum-bots-v{VERSION}"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.M)


def git(cwd: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def tooling_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository holding this checkout's packages/medplum-bots, tagged as a release.

    Returns its path and the commit the (annotated) tag names.
    """
    repo = tmp_path_factory.mktemp("template-repo")
    shutil.copytree(
        ROOT / "packages/medplum-bots",
        repo / "packages/medplum-bots",
        ignore=shutil.ignore_patterns(
            "build", "*.egg-info", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache"
        ),
    )
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "release")
    git(repo, "tag", "-a", TAG, "-m", "release")
    return repo, git(repo, "rev-parse", "HEAD")


def fresh_venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(where)], check=True)
    return where / "bin" / "python"


def install_locked(
    project: Path, python: Path, lock: str, *pip: str
) -> subprocess.CompletedProcess[str]:
    """scripts/install-locked.sh as CI runs it, into the venv of `python`."""
    env = {**os.environ, "PYTHON": str(python)}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["sh", "scripts/install-locked.sh", lock, *pip],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


def in_venv(project: Path, python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m <args>` in `project` with only that venv's packages (the project uninstalled)."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = f"{python.parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [str(python), "-m", *args], cwd=project, env=env, capture_output=True, text=True
    )


def assert_every_pin_is_hashed(lock: Path) -> dict[str, str]:
    text = lock.read_text()
    pins = {name.lower(): version for name, version in PIN.findall(text)}
    assert pins, text[:500]
    for block in re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1]):
        if re.match(r"[A-Za-z0-9]", block):
            assert "--hash=sha256:" in block, block
    return pins


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "invoke lock" in lines[0]
    return lines[0]


def test_the_git_answer_pins_the_template_repository_at_the_release_tag(tmp_path: Path) -> None:
    project = render(tmp_path, tooling_source="git", template_repository="https://git.example/t")
    data = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    source = f"git+https://git.example/t@{TAG}#subdirectory=packages/medplum-bots"
    assert data["dependencies"] == [f"medplum-bots[http] @ {source}"]
    assert data["optional-dependencies"]["aws"] == [f"medplum-bots[aws] @ {source}"]
    dependabot = (project / ".github/dependabot.yml").read_text()
    assert "never moves that tag" in dependabot
    # The docs of this variant say how its tooling is installed and updated, fully rendered.
    for page in (project / "README.md", project / "docs/ci-cd.md"):
        text = page.read_text()
        assert "{%" not in text and "cookiecutter." not in text, page
    assert "requirements-tooling.txt" in (project / "docs/ci-cd.md").read_text()
    assert "https://git.example/t" in (project / "README.md").read_text()
    dockerfile = (project / "Dockerfile").read_text()
    assert "apt-get install -y --no-install-recommends git" in dockerfile
    assert "apt-get purge -y --auto-remove git" in dockerfile


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("github.com/org/repo", "must be a git URL"),
        ("ftp://x.example/repo", "must be a git URL"),
        ("https://x.example/repo@v1", "must not carry '@'"),
        ("https://x.example/repo#frag", "must not carry '@'"),
    ],
)
def test_a_bad_template_repository_is_refused_with_one_line(
    tmp_path: Path, value: str, message: str
) -> None:
    done = generate_cli(tmp_path, "tooling_source=git", f"template_repository={value}")
    assert done.returncode != 0
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert errors == [errors[0]] and message in errors[0] and "template_repository" in errors[0]
    assert list(tmp_path.iterdir()) == []
    # The same URL is no concern of the index variant, which never uses it.
    assert generate_cli(tmp_path, f"template_repository={value}").returncode == 0


def test_an_unknown_tooling_source_is_refused(tmp_path: Path) -> None:
    done = generate_cli(tmp_path, "tooling_source=svn")
    assert done.returncode != 0
    assert "svn provided for choice variable tooling_source" in done.stderr


def test_index_variant_lock_installs_hash_checked_and_reports_staleness(tmp_path: Path) -> None:
    project = render(tmp_path / "gen")
    missing = install_locked(project, Path(sys.executable), "requirements.txt")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "error: requirements.txt is missing: run `invoke lock` and commit the result"
    ]
    assert one_line_error(run_in(project, "invoke", "lock", "--check")).startswith(
        "error: requirements.txt is missing"
    )

    made = run_in(project, "invoke", "lock", "--find-links", str(WHEELS))
    assert made.returncode == 0, made.stderr
    runtime = assert_every_pin_is_hashed(project / "requirements.txt")
    dev = assert_every_pin_is_hashed(project / "requirements-dev.txt")
    assert runtime["medplum-bots"] == dev["medplum-bots"] == VERSION
    assert {"pytest", "mypy", "pip-tools", "boto3"} <= set(dev) and "pytest" not in runtime
    # The wheel's own hash is the one the lock asks for; no local path or index leaks in.
    digest = hashlib.sha256(wheel().read_bytes()).hexdigest()
    assert f"--hash=sha256:{digest}" in (project / "requirements.txt").read_text()
    assert str(WHEELS) not in (project / "requirements.txt").read_text()
    assert "index-url" not in (project / "requirements-dev.txt").read_text()
    for name in ("requirements.txt", "requirements-dev.txt"):
        text = (project / name).read_text()
        assert "#    invoke lock\n" in text and ".requirements" not in text  # no scratch name
    assert not list(project.glob(".requirements*"))  # scratch files are gone
    assert not (project / "requirements-tooling.txt").exists()
    assert run_in(project, "invoke", "lock", "--check").returncode == 0

    python = fresh_venv(tmp_path / "venv")
    done = install_locked(project, python, "requirements.txt", "--find-links", str(WHEELS))
    assert done.returncode == 0, done.stderr[-2000:]
    installed = in_venv(project, python, "pip", "freeze", "--all")
    assert f"medplum-bots=={VERSION}" in installed.stdout.splitlines()
    assert "pytest==" not in installed.stdout  # the runtime set only
    listed = in_venv(project, python, "invoke", "--list")
    assert "lock" in listed.stdout, listed.stderr

    # A package whose file does not match the lock's hash is refused.
    tampered = tmp_path / "tampered"
    shutil.copytree(project, tampered)
    lock = tampered / "requirements.txt"
    text = lock.read_text()
    block = re.search(r"^anyio==.*?(?=^\S)", text, re.M | re.S)
    assert block is not None
    zeroed = re.sub(r"sha256:\w+", "sha256:" + "0" * 64, block.group(0))
    lock.write_text(text.replace(block.group(0), zeroed))
    refused = install_locked(
        tampered, fresh_venv(tmp_path / "venv2"), "requirements.txt", "--find-links", str(WHEELS)
    )
    assert refused.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in refused.stderr

    # pyproject.toml changed, lock not: one line, exit 1, naming the file, the package, the fix.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"pytest>=8",', '"pytest>=8",\n  "rich>=13",')
    )
    line = one_line_error(run_in(project, "invoke", "lock", "--check"))
    assert line.startswith("error: requirements-dev.txt is stale: it has no rich")
    pyproject.write_text(pyproject.read_text().replace('"rich>=13"', '"pytest>=99"'))
    line = one_line_error(run_in(project, "invoke", "lock", "--check"))
    assert "pyproject.toml asks for pytest>=99" in line


def test_git_variant_installs_from_the_tag_pinned_to_its_commit(
    tmp_path: Path, tooling_repo: tuple[Path, str]
) -> None:
    repo, commit = tooling_repo
    project = render(tmp_path / "gen", tooling_source="git", template_repository=repo.as_uri())
    made = run_in(project, "invoke", "lock")
    assert made.returncode == 0, made.stderr
    assert f"= commit {commit}" in made.stdout

    tooling = (project / "requirements-tooling.txt").read_text()
    source = f"git+{repo.as_uri()}@{commit}#subdirectory=packages/medplum-bots"
    assert f"\nmedplum-bots @ {source}\n" in tooling
    for name in ("requirements.txt", "requirements-dev.txt"):
        pins = assert_every_pin_is_hashed(project / name)
        # No hash for a git checkout: medplum-bots is out, its dependencies and its builder in.
        assert "medplum-bots" not in pins
        assert {"httpx", "invoke", "cryptography", "setuptools"} <= set(pins), name
    assert run_in(project, "invoke", "lock", "--check").returncode == 0

    python = fresh_venv(tmp_path / "venv")
    done = install_locked(project, python, "requirements-dev.txt")
    assert done.returncode == 0, done.stderr[-2000:]
    direct_url = next(
        (python.parent.parent / "lib").glob("python*/site-packages/medplum_bots-*/direct_url.json")
    )
    recorded = json.loads(direct_url.read_text())
    assert recorded["vcs_info"]["commit_id"] == commit
    assert recorded["url"] == repo.as_uri()

    checked = in_venv(project, python, "invoke", "lock", "--check")
    assert checked.returncode == 0, checked.stderr
    lint = in_venv(project, python, "invoke", "lint")
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr[-2000:]
    tests = in_venv(project, python, "invoke", "test")
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]

    # Another tag in pyproject.toml than the one locked: stale, in one line.
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(TAG, "medplum-bots-v9.9.9"))
    line = one_line_error(in_venv(project, python, "invoke", "lock", "--check"))
    assert line.startswith("error: requirements-tooling.txt is stale")
    # ...and locking it names the tag the repository lacks, leaving the locks as they were.
    before = (project / "requirements.txt").read_text()
    unknown = in_venv(project, python, "invoke", "lock")
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        f"error: {repo.as_uri()} has no tag or branch 'medplum-bots-v9.9.9'"
    )
    assert (project / "requirements.txt").read_text() == before
