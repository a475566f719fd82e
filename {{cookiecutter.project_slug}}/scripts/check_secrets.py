"""Refuse to commit credentials: `.env` files, and text that looks like a secret or a token.

Run by pre-commit on the staged files (`python scripts/check_secrets.py FILE...`). Exit status 1
with one line per finding, `path:line: what it looks like`; the value itself is never printed.
A deliberate fake in a test can be kept by ending its line with `# pragma: allowlist secret`.

It is a guard against accidents, not a scanner: it knows the shapes this repository's
credentials take (Medplum client secrets and access tokens, the runtime key, deploy keys,
AWS keys).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ALLOW_MARKER = "pragma: allowlist secret"
ALLOWED_ENV_FILES = {".env.example"}
MAX_BYTES = 2_000_000

# NAME=value lines (.env style, shell exports, YAML/INI) for variables that hold credentials.
ASSIGNED = re.compile(
    r"^\s*(?:export\s+)?[A-Za-z0-9_]*(?:CLIENT_SECRET|ACCESS_TOKEN|RUNTIME_KEY|DEPLOY_KEY|SECRET_ACCESS_KEY)"
    r"\s*[=:]\s*(?P<value>\S+)"
)
# client_secret / access_token keys with a quoted literal value (JSON, Python, YAML).
QUOTED = re.compile(
    r"(?i)(?:client_?secret|access_?token|secret_?access_?key|runtime_?key|deploy_?key)"
    r"[\"']?\s*[:=]\s*(?P<quote>[\"'])(?P<value>[^\"']*)(?P=quote)"
)
# The same keys in any case with a bare value: YAML and INI (`client_secret: 4f3c...`,
# `clientSecret: 4f3c...`, `client-secret = 4f3c...`). Code on the right of `=` (a call, a
# variable name) is not a value: one token to the end of the line, with a digit in it.
BARE = re.compile(
    r"(?i)^\s*(?:-\s+)?[\w.-]*(?:client[_-]?secret|access[_-]?token|secret[_-]?access[_-]?key"
    r"|runtime[_-]?key|deploy[_-]?key)\s*[:=]\s*"
    r"(?P<value>[^\s\"'#,;()]*\d[^\s\"'#,;()]*)\s*(?:#.*)?$"
)
SHAPES = (
    (
        "a JSON Web Token",
        re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    ),
    ("a bearer token", re.compile(r"\bBearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    # `invoke deploy-key`'s private half: 32 bytes, base64url.
    ("a deploy key", re.compile(r"ed25519-private:[A-Za-z0-9_-]{40,}")),
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
)
# Values that are clearly not real: placeholders, references, variable names, fakes.
FAKE_WORDS = (
    "example",
    "your",
    "changeme",
    "placeholder",
    "dummy",
    "fake",
    "test",
    "secret",
    "token",
)
REFERENCE = re.compile(r"^(?:<.*>|\$.*|\{.*|%.*|\*+|[A-Z][A-Z0-9_]*)$")


def is_env_file(path: Path) -> bool:
    """`.env` and `.env.<anything>` hold credentials; `.env.example` is the committed template."""
    name = path.name
    return (name == ".env" or name.startswith(".env.")) and name not in ALLOWED_ENV_FILES


def looks_real(value: str) -> bool:
    """A credential-like value that is not a placeholder, a reference or an obvious fake."""
    value = value.strip().strip("\"'").rstrip(",;")
    if len(value) < 16 or REFERENCE.match(value):
        return False
    lowered = value.lower()
    return not any(word in lowered for word in FAKE_WORDS)


def findings(path: Path, text: str) -> Iterator[str]:
    """One message per suspicious line of `text` (read from `path`)."""
    for number, line in enumerate(text.splitlines(), start=1):
        if ALLOW_MARKER in line:
            continue
        where = f"{path}:{number}"
        assigned = ASSIGNED.match(line)
        quoted = QUOTED.search(line)
        bare = BARE.match(line)
        if any(match and looks_real(match["value"]) for match in (assigned, quoted, bare)):
            yield f"{where}: looks like a credential assigned to a variable (value hidden)"
            continue
        for label, pattern in SHAPES:
            if pattern.search(line):
                yield f"{where}: looks like {label} (value hidden)"
                break


def check(paths: Sequence[Path]) -> list[str]:
    """Every problem in `paths`; binary and very large files are skipped."""
    problems: list[str] = []
    for path in paths:
        if is_env_file(path):
            problems.append(
                f"{path}: .env files hold credentials and are never committed "
                "(put placeholders in .env.example instead)"
            )
            continue
        try:
            data = path.read_bytes()[:MAX_BYTES]
        except OSError:
            continue  # deleted or unreadable: nothing to commit
        if b"\0" in data[:8192]:
            continue
        problems.extend(findings(path, data.decode("utf-8", errors="replace")))
    return problems


def main(argv: Sequence[str]) -> int:
    problems = check([Path(arg) for arg in argv])
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(
            f"{len(problems)} possible credential(s): remove them, or end a deliberate "
            f"fake's line with '# {ALLOW_MARKER}'",
            file=sys.stderr,
        )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
