"""Tasks for the HTTP runtime that runs the bots: serve, runtime-zip, deploy-key."""

from __future__ import annotations

from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import task

from medplum_bots.tasks.guard import guard


@task(
    help={
        "host": "Interface to listen on (default 127.0.0.1; 0.0.0.0 exposes it to your network).",
        "port": "TCP port (default 8000).",
    }
)
def serve(c: Context, host: str = "127.0.0.1", port: str = "8000") -> None:
    """Serve the HTTP runtime locally: runs the signed artifact each execution carries.

    Leave it running across deploys: each deploy's code arrives with its executions. Needs
    MEDPLUM_BOTS_RUNTIME_KEY and MEDPLUM_BOTS_TRUSTED_KEYS (environment or .env); see
    docs/running-python-bots.md "HTTP runtime".
    """
    from medplum_bots.arguments import whole_number
    from medplum_bots.config import load_config
    from medplum_bots.runtime.http_app import serve as serve_runtime

    try:
        import uvicorn  # noqa: F401
    except ImportError:
        raise Exit("error: uvicorn is not installed: pip install -e '.[http]'", code=1) from None
    number = guard(lambda: whole_number("--port", port, 1, 65535))
    guard(lambda: serve_runtime(load_config(), host, number))


@task(
    help={
        "out": "Where to write the zip (default dist/runtime-lambda.zip).",
        "architecture": "The function's architecture: x86_64 (default) or arm64.",
        "python_version": "The function's Python version (default: the project's, from "
        ".python-version or requires-python; the function's runtime must match).",
        "requirements_dir": "Use this directory of already installed packages as is instead "
        "of running pip (offline builds; it must hold httpx and every bot's requirements).",
    }
)
def runtime_zip(
    c: Context,
    out: str = "",
    architecture: str = "x86_64",
    python_version: str = "",
    requirements_dir: str = "",
) -> None:
    """Package the HTTP runtime, with every package the bots need, as one AWS Lambda zip.

    See docs/running-python-bots.md "As an AWS Lambda behind a function URL".
    """
    import sys
    from pathlib import Path

    from medplum_bots.build.bundle import build_all
    from medplum_bots.build.lambda_zip import build_runtime_zip
    from medplum_bots.build.python_version import zip_python
    from medplum_bots.config import load_config

    config = guard(load_config)
    version, warning = guard(lambda: zip_python(config.root, python_version))
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    artifacts = guard(lambda: build_all(config))
    package = guard(
        lambda: build_runtime_zip(
            config.root,
            Path(out) if out else config.root / "dist" / "runtime-lambda.zip",
            architecture=architecture,
            python_version=version,
            requirements_dir=Path(requirements_dir) if requirements_dir else None,
        )
    )
    print(f"{package.path} ({package.size:,} bytes, CodeSha256 {package.code_sha256})")
    print(f"bots: {', '.join(sorted(a.name for a in artifacts))}")
    print(f"built for Python {version}: the function's runtime must be python{version}")


@task(
    help={
        "environment": "The environment of medplum.config.json the key pair is for, e.g. staging.",
    }
)
def deploy_key(c: Context, environment: str) -> None:
    """Make a deploy key pair for an environment and print where each half goes.

    `invoke deploy` signs every bot it deploys with the private half; the environment's HTTP
    runtime runs only code signed by a key it trusts (the public half).
    """
    from medplum_bots.config import load_config
    from medplum_bots.runtime.deploy_keys import generate, where_each_half_goes

    env = guard(lambda: load_config().environment(environment))
    print(where_each_half_goes(generate(), env.name, env.credentials_prefix))
