"""Which modules a bot needs, found by reading its imports with `ast` (code is never run).

`collect(entry_source, project_root)` starts at the bot's file and follows every import that
resolves to a project-local module under `src/` (a package's `__init__` comes with any of its
submodules), at any depth: module level, inside functions, `try` blocks and class bodies.
Rules (also in docs/DESIGN.md, "Bundling"):

- `medplum_bots` and the standard library are provided by the runtime: neither bundled nor
  requirements. Any other import that is not local is a third-party requirement.
- Imports under `if TYPE_CHECKING:` exist for the type checker only and are not followed.
- An import inside `try:` whose `except` catches ImportError (or in that handler) is optional:
  a local module it names is bundled if it exists and skipped if not, and a third-party one
  is not a requirement (the bot has a fallback).
- Import cycles: the artifact imports modules exactly as Python imports files, so a cycle that
  works from source works from the artifact. What fails at import time is `from m import x`
  while `m` is still being initialised and has not bound `x` yet; `check_cycles` replays the
  module-level statements in import order and rejects exactly that case (`import m` and
  `from pkg import submodule` in a cycle are fine, as in Python).

Every failure is a `BuildError` whose one line is `file:line: what (import chain)`.
"""

from __future__ import annotations

import ast
import functools
import io
import sys
import tokenize
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medplum_bots.errors import BuildError

RUNTIME_PACKAGES = frozenset({"medplum_bots"})
SOURCE_ROOT = "src"
# Calls and statements that can bind module names invisibly to `ast`; a module using any of
# them is "open": names imported from it are not checked.
_DYNAMIC_CALLS = frozenset({"globals", "vars", "exec", "eval", "setattr", "__import__"})
_IMPORT_ERRORS = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Names every module has without binding them.
_MODULE_DUNDERS = frozenset(
    {"__name__", "__doc__", "__package__", "__loader__", "__spec__", "__path__", "__builtins__"}
)


@dataclass(frozen=True)
class ImportRef:
    """One module an import statement needs, with where it was written.

    `names` is set for `from module import a, b`: each is a submodule or a name in `module`.
    """

    line: int
    module: str
    names: tuple[str, ...] = ()
    optional: bool = False


@dataclass
class LocalModule:
    """A project-local module (or package, or namespace package) and what it imports."""

    name: str
    path: Path  # the file (a package's __init__.py), or the directory of a namespace package
    rel: str  # posix path relative to the project root: names the file in errors and tracebacks
    is_package: bool
    source: str = ""  # normalised: UTF-8 text, "\n" newlines, no BOM; "" for a namespace
    # Module-level statements in order: a name bound, or an import executed while importing.
    events: list[ImportRef | frozenset[str]] = field(default_factory=list)
    deferred: list[ImportRef] = field(default_factory=list)  # imports inside functions
    bound: set[str] = field(default_factory=set)  # every name bound at module level
    open_namespace: bool = False

    @property
    def namespace(self) -> bool:
        return self.path.is_dir()

    def imports(self) -> Iterator[ImportRef]:
        """Every import this module executes, at module level or later."""
        for event in self.events:
            if isinstance(event, ImportRef):
                yield event
        yield from self.deferred


@dataclass(frozen=True)
class ImportGraph:
    """A bot's closure: local modules to bundle and third-party top-level import names."""

    entry: str
    modules: dict[str, LocalModule]  # by module name, in discovery order
    third_party: tuple[str, ...]  # sorted top-level import names
    parents: dict[str, str]  # module -> the module that first imported it (import chains)
    # top-level third-party name -> (file, line) of the first import of it found
    third_party_at: dict[str, tuple[str, int]] = field(default_factory=dict)

    def chain(self, name: str) -> list[str]:
        """The import chain from the entry module to `name`."""
        chain = [name]
        while chain[-1] in self.parents:
            chain.append(self.parents[chain[-1]])
        return chain[::-1]


def read_source(path: Path, rel: str) -> str:
    """A source file as normalised text: declared encoding decoded, BOM dropped, "\\n" newlines.

    Normalising makes the artifact and its hash the same on every OS and checkout setting.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise BuildError(f"{rel}: cannot read ({error.strerror})") from None
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding)
    except (SyntaxError, LookupError, UnicodeDecodeError) as error:
        raise BuildError(f"{rel}:1: cannot decode source ({error})") from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def entry_module_name(entry_source: Path, project_root: Path) -> str:
    """The bot module's import name: dotted path under `src/`, or the file stem elsewhere."""
    src = project_root / SOURCE_ROOT
    try:
        parts = list(entry_source.relative_to(src).with_suffix("").parts)
    except ValueError:
        parts = [entry_source.stem]
    if parts[-1] == "__init__":
        parts.pop()
    bad = next((p for p in parts if not p.isidentifier()), None)
    if bad is not None or not parts:
        raise BuildError(
            f"{_rel(entry_source, project_root)}: {bad or entry_source.stem!r} is not a valid "
            "Python module name "
            "(use letters, digits and underscores)"
        )
    return ".".join(parts)


def collect(entry_source: Path, project_root: Path) -> ImportGraph:
    """Read the bot at `entry_source` and every local module it imports, transitively."""
    project_root = project_root.absolute()
    entry_source = entry_source if entry_source.is_absolute() else project_root / entry_source
    rel = _rel(entry_source, project_root)
    if not entry_source.is_file():
        raise BuildError(f"{rel}: bot source not found")
    entry = entry_module_name(entry_source, project_root)
    resolver = _Resolver(project_root)
    modules: dict[str, LocalModule] = {}
    parents: dict[str, str] = {}
    third_party: set[str] = set()
    third_party_at: dict[str, tuple[str, int]] = {}
    queue: list[str] = []

    def add(name: str, module: LocalModule, parent: str | None) -> None:
        if name in modules:
            return
        if parent is not None:
            parents[name] = parent
        modules[name] = module
        queue.append(name)

    entry_module = resolver.find(entry)
    if entry_module is None or entry_module.path != entry_source:
        # A bot outside src/ (or shadowed by a same-named package) is read from its own file.
        entry_module = LocalModule(entry, entry_source, rel, is_package=False)
    for package in _parents(entry):
        found = resolver.find(package)
        if found is not None:
            add(package, found, None)
    add(entry, entry_module, None)

    graph = ImportGraph(entry, modules, (), parents)
    index = 0
    while index < len(queue):
        module = modules[queue[index]]
        index += 1
        _analyse(module, graph)
        for ref in module.imports():
            for target, missing_ok in _targets(ref, resolver):
                top = target.partition(".")[0]
                if top in RUNTIME_PACKAGES or _is_stdlib(top):
                    continue
                if not resolver.is_local(top):
                    if not ref.optional:
                        third_party.add(top)
                        third_party_at.setdefault(top, (module.rel, ref.line))
                    continue
                found = resolver.find(target)
                if found is None:
                    if ref.optional or missing_ok:
                        continue
                    chain = " -> ".join([*graph.chain(module.name), target])
                    raise BuildError(
                        f"{module.rel}:{ref.line}: cannot import {target!r}: "
                        f"no such module in {SOURCE_ROOT}/ ({chain})"
                    )
                for package in _parents(target):
                    package_module = resolver.find(package)
                    if package_module is not None:
                        add(package, package_module, module.name)
                add(target, found, module.name)
    result = ImportGraph(entry, modules, tuple(sorted(third_party)), parents, third_party_at)
    check_names(result)
    check_cycles(result)
    return result


def check_names(graph: ImportGraph) -> None:
    """`from local import x`: x must be a submodule or a name bound in that module."""
    for module in graph.modules.values():
        for ref in module.imports():
            target = graph.modules.get(ref.module)
            if target is None or ref.optional or target.open_namespace:
                continue
            for name in ref.names:
                if (
                    f"{ref.module}.{name}" in graph.modules
                    or name in target.bound
                    or name in _MODULE_DUNDERS
                ):
                    continue
                chain = " -> ".join(graph.chain(module.name))
                raise BuildError(
                    f"{module.rel}:{ref.line}: cannot import name {name!r} from "
                    f"{ref.module!r} ({target.rel}) ({chain} -> {ref.module})"
                )


def check_cycles(graph: ImportGraph) -> None:
    """Replay module-level imports in Python's order; reject a `from` import that would fail.

    Python puts a module in `sys.modules` before running it, so a cycle only fails when a
    module asks a partially initialised one for a name it has not bound yet.
    """
    state: dict[str, str] = {}  # module -> "running" | "done"
    bound: dict[str, set[str]] = {}

    def ensure(name: str, stack: list[str]) -> None:
        if name not in graph.modules or name in state:
            return
        for package in _parents(name):
            ensure(package, stack)
        if name in state:  # a package's __init__ may have imported it meanwhile
            return
        run(name, stack)
        parent, _, child = name.rpartition(".")
        if parent:
            bound.setdefault(parent, set()).add(child)

    def run(name: str, stack: list[str]) -> None:
        module = graph.modules[name]
        state[name] = "running"
        bound.setdefault(name, set())
        for event in module.events:
            if isinstance(event, frozenset):
                bound[name] |= event
                continue
            ensure(event.module, [*stack, name])
            for item in event.names:
                submodule = f"{event.module}.{item}"
                if submodule in graph.modules:
                    ensure(submodule, [*stack, name])
                    continue
                target = graph.modules.get(event.module)
                if (
                    target is None
                    or state.get(event.module) != "running"
                    or item in bound[event.module]
                    or target.open_namespace
                    or event.optional
                ):
                    continue
                chain = " -> ".join([*stack, name, event.module])
                raise BuildError(
                    f"{module.rel}:{event.line}: import cycle: {name!r} imports {item!r} from "
                    f"{event.module!r}, which is still initialising and has not defined it yet; "
                    f"import it inside the function that uses it ({chain})"
                )
        state[name] = "done"

    ensure(graph.entry, [])
    # Function-level imports run later, once the modules above are initialised.
    for module in list(graph.modules.values()):
        for ref in module.deferred:
            ensure(ref.module, [module.name])
    for name in graph.modules:
        ensure(name, [])


class _Resolver:
    """Finds module files under `<project>/src` the way Python's path finder would."""

    def __init__(self, project_root: Path) -> None:
        self.root = project_root
        self.src = project_root / SOURCE_ROOT
        self._cache: dict[str, LocalModule | None] = {}

    def is_local(self, top: str) -> bool:
        return top not in RUNTIME_PACKAGES and (
            (self.src / f"{top}.py").is_file() or (self.src / top).is_dir()
        )

    def find(self, name: str) -> LocalModule | None:
        if name not in self._cache:
            self._cache[name] = self._find(name)
        return self._cache[name]

    def _find(self, name: str) -> LocalModule | None:
        parts = name.split(".")
        if parts[0] in RUNTIME_PACKAGES or not all(p.isidentifier() for p in parts):
            return None
        directory = self.src.joinpath(*parts[:-1])
        if not directory.is_dir():
            return None
        base = directory / parts[-1]
        init = base / "__init__.py"
        # Python's order: a regular package, then a module, then a namespace package.
        if init.is_file():
            return self._module(name, init, is_package=True)
        if base.with_suffix(".py").is_file():
            return self._module(name, base.with_suffix(".py"), is_package=False)
        if base.is_dir() and base.name != "__pycache__":
            return LocalModule(name, base, _rel(base, self.root) + "/", is_package=True)
        return None

    def _module(self, name: str, path: Path, *, is_package: bool) -> LocalModule:
        rel = _rel(path, self.root)
        return LocalModule(name, path, rel, is_package, read_source(path, rel))


def _analyse(module: LocalModule, graph: ImportGraph) -> None:
    """Parse `module` (syntax errors name file:line and chain) and record its imports."""
    if module.namespace:
        return
    if not module.source and module.path.is_file():
        module.source = read_source(module.path, module.rel)
    try:
        found = _analysis(module.name, module.rel, module.is_package, module.source)
    except _SourceError as error:
        chain = " -> ".join(graph.chain(module.name))
        raise BuildError(f"{module.rel}:{error.line}: {error.text} ({chain})") from None
    module.events, module.deferred, module.bound, module.open_namespace = found


class _SourceError(Exception):
    """A problem in one file, before the import chain is known."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(text)
        self.line = line
        self.text = text


_Analysis = tuple[list[ImportRef | frozenset[str]], list[ImportRef], set[str], bool]


@functools.lru_cache(maxsize=1024)
def _cached_analysis(
    name: str, rel: str, is_package: bool, source: str
) -> tuple[tuple[ImportRef | frozenset[str], ...], tuple[ImportRef, ...], frozenset[str], bool]:
    # Bots of one build share modules: each distinct module is parsed once per process.
    try:
        tree = ast.parse(source, filename=rel)
        # compile() also catches what the parser lets through ('return' outside a function...).
        compile(tree, rel, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise _SourceError(error.lineno or 1, f"syntax error: {error.msg}") from None
    except ValueError as error:  # e.g. a NUL byte in the source
        raise _SourceError(1, f"invalid source: {error}") from None
    scratch = LocalModule(name, Path(rel), rel, is_package, source)
    _Visitor(scratch).run(tree)
    return (
        tuple(scratch.events),
        tuple(scratch.deferred),
        frozenset(scratch.bound),
        scratch.open_namespace,
    )


def _analysis(name: str, rel: str, is_package: bool, source: str) -> _Analysis:
    events, deferred, bound, open_namespace = _cached_analysis(name, rel, is_package, source)
    return list(events), list(deferred), set(bound), open_namespace


class _Visitor:
    """Walks one module: import-time events in order, deferred imports, bound names."""

    def __init__(self, module: LocalModule) -> None:
        self.module = module
        self._class_depth = 0  # inside a class body, names bind class attributes

    def run(self, tree: ast.Module) -> None:
        self._block(tree.body, deferred=False, optional=False)
        self.module.open_namespace = self.module.open_namespace or any(
            _makes_open(node) for node in ast.walk(tree)
        )

    def _block(self, body: Sequence[ast.stmt], *, deferred: bool, optional: bool) -> None:
        for statement in body:
            self._statement(statement, deferred=deferred, optional=optional)

    def _statement(self, node: ast.stmt, *, deferred: bool, optional: bool) -> None:
        if isinstance(node, ast.Import | ast.ImportFrom):
            self._import(node, deferred=deferred, optional=optional)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            self._bind({node.name}, deferred)
            self._block(node.body, deferred=True, optional=False)
        elif isinstance(node, ast.ClassDef):
            # A class body runs at import time, but its names are class attributes.
            self._class_depth += 1
            self._block(node.body, deferred=deferred, optional=optional)
            self._class_depth -= 1
            self._bind({node.name}, deferred)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            self._block(node.orelse, deferred=deferred, optional=optional)
        elif isinstance(node, ast.If) and _is_not_type_checking(node.test):
            self._block(node.body, deferred=deferred, optional=optional)
        elif isinstance(node, ast.Try | ast.TryStar):
            guarded = optional or _catches_import_error(node.handlers)
            self._block(node.body, deferred=deferred, optional=guarded)
            for handler in node.handlers:
                self._block(handler.body, deferred=deferred, optional=guarded)
            self._block(node.orelse, deferred=deferred, optional=optional)
            self._block(node.finalbody, deferred=deferred, optional=optional)
        else:
            self._bind(_stored_names(node), deferred)
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    self._statement(child, deferred=deferred, optional=optional)
                elif isinstance(child, ast.match_case):
                    self._block(child.body, deferred=deferred, optional=optional)

    def _bind(self, names: set[str], deferred: bool) -> None:
        if deferred or not names or self._class_depth:
            return
        self.module.bound |= names
        self.module.events.append(frozenset(names))

    def _import(self, node: ast.Import | ast.ImportFrom, *, deferred: bool, optional: bool) -> None:
        refs: list[ImportRef] = []
        names: set[str] = set()
        if isinstance(node, ast.Import):
            for alias in node.names:
                refs.append(ImportRef(node.lineno, alias.name, (), optional))
                names.add(alias.asname or alias.name.partition(".")[0])
        else:
            base = self._absolute(node)
            imported = tuple(a.name for a in node.names if a.name != "*")
            if len(imported) < len(node.names):
                self.module.open_namespace = True  # a star import binds unknown names
            refs.append(ImportRef(node.lineno, base, imported, optional))
            names.update(a.asname or a.name for a in node.names if a.name != "*")
        target = self.module.deferred if deferred else self.module.events
        target.extend(refs)
        self._bind(names, deferred)

    def _absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        package = (
            self.module.name if self.module.is_package else self.module.name.rpartition(".")[0]
        )
        parts = package.split(".") if package else []
        if node.level - 1 >= len(parts):
            raise _SourceError(
                node.lineno,
                f"relative import beyond the top-level package "
                f"('{'.' * node.level}{node.module or ''}' in {self.module.name!r})",
            )
        base = ".".join(parts[: len(parts) - (node.level - 1)])
        return f"{base}.{node.module}" if node.module else base


def _targets(ref: ImportRef, resolver: _Resolver) -> Iterator[tuple[str, bool]]:
    """Modules an import needs: the module itself, then `from` names that are submodules.

    The flag says a missing module is fine (a `from` name that is an attribute, not a module).
    """
    yield ref.module, False
    for name in ref.names:
        submodule = f"{ref.module}.{name}"
        if resolver.find(submodule) is not None:
            yield submodule, False


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _is_stdlib(top: str) -> bool:
    return top in sys.stdlib_module_names or top in sys.builtin_module_names


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _is_type_checking(test: ast.expr) -> bool:
    if isinstance(test, ast.Name):
        return test.id == "TYPE_CHECKING"
    return isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"


def _is_not_type_checking(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.UnaryOp)
        and isinstance(test.op, ast.Not)
        and _is_type_checking(test.operand)
    )


def _catches_import_error(handlers: Sequence[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if handler.type is None:
            return True
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        for kind in kinds:
            name = kind.id if isinstance(kind, ast.Name) else getattr(kind, "attr", "")
            if name in _IMPORT_ERRORS:
                return True
    return False


def _stored_names(node: ast.stmt) -> set[str]:
    """Names a statement itself binds (targets, walrus, with-as, match captures), not its body.

    Comprehension variables are counted too: binding too much only makes checks lenient.
    """
    names: set[str] = set()
    stack = [c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.stmt)]
    while stack:
        child = stack.pop()
        if isinstance(child, ast.stmt):
            continue
        if isinstance(child, ast.Name) and isinstance(child.ctx, ast.Store):
            names.add(child.id)
        elif isinstance(child, ast.MatchAs | ast.MatchStar) and child.name:
            names.add(child.name)
        elif isinstance(child, ast.MatchMapping) and child.rest:
            names.add(child.rest)
        stack.extend(ast.iter_child_nodes(child))
    return names


def _makes_open(node: ast.AST) -> bool:
    if isinstance(node, ast.Global):
        return True
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name == "__getattr__":
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _DYNAMIC_CALLS
    )
