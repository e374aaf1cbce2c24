"""The middleware every service's pages share: the page language (`?lang=` remembered in a
cookie) on the request, and the page headers (no caching, CSP, no framing) on the response.
Static files keep their cache headers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from servicekit.i18n import PageLanguages


class PageMiddleware:
    def __init__(self, app: ASGIApp, *, languages: PageLanguages,
                 is_page: Callable[[str], bool], static_prefix: str, cookie_path: str,
                 headers: Mapping[str, str]) -> None:
        self.app = app
        self.languages = languages
        self.is_page = is_page
        self.static_prefix = static_prefix
        self.cookie_path = cookie_path
        self.headers = dict(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.is_page(scope["path"]):
            await self.app(scope, receive, send)
            return
        language, chosen_now = self.languages.chosen_language(HTTPConnection(scope))
        scope.setdefault("state", {})["language"] = language
        static = scope["path"].startswith(self.static_prefix)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if chosen_now:
                    headers.append("set-cookie", f"{self.languages.cookie}={language}; "
                                   f"Path={self.cookie_path}; Max-Age=31536000; SameSite=Lax")
                for name, value in self.headers.items():
                    if static and name == "cache-control":
                        continue
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
