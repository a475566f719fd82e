"""Validate the answers before anything is generated.

Cookiecutter removes the output directory when this hook exits non-zero, so a bad
answer leaves nothing behind. Each failure prints one line naming the answer. Answers with a
fixed set of values (python_version) are choice lists in cookiecutter.json instead: cookiecutter
offers only those and refuses any other.
"""

import json
import keyword
import re
import sys
from urllib.parse import urlsplit

SLUG = re.compile(r"^[a-z][a-z0-9]*([-_][a-z0-9]+)*$")
KEBAB = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
RESERVED_BOT_SUFFIXES = ("-staging", "-production")
# Files the template ships where the first bot's own files go (src/bots/<module>.py and
# tests/test_<module>.py): a first bot of that name would overwrite one of them.
# tests/generation/test_answers.py checks this list against the template's tree.
SHIPPED_BOT_FILES = (
    "src/bots/hapi_sync_bot.py",
    "src/bots/hapi_sync_simple_bot.py",
    "tests/test_hapi_sync_bot.py",
    "tests/test_hapi_sync_simple_bot.py",
    "src/bots/oru_results_bot.py",
    "tests/test_oru_results_bot.py",
    "tests/test_http_helpers.py",
)


def derived_slug(project_name: str) -> str:
    """The default project_slug (cookiecutter.json: `project_name | slugify`): non-ASCII
    letters transliterated (python-slugify, which cookiecutter depends on), the rest dropped."""
    try:
        from slugify import slugify
    except ImportError:  # not cookiecutter's environment: nothing to compare with
        return ""
    return str(slugify(project_name))


def check_slug(value: str, project_name: str = "") -> str | None:
    if SLUG.match(value):
        return None
    rule = "must be lowercase letters and digits separated by '-' or '_'"
    if project_name and value == derived_slug(project_name):
        # The user never typed it: say where it came from and which answer to give.
        return (
            f"project_slug {value!r} (derived from project_name {project_name!r}) {rule}: "
            "give project_slug yourself, e.g. project_slug=my-medplum-bots"
        )
    return f"project_slug {value!r} {rule}"


def check_bot_name(value: str) -> str | None:
    if not KEBAB.match(value):
        return f"first_bot_name {value!r} must be lower-kebab-case, e.g. 'my-first-bot'"
    if keyword.iskeyword(value.replace("-", "_")):
        return f"first_bot_name {value!r} is a Python keyword and cannot name a module"
    if value.endswith(RESERVED_BOT_SUFFIXES):
        return (
            f"first_bot_name {value!r} must not end in -staging/-production: "
            "its config entries get those suffixes"
        )
    module = value.replace("-", "_")
    for path in (f"src/bots/{module}.py", f"tests/test_{module}.py"):
        if path in SHIPPED_BOT_FILES:
            return f"first_bot_name {value!r} would overwrite {path}, which the template ships"
    return None


def check_url(field: str, value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"{field} {value!r} must be an http(s) URL with a host, e.g. 'https://api.medplum.com/'"
        )
    if parts.query or parts.fragment:
        return f"{field} {value!r} must not carry a query or fragment"
    return None


def check_project_id(field: str, value: str) -> str | None:
    if value and not FHIR_ID.match(value):
        return f"{field} {value!r} is not a valid Medplum project id (letters, digits, '-', '.')"
    return None


GIT_SCHEMES = ("https", "http", "ssh", "file")


def check_template_repository(source: str, value: str) -> str | None:
    """The repository a git tooling_source installs medplum-bots from (git+<value>@<tag>)."""
    if source != "git":
        return None
    parts = urlsplit(value)
    if parts.scheme not in GIT_SCHEMES or not (parts.netloc or parts.scheme == "file"):
        return (
            f"template_repository {value!r} must be a git URL (https://, ssh://, file://), "
            "e.g. 'https://github.com/org/medplum-bots-template'"
        )
    if parts.query or parts.fragment or "@" in parts.path or any(c.isspace() for c in value):
        return f"template_repository {value!r} must not carry '@', '?', '#' or spaces"
    return None


def problems(answers: dict[str, object]) -> list[str]:
    """One line per bad answer (empty when every answer is fine)."""
    found = [
        check_slug(str(answers["project_slug"]), str(answers.get("project_name", ""))),
        check_bot_name(str(answers["first_bot_name"])),
        check_url("staging_base_url", str(answers["staging_base_url"])),
        check_url("production_base_url", str(answers["production_base_url"])),
        check_project_id("staging_project_id", str(answers["staging_project_id"])),
        check_project_id("production_project_id", str(answers["production_project_id"])),
        check_template_repository(
            str(answers["tooling_source"]), str(answers["template_repository"])
        ),
    ]
    return [p for p in found if p]


def main(answers: dict[str, object]) -> int:
    errors = problems(answers)
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    # jsonify escapes every quote and backslash, so any answer survives as JSON inside a raw string.
    sys.exit(main(json.loads(r"""{{ cookiecutter | jsonify }}""")))
