"""Strict validation of the resources the deployer writes (Bot, Subscription).

Medplum validates every write against the resource's StructureDefinition: an unknown field,
a wrong type or a value outside a required value set is a 400 OperationOutcome. The stand-in
does the same for the resource types whose shape matters to this project, so a typo in the
deployer fails the tests instead of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class ValidationError(Exception):
    """A resource failed validation; the message names the offending path."""


Check = Callable[[Any, str], None]

_DOMAIN_RESOURCE = {
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
}


def _string(value: Any, path: str) -> None:
    if not isinstance(value, str) or value == "":
        raise ValidationError(f"Invalid type for {path}: expected a non-empty string")


def _boolean(value: Any, path: str) -> None:
    if not isinstance(value, bool):
        raise ValidationError(f"Invalid type for {path}: expected a boolean")


def _integer(value: Any, path: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"Invalid type for {path}: expected an integer")


def _code(allowed: set[str]) -> Check:
    def check(value: Any, path: str) -> None:
        _string(value, path)
        if value not in allowed:
            raise ValidationError(
                f"Value '{value}' not in required value set for {path} "
                f"(allowed: {', '.join(sorted(allowed))})"
            )

    return check


def _array(item: Check) -> Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, list) or not value:
            raise ValidationError(f"Invalid type for {path}: expected a non-empty array")
        for index, element in enumerate(value):
            item(element, f"{path}[{index}]")

    return check


def _anything(value: Any, path: str) -> None:
    if value is None:
        raise ValidationError(f"Invalid null value for {path}")


def _object(fields: Mapping[str, Check], required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise ValidationError(f"Invalid type for {path}: expected an object")
        for key, element in value.items():
            field_check = fields.get(key)
            if field_check is None:
                raise ValidationError(f'Invalid additional property "{path}.{key}"')
            field_check(element, f"{path}.{key}")
        for key in required:
            if key not in value:
                raise ValidationError(f"Missing required property {path}.{key}")

    return check


def _extension(value: Any, path: str) -> None:
    # Extensions carry one value[x]; only the shape around it is checked.
    if not isinstance(value, dict) or not isinstance(value.get("url"), str):
        raise ValidationError(f"Invalid extension at {path}: expected an object with a url")


_ELEMENT: dict[str, Check] = {"id": _string, "extension": _array(_extension)}

_IDENTIFIER = _object(
    {
        **_ELEMENT,
        "use": _code({"usual", "official", "temp", "secondary", "old"}),
        "type": _anything,
        "system": _string,
        "value": _string,
        "period": _anything,
        "assigner": _anything,
    }
)

_ATTACHMENT = _object(
    {
        **_ELEMENT,
        "contentType": _string,
        "language": _string,
        "data": _string,
        "url": _string,
        "size": _integer,
        "hash": _string,
        "title": _string,
        "creation": _string,
        "height": _integer,
        "width": _integer,
        "frames": _integer,
        "duration": _anything,
        "pages": _integer,
    }
)

_META = _object(
    {
        **_ELEMENT,
        "versionId": _string,
        "lastUpdated": _string,
        "source": _string,
        "profile": _array(_string),
        "security": _array(_anything),
        "tag": _array(_anything),
        "project": _string,
        "author": _anything,
        "onBehalfOf": _anything,
        "account": _anything,
        "accounts": _anything,
        "compartment": _anything,
    }
)

_NARRATIVE = _object({**_ELEMENT, "status": _string, "div": _string}, ("status", "div"))

_RESOURCE_BASE: dict[str, Check] = {
    "resourceType": _string,
    "id": _string,
    "meta": _META,
    "implicitRules": _string,
    "language": _string,
    "text": _NARRATIVE,
    "contained": _array(_anything),
    "extension": _array(_extension),
    "modifierExtension": _array(_extension),
}

BOT_RUNTIME_VERSIONS = {"awslambda", "vmcontext", "fission"}
AUDIT_EVENT_TRIGGERS = {"always", "never", "on-error", "on-output"}
AUDIT_EVENT_DESTINATIONS = {"resource", "log"}

_BOT = _object(
    {
        **_RESOURCE_BASE,
        "identifier": _array(_IDENTIFIER),
        "name": _string,
        "description": _string,
        "photo": _ATTACHMENT,
        "cronTiming": _anything,
        "cronString": _string,
        "category": _array(_anything),
        "system": _boolean,
        "runAsUser": _boolean,
        "publicWebhook": _boolean,
        "webhookRawBodyEnabled": _boolean,
        "streamingEnabled": _boolean,
        "auditEventTrigger": _code(AUDIT_EVENT_TRIGGERS),
        "auditEventDestination": _array(_code(AUDIT_EVENT_DESTINATIONS)),
        "sourceCode": _ATTACHMENT,
        "executableCode": _ATTACHMENT,
        "cdsService": _anything,
        "timeout": _integer,
        "runtimeVersion": _code(BOT_RUNTIME_VERSIONS),
        "code": _string,  # deprecated, still accepted
    }
)

_SUBSCRIPTION_CHANNEL = _object(
    {
        **_ELEMENT,
        "modifierExtension": _array(_extension),
        "type": _code({"rest-hook", "websocket", "email", "sms", "message"}),
        "endpoint": _string,
        "payload": _string,
        "header": _array(_string),
    },
    ("type",),
)

_SUBSCRIPTION = _object(
    {
        **_RESOURCE_BASE,
        "status": _code({"requested", "active", "error", "off", "entered-in-error"}),
        "contact": _array(_anything),
        "end": _string,
        "reason": _string,
        "criteria": _string,
        "error": _string,
        "channel": _SUBSCRIPTION_CHANNEL,
    },
    ("status", "reason", "criteria", "channel"),
)

_VALIDATORS: dict[str, Check] = {"Bot": _BOT, "Subscription": _SUBSCRIPTION}


def validate(resource: Any, resource_type: str | None = None) -> dict[str, Any]:
    """Check `resource` (strictly for Bot and Subscription); returns it typed as a dict.

    Raises `ValidationError` with a one-line message naming the bad field.
    """
    if not isinstance(resource, dict):
        raise ValidationError("Resource must be a JSON object")
    actual = resource.get("resourceType")
    if not isinstance(actual, str) or not actual:
        raise ValidationError("Missing resourceType")
    if resource_type is not None and actual != resource_type:
        raise ValidationError(f"Incorrect resource type: expected {resource_type}, got {actual}")
    check = _VALIDATORS.get(actual)
    if check is not None:
        check(resource, actual)
    return resource
