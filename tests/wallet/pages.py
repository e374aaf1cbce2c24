"""Driving the wallet's pages as a browser does without JavaScript: cookies, forms with the
CSRF token, redirects. For page tests of every area."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.wallet.conftest import PASSWORD, WalletService

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


class PageSession:
    """A browser-like client: keeps the session cookie, reads the CSRF token from pages."""

    def __init__(self, wallet: WalletService) -> None:
        self.http = wallet.client()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def csrf(self, path: str = "/login") -> str:
        found = CSRF.search(self.http.get(path).text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, *, form_page: str | None = None,
             files: Any = None, follow: bool = False) -> httpx.Response:
        """POST a form from `form_page` (default: `path`), with that page's CSRF token."""
        fields = {"csrf_token": self.csrf(form_page or path), **(data or {})}
        return self.http.post(path, data=fields, files=files, follow_redirects=follow)

    def log_in(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.post("/login", {"email": email, "password": password})
