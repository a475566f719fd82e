"""The SearchParameters Medplum's server searches with (`definitions/search_parameters.json`).

`parameters_for("Patient")` maps each code (`name`, `birthdate`, `_lastUpdated`, ...) to a
`SearchParameter` whose `values(resource)` evaluates the definition's FHIRPath expression
(`testing.fhirpath`). The file is loaded once per process; each expression is compiled the first
time a search uses it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from medplum_bots.testing.fhirpath import FhirPathError, compile_path, compile_relative

Resource = dict[str, Any]

PARAMETERS_FILE = Path(__file__).with_name("definitions") / "search_parameters.json"


@dataclass(frozen=True)
class Component:
    """One part of a composite parameter: the parameter it uses and its relative expression."""

    definition: str
    values: Callable[[list[Any]], list[Any]]


@dataclass(frozen=True)
class SearchParameter:
    """One search parameter of one resource type, ready to evaluate."""

    code: str
    type: str
    expression: str | None
    target: tuple[str, ...] = ()
    url: str | None = None
    components: tuple[Component, ...] = ()
    unsupported: str | None = None  # why the in-memory server cannot evaluate it
    _values: Callable[[Resource], list[Any]] = field(
        default=lambda resource: [], repr=False, compare=False
    )

    def values(self, resource: Resource) -> list[Any]:
        """What the expression selects in `resource` (lists flattened)."""
        return self._values(resource)


@cache
def _definitions() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PARAMETERS_FILE.read_text(encoding="utf-8"))
    return data


@cache
def _parameter(index: int) -> SearchParameter:
    raw = _definitions()["parameters"][index]
    code, kind, expression = raw["code"], raw["type"], raw.get("expression")
    target = tuple(raw.get("target") or ())
    url = raw.get("url")
    if kind == "special" or not expression:
        why = f"Search parameter {code} ({kind}) is not supported in memory"
        return SearchParameter(code, kind, expression, target, url, unsupported=why)
    try:
        compiled = compile_path(expression)
        components = tuple(
            Component(c["definition"], compile_relative(c["expression"]))
            for c in raw.get("component") or ()
        )
    except FhirPathError as error:
        why = f"Search parameter {code} is not supported in memory ({error})"
        return SearchParameter(code, kind, expression, target, url, unsupported=why)
    return SearchParameter(code, kind, expression, target, url, components, _values=compiled)


@cache
def parameters_for(resource_type: str) -> dict[str, SearchParameter]:
    """Every search parameter Medplum's server has for `resource_type` (empty for Binary)."""
    index: dict[str, int] = _definitions()["byResourceType"].get(resource_type, {})
    return {code: _parameter(i) for code, i in index.items()}


def search_parameter(resource_type: str, code: str) -> SearchParameter | None:
    """One parameter of a resource type, or None when the type has no such parameter."""
    index = _definitions()["byResourceType"].get(resource_type, {}).get(code)
    return None if index is None else _parameter(index)


@cache
def _by_url() -> dict[str, int]:
    return {p["url"]: i for i, p in enumerate(_definitions()["parameters"]) if p.get("url")}


def parameter_by_url(url: str) -> SearchParameter | None:
    """The parameter a composite's component names by its canonical URL."""
    index = _by_url().get(url)
    return None if index is None else _parameter(index)


def is_searchable_type(resource_type: str) -> bool:
    """True for a resource type Medplum's server knows (has search parameters for)."""
    return resource_type in _definitions()["byResourceType"]
