"""Every remote action, in the generated workflows and in this repository's own, is pinned by
commit SHA with the version it is in a comment, and Dependabot keeps those pins current."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from tests.template import ROOT, TEMPLATE_DIR

WORKFLOW_FILES = sorted(
    path for root in (TEMPLATE_DIR, ROOT) for path in (root / ".github/workflows").glob("*.yml")
)
USES = re.compile(r"^\s*(?:-\s+)?uses:\s*(?P<ref>\S+)(?P<comment>.*)$")
PINNED = re.compile(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}")
VERSION_COMMENT = re.compile(r"\s+# v\d+\.\d+\.\d+\s*$")


def remote_uses(path: Path) -> list[tuple[int, str, str]]:
    """(line number, reference, rest of the line) of each `uses:` naming a remote action."""
    found = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = USES.match(line)
        if match and not match["ref"].startswith(("./", "docker://")):
            found.append((number, match["ref"], match["comment"]))
    return found


def test_the_workflows_use_remote_actions() -> None:
    # Both sets of workflows exist and use actions: the check below has something to check.
    assert {p.parent.parent.parent for p in WORKFLOW_FILES} == {TEMPLATE_DIR, ROOT}
    assert sum(len(remote_uses(p)) for p in WORKFLOW_FILES) >= 10


@pytest.mark.parametrize("path", WORKFLOW_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_remote_action_is_pinned_by_sha_with_its_version(path: Path) -> None:
    for number, ref, comment in remote_uses(path):
        where = f"{path.relative_to(ROOT)}:{number}: {ref}"
        assert PINNED.fullmatch(ref), f"{where} is not pinned by a 40-hex commit SHA"
        assert VERSION_COMMENT.match(comment), f"{where} lacks a '# vX.Y.Z' comment"


def test_a_tag_pin_is_refused_by_the_check(tmp_path: Path) -> None:
    workflow = tmp_path / "w.yml"
    workflow.write_text(
        "jobs:\n  a:\n    steps:\n"
        "      - uses: actions/checkout@v4\n"
        "      - uses: actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065\n"
        "      - uses: ./.github/actions/local\n"
    )
    found = remote_uses(workflow)
    assert [ref for _, ref, _ in found] == [
        "actions/checkout@v4",
        "actions/setup-python@a26af69be951a213d495a4c3e4e4022e16d87065",
    ]
    assert not PINNED.fullmatch(found[0][1])
    assert not VERSION_COMMENT.match(found[1][2])


@pytest.mark.parametrize("which", ["generated", "template"])
def test_dependabot_updates_the_action_pins(which: str, default_project: Path) -> None:
    root = default_project if which == "generated" else ROOT
    config = yaml.safe_load((root / ".github/dependabot.yml").read_text())
    ecosystems = {u["package-ecosystem"]: u for u in config["updates"]}
    assert ecosystems["github-actions"]["directory"] == "/"
