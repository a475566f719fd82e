"""`invoke dev`: save a file, and the bots it changes are rebuilt, tested and running.

One round per batch of saves under `src/` (watched with `watchfiles`, 50 ms debounce):

1. build the selected bots (`build_all`); the bots whose artifact changed are the round's
   (a shared module reaches every bot importing it, an unimported one none); the first round
   takes every selected bot, and `deploy` skips those the server already runs;
2. run their tests: one pytest process (started one round ahead: `WarmPytest`), `-k` on the
   bots' module names (a bot whose tests fail is not deployed; a bot without tests passes);
3. deploy those that passed (`orchestrate.deploy`, the whole ordinary run) or, with
   environment `local`, run each once on the input file against an in-memory Medplum
   through the same adapter as the runtime (`invoke run`'s path): no server at all.

Executions of the deployed bots stream through `LogStream` (`follow`) while the loop runs.

Stopping (`stop` set, or Ctrl-C in the task) never leaves a half deploy: a deploy in flight
finishes (it runs on the loop's thread, which SIGINT does not interrupt), a round not yet
deploying stops before it starts; `DevSession.deployed` says what was deployed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from medplum_bots.build.bundle import build_all
from medplum_bots.config import BotEntry, ProjectConfig, load_config
from medplum_bots.deploy.environment import NOT_CHECKED
from medplum_bots.deploy.options import Connections, DeployOptions
from medplum_bots.deploy.report import CREATED, DEPLOYED, DeployReport
from medplum_bots.errors import MedplumBotsError, OperationOutcomeError

LOCAL = "local"
DEBOUNCE_MS = 50
# pytest's exit code when `-k` selected no test: the bot has none, which is not a failure.
NO_TESTS = 5

Say = Callable[[str], None]


@dataclass(frozen=True)
class Tested:
    """Which of a round's bots passed their tests."""

    passed: tuple[str, ...]  # entry names
    failed: tuple[str, ...]
    seconds: float


# A pytest process started ahead of the save: pytest and its plugins imported (about half a
# second of a test run, bench/bench_dev.py), nothing of the project's code. It reads its
# arguments from stdin when the round needs it, runs once and exits.
_WARM_PYTEST = """
import importlib.metadata, json, sys
import pytest
for point in importlib.metadata.entry_points(group="pytest11"):
    try:
        point.load()
    except Exception:
        pass
line = sys.stdin.readline()
sys.exit(pytest.main(json.loads(line)) if line else 0)
"""


class WarmPytest:
    """`pytest` processes started one run ahead, in the project's root."""

    def __init__(self, root: Path, python: str = sys.executable) -> None:
        self.root = root
        self.python = python
        self._next: subprocess.Popen[str] | None = None

    def _start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [self.python, "-c", _WARM_PYTEST],
            cwd=self.root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def prepare(self) -> None:
        """Start the process the next `run` uses (if none is waiting)."""
        if self._next is None or self._next.poll() is not None:
            self._next = self._start()

    def run(self, arguments: Sequence[str]) -> int:
        """Run pytest with `arguments` in the waiting process; start the next one."""
        self.prepare()
        process, self._next = self._next, None
        assert process is not None
        process.communicate(json.dumps(list(arguments)) + "\n")
        self.prepare()
        return process.returncode

    def close(self) -> None:
        if self._next is not None:
            self._next.communicate("")  # an empty line: it exits without running
            self._next = None


def run_tests(root: Path, entries: Sequence[BotEntry], pytest: WarmPytest | None = None) -> Tested:
    """One pytest run over the entries' modules (`-k a or b`); failures are mapped back to the
    bots whose module name the failing test's id contains (what `-k` selected it by)."""
    started = time.perf_counter()
    modules = sorted({entry.module_name for entry in entries})
    runner = pytest or WarmPytest(root)
    with tempfile.TemporaryDirectory(prefix="medplum-dev-") as scratch:
        report = Path(scratch) / "junit.xml"
        arguments = ["-q", "-p", "no:cacheprovider", "-k", " or ".join(modules)]
        code = runner.run([*arguments, "--junitxml", str(report)])
        if pytest is None:
            runner.close()
        failing = _failing_tests(report) if report.exists() else []
    if code not in (0, NO_TESTS) and not failing:
        failing = ["<collection>"]  # e.g. a syntax error in a test file: nothing passes
    bad = {
        entry.name
        for entry in entries
        if any(entry.module_name in test or test == "<collection>" for test in failing)
    }
    return Tested(
        passed=tuple(e.name for e in entries if e.name not in bad),
        failed=tuple(e.name for e in entries if e.name in bad),
        seconds=time.perf_counter() - started,
    )


def _failing_tests(report: Path) -> list[str]:
    tree = ElementTree.parse(report)
    return [
        f"{case.get('classname', '')}.{case.get('name', '')}"
        for case in tree.iter("testcase")
        if case.find("failure") is not None or case.find("error") is not None
    ]


@dataclass
class DevSession:
    """What one `invoke dev` did: deploys by entry name (latest version), rounds run."""

    deployed: dict[str, str] = field(default_factory=dict)
    rounds: int = 0

    def summary(self) -> str:
        if not self.deployed:
            return "nothing was deployed"
        return "deployed: " + ", ".join(f"{n} ({v})" for n, v in sorted(self.deployed.items()))


@dataclass
class DevLoop:
    """The loop over one project; `run(stop)` until `stop` is set."""

    config_path: Path
    patterns: Sequence[str]
    environment: str
    say: Say
    connections: Connections = field(default_factory=Connections)
    tests: bool = True
    input_path: Path | None = None  # environment local: what each bot runs on
    on_deployed: Callable[[list[BotEntry]], None] | None = None
    session: DevSession = field(default_factory=DevSession)
    # Set once the first round (every selected bot) is done and the watcher is starting.
    ready: threading.Event = field(default_factory=threading.Event)
    _checked_runtime: bool = False
    _pytest: WarmPytest | None = None

    def selected(self, config: ProjectConfig) -> list[BotEntry]:
        chosen = config.select(self.patterns or ["*"])
        if self.environment == LOCAL:
            # One entry per artifact: the bot runs once, whichever environment it is for.
            unique: dict[str, BotEntry] = {}
            for entry in chosen:
                unique.setdefault(entry.dist, entry)
            return list(unique.values())
        return [e for e in chosen if e.environment == self.environment]

    def run(self, stop: threading.Event) -> DevSession:
        """The first round (every selected bot), then one round per batch of saves."""
        from watchfiles import PythonFilter, watch

        if self.tests:
            self._pytest = WarmPytest(self.config_path.parent)
        try:
            self.round(stop, first=True)
            self.ready.set()
            src = self.config_path.parent / "src"
            for _changes in watch(
                src,
                watch_filter=PythonFilter(),
                debounce=DEBOUNCE_MS,
                step=10,
                stop_event=stop,
                raise_interrupt=False,
            ):
                if stop.is_set():
                    break
                self.round(stop)
        finally:
            if self._pytest is not None:
                self._pytest.close()
        return self.session

    def round(self, stop: threading.Event, *, first: bool = False) -> None:
        """Build, test, deploy (or run locally) the bots this change reaches."""
        self.session.rounds += 1
        try:
            config = load_config(self.config_path)
            selected = self.selected(config)
            if not selected:
                raise MedplumBotsError(
                    f"no entry of environment {self.environment!r} matches "
                    f"{', '.join(self.patterns or ['*'])}"
                )
            names = [entry.name for entry in selected]
            built = build_all(config, names)
        except (MedplumBotsError, OperationOutcomeError) as error:
            self.say(f"error: {error}")
            return
        written = {a.path.resolve() for a in built if a.written}
        changed = [e for e in selected if first or (config.root / e.dist).resolve() in written]
        if not changed:
            self.say("no bot changed")
            return
        self.say(f"changed: {', '.join(e.name for e in changed)}")
        passed = changed
        if self.tests:
            outcome = run_tests(config.root, changed, self._pytest)
            for name in outcome.failed:
                self.say(f"tests failed for {name}: not deployed (run `invoke test` to see why)")
            passed = [e for e in changed if e.name in outcome.passed]
            self.say(f"tests: {len(passed)} of {len(changed)} passed in {outcome.seconds:.2f}s")
        if not passed or stop.is_set():
            return  # stopping: a deploy not started is not started
        if self.environment == LOCAL:
            self._run_locally(config, passed)
        else:
            self._deploy(config, passed)

    def _deploy(self, config: ProjectConfig, entries: list[BotEntry]) -> None:
        from medplum_bots.deploy.orchestrate import deploy

        options = DeployOptions(
            runtime_check=not self._checked_runtime, create=False, jobs=len(entries)
        )
        try:
            report: DeployReport = deploy(
                config, [e.name for e in entries], options, self.connections
            )
        except (MedplumBotsError, OperationOutcomeError) as error:
            self.say(f"error: {error}")
            return
        self._checked_runtime = True
        done = []
        for outcome in report.outcomes:
            line = f"{outcome.bot}: {outcome.result}"
            if outcome.detail and outcome.detail != NOT_CHECKED:  # checked by the first round
                line += f" ({outcome.detail})"
            self.say(line)
            if outcome.result in (DEPLOYED, CREATED):
                self.session.deployed[outcome.bot] = outcome.version
                done.append(outcome.bot)
        if self.on_deployed is not None:
            self.on_deployed([e for e in entries if e.name in done])

    def _run_locally(self, config: ProjectConfig, entries: list[BotEntry]) -> None:
        from medplum_bots.build.loader import forget_artifacts
        from medplum_bots.errors import outcome_text
        from medplum_bots.runtime.local_run import run_local

        if self.input_path is None:
            self.say("built and tested (give --input FILE to run the bots locally)")
            return
        text = self.input_path.read_text(encoding="utf-8")
        for entry in entries:
            forget_artifacts()  # the new version of a module replaces the old one
            try:
                local = run_local(config, entry.name, text, input_name=self.input_path.name)
            except MedplumBotsError as error:
                self.say(f"{entry.name}: error: {error}")
                continue
            for line in local.result.logs:
                self.say(f"{entry.name} | {line}")
            if local.result.ok:
                self.say(f"{entry.name}: ok -> {local.result.result!r}")
                self.session.deployed[entry.name] = "local"
            else:
                self.say(f"{entry.name}: failed: {outcome_text(local.result.outcome)}")


class LogStream:
    """Streams the executions of the bots deployed so far (`follow`) on its own thread."""

    def __init__(self, config_path: Path, printer: Callable[..., None], connections: Connections):
        self.config_path = config_path
        self.printer = printer
        self.connections = connections
        self.names: set[str] = set()
        self._stop: threading.Event | None = None
        self._thread: threading.Thread | None = None

    def add(self, entries: list[BotEntry]) -> None:
        """Follow `entries` too (restarts the tails; events already shown stay shown)."""
        from medplum_bots.deploy.follow import follow, open_tails

        if not entries or {e.name for e in entries} <= self.names:
            return
        self.names |= {e.name for e in entries}
        self.close()
        config = load_config(self.config_path)
        environ = dict(self.connections.environ) if self.connections.environ is not None else None
        tails = open_tails(
            config,
            [config.entry(name) for name in sorted(self.names)],
            environ=environ,
            timeout=self.connections.timeout,
        )
        for tail in tails:
            tail.recent(1)  # start after what already happened
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=follow,
            args=(tails, self.printer, self._stop),
            kwargs={"min_delay": 0.25, "max_delay": 2.0},
            daemon=True,
        )
        self._thread.start()

    def close(self) -> None:
        if self._stop is not None and self._thread is not None:
            self._stop.set()
            self._thread.join(10)
