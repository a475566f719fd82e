"""medplum.config.json: every problem is one line naming the file, the entry and the field."""

from __future__ import annotations

import asyncio
import copy
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest

from medplum_bots.config import (
    append_entries,
    config_lock,
    config_lock_async,
    load_config,
    set_bot_ids,
    to_json,
    write_json_atomic,
)
from medplum_bots.errors import ConfigError, UnknownBotError

ENTRY = {
    "name": "intake-staging",
    "id": "bot-1",
    "source": "src/bots/intake.py",
    "dist": "dist/bots/intake.py",
    "environment": "staging",
}
BASE: dict[str, Any] = {
    "bots": [
        ENTRY,
        {**ENTRY, "name": "intake-production", "id": "bot-2", "environment": "production"},
        {**ENTRY, "name": "triage-staging", "id": "", "source": "src/bots/triage.py"},
    ],
    "environments": {
        "staging": {"baseUrl": "https://staging.example.org"},
        "production": {"baseUrl": "https://api.medplum.com/"},
    },
}


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "medplum.config.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2))
    return path


def error_for(tmp_path: Path, data: Any) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, data))
    message = str(caught.value)
    assert "\n" not in message
    return message


def with_bot(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["bots"][0].update(changes)
    return data


def test_a_valid_file_is_parsed_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE))
    staging = config.entry("intake-staging")
    assert staging.module_name == "intake"
    assert staging.runtime_version == "awslambda"
    assert config.environment("staging").base_url == "https://staging.example.org/"
    assert config.environment("staging").credentials_prefix == "STAGING_"
    assert config.environment("production").env_file == ".env.production"
    assert config.environment("production").runtime.type == "http"


def test_invalid_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    message = error_for(tmp_path, '{\n  "bots": [,]\n}')
    assert message.startswith("medplum.config.json:2:")
    assert "invalid JSON" in message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({**BASE, "bot": []}, "medplum.config.json: unknown field 'bot'"),
        (with_bot(timout=5), "bots[0] 'intake-staging': unknown field 'timout'"),
        (with_bot(runtimeVersion="python"), "field 'runtimeVersion' must be one of"),
        (with_bot(timeout=901), "field 'timeout' must be whole seconds from 1 to 900"),
        (with_bot(timeout=True), "field 'timeout' must be whole seconds"),
        (with_bot(auditEventTrigger="sometimes"), "field 'auditEventTrigger' must be one of"),
        (with_bot(auditEventDestination=["db"]), "field 'auditEventDestination' must be a list"),
        (with_bot(source="src/bots/intake.ts"), "field 'source' must be a .py file"),
        (with_bot(name=""), "bots[0]: field 'name' is required"),
        (with_bot(id=7), "field 'id' must be a string"),
        (with_bot(environment="qa"), "field 'environment' 'qa' is not one of: production, staging"),
        (
            with_bot(subscriptions=[{"criteria": "Patient", "interactions": ["read"]}]),
            "subscriptions[0]: field 'interactions' must be a list of: create, update, delete",
        ),
        (
            with_bot(subscriptions=["Patient", {"criteria": "Patient"}]),
            "subscriptions[1]: duplicate criteria 'Patient'",
        ),
        (
            {**BASE, "bots": [ENTRY, ENTRY]},
            "bots[1] 'intake-staging': duplicate name",
        ),
        (
            {**BASE, "environments": {"staging": {"baseUrl": "staging.example.org"}}},
            "environments.staging: field 'baseUrl' must be an http(s) URL",
        ),
        (
            {
                **BASE,
                "environments": {"staging": {"baseUrl": "https://x/", "runtime": {"type": "k8s"}}},
            },
            "environments.staging.runtime: field 'type' must be one of http, lambda",
        ),
        ([], "the top level must be an object"),
        (
            {**BASE, "environments": {"staging": {"baseUrl": "https://x/", "credentials": []}}},
            "environments.staging: field 'credentials' must be an object",
        ),
        (
            {
                **BASE,
                "environments": {
                    "staging": {"baseUrl": "https://x/", "credentials": {"prefx": "S_"}}
                },
            },
            "environments.staging.credentials: unknown field 'prefx' (known fields: envFile, "
            "prefix)",
        ),
        (
            {
                **BASE,
                "environments": {
                    "staging": {"baseUrl": "https://x/", "runtime": {"memorySize": 64}}
                },
            },
            "environments.staging.runtime: field 'memorySize' must be an integer from 128 to 10240",
        ),
    ],
)
def test_each_problem_names_the_entry_and_the_field(
    tmp_path: Path, data: Any, expected: str
) -> None:
    assert expected in error_for(tmp_path, data)


def test_null_or_an_empty_string_means_the_default(tmp_path: Path) -> None:
    data = with_bot(runtimeVersion=None, description="", timeout=None)
    data["environments"]["staging"]["credentials"] = {"prefix": "", "envFile": None}
    config = load_config(write(tmp_path, data))
    assert config.entry("intake-staging").runtime_version == "awslambda"
    assert config.environment("staging").credentials_prefix == "STAGING_"
    assert config.environment("staging").env_file == ".env.staging"


def test_environment_is_taken_from_the_name_suffix_when_absent(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    del data["bots"][1]["environment"]
    assert load_config(write(tmp_path, data)).entry("intake-production").environment == "production"
    data["bots"][1]["name"] = "intake-prod"
    assert "field 'environment' is required" in error_for(tmp_path, data)


def test_patterns_select_in_file_order_with_star_only(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, BASE))
    assert [b.name for b in config.select(["*-staging"])] == ["intake-staging", "triage-staging"]
    assert [b.name for b in config.select(["triage-*", "intake-production"])] == [
        "intake-production",
        "triage-staging",
    ]
    assert [b.name for b in config.select(["*"])] == [b["name"] for b in BASE["bots"]]
    with pytest.raises(UnknownBotError) as caught:
        config.select(["intake-stagin?"])  # '?' is literal, as in Medplum's CLI
    assert "no bot matches 'intake-stagin?'" in str(caught.value)
    assert "intake-staging, intake-production, triage-staging" in str(caught.value)


def test_append_keeps_other_entries_their_order_and_unknown_top_level_layout(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, BASE)
    new = {**ENTRY, "name": "followup-staging", "source": "src/bots/followup.py"}
    append_entries(path, [new])
    data = json.loads(path.read_text())
    assert [b["name"] for b in data["bots"]] == [
        "intake-staging",
        "intake-production",
        "triage-staging",
        "followup-staging",
    ]
    assert data["bots"][:3] == BASE["bots"]
    assert list(data) == ["bots", "environments"]
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="a bot named 'followup-staging' already exists"):
        append_entries(path, [new])
    assert path.read_bytes() == before


def test_append_refuses_an_entry_that_would_make_the_file_invalid(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    before = path.read_bytes()
    with pytest.raises(ConfigError, match="unknown field 'colour'"):
        append_entries(path, [{**ENTRY, "name": "x-staging", "colour": "red"}])
    assert path.read_bytes() == before


def test_set_bot_ids_changes_only_the_ids(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    set_bot_ids(path, {"triage-staging": "bot-3"})
    data = json.loads(path.read_text())
    expected = copy.deepcopy(BASE)
    expected["bots"][2]["id"] = "bot-3"
    assert data == expected


def test_a_crash_while_writing_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, BASE)
    before = path.read_bytes()

    def crash(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        write_json_atomic(path, {"bots": []})
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["medplum.config.json"]


@pytest.mark.parametrize(
    "dist",
    ["tasks.py", "../../x.py", "/tmp/x.py", "dist/../tasks.py", "src/bots/intake.py", "dist/x.txt"],
)
def test_dist_must_stay_under_the_build_directory(tmp_path: Path, dist: str) -> None:
    message = error_for(tmp_path, with_bot(dist=dist))

    assert message == (
        "medplum.config.json: bots[0] 'intake-staging': field 'dist' must be a .py path under "
        f"dist/ (e.g. dist/bots/my_bot.py), got {dist!r}"
    )


def test_the_config_lock_excludes_a_second_holder_in_the_same_process(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    entered = threading.Event()

    def second() -> None:
        with config_lock(path):
            entered.set()

    with config_lock(path):
        thread = threading.Thread(target=second)
        thread.start()
        assert not entered.wait(0.3)  # waits while the first holder writes
    assert entered.wait(10)
    thread.join()


def test_coroutines_take_the_config_lock_in_turn(tmp_path: Path) -> None:
    path = write(tmp_path, BASE)
    events: list[str] = []

    async def holder(name: str) -> None:
        async with config_lock_async(path):
            events.append(f"{name} in")
            await asyncio.sleep(0.05)
            events.append(f"{name} out")

    async def both() -> None:
        await asyncio.gather(holder("a"), holder("b"))

    asyncio.run(both())
    assert events in (["a in", "a out", "b in", "b out"], ["b in", "b out", "a in", "a out"])


def test_serialised_entries_parse_back_to_the_same_entries(tmp_path: Path) -> None:
    data = with_bot(
        timeout=30,
        auditEventTrigger="on-error",
        subscriptions=["Patient", {"criteria": "Task", "interactions": ["update", "create"]}],
        cronString="0 * * * *",
    )
    config = load_config(write(tmp_path, data))
    written = {**data, "bots": [to_json(bot) for bot in config.bots]}
    assert load_config(write(tmp_path, written)).bots == config.bots
    assert to_json(config.bots[0])["subscriptions"][1] == {
        "criteria": "Task",
        "interactions": ["create", "update"],
        "status": "active",
    }
