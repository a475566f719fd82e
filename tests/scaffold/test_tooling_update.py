"""A generated project takes a new template and tooling version the way its docs say.

Version N of the template (and of medplum-bots) generates a project; the template and the
package move to N+1, with a real change to the tasks (a changed task and a new one); the
project applies `cruft update` (template files, the pin included) and reinstalls
(`pip install -e '.[dev]'`): its tasks.py is untouched, the changed tasks behave as N+1's,
and its own tests pass on the new tooling.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import cruft

from tests.scaffold.test_template_update import git, template_and_project
from tests.template import WHEELS, wheel

PACKAGE_PYPROJECT = Path("packages/medplum-bots/pyproject.toml")
TASKS = Path("packages/medplum-bots/src/medplum_bots/tasks")
# N+1's change to the tasks: `invoke new` says more, and a task `tooling-version` appears.
NEW_SAYS = "next: invoke test -k"
NEW_SAYS_IN_N1 = "next (medplum-bots N+1): invoke test -k"
NEW_TASK = """

@task
def tooling_version(c: Context) -> None:
    \"\"\"Print the version of medplum-bots the tasks come from.\"\"\"
    from importlib.metadata import version

    print(f"medplum-bots {version('medplum-bots')}")
"""


def change_the_tasks(template: Path) -> None:
    """Edit the template copy's package as a release would: one task changed, one added."""
    local = template / TASKS / "local.py"
    text = local.read_text()
    assert NEW_SAYS in text
    local.write_text(text.replace(NEW_SAYS, NEW_SAYS_IN_N1) + NEW_TASK)
    init = template / TASKS / "__init__.py"
    text = init.read_text()
    anchor = "    local.run,\n"
    assert anchor in text
    init.write_text(text.replace(anchor, anchor + "    local.tooling_version,\n"))


def bump(template: Path) -> str:
    """Move the template copy's package and pin to the next patch version; returns it."""
    pyproject = template / PACKAGE_PYPROJECT
    text = pyproject.read_text()
    old = re.search(r'^version = "(\d+)\.(\d+)\.(\d+)"$', text, re.M)
    assert old
    new = f"{old[1]}.{old[2]}.{int(old[3]) + 1}"
    pyproject.write_text(text.replace(old[0], f'version = "{new}"'))
    answers = json.loads((template / "cookiecutter.json").read_text())
    answers["__medplum_bots_version"] = new
    (template / "cookiecutter.json").write_text(json.dumps(answers, indent=2) + "\n")
    return new


def pip(venv: Path, *args: str, cwd: Path) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def invoke(venv: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return in_venv(venv, project, "-m", "invoke", *args)


def in_venv(venv: Path, project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
    )


def test_a_project_at_version_n_updates_to_n_plus_1_and_its_tests_pass(tmp_path: Path) -> None:
    wheel()  # build/wheels holds version N, built from this checkout
    template, project = template_and_project(tmp_path)  # version N
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip(venv, "--find-links", str(WHEELS), "-e", ".[dev]", cwd=project)
    version = "import importlib.metadata as m; print(m.version('medplum-bots'))"
    before = in_venv(venv, project, "-c", version).stdout.strip()
    said = invoke(venv, project, "new", "--name", "alpha")
    assert said.returncode == 0 and NEW_SAYS in said.stdout, said.stderr
    assert invoke(venv, project, "tooling-version").returncode != 0  # not a task of N
    tasks_py = (project / "tasks.py").read_bytes()
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "a bot of our own")

    # The template and the package move on, and N+1 is published (here: a wheel directory).
    new = bump(template)
    change_the_tasks(template)
    git(template, "commit", "-q", "-am", "N+1")
    published = tmp_path / "index"
    build = ("wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(published))
    subprocess.run(
        [sys.executable, "-m", "pip", *build, str(template / "packages" / "medplum-bots")],
        check=True,
        capture_output=True,
    )

    # The update, as docs/ci-cd.md tells a user: cruft for template files, then reinstall.
    assert cruft.update(project_dir=project, skip_apply_ask=True)
    assert f'"medplum-bots[http]=={new}"' in (project / "pyproject.toml").read_text()
    pip(venv, "--find-links", str(published), "-e", ".[dev]", cwd=project)

    assert (before, in_venv(venv, project, "-c", version).stdout.strip()) != (new, new)
    assert in_venv(venv, project, "-c", version).stdout.strip() == new
    # The tasks changed with the package alone: tasks.py is what the project had.
    assert (project / "tasks.py").read_bytes() == tasks_py
    said = invoke(venv, project, "new", "--name", "beta")
    assert said.returncode == 0 and NEW_SAYS_IN_N1 in said.stdout, said.stderr
    shown = invoke(venv, project, "tooling-version")
    assert shown.returncode == 0 and shown.stdout == f"medplum-bots {new}\n", shown.stderr
    tested = in_venv(venv, project, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert tested.returncode == 0, tested.stdout[-3000:] + tested.stderr[-3000:]
    assert not list(project.rglob("*.rej"))
