"""@medplum/core's constants: code systems, `ContentType`, `EMPTY` and the outcomes bots return."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Final

UCUM: Final = "http://unitsofmeasure.org"
LOINC: Final = "http://loinc.org"
SNOMED: Final = "http://snomed.info/sct"
RXNORM: Final = "http://www.nlm.nih.gov/research/umls/rxnorm"
CPT: Final = "http://www.ama-assn.org/go/cpt"
ICD10: Final = "http://hl7.org/fhir/sid/icd-10"
NDC: Final = "http://hl7.org/fhir/sid/ndc"
HTTP_HL7_ORG: Final = "http://hl7.org"
HTTP_TERMINOLOGY_HL7_ORG: Final = "http://terminology.hl7.org"

# `EMPTY` is core's frozen empty array (5.x; `items ?? EMPTY`); an empty tuple is Python's.
EMPTY: Final[tuple[()]] = ()


class ContentType:
    """MIME types by name, as `ContentType.HL7_V2` in @medplum/core."""

    CSS: Final = "text/css"
    DICOM: Final = "application/dicom"
    FAVICON: Final = "image/vnd.microsoft.icon"
    FHIR_JSON: Final = "application/fhir+json"
    FORM_URL_ENCODED: Final = "application/x-www-form-urlencoded"
    HL7_V2: Final = "x-application/hl7-v2+er7"
    HTML: Final = "text/html"
    JAVASCRIPT: Final = "text/javascript"
    JSON: Final = "application/json"
    JSON_PATCH: Final = "application/json-patch+json"
    JWT: Final = "application/jwt"
    MULTIPART_FORM_DATA: Final = "multipart/form-data"
    PNG: Final = "image/png"
    SCIM_JSON: Final = "application/scim+json"
    SVG: Final = "image/svg+xml"
    TEXT: Final = "text/plain"
    TYPESCRIPT: Final = "text/typescript"
    PING: Final = "x-application/ping"
    XML: Final = "text/xml"
    CDA_XML: Final = "application/cda+xml"
    OCTET_STREAM: Final = "application/octet-stream"


def _outcome(outcome_id: str, severity: str, code: str, text: str) -> MappingProxyType[str, Any]:
    issue = MappingProxyType(
        {"severity": severity, "code": code, "details": MappingProxyType({"text": text})}
    )
    return MappingProxyType(
        {"resourceType": "OperationOutcome", "id": outcome_id, "issue": (issue,)}
    )


# Read-only, like core's shared objects; a bot returns them as its answer
# (the runtime turns them into JSON).
all_ok: Final = _outcome("ok", "information", "informational", "All OK")
unauthorized: Final = _outcome("unauthorized", "error", "login", "Unauthorized")
