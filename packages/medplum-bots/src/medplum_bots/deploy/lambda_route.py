"""Route 2: a Python Lambda per bot, registered as the Bot's Medplum external function.

For environments whose `runtime.type` is `lambda` the deployer calls `deploy_function`, which
builds the zip (`lambda_zip`), creates or updates the function (`lambda_deploy`) and returns
its name; the deployer then stores that name in the Bot's identifier
`plan.EXTERNAL_FUNCTION_ID`, and Medplum invokes the function instead of its own. In the
Lambda, `handler` (`lambda_handler`) runs the bot.

This module keeps those names in one place; it imports boto3 only when deploying, so the
Lambda's cold start does not pay for it.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from medplum_bots.build.lambda_zip import LambdaZip, build_zip
from medplum_bots.config import BotEntry, Environment
from medplum_bots.deploy import lambda_deploy
from medplum_bots.deploy.lambda_deploy import (
    HANDLER,
    FunctionDeployment,
    RetryTiming,
    Sleep,
    deploy_lambda,
    function_name,
    function_spec,
)
from medplum_bots.runtime.lambda_handler import BotFailed, handler, is_function_url_event

__all__ = [
    "HANDLER",
    "BotFailed",
    "FunctionDeployment",
    "LambdaZip",
    "build_zip",
    "deploy",
    "deploy_function",
    "function_name",
    "handler",
    "is_function_url_event",
]


class ArtifactLike(Protocol):
    """What the Lambda route needs of a bundled bot (`bundle.Artifact` has it)."""

    @property
    def path(self) -> Path: ...

    @property
    def name(self) -> str: ...

    @property
    def requirements(self) -> Sequence[str]: ...


def deploy(
    entry: BotEntry,
    environment: Environment,
    artifact: ArtifactLike,
    *,
    lambda_client: Any | None = None,
    requirements_dir: Path | None = None,
    cache_dir: Path | None = None,
    out_dir: Path | None = None,
    sleep: Sleep = time.sleep,
    timing: RetryTiming | None = None,
) -> FunctionDeployment:
    """Build `artifact`'s Lambda zip and create or update `entry`'s function; see module doc.

    The zip is written to `out_dir` (default: `lambda/` beside the artifact) as
    `<function name>.zip`. `lambda_client` defaults to a boto3 client for the environment's
    region; `requirements_dir` replaces the pip step with an already installed directory.
    """
    spec = function_spec(entry, environment, artifact.name)
    package = build_zip(
        artifact.path,
        (out_dir or artifact.path.parent / "lambda") / f"{spec.name}.zip",
        requirements=tuple(artifact.requirements),
        architecture=spec.architecture,
        python_version=spec.python_version,
        requirements_dir=requirements_dir,
        cache_dir=cache_dir,
    )
    if lambda_client is None:
        lambda_client = lambda_deploy.lambda_client(spec.region)
    return deploy_lambda(spec, package, lambda_client, sleep=sleep, timing=timing)


def deploy_function(
    entry: BotEntry,
    environment: Environment,
    artifact: ArtifactLike,
    *,
    lambda_client: Any | None = None,
    requirements_dir: Path | None = None,
    cache_dir: Path | None = None,
    sleep: Sleep = time.sleep,
) -> str:
    """`deploy` for the deployer: returns the function name to put in the Bot's identifier."""
    return deploy(
        entry,
        environment,
        artifact,
        lambda_client=lambda_client,
        requirements_dir=requirements_dir,
        cache_dir=cache_dir,
        sleep=sleep,
    ).name
