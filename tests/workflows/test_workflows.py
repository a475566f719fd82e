"""The generated GitHub workflows: copied verbatim, triggered right, deploying safely."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from medplum_bots.tasks import namespace

from tests.template import TEMPLATE_DIR
from tests.workflows.actions import Event, evaluate, jobs_that_run, triggers

WORKFLOWS = ("ci.yml", "deploy.yml")

PUSH_MAIN = Event("push", "refs/heads/main")
PUSH_BRANCH = Event("push", "refs/heads/feature/lab-results")
PULL_REQUEST = Event("pull_request", "refs/pull/7/merge", "opened")
TAG_V = Event("push", "refs/tags/v1.4.0")
TAG_OTHER = Event("push", "refs/tags/nightly")
RELEASE = Event("release", "refs/tags/1.4.0", "published", {"release": {"tag_name": "1.4.0"}})
RELEASE_DRAFT = Event("release", "refs/tags/1.5.0", "created", {"release": {"tag_name": "1.5.0"}})


def load(project: Path, name: str) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load((project / ".github/workflows" / name).read_text())
    return data


@pytest.fixture(scope="module")
def ci(default_project: Path) -> dict[Any, Any]:
    return load(default_project, "ci.yml")


@pytest.fixture(scope="module")
def deploy(default_project: Path) -> dict[Any, Any]:
    return load(default_project, "deploy.yml")


def steps(workflow: dict[Any, Any], job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = workflow["jobs"][job]["steps"]
    return found


def strings(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every string in a parsed workflow with its path of keys and list indexes."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, (*path, str(key)))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, (*path, str(index)))
    elif isinstance(node, str):
        yield path, node


@pytest.mark.parametrize("name", WORKFLOWS)
def test_workflows_are_copied_byte_for_byte(default_project: Path, name: str) -> None:
    template = (TEMPLATE_DIR / ".github/workflows" / name).read_bytes()
    assert b"${{" in template  # what Jinja would have eaten
    assert (default_project / ".github/workflows" / name).read_bytes() == template


def test_ci_checks_pull_requests_and_branches_but_leaves_main_to_deploy(ci: dict[Any, Any]) -> None:
    assert triggers(ci, PULL_REQUEST)
    assert triggers(ci, PUSH_BRANCH)
    assert not triggers(ci, PUSH_MAIN)  # deploy.yml runs these checks before deploying
    assert not triggers(ci, TAG_V)
    assert "workflow_call" in ci[True]


def test_ci_installs_the_dev_lock_and_runs_lint_test_build(
    ci: dict[Any, Any], default_project: Path
) -> None:
    runs = [step.get("run", "") for step in steps(ci, "check")]
    assert runs.index("sh scripts/install-locked.sh requirements-dev.txt") < runs.index(
        "invoke lock --check"
    )
    assert runs.index("invoke lock --check") < runs.index("invoke lint test build")
    setup = next(s for s in steps(ci, "check") if s.get("uses", "").startswith("actions/setup-py"))
    version_file = default_project / setup["with"]["python-version-file"]
    assert version_file.read_text().strip() == "3.11"  # the default answer


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (PUSH_MAIN, {"check", "runtime-staging", "staging"}),
        (TAG_V, {"check", "runtime-production", "production"}),
        (RELEASE, {"check", "runtime-production", "production"}),
    ],
)
def test_deploy_runs_the_right_jobs(
    deploy: dict[Any, Any], event: Event, expected: set[str]
) -> None:
    assert triggers(deploy, event)
    assert jobs_that_run(deploy, event) == expected


@pytest.mark.parametrize("event", [PUSH_BRANCH, PULL_REQUEST, TAG_OTHER, RELEASE_DRAFT])
def test_deploy_ignores_other_events(deploy: dict[Any, Any], event: Event) -> None:
    assert not triggers(deploy, event)


def test_deploys_wait_for_the_checks_and_run_in_their_environment(
    deploy: dict[Any, Any],
) -> None:
    jobs = deploy["jobs"]
    assert jobs["check"]["uses"] == "./.github/workflows/ci.yml"
    groups = set()
    for environment in ("staging", "production"):
        job = jobs[environment]
        assert job["needs"] == "check"
        assert job["environment"] == environment
        assert environment in job["concurrency"]["group"]
        assert job["concurrency"]["cancel-in-progress"] is False
        groups.add(job["concurrency"]["group"])
        deploy_step = next(s for s in job["steps"] if "invoke deploy" in s.get("run", ""))
        assert deploy_step["run"] == f"invoke deploy --name '*-{environment}'"
    assert len(groups) == 2
    assert "environment" not in jobs["check"]


def test_each_deploy_step_gets_only_its_environments_credentials(
    deploy: dict[Any, Any], default_project: Path
) -> None:
    config = json.loads((default_project / "medplum.config.json").read_text())
    for environment in ("staging", "production"):
        prefix = config["environments"][environment]["credentials"]["prefix"]
        step = next(s for s in steps(deploy, environment) if "env" in s)
        assert step["env"] == {
            f"{prefix}MEDPLUM_CLIENT_ID": "${{ secrets.MEDPLUM_CLIENT_ID }}",
            f"{prefix}MEDPLUM_CLIENT_SECRET": "${{ secrets.MEDPLUM_CLIENT_SECRET }}",
            f"{prefix}MEDPLUM_BASE_URL": "${{ vars.MEDPLUM_BASE_URL }}",
            f"{prefix}MEDPLUM_BOTS_DEPLOY_KEY": "${{ secrets.MEDPLUM_BOTS_DEPLOY_KEY }}",
        }


@pytest.mark.parametrize("name", WORKFLOWS)
def test_secrets_only_reach_step_env_and_are_never_printed(
    default_project: Path, name: str
) -> None:
    workflow = load(default_project, name)
    for path, text in strings(workflow):
        if "secrets." in text:
            # jobs.<job>.steps.<n>.env.<NAME>: nowhere else (not job env, not `run`, not `with`)
            assert path[0] == "jobs" and path[2] == "steps" and path[4] == "env", path
    for job_name, job in workflow["jobs"].items():
        assert "env" not in job, job_name
        for step in job.get("steps", []):
            run = step.get("run", "")
            assert "secrets." not in run and "set -x" not in run
            if "secrets." in json.dumps(step.get("env", {})):
                assert not re.search(r"\b(echo|printf|printenv|env|cat|tee)\b", run), run


@pytest.mark.parametrize("name", WORKFLOWS)
def test_least_privilege(default_project: Path, name: str) -> None:
    workflow = load(default_project, name)
    assert workflow["permissions"] == {"contents": "read"}
    for job_name, job in workflow["jobs"].items():
        if job_name.startswith("runtime-"):
            # Pushing the runtime image to GHCR: the one extra permission, on that job only.
            assert job["permissions"] == {"contents": "read", "packages": "write"}
        else:
            assert "permissions" not in job
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            if "uses" in step:
                # GitHub's own actions only, pinned by commit (test_pinned_actions.py).
                assert re.fullmatch(r"actions/[a-z-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


def test_every_invoke_task_the_workflows_run_exists(default_project: Path) -> None:
    # The generated tasks.py runs medplum-bots' collection; its tasks and flags are these.
    tasks = {
        name: {flag for argument in task.get_arguments() for flag in argument.names}
        for name, task in namespace.tasks.items()
    }
    for name in WORKFLOWS:
        for _, text in strings(load(default_project, name)):
            for command in re.findall(r"^invoke (.+)$", text, re.M):
                task = ""
                for word in command.split():
                    if word.startswith("--"):  # a flag of the task before it
                        assert word[2:].split("=")[0] in tasks[task], f"{name}: invoke {command}"
                    elif not word.startswith(("-", "'")):  # not a value: a task
                        assert word in tasks, f"{name}: invoke {word}"
                        task = word


def test_the_expression_helper_agrees_with_github() -> None:
    context = Event("push", "refs/tags/V2").context()
    assert evaluate("${{ startsWith(github.ref, 'refs/tags/v') }}", context) is True
    assert evaluate("github.event_name == 'PUSH' && !github.event.release", context) is True
    assert not evaluate("github.event_name != 'push' || github.ref == 'refs/heads/main'", context)
    with pytest.raises(ValueError, match="unsupported function"):
        evaluate("hashFiles('x')", context)


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def _commit(repo: Path, name: str, text: str) -> str:
    (repo / name).write_text(text)
    _git(repo, "add", name)
    _git(repo, "commit", "-q", "-m", f"change {name}")
    return _git(repo, "rev-parse", "HEAD")


@pytest.mark.parametrize("case", ["input-early-in-push", "no-input", "first-push", "force-push"])
def test_runtime_image_rebuild_looks_at_the_whole_push(
    deploy: dict[Any, Any], tmp_path: Path, case: str
) -> None:
    [step] = [s for s in steps(deploy, "runtime-staging") if s.get("id") == "inputs"]
    assert step["env"] == {"BEFORE": "${{ github.event.before }}", "AFTER": "${{ github.sha }}"}
    [build] = [s for s in steps(deploy, "runtime-staging") if "docker build" in s.get("run", "")]
    assert build["if"] == "steps.inputs.outputs.changed == 'true'"
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    before = _commit(repo, "Dockerfile", "FROM python:3.11\n")
    if case == "input-early-in-push":
        _commit(repo, "Dockerfile", "FROM python:3.12\n")  # not the push's last commit
    _commit(repo, "bot.py", "x = 1\n")
    after = _commit(repo, "bot.py", "x = 2\n")
    if case == "first-push":
        before = "0" * 40
    elif case == "force-push":
        before = "1234567" * 5 + "12345"  # rewritten away: not in this history
    output = tmp_path / "output"
    env = {**os.environ, "BEFORE": before, "AFTER": after, "GITHUB_OUTPUT": str(output)}
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=repo, env=env, check=True)
    expected = "false" if case == "no-input" else "true"
    assert output.read_text() == f"changed={expected}\n"


def test_every_secret_has_one_name_in_the_workflow_the_docs_and_deploy_key(
    deploy: dict[Any, Any], default_project: Path
) -> None:
    from medplum_bots.runtime.deploy_keys import generate, where_each_half_goes

    used = {
        name
        for _, text in strings(deploy)
        for name in re.findall(r"secrets\.([A-Z_]+)", text)
        if name != "GITHUB_TOKEN"
    }
    assert used == {"MEDPLUM_CLIENT_ID", "MEDPLUM_CLIENT_SECRET", "MEDPLUM_BOTS_DEPLOY_KEY"}
    ci_cd = (default_project / "docs/ci-cd.md").read_text()
    table = set(re.findall(r"^\s*\| `([A-Z_]+)` \|", ci_cd, re.MULTILINE))
    assert table == used  # the set-up steps name exactly the secrets the workflow reads
    # `invoke deploy-key` tells CI users the very name the deploy job reads.
    printed = where_each_half_goes(generate(), "staging", "STAGING_")
    assert "CI: the secret MEDPLUM_BOTS_DEPLOY_KEY of the GitHub environment 'staging'" in printed
    docs = "\n".join(p.read_text() for p in (default_project / "docs").glob("*.md"))
    for name in re.findall(r"secret `([A-Z_]+)` of the GitHub environment", docs):
        assert name in used, name
