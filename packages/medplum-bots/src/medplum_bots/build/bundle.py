"""One self-contained artifact per bot: build it, describe it in a manifest, load it.

An artifact is ONE Python file at the bot's `dist` path (`dist/bots/my_first_bot.py`). It
embeds the sources of the bot module and of every project-local module it imports (found by
`medplum_bots.build.imports`, which reads imports and never runs code), and calls
`install_artifact`, which registers those modules with Python's import system under their
own names and imports the bot module. `medplum_bots` and third-party packages are not
embedded: the runtime provides them (as esbuild's externals do for `@medplum/core`); the
third-party ones are recorded as the bot's requirements.

The same sources give the same bytes (sorted modules, normalised text, no timestamps or
absolute paths) and so the same `sha256`, which deploys compare. `dist/manifest.json` lists
every artifact with its name, source, dist, sha256, size, modules and requirements.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from medplum_bots.build.loader import (
    ARTIFACT_FORMAT,
    ARTIFACT_TITLE,
    BODY_START,
)
from medplum_bots.build.manifest import MANIFEST, read_manifest
from medplum_bots.errors import BuildError

if TYPE_CHECKING:
    import subprocess

    from medplum_bots.build.imports import ImportGraph, LocalModule
    from medplum_bots.config import BotEntry, ProjectConfig


@dataclass(frozen=True)
class Artifact:
    """A built bot: its file, name (the file's stem), content hash, size, modules, requirements.

    `source` is the bot's file relative to the project; `written` says this build changed the
    file on disk (an unchanged artifact is not rewritten, so its mtime stays).
    """

    path: Path
    name: str
    sha256: str
    size: int
    modules: tuple[str, ...]
    requirements: tuple[str, ...]
    source: str = ""
    entry_module: str = ""
    written: bool = False


@dataclass(frozen=True)
class ChangedArtifact:
    """An artifact whose content differs from a reference build, and the entries deploying it."""

    name: str
    dist: str
    entries: tuple[str, ...]
    reason: str


# ---------------------------------------------------------------------------------------------
# Building


def render_artifact(entry_source: Path, project_root: Path, name: str) -> tuple[str, Artifact]:
    """The artifact text for the bot at `entry_source`, and its description (nothing written)."""
    from medplum_bots.build.bot_checks import check_bot
    from medplum_bots.build.imports import collect

    graph = collect(entry_source, project_root)
    entry = graph.modules[graph.entry]
    if "handler" not in entry.bound and not entry.open_namespace:
        raise BuildError(
            f"{entry.rel}:1: the bot defines no top-level 'handler' "
            "(a bot module needs handler(medplum, event))"
        )
    check_bot(entry, graph.modules.values())
    if graph.third_party_at:
        from medplum_bots.build.declared import check_declared

        check_declared(graph.third_party_at, project_root, _import_providers())
    requirements = _requirements(graph.third_party)
    modules = sorted(graph.modules.values(), key=lambda m: m.name)
    data = data_files(modules, project_root)
    body = _body(name, graph, requirements, data)
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    text = _header(name, entry.rel, graph.entry, modules, requirements, digest, data) + body
    artifact = Artifact(
        path=Path(),
        name=name,
        sha256=digest,
        size=len(text.encode("utf-8")),
        modules=tuple(m.name for m in modules),
        requirements=requirements,
        source=entry.rel,
        entry_module=graph.entry,
    )
    return text, artifact


def build_bot(entry_source: Path, project_root: Path, out: Path) -> Artifact:
    """Bundle the bot at `entry_source` into the artifact `out` (relative paths: to the project).

    The file is only written when its content changed. Raises BuildError (one line with
    `file:line` and the import chain) on a syntax error, missing module or fatal cycle.
    """
    text, artifact = _render_to(entry_source, project_root, out)
    return _replace(artifact, written=_write_if_changed(artifact.path, text))


def build_all(
    config: ProjectConfig, patterns: Iterable[str] = (), *, check_forwarders: bool = True
) -> list[Artifact]:
    """Build one artifact per distinct `dist` among the selected entries; update the manifest.

    Entries sharing a `dist` (staging and production of one bot) share one artifact. Every
    bot is bundled before anything is written, so a failed build leaves dist/ as it was.
    A forwarder over Medplum's `$deploy` limit fails the build (`forwarder_size`), unless
    `check_forwarders` is off: the deployer fails only that bot's row instead.
    """
    from medplum_bots.build.forwarder_size import check_sizes

    root = config.root.absolute()
    selected = config.select(patterns)
    groups = _artifact_groups(config, selected)
    rendered = [
        _render_to(root / source, root, root / dist) for dist, (source, _) in groups.items()
    ]
    # Before anything is written: a bot Medplum would refuse fails the build, naming it.
    if check_forwarders:
        texts = {dist: text for dist, (text, _) in zip(groups, rendered, strict=True)}
        check_sizes(config, [(e, texts[_rel_dist(e.dist)].encode()) for e in selected])
    artifacts = [_replace(a, written=_write_if_changed(a.path, text)) for text, a in rendered]
    write_manifest(root, artifacts, keep={_rel_dist(b.dist) for b in config.bots})
    return artifacts


def _render_to(entry_source: Path, project_root: Path, out: Path) -> tuple[str, Artifact]:
    out = out if out.is_absolute() else project_root / out
    if out.suffix != ".py":
        raise BuildError(f"{_display(out, project_root)}: an artifact path must end in .py")
    text, artifact = render_artifact(entry_source, project_root, out.stem)
    return text, _replace(artifact, path=out)


def describe(artifact: Artifact, root: Path | None = None) -> str:
    """What `invoke build` prints for one artifact: path, size, hash, modules, requirements."""
    where = _display(artifact.path, root) if root is not None else str(artifact.path)
    state = "written" if artifact.written else "unchanged"
    others = [m for m in artifact.modules if m != artifact.entry_module]
    return (
        f"{artifact.name}: {where} ({artifact.size:,} bytes, sha256 {artifact.sha256[:12]}, "
        f"{state})\n"
        f"  bundled with: {', '.join(others) or 'nothing else'}\n"
        f"  requirements: {', '.join(artifact.requirements) or 'none'}"
    )


def _artifact_groups(
    config: ProjectConfig, entries: Sequence[BotEntry]
) -> dict[str, tuple[str, list[str]]]:
    """dist -> (source, entry names), checking that names and paths are unambiguous."""
    groups: dict[str, tuple[str, list[str]]] = {}
    for entry in entries:
        dist = _rel_dist(entry.dist)
        if not dist.endswith(".py"):
            raise BuildError(
                f"{config.path.name}: bot {entry.name!r}: 'dist' must be a .py file, got {dist!r}"
            )
        if dist == _rel_dist(entry.source) or dist.startswith("src/"):
            raise BuildError(
                f"{config.path.name}: bot {entry.name!r}: 'dist' {dist!r} would overwrite "
                "sources; use a path under dist/"
            )
        source, names = groups.setdefault(dist, (entry.source, []))
        if _rel_dist(source) != _rel_dist(entry.source):
            raise BuildError(
                f"{config.path.name}: bots {names[0]!r} and {entry.name!r} share dist {dist!r} "
                f"but have different sources ({source!r}, {entry.source!r})"
            )
        names.append(entry.name)
    stems: dict[str, str] = {}
    for bot in config.bots:  # every entry: names must be unique across the whole runtime
        dist = _rel_dist(bot.dist)
        stem = Path(dist).stem
        if stems.setdefault(stem, dist) != dist:
            raise BuildError(
                f"{config.path.name}: artifacts {stems[stem]!r} and {dist!r} would both be "
                f"named {stem!r}; give them different file names"
            )
    return groups


@dataclass(frozen=True)
class DataFile:
    """A data file embedded for `importlib.resources`: its package, name, path and bytes."""

    package: str
    name: str
    rel: str
    content: bytes


# Total data per artifact: the artifact must stay well under Medplum's ~1 MB $deploy limit
# (base64 grows data by a third, and the code and forwarder need room too).
DATA_LIMIT = 512 * 1024


def data_files(modules: Iterable[LocalModule], project_root: Path) -> list[DataFile]:
    """The non-Python files directly in each bundled regular package's directory, sorted.

    Dot-files, `.py`/`.pyc` files and subdirectories (`__pycache__` among them) are left
    out. BuildError (one line naming the biggest file) if they exceed DATA_LIMIT in total.
    """
    found: list[DataFile] = []
    for module in modules:
        if not module.is_package or module.namespace:
            continue
        for path in sorted(module.path.parent.iterdir()):
            if path.name.startswith(".") or path.suffix in (".py", ".pyc") or not path.is_file():
                continue
            rel = _display(path, project_root)
            found.append(DataFile(module.name, path.name, rel, path.read_bytes()))
    found.sort(key=lambda f: (f.package, f.name))
    total = sum(len(f.content) for f in found)
    if total > DATA_LIMIT:
        biggest = max(found, key=lambda f: len(f.content))
        raise BuildError(
            f"{biggest.rel}: the bot's package data files total {total:,} bytes, over the "
            f"{DATA_LIMIT:,}-byte limit (this one is {len(biggest.content):,}); keep large "
            "data in Medplum (a Binary or a resource) and read it at run time"
        )
    return found


def _header(
    name: str,
    source: str,
    entry: str,
    modules: Sequence[LocalModule],
    requirements: Sequence[str],
    digest: str,
    data: Sequence[DataFile] = (),
) -> str:
    width = max(len(m.name) for m in modules)
    listed = [f"{m.name.ljust(width)}  {m.rel}" for m in modules]
    files = [f"{f.package}: {f.name}  {f.rel} ({len(f.content):,} bytes)" for f in data]
    lines = [
        f"{ARTIFACT_TITLE}{name}",
        f"# Generated by `invoke build` from {source}.",
        "# Do not edit: change the sources and rebuild. Deploys compare the sha256 below.",
        "#",
        f"# bot module:   {entry} (its `handler` is the bot's entry point)",
        f"# modules:      {listed[0]}",
        *(f"#               {line}" for line in listed[1:]),
        *(f"# {'data files:' if i == 0 else '':<13} {line}" for i, line in enumerate(files)),
        f"# requirements: {', '.join(requirements) or 'none'}",
        "# provided by the runtime: medplum_bots and the Python standard library",
        f"# sha256:       {digest}",
        "#               (of the text below this header)",
        "#",
        "# Importing this file (medplum_bots.build.loader.load_artifact, or an import) registers",
        "# the embedded modules under their own names and imports the bot module. Tracebacks",
        "# show the original file names and line numbers.",
        "",
    ]
    return "\n".join(lines) + "\n"


def _body(
    name: str, graph: ImportGraph, requirements: Sequence[str], data: Sequence[DataFile]
) -> str:
    parts = [
        BODY_START,
        "\n",
        "bot = install_artifact(\n",
        f"    artifact_format={ARTIFACT_FORMAT},\n",
        f"    name={json.dumps(name)},\n",
        f"    entry={json.dumps(graph.entry)},\n",
        f"    requirements=({''.join(json.dumps(r) + ', ' for r in requirements).rstrip()}),\n",
        "    modules=(\n",
    ]
    for module in sorted(graph.modules.values(), key=lambda m: m.name):
        kind = "namespace" if module.namespace else "package" if module.is_package else "module"
        parts += [
            "        (\n",
            f"            {json.dumps(module.name)},\n",
            f"            {json.dumps(module.rel)},\n",
            f"            {json.dumps(kind)},\n",
            f"            {string_literal(module.source)},\n",
            "        ),\n",
        ]
    parts.append("    ),\n")
    if data:  # left out when empty: artifacts without data files keep their bytes and hash
        parts.append("    data=(\n")
        for item in data:
            encoded = base64.b64encode(item.content).decode("ascii")
            chunks = [encoded[i : i + 76] for i in range(0, len(encoded), 76)] or [""]
            parts += [
                f"        ({json.dumps(item.package)}, {json.dumps(item.name)}, (\n",
                *(f'            "{chunk}"\n' for chunk in chunks),
                "        )),\n",
            ]
        parts.append("    ),\n")
    parts += [")\n", "handler = bot.handler\n"]
    return "".join(parts)


def string_literal(text: str) -> str:
    """A Python string literal for `text` that keeps it readable: triple-quoted, line by line.

    The quote character the text uses least in triples is chosen (docstrings usually use
    double quotes, so the literal then uses single ones). Backslashes, runs of three such
    quotes, a final quote and control characters other than newline and tab are escaped:
    `ast.literal_eval` gives back `text`.
    """
    if not text:
        return '""'
    quote = "'" if text.count("'" * 3) <= text.count('"' * 3) else '"'
    escaped = text.replace("\\", "\\\\").replace(quote * 3, ("\\" + quote) * 3)
    escaped = "".join(
        f"\\x{ord(c):02x}" if (ord(c) < 32 and c not in "\n\t") or c == "\x7f" else c
        for c in escaped
    )
    if escaped.endswith(quote):
        escaped = escaped[:-1] + "\\" + quote
    # The backslash-newline after the opening quotes keeps every source line on its own line.
    return quote * 3 + "\\\n" + escaped + quote * 3


def _requirements(third_party: Sequence[str]) -> tuple[str, ...]:
    """Distribution names (with installed versions) for third-party top-level import names."""
    if not third_party:
        return ()
    import importlib.metadata as metadata

    providers = _import_providers()
    found: set[str] = set()
    for top in third_party:
        candidates = sorted(set(providers.get(top, [])))
        wanted = _normalise_dist(top)
        dist = next((c for c in candidates if _normalise_dist(c) == wanted), None)
        dist = dist or (candidates[0] if candidates else top)
        try:
            found.add(f"{dist}=={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            found.add(dist)
    return tuple(sorted(found, key=str.lower))


@functools.cache
def _import_providers() -> Mapping[str, list[str]]:
    # Scans every installed distribution (~0.1 s): once per process, not once per bot.
    import importlib.metadata as metadata

    return metadata.packages_distributions()


def _normalise_dist(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _write_if_changed(path: Path, text: str) -> bool:
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return True


def _replace(artifact: Artifact, **changes: Any) -> Artifact:
    from dataclasses import replace

    return replace(artifact, **changes)


def _rel_dist(path: str) -> str:
    return Path(os.path.normpath(path)).as_posix()


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.absolute().relative_to(root.absolute()).as_posix()
        except ValueError:
            pass
    return str(path)


# ---------------------------------------------------------------------------------------------
# Manifest


def manifest_record(artifact: Artifact, root: Path) -> dict[str, Any]:
    """One manifest entry (paths relative to the project root, posix)."""
    return {
        "name": artifact.name,
        "source": artifact.source,
        "dist": _display(artifact.path, root),
        "sha256": artifact.sha256,
        "size": artifact.size,
        "modules": list(artifact.modules),
        "requirements": list(artifact.requirements),
    }


def write_manifest(root: Path, artifacts: Sequence[Artifact], keep: set[str]) -> bool:
    """Record `artifacts` in the manifest, keeping earlier records whose dist is in `keep`.

    Keeping them lets `invoke build --name x` update one bot without forgetting the others.
    Written only when the content changes.
    """
    fresh = {_rel_dist(_display(a.path, root)): manifest_record(a, root) for a in artifacts}
    merged = {_rel_dist(r["dist"]): r for r in read_manifest(root) if _rel_dist(r["dist"]) in keep}
    merged.update(fresh)
    records = sorted(merged.values(), key=lambda r: (str(r.get("name")), r["dist"]))
    text = json.dumps({"format": ARTIFACT_FORMAT, "artifacts": records}, indent=2) + "\n"
    return _write_if_changed(root / MANIFEST, text)


# ---------------------------------------------------------------------------------------------
# What changed


def changed_artifacts(
    config: ProjectConfig, patterns: Iterable[str] = (), ref: str | None = None
) -> list[ChangedArtifact]:
    """Artifacts whose content differs from git `ref`'s sources, or from the last build.

    Nothing is written. Each result names the config entries that deploy the artifact, so
    these are the bots a change (for example to a shared module) forces you to redeploy.
    """
    root = config.root.absolute()
    groups = _artifact_groups(config, config.select(patterns))
    current = {
        dist: render_artifact(root / source, root, Path(dist).stem)[1].sha256
        for dist, (source, _) in groups.items()
    }
    if ref is None:
        before = {_rel_dist(r["dist"]): str(r.get("sha256")) for r in read_manifest(root)}
        label = "the last build"
    else:
        before = _hashes_at_ref(root, ref, groups)
        label = ref
    changed: list[ChangedArtifact] = []
    for dist, (_, names) in groups.items():
        old = before.get(dist)
        if old == current[dist]:
            continue
        if old is None:
            reason = f"not in {label}"
        elif old.startswith("error:"):
            reason = f"did not build at {label} ({old.removeprefix('error: ')})"
        else:
            reason = f"changed since {label}"
        changed.append(ChangedArtifact(Path(dist).stem, dist, tuple(names), reason))
    return changed


def _hashes_at_ref(
    root: Path, ref: str, groups: dict[str, tuple[str, list[str]]]
) -> dict[str, str]:
    """Artifact hashes built from the sources at `ref` ("error: ..." where they do not build)."""
    with tempfile.TemporaryDirectory(prefix="medplum-bots-ref-") as scratch:
        tree = Path(scratch)
        _export_sources(root, ref, tree)
        hashes: dict[str, str] = {}
        for dist, (source, _) in groups.items():
            if not (tree / source).is_file():
                continue
            try:
                hashes[dist] = render_artifact(tree / source, tree, Path(dist).stem)[1].sha256
            except BuildError as error:
                hashes[dist] = f"error: {error}"
        return hashes


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    try:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, check=False)
    except FileNotFoundError:
        raise BuildError("git is not installed (needed to compare with a git ref)") from None


def _export_sources(root: Path, ref: str, dest: Path) -> None:
    """Write the project's `src/` as of git `ref` into `dest/src` (via `git archive`)."""
    if ref.startswith("-"):
        raise BuildError(f"invalid git ref {ref!r}")
    where = _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    if where.returncode != 0:
        raise BuildError(f"{root}: not inside a git repository (needed to compare with {ref!r})")
    top, _, prefix = where.stdout.decode().partition("\n")
    commit = _git(root, "rev-parse", "--verify", "--quiet", ref + "^" + "{commit}")
    if commit.returncode != 0:
        raise BuildError(f"unknown git ref {ref!r}")
    tree = f"{commit.stdout.decode().strip()}:{prefix.strip()}"
    top_level = Path(top.strip())
    if _git(top_level, "cat-file", "-e", f"{tree}src").returncode != 0:
        return  # no sources at that ref: every bot is new
    # From the top level: git reads the path "src" relative to the working directory's prefix.
    archive = _git(top_level, "archive", "--format=tar", tree, "src")
    if archive.returncode != 0:
        message = archive.stderr.decode(errors="replace").strip().splitlines()
        raise BuildError(f"git archive {ref}: {message[-1] if message else 'failed'}")
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        # Only plain files and directories, inside dest: a ref cannot write elsewhere.
        members = [
            m
            for m in tar.getmembers()
            if (m.isfile() or m.isdir()) and not m.name.startswith("/") and ".." not in m.name
        ]
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, members=members, filter="data")
        else:  # Python < 3.11.4
            tar.extractall(dest, members=members)
