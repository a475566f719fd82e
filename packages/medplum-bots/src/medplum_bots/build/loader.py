"""Loading artifacts: runs inside the bot runtime, so it stays small and imports little.

One loader, `ModuleTable`, runs the modules an artifact embeds: on first import, under their
real names, compiled with their original relative file names (tracebacks show
`src/shared/x.py`, line and text), through an `__import__` that finds the table's modules
first and everything else the normal way. Two kinds of table, chosen by the caller:

- the shared one (`load_artifact`, and an artifact imported as a plain module, which calls
  `install_artifact`): its modules are bound in `sys.modules`, so artifacts of one build share
  a module they both embed, and a module name whose source differs from one already loaded
  is refused; `forget_artifacts` unloads them (tests, reloads);
- a private one per artifact (`load_isolated`, the generic HTTP runtime): several versions of
  one bot (one per content hash) live side by side, and nothing is added to `sys.modules`.

Both read the artifact's text the same way (`read_artifact`) instead of running it.
"""

from __future__ import annotations

import ast
import base64
import builtins
import hashlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from medplum_bots.build.resources import EmbeddedFiles
from medplum_bots.errors import BuildError, MedplumBotsError

ARTIFACT_FORMAT = 1
BODY_START = "from medplum_bots.build.loader import install_artifact\n"
ARTIFACT_TITLE = "# Medplum bot artifact: "
MODULE_KINDS = ("module", "package", "namespace")


class ArtifactError(MedplumBotsError):
    """An artifact cannot be loaded (not an artifact, or it clashes with one already loaded)."""


def artifact_sha256(text: str) -> str:
    """The content hash of an artifact's text: SHA-256 of everything after its header."""
    start = text.find("\n" + BODY_START)
    if not text.startswith(ARTIFACT_TITLE) or start < 0:
        raise ArtifactError("not a medplum bot artifact (no header); run `invoke build`")
    return hashlib.sha256(text[start + 1 :].encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class _Embedded:
    name: str
    filename: str
    kind: str
    source: str
    digest: str
    artifact: str
    files: tuple[tuple[str, bytes], ...] = ()  # a package's data files: (name, content)


@dataclass(frozen=True)
class EmbeddedArtifact:
    """What an artifact's `install_artifact(...)` call holds: its modules and bot module."""

    name: str
    entry: str
    modules: tuple[_Embedded, ...]


def embedded_artifact(
    *,
    artifact_format: int,
    name: str,
    entry: str,
    requirements: Sequence[str],
    modules: Sequence[tuple[str, str, str, str]],
    data: Sequence[tuple[str, str, str]] = (),
) -> EmbeddedArtifact:
    """Check `install_artifact`'s arguments (format, module kinds) and describe them.

    `data` holds the packages' data files as (package, file name, base64 content).
    """
    del requirements  # informational: the runtime must already provide them
    if artifact_format != ARTIFACT_FORMAT:
        raise ArtifactError(
            f"artifact {name!r} has format {artifact_format}; this medplum_bots reads format "
            f"{ARTIFACT_FORMAT} (rebuild it with the same medplum_bots version)"
        )
    files: dict[str, list[tuple[str, bytes]]] = {}
    try:
        for package, filename, encoded in data:
            files.setdefault(package, []).append(
                (filename, base64.b64decode(encoded, validate=True))
            )
    except (ValueError, TypeError):
        raise ArtifactError(f"artifact {name!r}: its data files are not base64") from None
    embedded = tuple(
        _Embedded(
            module,
            filename,
            kind,
            source,
            _digest(kind, source, files.get(module, ())),
            name,
            tuple(files.get(module, ())),
        )
        for module, filename, kind, source in modules
    )
    orphans = sorted(set(files) - {m.name for m in embedded if m.kind == "package"})
    if orphans:
        raise ArtifactError(f"artifact {name!r}: data files for {orphans[0]!r}, not a package")
    for module in embedded:
        if module.kind not in MODULE_KINDS:
            raise ArtifactError(
                f"artifact {name!r}: module {module.name!r} has kind {module.kind!r}"
            )
    return EmbeddedArtifact(name, entry, embedded)


def read_artifact(text: str, where: str) -> EmbeddedArtifact:
    """The artifact in `text`, read as data (its `install_artifact` call's literal arguments),
    never run; ArtifactError naming `where` if it is not an artifact."""
    not_artifact = ArtifactError(f"{where}: not a medplum bot artifact; run `invoke build`")
    try:
        artifact_sha256(text)
        tree = ast.parse(text, where)
    except (ArtifactError, SyntaxError, ValueError):
        raise not_artifact from None
    for node in tree.body:
        call = node.value if isinstance(node, ast.Assign) else None
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "install_artifact"
        ):
            try:
                arguments = {k.arg: ast.literal_eval(k.value) for k in call.keywords if k.arg}
                return embedded_artifact(**arguments)
            except (ValueError, TypeError):
                raise not_artifact from None
    raise not_artifact


_Import = Callable[..., ModuleType]
# Serialises module execution: while a module runs its top level it is bound in sys.modules
# under its real name (libraries resolving `sys.modules[cls.__module__]` while a class is
# created, e.g. dataclasses and pydantic, then find it); a private table unbinds it after.
_EXEC_LOCK = threading.RLock()


class ModuleTable(importlib.abc.Loader):
    """Embedded modules, run on first import; `shared` binds them in `sys.modules`.

    Modules get their real `__name__`, `__package__` and (for packages) an empty `__path__`;
    they have no `__file__` (they are not files). Their `import` statements go through
    `_import`: a module of the table is loaded from it, anything else imported normally.
    """

    def __init__(self, *, shared: bool) -> None:
        self.shared = shared
        self.embedded: dict[str, _Embedded] = {}
        self.tops: set[str] = set()  # top-level names of the embedded modules
        self.modules: dict[str, ModuleType] = {}
        self.builtins = dict(builtins.__dict__)
        self.builtins["__import__"] = self._import
        self._system_import: _Import = builtins.__import__

    def install(self, artifact: EmbeddedArtifact) -> ModuleType:
        """Add `artifact`'s modules and import its bot module.

        A shared table refuses a module name it (or `sys.modules`, imported from a file)
        already holds with another source, rather than silently running one bot with
        another bot's version of the module; nothing of the refused artifact is run.
        """
        with _EXEC_LOCK:
            if self.shared:
                for module in artifact.modules:
                    self._check_compatible(module)
            for module in artifact.modules:
                self.embedded.setdefault(module.name, module)
                self.tops.add(module.name.partition(".")[0])
            return self.load(artifact.entry)

    def load(self, fullname: str) -> ModuleType:
        """The module `fullname` of this table, run (with its parents) if not yet run."""
        with _EXEC_LOCK:
            module = self.modules.get(fullname)
            if module is not None:
                return module
            embedded = self.embedded.get(fullname)
            if embedded is None:
                raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
            parent_name, _, child = fullname.rpartition(".")
            parent = self.load(parent_name) if parent_name else None
            module = self._new_module(embedded, parent_name)
            self.modules[fullname] = module
            code = compile(embedded.source, embedded.filename, "exec", dont_inherit=True)
            previous = sys.modules.get(fullname)
            sys.modules[fullname] = module
            try:
                exec(code, module.__dict__)
            except BaseException:
                del self.modules[fullname]
                self._unbind(fullname, previous)
                raise
            if not self.shared:
                self._unbind(fullname, previous)
            if parent is not None:
                setattr(parent, child, module)
            return module

    def get_source(self, fullname: str) -> str:  # tracebacks show the line (linecache)
        return self.embedded[fullname].source

    def get_resource_reader(self, fullname: str) -> EmbeddedFiles:
        """The package's embedded data files, for `importlib.resources.files(package)`."""
        embedded = self.embedded[fullname]
        return EmbeddedFiles(embedded.name, dict(embedded.files))

    def forget(self) -> None:
        """Unbind this (shared) table's modules from sys.modules and forget them."""
        with _EXEC_LOCK:
            for name, module in self.modules.items():
                if sys.modules.get(name) is module:
                    del sys.modules[name]
            self.modules.clear()
            self.embedded.clear()
            self.tops.clear()

    def _new_module(self, embedded: _Embedded, parent_name: str) -> ModuleType:
        is_package = embedded.kind != "module"
        module = ModuleType(embedded.name)
        module.__loader__ = self
        module.__spec__ = importlib.machinery.ModuleSpec(
            embedded.name, self, origin=embedded.filename, is_package=is_package
        )
        module.__package__ = embedded.name if is_package else parent_name
        if is_package:
            module.__path__ = []
        module.__dict__["__builtins__"] = self.builtins
        return module

    @staticmethod
    def _unbind(fullname: str, previous: ModuleType | None) -> None:
        if previous is None:
            sys.modules.pop(fullname, None)
        else:
            sys.modules[fullname] = previous

    def _import(
        self,
        name: str,
        globals: dict[str, Any] | None = None,
        locals: Any = None,
        fromlist: Sequence[str] | None = (),
        level: int = 0,
    ) -> ModuleType:
        absolute = name
        if level > 0:
            package = (globals or {}).get("__package__") or ""
            bits = package.rsplit(".", level - 1)
            if len(bits) < level or not package:
                return self._system_import(name, globals, locals, fromlist, level)
            base = bits[0]
            absolute = f"{base}.{name}" if name else base
        if absolute.partition(".")[0] not in self.tops:
            return self._system_import(name, globals, locals, fromlist, level)
        with _EXEC_LOCK:
            parts = absolute.split(".")
            for i in range(1, len(parts) + 1):
                self.load(".".join(parts[:i]))
            module = self.modules[absolute]
            if fromlist:
                for item in fromlist:
                    child = f"{absolute}.{item}"
                    if item != "*" and not hasattr(module, item) and child in self.embedded:
                        self.load(child)
                return module
            if level > 0:
                return self.modules[f"{absolute.rpartition('.')[0] or absolute}"]
            return self.modules[parts[0]]

    def _check_compatible(self, embedded: _Embedded) -> None:
        known = self.embedded.get(embedded.name)
        if known is not None:
            if known.digest != embedded.digest:
                raise ArtifactError(
                    f"artifact {embedded.artifact!r} embeds module {embedded.name!r} "
                    f"({embedded.filename}) with a different source than artifact "
                    f"{known.artifact!r} already loaded; rebuild both from the same sources"
                )
            return
        loaded = sys.modules.get(embedded.name)
        if loaded is not None and not _same_as_loaded(loaded, embedded):
            where = getattr(loaded, "__file__", None) or "elsewhere"
            raise ArtifactError(
                f"artifact {embedded.artifact!r} embeds module {embedded.name!r} "
                f"({embedded.filename}) but a different {embedded.name!r} is already imported "
                f"from {where}; rebuild the artifact or run it in its own process"
            )


_SHARED = ModuleTable(shared=True)
_LOADED: dict[str, tuple[str, ModuleType]] = {}


def install_artifact(**arguments: Any) -> ModuleType:
    """Called by an artifact imported as a plain module (the Lambda's `import bot`): load it
    into the shared table and return its bot module."""
    return _SHARED.install(embedded_artifact(**arguments))


def load_artifact(path: Path) -> ModuleType:
    """Load the artifact at `path` into the shared table; returns its bot module (the one
    with `handler`). Loading the same unchanged file again returns the same module. No
    bytecode is written next to the artifact.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"{path}: artifact not found; run `invoke build`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ArtifactError(f"{path}: unreadable ({error})") from None
    artifact = read_artifact(text, str(path))
    digest = artifact_sha256(text)
    key = str(path.absolute())
    with _EXEC_LOCK:
        cached = _LOADED.get(key)
        if cached is not None and cached[0] == digest:
            return cached[1]
        try:
            bot = _SHARED.install(artifact)
        except MedplumBotsError:
            raise
        except Exception as error:  # the bot's own module-level code failed
            raise ArtifactError(import_failure(error, path)) from None
        _LOADED[key] = (digest, bot)
        return bot


def load_isolated(text: str, label: str) -> ModuleType:
    """Load artifact `text` into a private table of its own; returns its bot module.

    Nothing is added to `sys.modules`: two versions of one bot (or two bots embedding
    different versions of a shared module) load side by side, and dropping the returned
    module drops the artifact.
    """
    return ModuleTable(shared=False).install(read_artifact(text, f"artifact {label}"))


def import_failure(error: BaseException, artifact: Path) -> str:
    """One line for an error raised while a bot was imported: the bot's file and line.

    The frame named is the last one in the bot's own (embedded) modules, so neither the
    import machinery nor a library's internals hide where the bot went wrong.
    """
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    own = {embedded.filename for embedded in _SHARED.embedded.values()}
    mine = [f for f in frames if f.filename in own]
    candidates = mine or [f for f in frames if not f.filename.startswith("<")]
    where = f"{candidates[-1].filename}:{candidates[-1].lineno}" if candidates else str(artifact)
    text = " ".join(str(error).split()) or "no message"
    hint = ""
    if isinstance(error, ModuleNotFoundError) and error.name and error.name not in _SHARED.embedded:
        top = error.name.partition(".")[0]
        hint = f" (add the package providing {top!r} to pyproject.toml dependencies, install it)"
    return f"{where}: importing the bot failed: {type(error).__name__}: {text}{hint}"


def forget_artifacts() -> None:
    """Unload every artifact of the shared table (tests, or a runtime reloading a new build)."""
    with _EXEC_LOCK:
        _SHARED.forget()
        _LOADED.clear()


def _digest(kind: str, source: str, files: Sequence[tuple[str, bytes]]) -> str:
    # A package embedded twice with other data files clashes like one with another source.
    digest = hashlib.sha256(f"{kind}\0{source}".encode())
    for filename, content in files:
        digest.update(f"\0{filename}\0{len(content)}\0".encode() + content)
    return digest.hexdigest()


def _same_as_loaded(module: ModuleType, embedded: _Embedded) -> bool:
    """Whether a module imported from a file has the embedded source (same bot, dev setup)."""
    filename = getattr(module, "__file__", None)
    if embedded.kind == "namespace":
        return hasattr(module, "__path__") and filename is None
    if not isinstance(filename, str) or not filename.endswith(".py"):
        return False
    if embedded.kind == "package" and not hasattr(module, "__path__"):
        return False
    from medplum_bots.build.imports import read_source

    try:
        return read_source(Path(filename), filename) == embedded.source
    except BuildError:
        return False
