"""Deduplication: a new Patient that matches an existing one (same given name, family name and
birth date) is merged into it, in one transaction.

Triggered by a Subscription on `Patient` (create). The existing record is kept (the "master"):
it gains the duplicate's identifiers and contact points and a `replaces` link; the duplicate is
made inactive with a `replaced-by` link; the clinical resources that name the duplicate as
their subject are moved to the master. All of it is one `execute_batch` transaction, so a
failure leaves every record as it was.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from medplum_bots import BotEvent, MedplumClient
from medplum_bots.utils import create_reference, get_reference_string

if TYPE_CHECKING:
    from medplum_bots.fhir import ResourceType

# Resources re-pointed from the duplicate to the master, by their `subject` search parameter.
CLINICAL: tuple[ResourceType, ...] = (
    "Observation",
    "DiagnosticReport",
    "Condition",
    "Encounter",
    "ServiceRequest",
)


def handler(medplum: MedplumClient, event: BotEvent) -> dict[str, Any] | None:
    duplicate: dict[str, Any] = event.input
    if duplicate.get("resourceType") != "Patient" or duplicate.get("active") is False:
        return None
    name = (duplicate.get("name") or [{}])[0]
    given, family = (name.get("given") or [""])[0], name.get("family")
    if not (given and family and duplicate.get("birthDate")):
        print(f"Patient/{duplicate['id']}: not enough to match on")
        return None
    candidates = medplum.search_resources(
        "Patient",
        {
            "given": given,
            "family": family,
            "birthdate": duplicate["birthDate"],
            "_sort": "_lastUpdated",
        },
    )
    masters = [p for p in candidates if p["id"] != duplicate["id"] and p.get("active") is not False]
    if not masters:
        return None
    master = masters[0]
    duplicate_ref = get_reference_string(duplicate)
    moved = [
        resource
        for kind in CLINICAL
        for resource in medplum.search_resources(kind, {"subject": duplicate_ref})
    ]
    merged = _merged(master, duplicate)
    retired = {
        **duplicate,
        "active": False,
        "link": [{"other": create_reference(master), "type": "replaced-by"}],
    }
    updates = [merged, retired] + [{**r, "subject": create_reference(master)} for r in moved]
    bundle = {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "request": {
                    "method": "PUT",
                    "url": get_reference_string(r),
                    "ifMatch": f'W/"{r["meta"]["versionId"]}"',  # nobody changed it meanwhile
                },
                "resource": r,
            }
            for r in updates
        ],
    }
    medplum.execute_batch(bundle)
    print(f"{duplicate_ref} merged into {get_reference_string(master)}: {len(moved)} moved")
    return {"master": get_reference_string(master), "duplicate": duplicate_ref, "moved": len(moved)}


def _merged(master: Mapping[str, Any], duplicate: Mapping[str, Any]) -> dict[str, Any]:
    def union(key: str) -> list[Any]:
        kept = list(master.get(key) or [])
        return kept + [v for v in duplicate.get(key) or [] if v not in kept]

    merged = {**master, "identifier": union("identifier"), "telecom": union("telecom")}
    link = {"other": create_reference(duplicate), "type": "replaces"}
    merged["link"] = [*(master.get("link") or []), link]
    return {k: v for k, v in merged.items() if v != []}
