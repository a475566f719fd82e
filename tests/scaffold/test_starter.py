"""The hello-patient starter has three copies; they must stay the same code.

`examples/hello_patient.py` (the copy users read), the first bot the template generates, and
the module `invoke new` writes (`medplum_bots.scaffold.BOT_STARTER`, in the package, because
the template cannot be read from a generated project). Only their docstrings differ.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

from medplum_bots.config import load_config
from medplum_bots.scaffold import BOT_STARTER, entries_for

from tests.template import render


def code(text: str) -> str:
    """The module without its docstring, as Python sees it (formatting normalised)."""
    tree = ast.parse(text)
    body = tree.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    return ast.unparse(ast.Module(body=body, type_ignores=[]))


def test_the_three_starters_are_the_same_code(tmp_path: Path) -> None:
    project = render(tmp_path, first_bot_name="intake")
    example = (project / "examples/hello_patient.py").read_text()
    first_bot = (project / "src/bots/intake.py").read_text()
    new_bot = BOT_STARTER.substitute(name="lab-results")

    assert code(first_bot) == code(example)
    assert code(new_bot) == code(example)
    assert "def handler(medplum: MedplumClient, event: BotEvent[Patient]) -> bool:" in example


def test_the_first_bots_entries_are_the_ones_invoke_new_writes(tmp_path: Path) -> None:
    project = render(tmp_path, first_bot_name="intake")
    config = load_config(project / "medplum.config.json")
    written = json.loads((project / "medplum.config.json").read_text())["bots"]

    assert written == entries_for(config, "intake", "intake")
