"""FHIR search for the in-memory Medplum, driven by Medplum's SearchParameter definitions.

`parse_search("Patient", [("family", "smi"), ("_sort", "-birthdate")])` returns a `Search`;
`search.run(store)` gives the matches, `search.included(page, store)` the `_include` /
`_revinclude` resources. Every parameter of every resource type comes from
`definitions/search_parameters.json` (its FHIRPath expression, see `search_parameters.py`);
matching follows Medplum's server (`docs/search.md` lists where we differ and why). Comma
separated values are OR, a repeated parameter is AND. Anything not understood raises
`SearchError` (the server answers 400): a typo must never silently match everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Protocol

from medplum_bots.testing.search_parameters import (
    SearchParameter,
    is_searchable_type,
    parameter_by_url,
    search_parameter,
)

Resource = dict[str, Any]

INF = float("inf")
MAX_COUNT = 1000  # Medplum's DEFAULT_MAX_SEARCH_COUNT: larger _count values are clamped
MAX_CHAIN = 3  # Medplum refuses chains of more links
MAX_INCLUDE_DEPTH = 5  # Medplum's circuit breaker for _include:iterate

PREFIXES = ("eq", "ne", "lt", "le", "gt", "ge", "sa", "eb", "ap")
# Modifiers per parameter type: those Medplum's server answers (others it refuses or ignores).
MODIFIERS: dict[str, frozenset[str]] = {
    "string": frozenset({"exact", "contains", "missing"}),
    "token": frozenset({"not", "text", "contains", "exact", "missing"}),
    "uri": frozenset({"below", "above", "not", "exact", "missing"}),
    "reference": frozenset({"not", "identifier", "missing"}),
    "date": frozenset({"missing"}),
    "number": frozenset({"missing"}),
    "quantity": frozenset({"missing"}),
    "composite": frozenset(),
}
CONTROL = {"_count", "_offset", "_sort", "_total", "_summary", "_elements", "_fields"}
IGNORED = {"_format", "_pretty", "_"}  # accepted and ignored, as Medplum does
NOT_IN_MEMORY = {"_filter", "_cursor", "_type", "_compartment", "_text", "_content", "_query"}


class SearchError(ValueError):
    """A search the in-memory server does not understand (answered with 400)."""


class Store(Protocol):
    """What a search reads: the current resources of a type and one resource by id."""

    def current(self, resource_type: str) -> Iterable[Resource]: ...

    def get(self, resource_type: str, resource_id: str) -> Resource | None: ...


class ValueCache:
    """Values of parameters per stored resource version, computed once.

    Keyed by the identity of a stored (never mutated) resource dict; the entry keeps the dict
    alive, so an id() is never reused while cached.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[Resource, dict[str, list[Any]]]] = {}

    def values(self, resource: Resource, param: SearchParameter) -> list[Any]:
        entry = self._entries.get(id(resource))
        if entry is None or entry[0] is not resource:
            entry = (resource, {})
            self._entries[id(resource)] = entry
        found = entry[1].get(param.code)
        if found is None:
            found = entry[1][param.code] = param.values(resource)
        return found

    def prepared(self, resource: Resource, param: SearchParameter, form: str) -> Any:
        """The values in a matching-ready form (casefolded strings, date ranges), computed once."""
        entry = self._entries.get(id(resource))
        if entry is None or entry[0] is not resource:
            self.values(resource, param)
            entry = self._entries[id(resource)]
        key = f"{param.code}\x00{form}"
        found = entry[1].get(key)
        if found is None:
            found = entry[1][key] = _prepare(form, self.values(resource, param))
        return found


def _values(cache: ValueCache | None, resource: Resource, param: SearchParameter) -> list[Any]:
    return cache.values(resource, param) if cache is not None else param.values(resource)


# -- reading element values ------------------------------------------------------------------

# The parts of a HumanName or Address a string search looks at; an Address's country and
# district only through their own parameters, as in Medplum's formatAddress.
_NAME_PARTS = ("text", "family", "given", "prefix", "suffix", "line", "city", "state", "postalCode")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        texts: list[str] = []
        for key in _NAME_PARTS:
            item = value.get(key)
            if isinstance(item, list):
                texts.extend(i for i in item if isinstance(i, str))
            elif isinstance(item, str):
                texts.append(item)
        return texts
    return []


_TEXT = "\x04"  # the "system" of a text token (CodeableConcept.text, Coding.display)


def _tokens(value: Any) -> list[tuple[str | None, str]]:
    """(system, code) pairs of a code, boolean, Coding, CodeableConcept, Identifier,
    ContactPoint; texts and displays as (_TEXT, text), as Medplum indexes them."""
    if isinstance(value, bool):
        return [(None, "true" if value else "false")]
    if isinstance(value, str):
        return [(None, value)]
    if isinstance(value, int | float):
        return [(None, str(value))]
    if not isinstance(value, dict):
        return []
    pairs: list[tuple[str | None, str]] = []
    if "coding" in value or "text" in value:
        for coding in value.get("coding") or ():
            pairs.extend(_tokens(coding))
        if isinstance(value.get("text"), str):
            pairs.append((_TEXT, value["text"]))
        return pairs
    code = value.get("code", value.get("value"))
    if code is not None and not isinstance(code, dict | list):
        pairs.append((value.get("system"), str(code)))
    if isinstance(value.get("display"), str):
        pairs.append((_TEXT, value["display"]))
    return pairs


def reference_key(reference: str) -> str:
    """`Type/id` of a relative or absolute reference (a version suffix dropped)."""
    parts = reference.rstrip("/").split("/")
    if len(parts) >= 4 and parts[-2] == "_history":
        parts = parts[:-2]
    return "/".join(parts[-2:]) if len(parts) >= 2 else reference


def _references(values: list[Any]) -> list[str]:
    out: list[str] = []
    for value in values:
        if isinstance(value, dict):
            ref = value.get("reference")
            if isinstance(ref, str):
                out.append(reference_key(ref) if not ref.startswith("urn:") else ref)
        elif isinstance(value, str):  # canonical / uri
            out.append(value)
    return out


# -- dates and numbers ------------------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def date_range(text: str) -> tuple[float, float] | None:
    """[start, end] in epoch seconds covered by a (partial) FHIR date/dateTime/instant; the end
    is the last millisecond, as Medplum's `toPeriod` gives it."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    tz = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        tz = timezone(sign * timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])))
    try:
        start = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int(float(fraction or 0) * 1_000_000),
            tzinfo=tz,
        )
    except ValueError:
        return None
    if month is None:
        end = start.replace(year=start.year + 1)
    elif day is None:
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    elif hour is None:
        end = start + timedelta(days=1)
    elif second is None:
        end = start + timedelta(minutes=1)
    elif fraction is None:
        end = start + timedelta(seconds=1)
    else:
        end = start + timedelta(milliseconds=1)
    return start.timestamp(), end.timestamp() - 0.001


def _value_range(value: Any) -> tuple[float, float] | None:
    if isinstance(value, str):
        return date_range(value)
    if isinstance(value, dict) and ("start" in value or "end" in value):
        start = date_range(value["start"]) if isinstance(value.get("start"), str) else None
        end = date_range(value["end"]) if isinstance(value.get("end"), str) else None
        return (start[0] if start else -INF, end[1] if end else INF)
    return None


def _date_matches(prefix: str, low: float, high: float, want_low: float, want_high: float) -> bool:
    """Medplum's date semantics (`matchesDateValue`): both sides are inclusive ranges."""
    if prefix in ("eq", "ne", "ap"):
        return low < want_high and high > want_low  # overlap; `ne` is negated by the caller
    if prefix == "lt":
        return low < want_low
    if prefix == "gt":
        return high > want_high
    if prefix == "le":
        return low <= want_high
    if prefix == "ge":
        return high >= want_low
    if prefix == "sa":
        return low > want_high
    return high < want_low  # eb


def _number_matches(prefix: str, value: float, wanted: float) -> bool:
    """Medplum's server compares the stored number with the search value (`ap`: within 10 %)."""
    if prefix in ("eq", "ne"):
        return value == wanted  # `ne` is negated by the caller
    if prefix == "ap":
        return wanted * 0.9 <= value <= wanted * 1.1 or wanted * 1.1 <= value <= wanted * 0.9
    if prefix in ("gt", "sa"):
        return value > wanted
    if prefix in ("lt", "eb"):
        return value < wanted
    return value >= wanted if prefix == "ge" else value <= wanted


def _numbers(values: list[Any]) -> list[float]:
    out: list[float] = []
    for value in values:
        if isinstance(value, dict):
            if "low" in value or "high" in value:  # a Range: both ends count
                value_list = [value.get("low"), value.get("high")]
                out.extend(_numbers([v for v in value_list if v is not None]))
                continue
            value = value.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
    return out


def _split_prefix(text: str) -> tuple[str, str]:
    if text[:2] in PREFIXES:
        return text[:2], text[2:]
    return "eq", text


def split_values(text: str) -> list[str]:
    """Comma separated values (OR); `\\,` is a literal comma (Medplum's splitSearchOnComma)."""
    out: list[str] = []
    current: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return out


# -- one parameter ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One `code[:modifier]=v1,v2` query parameter: matches when any value matches."""

    code: str
    param: SearchParameter
    modifier: str | None
    values: tuple[Any, ...]

    @property
    def negated(self) -> bool:
        return self.modifier == "not" or (
            self.param.type in ("date", "number", "quantity")
            and bool(self.values)
            and all(v[0] == "ne" for v in self.values)
        )

    def matches(self, resource: Resource, cache: ValueCache | None) -> bool:
        if self.modifier == "missing":
            return bool(self.values[0]) is (not _values(cache, resource, self.param))
        form = _form(self.param.type, self.modifier)
        prepared = _prepared(cache, resource, self.param, form)
        hit = any(self._one(prepared, v) for v in self.values)
        return hit != self.negated

    def _one(self, prepared: Any, wanted: Any) -> bool:
        """`prepared` is the parameter's values in the form `_form` names for this criterion."""
        kind = self.param.type
        if kind == "string":
            if self.modifier == "exact":
                return wanted in prepared
            folded = wanted.casefold()
            if self.modifier == "contains":
                return any(folded in t for t in prepared)
            return any(t.startswith(folded) for t in prepared)
        if kind == "token":
            if self.modifier in ("text", "contains"):
                folded = wanted.casefold()
                return any(folded in label for label in prepared)
            return _token_matches(prepared, wanted)
        if kind == "reference":
            if self.modifier == "identifier":
                return _token_matches(prepared, wanted)
            return wanted in prepared
        if kind == "date":
            prefix, low, high = wanted
            return any(_date_matches(prefix, r[0], r[1], low, high) for r in prepared)
        if kind in ("number", "quantity"):
            prefix, number = wanted
            return any(_number_matches(prefix, n, number) for n in prepared)
        if kind == "composite":
            return _composite_matches(self.param, prepared, wanted)
        if self.modifier == "below":
            return any(t.startswith(wanted) for t in prepared)
        if self.modifier == "above":
            return any(wanted.startswith(t) for t in prepared)
        return wanted in prepared


def _form(kind: str, modifier: str | None) -> str:
    """Which prepared form of the values a criterion reads (one cache entry per form)."""
    if kind == "string":
        return "exact" if modifier == "exact" else "folded"
    if kind == "token":
        if modifier == "text":
            return "labels"
        return "all-labels" if modifier == "contains" else "pairs"
    if kind == "reference":
        return "identifiers" if modifier == "identifier" else "references"
    return kind


def _prepare(form: str, values: list[Any]) -> Any:
    if form == "exact":
        return [t for e in values for t in _strings(e)]
    if form == "folded":
        return [t.casefold() for e in values for t in _strings(e)]
    if form == "pairs":
        return [pair for e in values for pair in _tokens(e)]
    if form in ("labels", "all-labels"):
        pairs = [pair for e in values for pair in _tokens(e)]
        return [c.casefold() for system, c in pairs if system == _TEXT or form == "all-labels"]
    if form == "identifiers":
        identifiers = [e.get("identifier") for e in values if isinstance(e, dict)]
        return [pair for i in identifiers if i for pair in _tokens(i)]
    if form == "references":
        return _references(values)
    if form == "date":
        return [r for r in map(_value_range, values) if r]
    if form in ("number", "quantity"):
        return _numbers(values)
    if form == "uri":
        return [e for e in values if isinstance(e, str)]
    return values  # composite: the root elements


def _prepared(
    cache: ValueCache | None, resource: Resource, param: SearchParameter, form: str
) -> Any:
    if cache is None:
        return _prepare(form, param.values(resource))
    return cache.prepared(resource, param, form)


def _token_matches(pairs: list[tuple[str | None, str]], wanted: str) -> bool:
    system, bar, code = wanted.partition("|")
    for actual_system, actual_code in pairs:
        if not bar:
            if actual_code == wanted:
                return True
            continue
        if actual_system == _TEXT:
            continue  # a text is matched by a bare value only
        if not system:
            if not actual_system and actual_code == code:
                return True
        elif actual_system == system and (not code or actual_code == code):
            return True
    return False


def _composite_matches(param: SearchParameter, elements: list[Any], wanted: str) -> bool:
    parts = wanted.split("$")
    if len(parts) != len(param.components):
        return False
    for element in elements:
        for component, part in zip(param.components, parts, strict=True):
            sub = parameter_by_url(component.definition)
            if sub is None or sub.unsupported:
                return False
            criterion = _criterion(sub.code, sub, None, part)
            prepared = _prepare(_form(sub.type, None), component.values([element]))
            if not any(criterion._one(prepared, v) for v in criterion.values):
                break
        else:
            return True
    return False


def _criterion(name: str, param: SearchParameter, modifier: str | None, text: str) -> Criterion:
    if modifier == "missing":
        if text not in ("true", "false"):
            raise SearchError(f"Invalid :missing value for {name}: {text!r} (use true or false)")
        return Criterion(name, param, modifier, (text == "true",))
    values: list[Any] = []
    for value in split_values(text):
        values.append(_parse_value(name, param, modifier, value))
    return Criterion(name, param, modifier, tuple(values))


def _parse_value(name: str, param: SearchParameter, modifier: str | None, text: str) -> Any:
    kind = param.type
    if kind == "date":
        prefix, rest = _split_prefix(text)
        bounds = date_range(rest)
        if bounds is None:
            raise SearchError(f"Invalid format for date search parameter: {rest}")
        return (prefix, *bounds)
    if kind in ("number", "quantity"):
        prefix, rest = _split_prefix(text)
        number_text = rest.split("|", 1)[0]  # Medplum's server ignores a quantity's system/code
        try:
            number = float(number_text)
        except ValueError:
            number = float("nan")
        if number != number or number in (INF, -INF):
            raise SearchError(f"Invalid number for search parameter {name}: {text!r}")
        return (prefix, number)
    if kind == "reference" and modifier != "identifier":
        if "/" in text or text.startswith("urn:"):
            return reference_key(text) if not text.startswith("urn:") else text
        if modifier and modifier[:1].isupper():
            return f"{modifier}/{text}"
        if param.code in ("subject", "patient"):
            return f"Patient/{text}"  # as Medplum's server does for these two codes
        return text
    return text


# -- chains and _has --------------------------------------------------------------------------


@dataclass(frozen=True)
class _Link:
    """One link of a chain: forward (origin's reference parameter) or reverse (`_has`)."""

    origin: str  # resource type the link starts from
    target: str  # resource type it leads to
    param: SearchParameter  # a reference parameter of origin (forward) or of target (reverse)
    forward: bool


@dataclass(frozen=True)
class ChainCriterion:
    """`subject:Patient.name=x` or `_has:Observation:patient:code=y`: resolved in the store."""

    code: str
    links: tuple[_Link, ...]
    last: Criterion  # the filter on the chain's last resource type

    def keys(self, store: Store, cache: ValueCache | None) -> set[str]:
        """`Type/id` of the resources (of the chain's first type) that satisfy the chain."""
        final_type = self.links[-1].target
        matching = [r for r in store.current(final_type) if self.last.matches(r, cache)]
        keys = {f"{r['resourceType']}/{r['id']}" for r in matching}
        for link in reversed(self.links):
            if link.forward:
                keys = {
                    f"{r['resourceType']}/{r['id']}"
                    for r in store.current(link.origin)
                    if keys.intersection(_prepared(cache, r, link.param, "references"))
                }
            else:
                keys = {
                    ref
                    for r in store.current(link.target)
                    if f"{r['resourceType']}/{r['id']}" in keys
                    for ref in _prepared(cache, r, link.param, "references")
                    if ref.startswith(link.origin + "/")
                }
        return keys


def _split_chain(code: str) -> list[str]:
    parts: list[str] = []
    rest = code
    while rest:
        if rest.startswith("_has:"):
            type_end = rest.find(":", 5)
            code_end = rest.find(":", type_end + 1)
            if type_end < 0 or code_end < 0:
                raise SearchError(f"Invalid search chain: {rest}")
            parts.append(rest[:code_end])
            rest = rest[code_end + 1 :]
        else:
            head, _, rest = rest.partition(".")
            parts.append(head)
    return parts


def _parse_chain(resource_type: str, code: str, value: str) -> ChainCriterion:
    current = resource_type
    links: list[_Link] = []
    parts = _split_chain(code)
    for index, part in enumerate(parts):
        if part.startswith("_has:"):
            _, origin_type, ref_code = part.split(":", 2)
            param = search_parameter(origin_type, ref_code)
            if param is None:
                raise SearchError(f"Invalid search parameter in chain: {origin_type}?{ref_code}")
            if current not in param.target:
                raise SearchError(
                    f"Invalid reverse chain link: search parameter {origin_type}?{ref_code} "
                    f"does not refer to {current}"
                )
            links.append(_Link(current, origin_type, param, forward=False))
            current = origin_type
        elif index == len(parts) - 1:
            name, _, modifier = part.partition(":")
            param = search_parameter(current, name)
            if param is None:
                raise SearchError(f"Invalid search parameter at end of chain: {current}?{name}")
            last = _build_criterion(current, name, param, modifier or None, value)
            if len(links) > MAX_CHAIN:
                raise SearchError(
                    "Search chains longer than three links are not currently supported"
                )
            return ChainCriterion(code, tuple(links), last)
        else:
            name, _, modifier = part.partition(":")
            param = search_parameter(current, name)
            if param is None or param.type != "reference":
                raise SearchError(f"Invalid search parameter in chain: {current}?{name}")
            if len(param.target) == 1:
                target = param.target[0]
            elif modifier in param.target:
                target = modifier
            else:
                raise SearchError(
                    f"Unable to identify next resource type for search parameter: {current}?{name}"
                )
            links.append(_Link(current, target, param, forward=True))
            current = target
    raise SearchError("Unterminated chained search")


# -- _include and _revinclude -----------------------------------------------------------------


@dataclass(frozen=True)
class Include:
    """`_include=Observation:subject[:Patient]` (or `_revinclude`), with `:iterate` or not."""

    resource_type: str
    param: SearchParameter
    target: str | None
    reverse: bool
    iterate: bool

    def resources(
        self, base: list[Resource], store: Store, cache: ValueCache | None
    ) -> list[Resource]:
        if self.reverse:
            keys = {f"{r['resourceType']}/{r['id']}" for r in base}
            return [
                r
                for r in store.current(self.resource_type)
                if keys.intersection(_prepared(cache, r, self.param, "references"))
            ]
        found: list[Resource] = []
        for resource in base:
            if resource.get("resourceType") != self.resource_type:
                continue
            for ref in _prepared(cache, resource, self.param, "references"):
                kind, _, resource_id = ref.partition("/")
                if not resource_id or (self.target and kind != self.target):
                    continue
                included = store.get(kind, resource_id)
                if included is not None:
                    found.append(included)
        return found


def _parse_include(raw_name: str, value: str) -> Include:
    name, _, modifier = raw_name.partition(":")
    if modifier not in ("", "iterate"):
        raise SearchError(f"Unknown modifier :{modifier} for {name}")
    parts = value.split(":")
    if "*" in parts:
        raise SearchError("'*' is not supported as a value for search inclusion parameters")
    if len(parts) not in (2, 3):
        raise SearchError(
            f"Invalid include value '{value}': must be of the form ResourceType:search-parameter"
        )
    param = search_parameter(parts[0], parts[1])
    if param is None or param.type != "reference" or param.unsupported:
        raise SearchError(f"Invalid include parameter: {parts[0]}:{parts[1]}")
    target = parts[2] if len(parts) == 3 else None
    return Include(parts[0], param, target, name == "_revinclude", modifier == "iterate")


# -- the whole query --------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One `_sort` key: a parameter and the direction."""

    code: str
    param: SearchParameter
    descending: bool


@dataclass
class Search:
    """A parsed search: criteria (all must match) plus result shaping."""

    resource_type: str
    criteria: list[Criterion] = field(default_factory=list)
    chains: list[ChainCriterion] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    includes: list[Include] = field(default_factory=list)
    count: int | None = None
    offset: int = 0
    total: str | None = None
    summary: str | None = None
    elements: tuple[str, ...] = ()

    def run(self, store: Store, cache: ValueCache | None = None) -> list[Resource]:
        """The matching resources, sorted as asked (creation order otherwise)."""
        return self.filter(store.current(self.resource_type), store, cache)

    def filter(
        self, resources: Iterable[Resource], store: Store, cache: ValueCache | None = None
    ) -> list[Resource]:
        """The `resources` that match, sorted as asked."""
        found = list(resources)
        for chain in self.chains:
            keys = chain.keys(store, cache)
            found = [r for r in found if f"{r['resourceType']}/{r['id']}" in keys]
        for criterion in self.criteria:
            found = [r for r in found if criterion.matches(r, cache)]
        for key in reversed(self.sort):  # stable sorts, least significant key first
            keyed = [(r, _sort_value(_values(cache, r, key.param), key.param)) for r in found]
            present = [(r, v) for r, v in keyed if v is not None]
            present.sort(key=lambda item: item[1], reverse=key.descending)
            missing = [r for r, v in keyed if v is None]
            # Postgres puts NULLs last ascending and first descending; Medplum sorts in SQL.
            ordered = [r for r, _ in present]
            found = missing + ordered if key.descending else ordered + missing
        return found

    def included(
        self, page: list[Resource], store: Store, cache: ValueCache | None = None
    ) -> list[Resource]:
        """The `_include`/`_revinclude` resources of a page of matches, as Medplum finds them:
        all includes once, then the `:iterate` ones on what was included, 5 rounds at most."""
        seen = {f"{r['resourceType']}/{r['id']}" for r in page}
        out: list[Resource] = []
        base = page
        depth = 0
        iterate_only = False
        while base and self.includes:
            if depth >= MAX_INCLUDE_DEPTH:
                raise SearchError(
                    f"Search with _(rev)include reached query scope limit: depth={depth}"
                )
            new: list[Resource] = []
            for include in self.includes:
                if iterate_only and not include.iterate:
                    continue
                for resource in include.resources(base, store, cache):
                    key = f"{resource['resourceType']}/{resource['id']}"
                    new.append(resource)
                    if key not in seen:
                        seen.add(key)
                        out.append(resource)
            base = new
            iterate_only = True
            depth += 1
            if not any(i.iterate for i in self.includes):
                break
        return out

    def shape(self, resource: Resource) -> Resource:
        """The resource as the answer shows it (`_elements`, `_summary=data`)."""
        if self.elements:
            keep = {"resourceType", "id", "meta", *self.elements}
            return {k: v for k, v in resource.items() if k in keep}
        if self.summary == "data":
            return {k: v for k, v in resource.items() if k != "text"}
        return resource


def _sort_value(elements: list[Any], param: SearchParameter) -> Any:
    kind = param.type
    for element in elements:
        value: Any = None
        if kind == "string":
            texts = _strings(element)
            value = texts[0].casefold() if texts else None
        elif kind == "token":
            codes = sorted(code for system, code in _tokens(element) if system != _TEXT)
            value = codes[0] if codes else None
        elif kind == "date":
            bounds = _value_range(element)
            value = bounds[0] if bounds else None
        elif kind == "reference":
            refs = _references([element])
            value = refs[0] if refs else None
        elif kind in ("number", "quantity"):
            numbers = _numbers([element])
            value = numbers[0] if numbers else None
        elif isinstance(element, str):
            value = element
        if value is not None:
            return value
    return None


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise SearchError(f"Invalid {name}: {text!r} (expected a non-negative integer)")
    return int(text)


def _lookup(resource_type: str, code: str) -> SearchParameter:
    param = search_parameter(resource_type, code)
    if param is None:
        raise SearchError(f"Unknown search parameter: {code}")
    if param.unsupported:
        raise SearchError(param.unsupported)
    return param


def _control(search: Search, name: str, value: str) -> None:
    if name == "_count":
        search.count = min(_non_negative(name, value), MAX_COUNT)
    elif name == "_offset":
        search.offset = _non_negative(name, value)
    elif name == "_total":
        if value not in ("none", "estimate", "accurate"):
            raise SearchError(f"Invalid _total: {value!r} (use none, estimate or accurate)")
        search.total = value
    elif name == "_summary":
        if value == "count":
            search.total, search.count = "accurate", 0
        elif value in ("data", "false"):
            search.summary = value
        else:
            raise SearchError(f"_summary={value} is not supported in memory (use count or data)")
    elif name in ("_elements", "_fields"):
        search.elements = tuple(e.strip() for e in value.split(",") if e.strip())
    elif name == "_sort":
        for key in filter(None, (k.strip() for k in value.split(","))):
            descending = key.startswith("-")
            code = key.lstrip("-")
            search.sort.append(SortKey(code, _lookup(search.resource_type, code), descending))


def _build_criterion(
    resource_type: str, name: str, param: SearchParameter, modifier: str | None, value: str
) -> Criterion:
    if param.unsupported:
        raise SearchError(param.unsupported)
    allowed = MODIFIERS.get(param.type, frozenset({"missing"}))
    is_type_modifier = param.type == "reference" and modifier is not None and modifier[:1].isupper()
    if modifier is not None and modifier not in allowed and not is_type_modifier:
        raise SearchError(f"Unknown modifier :{modifier} for search parameter {name}")
    if value == "" and modifier != "missing":
        raise SearchError(f"Missing value for search parameter {name}")
    return _criterion(name, param, modifier, value)


def parse_search(resource_type: str, pairs: Sequence[tuple[str, str]]) -> Search:
    """Parse query pairs into a `Search`; raises SearchError for anything not understood."""
    if resource_type == "Binary":
        raise SearchError("Cannot search on Binary resource type")
    if not is_searchable_type(resource_type):
        raise SearchError(f"Unknown resource type: {resource_type}")
    search = Search(resource_type)
    for raw_name, value in pairs:
        name, _, modifier = raw_name.partition(":")
        if name in IGNORED:
            continue
        if name in CONTROL:
            _control(search, name, value)
        elif name in ("_include", "_revinclude"):
            search.includes.append(_parse_include(raw_name, value))
        elif name == "_has" or "." in raw_name:
            search.chains.append(_parse_chain(resource_type, raw_name, value))
        elif name in NOT_IN_MEMORY:
            raise SearchError(f"{name} is not supported in memory")
        else:
            param = _lookup(resource_type, name)
            search.criteria.append(
                _build_criterion(resource_type, name, param, modifier or None, value)
            )
    return search
