"""Loading artifacts: runs inside the bot runtime, so it stays small and imports little.

`install_artifact` (called by every artifact file) registers the embedded modules with one
meta-path finder under their real names and imports the bot module; `load_artifact` runs an
artifact file; `forget_artifacts` unloads them (tests, reloads).

`load_isolated` runs an artifact's text with its own private module table instead: the
generic HTTP runtime holds several versions of one bot at once (one per content hash), so
their modules cannot share `sys.modules`. Isolated modules keep their real `__name__`; their
`import` statements find the artifact's own modules first (through a per-artifact
`__import__`), everything else the normal way.
"""

from __future__ import annotations

import builtins
import contextvars
import hashlib
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

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


_LOCK = threading.RLock()
_EMBEDDED: dict[str, _Embedded] = {}
_LOADED: dict[str, tuple[str, ModuleType]] = {}


class _ArtifactImporter(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Meta-path finder and loader for the modules embedded in loaded artifacts.

    Modules get their real `__name__`, `__package__` and (for packages) an empty `__path__`
    so submodules are found here too; they have no `__file__` (they are not files), and their
    code is compiled with the original relative file name, so tracebacks point at
    `src/shared/x.py:12`; `get_source` lets tracebacks show the line itself.
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        embedded = _EMBEDDED.get(fullname)
        if embedded is None:
            return None
        return importlib.machinery.ModuleSpec(
            fullname, self, origin=embedded.filename, is_package=embedded.kind != "module"
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None

    def exec_module(self, module: ModuleType) -> None:
        exec(self.get_code(module.__name__), module.__dict__)

    def get_code(self, fullname: str) -> Any:
        embedded = _EMBEDDED[fullname]
        return compile(embedded.source, embedded.filename, "exec", dont_inherit=True)

    def get_source(self, fullname: str) -> str:
        return _EMBEDDED[fullname].source

    def is_package(self, fullname: str) -> bool:
        return _EMBEDDED[fullname].kind != "module"


_IMPORTER = _ArtifactImporter()


def install_artifact(
    *,
    artifact_format: int,
    name: str,
    entry: str,
    requirements: Sequence[str],
    modules: Sequence[tuple[str, str, str, str]],
) -> ModuleType:
    """Register an artifact's embedded modules and import its bot module (called by artifacts).

    A module name already registered by another artifact, or already imported from a file,
    must have the same source; otherwise ArtifactError, rather than silently running one
    bot with another bot's version of the module.
    """
    del requirements  # informational: the runtime must already provide them
    if artifact_format != ARTIFACT_FORMAT:
        raise ArtifactError(
            f"artifact {name!r} has format {artifact_format}; this medplum_bots reads format "
            f"{ARTIFACT_FORMAT} (rebuild it with the same medplum_bots version)"
        )
    incoming = [
        _Embedded(module, filename, kind, source, _digest(kind, source), name)
        for module, filename, kind, source in modules
    ]
    for embedded in incoming:
        if embedded.kind not in MODULE_KINDS:
            raise ArtifactError(
                f"artifact {name!r}: module {embedded.name!r} has kind {embedded.kind!r}"
            )
    if _ISOLATING.get():
        return _IsolatedArtifact(incoming).load(entry)
    with _LOCK:
        for embedded in incoming:
            _check_compatible(embedded)
        for embedded in incoming:
            _EMBEDDED.setdefault(embedded.name, embedded)
        if _IMPORTER not in sys.meta_path:
            sys.meta_path.insert(0, _IMPORTER)
    return importlib.import_module(entry)


def load_artifact(path: Path) -> ModuleType:
    """Load the artifact at `path` and return its bot module (the one with `handler`).

    Loading the same unchanged file again returns the same module. No bytecode is written
    next to the artifact.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"{path}: artifact not found; run `invoke build`") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ArtifactError(f"{path}: unreadable ({error})") from None
    try:
        digest = artifact_sha256(text)
    except ArtifactError:
        raise ArtifactError(f"{path}: not a medplum bot artifact; run `invoke build`") from None
    key = str(path.absolute())
    with _LOCK:
        cached = _LOADED.get(key)
        if cached is not None and cached[0] == digest:
            return cached[1]
        holder = ModuleType(f"_medplum_bots_artifact_{path.stem}")
        holder.__file__ = str(path)
        try:
            exec(compile(text, str(path), "exec", dont_inherit=True), holder.__dict__)
        except MedplumBotsError:
            raise
        except Exception as error:  # the bot's own module-level code failed
            raise ArtifactError(import_failure(error, path)) from None
        bot = holder.__dict__.get("bot")
        if not isinstance(bot, ModuleType):
            raise ArtifactError(f"{path}: not a medplum bot artifact; run `invoke build`")
        _LOADED[key] = (digest, bot)
        return bot


def import_failure(error: BaseException, artifact: Path) -> str:
    """One line for an error raised while a bot was imported: the bot's file and line.

    The frame named is the last one in the bot's own (embedded) modules, so neither the
    import machinery nor a library's internals hide where the bot went wrong.
    """
    import traceback

    frames = traceback.extract_tb(error.__traceback__)
    own = {embedded.filename for embedded in _EMBEDDED.values()}
    mine = [f for f in frames if f.filename in own]
    candidates = mine or [f for f in frames if not f.filename.startswith("<")]
    where = f"{candidates[-1].filename}:{candidates[-1].lineno}" if candidates else str(artifact)
    text = " ".join(str(error).split()) or "no message"
    hint = ""
    if isinstance(error, ModuleNotFoundError) and error.name and error.name not in _EMBEDDED:
        top = error.name.partition(".")[0]
        hint = f" (add the package providing {top!r} to pyproject.toml dependencies, install it)"
    return f"{where}: importing the bot failed: {type(error).__name__}: {text}{hint}"


_ISOLATING: contextvars.ContextVar[bool] = contextvars.ContextVar("isolating", default=False)
# Serialises isolated module execution: while a module runs its top level it is bound in
# sys.modules under its real name (libraries resolving `sys.modules[cls.__module__]` while a
# class is created, e.g. dataclasses and pydantic, then find it), and unbound afterwards.
_EXEC_LOCK = threading.RLock()
_Import = Callable[..., ModuleType]


def load_isolated(text: str, label: str) -> ModuleType:
    """Run artifact `text` with a private module table; returns its bot module.

    Nothing is added to `sys.modules` or `sys.meta_path`: two versions of one bot (or two
    bots embedding different versions of a shared module) load side by side, and dropping
    the returned module drops the artifact.
    """
    holder = ModuleType(f"_medplum_bots_artifact_{label}")
    token = _ISOLATING.set(True)
    try:
        exec(compile(text, f"<artifact {label}>", "exec", dont_inherit=True), holder.__dict__)
    finally:
        _ISOLATING.reset(token)
    bot = holder.__dict__.get("bot")
    if not isinstance(bot, ModuleType):
        raise ArtifactError(f"artifact {label}: not a medplum bot artifact; run `invoke build`")
    return bot


class _IsolatedArtifact(importlib.abc.Loader):
    """One loaded artifact's modules, and the `__import__` its code uses."""

    def __init__(self, embedded: Sequence[_Embedded]) -> None:
        self.embedded = {e.name: e for e in embedded}
        self.tops = {name.partition(".")[0] for name in self.embedded}
        self.modules: dict[str, ModuleType] = {}
        self.builtins = dict(builtins.__dict__)
        self.builtins["__import__"] = self._import
        self._system_import: _Import = builtins.__import__

    def load(self, fullname: str) -> ModuleType:
        with _EXEC_LOCK:
            return self._load(fullname)

    def get_source(self, fullname: str) -> str:  # tracebacks show the line (linecache)
        return self.embedded[fullname].source

    def _load(self, fullname: str) -> ModuleType:
        module = self.modules.get(fullname)
        if module is not None:
            return module
        embedded = self.embedded.get(fullname)
        if embedded is None:
            raise ModuleNotFoundError(f"No module named {fullname!r}", name=fullname)
        parent_name, _, child = fullname.rpartition(".")
        parent = self._load(parent_name) if parent_name else None
        is_package = embedded.kind != "module"
        module = ModuleType(fullname)
        module.__loader__ = self
        module.__spec__ = importlib.machinery.ModuleSpec(
            fullname,
            self,
            origin=embedded.filename,
            is_package=is_package,
        )
        module.__package__ = fullname if is_package else parent_name
        if is_package:
            module.__path__ = []
        module.__dict__["__builtins__"] = self.builtins
        self.modules[fullname] = module
        code = compile(embedded.source, embedded.filename, "exec", dont_inherit=True)
        previous = sys.modules.get(fullname)
        sys.modules[fullname] = module
        try:
            exec(code, module.__dict__)
        except BaseException:
            del self.modules[fullname]
            raise
        finally:
            if previous is None:
                sys.modules.pop(fullname, None)
            else:
                sys.modules[fullname] = previous
        if parent is not None:
            setattr(parent, child, module)
        return module

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
                self._load(".".join(parts[:i]))
            module = self.modules[absolute]
            if fromlist:
                for item in fromlist:
                    child = f"{absolute}.{item}"
                    if item != "*" and not hasattr(module, item) and child in self.embedded:
                        self._load(child)
                return module
            if level > 0:
                return self.modules[f"{absolute.rpartition('.')[0] or absolute}"]
            return self.modules[parts[0]]


def forget_artifacts() -> None:
    """Unload every artifact module (tests, or a runtime reloading a new build)."""
    with _LOCK:
        for name in list(_EMBEDDED):
            module = sys.modules.get(name)
            if module is not None and getattr(module, "__loader__", None) is _IMPORTER:
                del sys.modules[name]
        _EMBEDDED.clear()
        _LOADED.clear()


def _digest(kind: str, source: str) -> str:
    return hashlib.sha256(f"{kind}\0{source}".encode()).hexdigest()


def _check_compatible(embedded: _Embedded) -> None:
    known = _EMBEDDED.get(embedded.name)
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
