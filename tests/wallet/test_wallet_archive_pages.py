"""The move-school pages in a browser without JavaScript (cookies, CSRF forms), on two real
wallet instances (SQLite and PostgreSQL): export with a password typed twice, import with the
result in words, refusals shown, bundles downloaded."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import issuer, issuer_org  # noqa: F401
from tests.wallet.conftest import PASSWORD, WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_archive import (  # noqa: F401
    add_credentials,
    members,
    wallet_b,
)


@pytest.fixture(scope="module")
def issuer_api(issuer: IssuerService,  # noqa: F811
               issuer_org: dict[str, Any]) -> Iterator[httpx.Client]:  # noqa: F811
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


def logged_in(server: WalletService, email: str) -> PageSession:
    browser = PageSession(server)
    answer = browser.log_in(email)
    assert answer.status_code == 303, answer.text[:300]
    return browser


def test_move_pages_export_and_import(wallet_server: WalletService,
                                      wallet_b: WalletService,  # noqa: F811
                                      issuer_api: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    [credential_id] = add_credentials(owner, issuer_api, ["Observeren"])
    browser = logged_in(wallet_server, owner.email)
    move = f"/d/{owner.id}/move"
    page = browser.get(move)
    assert page.status_code == 200 and 'lang="nl"' in page.text and "Verhuizen" in page.text
    assert 'for="f-password-again"' in page.text and 'for="f-archive"' in page.text
    assert "Move school" in browser.get(f"{move}?lang=en").text
    browser.get(f"{move}?lang=nl")

    mismatch = browser.post(f"{move}/export", {"password": PASSWORD, "password_again": "x"},
                            form_page=move)
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text
    assert 'role="alert"' in mismatch.text and 'aria-describedby="form-error"' in mismatch.text
    short = browser.post(f"{move}/export", {"password": "kort", "password_again": "kort"},
                         form_page=move)
    assert short.status_code == 422 and "minstens 10" in short.text
    exported = browser.post(f"{move}/export", {"password": PASSWORD,
                                               "password_again": PASSWORD}, form_page=move)
    assert exported.status_code == 200, exported.text[:300]
    assert exported.headers["content-type"] == "application/zip"
    assert "attachment" in exported.headers["content-disposition"]
    assert "holder-key.json" in members(exported.content, PASSWORD)

    vp = browser.get(f"{move}/vp")
    assert vp.status_code == 200 and "attachment" in vp.headers["content-disposition"]
    assert json.loads(vp.text)["holder"] == owner.did
    assert browser.get(f"{move}/clr").status_code == 200

    newcomer = wallet_b.sign_up()
    other = logged_in(wallet_b, newcomer.email)
    target = f"/d/{newcomer.id}/move"
    # Nothing to bundle yet: no links that would only lead to an error, a line that says so.
    empty = other.get(target).text
    assert f"{target}/vp" not in empty and f"{target}/clr" not in empty
    assert "nog geen credentials" in empty
    assert f'href="{move}/vp"' in browser.get(move).text
    wrong = other.post(f"{target}/import", {"password": "not the password"}, form_page=target,
                       files={"archive": ("dossier.zip", exported.content, "application/zip")})
    assert wrong.status_code == 422 and "Verkeerd wachtwoord" in wrong.text
    assert newcomer.client.get(newcomer.url("/credentials")).json() == []
    done = other.post(f"{target}/import", {"password": PASSWORD}, form_page=target,
                      files={"archive": ("dossier.zip", exported.content, "application/zip")})
    assert done.status_code == 200, done.text[:500]
    assert "Dossier binnengehaald" in done.text and "1 toegevoegd" in done.text
    listed = newcomer.client.get(newcomer.url("/credentials")).json()
    assert [c["id"] for c in listed] == [credential_id]

    no_csrf = other.http.post(f"{target}/import",
                              files={"archive": ("d.zip", b"PK", "application/zip")})
    assert no_csrf.status_code == 403
    no_file = other.post(f"{target}/import", {}, form_page=target)
    assert no_file.status_code == 400 and "Kies een archief" in no_file.text
    # a delegate does not see the page at all
    mentor = wallet_server.delegate(owner, "mentor")
    mentor_pages = logged_in(wallet_server, mentor.email)
    assert mentor_pages.get(move).status_code == 403
