"""Deleting an account from the pages, as a browser without JavaScript does it (SQLite and
PostgreSQL): the profile page leads to a confirmation page that says what will be gone and
offers the export first, in Dutch and English; a wrong password or a missing CSRF token
deletes nothing; the right password deletes, logs out and lands on the log-in page with a
notice."""

from __future__ import annotations

from tests.wallet.conftest import PASSWORD, WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_sessions import copy_of_cookie, is_sent_to_log_in, logged_in_browser


def test_the_owner_deletes_her_account_from_the_pages(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner(name="Sanne")
    for title in ("Les 1", "Les 2"):
        owner.client.post(owner.url("/evidence"), json={"kind": "note", "title": title})
    browser = logged_in_browser(wallet_server, owner)
    profile = browser.get(f"/d/{owner.id}/profile").text
    assert "Account verwijderen" in profile and 'href="/account/delete"' in profile

    page = browser.get("/account/delete")
    assert page.status_code == 200
    for words in ("Dit verdwijnt", "2 bewijsstukken, met de bestanden", "0 reflecties",
                  "Dat kun je niet ongedaan maken", f'href="/d/{owner.id}/move"',
                  'type="password"', 'class="danger"', 'name="csrf_token"'):
        assert words in page.text, words
    english = browser.get("/account/delete?lang=en").text
    assert "What will be gone" in english and "2 items of evidence, with their files" in english
    assert "Delete account and dossier for good" in english
    browser.get("/account/delete?lang=nl")

    wrong = browser.post("/account/delete", {"password": "niet mijn wachtwoord"})
    assert wrong.status_code == 403 and "Het wachtwoord klopt niet." in wrong.text
    unforged = browser.http.post("/account/delete", data={"password": PASSWORD})
    assert unforged.status_code == 403  # no CSRF token
    assert owner.client.get("/api/me").status_code == 200  # nothing was deleted

    stolen = copy_of_cookie(wallet_server, browser)
    gone = browser.post("/account/delete", {"password": PASSWORD})
    assert gone.status_code == 303 and gone.headers["location"] == "/login?notice=deleted"
    landed = browser.get(gone.headers["location"])
    assert "Je account en je dossier zijn verwijderd." in landed.text
    assert is_sent_to_log_in(browser.get("/"))
    assert is_sent_to_log_in(stolen.get("/account/delete"))
    assert owner.client.get("/api/me").status_code == 401
    assert PageSession(wallet_server).log_in(owner.email).status_code == 401


def test_a_delegate_sees_no_deletion_on_the_owners_profile(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()
    coordinator = wallet_server.delegate(owner, "coordinator")  # profile:read
    browser = logged_in_browser(wallet_server, coordinator)
    profile = browser.get(f"/d/{owner.id}/profile")
    assert profile.status_code == 200 and "/account/delete" not in profile.text
    # the page is about the logged-in account itself, never someone else's
    assert f"/d/{coordinator.id}/move" in browser.get("/account/delete").text
