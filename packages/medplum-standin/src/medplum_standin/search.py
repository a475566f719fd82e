"""FHIR search over the store: the parameters this project's code uses, strictly.

An unknown search parameter is a 400 (as on Medplum), so a typo in a query fails the test
instead of quietly matching everything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from medplum_standin.fhir_store import Resource, Store

Kind = Literal["token", "string", "reference", "uri"]
Extract = Callable[[Resource], list[Any]]

DEFAULT_COUNT = 20
MAX_COUNT = 1000


class SearchError(Exception):
    """Bad search request (unknown parameter, bad value); a one-line message."""


@dataclass(frozen=True)
class Param:
    """A search parameter: what kind of comparison and which values a resource has."""

    kind: Kind
    extract: Extract


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _tokens_of_codings(codings: list[Any]) -> list[tuple[str | None, str]]:
    return [
        (c.get("system"), str(c["code"])) for c in codings if isinstance(c, dict) and "code" in c
    ]


def _identifiers(resource: Resource) -> list[Any]:
    return [
        (i.get("system"), str(i["value"]))
        for i in _list(resource.get("identifier"))
        if isinstance(i, dict) and "value" in i
    ]


def _concept(field: str) -> Extract:
    def extract(resource: Resource) -> list[Any]:
        out: list[Any] = []
        for concept in _list(resource.get(field)):
            if isinstance(concept, dict):
                out += _tokens_of_codings(_list(concept.get("coding")))
            elif isinstance(concept, str):
                out.append((None, concept))
        return out

    return extract


def _human_names(resource: Resource) -> list[Any]:
    out: list[Any] = []
    for name in _list(resource.get("name")):
        if isinstance(name, str):
            out.append(name)
        elif isinstance(name, dict):
            for key in ("text", "family"):
                if isinstance(name.get(key), str):
                    out.append(name[key])
            for key in ("given", "prefix", "suffix"):
                out += [v for v in _list(name.get(key)) if isinstance(v, str)]
    return out


def _name_part(part: str) -> Extract:
    def extract(resource: Resource) -> list[Any]:
        out: list[Any] = []
        for name in _list(resource.get("name")):
            if isinstance(name, dict):
                out += [v for v in _list(name.get(part)) if isinstance(v, str)]
        return out

    return extract


def _references(*paths: str) -> Extract:
    def extract(resource: Resource) -> list[Any]:
        out: list[Any] = []
        for path in paths:
            values: list[Any] = [resource]
            for step in path.split("."):
                values = [
                    v for item in values if isinstance(item, dict) for v in _list(item.get(step))
                ]
            out += [v["reference"] for v in values if isinstance(v, dict) and "reference" in v]
        return out

    return extract


def _code_field(*path: str) -> Extract:
    def extract(resource: Resource) -> list[Any]:
        value: Any = resource
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return [(None, str(v)) for v in _list(value) if isinstance(v, str | int | bool)]

    return extract


def _string_field(*path: str) -> Extract:
    def extract(resource: Resource) -> list[Any]:
        value: Any = resource
        for step in path:
            value = value.get(step) if isinstance(value, dict) else None
        return [v for v in _list(value) if isinstance(v, str)]

    return extract


def _meta_tags(resource: Resource) -> list[Any]:
    return _tokens_of_codings(_list((resource.get("meta") or {}).get("tag")))


_COMMON: dict[str, Param] = {
    "_id": Param("token", lambda r: [(None, r["id"])]),
    "_tag": Param("token", _meta_tags),
    "_profile": Param("uri", lambda r: _list((r.get("meta") or {}).get("profile"))),
    "_project": Param("reference", lambda r: ["Project/" + str(r["meta"].get("project"))]),
    "identifier": Param("token", _identifiers),
    "status": Param("token", _code_field("status")),
    "subject": Param("reference", _references("subject")),
    "patient": Param("reference", _references("subject", "patient")),
    "code": Param("token", _concept("code")),
    "name": Param("string", _human_names),
}

_BY_TYPE: dict[str, dict[str, Param]] = {
    "Patient": {
        "patient": Param("reference", lambda r: ["Patient/" + r["id"]]),
        "family": Param("string", _name_part("family")),
        "given": Param("string", _name_part("given")),
        "gender": Param("token", _code_field("gender")),
        "birthdate": Param("string", _string_field("birthDate")),
        "email": Param(
            "token",
            lambda r: [
                (None, t["value"])
                for t in _list(r.get("telecom"))
                if isinstance(t, dict) and t.get("system") == "email" and "value" in t
            ],
        ),
    },
    "Subscription": {
        "criteria": Param("string", _string_field("criteria")),
        "type": Param("token", _code_field("channel", "type")),
        "url": Param("uri", _string_field("channel", "endpoint")),
        "payload": Param("token", _code_field("channel", "payload")),
    },
    "AuditEvent": {
        "entity": Param("reference", _references("entity.what")),
        "agent": Param("reference", _references("agent.who")),
        "outcome": Param("token", _code_field("outcome")),
        "type": Param("token", lambda r: _tokens_of_codings(_list(r.get("type")))),
        "subtype": Param("token", lambda r: _tokens_of_codings(_list(r.get("subtype")))),
    },
    "ProjectMembership": {
        "profile": Param("reference", _references("profile")),
        "project": Param("reference", _references("project")),
        "user": Param("reference", _references("user")),
    },
    "Bot": {"description": Param("string", _string_field("description"))},
}

_RESULT_PARAMS = {"_count", "_offset", "_sort", "_total", "_summary"}


def _param(resource_type: str, name: str) -> Param:
    param = _BY_TYPE.get(resource_type, {}).get(name) or _COMMON.get(name)
    if param is None:
        raise SearchError(f"Unknown search parameter: {name}")
    return param


def _match_one(kind: Kind, modifier: str | None, have: Any, want: str) -> bool:
    if kind == "token":
        system, code = have
        if "|" in want:
            want_system, want_code = want.split("|", 1)
            if want_system and (system or "") != want_system:
                return False
            return not want_code or code == want_code
        return bool(code == want)
    if kind == "string":
        text, query = str(have).lower(), want.lower()
        if modifier == "exact":
            return str(have) == want
        if modifier == "contains":
            return query in text
        return text.startswith(query)
    if kind == "reference":
        return bool(have == want or str(have).endswith("/" + want))
    return bool(have == want)


def matches(resource: Resource, params: Sequence[tuple[str, str]]) -> bool:
    """True when `resource` satisfies every search parameter (comma = OR within one)."""
    resource_type = resource["resourceType"]
    for raw_name, value in params:
        name, _, modifier = raw_name.partition(":")
        if name in _RESULT_PARAMS:
            continue
        param = _param(resource_type, name)
        if modifier and modifier not in ("exact", "contains", "not", "missing"):
            raise SearchError(f"Unsupported search modifier: {raw_name}")
        values = param.extract(resource)
        if modifier == "missing":
            if (value == "true") != (not values):
                return False
            continue
        wanted = value.split(",")
        hit = any(_match_one(param.kind, modifier, have, w) for have in values for w in wanted)
        if hit == (modifier == "not"):
            return False
    return True


def _int(params: Sequence[tuple[str, str]], name: str, default: int) -> int:
    for key, value in params:
        if key == name:
            try:
                number = int(value)
            except ValueError:
                raise SearchError(f"Invalid {name}: {value!r}") from None
            if number < 0:
                raise SearchError(f"Invalid {name}: {value!r}")
            return number
    return default


def _sort_key(spec: str) -> tuple[str, bool]:
    descending = spec.startswith("-")
    return spec.lstrip("-"), descending


def search(
    store: Store,
    resource_type: str,
    project_id: str,
    params: Sequence[tuple[str, str]],
    base_url: str,
) -> Resource:
    """Run a search in one project and return a `searchset` Bundle with paging links."""
    candidates = [
        (seq, r) for seq, r in store.candidates(resource_type, project_id) if matches(r, params)
    ]
    for key, value in params:
        if key != "_sort":
            continue
        for spec in reversed(value.split(",")):
            field, descending = _sort_key(spec)
            if field == "_lastUpdated":
                candidates.sort(key=lambda item: item[0], reverse=descending)
            elif field in ("_id", "name"):
                candidates.sort(
                    key=lambda item: str(
                        item[1]["id"] if field == "_id" else (_human_names(item[1]) or [""])[0]
                    ),
                    reverse=descending,
                )
            else:
                raise SearchError(f"Unsupported sort: {spec}")
    count = min(_int(params, "_count", DEFAULT_COUNT), MAX_COUNT)
    offset = _int(params, "_offset", 0)
    page = candidates[offset : offset + count]
    url = f"{base_url}fhir/R4/{resource_type}"
    kept = [(k, v) for k, v in params if k not in ("_offset",)]
    bundle: Resource = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            {"fullUrl": f"{url}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for _, r in page
        ],
        "link": [{"relation": "self", "url": f"{url}?{urlencode([*kept, ('_offset', offset)])}"}],
    }
    if any(k == "_total" and v in ("accurate", "estimate") for k, v in params):
        bundle["total"] = len(candidates)
    if any(k == "_summary" and v == "count" for k, v in params):
        bundle["total"] = len(candidates)
        bundle["entry"] = []
    if offset + count < len(candidates) and count > 0:
        next_query = urlencode([*kept, ("_offset", offset + count)])
        bundle["link"].append({"relation": "next", "url": f"{url}?{next_query}"})
    return bundle


def parse_criteria(criteria: str) -> tuple[str, list[tuple[str, str]]]:
    """Split Subscription criteria like `Patient?name=x` into type and parameters."""
    from urllib.parse import parse_qsl

    resource_type, _, query = criteria.partition("?")
    return resource_type, parse_qsl(query, keep_blank_values=True)
