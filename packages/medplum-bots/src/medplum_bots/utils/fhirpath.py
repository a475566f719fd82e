"""`eval_fhirpath`: @medplum/core's `evalFhirPath` over the package's own FHIRPath compiler.

The compiler (`medplum_bots.testing.fhirpath`) is the subset Medplum's SearchParameter
expressions use: paths with choice elements, `|`, `[n]`, `as`/`ofType`, `where`, `exists`,
`empty`, `first`, `not`, `iif`, `=`, `!=`, `and`, `or`, `is <ResourceType>`, literals. Where the
search engine's reading differs from `evalFhirPath`, this wrapper refuses instead of answering
differently (differential tests against @medplum/core hold it to that):
- `resolve()` only as `resolve() is T` or `.resolve().resourceType` (the search engine knows
  a referenced resource's type, not the resource);
- `|` only at the top level of the expression and not under `=`, `!=`, `and`, `or` (the
  result is then de-duplicated as FHIRPath's union is);
- `is` only with a resource type (data types need the schema).
Everything else outside the subset raises `FhirPathError` (arithmetic, `<`, `%variables`,
`$this`, `count()`, `extension()`, ...).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medplum_bots.testing.fhirpath import FhirPathError, Fn

__all__ = ["FhirPathError", "eval_fhirpath"]


def __getattr__(name: str) -> Any:
    # The compiler's package (`testing`) loads the in-memory Medplum: only on first use, so
    # a deployed bot that imports the utilities does not pay for it.
    if name == "FhirPathError":
        from medplum_bots.testing.fhirpath import FhirPathError

        return FhirPathError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_TOKENS = re.compile(r"'(?:[^'\\]|\\.)*'|[A-Za-z_][A-Za-z0-9_]*|!=|\S")


@lru_cache(maxsize=256)
def _compiled(expression: str) -> tuple[Fn, bool]:
    from medplum_bots.testing.fhirpath import FhirPathError, compile_relative

    tokens = _TOKENS.findall(expression)
    depth = 0
    union_at_top = False
    loose_at_top = False
    for position, token in enumerate(tokens):
        if token in ("(", "["):
            depth += 1
        elif token in (")", "]"):
            depth -= 1
        elif token == "|":
            if depth:
                raise FhirPathError(
                    f"'|' inside parentheses or arguments is not supported: {expression!r}"
                )
            union_at_top = True
        elif token in ("=", "!=", "and", "or") and depth == 0:
            loose_at_top = True
        elif token == "is":
            type_name = tokens[position + 1] if position + 1 < len(tokens) else ""
            if type_name not in _resource_types():
                raise FhirPathError(
                    f"'is {type_name}' is supported for resource types only: {expression!r}"
                )
    if union_at_top and loose_at_top:
        raise FhirPathError(f"'|' under '=', '!=', 'and' or 'or' is not supported: {expression!r}")
    return compile_relative(expression), union_at_top


@lru_cache(maxsize=1)
def _resource_types() -> frozenset[str]:
    from medplum_bots.fhir.types import RESOURCE_TYPES

    return frozenset(RESOURCE_TYPES)


def eval_fhirpath(expression: str, input: Any) -> list[Any]:
    """The values `expression` selects in `input` (a resource or element, or a list of them);
    `FhirPathError` for what the subset does not cover."""
    from medplum_bots.testing.fhirpath import FhirPathError, _Resolved

    fn, union = _compiled(expression)
    out = fn(list(input) if isinstance(input, list) else [input])
    if any(isinstance(value, _Resolved) for value in out):
        raise FhirPathError(
            "resolve() is supported only as 'resolve() is T' or '.resolve().resourceType': "
            + repr(expression)
        )
    if union:
        unique: list[Any] = []
        for value in out:
            if not any(_same(value, seen) for seen in unique):
                unique.append(value)
        out = unique
    return out


def _same(a: Any, b: Any) -> bool:
    # JSON equality: 1 and True are different values in FHIRPath, as in JavaScript.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b
