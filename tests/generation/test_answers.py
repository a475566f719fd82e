"""Bad template answers stop generation with one line naming the answer, leaving nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.template import ROOT, render

BAD_ANSWERS = [
    ("project_slug", "My Project", "project_slug 'My Project' must be lowercase"),
    ("project_slug", "-leading-dash", "project_slug '-leading-dash' must be lowercase"),
    ("project_slug", "9lives", "project_slug '9lives' must be lowercase"),
    ("first_bot_name", "MyBot", "first_bot_name 'MyBot' must be lower-kebab-case"),
    ("first_bot_name", "my_bot", "first_bot_name 'my_bot' must be lower-kebab-case"),
    ("first_bot_name", "bot-", "first_bot_name 'bot-' must be lower-kebab-case"),
    ("first_bot_name", "class", "first_bot_name 'class' is a Python keyword"),
    ("first_bot_name", "intake-staging", "must not end in -staging/-production"),
    ("first_bot_name", "http-helpers", "would overwrite tests/test_http_helpers.py"),
    ("first_bot_name", "hapi-sync-bot", "would overwrite src/bots/hapi_sync_bot.py"),
    ("first_bot_name", "hapi-sync-simple-bot", "would overwrite src/bots/hapi_sync_simple_bot.py"),
    (
        "staging_base_url",
        "api.medplum.com",
        "staging_base_url 'api.medplum.com' must be an http(s) URL",
    ),
    (
        "production_base_url",
        "ftp://x.example/",
        "production_base_url 'ftp://x.example/' must be an http(s) URL",
    ),
    ("staging_base_url", "https://x.example/?a=1", "must not carry a query or fragment"),
    ("staging_project_id", "not an id!", "staging_project_id 'not an id!' is not a valid"),
    ("production_project_id", "x" * 65, "production_project_id"),
]


def generate_cli(output: Path, *answers: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(output),
            str(ROOT),
            *answers,
        ],
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(("field", "value", "message"), BAD_ANSWERS)
def test_bad_answer_fails_with_its_message_and_leaves_nothing(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    result = generate_cli(tmp_path, f"{field}={value}")
    assert result.returncode != 0
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(error_lines) == 1, result.stderr
    assert field in error_lines[0]
    assert message in error_lines[0]
    # The line is all there is: no traceback from cookiecutter after it.
    assert result.stderr.strip().splitlines() == error_lines, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Clínica Señora Bots", "clinica-senora-bots"),
        ("Ärzte_Bots für Köln", "arzte-bots-fur-koln"),
    ],
)
def test_a_non_ascii_project_name_derives_a_valid_slug(
    tmp_path: Path, name: str, slug: str
) -> None:
    result = generate_cli(tmp_path, f"project_name={name}")
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [slug]


def test_a_derived_slug_that_is_still_invalid_says_where_it_came_from(tmp_path: Path) -> None:
    result = generate_cli(tmp_path, "project_name=9 Lives")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "error: project_slug '9-lives' (derived from project_name '9 Lives') must be lowercase "
        "letters and digits separated by '-' or '_': give project_slug yourself, e.g. "
        "project_slug=my-medplum-bots"
    ]
    assert list(tmp_path.iterdir()) == []


def test_every_bad_answer_is_reported_at_once(tmp_path: Path) -> None:
    result = generate_cli(tmp_path, "first_bot_name=Bad", "staging_base_url=x")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert [e.split()[1] for e in errors] == ["first_bot_name", "staging_base_url"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["3.9", "three", "3.14"])
def test_python_version_is_one_of_the_offered_choices(tmp_path: Path, value: str) -> None:
    offered = json.loads((ROOT / "cookiecutter.json").read_text())["python_version"]
    assert offered == ["3.11", "3.12", "3.13"]
    result = generate_cli(tmp_path, f"python_version={value}")
    assert result.returncode != 0
    assert f"{value} provided for choice variable python_version" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["3.11", "3.12", "3.13"])
def test_each_offered_python_version_is_what_the_project_asks_for(
    tmp_path: Path, value: str
) -> None:
    project = render(tmp_path, python_version=value)
    data = tomllib.loads((project / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == f">={value}"
    assert data["tool"]["mypy"]["python_version"] == value
    assert (project / ".python-version").read_text().strip() == value


def test_quotes_and_backslashes_in_free_text_survive(tmp_path: Path) -> None:
    description = 'He said "hi" \\ then \'"""\' left'
    project = render(tmp_path, description=description, author='O\'Brien "Ops"')
    pyproject = (project / "pyproject.toml").read_text()

    data = tomllib.loads(pyproject)
    assert data["project"]["description"] == description
    assert data["project"]["authors"] == [{"name": 'O\'Brien "Ops"'}]


def test_defaults_generate_the_documented_layout(tmp_path: Path) -> None:
    project = render(tmp_path)
    assert project.name == "my-medplum-bots"
    for relative in (
        "src/bots/my_first_bot.py",
        "src/shared/http_helpers.py",
        ".github/dependabot.yml",
        "docs/configuration.md",
        "docs/deploying.md",
        "docs/running-python-bots.md",
        "docs/ci-cd.md",
        "docs/testing.md",
        "docs/writing-bots.md",
        "examples/hello_patient.py",
        "examples/patient.json",
        "tests",
        "tasks.py",
        ".gitignore",
        ".env.example",
        "medplum.config.json",
        "README.md",
    ):
        assert (project / relative).exists(), relative
    assert not (project / "src/bots/hapi_sync_bot.py").exists()
    # The tooling is a pinned dependency, not source in the user's repository.
    assert not list(project.rglob("medplum_bots"))
    names = [
        bot["name"] for bot in json.loads((project / "medplum.config.json").read_text())["bots"]
    ]
    assert names == ["my-first-bot-staging", "my-first-bot-production"]
    assert not list(project.rglob("__pycache__"))


def test_the_generated_pin_is_the_packages_version(tmp_path: Path) -> None:
    package = tomllib.loads((ROOT / "packages/medplum-bots/pyproject.toml").read_text())
    version = package["project"]["version"]
    answers = json.loads((ROOT / "cookiecutter.json").read_text())
    assert answers["__medplum_bots_version"] == version
    project = tomllib.loads((render(tmp_path) / "pyproject.toml").read_text())["project"]
    assert project["dependencies"] == [f"medplum-bots[http]=={version}"]
    assert project["optional-dependencies"]["aws"] == [f"medplum-bots[aws]=={version}"]


def test_the_hook_knows_every_file_a_first_bot_could_overwrite() -> None:
    """Every shipped file named like a bot module or its test is in the pre-gen hook's list."""
    import re

    from hooks.pre_gen_project import SHIPPED_BOT_FILES

    template = ROOT / "{{cookiecutter.project_slug}}"
    shipped = set()
    patterns = (("src/bots", r"[a-z][a-z0-9_]*\.py"), ("tests", r"test_[a-z0-9_]+\.py"))
    for folder, pattern in patterns:
        for path in (template / folder).iterdir():
            # Conditional names ("{% if ... %}x.py{% endif %}") ship x.py in some variants.
            name = re.sub(r"\{%.*?%\}", "", path.name)
            if re.fullmatch(pattern, name) and "{{" not in name and name != "__init__.py":
                shipped.add(f"{folder}/{name}")
    assert shipped == set(SHIPPED_BOT_FILES)
