"""Credentials from a service URL, answering its challenge with httpx's Basic or Digest auth."""

from __future__ import annotations

import threading
from collections.abc import Generator
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``url`` without its userinfo, and the user and password it carried."""
    parts = urlsplit(url.strip())
    if parts.username is None and parts.password is None:
        return url.strip(), None, None
    host = parts.hostname or ""
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    clean = urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
    user = unquote(parts.username) if parts.username is not None else None
    password = unquote(parts.password) if parts.password is not None else None
    return clean, user, password


class ChallengeAuth(httpx.Auth):
    """Answers a server's first 401 with httpx's auth in the scheme it asks for: Digest when
    offered, else Basic (RFC 7616, RFC 7617).

    From then on that scheme authenticates every request up front, so a body is sent once (a
    request body is replayed after a 401 only when it can be: bytes, or a spooled file).
    """

    def __init__(self, user: str, password: str) -> None:
        self._schemes: dict[str, httpx.Auth] = {
            "digest": httpx.DigestAuth(user, password),
            "basic": httpx.BasicAuth(user, password),
        }
        self._chosen: httpx.Auth | None = None
        self._lock = threading.Lock()  # DigestAuth counts its requests (nc) unguarded

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        challenge: httpx.Response | None = None
        if self._chosen is None:
            challenge = yield request
            offered = {
                header.strip().partition(" ")[0].lower()
                for header in challenge.headers.get_list("www-authenticate")
            }
            scheme = next((name for name in self._schemes if name in offered), None)
            if challenge.status_code != 401 or scheme is None:
                return  # no challenge, or none in a scheme we speak
            self._chosen = self._schemes[scheme]
        flow = self._chosen.auth_flow(request)
        try:
            with self._lock:
                request = next(flow)
                if challenge is not None and "authorization" not in request.headers:
                    request = flow.send(challenge)  # Digest waits for the 401 we already have
            while True:
                response = yield request
                with self._lock:
                    request = flow.send(response)
        except StopIteration:
            return
