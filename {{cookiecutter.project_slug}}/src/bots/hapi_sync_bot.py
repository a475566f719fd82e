"""hapi-sync-bot: mirror every Patient to an external FHIR server (the seed's full variant).

A Subscription on `Patient` (create, update, delete; see medplum.config.json) runs this bot
with the changed Patient. It writes a copy to the external server with a conditional update on
the identifier `https://medplum.com/patient-id|<medplum id>` (so repeated runs update one
record instead of creating duplicates), then records the external server's id on the Medplum
Patient. A deletion (header `X-Medplum-Deleted-Resource`) becomes a conditional delete; its
input is `{"deletedResource": <Patient>}` on current Medplum servers, the Patient on older ones.

Project secret: `EXTERNAL_FHIR_BASE_URL`, the external server's FHIR base, e.g.
`https://hapi.example.org/fhir`. Bots only read secrets from the Project, never from files.
"""

from __future__ import annotations

from typing import Any

from medplum_bots.errors import outcome

from medplum_bots import AsyncMedplumClient, BotEvent, OperationOutcomeError
from shared.http_helpers import (
    HttpVerb,
    identifier_query,
    log_external_request,
    make_conditional_fhir_request_async,
)

BASE_URL_SECRET = "EXTERNAL_FHIR_BASE_URL"
MEDPLUM_ID_SYSTEM = "https://medplum.com/patient-id"
EXTERNAL_ID_SYSTEM = "https://external-system.com/patient-id"
# What Medplum sends when a Subscription fires for a deletion; the seed's `x-medplum-delete`
# is never sent, so its delete branch could not run.
DELETED_HEADER = "X-Medplum-Deleted-Resource"


async def handler(medplum: AsyncMedplumClient, event: BotEvent) -> dict[str, Any]:
    """Sync the input Patient; returns it with the external id recorded (after a PUT)."""
    patient = patient_input(event)
    verb = HttpVerb.DELETE if event.headers.get(DELETED_HEADER) else HttpVerb.PUT
    patient_id = medplum_id(patient, event)
    base_url = external_base_url(event)
    operation = f"External sync {verb.value}"
    try:
        answer = await make_conditional_fhir_request_async(
            base_url,
            "Patient",
            identifier_query(MEDPLUM_ID_SYSTEM, patient_id),
            verb,
            for_external(patient, patient_id),
        )
    except OperationOutcomeError as error:
        log_external_request(operation, patient_id, False, str(error))
        raise
    log_external_request(operation, patient_id, True)
    external_id = answer.get("id") if isinstance(answer, dict) else None
    if verb is HttpVerb.DELETE or not isinstance(external_id, str):
        return patient
    return await record_external_id(medplum, patient_id, external_id)


def patient_input(event: BotEvent) -> dict[str, Any]:
    """The event's input, which must be a Patient (unwrapped from a deletion's input)."""
    patient = event.input
    if isinstance(patient, dict) and isinstance(patient.get("deletedResource"), dict):
        patient = patient["deletedResource"]
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        kind = patient.get("resourceType") if isinstance(patient, dict) else type(patient).__name__
        raise OperationOutcomeError(outcome("error", "invalid", f"expected a Patient, got {kind}"))
    return patient


def medplum_id(patient: dict[str, Any], event: BotEvent) -> str:
    """The Patient's Medplum id; on deletion the header `Patient/<id>` also carries it."""
    deleted = event.headers.get(DELETED_HEADER, "")
    patient_id = patient.get("id") or deleted.rpartition("/")[2]
    if not patient_id:
        raise OperationOutcomeError(outcome("error", "invalid", "the input Patient has no id"))
    return str(patient_id)


def external_base_url(event: BotEvent) -> str:
    """The external FHIR base URL from the Project secret."""
    value = event.secret(BASE_URL_SECRET)
    if not isinstance(value, str) or not value.startswith(("http://", "https://")):
        raise OperationOutcomeError(
            outcome(
                "error",
                "invalid",
                f"Project secret {BASE_URL_SECRET} must hold the external FHIR base URL",
            )
        )
    return value


def for_external(patient: dict[str, Any], patient_id: str) -> dict[str, Any]:
    """The copy sent out: Medplum's identifier added; Medplum's `id` and `meta` left out.

    The external server owns its own ids, so the copy is found by identifier, not by id.
    """
    copy = {key: value for key, value in patient.items() if key not in ("id", "meta")}
    identifiers = [
        i for i in patient.get("identifier") or [] if i.get("system") != MEDPLUM_ID_SYSTEM
    ]
    copy["identifier"] = [*identifiers, {"system": MEDPLUM_ID_SYSTEM, "value": patient_id}]
    return copy


async def record_external_id(
    medplum: AsyncMedplumClient, patient_id: str, external_id: str
) -> dict[str, Any]:
    """Store the external id as an identifier on the Medplum Patient, only when it changed.

    Writing only on change matters: the write can fire the `update` Subscription again, and
    that run finds the identifier already in place and writes nothing, so there is no loop.
    """
    current: dict[str, Any] = await medplum.read_resource("Patient", patient_id)
    identifiers = list(current.get("identifier") or [])
    wanted = {"system": EXTERNAL_ID_SYSTEM, "value": external_id}
    if wanted in identifiers:
        return current
    kept = [i for i in identifiers if i.get("system") != EXTERNAL_ID_SYSTEM]
    patch = [{"op": "add", "path": "/identifier", "value": [*kept, wanted]}]
    updated: dict[str, Any] = await medplum.patch_resource("Patient", patient_id, patch)
    return updated
