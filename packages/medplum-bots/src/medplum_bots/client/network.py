"""Transport failures in plain words: what went wrong on the way to the server, not how.

httpx (and the protocol library under it) describe a failure in their own terms:
"[Errno -2] Name or service not known", "can't handle event type ConnectionClosed when
role=SERVER ...". `plain_reason` maps httpx's exception types (and the OS error they were
raised from) to one short sentence a user can act on; the message of the library is kept
only where it says something the type does not (a TLS verification failure).
"""

from __future__ import annotations

import socket
import ssl
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import httpx

_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "temporary failure in name resolution",
    "no address associated",
    "getaddrinfo failed",
)


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error and every error it was raised from or while handling (`from None` too)."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _proxy_for(url: str) -> str | None:
    """The proxy the environment names for `url` (user and password left out), if any."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    proxy = proxies.get(parts.scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    proxy_parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
    host = proxy_parts.hostname or ""
    netloc = f"{host}:{proxy_parts.port}" if proxy_parts.port else host
    return urlunsplit((proxy_parts.scheme, netloc, "", "", ""))


def _connect_reason(error: httpx.TransportError, host: str) -> str:
    for item in _chain(error):
        text = str(item).lower()
        if isinstance(item, socket.gaierror) or any(word in text for word in _DNS_WORDS):
            return f"cannot resolve host {host!r} (DNS lookup failed: check the URL's host name)"
        if isinstance(item, ConnectionRefusedError) or "refused" in text:
            return f"connection refused by {host} (is the server running, is the port right?)"
        if isinstance(item, ssl.SSLCertVerificationError) or "certificate" in text:
            return f"TLS certificate of {host} not accepted ({item})"
        if isinstance(item, ssl.SSLError):
            return f"TLS handshake with {host} failed ({item})"
        if isinstance(item, ConnectionResetError):
            return f"{host} reset the connection while it was being opened"
    return f"cannot connect to {host} ({error or type(error).__name__})"


def plain_reason(error: httpx.TransportError, url: str, timeout: float | None) -> str:
    """One sentence for a failed attempt at `url` (`timeout`: the seconds it was given)."""
    parts = urlsplit(url)
    host = parts.netloc or url
    within = f" within {round(timeout, 1):g} s" if timeout is not None else ""
    proxy = _proxy_for(url)
    if isinstance(error, httpx.ProxyError):
        return f"the proxy {proxy or ''} refused or failed the connection to {host} ({error})"
    if isinstance(error, httpx.ConnectTimeout):
        reason = f"no connection to {host}{within} (server down, or a firewall drops packets)"
    elif isinstance(error, httpx.PoolTimeout):
        reason = f"no free connection to {host}{within} (too many requests in flight)"
    elif isinstance(error, httpx.ConnectError):
        reason = _connect_reason(error, urlsplit(proxy).netloc if proxy else host)
    elif isinstance(error, httpx.ReadTimeout):
        reason = f"the server accepted the request but sent no answer{within}"
    elif isinstance(error, httpx.WriteTimeout):
        reason = f"the server stopped accepting the request's data{within}"
    elif isinstance(error, httpx.RemoteProtocolError):
        reason = "the server closed the connection without answering"
    elif isinstance(error, httpx.ReadError):
        reason = "the connection broke while the answer was being read"
    elif isinstance(error, httpx.WriteError):
        reason = "the connection broke while the request was being sent"
    elif isinstance(error, httpx.TimeoutException):
        reason = f"no answer{within}"
    else:
        reason = f"the request failed ({type(error).__name__}: {error})"
    if proxy and isinstance(error, httpx.ConnectError | httpx.ConnectTimeout):
        reason += f" via the proxy {proxy} (from HTTPS_PROXY/HTTP_PROXY)"
    return reason
