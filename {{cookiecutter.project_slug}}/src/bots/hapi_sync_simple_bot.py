"""hapi-sync-simple-bot: mirror every Patient to an external FHIR server (seed's simple variant).

The same sync as `hapi_sync_bot`, written as a plain `def` handler with the synchronous
helpers, and without writing anything back to Medplum: it returns True once the external
server has the change. A deletion (header `X-Medplum-Deleted-Resource`) becomes a conditional
delete on the identifier `https://medplum.com/patient-id|<medplum id>`.

Project secret: `EXTERNAL_FHIR_BASE_URL`, the external server's FHIR base URL.
"""

from __future__ import annotations

from typing import Any

from medplum_bots.errors import outcome

from medplum_bots import BotEvent, MedplumClient, OperationOutcomeError
from shared.http_helpers import (
    HttpVerb,
    identifier_query,
    log_external_request,
    make_conditional_fhir_request,
)

BASE_URL_SECRET = "EXTERNAL_FHIR_BASE_URL"
MEDPLUM_ID_SYSTEM = "https://medplum.com/patient-id"
DELETED_HEADER = "X-Medplum-Deleted-Resource"  # not the seed's `x-medplum-delete`


def handler(medplum: MedplumClient, event: BotEvent) -> bool:
    """Sync the input Patient to the external server; True on success, raises otherwise."""
    patient: Any = event.input
    if isinstance(patient, dict) and "deletedResource" in patient:
        patient = patient["deletedResource"]  # how current Medplum servers send a deletion
    if not isinstance(patient, dict) or patient.get("resourceType") != "Patient":
        raise OperationOutcomeError(outcome("error", "invalid", "expected a Patient as input"))
    deleted = event.headers.get(DELETED_HEADER)
    verb = HttpVerb.DELETE if deleted else HttpVerb.PUT
    patient_id = str(patient.get("id") or (deleted or "").rpartition("/")[2])
    if not patient_id:
        raise OperationOutcomeError(outcome("error", "invalid", "the input Patient has no id"))
    base_url = event.secret(BASE_URL_SECRET)
    if not isinstance(base_url, str) or not base_url:
        raise OperationOutcomeError(
            outcome("error", "invalid", f"Project secret {BASE_URL_SECRET} is not set")
        )
    # The external server owns its ids: send Medplum's id as an identifier instead.
    patient_for_external = {k: v for k, v in patient.items() if k not in ("id", "meta")}
    others = [i for i in patient.get("identifier") or [] if i.get("system") != MEDPLUM_ID_SYSTEM]
    patient_for_external["identifier"] = [
        *others,
        {"system": MEDPLUM_ID_SYSTEM, "value": patient_id},
    ]
    operation = f"External sync {verb.value}"
    try:
        make_conditional_fhir_request(
            base_url,
            "Patient",
            identifier_query(MEDPLUM_ID_SYSTEM, patient_id),
            verb,
            patient_for_external,
        )
    except OperationOutcomeError as error:
        log_external_request(operation, patient_id, False, str(error))
        raise
    log_external_request(operation, patient_id, True)
    return True
