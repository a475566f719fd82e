"""`dist/manifest.json`: the list of built artifacts, and the one place that reads it.

`invoke build` writes it (`bundle.write_manifest`); the deployer (`--no-build`), the runtime
zip and the Lambda handler read it. Each record: `name`, `source`, `dist` (the artifact's
path relative to the project root, posix), `sha256`, `size`, `modules`, `requirements`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medplum_bots.errors import BuildError

# Relative to the project root, and to a runtime zip's task root, which keeps the same layout.
MANIFEST = "dist/manifest.json"


def read_manifest(root: Path) -> list[dict[str, Any]]:
    """The artifacts recorded in `<root>/dist/manifest.json`; [] when there is none yet.

    A file that is not JSON, or records without a `dist` path or with `requirements` that are
    not a list of strings, is a BuildError saying to rebuild.
    """
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        raise BuildError(f"{MANIFEST}: unreadable ({error}); delete it and rebuild") from None
    records = data.get("artifacts") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and isinstance(r.get("dist"), str) for r in records
    ):
        raise BuildError(f"{MANIFEST}: expected an 'artifacts' list; delete it and rebuild")
    for record in records:
        listed = record.get("requirements") or []
        if not isinstance(listed, list) or not all(isinstance(r, str) for r in listed):
            raise BuildError(
                f"{MANIFEST}: 'requirements' of {record['dist']} must be a list of strings; "
                "delete it and rebuild"
            )
    return records
