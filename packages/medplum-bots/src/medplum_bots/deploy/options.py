"""What a deploy run was asked to do (`DeployOptions`) and how it reaches servers
(`Connections`): the two inputs every part of the run reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from medplum_bots.build.bundle import Artifact
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import BotEntry, Environment
from medplum_bots.errors import DeployError

# Route lambda's deploy step: make or update the entry's function, return its name.
LambdaDeployer = Callable[[BotEntry, Environment, Artifact], str]


@dataclass(frozen=True)
class DeployOptions:
    """What `invoke deploy` was asked to do."""

    # 32 bots in flight: with pools of at most 16 connections (deploy/pools.py) more bots in
    # flight keep paying off up to 50 (bench/bench_deploy.py); 32 keeps at most ~100 requests
    # in flight from one IP, and a deploy's total (3 per bot) is what Medplum's per-minute
    # limits count, whatever --jobs is (packages/medplum-bots/docs/deploy-transport.md).
    jobs: int = 32
    force: bool = False
    dry_run: bool = False
    create: bool = False
    build: bool = True
    # Ask each route-http runtime what it offers before deploying (see `runtime_check`).
    runtime_check: bool = True

    def __post_init__(self) -> None:
        if self.jobs < 1:
            raise DeployError(f"--jobs must be at least 1, got {self.jobs}")


@dataclass(frozen=True)
class Connections:
    """How a run reaches servers; tests and benchmarks inject their own pieces.

    `environ` replaces the process environment for credentials; `lambda_deployer` replaces
    `lambda_route.deploy_function` (it runs in a worker thread).
    """

    environ: Mapping[str, str] | None = None
    retry: RetryPolicy | None = None
    transport: httpx.AsyncBaseTransport | None = None
    timeout: float = 30.0
    lambda_deployer: LambdaDeployer | None = None
    runtime_transport: httpx.AsyncBaseTransport | None = None  # for the capabilities check
