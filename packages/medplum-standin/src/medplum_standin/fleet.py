"""A bot project deploying to two loopback Medplum stand-ins: staging and production.

Each environment has its own stand-in (own base URL), its own project and its own client
credentials, given to the deployer as prefixed variables (`STAGING_MEDPLUM_CLIENT_ID`...),
so one run has to keep them apart.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import ProjectConfig, load_config
from medplum_bots.deploy.orchestrate import Connections, DeployOptions, deploy
from medplum_bots.deploy.report import DeployReport
from medplum_bots.runtime.deploy_keys import KeyPair, generate

from medplum_standin import MedplumStandIn

RUNTIME_URL = "https://runtime.example.com/"
RUNTIME_SECRET = "MEDPLUM_BOTS_RUNTIME_KEY"
MODULES = ("alpha", "beta", "gamma")
ENVIRONMENTS = ("staging", "production")
# Fast retries: the rules are the real ones, only the waits are short.
FAST_RETRY = RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.2)

FILES = {
    "src/shared/__init__.py": "",
    "src/shared/greeting.py": """
        def greet(name: str) -> str:
            return f"Hello {name}"
    """,
    "src/bots/__init__.py": "",
}


def bot_source(module: str) -> str:
    """A bot that imports shared code (so its artifact embeds a second module)."""
    return textwrap.dedent(
        f'''
        from typing import Any

        from shared.greeting import greet


        def handler(medplum: Any, event: Any) -> str:
            print("running {module}")
            return greet(str(event.input.get("name", "{module}")))
        '''
    ).lstrip()


@dataclass
class Site:
    """One environment: its stand-in, project and client credentials."""

    name: str
    standin: MedplumStandIn
    project_id: str
    client_id: str
    client_secret: str

    def bot(self, bot_id: str) -> dict[str, Any]:
        """The stored Bot."""
        return self.standin.store.read("Bot", bot_id)

    def binary_text(self, reference: str) -> str:
        """The content of `Binary/<id>`."""
        return self.standin.store.binary_content(reference.removeprefix("Binary/")).decode()

    def subscriptions(self) -> list[dict[str, Any]]:
        """Every Subscription in this environment's project."""
        return list(self.standin.store.all("Subscription", self.project_id))

    def request_count(self) -> int:
        return len(self.standin.requests)


@dataclass
class Fleet:
    """The project on disk plus both sites; `ids[name]` is each entry's Bot id."""

    root: Path
    sites: dict[str, Site]
    ids: dict[str, str] = field(default_factory=dict)
    # One deploy key pair per environment (the private half goes in `environ()`).
    deploy_keys: dict[str, KeyPair] = field(default_factory=dict)

    @property
    def config_path(self) -> Path:
        return self.root / "medplum.config.json"

    def environ(self) -> dict[str, str]:
        """Prefixed credentials for both environments (what a CI job would export)."""
        variables: dict[str, str] = {}
        for site in self.sites.values():
            prefix = site.name.upper() + "_"
            variables[prefix + "MEDPLUM_CLIENT_ID"] = site.client_id
            variables[prefix + "MEDPLUM_CLIENT_SECRET"] = site.client_secret
            pair = self.deploy_keys.setdefault(site.name, generate())
            variables[prefix + "MEDPLUM_BOTS_DEPLOY_KEY"] = pair.private
        return variables

    def connections(self, **changes: Any) -> Connections:
        values: dict[str, Any] = {"environ": self.environ(), "retry": FAST_RETRY, **changes}
        return Connections(**values)

    def config(self) -> ProjectConfig:
        return load_config(self.config_path)

    def deploy(
        self, *patterns: str, connections: Connections | None = None, **options: Any
    ) -> DeployReport:
        """Run the deployer in-process with this fleet's credentials.

        The runtime check is off unless asked for: the fleet's runtime URL serves nothing.
        """
        options.setdefault("runtime_check", False)
        return deploy(
            self.config(), patterns, DeployOptions(**options), connections or self.connections()
        )

    def site_of(self, entry_name: str) -> Site:
        return self.sites[entry_name.rsplit("-", 1)[1]]

    def bot(self, entry_name: str) -> dict[str, Any]:
        """The stored Bot of a config entry."""
        return self.site_of(entry_name).bot(self.ids[entry_name])

    def write_config(
        self,
        entries: Sequence[Mapping[str, Any]],
        environments: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        config = {"bots": list(entries), "environments": environments or self.environments()}
        self.config_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    def environments(self, **runtime_overrides: Mapping[str, Any]) -> dict[str, Any]:
        return {
            name: {
                "baseUrl": site.standin.base_url,
                "projectId": site.project_id,
                "credentials": {"prefix": name.upper() + "_"},
                "runtime": dict(runtime_overrides.get(name, {"type": "http", "url": RUNTIME_URL})),
            }
            for name, site in self.sites.items()
        }

    def entry(self, module: str, environment: str, **fields: Any) -> dict[str, Any]:
        """A config entry for `module` in `environment`, seeding its Bot when it has none."""
        name = f"{module}-{environment}"
        if name not in self.ids:
            site = self.sites[environment]
            bot = site.standin.seed(
                {"resourceType": "Bot", "name": name, "runtimeVersion": "awslambda"},
                site.project_id,
            )
            self.ids[name] = bot["id"]
        return {
            "name": name,
            "id": self.ids[name],
            "source": f"src/bots/{module}.py",
            "dist": f"dist/bots/{module}.py",
            "environment": environment,
            "description": f"{module} ({environment})",
            "timeout": 30,
            **fields,
        }

    def secrets(self) -> list[str]:
        """Every client secret and every token the stand-ins issued: none may be printed."""
        found: list[str] = []
        for site in self.sites.values():
            found.append(site.client_secret)
            found.extend(site.standin._tokens)  # the stand-in's issued bearer tokens
        return found


def write_files(root: Path, files: Mapping[str, str]) -> None:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def open_fleet(stack: ExitStack, root: Path, latency: float = 0.0) -> Fleet:
    """Start both stand-ins (closed by `stack`) and write the project's files (no config)."""
    sites: dict[str, Site] = {}
    for name in ENVIRONMENTS:
        standin = stack.enter_context(MedplumStandIn(latency=latency))
        project_id = f"{name}-project"
        standin.add_project(project_id, secrets={RUNTIME_SECRET: f"{name}-runtime-key-0123"})
        client_id, client_secret = f"{name}-client", f"{name}-client-secret-7f3a9c"
        standin.add_client(client_id, client_secret, project_id)
        sites[name] = Site(name, standin, project_id, client_id, client_secret)
    write_files(root, {**FILES, **{f"src/bots/{m}.py": bot_source(m) for m in MODULES}})
    return Fleet(root, sites)


def standard_entries(fleet: Fleet, **fields: Any) -> list[dict[str, Any]]:
    """Every module in both environments, staging first."""
    return [fleet.entry(m, env, **fields) for env in ENVIRONMENTS for m in MODULES]


# The deployer reads its Bots with one batch Bundle of searches, a POST to the FHIR base.
BOT_READ = r"^/fhir/R4$"


def only_reads(requests: Sequence[Any]) -> bool:
    """True when every logged request is a GET, a login or the deployer's batch of searches
    (the tests that send it check that nothing changed)."""
    return all(r.method == "GET" or r.path in ("/oauth2/token", "/fhir/R4") for r in requests)


def results(report: DeployReport) -> dict[str, str]:
    """Entry name -> result."""
    return {o.bot: o.result for o in report.outcomes}
