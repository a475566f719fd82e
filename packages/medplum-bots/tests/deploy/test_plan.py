"""The deployer's pure decisions: content hash, JSON Patch for identifiers, Subscription plans."""

from __future__ import annotations

from typing import Any

from medplum_bots.config import SubscriptionSpec
from medplum_bots.deploy.plan import content_hash, identifier_ops
from medplum_bots.deploy.subscriptions import (
    INTERACTION_EXTENSION,
    MANAGED_BY,
    desired_subscriptions,
    plan_subscriptions,
)

HASH = "https://medplum-bots-template.dev/deployed-hash"
FUNCTION = "https://medplum.com/bot-external-function-id"


def apply(document: dict[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """A small JSON Patch applier (add/replace/remove/test) for checking the ops' effect."""
    result = {**document, "identifier": [dict(i) for i in document.get("identifier", [])]}
    for op in ops:
        parts = op["path"].strip("/").split("/")
        if parts == ["identifier"]:
            assert op["op"] == "add"
            result["identifier"] = list(op["value"])
            continue
        items = result["identifier"]
        if parts[1] == "-":
            items.append(op["value"])
        elif op["op"] == "remove":
            del items[int(parts[1])]
        elif op["op"] == "test":
            assert items[int(parts[1])][parts[2]] == op["value"]
        else:
            items[int(parts[1])][parts[2]] = op["value"]
    return result


def test_content_hash_changes_with_every_input() -> None:
    base: dict[str, Any] = {
        "artifact_sha256": "a" * 64,
        "executable": {"route": "http", "code": "c"},
        "source": b"print(1)",
        "settings": {"timeout": 10},
        "subscriptions": [{"criteria": "Patient"}],
    }
    variants: list[dict[str, Any]] = [
        {"artifact_sha256": "b" * 64},
        {"executable": {"route": "http", "code": "d"}},
        {"source": b"print(2)"},
        {"settings": {"timeout": 11}},
        {"subscriptions": []},
    ]
    first = content_hash(**base)

    assert content_hash(**base) == first
    assert len({content_hash(**{**base, **v}) for v in variants} | {first}) == 6


def test_identifier_ops_replace_append_and_remove_without_touching_others() -> None:
    bot = {
        "identifier": [
            {"system": FUNCTION, "value": "old-function"},
            {"system": "https://example.com/mine", "value": "keep"},
            {"system": HASH, "value": "old"},
        ]
    }

    patched = apply(bot, identifier_ops(bot["identifier"], {HASH: "new"}, remove=[FUNCTION]))

    assert patched["identifier"] == [
        {"system": "https://example.com/mine", "value": "keep"},
        {"system": HASH, "value": "new"},
    ]


def test_identifier_ops_create_the_list_when_absent_and_skip_equal_values() -> None:
    assert identifier_ops([], {HASH: "h"}) == [
        {"op": "add", "path": "/identifier", "value": [{"system": HASH, "value": "h"}]}
    ]
    assert identifier_ops([{"system": HASH, "value": "h"}], {HASH: "h"}) == []


def test_each_interaction_is_its_own_tagged_subscription() -> None:
    specs = (
        SubscriptionSpec("Patient", ("create", "update")),
        SubscriptionSpec("Observation"),
    )

    desired = desired_subscriptions(specs, "bot-1", "lab-staging")

    assert sorted(desired) == [
        ("Observation", None),
        ("Patient", "create"),
        ("Patient", "update"),
    ]
    patient = desired[("Patient", "update")]
    assert patient["extension"] == [{"url": INTERACTION_EXTENSION, "valueCode": "update"}]
    assert patient["meta"]["tag"] == [{"system": MANAGED_BY, "code": "bot-1"}]
    assert patient["channel"] == {"type": "rest-hook", "endpoint": "Bot/bot-1"}
    assert "extension" not in desired[("Observation", None)]


def test_plan_creates_missing_updates_changed_and_deletes_extra_and_duplicates() -> None:
    desired = desired_subscriptions(
        (SubscriptionSpec("Patient", ("create",)), SubscriptionSpec("Task", status="off")),
        "b",
        "x",
    )
    same_patient = {"id": "1", **desired[("Patient", "create")]}
    duplicate = {"id": "2", **desired[("Patient", "create")]}
    active_task = {"id": "3", **desired[("Task", None)], "status": "active"}
    dropped = {"id": "4", **desired[("Patient", "create")], "criteria": "Encounter"}

    plan = plan_subscriptions([duplicate, dropped, active_task, same_patient], desired)

    assert plan.create == ()
    assert [(s["id"], s["status"]) for s in plan.update] == [("3", "off")]
    assert sorted(plan.delete) == ["2", "4"]
    assert plan.summary() == "subscriptions +0 ~1 -2"

    assert plan_subscriptions([], desired).create == tuple(desired.values())
