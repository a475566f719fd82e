"""`invoke rollback` end to end: the stand-in runs the forwarder, the generic runtime (its own
process) runs the artifact it carries. A rollback is a new deploy of the old code, signed
anew; an artifact altered on the server is refused instead of re-signed."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from medplum_standin import MedplumStandIn

from medplum_bots.config import load_config
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.rollback import Rollback, rollback
from medplum_bots.deploy.status import status
from medplum_bots.errors import DeployError
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from tests.runtime.generic import (
    Project,
    carried_artifact,
    served_project,
)

V1 = """
    def handler(medplum, event):
        print("v1 ran")
        return {"version": 1}
"""
V2 = """
    from shared.words import salute


    def handler(medplum, event):
        print("v2 ran")
        return {"version": 2, "hello": salute("Ada")}
"""
WORDS = """
    def salute(name):
        return "Dear " + name
"""


@pytest.fixture
def project(tmp_path: Path, standin: MedplumStandIn) -> Iterator[Project]:
    with served_project(tmp_path, standin) as (made, _runtime):
        yield made


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def commit_all(root: Path, message: str) -> str:
    if not (root / ".git").exists():
        git(root, "init", "-q")
        (root / ".gitignore").write_text("dist/\n")
    git(root, "add", "-A")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD")


def two_deploys(project: Project) -> tuple[str, str]:
    """Deploys v1 then v2, each from its own commit; the two commits."""
    project.add_bot("greeter", V1)
    first = commit_all(project.root, "v1")
    assert project.deploy().ok
    project.write("src/shared/words.py", WORDS)
    project.write("src/bots/greeter.py", V2)
    second = commit_all(project.root, "v2")
    assert project.deploy().ok
    assert project.execute("greeter", {}).json()["version"] == 2
    return first, second


def run_rollback(
    project: Project,
    to: str = "",
    *,
    list_only: bool = False,
    options: DeployOptions | None = None,
    environ: dict[str, str] | None = None,
) -> Rollback:
    return rollback(
        load_config(project.root / "medplum.config.json"),
        "greeter-staging",
        to,
        list_only=list_only,
        options=options,
        connections=Connections(environ=environ or project.environ()),
    )


def test_rollback_deploys_the_previous_code_anew_and_deploy_brings_the_new_back(
    project: Project,
) -> None:
    first_commit, second_commit = two_deploys(project)
    bot_id = project.ids["greeter"]
    listed = run_rollback(project, list_only=True)
    versions = listed.versions
    assert len(versions) == 2 and versions[1].current and not versions[0].current
    assert [v.commit for v in versions] == [first_commit, second_commit]
    assert [v.number for v in versions] == [1, 2]
    before = project.standin.store.read("Bot", bot_id)

    done = run_rollback(project)

    assert done.report is not None and done.chosen is not None
    assert done.report.ok, done.report.table()
    assert done.chosen.version == versions[0].version
    answer = project.execute("greeter", {})
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"version": 1}
    after = project.standin.store.read("Bot", bot_id)
    # A new deploy: new executable code (a new Binary), the old artifact's bytes in it.
    assert after["executableCode"]["url"] not in (
        before["executableCode"]["url"],
        versions[0].executable,
    )
    old = carried_artifact(
        project.standin.store.binary_content(
            versions[0].executable.removeprefix("Binary/")
        ).decode()
    )
    new = carried_artifact(project.executable_code("greeter"))
    assert base64.b64decode(new["code"]) == base64.b64decode(old["code"])
    # Signed anew with a newer deploy sequence than every earlier deploy: the runtime, which
    # refuses a sequence older than one it ran, runs it (the answer above).
    sequences = [
        carried_artifact(project.standin.store.binary_content(v.executable[7:]).decode())[
            "sequence"
        ]
        for v in versions
    ]
    assert new["sequence"] > max(sequences) and new["signature"] != old["signature"]
    source = project.standin.store.binary_content(after["sourceCode"]["url"].split("/")[1])
    assert b"v1 ran" in source
    # The history now shows three deploys, the rollback current.
    relisted = run_rollback(project, list_only=True).versions
    assert len(relisted) == 3 and relisted[2].current
    # It records the commit of the code it runs (v1's), and `invoke status` shows that.
    assert relisted[2].commit == first_commit
    (row,) = status(
        load_config(project.root / "medplum.config.json"),
        connections=Connections(environ=project.environ()),
    )
    assert row.state == "changed locally" and row.commit == first_commit

    # The working tree is v2: the next deploy is not "unchanged", it brings v2 back.
    report = project.deploy()
    assert [o.result for o in report.outcomes] == ["deployed"]
    assert project.execute("greeter", {}).json()["version"] == 2


def test_rollback_to_a_named_version(project: Project) -> None:
    two_deploys(project)
    first = run_rollback(project, list_only=True).versions[0]
    run_rollback(project, first.hash[:8])
    assert project.execute("greeter", {}).json() == {"version": 1}
    run_rollback(project, "2")  # by its number in the list
    assert project.execute("greeter", {}).json()["version"] == 2
    run_rollback(project, first.commit[:7])  # by commit
    assert project.execute("greeter", {}).json() == {"version": 1}
    with pytest.raises(DeployError, match="no deploy '999' in its history"):
        run_rollback(project, "999")


def test_an_artifact_altered_on_the_server_is_not_re_signed(project: Project) -> None:
    two_deploys(project)
    first = run_rollback(project, list_only=True).versions[0]
    binary_id = first.executable.removeprefix("Binary/")
    code = project.standin.store.binary_content(binary_id).decode()
    evil = base64.b64decode(carried_artifact(code)["code"]).replace(b"v1 ran", b"evil ran")
    altered = "\n".join(
        f"const ARTIFACT_CODE = {json.dumps(base64.b64encode(evil).decode())};"
        if line.startswith("const ARTIFACT_CODE = ")
        else line
        for line in code.splitlines()
    )
    assert altered != code
    stored = project.standin.store.read("Binary", binary_id)
    stored["data"] = base64.b64encode(altered.encode()).decode()
    project.standin.store.update(stored, "project-1")

    with pytest.raises(
        DeployError,
        match="is not re-signed: the artifact: its content does not match the signed hash",
    ):
        run_rollback(project, options=DeployOptions())
    assert project.execute("greeter", {}).json()["version"] == 2


def test_code_signed_by_a_key_this_repository_does_not_trust_is_not_re_signed(
    project: Project,
) -> None:
    two_deploys(project)
    other = generate()  # a new deploy key, the old one neither current nor listed as trusted
    with pytest.raises(DeployError, match="is not re-signed: the artifact is signed by deploy key"):
        run_rollback(project, environ=project.environ(other))
    # Listing the old public key as trusted (a rotation) lets the old code be verified; the
    # runtime of this test trusts only the old key, so the deploy itself then fails its check.
    rotated = {
        **project.environ(other),
        "STAGING_MEDPLUM_BOTS_TRUSTED_KEYS": trusted_entry("staging", project.key.public),
    }
    done = run_rollback(project, environ=rotated)
    assert done.report is not None and not done.report.ok
    assert project.execute("greeter", {}).json()["version"] == 2
