"""docs/client.md's table covers exactly the public methods of the installed @medplum/core's
MedplumClient, and every Python name in it exists on both clients."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medplum_bots.client.aio import AsyncMedplumClient
from medplum_bots.client.sync import MedplumClient
from tests.client.node_core import run_node

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"
ROW = re.compile(r"^\| `(\w+)` \| (.+?) \|(.*)\|$")

# Node lists the prototype's own members; the type declarations say which are private.
PUBLIC_METHODS = r"""
const fs = require('fs');
const { MedplumClient } = require('@medplum/core');
const entry = require.resolve('@medplum/core');
const dts = fs.readFileSync(entry.replace(/index\.cjs$/, 'index.d.ts'), 'utf8');
const start = dts.indexOf('export declare class MedplumClient ');
const body = dts.slice(start, dts.indexOf('\n}\n', start));
const declared = body.matchAll(/^    (?:private|protected) (?:readonly )?(\w+)/gm);
const hidden = new Set([...declared].map((m) => m[1]));
const names = Object.getOwnPropertyNames(MedplumClient.prototype)
  .filter((n) => n !== 'constructor' && !hidden.has(n));
process.stdout.write(JSON.stringify(names));
"""


def table() -> dict[str, tuple[list[str], str]]:
    rows: dict[str, tuple[list[str], str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match and match.group(1) != "Python":
            name, python, notes = match.groups()
            assert name not in rows, f"{name} twice in docs/client.md"
            rows[name] = (re.findall(r"`(\w+)`", python), notes.strip())
    return rows


@pytest.fixture(scope="module")
def core_methods() -> list[str]:
    names: list[str] = run_node(PUBLIC_METHODS, None)
    assert "readResource" in names and "request" not in names  # private ones are left out
    return names


def test_the_table_lists_exactly_medplum_cores_public_methods(core_methods: list[str]) -> None:
    rows = table()
    assert sorted(set(core_methods) - rows.keys()) == [], "missing from docs/client.md"
    assert sorted(rows.keys() - set(core_methods)) == [], "not in @medplum/core"


def test_each_row_names_a_python_method_or_says_why_not() -> None:
    for name, (python, notes) in table().items():
        if python:
            for method in python:
                assert callable(getattr(MedplumClient, method, None)), f"{name}: {method}"
                assert callable(getattr(AsyncMedplumClient, method, None)), f"{name}: {method}"
        else:
            assert len(notes) > 10, f"{name}: no Python method and no reason"
