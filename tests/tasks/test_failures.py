"""What a new user ran into (issue #12), as invoke tasks in a generated project.

Each failure is one line on stderr with the right exit code, and nothing is lost.
"""

from __future__ import annotations

import json
import os
import pty
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from medplum_bots.runtime.deploy_keys import generate, trusted_entry
from medplum_standin.fleet import Fleet, open_fleet, standard_entries

from tests.template import gen_python, project_env, render, run_in


@pytest.fixture
def project_fleet(tmp_path: Path, default_project: Path) -> Iterator[Fleet]:
    """A copy of the generated project, its bots and config aimed at two stand-ins."""
    root = tmp_path / "project"
    shutil.copytree(default_project, root, ignore=shutil.ignore_patterns("dist", "__pycache__"))
    with ExitStack() as stack:
        fleet = open_fleet(stack, root)
        fleet.write_config(standard_entries(fleet))
        yield fleet


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render(tmp_path_factory.mktemp("failures"))


def invoke(fleet: Fleet, *args: str) -> subprocess.CompletedProcess[str]:
    return run_in(fleet.root, "invoke", *args, env=fleet.environ())


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def _start(fleet: Fleet, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(gen_python()), "-m", "invoke", *args],
        cwd=fleet.root,
        env=project_env(fleet.root, fleet.environ()),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


# -- data loss ---------------------------------------------------------------------------------


def test_a_dist_outside_the_build_directory_is_refused_and_tasks_py_kept(project: Path) -> None:
    config_path = project / "medplum.config.json"
    original = config_path.read_text()
    tasks = (project / "tasks.py").read_bytes()
    data = json.loads(original)
    data["bots"][0]["dist"] = "tasks.py"
    config_path.write_text(json.dumps(data))
    try:
        done = run_in(project, "invoke", "build")
    finally:
        config_path.write_text(original)

    assert done.returncode == 1
    assert one_line(done).startswith(
        f"error: medplum.config.json: bots[0] {data['bots'][0]['name']!r}: field 'dist' must be "
        "a .py path under dist/"
    )
    assert (project / "tasks.py").read_bytes() == tasks


def test_two_concurrent_deploy_create_runs_leave_one_bot(project_fleet: Fleet) -> None:
    fleet = project_fleet
    entries = standard_entries(fleet)
    entries.append({**fleet.entry("alpha", "staging"), "name": "delta-staging", "id": ""})
    fleet.write_config(entries)
    site = fleet.sites["staging"]
    site.standin.faults.add(
        method="POST", path=r"^/admin/projects/", status=None, delay=1.0, times=None
    )

    runs = [
        _start(fleet, "deploy", "--no-runtime-check", "--create", "--name", "delta-staging")
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    made = [
        b for b in site.standin.store.all("Bot", site.project_id) if b["name"] == "delta-staging"
    ]
    assert len(made) == 1
    results = [
        next(line.split()[2] for line in out.splitlines() if line.startswith("delta-staging"))
        for out, _ in outputs
    ]
    assert results.count("created") == 1, outputs
    recorded = json.loads(fleet.config_path.read_text())["bots"][-1]
    assert recorded["id"] == made[0]["id"]


# -- errors that pointed the wrong way ---------------------------------------------------------


def test_execute_and_logs_of_a_missing_bot_name_the_entry_and_exit_1(
    project_fleet: Fleet,
) -> None:
    fleet = project_fleet
    entries = standard_entries(fleet)
    entries[0] = {**entries[0], "id": "0b0b0b0b-0000-4000-8000-000000000000"}
    fleet.write_config(entries)
    (fleet.root / "input.json").write_text("{}")

    executed = invoke(fleet, "execute", "--name", "alpha-staging", "--input", "input.json")
    logged = invoke(fleet, "logs", "--name", "alpha-staging")

    wanted = (
        "error: bot 'alpha-staging': Bot/0b0b0b0b-0000-4000-8000-000000000000 does not exist "
        "in environment 'staging'"
    )
    assert executed.returncode == 1 and one_line(executed).startswith(wanted)
    assert logged.returncode == 1 and one_line(logged).startswith(wanted)


def test_an_unreachable_server_is_a_network_failure_within_the_timeout(
    project_fleet: Fleet,
) -> None:
    fleet = project_fleet
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        environments = fleet.environments()
        environments["staging"]["baseUrl"] = f"http://127.0.0.1:{port}/"
        fleet.write_config(standard_entries(fleet), environments)
        started = time.monotonic()
        done = invoke(
            fleet, "deploy", "--no-runtime-check", "--name", "alpha-staging", "--timeout", "1"
        )
        took = time.monotonic() - started

    assert done.returncode == 1
    assert f"POST http://127.0.0.1:{port}/oauth2/token: the server accepted" in done.stdout
    assert "CLIENT_ID" not in done.stdout
    assert took < 20, took


def test_a_bot_failing_at_import_time_is_one_line(project: Path) -> None:
    bot = project / "src/bots/broken_bot.py"
    bot.write_text(
        "import json\n\nSETTINGS = json.loads('{')\n\n\ndef handler(m, e):\n    return 1\n"
    )
    config_path = project / "medplum.config.json"
    original = config_path.read_text()
    data = json.loads(original)
    data["bots"].append(
        {
            **data["bots"][0],
            "name": "broken-bot-staging",
            "id": "",
            "source": str(bot.relative_to(project)),
            "dist": "dist/bots/broken_bot.py",
        }
    )
    config_path.write_text(json.dumps(data))
    try:
        done = run_in(project, "invoke", "run", "--name", "broken-bot-staging", input="{}")
    finally:
        config_path.write_text(original)
        bot.unlink()

    assert done.returncode == 1
    assert one_line(done).startswith(
        "error: src/bots/broken_bot.py:3: importing the bot failed: JSONDecodeError"
    )


def test_build_checks_third_party_imports_against_pyproject(project: Path) -> None:
    bot = project / "src/bots/my_first_bot.py"
    original = bot.read_text()
    bot.write_text("import requestz\n\n\ndef handler(medplum, event):\n    return True\n")
    try:
        done = run_in(project, "invoke", "build")
    finally:
        bot.write_text(original)

    assert done.returncode == 1
    assert one_line(done).startswith(
        "error: src/bots/my_first_bot.py:1: imports 'requestz', which pyproject.toml does not "
        "declare"
    )


def test_a_malformed_env_file_is_one_line_naming_file_and_line(project_fleet: Fleet) -> None:
    fleet = project_fleet
    (fleet.root / ".env.staging").write_text("MEDPLUM_CLIENT_ID=x\nnot a line\n")
    environ = fleet.environ()
    del environ["STAGING_MEDPLUM_CLIENT_SECRET"]

    done = run_in(fleet.root, "invoke", "deploy", "--no-runtime-check", "--name", "*", env=environ)

    assert done.returncode == 1
    assert one_line(done) == (
        "error: .env.staging:2: not a NAME=VALUE line (check quotes: a value with spaces or # "
        "needs matching quotes)"
    )


# -- friction ----------------------------------------------------------------------------------


def test_deploy_shows_one_progress_line_per_bot_outside_a_terminal(project_fleet: Fleet) -> None:
    done = invoke(project_fleet, "deploy", "--no-runtime-check", "--name", "*")

    assert done.returncode == 0, done.stderr
    progress = done.stderr.strip().splitlines()
    assert len(progress) == 6
    assert progress[0].startswith("[1/6] ") and progress[-1].startswith("[6/6] ")
    assert all(": deployed in " in line for line in progress)
    assert done.stdout.splitlines()[0].split() == [
        "bot",
        "environment",
        "result",
        "version",
        "seconds",
    ]


def test_sigint_during_a_deploy_prints_what_was_done_and_what_was_not(
    project_fleet: Fleet,
) -> None:
    fleet = project_fleet
    beta = fleet.ids["beta-staging"]
    fault = fleet.sites["staging"].standin.faults.add(
        method="POST", path=rf"/Bot/{beta}/\$deploy$", status=None, delay=10.0
    )
    run = _start(fleet, "deploy", "--no-runtime-check", "--name", "*")
    deadline = time.monotonic() + 60
    while fault.fired == 0:
        assert run.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1.0)  # the other bots finish meanwhile
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)

    assert run.returncode == 130, (out, err)
    rows = {
        line.split()[0]: line.split()[2]
        for line in out.splitlines()[2:]
        if not line.startswith(" ")
    }
    assert rows["beta-staging"] == "interrupted"
    assert rows["alpha-staging"] == "deployed"
    last = err.strip().splitlines()[-1]
    assert last.startswith("error: interrupted: 5 of 6 bot(s) finished; not finished: beta-staging")
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["deploy", "--name", "*", "--jobs", "abc"],
            "error: --jobs must be a whole number, got 'abc'",
        ),
        (
            ["logs", "--name", "x", "--limit", "many"],
            "error: --limit must be a whole number, got 'many'",
        ),
        (
            ["deploy", "--name", "*", "--timeout", "soon"],
            "error: --timeout must be a number of seconds, got 'soon'",
        ),
        (["serve", "--port", "http"], "error: --port must be a whole number, got 'http'"),
    ],
)
def test_invalid_arguments_are_one_line(project: Path, args: list[str], message: str) -> None:
    done = run_in(project, "invoke", *args)
    assert done.returncode == 1
    assert one_line(done) == message


def test_deploy_no_build_after_an_edit_refuses(project_fleet: Fleet) -> None:
    fleet = project_fleet
    assert invoke(fleet, "build").returncode == 0
    source = fleet.root / "src/bots/alpha.py"
    source.write_text(source.read_text().replace("running", "now running"))

    done = invoke(fleet, "deploy", "--no-runtime-check", "--name", "alpha-staging", "--no-build")

    assert done.returncode == 1
    assert one_line(done).startswith("error: dist/bots/alpha.py: built from older sources")
    assert "executableCode" not in fleet.bot("alpha-staging")


def test_run_without_input_on_a_terminal_says_what_it_needs(project: Path) -> None:
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [str(gen_python()), "-m", "invoke", "run", "--name", "my_first_bot"],
            cwd=project,
            env=project_env(project),
            stdin=terminal,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        os.close(terminal)
        os.close(controller)

    assert done.returncode == 1
    assert one_line(done).startswith("error: no input: pass --input FILE")


def test_serve_on_a_busy_port_is_one_line_and_prints_no_serving(project: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = run_in(
            project,
            "invoke",
            "serve",
            "--port",
            str(port),
            env={
                "MEDPLUM_BOTS_RUNTIME_KEY": "k" * 40,
                "MEDPLUM_BOTS_TRUSTED_KEYS": trusted_entry("staging", generate().public),
            },
            timeout=60,
        )

    assert done.returncode == 1
    assert "serving" not in done.stdout
    assert one_line(done) == (
        f"error: cannot listen on 127.0.0.1:{port}: the port is in use "
        "(another server? pick another --port)"
    )
