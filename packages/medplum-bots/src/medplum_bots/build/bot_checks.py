"""Checks of a bot's code that the build makes so a deploy cannot succeed while every run fails.

Both are static (the AST of the bundled sources), so they cost a parse the build already did
and never run the bot's code:
- the entry module's `handler` must be callable as Medplum calls it, `handler(medplum, event)`;
- no bundled module may read `__file__`: a deployed bot's modules come from the artifact, not
  from files; data files of its packages are bundled and read with `importlib.resources`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable

from medplum_bots.build.imports import LocalModule
from medplum_bots.errors import BuildError

CALL = "Medplum calls handler(medplum, event)"


def check_bot(entry: LocalModule, modules: Iterable[LocalModule]) -> None:
    """Raise BuildError (one line, `file:line: what`) for the first problem found."""
    check_handler(entry)
    for module in modules:
        check_no_file_reads(module)


def check_handler(entry: LocalModule) -> None:
    """A top-level `def handler` must accept exactly the two positional arguments it is given.

    A handler bound another way (an assignment, an import, a decorator's result) cannot be
    judged statically and is left to the runtime.
    """
    tree = _parse(entry)
    defined = [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "handler"
    ]
    if not defined:
        return
    handler = defined[-1]  # the last definition is the one bound
    if handler.decorator_list:
        return
    args = handler.args
    positional = [*args.posonlyargs, *args.args]
    required = len(positional) - len(args.defaults)
    accepts_two = len(positional) >= 2 or args.vararg is not None
    needs_more = required > 2
    required_kwonly = [
        arg.arg
        for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    ]
    if accepts_two and not needs_more and not required_kwonly:
        return
    shown = ", ".join(arg.arg for arg in positional) or "no arguments"
    if required_kwonly:
        shown += f"; keyword-only {', '.join(required_kwonly)}"
    raise BuildError(
        f"{entry.rel}:{handler.lineno}: handler takes ({shown}), but {CALL}: "
        "define it as `def handler(medplum, event):`"
    )


def check_no_file_reads(module: LocalModule) -> None:
    """`__file__` is not set in a deployed bot's modules: refuse code that reads it."""
    if not module.source:
        return
    for node in ast.walk(_parse(module)):
        if isinstance(node, ast.Name) and node.id == "__file__":
            raise BuildError(
                f"{module.rel}:{node.lineno}: __file__ is not set when the bot runs on Medplum "
                "(its modules come from the artifact, not files): put the data file in a "
                "package under src/ (a directory with __init__.py, e.g. src/shared/codes.csv) "
                "and read it with `import shared` and "
                'importlib.resources.files(shared).joinpath("codes.csv"); it is bundled'
            )


def _parse(module: LocalModule) -> ast.Module:
    return ast.parse(module.source, filename=module.rel)
