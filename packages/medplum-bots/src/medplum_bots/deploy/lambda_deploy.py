"""Route 2: create or update a bot's Python Lambda with boto3 and wait until it can run.

Medplum (self-hosted, `botCustomFunctionsEnabled`) invokes the Lambda named by the Bot's
identifier `plan.EXTERNAL_FUNCTION_ID` instead of its own function; the deployer writes that
identifier in its final Bot patch once `deploy_lambda` returned.

Lambda refuses changes while a previous one is still being applied ("The operation cannot be
performed at this time. An update is in progress": `ResourceConflictException`), which made
Medplum's own deploys fail intermittently. Here every change first waits for the function to
be ready, and a conflict is retried with exponential backoff and jitter. Code is uploaded only
when its SHA-256 differs from the function's `CodeSha256`, configuration only when a field
differs.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from medplum_bots.build.lambda_zip import ARTIFACT_FILE, LambdaZip
from medplum_bots.config import BotEntry, Environment
from medplum_bots.errors import DeployError

HANDLER = "medplum_bots.runtime.lambda_handler.handler"
ARTIFACT_ENV = "MEDPLUM_BOT_ARTIFACT"
BOT_NAME_ENV = "MEDPLUM_BOT_NAME"
# Medplum's own default for a Bot without `timeout` (seconds).
DEFAULT_TIMEOUT = 10
MAX_NAME = 64
_NAME_CHARS = re.compile(r"[^A-Za-z0-9_-]")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_RUNTIME = re.compile(r"^python(3\.\d+)$")
_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "ExpiredToken",
    "ExpiredTokenException",
}
Sleep = Callable[[float], None]


@dataclass(frozen=True)
class FunctionSpec:
    """Everything the deployer sets on one Lambda function."""

    name: str
    region: str
    role_arn: str
    runtime: str
    timeout: int
    memory_size: int
    architecture: str
    description: str
    variables: Mapping[str, str] = field(default_factory=dict)
    handler: str = HANDLER

    @property
    def python_version(self) -> str:
        """`3.12` for runtime `python3.12`: the version pip installs requirements for."""
        match = _RUNTIME.match(self.runtime)
        return match.group(1) if match else ""


@dataclass(frozen=True)
class FunctionDeployment:
    """What a deploy did: `created`, `updated` (code and/or configuration) or `unchanged`."""

    name: str
    arn: str
    action: Literal["created", "updated", "unchanged"]
    code_sha256: str
    code_changed: bool = False
    config_changed: bool = False


@dataclass(frozen=True)
class RetryTiming:
    """Backoff for conflicts (`sleep` is injectable) and readiness polling (seconds)."""

    conflict_attempts: int = 8
    conflict_base: float = 1.0
    conflict_cap: float = 30.0
    # Readiness is polled by boto3's own waiters (function_active, function_updated).
    poll_delay: float = 2.0
    ready_timeout: float = 600.0


def function_name(prefix: str, entry_name: str) -> str:
    """The Lambda name for a config entry: `{prefix}{entry name}`, made valid for Lambda.

    Characters outside `[A-Za-z0-9_-]` become `-`; a name over 64 characters keeps its first
    55 and gets `-` plus 8 hex digits of its SHA-256, so distinct entries stay distinct.
    """
    name = _NAME_CHARS.sub("-", prefix + entry_name)
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[:55]}-{digest}"
    return name


def function_spec(entry: BotEntry, environment: Environment, artifact_name: str) -> FunctionSpec:
    """The function for `entry` in `environment`; a missing role or bad region is a DeployError."""
    runtime = environment.runtime
    where = f"environments.{environment.name}.runtime"
    if runtime.type != "lambda":
        raise DeployError(f"{where}: type is {runtime.type!r}, not 'lambda'")
    if not runtime.role_arn.startswith("arn:"):
        raise DeployError(
            f"{where}: field 'roleArn' must be the ARN of the Lambda execution role "
            f"(got {runtime.role_arn or 'nothing'!r})"
        )
    region = runtime.region or os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise DeployError(f"{where}: no AWS region (set 'region' there or AWS_REGION)")
    if not _REGION.match(region):
        raise DeployError(f"{where}: {region!r} is not an AWS region name (e.g. us-east-1)")
    if not _RUNTIME.match(runtime.lambda_runtime):
        raise DeployError(
            f"{where}: field 'lambdaRuntime' must be a Python runtime such as python3.12, "
            f"got {runtime.lambda_runtime!r}"
        )
    return FunctionSpec(
        name=function_name(runtime.function_prefix, entry.name),
        region=region,
        role_arn=runtime.role_arn,
        runtime=runtime.lambda_runtime,
        timeout=entry.timeout or DEFAULT_TIMEOUT,
        memory_size=runtime.memory_size,
        architecture=runtime.architecture,
        description=(entry.description or f"Medplum bot {entry.name}")[:256],
        variables={ARTIFACT_ENV: ARTIFACT_FILE, BOT_NAME_ENV: artifact_name},
    )


_CLIENTS: dict[str, Any] = {}
_CLIENTS_LOCK = threading.Lock()


def lambda_client(region: str) -> Any:
    """A boto3 Lambda client for `region` with botocore's standard retries (throttling).

    Bots deploy from worker threads. boto3's default session is not thread-safe, so clients
    are made under a lock, each from a session of its own, and shared (clients are
    thread-safe).
    """
    try:
        import boto3.session
        from botocore.config import Config
    except ImportError:
        raise DeployError(
            "the Lambda route needs boto3: install this project with its 'aws' extra"
        ) from None
    with _CLIENTS_LOCK:
        if region not in _CLIENTS:
            try:
                _CLIENTS[region] = boto3.session.Session().client(
                    "lambda", region_name=region, config=Config(retries={"mode": "standard"})
                )
            except Exception as error:
                raise _deploy_error(error, "-", "create the client", region) from None
        return _CLIENTS[region]


def deploy_lambda(
    spec: FunctionSpec,
    package: LambdaZip,
    client: Any,
    *,
    sleep: Sleep = time.sleep,
    timing: RetryTiming | None = None,
) -> FunctionDeployment:
    """Create the function, or update what differs, and wait until it is ready to run."""
    steps = _Steps(spec, client, sleep, timing or RetryTiming())
    try:
        current = steps.current()
        if current is None:
            created = steps.create(package)
            if created is not None:
                steps.wait_ready()
                return FunctionDeployment(
                    spec.name, str(created.get("FunctionArn", "")), "created", package.code_sha256
                )
            # Someone else created it between our read and our create: update it instead.
            current = steps.current()
            if current is None:
                raise DeployError(f"Lambda {spec.name}: vanished while being created")
        return _update(steps, package, current)
    except DeployError:
        raise
    except Exception as error:
        raise _deploy_error(error, spec.name, "deploy", spec.region) from None


def _update(steps: _Steps, package: LambdaZip, current: dict[str, Any]) -> FunctionDeployment:
    """Bring an existing function to `steps.spec` and `package`, changing only what differs."""
    spec = steps.spec
    settled = steps.wait_ready(raise_failed=False)
    # After a failed change nothing it reports can be trusted: apply everything again.
    broken = _failed(current) or _failed(settled)
    current = settled
    wanted = _wanted_configuration(spec, current)
    config_changed = broken or any(current.get(k) != v for k, v in wanted.items())
    if config_changed:
        steps.call("update the configuration", "update_function_configuration", **wanted)
        steps.wait_ready()
    code_changed = (
        broken
        or current.get("CodeSha256") != package.code_sha256
        or list(current.get("Architectures") or ["x86_64"]) != [spec.architecture]
    )
    if code_changed:
        steps.call(
            "upload the code",
            "update_function_code",
            FunctionName=spec.name,
            ZipFile=package.path.read_bytes(),
            Architectures=[spec.architecture],
            Publish=False,
        )
        steps.wait_ready()
    action: Literal["updated", "unchanged"] = (
        "updated" if config_changed or code_changed else "unchanged"
    )
    return FunctionDeployment(
        spec.name,
        str(current.get("FunctionArn", "")),
        action,
        package.code_sha256,
        code_changed=code_changed,
        config_changed=config_changed,
    )


def _wanted_configuration(spec: FunctionSpec, current: Mapping[str, Any]) -> dict[str, Any]:
    # Variables set on the function by someone else (a runtime key, log level...) are kept.
    existing = (current.get("Environment") or {}).get("Variables") or {}
    return {
        "FunctionName": spec.name,
        "Role": spec.role_arn,
        "Runtime": spec.runtime,
        "Handler": spec.handler,
        "Timeout": spec.timeout,
        "MemorySize": spec.memory_size,
        "Description": spec.description,
        "Environment": {"Variables": {**existing, **spec.variables}},
    }


class _Steps:
    """The individual AWS calls of one deploy, each with waiting and conflict retries."""

    def __init__(self, spec: FunctionSpec, client: Any, sleep: Sleep, timing: RetryTiming):
        self.spec = spec
        self.client = client
        self.sleep = sleep
        self.timing = timing

    def current(self) -> dict[str, Any] | None:
        try:
            config: dict[str, Any] = self.client.get_function_configuration(
                FunctionName=self.spec.name
            )
        except Exception as error:
            if _error_code(error) == "ResourceNotFoundException":
                return None
            raise _deploy_error(
                error, self.spec.name, "read the function", self.spec.region
            ) from None
        return config

    def create(self, package: LambdaZip) -> dict[str, Any] | None:
        """Create the function; None when it turned out to exist already."""
        spec = self.spec
        try:
            created: dict[str, Any] = self.call(
                "create the function",
                "create_function",
                FunctionName=spec.name,
                Runtime=spec.runtime,
                Role=spec.role_arn,
                Handler=spec.handler,
                Code={"ZipFile": package.path.read_bytes()},
                Description=spec.description,
                Timeout=spec.timeout,
                MemorySize=spec.memory_size,
                Environment={"Variables": dict(spec.variables)},
                Architectures=[spec.architecture],
                PackageType="Zip",
                Publish=False,
            )
        except _AlreadyExists:
            return None
        return created

    def call(self, what: str, method: str, **kwargs: Any) -> Any:
        """Call `client.<method>`, retrying "update in progress" conflicts with backoff."""
        timing = self.timing
        for attempt in range(timing.conflict_attempts):
            try:
                return getattr(self.client, method)(**kwargs)
            except Exception as error:
                code = _error_code(error)
                message = _error_message(error)
                if method == "create_function" and code == "ResourceConflictException":
                    raise _AlreadyExists() from None
                retryable = code == "ResourceConflictException" or (
                    # A just-created role takes a few seconds to become assumable by Lambda.
                    code == "InvalidParameterValueException" and "assumed" in message
                )
                if not retryable:
                    raise _deploy_error(error, self.spec.name, what, self.spec.region) from None
                if attempt == timing.conflict_attempts - 1:
                    if code != "ResourceConflictException":
                        raise _deploy_error(error, self.spec.name, what, self.spec.region) from None
                    raise DeployError(
                        f"Lambda {self.spec.name}: could not {what} after "
                        f"{timing.conflict_attempts} attempts ({code}: {message})"
                    ) from None
                ceiling = min(timing.conflict_cap, timing.conflict_base * 2**attempt)
                self.sleep(ceiling / 2 + random.uniform(0, ceiling / 2))
        raise AssertionError("unreachable")

    def wait_ready(self, *, raise_failed: bool = True) -> dict[str, Any]:
        """Wait (boto3's waiters) until no creation or update is being applied; returns the
        configuration then.

        A failed creation or update is a DeployError (unless `raise_failed` is False: before
        our own changes, a failure left by an earlier deploy is what this one repairs).
        """
        from botocore.exceptions import WaiterError

        delay = self.timing.poll_delay
        attempts = max(1, int(self.timing.ready_timeout / delay))
        for waiter in ("function_active", "function_updated"):
            try:
                self.client.get_waiter(waiter).wait(
                    FunctionName=self.spec.name,
                    WaiterConfig={"Delay": delay, "MaxAttempts": attempts},
                )
            except WaiterError as error:
                last = error.last_response or {}
                if _error_code_of(last) == "ResourceNotFoundException":
                    raise DeployError(
                        f"Lambda {self.spec.name}: function disappeared while deploying"
                    ) from None
                if _failed(last):
                    if not raise_failed:
                        return dict(last)
                    reason = last.get("LastUpdateStatusReason") or last.get("StateReason")
                    raise DeployError(
                        f"Lambda {self.spec.name}: the last change failed ({reason})"
                    ) from None
                if "Max attempts exceeded" in str(error):
                    raise DeployError(
                        f"Lambda {self.spec.name}: still {last.get('State')}/"
                        f"{last.get('LastUpdateStatus')} after {delay * attempts:.0f} s"
                    ) from None
                raise _deploy_error(
                    error, self.spec.name, "wait for the function", self.spec.region
                ) from None
        config = self.current()
        if config is None:
            raise DeployError(f"Lambda {self.spec.name}: function disappeared while deploying")
        return config


def _failed(config: Mapping[str, Any]) -> bool:
    return config.get("State") == "Failed" or config.get("LastUpdateStatus") == "Failed"


class _AlreadyExists(Exception):
    pass


def _error_code(error: BaseException) -> str:
    return _error_code_of(getattr(error, "response", None))


def _error_code_of(response: Any) -> str:
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def _error_message(error: BaseException) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        message = response.get("Error", {}).get("Message")
        if message:
            return " ".join(str(message).split())
    return " ".join(str(error).split())


def _deploy_error(error: BaseException, name: str, what: str, region: str) -> DeployError:
    """One line naming the function, the step and AWS's reason; never a credential."""
    kind = type(error).__name__
    code = _error_code(error)
    message = _error_message(error)
    if kind == "NoCredentialsError":
        return DeployError(
            "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
            "AWS_PROFILE, or run with a role"
        )
    if kind in ("NoRegionError", "InvalidRegionError"):
        return DeployError(f"AWS region {region!r} is not usable: {message}")
    if kind in ("EndpointConnectionError", "ConnectTimeoutError"):
        return DeployError(
            f"Lambda {name}: cannot reach AWS Lambda in region {region!r} ({message})"
        )
    if code in _DENIED:
        return DeployError(
            f"Lambda {name}: AWS refused to {what} ({code}): {message}; "
            "check the deploy credentials and their lambda:* and iam:PassRole permissions"
        )
    if code == "InvalidParameterValueException" and "role" in message.lower():
        return DeployError(
            f"Lambda {name}: the execution role was rejected ({message}); check 'roleArn' "
            "and that the role trusts lambda.amazonaws.com"
        )
    label = f"{code}: " if code else f"{kind}: "
    return DeployError(f"Lambda {name}: could not {what} ({label}{message})")
