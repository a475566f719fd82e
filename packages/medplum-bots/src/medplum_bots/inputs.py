"""A bot's input given as a file or a value (`invoke run`, `invoke execute`, a smoke run):
which content type it is sent with. One rule for all three, so a file means the same locally
and on Medplum."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medplum_bots.client.core import FHIR_JSON, JSON
from medplum_bots.hl7 import HL7_V2

CONTENT_TYPES_BY_SUFFIX = {
    ".json": JSON,
    ".hl7": HL7_V2,
    ".er7": HL7_V2,
    ".txt": "text/plain",
}


def guess_content_type(input_name: str, text: str) -> str:
    """The content type for an input file: by suffix, else JSON when it parses, else text."""
    by_suffix = CONTENT_TYPES_BY_SUFFIX.get(Path(input_name).suffix.lower())
    if by_suffix is not None:
        return by_suffix
    if text.startswith("MSH|"):
        return HL7_V2
    if text.lstrip().startswith(("{", "[")):
        return JSON
    try:
        json.loads(text)
    except ValueError:
        return "text/plain"
    return JSON


def resource_content_type(value: Any, content_type: str) -> str:
    """`content_type`, except a FHIR resource (an object with `resourceType`) given as JSON:
    that goes as `application/fhir+json`, as @medplum/core sends resources."""
    if content_type == JSON and isinstance(value, dict) and "resourceType" in value:
        return FHIR_JSON
    return content_type
