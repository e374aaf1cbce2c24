"""Log-in sessions end when they should, through the real wallet (SQLite and PostgreSQL): a
session cookie or API token copied before log-out is refused after it, a new password ends
the account's other sessions (pages and API alike), sessions expire on the service's clock
and go with a removed account, another process on the same database sees the same sessions;
and new passwords are refused, with the reason, when short, common or easily guessed."""

from __future__ import annotations

import os

import httpx
import sqlalchemy as sa

from tests.wallet.conftest import PASSWORD, Owner, WalletProcess, WalletService
from tests.wallet.pages import PageSession

NEW_PASSWORD = "zeven kikkers in de sloot"
COOKIE = "od_wallet"


def logged_in_browser(wallet: WalletService, owner: Owner) -> PageSession:
    browser = PageSession(wallet)
    assert browser.log_in(owner.email).status_code == 303
    assert browser.get("/").status_code == 200
    return browser


def copy_of_cookie(wallet: WalletService, browser: PageSession) -> httpx.Client:
    """Another client holding the browser's session cookie as it is now (a stolen copy)."""
    copy = wallet.client()
    copy.cookies.set(COOKIE, browser.http.cookies[COOKIE])
    return copy


def is_sent_to_log_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"].startswith("/login")


def test_a_cookie_copied_before_log_out_is_refused_after_it(wallet_server: WalletService,
                                                            owner: Owner) -> None:
    browser = logged_in_browser(wallet_server, owner)
    copy = copy_of_cookie(wallet_server, browser)
    assert copy.get(f"/d/{owner.id}").status_code == 200  # the copy works while logged in
    csrf = browser.csrf(f"/d/{owner.id}/delegations")  # what a thief could read as well
    assert browser.post("/logout", form_page="/").status_code == 303
    for path in ("/", f"/d/{owner.id}", f"/d/{owner.id}/evidence", "/account/password"):
        assert is_sent_to_log_in(copy.get(path)), path
    # a form posted with the copy and its CSRF token changes nothing
    forged = copy.post(f"/d/{owner.id}/delegations",
                       data={"email": "mallory@example.org", "role": "mentor",
                             "csrf_token": csrf})
    assert is_sent_to_log_in(forged)
    assert owner.client.get(owner.url("/delegations")).json() == []
    # logging in again makes a new session; the old copy stays refused
    again = logged_in_browser(wallet_server, owner)
    assert again.get(f"/d/{owner.id}").status_code == 200
    assert is_sent_to_log_in(copy.get("/"))


def test_an_api_token_is_refused_after_log_out(wallet_server: WalletService,
                                               owner: Owner) -> None:
    token = owner.client.headers["authorization"].split(" ", 1)[1]
    copy = wallet_server.client(token)
    assert copy.get("/api/me").status_code == 200
    assert owner.client.delete("/api/session").status_code == 204
    refused = copy.get("/api/me")
    assert refused.status_code == 401
    assert "ended" in refused.json()["message"]
    assert copy.get(owner.url("/credentials")).status_code == 401


def test_a_new_password_ends_every_other_session(wallet_server: WalletService,
                                                 owner: Owner) -> None:
    phone = logged_in_browser(wallet_server, owner)  # another device, logged in before
    laptop = logged_in_browser(wallet_server, owner)  # where the password is changed
    changed = laptop.post("/account/password", {"current_password": PASSWORD,
                                                "password": NEW_PASSWORD,
                                                "password_again": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert "Je wachtwoord is gewijzigd" in changed.text
    assert is_sent_to_log_in(phone.get("/"))  # the other page session has ended
    assert owner.client.get("/api/me").status_code == 401  # and so has the API token
    assert laptop.get(f"/d/{owner.id}").status_code == 200  # the one that changed it lives
    # the old password no longer logs in, the new one does
    assert PageSession(wallet_server).log_in(owner.email).status_code == 401
    assert PageSession(wallet_server).log_in(owner.email, NEW_PASSWORD).status_code == 303
    assert wallet_server.client().post("/api/session", json={
        "email": owner.email, "password": PASSWORD}).status_code == 401


def test_a_new_password_over_the_api_keeps_only_the_calling_token(
        wallet_server: WalletService, owner: Owner) -> None:
    browser = logged_in_browser(wallet_server, owner)
    other = wallet_server.client().post("/api/session", json={"email": owner.email,
                                                              "password": PASSWORD})
    other_client = wallet_server.client(other.json()["token"])
    answer = owner.client.post("/api/me/password", json={"currentPassword": PASSWORD,
                                                         "newPassword": NEW_PASSWORD})
    assert answer.status_code == 204, answer.text
    assert owner.client.get("/api/me").status_code == 200
    assert other_client.get("/api/me").status_code == 401
    assert is_sent_to_log_in(browser.get("/"))


def test_a_wrong_current_password_changes_nothing(wallet_server: WalletService,
                                                  owner: Owner) -> None:
    phone = logged_in_browser(wallet_server, owner)
    laptop = logged_in_browser(wallet_server, owner)
    wrong = laptop.post("/account/password", {"current_password": "not my password",
                                              "password": NEW_PASSWORD,
                                              "password_again": NEW_PASSWORD})
    assert wrong.status_code == 403
    assert "Het huidige wachtwoord klopt niet." in wrong.text
    api = owner.client.post("/api/me/password", json={"currentPassword": "not it either",
                                                      "newPassword": NEW_PASSWORD})
    assert api.status_code == 403 and api.json()["message"] == "the current password is wrong"
    assert phone.get("/").status_code == 200 and owner.client.get("/api/me").status_code == 200
    assert PageSession(wallet_server).log_in(owner.email).status_code == 303
    mismatch = laptop.post("/account/password", {"current_password": PASSWORD,
                                                 "password": NEW_PASSWORD,
                                                 "password_again": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text


def test_short_and_common_passwords_are_refused_with_the_reason(
        wallet_server: WalletService, owner: Owner) -> None:
    browser = PageSession(wallet_server)
    email = f"new-{os.urandom(4).hex()}@example.org"
    reasons = {
        "kort": ("Het wachtwoord moet minstens 10 tekens lang zijn.",
                 "the password must be at least 10 characters"),
        "Password123": ("Dit wachtwoord is een van de meest gebruikte wachtwoorden",
                        "the password is one of the most common passwords; choose another"),
        "wachtwoord1": ("Dit wachtwoord is te makkelijk te raden",
                        "the password is too easy to guess"),
        "aaaaaaaaaaaa": ("Dit wachtwoord is te makkelijk te raden",
                         "the password is too easy to guess"),
    }
    for password, (dutch, english) in reasons.items():
        fields = {"email": email, "password": password, "password_again": password}
        signup = browser.post("/signup", fields, form_page="/signup")
        assert signup.status_code == 422 and dutch in signup.text, password
        in_english = browser.post("/signup?lang=en", fields, form_page="/signup")
        assert in_english.status_code == 422 and english in in_english.text, password
        browser.get("/login?lang=nl")
        api = wallet_server.client().post("/api/accounts", json={"email": email,
                                                                 "password": password})
        assert api.status_code == 422 and api.json()["message"].startswith(english), password
        laptop = logged_in_browser(wallet_server, owner)
        change = laptop.post("/account/password", {"current_password": PASSWORD,
                                                   "password": password,
                                                   "password_again": password})
        assert change.status_code == 422 and dutch in change.text, password
    assert wallet_server.client().post("/api/session", json={
        "email": email, "password": "aaaaaaaaaaaa"}).status_code == 401  # never made
    # nothing changed: the old password still logs in, the owner's token still works
    assert PageSession(wallet_server).log_in(owner.email).status_code == 303
    assert owner.client.get("/api/me").status_code == 200


def test_sessions_expire_on_the_service_clock(wallet_server: WalletService,
                                              owner: Owner) -> None:
    browser = logged_in_browser(wallet_server, owner)
    assert wallet_server.context is not None
    lifetime = wallet_server.context.settings.session_lifetime_seconds
    wallet_server.clock.advance(lifetime - 60)
    try:
        assert browser.get("/").status_code == 200
        assert owner.client.get("/api/me").status_code == 200
        wallet_server.clock.advance(61)
        assert is_sent_to_log_in(browser.get("/"))
        assert owner.client.get("/api/me").status_code == 401
    finally:
        wallet_server.clock.advance(-lifetime - 1)


def test_sessions_go_with_a_removed_account(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()  # a fresh account: no dossier rows to remove first
    browser = logged_in_browser(wallet_server, owner)
    assert wallet_server.context is not None
    with wallet_server.context.engine.begin() as connection:
        sessions = sa.text("SELECT count(*) FROM loginsession WHERE account_id = :id")
        assert connection.execute(sessions, {"id": owner.id}).scalar_one() == 2  # API, page
        connection.execute(sa.text("DELETE FROM account WHERE id = :id"), {"id": owner.id})
        assert connection.execute(sessions, {"id": owner.id}).scalar_one() == 0
    assert is_sent_to_log_in(browser.get("/"))
    assert owner.client.get("/api/me").status_code == 401


def test_another_process_on_the_same_database_sees_the_same_sessions(
        wallet_server: WalletService, wallet_process: WalletProcess, owner: Owner) -> None:
    """Nothing about sessions is in process memory: a second instance (`serve wallet` on the
    same database and data directory) accepts the session and sees it end."""
    browser = logged_in_browser(wallet_server, owner)
    elsewhere = wallet_process.client()
    elsewhere.cookies.set(COOKIE, browser.http.cookies[COOKIE])
    assert elsewhere.get(f"/d/{owner.id}").status_code == 200
    token = owner.client.headers["authorization"].split(" ", 1)[1]
    assert elsewhere.get("/api/me", headers={"authorization": f"Bearer {token}"}
                         ).status_code == 200
    assert browser.post("/logout", form_page="/").status_code == 303
    assert is_sent_to_log_in(elsewhere.get(f"/d/{owner.id}"))
