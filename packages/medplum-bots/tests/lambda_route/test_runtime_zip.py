"""Route 1's runtime as one Lambda behind a function URL: the zip, its handler, the task.

The zip carries `dist/manifest.json` and every artifact it lists; unzipped alone it must serve
each bot at `/bots/<name>` with route 1's checks, and refuse Medplum's direct invocation.
"""

from __future__ import annotations

import importlib.metadata
import json
import shutil
import zipfile
from pathlib import Path
from typing import Any

import pytest
from medplum_standin import MedplumStandIn
from medplum_standin.fixtures import medplum_standin
from medplum_standin.layers import write_wheel

from medplum_bots.build.bundle import Artifact, build_bot, write_manifest
from medplum_bots.build.lambda_zip import build_runtime_zip
from medplum_bots.errors import BuildError
from medplum_bots.runtime.deploy_keys import generate, load_private, trusted_entry
from medplum_bots.runtime.forwarder import CarriedArtifact
from medplum_bots.runtime.signing import signature_headers
from tests.lambda_route.isolated import run_isolated
from tests.lambda_route.test_handler import (
    GREETER,
    GREETING,
    KEY,
    _url_event,
    payload,
    standin,
)

__all__ = ["medplum_standin", "payload", "standin"]

# A second bot: async, with a third-party requirement imported where it is used.
ECHO = """\
from medplum_bots import BotEvent, MedplumClient


async def handler(medplum: MedplumClient, event: BotEvent) -> dict[str, object]:
    import tinydep

    print("echoing")
    return {"echo": event.input, "tinydep": tinydep.VERSION}
"""
ARTIFACTS = ["dist/bots/echo.py", "dist/bots/greeter.py", "dist/manifest.json"]


def _project(root: Path) -> list[Artifact]:
    """Two bots built into `root/dist` with their manifest, as `invoke build` leaves them."""
    (root / "src" / "bots").mkdir(parents=True)
    (root / "src" / "shared").mkdir()
    (root / "src" / "bots" / "__init__.py").write_text("")
    (root / "src" / "shared" / "__init__.py").write_text("")
    (root / "src" / "bots" / "greeter.py").write_text(GREETER)
    (root / "src" / "bots" / "echo.py").write_text(ECHO)
    (root / "src" / "shared" / "greeting.py").write_text(GREETING)
    artifacts = [
        build_bot(root / "src" / "bots" / f"{name}.py", root, root / f"dist/bots/{name}.py")
        for name in ("greeter", "echo")
    ]
    write_manifest(root, artifacts, keep=set())
    return artifacts


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("runtime-project")
    _project(root)
    return root


@pytest.fixture(scope="module")
def layer(runtime_layer: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime's packages plus the echo bot's `tinydep`, as pip would install them."""
    target = tmp_path_factory.mktemp("runtime-layer") / "layer"
    shutil.copytree(runtime_layer, target)
    (target / "tinydep").mkdir()
    (target / "tinydep" / "__init__.py").write_text("VERSION = '1.0'\n")
    return target


def test_zip_holds_exactly_the_build_and_is_reproducible(project: Path, tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    (layer / "dep").mkdir(parents=True)
    (layer / "dep" / "__init__.py").write_text("X = 1\n")
    first = build_runtime_zip(project, tmp_path / "a.zip", requirements_dir=layer)
    assert [name for name in first.files if name.startswith("dist/")] == ARTIFACTS
    assert "bot.py" not in first.files
    assert {"medplum_bots/runtime/lambda_handler.py", "medplum_bots/runtime/http_app.py"} <= set(
        first.files
    )
    assert "dep/__init__.py" in first.files
    with zipfile.ZipFile(first.path) as archive:
        for name in ARTIFACTS:
            assert archive.read(name) == (project / name).read_bytes()

    for name in ARTIFACTS:
        (project / name).touch()  # newer mtimes must not change the bytes
    second = build_runtime_zip(project, tmp_path / "b.zip", requirements_dir=layer)
    assert second.path.read_bytes() == first.path.read_bytes()
    assert second.code_sha256 == first.code_sha256


def test_a_changed_bot_changes_the_zip(tmp_path: Path) -> None:
    root = tmp_path / "p"
    greeter, _ = _project(root)
    layer = tmp_path / "layer"
    layer.mkdir()
    before = build_runtime_zip(root, tmp_path / "a.zip", requirements_dir=layer)
    (root / "src" / "bots" / "echo.py").write_text(ECHO.replace("echoing", "hi"))
    echo = build_bot(root / "src/bots/echo.py", root, root / "dist/bots/echo.py")
    write_manifest(root, [greeter, echo], keep=set())
    after = build_runtime_zip(root, tmp_path / "b.zip", requirements_dir=layer)
    assert after.code_sha256 != before.code_sha256
    with zipfile.ZipFile(after.path) as archive:
        assert 'print("hi")' in archive.read("dist/bots/echo.py").decode()


def test_every_bots_requirements_are_installed(project: Path, tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    httpx_version = importlib.metadata.version("httpx")
    write_wheel(wheels, "httpx", httpx_version, "py3-none-any")
    write_wheel(wheels, "tinydep", "1.0", "py3-none-any")
    # The generic runtime's own packages (signatures, key checks, the Redis store): always.
    runtime_packages = {
        name: importlib.metadata.version(name) for name in ("cryptography", "pynacl", "redis")
    }
    for name, version in runtime_packages.items():
        write_wheel(wheels, name, version, "py3-none-any")
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    assert {a["name"]: a["requirements"] for a in manifest["artifacts"]} == {
        "echo": ["tinydep"],
        "greeter": [],
    }
    package = build_runtime_zip(
        project,
        tmp_path / "out.zip",
        cache_dir=tmp_path / "cache",
        pip_args=["--no-index", "--find-links", str(wheels)],
    )
    assert "tinydep/__init__.py" in package.files
    assert f"httpx-{httpx_version}.dist-info/METADATA" in package.files
    for name, version in runtime_packages.items():
        assert f"{name}-{version}.dist-info/METADATA" in package.files


def test_bad_builds_are_one_line_errors(tmp_path: Path) -> None:
    layer = tmp_path / "layer"
    layer.mkdir()
    out = tmp_path / "out.zip"
    with pytest.raises(BuildError, match=r"manifest\.json: no bots built"):
        build_runtime_zip(tmp_path, out, requirements_dir=layer)

    _project(tmp_path / "p")
    (tmp_path / "p" / "dist" / "bots" / "echo.py").unlink()
    with pytest.raises(BuildError, match=r"echo\.py: bot artifact not found") as missing:
        build_runtime_zip(tmp_path / "p", out, requirements_dir=layer)
    assert "\n" not in str(missing.value)
    with pytest.raises(BuildError, match="unknown Lambda architecture 'arm'"):
        build_runtime_zip(tmp_path / "p", out, architecture="arm", requirements_dir=layer)

    manifest = tmp_path / "p" / "dist" / "manifest.json"
    data = json.loads(manifest.read_text())
    data["artifacts"][0]["dist"] = "../elsewhere/greeter.py"
    manifest.write_text(json.dumps(data))
    with pytest.raises(BuildError, match=r"'\.\./elsewhere/greeter\.py' is not inside"):
        build_runtime_zip(tmp_path / "p", out, requirements_dir=layer)
    assert not out.exists()


# Run in a fresh interpreter with only the unzipped task root and the standard library:
# one Lambda container answering the events on stdin in order.
CONTAINER = """\
import json, sys
sys.path.insert(0, sys.argv[1])
from medplum_bots.deploy.lambda_route import handler
answers = []
for event in json.load(sys.stdin):
    try:
        answers.append({"answer": handler(event, None)})
    except Exception as error:
        answers.append({"errorType": type(error).__name__, "errorMessage": str(error)})
print("ANSWERS " + json.dumps(answers))
"""


DEPLOY_KEY = generate()


def _carried(project: Path, name: str, bot_id: str) -> dict[str, str | int]:
    """The signed artifact a deployed forwarder sends when the runtime asks for the file."""
    content = (project / "dist" / "bots" / f"{name}.py").read_bytes()
    private = load_private(DEPLOY_KEY.private)
    return CarriedArtifact.sign(
        content, private, environment="staging", bot=name, bot_id=bot_id, sequence=1
    ).with_code()


def _signed(payload: dict[str, Any], path: str, trace_id: str, project: Path) -> dict[str, Any]:
    name = path.rsplit("/", 1)[1]
    bot_id = payload["bot"]["reference"].removeprefix("Bot/")
    carried = {**payload, "traceId": trace_id, "artifact": _carried(project, name, bot_id)}
    body = json.dumps(carried).encode()
    return _url_event("POST", path, body, signature_headers(KEY, name, body))


def test_the_runtime_zip_serves_every_bot_on_its_own(
    project: Path,
    layer: Path,
    standin: MedplumStandIn,
    payload: dict[str, Any],
    tmp_path: Path,
) -> None:
    package = build_runtime_zip(project, tmp_path / "runtime.zip", requirements_dir=layer)
    task_root = tmp_path / "task"
    with zipfile.ZipFile(package.path) as archive:
        archive.extractall(task_root)
    unsigned_body = json.dumps({**payload, "traceId": "t-unsigned"}).encode()
    events = [
        _signed(payload, "/bots/greeter", "t-greeter", project),
        _signed(payload, "/bots/echo", "t-echo", project),
        _url_event("POST", "/bots/greeter", unsigned_body, {"content-type": "application/json"}),
        _url_event("GET", "/healthz", b"", {}),
        payload,  # Medplum invoking the function directly, as a Bot's external function
    ]
    env = {
        "MEDPLUM_BOTS_RUNTIME_KEY": KEY.decode(),
        "MEDPLUM_BOTS_ALLOWED_BASE_URLS": standin.base_url,
        "MEDPLUM_BOTS_TRUSTED_KEYS": trusted_entry("staging", DEPLOY_KEY.public),
    }
    completed = run_isolated(
        CONTAINER, stdin=json.dumps(events), cwd=tmp_path, env=env, args=[str(task_root)]
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    greeter, echo, unsigned, health, direct = json.loads(lines[-1].removeprefix("ANSWERS "))

    assert greeter["answer"]["statusCode"] == 200
    greeted = json.loads(greeter["answer"]["body"])
    assert greeted["ok"] and greeted["result"]["greeting"] == "Hello Ada Lovelace!"
    assert greeted["result"]["trace"] == "t-greeter"
    echoed = json.loads(echo["answer"]["body"])
    assert echo["answer"]["statusCode"] == 200
    assert echoed["result"] == {"echo": payload["input"], "tinydep": "1.0"}
    assert echoed["logs"] == ["echoing"]

    assert unsigned["answer"]["statusCode"] == 401
    assert not json.loads(unsigned["answer"]["body"])["ok"]
    patient_reads = [r.headers.get("x-trace-id") for r in standin.requests if "Patient" in r.path]
    assert patient_reads == ["t-greeter"]  # the unsigned request ran no bot

    # The generic runtime holds the bots it was sent (both, loaded once each).
    assert json.loads(health["answer"]["body"])["bots"] == 2

    assert direct["errorType"] == "BotFailed"
    assert "HTTP runtime" in direct["errorMessage"]
    assert "cannot be a Bot's external function" in direct["errorMessage"]
    assert f"Unhandled error: {direct['errorMessage']}" in lines
