"""A package's data files as `importlib.resources` sees them when the package is embedded.

The bundler embeds the files found directly in a bundled package's directory (`codes.csv`
next to `src/shared/__init__.py`) in the artifact; the loader hands them out here, so
`importlib.resources.files("shared").joinpath("codes.csv").read_text()` gives the same text
from the artifact as from the source tree. Files are flat (no subdirectories) and read-only.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from importlib.resources.abc import Traversable, TraversableResources
from typing import IO, Any


class EmbeddedFiles(TraversableResources):
    """The resource reader of one embedded package (`ModuleTable.get_resource_reader`)."""

    def __init__(self, package: str, files: Mapping[str, bytes]) -> None:
        self.package = package
        self.contents_by_name = dict(files)

    def files(self) -> Traversable:
        return EmbeddedDir(self.package, self.contents_by_name)


class EmbeddedDir(Traversable):
    """The package's directory: its data files, in name order."""

    def __init__(self, package: str, files: Mapping[str, bytes]) -> None:
        self.package = package
        self.files = files

    @property
    def name(self) -> str:
        return self.package.rpartition(".")[2]

    def iterdir(self) -> Iterator[Traversable]:
        for filename in sorted(self.files):
            yield self._child(filename)

    def is_dir(self) -> bool:
        return True

    def is_file(self) -> bool:
        return False

    def joinpath(self, *descendants: Any) -> Traversable:
        parts = [p for d in descendants for p in str(d).split("/") if p and p != "."]
        if not parts:
            return self
        if len(parts) > 1:  # only the package's own directory is embedded, not subdirectories
            return EmbeddedFile("/".join(parts), None)
        return self._child(parts[0])

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        raise IsADirectoryError(f"{self.package}: a package, not a file")

    def read_bytes(self) -> bytes:
        raise IsADirectoryError(f"{self.package}: a package, not a file")

    def read_text(self, encoding: str | None = None) -> str:
        raise IsADirectoryError(f"{self.package}: a package, not a file")

    def _child(self, filename: str) -> EmbeddedFile:
        return EmbeddedFile(filename, self.files.get(filename))


class EmbeddedFile(Traversable):
    """One data file (or a name the package does not hold: `content` None, reads fail)."""

    def __init__(self, filename: str, content: bytes | None) -> None:
        self.filename = filename
        self.content = content

    @property
    def name(self) -> str:
        return self.filename.rpartition("/")[2]

    def iterdir(self) -> Iterator[Traversable]:
        return iter(())

    def is_dir(self) -> bool:
        return False

    def is_file(self) -> bool:
        return self.content is not None

    def joinpath(self, *descendants: Any) -> Traversable:
        return EmbeddedFile(f"{self.filename}/{'/'.join(map(str, descendants))}", None)

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        if mode == "rb":
            return io.BytesIO(self.read_bytes())
        if mode == "r":
            return io.TextIOWrapper(io.BytesIO(self.read_bytes()), *args, **kwargs)
        raise ValueError(f"{self.filename}: bundled files are read-only (mode {mode!r})")

    def read_bytes(self) -> bytes:
        if self.content is None:
            raise FileNotFoundError(f"{self.filename}: no such file bundled with the package")
        return self.content

    def read_text(self, encoding: str | None = None) -> str:
        with self.open("r", encoding=encoding) as handle:
            return str(handle.read())
