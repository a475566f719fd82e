"""References and display strings: `create_reference`, `get_reference_string`, `resolve_id`,
`get_display_string`, and the type guards they rest on (@medplum/core's utils.ts, types.ts)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from medplum_bots.errors import OperationOutcomeError
from medplum_bots.utils.format import format_codeable_concept, format_human_name

if TYPE_CHECKING:
    from medplum_bots.fhir import Reference

Json = dict[str, Any]

_PROFILE_TYPES = frozenset({"Patient", "Practitioner", "RelatedPerson"})


def is_resource(value: Any, resource_type: str | None = None) -> bool:
    """True for a dict with a `resourceType` (of `resource_type`, when given)."""
    if not isinstance(value, dict) or not value or "resourceType" not in value:
        return False
    return not resource_type or value["resourceType"] == resource_type


def is_reference(value: Any, resource_type: str | None = None) -> bool:
    """True for a dict whose `reference` is a string (to `resource_type`, when given)."""
    if not isinstance(value, dict) or not isinstance(value.get("reference"), str):
        return False
    if resource_type:
        return re.match(f"^{resource_type}(/|\\?)", value["reference"]) is not None
    return True


def is_resource_with_id(value: Any, resource_type: str | None = None) -> bool:
    """A resource (of `resource_type`) whose `id` is a string."""
    return is_resource(value, resource_type) and isinstance(value.get("id"), str)


def get_reference_string(value: Mapping[str, Any]) -> str | None:
    """`Type/id` of a resource, or a reference's `reference`; None when neither is known."""
    if is_reference(value):
        reference: str = value["reference"]
        return reference
    if is_resource_with_id(value):
        return f"{value['resourceType']}/{value['id']}"
    return None


def create_reference(resource: Mapping[str, Any]) -> Reference:
    """`{"reference": "Type/id", "display": ...}`; no display when it would repeat the reference."""
    reference = get_reference_string(resource) or "undefined/undefined"
    display = get_display_string(resource)
    return (
        {"reference": reference}
        if display == reference
        else {"reference": reference, "display": display}
    )


def resolve_id(value: Json | None) -> str | None:
    """The id of a resource, or the part after the first `/` of a reference."""
    if not value:
        return None
    if is_reference(value):
        parts = str(value["reference"]).split("/")
        return parts[1] if len(parts) > 1 else None
    found: str | None = value.get("id")
    return found


def parse_reference(reference: Json | None) -> tuple[str, str]:
    """`(type, id)` of a reference; OperationOutcomeError when it cannot be parsed."""
    text = (reference or {}).get("reference")
    if text is None:
        raise OperationOutcomeError(_invalid("Reference missing reference property."))
    parts = str(text).split("/")
    if parts[0] == "" or len(parts) < 2 or parts[1] == "":
        raise OperationOutcomeError(_invalid("Unable to parse reference string."))
    return parts[0], parts[1]


def _invalid(text: str) -> Json:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "invalid", "details": {"text": text}}],
    }


def get_display_string(resource: Mapping[str, Any]) -> str:
    """The human name of a resource, the way Medplum's UI and `create_reference` name it."""
    kind = resource.get("resourceType")
    if kind in _PROFILE_TYPES:
        names = resource.get("name")
        if names:
            name = format_human_name(names[0])
            if name:
                return name
    if kind == "Device":
        device_names = resource.get("deviceName")
        if device_names:
            first = device_names[0].get("name")
            if first:
                return str(first)
    if kind == "MedicationRequest" and resource.get("medicationCodeableConcept"):
        return format_codeable_concept(resource["medicationCodeableConcept"])
    if kind == "Subscription" and resource.get("criteria"):
        return str(resource["criteria"])
    if kind == "User" and resource.get("email"):
        return str(resource["email"])
    title = resource.get("name")
    if isinstance(title, str) and title:
        return title
    code = resource.get("code")
    if code:
        if isinstance(code, list):
            code = code[0] if code else None
        if _is_codeable_concept(code):
            return format_codeable_concept(code)
        if isinstance(code, dict) and isinstance(code.get("text"), str):
            return str(code["text"])
    return get_reference_string(resource) or ""


def _is_coding(value: Any) -> bool:
    return isinstance(value, dict) and isinstance(value.get("code"), str)


def _is_codeable_concept(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("coding"), list)
        and all(_is_coding(c) for c in value["coding"])
    )
