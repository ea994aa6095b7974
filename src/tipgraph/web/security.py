"""Security headers on every response, as an ASGI middleware (streamed bodies pass untouched).

HTML gets a Content-Security-Policy that allows scripts, styles, images, fonts and requests
from this server only, and no framing: defence in depth should data ever slip markup past the
escaping. Styles may also be inline (YASGUI sets some). Everything else is served as data: no
policy lets it run anything, and nothing may frame it.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
COMMON = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # query permalinks carry the query: never pass it on
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
}


def security_headers(content_type: str) -> dict[str, str]:
    """The headers every answer of ``content_type`` carries."""
    policy = PAGE_POLICY if content_type.startswith("text/html") else DATA_POLICY
    return {"Content-Security-Policy": policy, **COMMON}


def with_security_headers(send: Send) -> Send:
    """``send``, adding the headers above to the response it starts."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            for name, value in security_headers(headers.get("content-type", "")).items():
                headers[name] = value
        await send(message)

    return send_with_headers


class SecurityHeaders:
    """Adds the headers above to every HTTP response of the app it wraps."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, with_security_headers(send))
