"""Tidy the generated project and print the next steps. No validation lives here."""

import json
import shutil
import subprocess
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")


def tidy(root: Path) -> None:
    # Optional files are chosen by conditional file names (an empty name is not generated);
    # all that is left to tidy is bytecode a template checkout may carry.
    for cache in root.rglob("__pycache__"):
        shutil.rmtree(cache, ignore_errors=True)


# Answers only: where this machine put things is no part of the project.
LOCAL_KEYS = ("_output_dir", "_repo_dir", "_checkout")
ABBREVIATIONS = {
    "gh:": "https://github.com/",
    "gl:": "https://gitlab.com/",
    "bb:": "https://bitbucket.org/",
}


def template_commit(repo_dir: str) -> str | None:
    """The template's git commit, if it was generated from a git checkout (gh:, URL, path)."""
    try:
        done = subprocess.run(
            ["git", "-C", repo_dir, "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 2 or len(lines[1]) != 40:
        return None
    # A template directory inside some other repository is not a template checkout.
    return lines[1] if Path(lines[0]).resolve() == Path(repo_dir).resolve() else None


def template_url(template: str) -> str:
    for short, prefix in ABBREVIATIONS.items():
        if template.startswith(short):
            return prefix + template[len(short) :]
    return template


def record_answers(root: Path, answers: dict[str, object]) -> None:
    """Write .cruft.json: the answers and template commit `cruft update` applies changes from."""
    state = {
        "template": template_url(str(answers.get("_template", ""))),
        "commit": template_commit(str(answers.get("_repo_dir", "."))),
        "checkout": answers.get("_checkout"),
        "context": {"cookiecutter": {k: v for k, v in answers.items() if k not in LOCAL_KEYS}},
        "directory": None,
    }
    text = json.dumps(state, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    (root / ".cruft.json").write_text(text, encoding="utf-8")


def next_steps(slug: str, first_bot: str, tooling: str, source: str) -> str:
    if source == "git":
        origin = f"pip takes medplum-bots from the template repository, tag medplum-bots-v{tooling}"
    else:
        origin = (
            f"pip takes medplum-bots=={tooling} from PyPI; from a template checkout instead, run\n"
            "its scripts/build_wheel.sh and add --find-links <checkout>/build/wheels to pip"
        )
    return f"""
Generated {slug}. Next steps:
  cd {slug}
  python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[dev]'
  invoke lock                   # requirements*.txt: what CI installs; commit them
  invoke lint test
  invoke run --name {first_bot}-staging --input examples/patient.json
({origin}.)
"""


if __name__ == "__main__":
    tidy(Path.cwd())
    # Only plain cookiecutter sets _repo_dir; cruft (create, update, diff) writes .cruft.json
    # itself and must not find one in the trees it compares.
    if "_repo_dir" in ANSWERS:
        record_answers(Path.cwd(), ANSWERS)
    print(
        next_steps(
            str(ANSWERS["project_slug"]),
            str(ANSWERS["first_bot_name"]),
            str(ANSWERS["__medplum_bots_version"]),
            str(ANSWERS["tooling_source"]),
        )
    )
