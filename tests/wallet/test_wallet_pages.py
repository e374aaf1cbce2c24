"""The page shell through the real service: log-in, sign-up, CSRF, languages, the dossier
overview, delegations and invitations, and that pages never show another owner's dossier."""

from __future__ import annotations

import re

from tests.wallet.conftest import PASSWORD, WalletService
from tests.wallet.pages import PageSession


def test_pages_need_log_in_and_remember_where_to(sqlite_wallet: WalletService) -> None:
    browser = PageSession(sqlite_wallet)
    answer = browser.get("/d/whatever/delegations")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/d/whatever/delegations"
    login = browser.get("/login")
    assert login.status_code == 200 and '<html lang="nl">' in login.text
    assert "Inloggen" in login.text
    assert login.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]


def test_sign_up_log_out_log_in(sqlite_wallet: WalletService) -> None:
    browser = PageSession(sqlite_wallet)
    made = browser.post("/signup", {"email": "Sanne@Example.org", "name": "Sanne",
                                    "password": PASSWORD, "password_again": PASSWORD},
                        form_page="/signup")
    assert made.status_code == 303 and made.headers["location"].startswith("/d/")
    dossier = browser.get(made.headers["location"])
    assert dossier.status_code == 200 and "Mijn dossier" in dossier.text
    home = browser.get("/")
    assert "did:key:z6Mk" in home.text
    assert browser.post("/logout", form_page="/").status_code == 303
    assert browser.get("/").status_code == 303
    again = browser.log_in("sanne@example.org")
    assert again.status_code == 303 and again.headers["location"] == "/"


def test_sign_up_refusals_keep_what_was_typed(sqlite_wallet: WalletService) -> None:
    browser = PageSession(sqlite_wallet)
    mismatch = browser.post("/signup", {"email": "x@example.org", "password": PASSWORD,
                                        "password_again": PASSWORD + "!"}, form_page="/signup")
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text
    assert 'value="x@example.org"' in mismatch.text
    short = browser.post("/signup?lang=en", {"email": "y@example.org", "password": "short",
                                             "password_again": "short"}, form_page="/signup")
    assert short.status_code == 422 and "at least 10 characters" in short.text


def test_form_without_csrf_token_is_refused(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = PageSession(sqlite_wallet)
    browser.log_in(owner.email)
    forged = browser.http.post(f"/d/{owner.id}/delegations",
                               data={"email": "evil@example.org", "role": "coordinator"})
    assert forged.status_code == 403
    assert owner.client.get(owner.url("/delegations")).json() == []


def test_wrong_password_page_and_lock_out(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = PageSession(sqlite_wallet)
    statuses = [browser.log_in(owner.email, "wrong password").status_code for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    assert "seconden" in browser.log_in(owner.email).text


def test_open_redirect_after_log_in_is_refused(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = PageSession(sqlite_wallet)
    answer = browser.post("/login", {"email": owner.email, "password": PASSWORD,
                                     "next": "//evil.example/"})
    assert answer.headers["location"] == "/"


def test_english_is_remembered(sqlite_wallet: WalletService) -> None:
    browser = PageSession(sqlite_wallet)
    assert "Log in" in browser.get("/login?lang=en").text
    assert '<html lang="en">' in browser.get("/login").text


def test_invite_a_mentor_through_the_pages(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner(name="Pupil")
    browser = PageSession(wallet_server)
    browser.log_in(owner.email)
    invited = browser.post(f"/d/{owner.id}/delegations",
                           {"email": "mentor-page@example.org", "role": "mentor",
                            "scope": ["reflections:write"]})
    assert invited.status_code == 201
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', invited.text)
    assert link, invited.text
    path = "/invite/" + link.group(1).rsplit("/invite/", 1)[1]
    mentor = PageSession(wallet_server)
    accepted = mentor.post(path, {"password": PASSWORD, "name": "Mentor"})
    assert accepted.status_code == 303 and accepted.headers["location"] == f"/d/{owner.id}"
    page = mentor.get(f"/d/{owner.id}")
    assert page.status_code == 200 and "mentor" in page.text
    # a mentor does not see the owner's delegations, shares or archive pages
    assert mentor.get(f"/d/{owner.id}/delegations").status_code == 403
    assert f"/d/{owner.id}/shares" not in page.text
    # the owner withdraws; the mentor's very next page is refused
    delegation = owner.client.get(owner.url("/delegations")).json()[0]
    withdrawn = browser.post(f"/d/{owner.id}/delegations/{delegation['id']}/withdraw",
                             form_page=f"/d/{owner.id}/delegations")
    assert withdrawn.status_code == 303
    assert mentor.get(f"/d/{owner.id}").status_code == 404
    # the invitation link works once
    assert PageSession(wallet_server).post(path, {"password": PASSWORD}).status_code in (404, 409)


def test_pages_never_show_another_owners_dossier(sqlite_wallet: WalletService) -> None:
    alice, bob = sqlite_wallet.create_owner(), sqlite_wallet.create_owner()
    browser = PageSession(sqlite_wallet)
    browser.log_in(bob.email)
    for page in ("", "/delegations"):
        answer = browser.get(f"/d/{alice.id}{page}")
        assert answer.status_code == 404, page
        assert alice.email not in answer.text
