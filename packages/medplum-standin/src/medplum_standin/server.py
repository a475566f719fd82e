"""`MedplumStandIn`: a Medplum server stand-in on real HTTP (127.0.0.1, ephemeral port).

    with MedplumStandIn(latency=0.0) as medplum:
        medplum.add_project("p1", secrets={"KEY": "v"})
        medplum.add_client("cid", "csecret", "p1")
        ... MedplumClient(medplum.base_url, client_id="cid", client_secret="csecret") ...

Faults (`medplum.faults.add(...)`) apply before a request is handled. The request log never
holds the Authorization header, and tokens are never printed.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from medplum_standin import outcomes
from medplum_standin.api import Api, Reply, Request
from medplum_standin.bots import BotRunner, ExternalFunction
from medplum_standin.faults import Fault, Faults
from medplum_standin.projects import Projects, Resource
from medplum_standin.subscriptions import start_subscription_thread

BOT_TOKEN_TTL = 3600
# Headers never kept in the request log (credentials).
_SECRET_HEADERS = {"authorization", "cookie", "proxy-authorization"}


@dataclass(frozen=True)
class LoggedRequest:
    """One served request: method, path (no query), status, headers minus credentials."""

    method: str
    path: str
    status: int
    headers: dict[str, str]
    query: str = ""


@dataclass(frozen=True)
class Token:
    """What a bearer token stands for."""

    project_id: str
    profile: str  # "ClientApplication/<id>" or "Bot/<id>"
    expires_at: float
    admin: bool


@dataclass
class Client:
    """A ClientApplication able to log in with client credentials."""

    client_id: str
    secret: str
    project_id: str
    token_ttl: int = 3600
    admin: bool = True


@dataclass
class _Counters:
    tokens_issued: int = 0
    deploy_conflicts: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class MedplumStandIn:
    """Loopback Medplum stand-in; use as a context manager (starts and stops the server)."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.store = Projects(on_change=self.fire_subscriptions)
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        # Why a subscription did not run its Bot (Medplum logs these and moves on).
        self.subscription_errors: list[str] = []
        self.external_functions: dict[str, ExternalFunction] = {}
        self.clients: dict[str, Client] = {}
        # Bot id -> Binary id of the code "its Lambda" runs (set by successful awslambda deploys).
        self.lambda_code: dict[str, str] = {}
        self.runner = BotRunner(self)
        self._tokens: dict[str, Token] = {}
        self._counters = _Counters()
        self._threads: list[threading.Thread] = []
        self._api = Api(self)
        self._server: ThreadingHTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self.base_url = ""

    # -- lifecycle ----------------------------------------------------------------------
    def start(self) -> MedplumStandIn:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        server = _Server(("127.0.0.1", 0), _make_handler(self))
        self._server = server
        self.base_url = f"http://127.0.0.1:{server.server_address[1]}/"
        self.store.set_base_url(self.base_url)
        self._serve_thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._serve_thread.start()
        return self

    def stop(self) -> None:
        """Stop serving (waits up to 5 s for subscription threads, never raises for them)."""
        # Daemon threads: a stuck bot must not hide the test's own failure.
        with contextlib.suppress(TimeoutError):
            self.wait_idle(timeout=5.0)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> MedplumStandIn:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- seeding --------------------------------------------------------------------------
    def add_project(
        self,
        project_id: str,
        secrets: dict[str, str] | None = None,
        *,
        name: str | None = None,
        system_secrets: dict[str, str] | None = None,
    ) -> Resource:
        """Create a Project; `secrets` become its `secret` list of ProjectSettings."""
        project: Resource = {
            "resourceType": "Project",
            "name": name or project_id,
            "features": ["bots"],
            "secret": [{"name": k, "valueString": v} for k, v in (secrets or {}).items()],
        }
        if system_secrets:
            project["systemSecret"] = [
                {"name": k, "valueString": v} for k, v in system_secrets.items()
            ]
        self.store.add(project_id)
        return self.store.create(project, project_id, id=project_id, notify=False)

    def set_secret(self, project_id: str, name: str, value: str) -> None:
        """Add or replace one Project secret."""
        project = self.store.read("Project", project_id)
        kept = [s for s in project.get("secret", []) if s.get("name") != name]
        project["secret"] = [*kept, {"name": name, "valueString": value}]
        self.store.update(project, project_id)

    def add_client(
        self,
        client_id: str,
        client_secret: str,
        project_id: str,
        token_ttl: int = 3600,
        *,
        admin: bool = True,
    ) -> Client:
        """Register a ClientApplication (project admin unless `admin=False`)."""
        if self.store.get("Project", project_id) is None:
            raise ValueError(f"unknown project {project_id!r}: call add_project first")
        client = Client(client_id, client_secret, project_id, token_ttl, admin)
        self.clients[client_id] = client
        self.store.create(
            {"resourceType": "ClientApplication", "name": client_id, "secret": client_secret},
            project_id,
            id=client_id,
            notify=False,
        )
        self.store.create(
            {
                "resourceType": "ProjectMembership",
                "project": {"reference": f"Project/{project_id}"},
                "user": {"reference": f"ClientApplication/{client_id}"},
                "profile": {"reference": f"ClientApplication/{client_id}"},
                "admin": admin,
            },
            project_id,
            notify=False,
        )
        return client

    def has_membership(self, project_id: str, profile: str) -> bool:
        """Whether `profile` (e.g. `Bot/<id>`) has a ProjectMembership in the project."""
        return any(
            (m.get("profile") or {}).get("reference") == profile
            for m in self.store.all("ProjectMembership", project_id)
        )

    def seed(self, resource: Resource, project_id: str) -> Resource:
        """Store a resource directly (no validation, no subscriptions); returns it with meta."""
        return self.store.create(
            resource, project_id, id=resource.get("id"), validate=False, notify=False
        )

    # -- tokens ------------------------------------------------------------------------------
    @property
    def tokens_issued(self) -> int:
        """How many tokens the OAuth endpoint issued (bot execution tokens not counted)."""
        return self._counters.tokens_issued

    def issue_client_token(self, client: Client) -> tuple[str, Token]:
        """A new token for a client-credentials login."""
        token = Token(
            client.project_id,
            f"ClientApplication/{client.client_id}",
            time.monotonic() + client.token_ttl,
            client.admin,
        )
        text = _jwt_shaped(
            {
                "login_id": secrets.token_hex(16),
                "sub": client.client_id,
                "client_id": client.client_id,
                "profile": token.profile,
                "scope": "openid",
                "exp": int(time.time()) + client.token_ttl,
            }
        )
        with self._counters.lock:
            self._tokens[text] = token
            self._counters.tokens_issued += 1
        return text, token

    def issue_run_token(self, project_id: str, profile: str) -> str:
        """A token for the membership a bot runs as, handed to its runtime in the payload."""
        text = secrets.token_urlsafe(32)
        token = Token(project_id, profile, time.monotonic() + BOT_TOKEN_TTL, False)
        with self._counters.lock:
            self._tokens[text] = token
        return text

    def lookup_token(self, text: str) -> Token | None:
        """The live token for `text`, or None (unknown or expired)."""
        with self._counters.lock:
            token = self._tokens.get(text)
        if token is None or token.expires_at <= time.monotonic():
            return None
        return token

    def expire_tokens(self) -> None:
        """Make every issued token invalid (the next call answers 401)."""
        with self._counters.lock:
            self._tokens.clear()

    # -- deploy failures ---------------------------------------------------------------
    def fail_next_deploys(self, n: int = 1) -> None:
        """The next `n` awslambda `$deploy`s fail like Medplum's intermittent Lambda
        "update in progress" conflict (400; the Bot's executableCode is already updated)."""
        with self._counters.lock:
            self._counters.deploy_conflicts += n

    def take_deploy_conflict(self) -> bool:
        """Consume one pending simulated Lambda conflict, if any."""
        with self._counters.lock:
            if self._counters.deploy_conflicts > 0:
                self._counters.deploy_conflicts -= 1
                return True
            return False

    # -- subscriptions and audit events ---------------------------------------------------
    def fire_subscriptions(self, resource: Resource, interaction: str) -> None:
        """Start matching Bot subscriptions on a background thread."""
        thread = start_subscription_thread(self, resource, interaction)
        if thread is not None:
            with self._counters.lock:
                self._threads.append(thread)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for subscription executions started so far to finish."""
        deadline = time.monotonic() + timeout
        while True:
            with self._counters.lock:
                self._threads = [t for t in self._threads if t.is_alive()]
                pending = list(self._threads)
            if not pending:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"{len(pending)} subscription execution(s) still running")
            pending[0].join(remaining)

    def audit_events(self, bot_id: str) -> list[Resource]:
        """AuditEvents of a Bot's executions, oldest first."""
        reference = f"Bot/{bot_id}"
        return [
            event
            for event in self.store.all("AuditEvent")
            if (event.get("entity") or [{}])[0].get("what", {}).get("reference") == reference
        ]

    def wait_for_audit_events(
        self, bot_id: str, n: int = 1, timeout: float = 10.0
    ) -> list[Resource]:
        """Wait until the Bot has at least `n` AuditEvents; returns them (oldest first)."""
        deadline = time.monotonic() + timeout
        while True:
            events = self.audit_events(bot_id)
            if len(events) >= n:
                return events
            if time.monotonic() >= deadline:
                raise TimeoutError(
                    f"Bot/{bot_id}: {len(events)} AuditEvent(s) after {timeout}s, expected {n}"
                )
            time.sleep(0.01)

    # -- request processing ---------------------------------------------------------------
    def serve(self, request: Request) -> tuple[Reply | None, Fault | None]:
        """Apply latency and faults, then handle; (None, fault) means drop the connection."""
        if self.latency:
            time.sleep(self.latency)
        fault = self.faults.take(request.method, request.path)
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop:
                return None, fault
            if fault.status is not None:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                if fault.body is not None:
                    return Reply(fault.status, fault.body, "application/json", headers), fault
                reply = Reply.of_json(fault.status, outcomes.fault_outcome(fault.status))
                reply.headers.update(headers)
                return reply, fault
        return self._api.handle(request), fault

    def log(self, request: Request, status: int) -> None:
        """Record a served request without credentials."""
        headers = {k: v for k, v in request.headers.items() if k not in _SECRET_HEADERS}
        query = urllib.parse.urlencode(request.query)
        with self._counters.lock:
            self.requests.append(
                LoggedRequest(request.method, request.path, status, headers, query)
            )


def _jwt_shaped(claims: dict[str, Any]) -> str:
    """A token shaped like Medplum's (a JWT whose claims name the login): `@medplum/core`
    reads `login_id` to know it talks to Medplum and then asks `auth/me` for the profile.
    The signature part is random: the stand-in looks tokens up, it never verifies them."""

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}.{secrets.token_urlsafe(32)}"


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Benchmarks open many connections at once; the default backlog (5) would refuse some.
    request_queue_size = 256


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, with a Content-Length or chunked (streamed uploads)."""
    if handler.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(handler.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                handler.rfile.readline()  # blank line after the last chunk (no trailers)
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline()
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length else b""


def _make_handler(standin: MedplumStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # HTTP/1.1 keep-alive so pooled clients reuse connections (benchmarks measure this).
        protocol_version = "HTTP/1.1"
        # Small answers on a kept-alive connection otherwise wait ~40 ms for Nagle + delayed ACK.
        disable_nagle_algorithm = True

        def log_message(self, format: str, *args: Any) -> None:
            """Silence the default stderr access log."""

        def _handle(self) -> None:
            split = urllib.parse.urlsplit(self.path)
            body = _read_body(self)
            request = Request(
                method=self.command,
                path=urllib.parse.unquote(split.path),
                query=urllib.parse.parse_qsl(split.query, keep_blank_values=True),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=body,
            )
            reply, _ = standin.serve(request)
            if reply is None:
                standin.log(request, 0)
                self.close_connection = True
                self.connection.close()  # dropped: no status line at all
                return
            standin.log(request, reply.status)
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(reply.body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle

    return Handler
