"""Just enough of GitHub Actions to ask "which jobs run for this event?" in a test.

- `evaluate(expression, context)`: the expression language of `if:` (literals, context paths,
  `!`, `==`, `!=`, `&&`, `||`, parentheses, `startsWith`/`endsWith`/`contains`, `success()`),
  comparing strings case-insensitively as GitHub does.
- `triggers(workflow, event)`: whether a workflow's `on:` filters let an event through
  (branch and tag globs for push, activity types for release).
- `jobs_that_run(workflow, context)`: the jobs whose `if:` holds and whose `needs` all run.

Unsupported syntax raises ValueError, so a workflow using more than this fails loudly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||[!(),])"
    r"|(?P<word>[A-Za-z_][A-Za-z0-9_\-]*(?:\.[A-Za-z_][A-Za-z0-9_\-]*)*))"
)
FUNCTIONS = {
    "startswith": lambda a, b: str(a or "").lower().startswith(str(b or "").lower()),
    "endswith": lambda a, b: str(a or "").lower().endswith(str(b or "").lower()),
    "contains": lambda a, b: str(b or "").lower() in str(a or "").lower(),
}


def _tokens(expression: str) -> list[tuple[str, str]]:
    text = expression.strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    tokens: list[tuple[str, str]] = []
    position = 0
    while position < len(text.rstrip()):
        match = TOKEN.match(text, position)
        if not match:
            raise ValueError(f"unsupported expression syntax at {text[position:]!r}")
        kind = match.lastgroup
        assert kind is not None
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], context: Mapping[str, Any]) -> None:
        self.tokens = tokens
        self.position = 0
        self.context = context

    def peek(self) -> str | None:
        return self.tokens[self.position][1] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def expect(self, value: str) -> None:
        if self.peek() != value:
            raise ValueError(f"expected {value!r}, got {self.peek()!r}")
        self.position += 1

    def or_(self) -> Any:
        left = self.and_()
        while self.peek() == "||":
            self.take()
            right = self.and_()
            left = left or right
        return left

    def and_(self) -> Any:
        left = self.equality()
        while self.peek() == "&&":
            self.take()
            right = self.equality()
            left = left and right
        return left

    def equality(self) -> Any:
        left = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()[1]
            right = self.unary()
            same = _loose(left) == _loose(right)
            left = same if op == "==" else not same
        return left

    def unary(self) -> Any:
        if self.peek() == "!":
            self.take()
            return not self.unary()
        return self.primary()

    def primary(self) -> Any:
        kind, value = self.take()
        if value == "(":
            inner = self.or_()
            self.expect(")")
            return inner
        if kind == "string":
            return value[1:-1].replace("''", "'")
        if kind != "word":
            raise ValueError(f"unexpected {value!r}")
        if value in ("true", "false"):
            return value == "true"
        if value == "null":
            return None
        if self.peek() == "(":
            return self.call(value)
        node: Any = self.context
        for part in value.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        return node

    def call(self, name: str) -> Any:
        self.expect("(")
        args: list[Any] = []
        while self.peek() != ")":
            args.append(self.or_())
            if self.peek() == ",":
                self.take()
        self.expect(")")
        if name in ("success", "always") and not args:
            return True
        function = FUNCTIONS.get(name.lower())
        if function is None:
            raise ValueError(f"unsupported function {name}()")
        return function(*args)


def _loose(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of a GitHub Actions expression (with or without `${{ }}`)."""
    parser = _Parser(_tokens(expression), context)
    value = parser.or_()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r}")
    return value


def _glob(pattern: str) -> re.Pattern[str]:
    # GitHub filter globs: `**` crosses '/', `*` does not.
    parts = re.split(r"(\*\*|\*|\?)", pattern)
    table = {"**": ".*", "*": "[^/]*", "?": "[^/]"}
    return re.compile("".join(table.get(p, re.escape(p)) for p in parts) + r"\Z")


def _filtered(name: str, include: list[str] | None, exclude: list[str] | None) -> bool:
    if include is not None:
        return any(_glob(p).match(name) for p in include)
    if exclude is not None:
        return not any(_glob(p).match(name) for p in exclude)
    return True


@dataclass(frozen=True)
class Event:
    """A GitHub event: its name, the ref, and the action (for release/pull_request)."""

    name: str
    ref: str = ""
    action: str = ""
    payload: Mapping[str, Any] | None = None

    def context(self) -> dict[str, Any]:
        return {"github": {"event_name": self.name, "ref": self.ref, "event": self.payload or {}}}


def triggers(workflow: Mapping[Any, Any], event: Event) -> bool:
    """Whether `workflow`'s `on:` (YAML's `on` key parses as True) lets `event` start it."""
    on = workflow.get("on", workflow.get(True))
    if isinstance(on, str):
        on = {on: None}
    if isinstance(on, list):
        on = dict.fromkeys(on)
    if not isinstance(on, Mapping) or event.name not in on:
        return False
    spec = on[event.name] or {}
    if event.name == "release" or event.name == "pull_request":
        types = spec.get("types")
        return types is None or event.action in types
    if event.name != "push":
        return True
    branch_filters = {k: spec.get(k) for k in ("branches", "branches-ignore")}
    tag_filters = {k: spec.get(k) for k in ("tags", "tags-ignore")}
    has_branch = any(v is not None for v in branch_filters.values())
    has_tag = any(v is not None for v in tag_filters.values())
    if event.ref.startswith("refs/heads/"):
        if has_tag and not has_branch:
            return False
        name = event.ref.removeprefix("refs/heads/")
        return _filtered(name, branch_filters["branches"], branch_filters["branches-ignore"])
    if event.ref.startswith("refs/tags/"):
        if has_branch and not has_tag:
            return False
        name = event.ref.removeprefix("refs/tags/")
        return _filtered(name, tag_filters["tags"], tag_filters["tags-ignore"])
    raise ValueError(f"unsupported ref {event.ref!r}")


def jobs_that_run(workflow: Mapping[str, Any], event: Event) -> set[str]:
    """Jobs that run when every job succeeds: their `if:` holds and all their `needs` run."""
    jobs: Mapping[str, Mapping[str, Any]] = workflow["jobs"]
    context = event.context()
    decided: dict[str, bool] = {}

    def runs(name: str) -> bool:
        if name not in decided:
            job = jobs[name]
            needs = job.get("needs", [])
            needs = [needs] if isinstance(needs, str) else needs
            condition = job.get("if", "success()")
            decided[name] = all(runs(n) for n in needs) and bool(evaluate(condition, context))
        return decided[name]

    return {name for name in jobs if runs(name)}
