"""`invoke setup --environment NAME`: everything one environment needs before its first deploy.

In order, nothing written until every check passed:

1. the credentials resolve (`credentials`), log in, belong to the environment's `projectId`,
   and the client is a project admin (Medplum's `auth/me` membership);
2. the runtime request key (the Project secret the forwarder signs with, `runtime.secretName`)
   is the one already in `.env.<name>`, else the Project's, else a new one;
3. the deploy key pair is the one already in `.env.<name>`, else a new one;
4. the Project secret is set through Medplum's API when the client may (read `Project/{id}`,
   JSON Patch guarded by a `test` of the version read), else `manual` says where to put it;
5. `.env.<name>` gets what is missing (mode 0600, written atomically); an existing file that
   lacks something is rewritten only with `force` (its values are kept, never rotated).

A second run finds everything in place and changes nothing. No secret is ever printed: the
summary names variables and says which file holds their values.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from medplum_bots.arguments import DEFAULT_HTTP_TIMEOUT
from medplum_bots.client import MedplumClient
from medplum_bots.config import Environment, ProjectConfig, write_text_atomic
from medplum_bots.deploy.credentials import (
    CLIENT_ID,
    CLIENT_SECRET,
    Credentials,
    read_env_file,
    resolve_credentials,
)
from medplum_bots.errors import CredentialsError, DeployError, OperationOutcomeError
from medplum_bots.redaction import Redactor
from medplum_bots.runtime.deploy_keys import (
    DEPLOY_KEY_VAR,
    TRUSTED_KEYS_VAR,
    generate,
    key_id,
    load_private,
    public_text,
    trusted_entry,
)
from medplum_bots.runtime.http_app import ALLOWED_VAR, KEY_VAR

# GitHub environment secrets of the deploy job (docs/ci-cd.md), unprefixed: the job is bound
# to one environment.
CI_SECRETS = (CLIENT_ID, CLIENT_SECRET, DEPLOY_KEY_VAR)
RUNTIME_VARIABLES = (KEY_VAR, TRUSTED_KEYS_VAR, ALLOWED_VAR)
NOT_ALLOWED = (401, 403, 404)


@dataclass(frozen=True)
class SetupResult:
    """What `setup` found and did; `lines()` is what the task prints (no secret in it)."""

    environment: str
    env_file: Path
    written: bool  # .env.<name> created or rewritten
    project_secret: str  # "set", "unchanged" or "manual"
    new_values: tuple[str, ...]  # variables made by this run
    public_key: str
    key_id: str
    base_url: str
    secret_name: str
    admin: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.written or self.project_secret == "set"

    def lines(self) -> list[str]:
        name, file = self.environment, self.env_file.name
        out = [f"environment {name!r}: " + ("set up" if self.changed else "already set up")]
        if self.new_values:
            out.append(f"  made: {', '.join(self.new_values)} (in {file})")
        out.append(f"  {file}: " + ("written (mode 0600)" if self.written else "unchanged"))
        if self.project_secret == "set":
            out.append(f"  Project secret {self.secret_name}: set through the API")
        elif self.project_secret == "unchanged":
            out.append(f"  Project secret {self.secret_name}: already set")
        else:
            out.append(
                f"  Project secret {self.secret_name}: NOT SET (this client may not change the "
                f"Project). In the Medplum app: Project > Secrets > Add, name "
                f"{self.secret_name}, value: {KEY_VAR} from {file}"
            )
        out.extend(f"  note: {note}" for note in self.notes)
        out += [
            "",
            f"the {name} runtime needs (values in {file}; never commit it):",
            f"  {KEY_VAR}        the Project secret {self.secret_name}",
            f"  {TRUSTED_KEYS_VAR}       {self.public_key}  (deploy key {self.key_id}; public)",
            f"  {ALLOWED_VAR}  {self.base_url}",
            "",
            f"the GitHub environment {name!r} needs the secrets (values in {file}):",
            *(f"  {variable}" for variable in CI_SECRETS),
            "",
            "this prints no secret: copy the values from the file",
        ]
        return out


def setup_environment(
    config: ProjectConfig,
    environment: str,
    *,
    force: bool = False,
    environ: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    timeout: float = DEFAULT_HTTP_TIMEOUT,
) -> SetupResult:
    """Set up `environment` as the module docstring says; one-line errors, nothing half-done."""
    env = config.environment(environment)
    if not env.project_id:
        raise DeployError(
            f"environment {env.name!r}: projectId is empty in {config.path.name} "
            "(Medplum app: Project > Details, the id)"
        )
    credentials = resolve_credentials(env, config.root, environ)
    path = config.root / env.env_file
    existing = {k: v for k, v in read_env_file(path).items() if v}
    redactor = Redactor([credentials.client_secret])
    with MedplumClient(
        credentials.base_url,
        client_id=credentials.client_id,
        client_secret=credentials.client_secret,
        transport=transport,
        timeout=timeout,
    ) as client:
        admin = _check_client(client, env, credentials, redactor)
        project = _read_project(client, env.project_id) if admin else None
        secret_name = env.runtime.secret_name
        on_project = _secret_value(project, secret_name) if project is not None else None
        made: list[str] = []
        runtime_key = existing.get(KEY_VAR) or on_project
        if not runtime_key:
            runtime_key = secrets.token_urlsafe(32)  # 43 characters; the runtime wants 32+
            made.append(KEY_VAR)
        if on_project and on_project != runtime_key and not force:
            raise DeployError(
                f"environment {env.name!r}: Project secret {secret_name} differs from {KEY_VAR} "
                f"in {env.env_file}; rerun with --force to set the Project's to the file's "
                "(the runtime must then use the file's too)"
            )
        private_text = _deploy_key(existing, env)
        if private_text is None:
            private_text = generate().private
            made.append(DEPLOY_KEY_VAR)
        public = load_private(private_text, f"{DEPLOY_KEY_VAR} in {env.env_file}").public_key()
        trusted = trusted_entry(env.name, public_text(public))
        wanted = _file_values(existing, env, credentials, private_text, runtime_key, trusted)
        needs_write = any(existing.get(k) != v for k, v in wanted.items())
        if needs_write and path.exists() and not force:
            missing = [k for k, v in wanted.items() if existing.get(k) != v]
            raise DeployError(
                f"environment {env.name!r}: {env.env_file} exists and lacks "
                f"{', '.join(missing)}; rerun with --force to add them (values already there "
                "are kept)"
            )
        state = "manual"
        if project is not None:
            state = "unchanged"
            if on_project != runtime_key:
                _set_secret(client, project, secret_name, runtime_key)
                state = "set"
    if needs_write:
        write_text_atomic(path, _env_text(existing, wanted, env.name), mode=0o600)
    notes = []
    if not admin:
        notes.append(
            f"client {credentials.client_id!r} is not a project admin: it cannot create Bots "
            "(`invoke deploy --create`) nor set Project secrets; tick Admin on its membership "
            "(Medplum app: Project > Clients)"
        )
    return SetupResult(
        environment=env.name,
        env_file=path,
        written=needs_write,
        project_secret=state,
        new_values=tuple(made),
        public_key=trusted_entry(env.name, public_text(public)),
        key_id=key_id(public),
        base_url=credentials.base_url,
        secret_name=secret_name,
        admin=admin,
        notes=tuple(notes),
    )


def _check_client(
    client: MedplumClient, env: Environment, credentials: Credentials, redactor: Redactor
) -> bool:
    """Log in and read `auth/me`: the client's project must be `projectId`; True if admin."""
    try:
        me = client.get("auth/me")
    except OperationOutcomeError as error:
        raise CredentialsError(
            f"environment {env.name!r}: logging in to {credentials.base_url} as client "
            f"{credentials.client_id!r} failed ({redactor(str(error))}); check "
            f"{credentials.sources[CLIENT_ID]} and {credentials.sources[CLIENT_SECRET]}"
        ) from None
    membership = me.get("membership") if isinstance(me, dict) else None
    membership = membership if isinstance(membership, dict) else {}
    project_ref = str((membership.get("project") or {}).get("reference") or "")
    project_id = project_ref.removeprefix("Project/")
    if project_id and project_id != env.project_id:
        raise CredentialsError(
            f"environment {env.name!r}: client {credentials.client_id!r} belongs to "
            f"Project/{project_id}, not to projectId {env.project_id!r}"
        )
    return membership.get("admin") is True


def _read_project(client: MedplumClient, project_id: str) -> dict[str, Any] | None:
    """The Project, or None when this client may not read it (Medplum: admins only)."""
    try:
        return dict(client.read_resource("Project", project_id))
    except OperationOutcomeError as error:
        if error.status in NOT_ALLOWED:
            return None
        raise


def _secret_value(project: Mapping[str, Any], name: str) -> str | None:
    for setting in project.get("secret") or []:
        if setting.get("name") == name and setting.get("valueString"):
            return str(setting["valueString"])
    return None


def _set_secret(client: MedplumClient, project: Mapping[str, Any], name: str, value: str) -> None:
    """Replace or add one Project secret; the `test` makes a concurrent change fail cleanly
    instead of being overwritten (the whole list is written)."""
    kept = [s for s in project.get("secret") or [] if s.get("name") != name]
    ops: list[dict[str, Any]] = [
        {"op": "test", "path": "/meta/versionId", "value": project["meta"]["versionId"]},
        {"op": "add", "path": "/secret", "value": [*kept, {"name": name, "valueString": value}]},
    ]
    try:
        client.patch_resource("Project", str(project["id"]), ops)
    except OperationOutcomeError as error:
        raise DeployError(
            f"setting Project secret {name} failed (HTTP {error.status}); nothing was written, "
            "run `invoke setup` again"
        ) from None


def _deploy_key(existing: Mapping[str, str], env: Environment) -> str | None:
    return existing.get(env.credentials_prefix + DEPLOY_KEY_VAR) or existing.get(DEPLOY_KEY_VAR)


def _file_values(
    existing: Mapping[str, str],
    env: Environment,
    credentials: Credentials,
    private: str,
    runtime_key: str,
    public: str,
) -> dict[str, str]:
    """What `.env.<name>` holds once set up; values already there win."""
    wanted = {
        CLIENT_ID: credentials.client_id,
        CLIENT_SECRET: credentials.client_secret,
        DEPLOY_KEY_VAR: private,
        KEY_VAR: runtime_key,
        TRUSTED_KEYS_VAR: public,
        ALLOWED_VAR: credentials.base_url,
    }
    for name in (CLIENT_ID, CLIENT_SECRET, TRUSTED_KEYS_VAR, ALLOWED_VAR):
        if existing.get(name):
            wanted[name] = existing[name]
    # Values already there under their prefixed names stay the only copy.
    for name in (CLIENT_ID, CLIENT_SECRET, DEPLOY_KEY_VAR):
        if existing.get(env.credentials_prefix + name) == wanted[name]:
            del wanted[name]
    return wanted


def _env_text(existing: Mapping[str, str], wanted: Mapping[str, str], environment: str) -> str:
    """The file: values it had first (comments are not kept), then the new ones, quoted."""
    merged = {**existing, **wanted}
    lines = [f"# {environment}: written by `invoke setup`; never commit this file"]
    lines += [f"{name}={_quote(value)}" for name, value in merged.items()]
    return "\n".join(lines) + "\n"


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
