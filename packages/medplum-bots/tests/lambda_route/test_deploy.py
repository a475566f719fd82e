"""Creating and updating a bot's Lambda with boto3, against moto's Lambda and IAM."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import boto3
import pytest

from medplum_bots.config import BotEntry, Environment, RuntimeSpec, parse_config
from medplum_bots.deploy.lambda_deploy import (
    ARTIFACT_ENV,
    BOT_NAME_ENV,
    HANDLER,
    RetryTiming,
    function_name,
)
from medplum_bots.deploy.lambda_route import deploy, deploy_function
from medplum_bots.errors import DeployError
from tests.lambda_route.conftest import FAKE_SECRET_KEY

BOT = "def handler(medplum, event):\n    return {'hello': event.input}\n"


@dataclass(frozen=True)
class BuiltBot:
    """The fields of a bundled artifact the Lambda route reads."""

    path: Path
    name: str
    requirements: tuple[str, ...] = ()


class Recorder:
    """A real boto3 Lambda client that records calls and can fail or stall some of them.

    `failures[method]` holds exceptions raised (one per call) before the real call runs;
    `in_progress` makes that many reads report `LastUpdateStatus: InProgress`, then
    `failed_reads` that many report `Failed`. Reads are seen through botocore's
    `after-call` event, so they are seen (and changed) whoever makes them: the deployer or
    boto3's waiters.
    """

    def __init__(self, client: Any) -> None:
        self.client = client
        self.calls: list[str] = []
        self.statuses: list[str] = []
        self.failures: dict[str, list[Exception]] = {}
        self.in_progress = 0
        self.failed_reads = 0
        client.meta.events.register("after-call.lambda.GetFunctionConfiguration", self._after_read)

    def _after_read(self, parsed: dict[str, Any], **kwargs: Any) -> None:
        if self.in_progress:
            self.in_progress -= 1
            parsed["LastUpdateStatus"] = "InProgress"
        elif self.failed_reads:
            self.failed_reads -= 1
            parsed["LastUpdateStatus"] = "Failed"
            parsed["LastUpdateStatusReason"] = "Lambda was unable to configure your variables"
        self.calls.append("get_function_configuration")
        self.statuses.append(str(parsed.get("LastUpdateStatus")))

    def __getattr__(self, method: str) -> Callable[..., Any]:
        real: Callable[..., Any] = getattr(self.client, method)
        if method == "get_waiter":
            return real

        def call(**kwargs: Any) -> Any:
            if method != "get_function_configuration":  # _after_read records reads
                self.calls.append(method)
            pending = self.failures.get(method)
            if pending:
                raise pending.pop(0)
            return real(**kwargs)

        return call

    def error(self, code: str, message: str, operation: str) -> Exception:
        """The exception boto3 raises for AWS error `code` (its modeled class when it has one)."""
        from botocore.exceptions import ClientError

        modeled = getattr(self.client.exceptions, code, ClientError)
        error: Exception = modeled({"Error": {"Code": code, "Message": message}}, operation)
        return error

    @property
    def mutations(self) -> list[str]:
        return [c for c in self.calls if c.startswith(("create_", "update_"))]


@dataclass
class Sleeps:
    delays: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def _environment(role: str, **runtime: Any) -> Environment:
    spec = RuntimeSpec(type="lambda", region="us-east-1", role_arn=role)
    return Environment(
        name="staging",
        base_url="https://medplum.example.com/",
        runtime=replace(spec, **runtime),
    )


def _entry(**fields: Any) -> BotEntry:
    values: dict[str, Any] = {
        "name": "hello-staging",
        "id": "",
        "source": "src/bots/hello.py",
        "dist": "dist/bots/hello.py",
        "environment": "staging",
        "description": "Says hello",
        "timeout": 15,
    }
    values.update(fields)
    return BotEntry(**values)


@pytest.fixture
def bot(tmp_path: Path) -> BuiltBot:
    path = tmp_path / "dist" / "bots" / "hello.py"
    path.parent.mkdir(parents=True)
    path.write_text(BOT)
    return BuiltBot(path, "hello")


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    # moto never runs the code, so a token dependency stands for the runtime's packages.
    (tmp_path / "layer" / "dep").mkdir(parents=True)
    (tmp_path / "layer" / "dep" / "__init__.py").write_text("")
    return tmp_path / "layer"


@pytest.fixture
def lam(aws: str) -> Recorder:
    return Recorder(boto3.client("lambda", region_name="us-east-1"))


def test_first_deploy_creates_the_function_as_configured(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path, tmp_path: Path
) -> None:
    config = parse_config(
        {
            "bots": [
                {
                    "name": "hello-staging",
                    "source": "src/bots/hello.py",
                    "dist": "dist/bots/hello.py",
                    "timeout": 42,
                }
            ],
            "environments": {
                "staging": {
                    "baseUrl": "https://medplum.example.com",
                    "runtime": {
                        "type": "lambda",
                        "region": "us-east-1",
                        "roleArn": aws,
                        "memorySize": 512,
                        "architecture": "arm64",
                    },
                }
            },
        },
        tmp_path / "medplum.config.json",
    )
    entry = config.entry("hello-staging")
    name = deploy_function(
        entry, config.environment("staging"), bot, lambda_client=lam, requirements_dir=layer
    )
    assert name == "medplum-bot-py-hello-staging"
    current = lam.client.get_function_configuration(FunctionName=name)
    assert current["Runtime"] == "python3.12"
    assert current["Handler"] == HANDLER == "medplum_bots.runtime.lambda_handler.handler"
    assert current["Timeout"] == 42
    assert current["MemorySize"] == 512
    assert current["Architectures"] == ["arm64"]
    assert current["Role"] == aws
    assert current["Environment"]["Variables"] == {ARTIFACT_ENV: "bot.py", BOT_NAME_ENV: "hello"}
    package = tmp_path / "dist" / "bots" / "lambda" / f"{name}.zip"
    assert package.is_file()
    again = deploy(
        entry, config.environment("staging"), bot, lambda_client=lam, requirements_dir=layer
    )
    assert (again.action, again.code_sha256) == ("unchanged", current["CodeSha256"])
    assert lam.mutations == ["create_function"]


def test_unchanged_bot_is_not_uploaded_again(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    first = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert first.action == "created"
    assert first.arn.endswith(":function:medplum-bot-py-hello-staging")
    lam.calls.clear()
    again = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert (again.action, again.code_changed, again.config_changed) == ("unchanged", False, False)
    assert lam.mutations == []


def test_changed_code_is_uploaded_and_configuration_left_alone(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    first = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    bot.path.write_text(BOT.replace("hello", "bonjour"))
    lam.calls.clear()
    second = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert (second.action, second.code_changed, second.config_changed) == ("updated", True, False)
    assert second.code_sha256 != first.code_sha256
    assert lam.mutations == ["update_function_code"]
    current = lam.client.get_function_configuration(FunctionName=second.name)
    assert current["CodeSha256"] == second.code_sha256


def test_changed_settings_update_the_configuration_and_keep_foreign_variables(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    created = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    # An operator added the route-1 key by hand; a deploy must not wipe it.
    lam.client.update_function_configuration(
        FunctionName=created.name,
        Environment={"Variables": {ARTIFACT_ENV: "old.py", "MEDPLUM_BOTS_RUNTIME_KEY": "k" * 40}},
    )
    lam.calls.clear()
    updated = deploy(
        _entry(timeout=300, description="Says hello, slowly"),
        _environment(aws, memory_size=1024),
        bot,
        lambda_client=lam,
        requirements_dir=layer,
    )
    assert (updated.action, updated.code_changed, updated.config_changed) == (
        "updated",
        False,
        True,
    )
    assert lam.mutations == ["update_function_configuration"]
    current = lam.client.get_function_configuration(FunctionName=created.name)
    assert (current["Timeout"], current["MemorySize"]) == (300, 1024)
    assert current["Description"] == "Says hello, slowly"
    assert current["Environment"]["Variables"] == {
        ARTIFACT_ENV: "bot.py",
        BOT_NAME_ENV: "hello",
        "MEDPLUM_BOTS_RUNTIME_KEY": "k" * 40,
    }


def test_update_in_progress_conflicts_are_retried_with_growing_backoff(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    bot.path.write_text(BOT.replace("hello", "hola"))
    busy = "The operation cannot be performed at this time. An update is in progress for resource"
    lam.failures["update_function_code"] = [
        lam.error("ResourceConflictException", busy, "UpdateFunctionCode") for _ in range(3)
    ]
    lam.calls.clear()
    sleeps = Sleeps()
    result = deploy(
        _entry(),
        _environment(aws),
        bot,
        lambda_client=lam,
        requirements_dir=layer,
        sleep=sleeps,
    )
    assert result.code_changed
    assert lam.mutations == ["update_function_code"] * 4
    assert len(sleeps.delays) == 3
    # Equal jitter: attempt n waits between half and all of min(cap, base * 2**n).
    for attempt, delay in enumerate(sleeps.delays):
        assert 2**attempt / 2 <= delay <= 2**attempt
    current = lam.client.get_function_configuration(FunctionName=result.name)
    assert current["CodeSha256"] == result.code_sha256


def test_endless_conflicts_give_up_with_one_line(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    lam.failures["update_function_configuration"] = [
        lam.error("ResourceConflictException", "An update is in progress", "Update")
        for _ in range(10)
    ]
    sleeps = Sleeps()
    with pytest.raises(DeployError) as failure:
        deploy(
            _entry(timeout=60),
            _environment(aws),
            bot,
            lambda_client=lam,
            requirements_dir=layer,
            sleep=sleeps,
            timing=RetryTiming(conflict_attempts=4),
        )
    message = str(failure.value)
    assert message.startswith("Lambda medplum-bot-py-hello-staging: could not update the config")
    assert "after 4 attempts" in message and "update is in progress" in message
    assert "\n" not in message
    assert len(sleeps.delays) == 3


def test_deploy_waits_while_an_update_is_being_applied(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    bot.path.write_text(BOT.replace("hello", "ciao"))
    lam.calls.clear()
    lam.statuses.clear()
    lam.in_progress = 4  # the first read, then the waiters' polls, see an update being applied
    result = deploy(
        _entry(),
        _environment(aws),
        bot,
        lambda_client=lam,
        requirements_dir=layer,
        timing=RetryTiming(poll_delay=0.01),
    )
    assert result.code_changed
    assert lam.in_progress == 0
    # No change may start before the function reported it was ready.
    first_change = lam.calls.index("update_function_code")
    reads = lam.calls[:first_change].count("get_function_configuration")
    assert lam.statuses[:reads].count("InProgress") == 4
    assert lam.statuses[reads - 1] == "Successful"


def test_a_failed_update_is_reported_and_repaired_by_the_next_deploy(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    created = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    lam.failed_reads = 100
    lam.calls.clear()
    with pytest.raises(DeployError, match=r"the last change failed \(Lambda was unable to config"):
        deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert lam.mutations == ["update_function_configuration"]

    # Only the state left behind is failed now: nothing differs, yet everything is applied again.
    lam.failed_reads = 1
    lam.calls.clear()
    repaired = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert (repaired.name, repaired.code_changed, repaired.config_changed) == (
        created.name,
        True,
        True,
    )
    assert lam.mutations == ["update_function_configuration", "update_function_code"]


def test_create_race_falls_back_to_update(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    created = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    bot.path.write_text(BOT.replace("hello", "hallo"))
    real = lam.client.get_function_configuration
    reads = iter([False])

    def first_read_misses(**kwargs: Any) -> Any:
        if next(reads, True) is False:
            raise lam.error("ResourceNotFoundException", "Function not found", "Get")
        return real(**kwargs)

    lam.client.get_function_configuration = first_read_misses
    result = deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert result.name == created.name and result.code_changed
    assert "create_function" in lam.mutations and lam.mutations[-1] == "update_function_code"


def test_aws_refusals_are_one_line_without_credentials(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    lam.failures["get_function_configuration"] = [
        lam.error(
            "AccessDeniedException",
            "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
            "lambda:GetFunctionConfiguration",
            "GetFunctionConfiguration",
        )
    ]
    with pytest.raises(DeployError) as failure:
        deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    message = str(failure.value)
    assert "AWS refused to read the function (AccessDeniedException)" in message
    assert "iam:PassRole" in message
    assert FAKE_SECRET_KEY not in message and "AKIAFAKE" not in message
    assert "\n" not in message


def test_a_role_lambda_cannot_assume_is_named(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path
) -> None:
    missing = aws.replace("medplum-bots-lambda", "no-such-role")
    with pytest.raises(DeployError) as failure:
        deploy(
            _entry(),
            _environment(missing),
            bot,
            lambda_client=lam,
            requirements_dir=layer,
            sleep=Sleeps(),
            timing=RetryTiming(conflict_attempts=2),
        )
    message = str(failure.value)
    assert "execution role was rejected" in message and "lambda.amazonaws.com" in message
    assert lam.mutations == ["create_function"] * 2


@pytest.mark.parametrize(
    ("runtime", "expected"),
    [
        ({"role_arn": ""}, "field 'roleArn' must be the ARN of the Lambda execution role"),
        ({"region": "Frankfurt"}, "'Frankfurt' is not an AWS region name"),
        ({"type": "http"}, "type is 'http', not 'lambda'"),
        ({"lambda_runtime": "nodejs22.x"}, "must be a Python runtime such as python3.12"),
    ],
)
def test_bad_runtime_settings_fail_before_any_aws_call(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path, runtime: dict[str, Any], expected: str
) -> None:
    with pytest.raises(DeployError, match=expected) as failure:
        deploy(_entry(), _environment(aws, **runtime), bot, lambda_client=lam)
    assert str(failure.value).startswith("environments.staging.runtime: ")
    assert lam.calls == []


def test_region_falls_back_to_the_aws_environment(
    aws: str, bot: BuiltBot, layer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    result = deploy(_entry(), _environment(aws, region=""), bot, requirements_dir=layer)
    assert ":eu-west-1:" in result.arn
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    with pytest.raises(DeployError, match="no AWS region"):
        deploy(_entry(), _environment(aws, region=""), bot, requirements_dir=layer)


def test_function_names_are_valid_readable_and_distinct() -> None:
    assert function_name("medplum-bot-py-", "intake-router-staging") == (
        "medplum-bot-py-intake-router-staging"
    )
    assert function_name("acme.", "sync bot/v2") == "acme-sync-bot-v2"
    long_a = function_name("medplum-bot-py-", "a" * 60 + "-staging")
    long_b = function_name("medplum-bot-py-", "a" * 60 + "-production")
    assert len(long_a) == len(long_b) == 64
    assert long_a != long_b and long_a.startswith("medplum-bot-py-aaaa")


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (
            "NoCredentialsError",
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "AWS_PROFILE, or run with a role",
        ),
        (
            "EndpointConnectionError",
            "Lambda medplum-bot-py-hello-staging: cannot reach AWS Lambda in region 'us-east-1' "
            '(Could not connect to the endpoint URL: "https://lambda.us-east-1.amazonaws.com/")',
        ),
    ],
)
def test_client_side_failures_are_explained(
    aws: str, lam: Recorder, bot: BuiltBot, layer: Path, failure: str, expected: str
) -> None:
    from botocore import exceptions

    error: Exception = getattr(exceptions, failure)(
        endpoint_url="https://lambda.us-east-1.amazonaws.com/"
    )
    lam.failures["get_function_configuration"] = [error]
    with pytest.raises(DeployError) as raised:
        deploy(_entry(), _environment(aws), bot, lambda_client=lam, requirements_dir=layer)
    assert str(raised.value) == expected


def test_clients_made_from_worker_threads_share_no_default_session(aws: str) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from medplum_bots.deploy import lambda_deploy

    lambda_deploy._CLIENTS.clear()
    boto3.DEFAULT_SESSION = None
    with ThreadPoolExecutor(8) as pool:
        clients = list(pool.map(lambda _: lambda_deploy.lambda_client("eu-west-1"), range(16)))
    assert len({id(c) for c in clients}) == 1
    assert clients[0].meta.region_name == "eu-west-1"
    # boto3's default session (not thread-safe) was never touched.
    assert boto3.DEFAULT_SESSION is None
    lambda_deploy._CLIENTS.clear()
