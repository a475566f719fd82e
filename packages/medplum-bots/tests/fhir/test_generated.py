"""The committed generated files are what the generator makes from the pinned definitions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.fhir.oracle import NODE_MODULES, PACKAGE_ROOT, require_node_modules

GENERATED = (
    "fhir/types.py",
    "fhir/__init__.py",
    "testing/definitions/structure.json",
    "testing/definitions/search_parameters.json",
    "testing/definitions/patient_compartment.json",
    "client/typed.py",
)


def test_generator_output_is_committed_byte_for_byte(tmp_path: Path) -> None:
    require_node_modules()
    done = subprocess.run(
        [
            sys.executable,
            str(PACKAGE_ROOT / "scripts" / "generate_fhir.py"),
            "--definitions",
            str(NODE_MODULES / "@medplum" / "definitions"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    package = PACKAGE_ROOT / "src" / "medplum_bots"
    stale = [
        rel for rel in GENERATED if (tmp_path / rel).read_bytes() != (package / rel).read_bytes()
    ]
    assert not stale, f"regenerate with scripts/generate_fhir.py: {stale} differ"
