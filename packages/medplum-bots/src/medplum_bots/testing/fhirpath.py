"""The FHIRPath subset that Medplum's SearchParameter expressions use, compiled to closures.

`compile_path("Observation.subject.where(resolve() is Patient)")` returns a function from a
resource (a JSON dict) to the list of values the expression selects. The subset is what the
2607 expressions in `definitions/search_parameters.json` contain: paths (choice elements
`Observation.effective` read `effectiveDateTime`, `effectivePeriod`, ...), `|` unions, `[n]`,
`as T` / `.as(T)` / `.ofType(T)` on choice elements, `.where(...)`, `resolve() is T` (on a
reference: its type, read from the reference string, as the resource is not loaded),
`.resolve().resourceType`, `exists()`, `first()`, `iif(c, a, b)`, `=`, `!=`, `and`, `or`,
`not()`, string/number/boolean literals and the root type name. Anything else raises
`FhirPathError` when compiled, so an unsupported parameter is refused, never guessed.

Why hand-written rather than `fhirpathpy` (2.2.4, maintained, the library the developers'
guide would have us use): measured on the 2-core machine over 10,000 resources,
`fhirpathpy.compile` runs `Patient.name` at ~107,000 resources/s and
`Patient.telecom.where(system='email')` at ~23,000/s, and it has no `resolve()` (51
parameters, e.g. Observation `patient`, need it). These closures run the same two at
~1,700,000/s and ~860,000/s, 17x and 35x faster (`bench/bench_inmemory.py` part c): the
in-memory server evaluates expressions under every test, so that matters more than ~300 lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

Fn = Callable[[list[Any]], list[Any]]

# FHIR type names that can end a choice element's JSON key (`valueQuantity`, `onsetDateTime`).
_CHOICE_SUFFIXES = frozenset(
    {
        "Base64Binary", "Boolean", "Canonical", "Code", "Date", "DateTime", "Decimal", "Id",
        "Instant", "Integer", "Markdown", "Oid", "PositiveInt", "String", "Time", "UnsignedInt",
        "Uri", "Url", "Uuid", "Address", "Age", "Annotation", "Attachment", "CodeableConcept",
        "Coding", "ContactDetail", "ContactPoint", "Contributor", "Count", "DataRequirement",
        "Distance", "Dosage", "Duration", "Expression", "HumanName", "Identifier", "Meta",
        "Money", "ParameterDefinition", "Period", "Quantity", "Range", "Ratio", "Reference",
        "RelatedArtifact", "SampledData", "Signature", "Timing", "TriggerDefinition",
        "UsageContext",
    }
)  # fmt: skip


class FhirPathError(ValueError):
    """An expression outside the supported subset."""


_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>\d+(?:\.\d+)?)|(?P<id>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>!=|[.()\[\]|=,]))"
)


def _tokens(text: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        match = _TOKEN.match(text, pos)
        if not match:
            raise FhirPathError(f"Unsupported FHIRPath at {pos}: {text[pos : pos + 20]!r}")
        out.append(match.group(match.lastgroup or "op"))
        pos = match.end()
    return out


def _flat(values: list[Any]) -> list[Any]:
    out: list[Any] = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        elif value is not None:
            out.append(value)
    return out


def _member(name: str) -> Fn:
    def step(nodes: list[Any]) -> list[Any]:
        out: list[Any] = []
        for node in nodes:
            if not isinstance(node, dict):
                continue
            value = node.get(name)
            if value is None:
                # A choice element: `effective` is `effectiveDateTime`, `effectivePeriod`...
                size = len(name)
                for key, item in node.items():
                    if key.startswith(name) and key[size:] in _CHOICE_SUFFIXES:
                        value = item
                        break
                else:
                    continue
            if isinstance(value, list):
                out.extend(v for v in value if v is not None)
            else:
                out.append(value)
        return out

    return step


def _typed_member(name: str, type_name: str) -> Fn:
    """`x as T` where `x` is a choice element: the key `xT` (or `x` itself, assumed of type T)."""
    key = name + type_name[:1].upper() + type_name[1:]

    def step(nodes: list[Any]) -> list[Any]:
        return _flat([n.get(key, n.get(name)) for n in nodes if isinstance(n, dict)])

    return step


def _reference_type(value: Any) -> str | None:
    reference = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(reference, str) or "/" not in reference:
        return None
    parts = reference.split("/")
    return parts[-4] if len(parts) >= 4 and parts[-2] == "_history" else parts[-2]


class _Parser:
    """Recursive descent over FHIRPath precedence: and/or < =,!= < | < is/as < . and []."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise FhirPathError(f"Expected {expected or 'more'} in FHIRPath {self.text!r}")
        self.pos += 1
        return token

    def parse(self) -> Fn:
        fn = self.logical()
        if self.peek() is not None:
            raise FhirPathError(f"Unsupported FHIRPath {self.text!r} at {self.peek()!r}")
        return fn

    def logical(self) -> Fn:
        left = self.equality()
        while self.peek() in ("and", "or"):
            op = self.take()
            right = self.equality()
            left = _logical(op, left, right)
        return left

    def equality(self) -> Fn:
        left = self.union()
        if self.peek() in ("=", "!="):
            op = self.take()
            right = self.union()
            return _equality(op == "!=", left, right)
        return left

    def union(self) -> Fn:
        parts = [self.typed()]
        while self.peek() == "|":
            self.take()
            parts.append(self.typed())
        if len(parts) == 1:
            return parts[0]

        def union(nodes: list[Any]) -> list[Any]:
            out: list[Any] = []
            for part in parts:
                out.extend(part(nodes))
            return out

        return union

    def typed(self) -> Fn:
        start = self.pos
        fn, last = self.term()
        if self.peek() in ("as", "is"):
            op = self.take()
            type_name = self.take()
            if op == "as":
                return self._cast(fn, last, type_name, start)
            return _is_type(fn, type_name)
        return fn

    def _cast(self, fn: Fn, last: tuple[Fn, str] | None, type_name: str, start: int) -> Fn:
        if last is None:
            raise FhirPathError(f"'as' needs an element before it in {self.text!r}")
        before, name = last
        member = _typed_member(name, type_name)
        return lambda nodes: member(before(nodes))

    def term(self) -> tuple[Fn, tuple[Fn, str] | None]:
        """A primary and its invocations; also the last member step (for `as` on a choice)."""
        fn, last = self.primary()
        while self.peek() in (".", "["):
            if self.take() == "[":
                index = int(self.take())
                self.take("]")
                fn = _index(fn, index)
                last = None
                continue
            name = self.take()
            if self.peek() == "(":
                fn, last = self.function(fn, last, name), None
            else:
                before = fn
                step = _member(name)
                last = (before, name)
                fn = _then(before, step)
        return fn, last

    def primary(self) -> tuple[Fn, tuple[Fn, str] | None]:
        token = self.take()
        if token == "(":
            inner = self.logical()
            self.take(")")
            return inner, None
        if token.startswith("'"):
            literal = re.sub(r"\\(.)", r"\1", token[1:-1])
            return (lambda nodes: [literal]), None
        if token[0].isdigit():
            number = float(token) if "." in token else int(token)
            return (lambda nodes: [number]), None
        if token in ("true", "false"):
            flag = token == "true"
            return (lambda nodes: [flag]), None
        if self.peek() == "(":
            return self.function(_identity, None, token), None
        if token[:1].isupper():
            # A type name at the root selects the input when it is of that resource type.
            def root(nodes: list[Any]) -> list[Any]:
                return [n for n in nodes if isinstance(n, dict) and n.get("resourceType") == token]

            return root, None
        return _member(token), (_identity, token)

    def arguments(self) -> list[Fn]:
        self.take("(")
        args: list[Fn] = []
        while self.peek() != ")":
            args.append(self.logical())
            if self.peek() == ",":
                self.take()
        self.take(")")
        return args

    def type_argument(self) -> str:
        self.take("(")
        name = self.take()
        self.take(")")
        return name

    def function(self, fn: Fn, last: tuple[Fn, str] | None, name: str) -> Fn:
        if name in ("as", "ofType"):
            type_name = self.type_argument()
            if last is None:
                raise FhirPathError(f"{name}() needs an element before it in {self.text!r}")
            before, member_name = last
            member = _typed_member(member_name, type_name)
            return lambda nodes: member(before(nodes))
        args = self.arguments()
        if name == "where" and len(args) == 1:
            return _then(fn, _where(args[0]))
        if name == "resolve" and not args:
            return _then(fn, _resolve)
        if name == "exists" and not args:
            return lambda nodes: [bool(fn(nodes))]
        if name == "empty" and not args:
            return lambda nodes: [not fn(nodes)]
        if name == "first" and not args:
            return lambda nodes: fn(nodes)[:1]
        if name == "not" and not args:
            return lambda nodes: [v is False for v in fn(nodes)[:1]]
        if name == "iif" and len(args) in (2, 3):
            return _iif(fn, args)
        raise FhirPathError(f"Unsupported FHIRPath function {name}() in {self.text!r}")


class _Resolved(dict[str, Any]):
    """What `resolve()` gives for a reference: only its resource type is known here."""


def _resolve(nodes: list[Any]) -> list[Any]:
    out: list[Any] = []
    for node in nodes:
        kind = _reference_type(node)
        if kind is not None:
            out.append(_Resolved(resourceType=kind))
    return out


def _identity(nodes: list[Any]) -> list[Any]:
    return nodes


def _then(first: Fn, second: Fn) -> Fn:
    if first is _identity:
        return second
    return lambda nodes: second(first(nodes))


def _index(fn: Fn, index: int) -> Fn:
    return lambda nodes: fn(nodes)[index : index + 1]


def _where(condition: Fn) -> Fn:
    def where(nodes: list[Any]) -> list[Any]:
        return [n for n in nodes if condition([n]) == [True]]

    return where


def _is_type(fn: Fn, type_name: str) -> Fn:
    def is_type(nodes: list[Any]) -> list[Any]:
        values = fn(nodes)
        if not values:
            return []
        value = values[0]
        return [isinstance(value, dict) and value.get("resourceType") == type_name]

    return is_type


def _equality(negate: bool, left: Fn, right: Fn) -> Fn:
    def equality(nodes: list[Any]) -> list[Any]:
        a, b = left(nodes), right(nodes)
        if not a or not b:
            return []
        return [(a == b) != negate]

    return equality


def _logical(op: str, left: Fn, right: Fn) -> Fn:
    def logical(nodes: list[Any]) -> list[Any]:
        a, b = left(nodes)[:1], right(nodes)[:1]
        if op == "and":
            if a == [False] or b == [False]:
                return [False]
            return [True] if a == [True] and b == [True] else []
        if a == [True] or b == [True]:
            return [True]
        return [False] if a == [False] and b == [False] else []

    return logical


def _iif(fn: Fn, args: list[Fn]) -> Fn:
    condition, then = args[0], args[1]
    otherwise = args[2] if len(args) == 3 else (lambda nodes: [])

    def iif(nodes: list[Any]) -> list[Any]:
        focus = fn(nodes)
        return then(focus) if condition(focus) == [True] else otherwise(focus)

    return iif


def compile_path(expression: str) -> Callable[[dict[str, Any]], list[Any]]:
    """A function giving the values `expression` selects in a resource; FhirPathError if the
    expression is outside the subset."""
    fn = _Parser(expression).parse()
    return lambda resource: fn([resource])


def compile_relative(expression: str) -> Fn:
    """Like `compile_path`, over a collection of elements (composite components)."""
    return _Parser(expression).parse()
