"""JSON Patch (RFC 6902) applied to a resource: what `patch_resource` sends to Medplum.

Used by the in-memory Medplum; supports add, remove, replace, move, copy and test.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any


class PatchError(ValueError):
    """A patch operation that cannot be applied (bad path, failed test...)."""


def _tokens(pointer: Any) -> list[str]:
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise PatchError(f"Invalid JSON Pointer: {pointer!r}")
    if pointer == "":
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, pointer: str, *, appending: bool) -> int:
    if appending and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"Invalid array index in {pointer!r}")
    index = int(token)
    limit = len(container) if appending else len(container) - 1
    if index > limit:
        raise PatchError(f"Array index out of range in {pointer!r}")
    return index


def _parent(document: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("Patching the whole document is not supported")
    node = document
    for token in tokens[:-1]:
        node = _child(node, token, pointer)
    return node, tokens[-1]


def _child(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, dict):
        if token not in node:
            raise PatchError(f"Path not found: {pointer!r}")
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token, pointer, appending=False)]
    raise PatchError(f"Path not found: {pointer!r}")


def _get(document: Any, pointer: str) -> Any:
    node = document
    for token in _tokens(pointer):
        node = _child(node, token, pointer)
    return node


def _add(document: Any, pointer: str, value: Any) -> None:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        parent[token] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, token, pointer, appending=True), value)
    else:
        raise PatchError(f"Path not found: {pointer!r}")


def _remove(document: Any, pointer: str) -> Any:
    parent, token = _parent(document, pointer)
    if isinstance(parent, dict):
        if token not in parent:
            raise PatchError(f"Path not found: {pointer!r}")
        return parent.pop(token)
    if isinstance(parent, list):
        return parent.pop(_index(parent, token, pointer, appending=False))
    raise PatchError(f"Path not found: {pointer!r}")


def apply_patch(document: Mapping[str, Any], operations: Sequence[Any]) -> dict[str, Any]:
    """A patched deep copy of `document`; raises PatchError naming the failing operation."""
    if not isinstance(operations, list | tuple):
        raise PatchError("A JSON Patch must be an array of operations")
    result: dict[str, Any] = copy.deepcopy(dict(document))
    for number, operation in enumerate(operations):
        if not isinstance(operation, dict):
            raise PatchError(f"Patch operation {number} is not an object")
        op, path = operation.get("op"), operation.get("path")
        if not isinstance(path, str):
            raise PatchError(f"Patch operation {number} has no path")
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f"Patch operation {number} ({op}) has no value")
        value = copy.deepcopy(operation.get("value"))
        if op == "add":
            _add(result, path, value)
        elif op == "remove":
            _remove(result, path)
        elif op == "replace":
            _remove(result, path)
            _add(result, path, value)
        elif op in ("move", "copy"):
            source = operation.get("from")
            if not isinstance(source, str):
                raise PatchError(f"Patch operation {number} ({op}) has no from")
            moved = _remove(result, source) if op == "move" else copy.deepcopy(_get(result, source))
            _add(result, path, moved)
        elif op == "test":
            if _get(result, path) != value:
                raise PatchError(f"Test failed: {path} is not {value!r}")
        else:
            raise PatchError(f"Unknown patch operation: {op!r}")
    return result
