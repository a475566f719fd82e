"""medplum.config.json mistakes that confused users: one line each, nothing touched."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_standin.fleet import Fleet, open_fleet, standard_entries

from medplum_bots.config import SmokeSpec, load_config, parse_config
from medplum_bots.errors import ConfigError
from tests.oneline.cli import error_line, invoke


@pytest.fixture
def fleet(tmp_path: Path) -> Iterator[Fleet]:
    with ExitStack() as stack:
        fleet = open_fleet(stack, tmp_path / "project")
        fleet.write_config(standard_entries(fleet))
        yield fleet


ENV = {"staging": {"baseUrl": "https://api.example.com/"}}


def _entry(**fields: object) -> dict[str, object]:
    return {
        "name": "x-staging",
        "source": "src/bots/x.py",
        "dist": "dist/bots/x.py",
        **fields,
    }


def _parse(**fields: object) -> object:
    return parse_config(
        {"bots": [_entry(**fields)], "environments": ENV}, Path("medplum.config.json")
    )


def test_a_windows_path_gets_a_hint_to_use_slashes() -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(source="src\\bots\\x.py")
    assert str(caught.value) == (
        "medplum.config.json: bots[0] 'x-staging': field 'source' uses '\\' (src\\bots\\x.py): "
        "write paths with '/', e.g. \"src/bots/x.py\""
    )
    with pytest.raises(ConfigError, match="field 'dist' uses '\\\\'"):
        _parse(dist="dist\\bots\\x.py")


def test_smoke_is_an_input_or_a_file() -> None:
    by_value = _parse(
        smoke={"input": {"resourceType": "Patient"}, "contentType": "application/fhir+json"}
    )
    by_file = _parse(smoke="tests/smoke/x.json")
    assert by_value.bots[0].smoke == SmokeSpec(  # type: ignore[attr-defined]
        input={"resourceType": "Patient"}, content_type="application/fhir+json"
    )
    assert by_file.bots[0].smoke == SmokeSpec(file="tests/smoke/x.json")  # type: ignore[attr-defined]
    for wrong in ({}, {"input": 1, "file": "a.json"}, "../outside.json", {"inpt": 1}):
        with pytest.raises(ConfigError, match=r"bots\[0\] 'x-staging'(\.smoke)?: "):
            _parse(smoke=wrong)


def test_a_missing_smoke_file_stops_the_deploy_before_anything_is_sent(fleet: Fleet) -> None:
    fleet.write_config(standard_entries(fleet, smoke="smoke/missing.json"))
    before = fleet.sites["staging"].request_count()

    done = invoke(
        fleet.root, "deploy", "--no-runtime-check", "--name", "alpha-staging", env=fleet.environ()
    )

    assert done.returncode == 1
    assert error_line(done).startswith("error: bot 'alpha-staging': smoke --input ")
    assert fleet.sites["staging"].request_count() == before


def test_a_read_only_config_is_refused_before_anything_happens(fleet: Fleet) -> None:
    entries = standard_entries(fleet)
    entries.append({**fleet.entry("alpha", "staging"), "name": "delta-staging", "id": ""})
    fleet.write_config(entries)
    path = fleet.config_path
    original = path.read_bytes()
    path.chmod(stat.S_IRUSR | stat.S_IRGRP)
    bots_before = len(
        list(fleet.sites["staging"].standin.store.all("Bot", fleet.sites["staging"].project_id))
    )
    try:
        created = invoke(
            fleet.root,
            "deploy",
            "--no-runtime-check",
            "--create",
            "--name",
            "delta-staging",
            env=fleet.environ(),
        )
        scaffolded = invoke(fleet.root, "new", "--name", "lab-results")
    finally:
        mode = path.stat().st_mode
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
    wanted = "error: medplum.config.json is read-only and this command would rewrite it"
    assert created.returncode == 1 and error_line(created).startswith(wanted)
    assert scaffolded.returncode == 1 and error_line(scaffolded).startswith(wanted)
    assert "chmod u+w medplum.config.json" in error_line(created)
    assert path.read_bytes() == original and not mode & stat.S_IWUSR
    assert not (fleet.root / "src/bots/lab_results.py").exists()
    site = fleet.sites["staging"]
    assert len(list(site.standin.store.all("Bot", site.project_id))) == bots_before
    assert json.loads(original) == json.loads(path.read_text())
    assert load_config(path).entry("delta-staging").id == ""
