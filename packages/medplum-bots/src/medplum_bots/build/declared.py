"""Build-time check: every third-party package a bot imports is declared in pyproject.toml.

A bot's third-party imports become its requirements; the runtime installs what the project
declares, so an import nobody declared (or a typo, `requestz`) would only fail on the
server. Declared means: named in `[project].dependencies` or any
`[project.optional-dependencies]` list, or required by one of those (as installed here), so
what `medplum-bots[http]` brings (httpx...) counts. Import names are mapped to distributions
with `importlib.metadata.packages_distributions()` (`yaml` -> `PyYAML`).
"""

from __future__ import annotations

import functools
import importlib.metadata as metadata
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from medplum_bots.errors import BuildError

PYPROJECT = "pyproject.toml"
# Import names whose distribution is named differently, for imports of packages that are not
# installed here (installed ones are looked up in their metadata). The usual suspects only: a
# name missing here gets the import name, with a note that nothing installed provides it.
KNOWN_DISTRIBUTIONS = {
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "Crypto": "pycryptodome",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
    "fitz": "PyMuPDF",
    "git": "GitPython",
    "jose": "python-jose",
    "jwt": "PyJWT",
    "magic": "python-magic",
    "multipart": "python-multipart",
    "MySQLdb": "mysqlclient",
    "nacl": "PyNaCl",
    "OpenSSL": "pyOpenSSL",
    "PIL": "Pillow",
    "pptx": "python-pptx",
    "serial": "pyserial",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "slugify": "python-slugify",
    "socks": "PySocks",
    "yaml": "PyYAML",
    "zmq": "pyzmq",
}
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?")
_EXTRA_MARKER = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def normalise(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _parse(requirement: str) -> tuple[str, frozenset[str], str] | None:
    """(name, extras, marker) of a requirement string; None when it names nothing."""
    text, _, marker = requirement.partition(";")
    found = _NAME.match(text)
    if found is None:
        return None
    extras = frozenset(normalise(e) for e in (found.group(2) or "").split(",") if e.strip())
    return normalise(found.group(1)), extras, marker


def _closure(requirements: Iterable[str]) -> frozenset[str]:
    """The declared distributions and, as installed, everything they require."""
    allowed: set[str] = set()
    queue = [parsed for r in requirements if (parsed := _parse(r)) is not None]
    seen: set[tuple[str, frozenset[str]]] = set()
    while queue:
        name, extras, _ = queue.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        allowed.add(name)
        try:
            needs = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for need in needs:
            parsed = _parse(need)
            if parsed is None:
                continue
            wanted = _EXTRA_MARKER.findall(parsed[2])
            # Markers other than extras (platform, Python version) are taken as true: the
            # check may then allow too much, never refuse a working import.
            if wanted and not any(normalise(w) in extras for w in wanted):
                continue
            queue.append(parsed)
    return frozenset(allowed)


@functools.lru_cache(maxsize=8)
def _declared(path: Path, mtime: float) -> tuple[frozenset[str], frozenset[str]] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise BuildError(f"{PYPROJECT}: cannot read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise BuildError(f"{PYPROJECT}: invalid TOML ({error})") from None
    project = data.get("project")
    if not isinstance(project, dict):
        return None
    listed = [r for r in project.get("dependencies") or [] if isinstance(r, str)]
    optional = project.get("optional-dependencies") or {}
    if isinstance(optional, dict):
        for items in optional.values():
            listed.extend(r for r in items or [] if isinstance(r, str))
    direct = frozenset(p[0] for r in listed if (p := _parse(r)) is not None)
    return direct, _closure(listed)


def declared_distributions(project_root: Path) -> frozenset[str] | None:
    """Normalised names the project may import from; None without a [project] table."""
    path = project_root / PYPROJECT
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    found = _declared(path.absolute(), mtime)
    return None if found is None else found[1]


def check_declared(
    third_party: Mapping[str, tuple[str, int]],
    project_root: Path,
    providers: Mapping[str, list[str]],
) -> None:
    """Raise BuildError for the first import (`top` -> (file, line)) pyproject.toml lacks."""
    allowed = declared_distributions(project_root)
    if allowed is None or not third_party:
        return
    for top, (rel, line) in sorted(third_party.items(), key=lambda item: item[1]):
        dists = sorted(set(providers.get(top, [])))
        if any(normalise(d) in allowed for d in dists) or normalise(top) in allowed:
            continue
        name = dists[0] if dists else KNOWN_DISTRIBUTIONS.get(top, top)
        if dists:
            state = ""
        elif top in KNOWN_DISTRIBUTIONS:
            state = f" ({top!r} comes from the distribution {name!r}, which is not installed)"
        else:
            state = f" (no installed package provides {top!r}: a typo?)"
        raise BuildError(
            f"{rel}:{line}: imports {top!r}, which {PYPROJECT} does not declare{state}; "
            f'add "{name}" to [project].dependencies in {PYPROJECT} and install it'
        )
