"""A staff member of the issuer at the staff pages, as a browser would be: log in with e-mail
and password, then post forms with the page's CSRF token.

The stories use this for the partner institute: the example gives it staff log-ins but no
API token (only the school's token is printed), so its staff endorse through the pages.
"""

from __future__ import annotations

import re

import httpx

from examples.services import expect

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    expect(found, f"no CSRF token on {page.request.url} (status {page.status_code})")
    assert found is not None  # for the type checker; expect() has raised otherwise
    return found.group(1)


def log_in(issuer_url: str, email: str, password: str) -> httpx.Client:
    """A client holding a staff session cookie for `email`."""
    client = httpx.Client(base_url=issuer_url, timeout=60)
    login_page = client.get("/staff/login")
    answer = client.post("/staff/login", data={"email": email, "password": password,
                                               "csrf_token": csrf_of(login_page)})
    expect(answer.status_code == 303 and answer.headers.get("location", "").endswith("/staff/"),
           f"staff log-in as {email} failed: {answer.status_code} {answer.text[:300]}")
    return client


def post_form(client: httpx.Client, page: str, action: str,
              fields: dict[str, str]) -> httpx.Response:
    """Open `page` (for its CSRF token) and post `fields` to `action`, as its form does."""
    token = csrf_of(client.get(page))
    return client.post(action, data={**fields, "csrf_token": token})
