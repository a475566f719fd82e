"""Loading artifacts: runs inside the bot runtime, so it stays small and imports little.

`install_artifact` (called by every artifact file) registers the embedded modules with one
meta-path finder under their real names and imports the bot module; `load_artifact` runs an
artifact file; `forget_artifacts` unloads them (tests, reloads).
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Sequence
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
    with _LOCK:
        for embedded in incoming:
            if embedded.kind not in MODULE_KINDS:
                raise ArtifactError(
                    f"artifact {name!r}: module {embedded.name!r} has kind {embedded.kind!r}"
                )
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
