"""The optional Patient-sync examples: present with their entries when asked for, else absent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cookiecutter.exceptions import FailedHookException

from tests.template import render

EXAMPLE_FILES = (
    "src/bots/hapi_sync_bot.py",
    "src/bots/hapi_sync_simple_bot.py",
    "tests/test_hapi_sync_bot.py",
    "tests/test_hapi_sync_simple_bot.py",
)
# Shared code and its test helpers stay either way: they are not examples.
ALWAYS = ("src/shared/http_helpers.py", "tests/test_http_helpers.py", "tests/fhir_endpoint.py")


def entries(project: Path) -> dict[str, dict[str, Any]]:
    config = json.loads((project / "medplum.config.json").read_text())
    return {entry["name"]: entry for entry in config["bots"]}


def test_examples_come_with_a_staging_and_production_entry_each(default_project: Path) -> None:
    for relative in EXAMPLE_FILES + ALWAYS:
        assert (default_project / relative).is_file(), relative
    bots = entries(default_project)
    for bot in ("hapi-sync-bot", "hapi-sync-simple-bot"):
        for env in ("staging", "production"):
            entry = bots[f"{bot}-{env}"]
            assert entry["environment"] == env
            assert entry["id"] == ""
            assert (default_project / entry["source"]).is_file()
            assert entry["subscriptions"] == [
                {"criteria": "Patient", "interactions": ["create", "update", "delete"]}
            ]
    # A short section on the start page; what they do and why they differ from the seed in docs/.
    readme = (default_project / "README.md").read_text()
    assert "## The Patient sync examples" in readme
    assert "EXTERNAL_FHIR_BASE_URL" in readme
    assert "docs/writing-bots.md#the-patient-sync-examples" in readme
    guide = (default_project / "docs/writing-bots.md").read_text()
    assert "## The Patient sync examples" in guide
    assert "X-Medplum-Deleted-Resource" in guide


@pytest.mark.parametrize("answer", [False, "no"])
def test_without_examples_nothing_of_them_is_left(tmp_path: Path, answer: object) -> None:
    project = render(tmp_path, include_sync_examples=answer)

    for relative in EXAMPLE_FILES:
        assert not (project / relative).exists(), relative
    for relative in ALWAYS:
        assert (project / relative).is_file(), relative
    assert not [name for name in entries(project) if name.startswith("hapi-")]
    for page in [project / "README.md", *(project / "docs").glob("*.md")]:
        text = page.read_text()
        assert "hapi" not in text, page
        assert "sync examples" not in text, page


@pytest.mark.parametrize("name", ["hapi-sync-bot", "hapi-sync-simple-bot"])
def test_the_first_bot_cannot_take_an_example_name(tmp_path: Path, name: str) -> None:
    # Without examples the post-gen hook deletes the example files: it would delete this bot.
    with pytest.raises(FailedHookException):
        render(tmp_path, first_bot_name=name)
    assert list(tmp_path.iterdir()) == []
