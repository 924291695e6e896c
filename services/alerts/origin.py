"""The console's origin, defended on every response: security headers (a strict Content
Security Policy, no sniffing, no referrer leaving the origin) on every answer, the API's too;
and a change made with the session cookie is taken only from the console's own origin
(the cookie is SameSite=Strict already: this is the second lock, should a browser or a proxy
lose the first). A pure ASGI middleware: the live stream passes through it unbuffered."""

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from infra.http import problem_response
from infra.problems import Problem
from services.alerts.operators import SESSION_COOKIE

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class ConsoleOrigin:
    def __init__(self, app: ASGIApp, external_urls: Iterable[str] = ()) -> None:
        self._app = app
        self._trusted = {urlsplit(url).netloc for url in external_urls if url}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        if scope["method"] in UNSAFE and _cookie_only(headers) and not self._same_origin(headers):
            refused = problem_response(
                Problem(
                    "cross-origin",
                    "Cross-origin change refused",
                    403,
                    "a change made with the session cookie must come from the console's origin",
                )
            )
            await refused(scope, receive, _secured(send))
            return
        await self._app(scope, receive, _secured(send))

    def _same_origin(self, headers: dict[str, str]) -> bool:
        """The request's Origin (or, without one, its Referer) is this host or a trusted one."""
        claimed = headers.get("origin") or headers.get("referer")
        if not claimed or claimed == "null":
            return False
        return urlsplit(claimed).netloc in self._trusted | {headers.get("host", "")}


def _cookie_only(headers: dict[str, str]) -> bool:
    """Authenticated by the session cookie alone: a browser sends it on its own, an API key
    it does not (a cross-site page cannot set those headers without the CORS IOC never grants)."""
    if "x-api-key" in headers or "authorization" in headers:
        return False
    return f"{SESSION_COOKIE}=" in headers.get("cookie", "")


def _secured(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {k.lower() for k, _ in message.get("headers", [])}
            message["headers"] = [
                *message.get("headers", []),
                *(
                    (name.encode(), value.encode())
                    for name, value in SECURITY_HEADERS.items()
                    if name.encode() not in present
                ),
            ]
        await send(message)

    return sending
