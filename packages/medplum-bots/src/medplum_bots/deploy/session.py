"""One authenticated connection to one environment's Medplum project, for a whole run.

A run logs in once per environment (the client refreshes the token when it expires or a call
answers 401) and batches its reads: every Bot it manages and all selected Bots in one
request (a batch of two searches, `read_managed_bots`), all Subscriptions the deployer owns
for them in one more. A login that names another project than
the config's `projectId` fails the environment: deploying staging bots into production's
project would be worse than not deploying.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

import httpx

from medplum_bots.client import AsyncMedplumClient
from medplum_bots.client.core import bundle_resources, next_link
from medplum_bots.client.retry import RetryPolicy
from medplum_bots.config import Environment
from medplum_bots.deploy.credentials import CLIENT_ID, Credentials, login_failed
from medplum_bots.deploy.plan import identifier_value
from medplum_bots.deploy.pools import deploy_transport
from medplum_bots.deploy.subscriptions import MANAGED_BY, owner_of, tag_query
from medplum_bots.errors import (
    CredentialsError,
    DeployError,
    NetworkError,
    OperationOutcomeError,
)
from medplum_bots.redaction import Redactor

if TYPE_CHECKING:
    from medplum_bots.fhir import types as fhir

# The deployer handles resources as plain dicts (the client's typed answers are cast to it).
Resource = dict[str, Any]
# Answers to reading the Project that mean "not allowed to look": nothing cheap to check.
NOT_VISIBLE = (401, 403, 404)
# The identifier naming the config entry a Bot was created for: lets a rerun (or a run in
# another process) find the Bot instead of creating a second one.
CONFIG_ENTRY = "https://medplum-bots-template.dev/config-entry"
# Ids per search request: keeps URLs far below common 8 KB limits.
BOT_IDS_PER_SEARCH = 100
TAGS_PER_SEARCH = 50
# Medplum's largest page: a project's managed Bots usually fit in one.
MANAGED_PER_PAGE = 1000


def pool_limits(concurrency: int) -> httpx.Limits:
    """One connection per request in flight, every one kept alive for the next wave (a new
    connection costs a TCP and a TLS handshake: round trips of their own). Proxies come from
    the environment (HTTPS_PROXY, ALL_PROXY, NO_PROXY), read by httpx itself."""
    return httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _reference(value: Any) -> str:
    reference = value.get("reference") if isinstance(value, dict) else None
    return reference if isinstance(reference, str) else ""


def _project_of(token_answer: dict[str, Any]) -> str:
    return _reference(token_answer.get("project")).removeprefix("Project/")


@dataclass(frozen=True)
class RuntimeSecret:
    """The route-http runtime key as the Project holds it (`EnvironmentSession.runtime_secret`)."""

    warning: str | None = None  # the secret is missing: route-http bots cannot run
    value: str | None = field(default=None, repr=False)  # None when it could not be read


@dataclass
class EnvironmentSession:
    """An environment, its logged-in client and the project its credentials belong to."""

    environment: Environment
    credentials: Credentials
    client: AsyncMedplumClient
    project_id: str
    redactor: Redactor
    profile: str = ""  # who the login acts as (`ClientApplication/<id>`): Medplum's meta.author

    @classmethod
    async def open(
        cls,
        environment: Environment,
        credentials: Credentials,
        *,
        redactor: Redactor,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        concurrency: int = 1,
    ) -> EnvironmentSession:
        """Log in with `credentials`; CredentialsError when refused or in the wrong project.

        Without a `transport`: httpx's own (`deploy.pools`), at most `concurrency` requests in
        flight.
        """
        redactor.add(credentials.client_secret)
        if transport is None:
            transport = deploy_transport(concurrency)
        client = AsyncMedplumClient(
            credentials.base_url,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            retry=retry,
            transport=transport,
            timeout=timeout,
            budget=timeout,
            limits=pool_limits(concurrency),
        )
        name = environment.name
        try:
            answer = await client.login_client_credentials()
        except NetworkError as error:
            # Not a credentials problem: say so, and name the URL that could not be reached.
            await client.close()
            raise DeployError(redactor(f"environment {name!r}: {error}")) from None
        except OperationOutcomeError as error:
            await client.close()
            raise CredentialsError(redactor(str(login_failed(credentials, error)))) from None
        redactor.add(client.get_access_token())
        project_id = _project_of(answer)
        if environment.project_id and project_id and project_id != environment.project_id:
            await client.close()
            raise CredentialsError(
                f"environment {name!r}: the credentials ({credentials.sources[CLIENT_ID]}) "
                f"belong to Project/{project_id}, not to projectId {environment.project_id!r} "
                "in medplum.config.json"
            )
        return cls(
            environment,
            credentials,
            client,
            project_id or environment.project_id,
            redactor,
            _reference(answer.get("profile")),
        )

    async def close(self) -> None:
        """Close the connection pool (remembering the last token, to keep it out of output)."""
        self.redactor.add(self.client.get_access_token())
        await self.client.close()

    async def read_managed_bots(self, ids: Sequence[str]) -> dict[str, Resource]:
        """The Bots of `ids`, whole (also those without a MANAGED_BY identifier: never deployed
        by this version, or edited away), and every other Bot carrying one (the orphans among
        them) with only its `id`, `meta` and `identifier`, by id.

        One request: a batch Bundle of two searches, `Bot?identifier=<system>|` (every value
        of the system) and `Bot?_id=...` (100 ids per search). Separate requests would cost
        an unchanged redeploy a fourth request, or, the id search sent only for the Bots the
        first search missed, a deploy of new Bots a round trip. Only reads, so retried like
        a GET; a page beyond the first (over 1000 managed Bots) is fetched by its link.
        """
        # Of the managed Bots only their identifiers are needed (orphans); the selected ones
        # come whole from the `_id` searches, later in the batch, which replace them.
        searches = [
            {
                "identifier": f"{MANAGED_BY}|",
                "_elements": "identifier",
                "_count": str(MANAGED_PER_PAGE),
            }
        ]
        searches.extend(
            {"_id": ",".join(c), "_count": str(len(c))}
            for c in _chunks(list(dict.fromkeys(ids)), BOT_IDS_PER_SEARCH)
        )
        bundle = {
            "resourceType": "Bundle",
            "type": "batch",
            "entry": [
                {"request": {"method": "GET", "url": "Bot?" + urlencode(query)}}
                for query in searches
            ],
        }
        answer = await self.client.post("fhir/R4", bundle, idempotent=True)
        found: dict[str, Resource] = {}
        for entry in answer.get("entry") or [] if isinstance(answer, dict) else []:
            page: Any = _entry_resource(entry)
            while page is not None:
                found.update((bot["id"], bot) for bot in bundle_resources(page))
                link = next_link(page)
                page = await self.client.get(link) if link else None
        return found

    async def owned_subscriptions(self, bot_ids: Sequence[str]) -> dict[str, list[Resource]]:
        """Subscriptions tagged as managed for each of `bot_ids` (one search per 50 bots)."""
        result: dict[str, list[Resource]] = {bot_id: [] for bot_id in bot_ids}
        pages = await asyncio.gather(
            *(
                self._search_all("Subscription", {"_tag": tag_query(c), "_count": "1000"})
                for c in _chunks(list(result), TAGS_PER_SEARCH)
            )
        )
        for page in pages:
            for subscription in page:
                owner = owner_of(subscription)
                if owner in result:
                    result[owner].append(subscription)
        return result

    async def _search_all(
        self, resource_type: fhir.ResourceType, query: dict[str, str]
    ) -> list[Resource]:
        found: list[Resource] = []
        async for page in self.client.search_resource_pages(resource_type, query):
            found.extend(cast("list[Resource]", page))
        return found

    async def runtime_secret(self) -> RuntimeSecret:
        """The route-1 runtime key as the Project holds it, or a warning when it is missing.

        Nothing to say when the route is not `http`, or when these credentials may not read
        the Project (401/403/404: nothing cheap to check). Any other failure (5xx after
        retries, no answer) is raised: the environment is not healthy enough to deploy.
        """
        runtime = self.environment.runtime
        if runtime.type != "http" or not self.project_id:
            return RuntimeSecret()
        try:
            # Medplum lets only project admins read the Project; they see all of it.
            project = await self.client.read_resource("Project", self.project_id)
        except NetworkError:
            raise
        except OperationOutcomeError as error:
            if error.status in NOT_VISIBLE:
                return RuntimeSecret()
            raise DeployError(
                f"reading Project/{self.project_id} (runtime secret check) failed: {error}"
            ) from None
        # FHIR JSON leaves out empty lists: no `secret` field means no secrets.
        for secret in project.get("secret") or []:
            if isinstance(secret, dict) and secret.get("name") == runtime.secret_name:
                value = secret.get("valueString")
                if isinstance(value, str) and value:
                    self.redactor.add(value)
                    return RuntimeSecret(value=value)
                return RuntimeSecret()
        return RuntimeSecret(
            warning=f"Project secret {runtime.secret_name!r} is missing in environment "
            f"{self.environment.name!r}: the forwarder cannot sign requests to the runtime "
            "(add it under Project > Secrets; see docs/running-python-bots.md)"
        )

    async def entry_bots(self, names: Sequence[str]) -> dict[str, list[Resource]]:
        """Bots carrying the CONFIG_ENTRY identifier of each entry name (one search per 50)."""
        result: dict[str, list[Resource]] = {name: [] for name in names}
        pages = await asyncio.gather(
            *(
                self._search_all(
                    "Bot",
                    {
                        "identifier": ",".join(f"{CONFIG_ENTRY}|{_escape(n)}" for n in chunk),
                        "_count": "1000",
                    },
                )
                for chunk in _chunks(list(result), TAGS_PER_SEARCH)
            )
        )
        for page in pages:
            for bot in page:
                name = identifier_value(bot, CONFIG_ENTRY)
                if name in result:
                    result[name].append(bot)
        return result

    async def find_or_create_bot(
        self, name: str, description: str, runtime_version: str
    ) -> tuple[Resource, bool]:
        """The entry's Bot: the one carrying its CONFIG_ENTRY identifier, else a new one.

        Returns (bot, created). Medplum's `admin/projects/{id}/bot` takes no identifier, so a
        new Bot gets it by a JSON Patch right after; the caller holds the config lock, so
        runs on one machine never both create. Runs on two machines can (both search, both
        create): the search after the patch sees both Bots and fails with their ids rather
        than deploying one of two Bots that would both run (see docs/errors.md).
        """
        found = (await self.entry_bots([name]))[name]
        if len(found) == 1:
            return found[0], False
        if found:
            raise _duplicates(name, found)
        bot = await self.create_bot(name, description, runtime_version)
        identifier = {"system": CONFIG_ENTRY, "value": name}
        op = (
            {"op": "add", "path": "/identifier/-", "value": identifier}
            if bot.get("identifier")
            else {"op": "add", "path": "/identifier", "value": [identifier]}
        )
        try:
            bot = cast(Resource, await self.client.patch_resource("Bot", bot["id"], [op]))
        except OperationOutcomeError as error:
            raise DeployError(
                f"created Bot/{bot['id']} but could not mark it as {name!r} ({error}); "
                f'record "id": "{bot["id"]}" for {name!r} in medplum.config.json'
            ) from None
        again = (await self.entry_bots([name]))[name]
        if len(again) > 1:
            raise _duplicates(name, again)
        return bot, True

    async def create_bot(self, name: str, description: str, runtime_version: str) -> Resource:
        """Create a Bot and its ProjectMembership (`admin/projects/{id}/bot`); never retried
        after a 5xx, since a second attempt could make a second Bot."""
        if not self.project_id:
            raise DeployError(
                f"environment {self.environment.name!r}: set its projectId in "
                "medplum.config.json to create bots"
            )
        body: dict[str, str] = {"name": name, "runtimeVersion": runtime_version}
        if description:
            body["description"] = description
        try:
            bot = await self.client.post(f"admin/projects/{self.project_id}/bot", body)
        except OperationOutcomeError as error:
            if error.status not in (401, 403):
                raise
            # Medplum answers a bare 403 "Forbidden": say which of the two causes it can be.
            raise CredentialsError(
                f"environment {self.environment.name!r}: creating bot {name!r} in "
                f"Project/{self.project_id} was refused (HTTP {error.status}): the credentials' "
                f"client ({self.credentials.sources.get(CLIENT_ID, CLIENT_ID)}) is not an admin "
                f"of Project/{self.project_id}, or the projectId in medplum.config.json is wrong "
                "(make the ClientApplication a project admin, or fix projectId)"
            ) from None
        if not isinstance(bot, dict) or not isinstance(bot.get("id"), str):
            raise DeployError(f"creating bot {name!r}: the server answered without a Bot id")
        return bot


def _entry_resource(entry: Any) -> dict[str, Any]:
    """The searchset of one batch answer entry; its failure as OperationOutcomeError."""
    response = entry.get("response") if isinstance(entry, dict) else None
    status_text = str(response.get("status", "")) if isinstance(response, dict) else ""
    status = int(status_text.split()[0]) if status_text[:3].isdigit() else 0
    resource = entry.get("resource") if isinstance(entry, dict) else None
    if status >= 400 or not isinstance(resource, dict):
        outcome = response.get("outcome") if isinstance(response, dict) else None
        raise OperationOutcomeError(
            outcome if isinstance(outcome, dict) else {"resourceType": "OperationOutcome"},
            status or None,
        )
    return resource


def _escape(value: str) -> str:
    """A token search value with FHIR's special characters escaped."""
    return "".join("\\" + c if c in "\\,|$" else c for c in value)


def _duplicates(name: str, bots: Sequence[Resource]) -> DeployError:
    ids = ", ".join(f"Bot/{b['id']}" for b in bots)
    return DeployError(
        f"{len(bots)} Bots are marked as entry {name!r} ({ids}), made by runs at the same "
        "time: delete all but one, then record its id in medplum.config.json"
    )
