"""The answers checked while cookiecutter reads them, so a bad one ends the run in one line.

A pre-gen hook that exits non-zero is followed by cookiecutter's own traceback
(`logger.exception` in cookiecutter.hooks, 2.2 and later): the line naming the answer drowns
under it. This Jinja extension (cookiecutter.json `_extensions`) gives the `checked_answers`
filter that the private `__answers_checked` variable renders once every answer is known; it
runs the pre-gen hook's checks (their one home) and, on a bad answer, prints the hook's lines
and stops before anything is generated. The pre-gen hook still runs them for callers that
render no context this way.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from cookiecutter.exceptions import FailedHookException
from jinja2 import Environment
from jinja2.ext import Extension

STOPPED = "nothing generated: give the answers named above again"


def checked_answers(answers: Mapping[str, Any]) -> str:
    """ "ok", or the answers' error lines on stderr and exit status 1."""
    from hooks.pre_gen_project import problems

    errors = problems(dict(answers))
    if errors:
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        # What a failed pre-gen hook raises, so API callers (cruft, tests) see the same; raised
        # here, cookiecutter's command line prints its text and exits 1 without a traceback.
        raise FailedHookException(STOPPED)
    return "ok"


class AnswerCheck(Extension):
    """Adds the `checked_answers` filter."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters["checked_answers"] = checked_answers
