"""The deployer's pure decisions: content hash, JSON Patch for identifiers, Subscription plans."""

from __future__ import annotations

from typing import Any

import pytest

from medplum_bots.config import SubscriptionSpec
from medplum_bots.deploy.plan import bot_patch, content_hash, merged_identifiers
from medplum_bots.deploy.records import MANAGED_BY as MANAGED
from medplum_bots.deploy.subscriptions import (
    INTERACTION_EXTENSION,
    MANAGED_BY,
    desired_subscriptions,
    plan_subscriptions,
)
from medplum_bots.testing.json_patch import PatchError, apply_patch

HASH = "https://medplum-bots-template.dev/deployed-hash"
FUNCTION = "https://medplum.com/bot-external-function-id"


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


def test_the_final_patch_sets_whole_identifiers_keeping_others_and_is_safe_to_repeat() -> None:
    bot = {
        "resourceType": "Bot",
        "identifier": [
            {"system": FUNCTION, "value": "old-function"},
            {"system": "https://example.com/mine", "value": "keep"},
            {"system": HASH, "value": "old"},
        ],
    }
    ops = bot_patch(
        bot,
        source_attachment={"url": "Binary/1"},
        settings={"timeout": 5},
        identifiers={HASH: "new", MANAGED: "repo|alpha"},
        remove_identifiers=[FUNCTION],
    )

    once = apply_patch(bot, ops)

    assert once["identifier"] == [
        {"system": "https://example.com/mine", "value": "keep"},
        {"system": HASH, "value": "new"},
        {"system": MANAGED, "value": "repo|alpha"},
    ]
    assert once["timeout"] == 5 and once["sourceCode"] == {"url": "Binary/1"}
    # Sent again (a retry after a lost answer), the guard refuses rather than appending twice.
    with pytest.raises(PatchError, match="Test failed"):
        apply_patch(once, ops)
    # Someone adding an identifier between the read and the patch is not overwritten.
    edited = {**bot, "identifier": [*bot["identifier"], {"system": "x", "value": "y"}]}
    with pytest.raises(PatchError, match="Test failed"):
        apply_patch(edited, ops)


def test_merged_identifiers_create_the_list_and_drop_duplicates_of_a_set_system() -> None:
    assert merged_identifiers([], {HASH: "h"}) == [{"system": HASH, "value": "h"}]
    doubled = [{"system": HASH, "value": "a"}, {"system": HASH, "value": "b"}]
    assert merged_identifiers(doubled, {HASH: "h"}) == [{"system": HASH, "value": "h"}]


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
