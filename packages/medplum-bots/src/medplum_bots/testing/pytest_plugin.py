"""The pytest plugin of medplum-bots (entry point `pytest11`, active wherever the package is
installed): Medplum for a bot's tests, in memory or, with `--medplum ENV`, the real one.

Fixtures (each test gets its own; `medplum` and `async_medplum` of one test share one server):
- `medplum`: a `MedplumClient`; `async_medplum`: an `AsyncMedplumClient`.
- `medplum_inmemory`: the `InMemoryMedplum` behind them, to inspect (skipped with `--medplum`).
- `medplum_fixtures`: a fixture set (default `simpsons`) loaded into that server (`Fixtures`).
- `medplum_execute`: `medplum_execute(handler, input, **payload)` runs a handler as a deployed
  bot runs (an execution payload through the runtime's adapter) against that server and
  returns the `BotResult` (result, captured logs, outcome).

Marker: `@pytest.mark.medplum_fixtures("simpsons")` loads the set before the test, for tests
(or a module's `pytestmark`) that only take `medplum`.

Option: `--medplum staging` runs the same fixtures against that environment of
medplum.config.json (`--medplum-config PATH`, default: found from the rootdir), logged in with
the credentials `invoke deploy` would use. What a test creates is tagged
(`meta.tag` `https://medplum-bots-template.dev/test-run|<run>-<n>`, display = the test's id)
and deleted after it (see `medplum_bots.testing.live`). See docs/testing.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from medplum_bots.client import AsyncMedplumClient, MedplumClient
    from medplum_bots.runtime.adapter import BotResult, Handler
    from medplum_bots.testing.fixtures import Fixtures
    from medplum_bots.testing.inmemory import InMemoryMedplum
    from medplum_bots.testing.live import LiveMedplum, TestRun

MARKER = "medplum_fixtures"
DEFAULT_FIXTURE_SET = "simpsons"
_LIVE = pytest.StashKey["LiveMedplum | None"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("medplum", "Medplum bots (medplum-bots)")
    group.addoption(
        "--medplum",
        metavar="ENVIRONMENT",
        default=None,
        help="run the medplum fixtures against this environment of medplum.config.json "
        "instead of in memory; data the tests create is tagged and deleted afterwards",
    )
    group.addoption(
        "--medplum-config",
        metavar="PATH",
        default=None,
        help="the medplum.config.json for --medplum (default: found from the rootdir)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name='{DEFAULT_FIXTURE_SET}'): load that fixture set into the test's "
        "Medplum before the test (see medplum_bots.testing.fixtures)",
    )
    environment = config.getoption("medplum", default=None)
    config.stash[_LIVE] = _open_live(config, environment) if environment else None


def _open_live(config: pytest.Config, environment: str) -> LiveMedplum:
    """Resolve and log in now: a bad name, config or credential stops the run in one line."""
    from medplum_bots.config import find_config, load_config
    from medplum_bots.errors import MedplumBotsError, OperationOutcomeError
    from medplum_bots.testing.live import LiveMedplum

    option = config.getoption("medplum_config", default=None)
    try:
        path = Path(option) if option else find_config(config.rootpath)
        live = LiveMedplum.from_config(load_config(path), environment)
        live.log_in()
    except (MedplumBotsError, OperationOutcomeError) as error:
        raise pytest.UsageError(f"--medplum {environment}: {error}") from None
    return live


def pytest_report_header(config: pytest.Config) -> str | None:
    live = config.stash.get(_LIVE, None)
    if live is None:
        return None
    creds = live.credentials
    return (
        f"medplum: environment {creds.environment!r} at {creds.base_url} "
        f"(test data tagged {live.run_id}-<n>, deleted after each test)"
    )


class MedplumUnderTest:
    """The Medplum one test talks to: an `InMemoryMedplum`, or a live environment's `TestRun`."""

    def __init__(self, memory: InMemoryMedplum | None, run: TestRun | None) -> None:
        self.memory = memory
        self.run = run
        self._clients: list[MedplumClient] = []
        self._fixtures: dict[str, Fixtures] = {}

    def client(self) -> MedplumClient:
        client = self.memory.client() if self.memory is not None else self._run().client()
        self._clients.append(client)
        return client

    def async_client(self) -> AsyncMedplumClient:
        if self.memory is not None:
            return self.memory.async_client()
        return self._run().async_client()

    def fixtures(self, name: str) -> Fixtures:
        """The set `name`, loaded once per test."""
        from medplum_bots.testing.fixtures import load_fixtures

        if name not in self._fixtures:
            target = self.memory if self.memory is not None else self.client()
            self._fixtures[name] = load_fixtures(target, name)
        return self._fixtures[name]

    def close(self) -> None:
        for client in self._clients:
            client.close()

    def _run(self) -> TestRun:
        assert self.run is not None
        return self.run


@pytest.fixture
def _medplum_under_test(request: pytest.FixtureRequest) -> Iterator[MedplumUnderTest]:
    live = request.config.stash.get(_LIVE, None)
    if live is None:
        from medplum_bots.testing.inmemory import InMemoryMedplum

        under_test = MedplumUnderTest(InMemoryMedplum(), None)
    else:
        under_test = MedplumUnderTest(None, live.test_run(request.node.nodeid))
    try:
        yield under_test
    finally:
        under_test.close()
        if under_test.run is not None:
            from medplum_bots.testing.live import CleanupError

            try:
                under_test.run.clean_up()
            except CleanupError as error:
                pytest.fail(f"--medplum: {error}", pytrace=False)


def _load_marked(request: pytest.FixtureRequest, under_test: MedplumUnderTest) -> None:
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        under_test.fixtures(marker.args[0] if marker.args else DEFAULT_FIXTURE_SET)


@pytest.fixture
def medplum(request: pytest.FixtureRequest, _medplum_under_test: MedplumUnderTest) -> MedplumClient:
    """A `MedplumClient` of this test's Medplum (in memory unless `--medplum ENV`)."""
    _load_marked(request, _medplum_under_test)
    return _medplum_under_test.client()


@pytest.fixture
def async_medplum(
    request: pytest.FixtureRequest, _medplum_under_test: MedplumUnderTest
) -> AsyncMedplumClient:
    """An `AsyncMedplumClient` of the same Medplum as `medplum` (for `async def` bots)."""
    _load_marked(request, _medplum_under_test)
    return _medplum_under_test.async_client()


@pytest.fixture
def medplum_inmemory(
    request: pytest.FixtureRequest, _medplum_under_test: MedplumUnderTest
) -> InMemoryMedplum:
    """The `InMemoryMedplum` behind `medplum`: inspect what a bot stored, inject failures.

    A test using it is skipped under `--medplum ENV` (there is no memory to inspect)."""
    if _medplum_under_test.memory is None:
        pytest.skip("inspects the in-memory Medplum; not available with --medplum")
    _load_marked(request, _medplum_under_test)
    return _medplum_under_test.memory


@pytest.fixture
def medplum_fixtures(
    request: pytest.FixtureRequest, _medplum_under_test: MedplumUnderTest
) -> Fixtures:
    """The fixture set of the test's marker (default `simpsons`), loaded into its Medplum."""
    marker = request.node.get_closest_marker(MARKER)
    name = marker.args[0] if marker is not None and marker.args else DEFAULT_FIXTURE_SET
    return _medplum_under_test.fixtures(name)


@pytest.fixture
def medplum_execute(
    _medplum_under_test: MedplumUnderTest,
) -> Callable[..., BotResult]:
    """`medplum_execute(handler, input, **payload) -> BotResult`: the handler run as Medplum's
    runtime runs it (`make_payload` + `execute_sync`), against this test's Medplum.

    `payload` takes `make_payload`'s keywords (`content_type`, `secrets`, `headers`, ...)."""
    from medplum_bots.runtime.adapter import execute_sync, make_payload

    under_test = _medplum_under_test

    def run(handler: Handler, input: Any, **payload: Any) -> BotResult:
        if under_test.memory is not None:
            return execute_sync(
                handler, make_payload(input, **payload), transport=under_test.memory
            )
        test_run = under_test._run()
        server = test_run.server
        payload = {
            "base_url": server.credentials.base_url,
            "access_token": server.access_token,
            **payload,
        }
        transport = test_run.transport()
        try:
            return execute_sync(handler, make_payload(input, **payload), transport=transport)
        finally:
            transport.close()

    return run
