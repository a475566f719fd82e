"""RFC 6902 JSON Patch, enough for FHIR PATCH (add, remove, replace, move, copy, test)."""

from __future__ import annotations

import copy
from typing import Any


class PatchError(Exception):
    """The patch document is invalid or a `test` failed."""


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"Invalid JSON pointer: {path!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str]) -> tuple[Any, str]:
    if not parts:
        raise PatchError("Cannot patch the whole document")
    target = doc
    for part in parts[:-1]:
        target = _child(target, part)
    return target, parts[-1]


def _child(target: Any, part: str) -> Any:
    try:
        if isinstance(target, list):
            return target[int(part)]
        if isinstance(target, dict):
            return target[part]
    except (KeyError, IndexError, ValueError):
        pass
    raise PatchError(f"Path not found: {part!r}")


def _get(doc: Any, path: str) -> Any:
    target = doc
    for part in _pointer(path):
        target = _child(target, part)
    return target


def _add(doc: Any, path: str, value: Any) -> None:
    parent, key = _parent(doc, _pointer(path))
    if isinstance(parent, list):
        index = len(parent) if key == "-" else _index(key, len(parent) + 1)
        parent.insert(index, value)
    elif isinstance(parent, dict):
        parent[key] = value
    else:
        raise PatchError(f"Cannot add at {path!r}")


def _remove(doc: Any, path: str) -> Any:
    parent, key = _parent(doc, _pointer(path))
    if isinstance(parent, list):
        return parent.pop(_index(key, len(parent)))
    if isinstance(parent, dict) and key in parent:
        return parent.pop(key)
    raise PatchError(f"Path not found: {path!r}")


def _index(key: str, limit: int) -> int:
    if not key.isdigit() or int(key) >= limit:
        raise PatchError(f"Invalid array index: {key!r}")
    return int(key)


def apply_patch(document: dict[str, Any], operations: Any) -> dict[str, Any]:
    """Apply `operations` to a copy of `document` and return the copy."""
    if not isinstance(operations, list):
        raise PatchError("Patch must be an array of operations")
    doc = copy.deepcopy(document)
    for op in operations:
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            raise PatchError("Each patch operation needs an op and a path")
        kind, path = op.get("op"), op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"Missing value for {kind} at {path!r}")
        if kind == "add":
            _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _remove(doc, path)
            _add(doc, path, copy.deepcopy(op["value"]))
        elif kind == "move":
            _add(doc, path, _remove(doc, str(op.get("from"))))
        elif kind == "copy":
            _add(doc, path, copy.deepcopy(_get(doc, str(op.get("from")))))
        elif kind == "test":
            if _get(doc, path) != op["value"]:
                raise PatchError(f"Test failed at {path!r}")
        else:
            raise PatchError(f"Unknown patch operation: {kind!r}")
    return doc
