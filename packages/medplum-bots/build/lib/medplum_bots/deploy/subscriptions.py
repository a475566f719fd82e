"""The Subscriptions a bot's config entry declares, and how to bring the server in line.

Subscriptions the deployer owns carry the tag `MANAGED_BY|<bot id>`, so they are found with one
search and never confused with Subscriptions made by hand. Each declared subscription maps to
one Subscription per interaction (Medplum's interaction filter extension holds a single code,
so `["create", "update"]` needs two); none listed means every interaction. A declared
subscription is identified by `(criteria, interaction)`: it is updated in place when anything
else changed, created when missing, and owned ones no longer declared (or duplicates) are
deleted, so repeated deploys converge on exactly one Subscription per declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medplum_bots.config import SubscriptionSpec

MANAGED_BY = "https://medplum-bots-template.dev/managed-by"
INTERACTION_EXTENSION = (
    "https://medplum.com/fhir/StructureDefinition/subscription-supported-interaction"
)

Key = tuple[str, str | None]


@dataclass(frozen=True)
class SubscriptionChanges:
    """What to send: resources to create, resources to PUT (with id), ids to delete."""

    create: tuple[dict[str, Any], ...] = ()
    update: tuple[dict[str, Any], ...] = ()
    delete: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.create or self.update or self.delete)

    def summary(self) -> str:
        """E.g. `subscriptions +1 ~0 -2` (created, updated, deleted)."""
        return f"subscriptions +{len(self.create)} ~{len(self.update)} -{len(self.delete)}"


def managed_tag(bot_id: str) -> dict[str, str]:
    """The meta.tag coding that marks a Subscription as owned by Bot `bot_id`."""
    return {"system": MANAGED_BY, "code": bot_id}


def tag_query(bot_ids: Iterable[str]) -> str:
    """A `_tag` search value matching the Subscriptions owned by any of `bot_ids`."""
    return ",".join(f"{MANAGED_BY}|{bot_id}" for bot_id in bot_ids)


def owner_of(subscription: Mapping[str, Any]) -> str | None:
    """The Bot id a Subscription is tagged as owned by, or None."""
    for tag in (subscription.get("meta") or {}).get("tag") or []:
        if isinstance(tag, dict) and tag.get("system") == MANAGED_BY:
            code = tag.get("code")
            return code if isinstance(code, str) else None
    return None


def desired_subscriptions(
    specs: Sequence[SubscriptionSpec], bot_id: str, bot_name: str
) -> dict[Key, dict[str, Any]]:
    """The Subscription resources (without id) the entry declares, by identity key."""
    result: dict[Key, dict[str, Any]] = {}
    for spec in specs:
        interactions: Sequence[str | None] = spec.interactions or (None,)
        for interaction in interactions:
            resource: dict[str, Any] = {
                "resourceType": "Subscription",
                "meta": {"tag": [managed_tag(bot_id)]},
                "status": spec.status,
                "reason": _reason(bot_name, spec.criteria, interaction),
                "criteria": spec.criteria,
                "channel": {"type": "rest-hook", "endpoint": f"Bot/{bot_id}"},
            }
            if interaction is not None:
                resource["extension"] = [{"url": INTERACTION_EXTENSION, "valueCode": interaction}]
            result[(spec.criteria, interaction)] = resource
    return result


def _reason(bot_name: str, criteria: str, interaction: str | None) -> str:
    on = f" on {interaction}" if interaction else ""
    return f"Runs bot {bot_name} for {criteria}{on} (managed by medplum.config.json)"


def key_of(subscription: Mapping[str, Any]) -> Key:
    """A Subscription's identity: its criteria and interaction filter (None = all)."""
    interaction: str | None = None
    for extension in subscription.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == INTERACTION_EXTENSION:
            value = extension.get("valueCode")
            interaction = value if isinstance(value, str) else None
    return (str(subscription.get("criteria", "")), interaction)


def _same(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether `existing` already says everything `wanted` says (server fields ignored)."""
    tags = (existing.get("meta") or {}).get("tag") or []
    if not all(tag in tags for tag in wanted["meta"]["tag"]):
        return False
    # The interaction filter is part of the key, so other extensions (added by hand) may stay.
    fields = ("status", "reason", "criteria", "channel")
    return all(existing.get(name) == wanted.get(name) for name in fields)


def plan_subscriptions(
    existing: Iterable[Mapping[str, Any]], desired: Mapping[Key, dict[str, Any]]
) -> SubscriptionChanges:
    """Creates, in-place updates and deletes that turn `existing` (owned) into `desired`."""
    kept: dict[Key, Mapping[str, Any]] = {}
    delete: list[str] = []
    # Oldest first, so the survivor among duplicates is stable from run to run.
    for subscription in sorted(existing, key=_age):
        key = key_of(subscription)
        if key in desired and key not in kept:
            kept[key] = subscription
        else:
            delete.append(str(subscription["id"]))
    create: list[dict[str, Any]] = []
    update: list[dict[str, Any]] = []
    for key, wanted in desired.items():
        found = kept.get(key)
        if found is None:
            create.append(wanted)
        elif not _same(found, wanted):
            update.append(_merged(found, wanted))
    return SubscriptionChanges(tuple(create), tuple(update), tuple(delete))


def _age(subscription: Mapping[str, Any]) -> tuple[str, str]:
    last_updated = (subscription.get("meta") or {}).get("lastUpdated")
    return (str(last_updated or ""), str(subscription.get("id", "")))


def _merged(existing: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """`wanted` with the existing id and any tags the server or a person added."""
    merged = dict(existing)
    for name in ("status", "reason", "criteria", "channel"):
        merged[name] = wanted[name]
    meta = dict(existing.get("meta") or {})
    tags = list(meta.get("tag") or [])
    for tag in wanted["meta"]["tag"]:
        if tag not in tags:
            tags.append(tag)
    meta["tag"] = tags
    merged["meta"] = meta
    return merged
