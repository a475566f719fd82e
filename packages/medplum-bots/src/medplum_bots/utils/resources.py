"""Reading and writing parts of resources: identifiers, extensions, questionnaire answers and
codes (@medplum/core's utils.ts)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

Json = dict[str, Any]
T = TypeVar("T")
R = TypeVar("R", bound=Mapping[str, Any])

# The types of Extension.value[x] in the order of its definition: core reads the first one
# present in that order (a test keeps it equal to @medplum/core's schema).
EXTENSION_VALUE_TYPES = (
    "base64Binary", "boolean", "canonical", "code", "date", "dateTime", "decimal", "id",
    "instant", "integer", "markdown", "oid", "positiveInt", "string", "time", "unsignedInt",
    "uri", "url", "uuid", "Address", "Age", "Annotation", "Attachment", "CodeableConcept",
    "Coding", "ContactPoint", "Count", "Distance", "Duration", "HumanName", "Identifier",
    "Money", "Period", "Quantity", "Range", "Ratio", "Reference", "SampledData", "Signature",
    "Timing", "ContactDetail", "Contributor", "DataRequirement", "Expression",
    "ParameterDefinition", "RelatedArtifact", "TriggerDefinition", "UsageContext", "Dosage",
    "Meta",
)  # fmt: skip


def get_identifier(resource: Mapping[str, Any], system: str) -> str | None:
    """The value of the first identifier with `system`, or None."""
    identifiers = resource.get("identifier")
    if not identifiers:
        return None
    for identifier in identifiers if isinstance(identifiers, list) else [identifiers]:
        if isinstance(identifier, dict) and identifier.get("system") == system:
            value: str | None = identifier.get("value")
            return value
    return None


def set_identifier(resource: Json, system: str, value: str) -> None:
    """Set the value of the identifier with `system` (in place), adding it when missing."""
    identifiers = resource.get("identifier")
    if not identifiers:
        resource["identifier"] = [{"system": system, "value": value}]
        return
    for identifier in identifiers:
        if identifier.get("system") == system:
            identifier["value"] = value
            return
    identifiers.append({"system": system, "value": value})


def get_extension(resource: Any, *urls: str) -> Json | None:
    """The extension at the path of `urls` (each one nested in the previous), or None."""
    current = resource
    for url in urls:
        if not current:
            break
        extensions = current.get("extension") if isinstance(current, Mapping) else None
        current = next(
            (e for e in extensions or () if isinstance(e, Mapping) and e.get("url") == url), None
        )
    found: Json | None = current
    return found


def get_extension_value(resource: Any, *urls: str) -> Any:
    """The `value[x]` of the extension at the path of `urls`, or None."""
    extension = get_extension(resource, *urls)
    if not extension:
        return None
    for type_name in EXTENSION_VALUE_TYPES:
        key = "value" + type_name[0].upper() + type_name[1:]
        if key in extension:
            value = extension[key]
            if isinstance(value, list):
                value = value[0] if value else None
            # Core's property reader answers nothing for an empty value ("", [], {}).
            return None if value in (None, "", [], {}) else value
    return None


def get_questionnaire_answers(response: Mapping[str, Any]) -> dict[str, Json]:
    """linkId -> the first answer of each answered item, nested items included (the last
    item with a linkId wins)."""
    result: dict[str, Json] = {}
    for item in _items(response.get("item")):
        result[item["linkId"]] = item["answer"][0]
    return result


def get_all_questionnaire_answers(response: Mapping[str, Any]) -> dict[str, list[Json]]:
    """linkId -> every answer of the items with that linkId, in document order."""
    result: dict[str, list[Json]] = {}
    for item in _items(response.get("item")):
        link_id = item["linkId"]
        result[link_id] = (
            [*result[link_id], *item["answer"]] if link_id in result else item["answer"]
        )
    return result


def _items(items: Any) -> Iterable[Json]:
    """Answered items depth first: an item before its children."""
    for item in items or ():
        if item.get("linkId") and item.get("answer"):
            yield item
        yield from _items(item.get("item"))


def get_code_by_system(concept: Mapping[str, Any], system: str) -> str | None:
    """The code of the concept's first coding in `system`."""
    for coding in concept.get("coding") or ():
        if coding.get("system") == system:
            code: str | None = coding.get("code")
            return code
    return None


def set_code_by_system(concept: Json, system: str, code: str) -> None:
    """Set the code of the concept's coding in `system` (in place), adding it when missing."""
    codings = concept.setdefault("coding", [])
    for coding in codings:
        if coding.get("system") == system:
            coding["code"] = code
            return
    codings.append({"system": system, "code": code})


def find_code_by_system(concepts: Iterable[Mapping[str, Any]] | None, system: str) -> str | None:
    """The code of the first coding in `system` across several concepts (e.g. categories)."""
    for concept in concepts or ():
        for coding in concept.get("coding") or ():
            if coding.get("system") == system:
                code: str | None = coding.get("code")
                return code
    return None


def find_resource_by_code(
    resources: Iterable[R], code: Mapping[str, Any] | str, system: str
) -> R | None:
    """The first resource whose `code` has, in `system`, the code given (text or concept)."""
    wanted = code if isinstance(code, str) else get_code_by_system(code, system)
    for resource in resources:
        own = get_code_by_system(resource.get("code") or {}, system)
        if own == wanted:
            return resource
    return None


def deep_clone(value: T) -> T:
    """A copy through JSON, as core's `deepClone` (what JSON cannot hold is refused)."""
    copied: T = json.loads(json.dumps(value))
    return copied


def is_object(value: Any) -> bool:
    """JavaScript's `typeof value === "object"` for JSON data: a dict or a list."""
    return isinstance(value, (dict, list))
