"""JSON Patch (RFC 6902) applied to a resource: what `patch_resource` sends to Medplum.

The in-memory Medplum applies patches with the `jsonpatch` library; this module only maps its
errors to one `PatchError` whose text names what failed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

import jsonpatch
import jsonpointer


class PatchError(ValueError):
    """A patch operation that cannot be applied (bad path, failed test...)."""


def apply_patch(document: Mapping[str, Any], operations: Sequence[Any]) -> dict[str, Any]:
    """A patched deep copy of `document`; raises PatchError saying why it cannot be applied."""
    if not isinstance(operations, list | tuple):
        raise PatchError("A JSON Patch must be an array of operations")
    try:
        return cast(dict[str, Any], jsonpatch.apply_patch(dict(document), list(operations)))
    except jsonpatch.JsonPatchTestFailed as error:
        raise PatchError(f"Test failed: {error}") from None
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as error:
        raise PatchError(f"Invalid JSON Patch: {error}") from None
