"""Subscriptions: which active Bot rest-hooks a resource change fires, and running them.

Mirrors Medplum's subscription worker (`workers/subscription.ts`): the Bot runs with the
changed resource as input (`{"deletedResource": ...}` on delete) and the rest-hook headers
(`X-Medplum-Subscription`, `X-Medplum-Interaction`, `X-Medplum-Deleted-Resource`), on a
background thread like Medplum's queue.
"""

from __future__ import annotations

import threading
import uuid
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from medplum_bots.testing.search import SearchError, Store, parse_search

from medplum_standin.bots import SUPPORTED_INTERACTION_URL
from medplum_standin.projects import Resource

if TYPE_CHECKING:
    from medplum_standin.server import MedplumStandIn

FHIR_JSON = "application/fhir+json"


def subscription_wants(
    subscription: Resource, resource: Resource, interaction: str, store: Store
) -> bool:
    """Whether an active Bot rest-hook Subscription fires for this resource change; its
    criteria are a search (`Patient?name=x`) run on the one changed resource."""
    channel = subscription.get("channel") or {}
    if subscription.get("status") != "active" or channel.get("type") != "rest-hook":
        return False
    if not str(channel.get("endpoint", "")).startswith("Bot/"):
        return False
    wanted = [
        e.get("valueCode")
        for e in subscription.get("extension") or []
        if e.get("url") == SUPPORTED_INTERACTION_URL
    ]
    # Without the extension Medplum fires on create and update, never on delete.
    if wanted and interaction not in wanted:
        return False
    if not wanted and interaction == "delete":
        return False
    resource_type, _, query = str(subscription.get("criteria", "")).partition("?")
    if resource_type != resource["resourceType"]:
        return False
    try:
        search = parse_search(resource_type, parse_qsl(query, keep_blank_values=True))
        return bool(search.filter([resource], store))
    except SearchError:
        return False  # Medplum logs a warning and skips a subscription it cannot evaluate


def run_subscriptions(host: MedplumStandIn, resource: Resource, interaction: str) -> None:
    """Execute every Bot subscribed to this change (called on a background thread)."""
    project_id = resource["meta"]["project"]
    engine = host.store.engine(project_id)
    for subscription in host.store.all("Subscription", project_id):
        if not subscription_wants(subscription, resource, interaction, engine):
            continue
        endpoint = subscription["channel"]["endpoint"]
        bot = host.store.get("Bot", endpoint.removeprefix("Bot/"))
        if bot is None or bot["meta"]["project"] != project_id:
            host.subscription_errors.append(
                f"Subscription/{subscription['id']}: {endpoint} not found"
            )
            continue
        if not host.has_membership(project_id, endpoint):
            # Medplum: "Could not find project membership for bot" -- a Bot made with a plain
            # FHIR create (not `admin/projects/{id}/bot`) never runs from a subscription.
            host.subscription_errors.append(
                f"Subscription/{subscription['id']}: no project membership for {endpoint}"
            )
            continue
        headers = {
            "Content-Type": FHIR_JSON,
            "X-Medplum-Subscription": subscription["id"],
            "X-Medplum-Interaction": interaction,
        }
        if interaction == "delete":
            headers["X-Medplum-Deleted-Resource"] = f"{resource['resourceType']}/{resource['id']}"
        for header in subscription["channel"].get("header") or []:
            key, _, value = str(header).partition(":")
            headers[key.strip()] = value.strip()
        body = {"deletedResource": resource} if interaction == "delete" else resource
        host.runner.execute(
            bot,
            body,
            FHIR_JSON,
            requester=resource["meta"].get("author"),
            headers=headers,
            subscription=subscription,
        )


def start_subscription_thread(
    host: MedplumStandIn, resource: Resource, interaction: str
) -> threading.Thread | None:
    """Fire subscriptions asynchronously, like Medplum's queue worker; None when none apply."""
    if resource["resourceType"] == "AuditEvent":
        return None  # Medplum never fires subscriptions for AuditEvents (no audit loops)
    project_id = resource["meta"]["project"]
    engine = host.store.engine(project_id)
    if not any(
        subscription_wants(s, resource, interaction, engine)
        for s in host.store.all("Subscription", project_id)
    ):
        return None
    thread = threading.Thread(
        target=run_subscriptions,
        args=(host, resource, interaction),
        daemon=True,
        name=f"standin-subscription-{uuid.uuid4().hex[:8]}",
    )
    thread.start()
    return thread
