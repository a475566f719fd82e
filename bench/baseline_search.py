"""BENCH-ONLY BASELINE: the in-memory search as it was before issue 11 (hand-written table).

A verbatim copy of `medplum_bots/testing/search.py` at commit f6144ed, kept only so that
`bench/bench_inmemory.py` can time today's searches against the old implementation in the same
run. Nothing imports it but the benchmark; do not fix or extend it.

Original docstring:
FHIR search for the in-memory Medplum: the parameter table, parsing and matching.

`parse_search("Patient", [("family", "smi"), ("_sort", "-birthdate")])` returns a `Search`
whose `run(resources)` filters and sorts. Semantics follow the FHIR R4 spec for the types
bots use most: token (`code`, `system|code`, `|code`, `system|`), string (case-insensitive
prefix, `:exact`, `:contains`), reference (`Patient/1` or `1`), date (`eq ne lt le gt ge sa eb
ap` prefixes, partial dates, Periods), number/quantity and uri; `:missing` on all. Comma
separated values are OR, a repeated parameter is AND. Anything not understood raises
`SearchError` (the server answers 400): a typo must never silently match everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

Resource = dict[str, Any]

INF = float("inf")


class SearchError(ValueError):
    """A search the in-memory server does not understand (answered with 400)."""


@dataclass(frozen=True)
class SearchParam:
    """A search parameter: its type, the element paths it reads, and for references a target type.

    A path is dotted (`name.family`); `value[x]` reads any choice type (`valueQuantity`...);
    `telecom?system=email` keeps only elements whose `system` is `email`.
    """

    type: str
    paths: tuple[str, ...]
    target: str | None = None


def _p(kind: str, *paths: str, target: str | None = None) -> SearchParam:
    return SearchParam(kind, paths, target)


def _string(*paths: str) -> SearchParam:
    return _p("string", *paths)


def _token(*paths: str) -> SearchParam:
    return _p("token", *paths)


def _date(*paths: str) -> SearchParam:
    return _p("date", *paths)


def _ref(*paths: str, target: str | None = None) -> SearchParam:
    return _p("reference", *paths, target=target)


COMMON: dict[str, SearchParam] = {
    "_id": _token("id"),
    "_lastUpdated": _date("meta.lastUpdated"),
    "_tag": _token("meta.tag"),
    "_security": _token("meta.security"),
    "_profile": _p("uri", "meta.profile"),
    "_source": _p("uri", "meta.source"),
}

_PERSON: dict[str, SearchParam] = {
    "identifier": _token("identifier"),
    "name": _string("name"),
    "family": _string("name.family"),
    "given": _string("name.given"),
    "active": _token("active"),
    "gender": _token("gender"),
    "birthdate": _date("birthDate"),
    "telecom": _token("telecom"),
    "email": _token("telecom?system=email"),
    "phone": _token("telecom?system=phone"),
    "address": _string("address"),
    "address-city": _string("address.city"),
    "address-state": _string("address.state"),
    "address-postalcode": _string("address.postalCode"),
    "address-country": _string("address.country"),
}


def _clinical(
    subject: str = "subject", encounter: str | None = "encounter"
) -> dict[str, SearchParam]:
    """identifier, subject/patient (and encounter) as most clinical resources have them."""
    params = {
        "identifier": _token("identifier"),
        "subject": _ref(subject),
        "patient": _ref(subject, target="Patient"),
    }
    if encounter:
        params["encounter"] = _ref(encounter)
    return params


# The resource types bots touch most, with their most used parameters (FHIR R4 names).
SEARCH_PARAMETERS: dict[str, dict[str, SearchParam]] = {
    "Patient": {
        **_PERSON,
        "general-practitioner": _ref("generalPractitioner"),
        "organization": _ref("managingOrganization"),
        "death-date": _date("deceasedDateTime"),
        "link": _ref("link.other"),
    },
    "Practitioner": dict(_PERSON),
    "RelatedPerson": {
        **_PERSON,
        "patient": _ref("patient"),
        "relationship": _token("relationship"),
    },
    "Person": dict(_PERSON),
    "PractitionerRole": {
        "identifier": _token("identifier"),
        "practitioner": _ref("practitioner"),
        "organization": _ref("organization"),
        "role": _token("code"),
        "specialty": _token("specialty"),
        "active": _token("active"),
        "location": _ref("location"),
        "service": _ref("healthcareService"),
        "email": _token("telecom?system=email"),
        "phone": _token("telecom?system=phone"),
    },
    "Organization": {
        "identifier": _token("identifier"),
        "name": _string("name", "alias"),
        "active": _token("active"),
        "type": _token("type"),
        "address": _string("address"),
        "address-city": _string("address.city"),
        "address-state": _string("address.state"),
        "partof": _ref("partOf"),
    },
    "Location": {
        "identifier": _token("identifier"),
        "name": _string("name", "alias"),
        "status": _token("status"),
        "type": _token("type"),
        "address": _string("address"),
        "address-city": _string("address.city"),
        "organization": _ref("managingOrganization"),
        "partof": _ref("partOf"),
    },
    "Observation": {
        **_clinical(),
        "code": _token("code"),
        "category": _token("category"),
        "status": _token("status"),
        "date": _date("effective[x]"),
        "performer": _ref("performer"),
        "based-on": _ref("basedOn"),
        "has-member": _ref("hasMember"),
        "derived-from": _ref("derivedFrom"),
        "specimen": _ref("specimen"),
        "device": _ref("device"),
        "value-quantity": _p("quantity", "valueQuantity"),
        "value-string": _string("valueString"),
        "value-concept": _token("valueCodeableConcept"),
        "value-date": _date("valueDateTime", "valuePeriod"),
        "component-code": _token("component.code"),
    },
    "Encounter": {
        **_clinical(encounter=None),
        "status": _token("status"),
        "class": _token("class"),
        "type": _token("type"),
        "date": _date("period"),
        "participant": _ref("participant.individual"),
        "practitioner": _ref("participant.individual", target="Practitioner"),
        "service-provider": _ref("serviceProvider"),
        "location": _ref("location.location"),
        "appointment": _ref("appointment"),
        "reason-code": _token("reasonCode"),
        "episode-of-care": _ref("episodeOfCare"),
    },
    "EpisodeOfCare": {
        "identifier": _token("identifier"),
        "status": _token("status"),
        "type": _token("type"),
        "patient": _ref("patient"),
        "organization": _ref("managingOrganization"),
        "date": _date("period"),
    },
    "Condition": {
        **_clinical(),
        "code": _token("code"),
        "category": _token("category"),
        "clinical-status": _token("clinicalStatus"),
        "verification-status": _token("verificationStatus"),
        "severity": _token("severity"),
        "onset-date": _date("onset[x]"),
        "abatement-date": _date("abatement[x]"),
        "recorded-date": _date("recordedDate"),
    },
    "Procedure": {
        **_clinical(),
        "code": _token("code"),
        "status": _token("status"),
        "category": _token("category"),
        "date": _date("performed[x]"),
        "performer": _ref("performer.actor"),
        "based-on": _ref("basedOn"),
    },
    "AllergyIntolerance": {
        "identifier": _token("identifier"),
        "patient": _ref("patient"),
        "code": _token("code"),
        "clinical-status": _token("clinicalStatus"),
        "verification-status": _token("verificationStatus"),
        "category": _token("category"),
        "criticality": _token("criticality"),
        "type": _token("type"),
        "date": _date("recordedDate"),
    },
    "Immunization": {
        "identifier": _token("identifier"),
        "patient": _ref("patient"),
        "status": _token("status"),
        "date": _date("occurrence[x]"),
        "vaccine-code": _token("vaccineCode"),
        "lot-number": _string("lotNumber"),
    },
    "ServiceRequest": {
        **_clinical(),
        "code": _token("code"),
        "status": _token("status"),
        "intent": _token("intent"),
        "priority": _token("priority"),
        "category": _token("category"),
        "requester": _ref("requester"),
        "performer": _ref("performer"),
        "authored": _date("authoredOn"),
        "occurrence": _date("occurrence[x]"),
        "based-on": _ref("basedOn"),
        "requisition": _token("requisition"),
        "specimen": _ref("specimen"),
    },
    "Task": {
        **_clinical(subject="for"),
        "status": _token("status"),
        "business-status": _token("businessStatus"),
        "intent": _token("intent"),
        "priority": _token("priority"),
        "code": _token("code"),
        "focus": _ref("focus"),
        "owner": _ref("owner"),
        "requester": _ref("requester"),
        "performer": _token("performerType"),
        "authored-on": _date("authoredOn"),
        "modified": _date("lastModified"),
        "period": _date("executionPeriod"),
        "based-on": _ref("basedOn"),
        "part-of": _ref("partOf"),
        "group-identifier": _token("groupIdentifier"),
    },
    "Communication": {
        **_clinical(),
        "status": _token("status"),
        "category": _token("category"),
        "medium": _token("medium"),
        "sender": _ref("sender"),
        "recipient": _ref("recipient"),
        "sent": _date("sent"),
        "received": _date("received"),
        "based-on": _ref("basedOn"),
        "part-of": _ref("partOf"),
    },
    "CommunicationRequest": {
        **_clinical(),
        "status": _token("status"),
        "category": _token("category"),
        "priority": _token("priority"),
        "requester": _ref("requester"),
        "recipient": _ref("recipient"),
        "sender": _ref("sender"),
        "authored": _date("authoredOn"),
        "occurrence": _date("occurrence[x]"),
    },
    "DiagnosticReport": {
        **_clinical(),
        "code": _token("code"),
        "status": _token("status"),
        "category": _token("category"),
        "date": _date("effective[x]"),
        "issued": _date("issued"),
        "performer": _ref("performer"),
        "result": _ref("result"),
        "based-on": _ref("basedOn"),
        "specimen": _ref("specimen"),
    },
    "Specimen": {
        **_clinical(encounter=None),
        "accession": _token("accessionIdentifier"),
        "type": _token("type"),
        "status": _token("status"),
        "collected": _date("collection.collected[x]"),
    },
    "Medication": {
        "identifier": _token("identifier"),
        "code": _token("code"),
        "status": _token("status"),
    },
    "MedicationRequest": {
        **_clinical(),
        "status": _token("status"),
        "intent": _token("intent"),
        "priority": _token("priority"),
        "category": _token("category"),
        "code": _token("medicationCodeableConcept"),
        "medication": _ref("medicationReference"),
        "requester": _ref("requester"),
        "intended-performer": _ref("performer"),
        "authoredon": _date("authoredOn"),
    },
    "MedicationStatement": {
        **_clinical(subject="subject", encounter=None),
        "status": _token("status"),
        "code": _token("medicationCodeableConcept"),
        "medication": _ref("medicationReference"),
        "effective": _date("effective[x]"),
    },
    "Appointment": {
        "identifier": _token("identifier"),
        "status": _token("status"),
        "date": _date("start"),
        "actor": _ref("participant.actor"),
        "patient": _ref("participant.actor", target="Patient"),
        "practitioner": _ref("participant.actor", target="Practitioner"),
        "location": _ref("participant.actor", target="Location"),
        "part-status": _token("participant.status"),
        "appointment-type": _token("appointmentType"),
        "service-type": _token("serviceType"),
        "based-on": _ref("basedOn"),
        "slot": _ref("slot"),
    },
    "Schedule": {
        "identifier": _token("identifier"),
        "active": _token("active"),
        "actor": _ref("actor"),
        "date": _date("planningHorizon"),
        "service-type": _token("serviceType"),
    },
    "Slot": {
        "identifier": _token("identifier"),
        "schedule": _ref("schedule"),
        "status": _token("status"),
        "start": _date("start"),
        "service-type": _token("serviceType"),
    },
    "CarePlan": {
        **_clinical(),
        "status": _token("status"),
        "intent": _token("intent"),
        "category": _token("category"),
        "date": _date("period"),
        "care-team": _ref("careTeam"),
        "based-on": _ref("basedOn"),
    },
    "CareTeam": {
        **_clinical(),
        "status": _token("status"),
        "category": _token("category"),
        "participant": _ref("participant.member"),
        "date": _date("period"),
    },
    "Goal": {
        **_clinical(encounter=None),
        "lifecycle-status": _token("lifecycleStatus"),
        "category": _token("category"),
        "target-date": _date("target.due[x]"),
    },
    "Coverage": {
        "identifier": _token("identifier"),
        "status": _token("status"),
        "type": _token("type"),
        "beneficiary": _ref("beneficiary"),
        "patient": _ref("beneficiary", target="Patient"),
        "subscriber": _ref("subscriber"),
        "payor": _ref("payor"),
        "policy-holder": _ref("policyHolder"),
    },
    "Consent": {
        "identifier": _token("identifier"),
        "status": _token("status"),
        "patient": _ref("patient"),
        "category": _token("category"),
        "scope": _token("scope"),
        "date": _date("dateTime"),
    },
    "Device": {
        "identifier": _token("identifier"),
        "patient": _ref("patient"),
        "organization": _ref("owner"),
        "status": _token("status"),
        "type": _token("type"),
        "manufacturer": _string("manufacturer"),
        "model": _string("modelNumber"),
        "device-name": _string("deviceName.name"),
    },
    "Group": {
        "identifier": _token("identifier"),
        "type": _token("type"),
        "code": _token("code"),
        "actual": _token("actual"),
        "member": _ref("member.entity"),
        "name": _string("name"),
    },
    "DocumentReference": {
        **_clinical(encounter="context.encounter"),
        "status": _token("status"),
        "type": _token("type"),
        "category": _token("category"),
        "date": _date("date"),
        "author": _ref("author"),
        "custodian": _ref("custodian"),
        "period": _date("context.period"),
        "contenttype": _token("content.attachment.contentType"),
        "related": _ref("context.related"),
        "relatesto": _ref("relatesTo.target"),
    },
    "Questionnaire": {
        "identifier": _token("identifier"),
        "url": _p("uri", "url"),
        "name": _string("name"),
        "title": _string("title"),
        "status": _token("status"),
        "version": _token("version"),
        "code": _token("item.code"),
        "date": _date("date"),
        "publisher": _string("publisher"),
    },
    "QuestionnaireResponse": {
        **_clinical(),
        "questionnaire": _ref("questionnaire"),
        "status": _token("status"),
        "author": _ref("author"),
        "authored": _date("authored"),
        "based-on": _ref("basedOn"),
        "source": _ref("source"),
    },
    "ValueSet": {
        "url": _p("uri", "url"),
        "name": _string("name"),
        "title": _string("title"),
        "status": _token("status"),
        "version": _token("version"),
    },
    "CodeSystem": {
        "url": _p("uri", "url"),
        "name": _string("name"),
        "title": _string("title"),
        "status": _token("status"),
        "version": _token("version"),
    },
    "Subscription": {
        "status": _token("status"),
        "criteria": _string("criteria"),
        "type": _token("channel.type"),
        "url": _p("uri", "channel.endpoint"),
        "payload": _token("channel.payload"),
    },
    "Bot": {
        "identifier": _token("identifier"),
        "name": _string("name"),
        "description": _string("description"),
    },
    "AuditEvent": {
        "type": _token("type"),
        "subtype": _token("subtype"),
        "action": _token("action"),
        "outcome": _token("outcome"),
        "date": _date("recorded"),
        "agent": _ref("agent.who"),
        "entity": _ref("entity.what"),
        "patient": _ref("agent.who", "entity.what", target="Patient"),
        "source": _ref("source.observer"),
        "site": _token("source.site"),
    },
    "Binary": {},
}

# Result-shaping parameters handled by the server, and ones that are knowingly unsupported.
CONTROL = {"_count", "_offset", "_sort", "_total", "_summary", "_elements", "_format", "_pretty"}
UNSUPPORTED = {
    "_include",
    "_revinclude",
    "_has",
    "_filter",
    "_query",
    "_text",
    "_content",
    "_list",
    "_type",
    "_contained",
    "_containedType",
}
MODIFIERS = {
    "string": {"exact", "contains", "missing"},
    "token": {"not", "text", "missing"},
    "reference": {"missing"},
    "date": {"missing"},
    "quantity": {"missing"},
    "number": {"missing"},
    "uri": {"below", "missing"},
}
PREFIXES = ("eq", "ne", "lt", "le", "gt", "ge", "sa", "eb", "ap")


def parameters_for(resource_type: str) -> dict[str, SearchParam]:
    """Every search parameter the in-memory server knows for `resource_type`."""
    return {**COMMON, **SEARCH_PARAMETERS.get(resource_type, {})}


# -- reading element values ------------------------------------------------------------------


def _step(nodes: Iterable[Any], segment: str) -> list[Any]:
    name, _, condition = segment.partition("?")
    found: list[Any] = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        if name.endswith("[x]"):
            stem = name[:-3]
            values = [
                v
                for k, v in node.items()
                if k.startswith(stem) and k[len(stem) : len(stem) + 1].isupper()
            ]
        else:
            values = [node[name]] if name in node else []
        for value in values:
            found.extend(value if isinstance(value, list) else [value])
    if condition:
        key, _, wanted = condition.partition("=")
        found = [v for v in found if isinstance(v, dict) and v.get(key) == wanted]
    return found


def element_values(resource: Resource, param: SearchParam) -> list[Any]:
    """The elements of `resource` that `param` reads (lists flattened)."""
    values: list[Any] = []
    for path in param.paths:
        nodes: list[Any] = [resource]
        for segment in path.split("."):
            nodes = _step(nodes, segment)
        values.extend(nodes)
    return values


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        texts: list[str] = []
        for key in (
            "text",
            "family",
            "given",
            "prefix",
            "suffix",
            "line",
            "city",
            "district",
            "state",
            "postalCode",
            "country",
        ):
            item = value.get(key)
            texts.extend(
                item if isinstance(item, list) else [item] if isinstance(item, str) else []
            )
        return texts
    return []


def _tokens(value: Any) -> list[tuple[str | None, str]]:
    """(system, code) pairs of a code, Coding, CodeableConcept, Identifier or ContactPoint."""
    if isinstance(value, bool):
        return [(None, "true" if value else "false")]
    if isinstance(value, str | int | float):
        return [(None, str(value))]
    if not isinstance(value, dict):
        return []
    if "coding" in value:
        return [pair for coding in value.get("coding") or [] for pair in _tokens(coding)]
    code = value.get("code", value.get("value"))
    return [(value.get("system"), str(code))] if code is not None else []


def _reference(value: Any) -> str | None:
    if isinstance(value, dict):
        ref = value.get("reference")
        return ref if isinstance(ref, str) else None
    return value if isinstance(value, str) else None


# -- dates and numbers ------------------------------------------------------------------------

_DATE = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$"
)


def date_range(text: str) -> tuple[float, float] | None:
    """[start, end) in epoch seconds covered by a (partial) FHIR date/dateTime/instant."""
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
    return start.timestamp(), end.timestamp()


def _value_range(value: Any) -> tuple[float, float] | None:
    if isinstance(value, str):
        return date_range(value)
    if isinstance(value, dict) and ("start" in value or "end" in value):
        start = date_range(value["start"]) if isinstance(value.get("start"), str) else None
        end = date_range(value["end"]) if isinstance(value.get("end"), str) else None
        return (start[0] if start else -INF, end[1] if end else INF)
    return None


def _compare(prefix: str, low: float, high: float, want_low: float, want_high: float) -> bool:
    """FHIR prefix semantics between a value range [low, high) and a search range."""
    if prefix == "eq":
        return low >= want_low and high <= want_high
    if prefix == "ne":
        return not (low >= want_low and high <= want_high)
    if prefix == "gt":
        return high > want_high
    if prefix == "lt":
        return low < want_low
    if prefix == "ge":
        return high > want_low
    if prefix == "le":
        return low < want_high
    if prefix == "sa":
        return low >= want_high
    if prefix == "eb":
        return high <= want_low
    return low < want_high and high > want_low  # ap: overlaps


def _number_matches(prefix: str, value: float, exact: float, low: float, high: float) -> bool:
    """eq/ne use the search value's precision range [low, high); ap is within 10 %."""
    if prefix == "eq":
        return low <= value < high
    if prefix == "ne":
        return not low <= value < high
    if prefix == "ap":
        return abs(value - exact) <= abs(exact) * 0.1
    if prefix in ("gt", "sa"):
        return value > exact
    if prefix in ("lt", "eb"):
        return value < exact
    return value >= exact if prefix == "ge" else value <= exact


def _split_prefix(text: str) -> tuple[str, str]:
    if text[:2] in PREFIXES and len(text) > 2 and not text[2].isalpha():
        return text[:2], text[2:]
    return "eq", text


# -- one parameter -------------------------------------------------------------------------


def _split_values(text: str) -> list[str]:
    """Comma separated values (OR); `\\,` is a literal comma."""
    parts = re.split(r"(?<!\\),", text)
    return [p.replace("\\,", ",") for p in parts]


@dataclass(frozen=True)
class Criterion:
    """One `name[:modifier]=v1,v2` query parameter: matches when any value matches."""

    name: str
    param: SearchParam
    modifier: str | None
    values: tuple[Any, ...]

    def matches(self, resource: Resource) -> bool:
        elements = element_values(resource, self.param)
        if self.modifier == "missing":
            return bool(self.values[0]) is (not elements)
        if self.modifier == "not":
            return not any(self._one(elements, v) for v in self.values)
        return any(self._one(elements, v) for v in self.values)

    def _one(self, elements: list[Any], wanted: Any) -> bool:
        kind = self.param.type
        if kind == "string":
            return self._string(elements, wanted)
        if kind == "token":
            return self._token(elements, wanted)
        if kind == "reference":
            return self._reference(elements, wanted)
        if kind == "date":
            prefix, low, high = wanted
            ranges = [r for r in map(_value_range, elements) if r]
            return any(_compare(prefix, r[0], r[1], low, high) for r in ranges)
        if kind in ("number", "quantity"):
            return self._number(elements, wanted)
        if self.modifier == "below":
            return any(isinstance(e, str) and e.startswith(wanted) for e in elements)
        return wanted in elements

    def _string(self, elements: list[Any], wanted: str) -> bool:
        texts = [t for e in elements for t in _strings(e)]
        if self.modifier == "exact":
            return wanted in texts
        folded = wanted.casefold()
        if self.modifier == "contains":
            return any(folded in t.casefold() for t in texts)
        return any(t.casefold().startswith(folded) for t in texts)

    def _token(self, elements: list[Any], wanted: Any) -> bool:
        if self.modifier == "text":  # `wanted` is the text itself
            text = str(wanted).casefold()
            labels = [
                str(label)
                for e in elements
                if isinstance(e, dict)
                for label in [e.get("text"), e.get("display")]
                + [c.get("display") for c in e.get("coding") or [] if isinstance(c, dict)]
                if label
            ]
            return any(label.casefold().startswith(text) for label in labels)
        system, code = wanted
        for actual_system, actual_code in (pair for e in elements for pair in _tokens(e)):
            if system is not None and (actual_system or "") != system:
                continue
            if code is None or actual_code == code:
                return True
        return False

    def _reference(self, elements: list[Any], wanted: str) -> bool:
        target = self.param.target or (
            self.modifier if self.modifier not in (None, "missing") else None
        )
        for ref in filter(None, map(_reference, elements)):
            parts = ref.split("/")
            kind = parts[-2] if len(parts) >= 2 else None
            if target and kind != target:
                continue
            if "/" in wanted:
                if ref == wanted or ref.endswith("/" + wanted):
                    return True
            elif parts[-1] == wanted:
                return True
        return False

    def _number(
        self, elements: list[Any], wanted: tuple[str, Decimal, str | None, str | None]
    ) -> bool:
        prefix, number, system, code = wanted
        # eq/ne/ap use the precision of the search value: 5.4 means [5.35, 5.45).
        exponent = number.as_tuple().exponent
        half = Decimal(1).scaleb(exponent) / 2 if isinstance(exponent, int) else Decimal(0)
        low, high = float(number - half), float(number + half)
        for element in elements:
            value = element.get("value") if isinstance(element, dict) else element
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if isinstance(element, dict):
                if system and element.get("system") != system:
                    continue
                if code and code not in (element.get("code"), element.get("unit")):
                    continue
            if _number_matches(prefix, float(value), float(number), low, high):
                return True
        return False


def _parse_value(name: str, param: SearchParam, modifier: str | None, text: str) -> Any:
    if modifier == "missing":
        if text not in ("true", "false"):
            raise SearchError(f"Invalid :missing value for {name}: {text!r} (use true or false)")
        return text == "true"
    if param.type == "token" and modifier != "text":
        system, bar, code = text.partition("|")
        return (system, code or None) if bar else (None, text)
    if param.type == "date":
        prefix, rest = _split_prefix(text)
        bounds = date_range(rest)
        if bounds is None:
            raise SearchError(f"Invalid date for search parameter {name}: {text!r}")
        return (prefix, *bounds)
    if param.type in ("number", "quantity"):
        prefix, rest = _split_prefix(text)
        number_text, _, unit = rest.partition("|")
        system, _, code = unit.partition("|")
        try:
            number = Decimal(number_text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise SearchError(f"Invalid number for search parameter {name}: {text!r}")
        return (prefix, number, system or None, code or None)
    return text


# -- the whole query -------------------------------------------------------------------------


@dataclass(frozen=True)
class SortKey:
    """One `_sort` key: a parameter and the direction."""

    name: str
    param: SearchParam
    descending: bool


@dataclass
class Search:
    """A parsed search: criteria (all must match) plus result shaping."""

    resource_type: str
    criteria: list[Criterion] = field(default_factory=list)
    sort: list[SortKey] = field(default_factory=list)
    count: int | None = None
    offset: int = 0
    total: str | None = None
    summary: str | None = None
    elements: tuple[str, ...] = ()

    def run(self, resources: Iterable[Resource]) -> list[Resource]:
        """The matching resources, sorted as asked (creation order otherwise)."""
        found = [r for r in resources if all(c.matches(r) for c in self.criteria)]
        for key in reversed(self.sort):  # stable sorts, least significant key first
            keyed = [(r, _sort_value(r, key.param)) for r in found]
            present = [(r, v) for r, v in keyed if v is not None]
            present.sort(key=lambda item: item[1], reverse=key.descending)
            found = [r for r, _ in present] + [r for r, v in keyed if v is None]
        return found

    def shape(self, resource: Resource) -> Resource:
        """The resource as the answer shows it (`_elements` keeps only the listed elements)."""
        if not self.elements:
            return resource
        keep = {"resourceType", "id", "meta", *self.elements}
        return {k: v for k, v in resource.items() if k in keep}


def _sort_value(resource: Resource, param: SearchParam) -> Any:
    for element in element_values(resource, param):
        value: Any
        if param.type == "string":
            texts = _strings(element)
            value = texts[0].casefold() if texts else None
        elif param.type == "token":
            tokens = _tokens(element)
            value = tokens[0][1] if tokens else None
        elif param.type == "date":
            bounds = _value_range(element)
            value = bounds[0] if bounds else None
        elif param.type == "reference":
            value = _reference(element)
        elif param.type in ("number", "quantity"):
            raw = element.get("value") if isinstance(element, dict) else element
            value = float(raw) if isinstance(raw, int | float) else None
        else:
            value = element if isinstance(element, str) else None
        if value is not None:
            return value
    return None


def _non_negative(name: str, text: str) -> int:
    if not text.isdigit():
        raise SearchError(f"Invalid {name}: {text!r} (expected a non-negative integer)")
    return int(text)


def _lookup(resource_type: str, name: str) -> SearchParam:
    param = parameters_for(resource_type).get(name)
    if param is None:
        raise SearchError(f"Unknown search parameter: {name} for {resource_type}")
    return param


def _control(search: Search, name: str, value: str) -> None:
    if name == "_count":
        search.count = _non_negative(name, value)
    elif name == "_offset":
        search.offset = _non_negative(name, value)
    elif name == "_total":
        if value not in ("none", "estimate", "accurate"):
            raise SearchError(f"Invalid _total: {value!r} (use none, estimate or accurate)")
        search.total = value
    elif name == "_summary":
        if value not in ("count", "false"):
            raise SearchError(f"_summary={value} is not supported in memory (use count)")
        search.summary = value
    elif name == "_elements":
        search.elements = tuple(e.strip() for e in value.split(",") if e.strip())
    elif name == "_sort":
        for key in filter(None, (k.strip() for k in value.split(","))):
            descending = key.startswith("-")
            param_name = key.lstrip("-")
            search.sort.append(
                SortKey(param_name, _lookup(search.resource_type, param_name), descending)
            )


def parse_search(resource_type: str, pairs: Sequence[tuple[str, str]]) -> Search:
    """Parse query pairs into a `Search`; raises SearchError for anything not understood."""
    search = Search(resource_type)
    for raw_name, value in pairs:
        name, _, modifier = raw_name.partition(":")
        if name in CONTROL:
            _control(search, name, value)
            continue
        if name in UNSUPPORTED:
            raise SearchError(f"{name} is not supported in memory")
        if "." in raw_name:
            raise SearchError(f"Chained search is not supported in memory: {raw_name}")
        param = _lookup(resource_type, name)
        mod = modifier or None
        allowed = MODIFIERS.get(param.type, {"missing"})
        is_type_modifier = param.type == "reference" and mod is not None and mod[:1].isupper()
        if mod is not None and mod not in allowed and not is_type_modifier:
            raise SearchError(f"Unknown modifier :{mod} for search parameter {name}")
        if value == "":
            raise SearchError(f"Missing value for search parameter {raw_name}")
        texts = [value] if mod == "missing" else _split_values(value)
        parsed = tuple(_parse_value(raw_name, param, mod, t) for t in texts)
        search.criteria.append(Criterion(name, param, mod, parsed))
    return search
