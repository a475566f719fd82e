"""What a Medplum base URL is: the one rule config, credentials, client and runtime share.

A base URL is an absolute `http` or `https` URL with a host and no query, fragment or
credentials (a token sent to `https://user:pw@host/` or `...?x#y` would go somewhere the
reader did not mean). It is normalised to a lower-case scheme and host and a trailing `/`,
so `HTTPS://Api.Medplum.com` and `https://api.medplum.com/` compare equal and relative paths
(`fhir/R4/...`) resolve under it.
"""

from __future__ import annotations

from urllib.parse import urlsplit


def normalize_base_url(url: str) -> str:
    """`HTTPS://Api.Example.com` -> `https://api.example.com/`; ValueError if not a base URL."""
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"a base URL has no query, fragment or credentials: {url!r}")
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}"
