"""Security headers on every response, as an ASGI middleware (streamed bodies pass untouched).

HTML gets a Content-Security-Policy that allows scripts, styles, images, fonts and requests
from this server only, and no framing: defence in depth should data ever slip markup past the
escaping. Styles may also be inline (YASGUI sets some). Everything else is served as data: no
policy lets it run anything, and nothing may frame it.
"""

from __future__ import annotations

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


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


# As ASGI messages carry them, made once: they are set on every answer.
RAW_PAGE = _raw(security_headers("text/html"))
RAW_DATA = _raw(security_headers(""))
RAW_NAMES = {name for name, _ in RAW_PAGE}


def with_security_headers(send: Send) -> Send:
    """``send``, setting the headers above on the response it starts (replacing any the
    answer set itself)."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [pair for pair in message.get("headers", ()) if pair[0] not in RAW_NAMES]
            content_type = next((v for k, v in headers if k == b"content-type"), b"")
            page = content_type.startswith(b"text/html")
            message["headers"] = headers + (RAW_PAGE if page else RAW_DATA)
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
