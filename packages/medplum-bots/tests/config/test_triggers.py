"""Subscription criteria and cron strings Medplum would never fire are config errors."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from medplum_bots.config import load_config
from medplum_bots.errors import ConfigError
from medplum_bots.triggers import is_valid_cron

REPO_ROOT = Path(__file__).resolve().parents[4]
CRON_VALIDATOR = REPO_ROOT / "node_modules" / "cron-validator"

ENTRY = {
    "name": "intake-staging",
    "source": "src/bots/intake.py",
    "dist": "dist/bots/intake.py",
}
STAGING = {"baseUrl": "https://staging.example.org", "projectId": "p-1"}


def _load(tmp_path: Path, entry: dict[str, Any], **environments: Any) -> Any:
    data = {"bots": [{**ENTRY, **entry}], "environments": environments or {"staging": STAGING}}
    path = tmp_path / "medplum.config.json"
    path.write_text(json.dumps(data))
    return load_config(path)


def _error(tmp_path: Path, entry: dict[str, Any], **environments: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, entry, **environments)
    return str(caught.value)


@pytest.mark.parametrize(
    ("criteria", "said"),
    [
        ("Patinet", "'Patinet' is not a FHIR resource type Medplum knows"),
        ("Patinet?name=x", "'Patinet' is not a FHIR resource type Medplum knows"),
        ("Patient?nmae=Homer", "Patient has no search parameter 'nmae'"),
        ("Observation?code=1234-5&sujbect=Patient/1", "no search parameter 'sujbect'"),
    ],
)
def test_criteria_medplum_cannot_match_are_refused(
    tmp_path: Path, criteria: str, said: str
) -> None:
    message = _error(tmp_path, {"subscriptions": [criteria]})
    assert message.startswith("medplum.config.json: bots[0] 'intake-staging'.subscriptions[0]")
    assert said in message and "never fire" in message and "\n" not in message


@pytest.mark.parametrize(
    "criteria",
    [
        "Patient",
        "Patient?name=Homer",
        "Patient?name:contains=hom&_lastUpdated=gt2024-01-01",
        "Observation?code=http://loinc.org|1234-5&subject=Patient/1",
        "Observation?subject.name=x",
        "QuestionnaireResponse?questionnaire=Questionnaire/intake&status=completed",
    ],
)
def test_criteria_medplum_can_match_load(tmp_path: Path, criteria: str) -> None:
    config = _load(tmp_path, {"subscriptions": [criteria]})
    assert config.bots[0].subscriptions[0].criteria == criteria


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        (
            "every day at 9",
            "it has 4 fields, Medplum's cron takes 5 (minute hour day month weekday)",
        ),
        ("0 9 * * MON", "its day of week field 'MON' is not digits from 0 to 6"),
    ],
)
def test_a_bad_cron_string_names_the_problem_and_an_example(
    tmp_path: Path, cron: str, problem: str
) -> None:
    message = _error(tmp_path, {"cronString": cron})
    assert message == (
        f"medplum.config.json: bots[0] 'intake-staging': field 'cronString' {cron!r}: "
        f"{problem}, so Medplum would never run it "
        "(e.g. '0 9 * * *' is every day at 09:00 UTC; '*/15 * * * 1-5' every 15 minutes on "
        "weekdays)"
    )


def test_a_cron_string_medplum_accepts_loads(tmp_path: Path) -> None:
    assert _load(tmp_path, {"cronString": "*/15 8-17 * * 1-5"}).bots[0].cron_string


CRON_CASES = [
    "* * * * *",
    "0 9 * * *",
    "*/15 * * * 1-5",
    "0,30 8-17/2 1-15 1,6,12 0",
    "59 23 31 12 6",
    "60 * * * *",
    "0 24 * * *",
    "0 0 0 * *",
    "0 0 * 13 *",
    "0 0 * * 7",
    "0 9 * * MON",
    "0 9 * JAN *",
    "0 0 9 * * *",
    "0 9 * *",
    "every day at 9",
    "*/0 * * * *",
    "*/ * * * *",
    "*/5/2 * * * *",
    "5-1 * * * *",
    "1-2-3 * * * *",
    "*-5 * * * *",
    "0 9 ? * *",
    "0 9 * * ?",
    "1, * * * *",
    ",1 * * * *",
    "  0   9 * * *  ",
    "0 9 * * 1#2",
    "00 09 * * *",
    "+1 * * * *",
    "0x1 * * * *",
    "",
]


def test_cron_rule_agrees_with_cron_validator_medplums_check() -> None:
    if not (CRON_VALIDATOR / "package.json").exists() or shutil.which("node") is None:
        pytest.fail("run `npm ci` at the repository root: cron-validator is this test's oracle")
    script = (
        "const {isValidCron} = require(process.argv[1]);"
        "const cases = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "console.log(JSON.stringify(cases.map((c) => isValidCron(c))));"
    )
    done = subprocess.run(
        ["node", "-e", script, str(CRON_VALIDATOR)],
        input=json.dumps(CRON_CASES),
        capture_output=True,
        text=True,
        check=True,
    )
    expected = json.loads(done.stdout)
    assert sum(expected) >= 5 and not all(expected)  # both kinds are exercised
    assert [is_valid_cron(case) for case in CRON_CASES] == expected


def test_two_environments_on_one_project_are_refused(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        {},
        staging=STAGING,
        production={"baseUrl": "https://STAGING.example.org/", "projectId": "p-1"},
    )
    assert message == (
        "medplum.config.json: environments 'staging' and 'production' both point at project "
        "p-1 on https://staging.example.org/: each environment needs its own project"
    )


def test_environments_on_other_projects_or_servers_load(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        {},
        staging=STAGING,
        production={"baseUrl": "https://staging.example.org", "projectId": "p-2"},
        other={"baseUrl": "https://other.example.org", "projectId": "p-1"},
    )
    assert set(config.environments) == {"staging", "production", "other"}
