"""Which URLs a server's ingest may fetch: public http(s) hosts only, every redirect checked again.

In: a URL a web client asked the server to ingest, and whether the operator allows private targets
(``marsad serve --allow-private-urls``, ``[web] allow_private_urls``). Out: :func:`url_problem`, the
reason a URL is refused (not http(s), no host, a host that resolves to a loopback, private,
link-local, multicast, reserved or unspecified address, or that does not resolve) or None; and
:func:`guarded_fetch`, the fetcher the ingest job hands to :func:`marsad.pipeline.analyze`: it follows
redirects itself (at most five), checking every hop, then reads the final URL with
:func:`marsad.ingest.web.fetch_url`.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Callable, Iterator
from urllib.parse import urljoin, urlsplit

MAX_REDIRECTS = 5


def _resolve(host: str) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)]


def url_problem(url: str, allow_private: bool = False, resolve: Callable[[str], list[str]] = _resolve) -> str | None:
    """Why ``url`` may not be fetched by the server, or None when it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"not an http(s) URL: {url[:200]}"
    if allow_private:
        return None
    try:
        addresses = resolve(parts.hostname)
    except (OSError, UnicodeError) as exc:
        return f"host {parts.hostname[:100]} does not resolve ({exc.__class__.__name__})"
    for a in addresses:
        ip = ipaddress.ip_address(a.split("%", 1)[0])
        if getattr(ip, "ipv4_mapped", None):
            ip = ip.ipv4_mapped
        if not ip.is_global or ip.is_multicast:
            return (f"host {parts.hostname[:100]} is a private, loopback or link-local address ({ip}); "
                    "the server's operator can allow it with --allow-private-urls")
    return None


def final_url(url: str, allow_private: bool = False, client=None, resolve: Callable[[str], list[str]] = _resolve) -> str:
    """Follow ``url``'s redirects without fetching bodies, refusing any hop :func:`url_problem` refuses."""
    import httpx

    own = client is None
    client = client or httpx.Client(timeout=15.0, follow_redirects=False)
    try:
        for _ in range(MAX_REDIRECTS + 1):
            problem = url_problem(url, allow_private, resolve)
            if problem:
                raise ValueError(problem)
            with client.stream("GET", url) as resp:
                location = resp.headers.get("location")
                if not resp.is_redirect or not location:
                    return url
            url = urljoin(url, location)
        raise ValueError("too many redirects")
    finally:
        if own:
            client.close()


def guarded_fetch(allow_private: bool = False):
    """A fetcher for :func:`marsad.pipeline.analyze` that only reaches hosts :func:`url_problem` allows."""
    def fetch(url: str) -> Iterator:
        import httpx

        from ..ingest import Reject
        from ..ingest.web import fetch_url

        try:
            target = final_url(url, allow_private)
        except (ValueError, httpx.HTTPError) as exc:
            yield Reject(url, f"refused: {exc}" if isinstance(exc, ValueError) else f"unreachable ({exc})")
            return
        yield from fetch_url(target)
    return fetch
