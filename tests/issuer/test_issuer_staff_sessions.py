"""Staff log-in sessions end when they should, through the real issuer (SQLite and
PostgreSQL): a session cookie copied before log-out is refused after it, a new password ends
the account's other sessions, sessions go with a removed staff account (also through
`opendossier issuer remove-staff`, which keeps what the staff member issued), another
instance on the same database sees the same sessions; and new staff passwords are refused,
with the reason, when short, common or easily guessed."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session

from issuer.services.organisations import create_staff, get_organisation
from servicekit.errors import Refused
from tests.inprocess import NETWORK
from tests.issuer.conftest import IssuerService, opendossier_in_process
from tests.issuer.test_issuer_web import (
    PASSWORD,
    Staff,
    create_achievement,
    csrf_of,
    issue,
    location,
    new_staff,
)

NEW_PASSWORD = "zeven kikkers in de sloot"
COOKIE = "od_issuer_staff"


@pytest.fixture
def clients() -> Iterator[list[httpx.Client]]:
    made: list[httpx.Client] = []
    yield made
    for client in made:
        client.close()


def logged_in(server: IssuerService, email: str, clients: list[httpx.Client],
              password: str = PASSWORD) -> httpx.Client:
    client = NETWORK.client(server.base_url)
    clients.append(client)
    token = csrf_of(client.get("/staff/login").text)
    answer = client.post("/staff/login", data={"email": email, "password": password,
                                               "csrf_token": token})
    assert location(answer) == "/staff/", answer.text
    assert client.get("/staff/").status_code == 200
    return client


def copy_of_cookie(base_url: str, browser: httpx.Client,
                   clients: list[httpx.Client]) -> httpx.Client:
    copy = NETWORK.client(base_url)
    clients.append(copy)
    copy.cookies.set(COOKIE, browser.cookies[COOKIE], path="/staff")
    return copy


def post_form(client: httpx.Client, path: str, data: dict[str, str]) -> httpx.Response:
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token})


def is_sent_to_log_in(answer: httpx.Response) -> bool:
    return answer.status_code == 303 and answer.headers["location"] == "/staff/login"


def log_in_fails(server: IssuerService, email: str, password: str,
                 clients: list[httpx.Client]) -> bool:
    client = NETWORK.client(server.base_url)
    clients.append(client)
    token = csrf_of(client.get("/staff/login").text)
    return client.post("/staff/login", data={"email": email, "password": password,
                                             "csrf_token": token}).status_code == 400


def test_a_cookie_copied_before_log_out_is_refused_after_it(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    _org, email = new_staff(issuer_server)
    browser = logged_in(issuer_server, email, clients)
    copy = copy_of_cookie(issuer_server.base_url, browser, clients)
    assert copy.get("/staff/achievements").status_code == 200  # works while logged in
    csrf = csrf_of(browser.get("/staff/achievements/new").text)  # a thief could read it too
    assert is_sent_to_log_in(browser.post("/staff/logout", data={"csrf_token": csrf}))
    for path in ("/staff/", "/staff/achievements", "/staff/issue", "/staff/password"):
        assert is_sent_to_log_in(copy.get(path)), path
    forged = copy.post("/staff/achievements/new", data={
        "name": "Vervalst", "description": "x", "criteria": "y", "csrf_token": csrf})
    assert is_sent_to_log_in(forged)
    # the log-in page does not take the ended session for a live one
    assert copy.get("/staff/login").status_code == 200
    again = logged_in(issuer_server, email, clients)
    assert "Vervalst" not in again.get("/staff/achievements").text
    assert is_sent_to_log_in(copy.get("/staff/"))


def test_a_new_password_ends_every_other_session(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    _org, email = new_staff(issuer_server)
    other_device = logged_in(issuer_server, email, clients)
    this_device = logged_in(issuer_server, email, clients)
    changed = post_form(this_device, "/staff/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD})
    assert changed.status_code == 200, changed.text
    assert "Je wachtwoord is gewijzigd" in changed.text
    assert is_sent_to_log_in(other_device.get("/staff/"))
    assert this_device.get("/staff/").status_code == 200
    assert log_in_fails(issuer_server, email, PASSWORD, clients)
    logged_in(issuer_server, email, clients, password=NEW_PASSWORD)


def test_a_wrong_current_password_or_a_weak_new_one_changes_nothing(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    _org, email = new_staff(issuer_server)
    other_device = logged_in(issuer_server, email, clients)
    this_device = logged_in(issuer_server, email, clients)
    wrong = post_form(this_device, "/staff/password", {
        "current_password": "not my password", "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD})
    assert wrong.status_code == 403 and "Het huidige wachtwoord klopt niet." in wrong.text
    mismatch = post_form(this_device, "/staff/password", {
        "current_password": PASSWORD, "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD + "!"})
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text
    reasons = {
        "kort": ("Het wachtwoord moet minstens 10 tekens lang zijn.",
                 "the password must be at least 10 characters"),
        "qwertyuiop": ("Dit wachtwoord is een van de meest gebruikte wachtwoorden",
                       "the password is one of the most common passwords; choose another"),
        "Amsterdam1!": ("Dit wachtwoord is te makkelijk te raden",
                        "the password is too easy to guess"),
    }
    for password, (dutch, english) in reasons.items():
        fields = {"current_password": PASSWORD, "password": password,
                  "password_again": password}
        refused = post_form(this_device, "/staff/password", fields)
        assert refused.status_code == 422 and dutch in refused.text, password
        this_device.get("/staff/password", params={"lang": "en"})
        in_english = post_form(this_device, "/staff/password", fields)
        assert in_english.status_code == 422 and english in in_english.text, password
        this_device.get("/staff/password", params={"lang": "nl"})
    assert other_device.get("/staff/").status_code == 200  # no session was ended
    assert log_in_fails(issuer_server, email, NEW_PASSWORD, clients)
    logged_in(issuer_server, email, clients)  # the old password still works


def test_new_staff_accounts_need_a_strong_password(issuer_server: IssuerService) -> None:
    org = issuer_server.create_org("School met regels")
    with Session(issuer_server.ctx.engine) as session:
        for password, reason in (("kort", "at least 10 characters"),
                                 ("password123", "one of the most common passwords"),
                                 ("1234567890", "one of the most common passwords"),
                                 ("abcdefghij", "too easy to guess")):
            with pytest.raises(Refused, match=reason):
                create_staff(session, get_organisation(session, org["org"]),
                             "nieuw@school.example", password)


def test_sessions_go_with_a_removed_staff_account(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    _org, email = new_staff(issuer_server)
    browser = logged_in(issuer_server, email, clients)
    with issuer_server.ctx.engine.begin() as connection:
        staff_id = connection.execute(sa.text("SELECT id FROM staffuser WHERE email = :email"),
                                      {"email": email}).scalar_one()
        sessions = sa.text("SELECT count(*) FROM staffsession WHERE account_id = :id")
        assert connection.execute(sessions, {"id": staff_id}).scalar_one() == 1
        connection.execute(sa.text("DELETE FROM staffuser WHERE id = :id"), {"id": staff_id})
        assert connection.execute(sessions, {"id": staff_id}).scalar_one() == 0
    assert is_sent_to_log_in(browser.get("/staff/"))


def test_remove_staff_ends_the_sessions_and_keeps_what_was_issued(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    org, email = new_staff(issuer_server)
    colleague = f"collega-{email}"
    with Session(issuer_server.ctx.engine) as session:
        create_staff(session, get_organisation(session, org["org"]), colleague, PASSWORD)
        session.commit()
    _other_org, elsewhere = new_staff(issuer_server)
    browser = logged_in(issuer_server, email, clients)
    copy = copy_of_cookie(issuer_server.base_url, browser, clients)
    staff = Staff(issuer_server, org, email, browser)
    record_id = issue(staff, create_achievement(staff))

    def remove_staff(org_id: str, address: str) -> subprocess.CompletedProcess[str]:
        return opendossier_in_process("issuer", "remove-staff", org_id, address,
                                      *issuer_server.storage_args(), check=False)

    # a staff member of another organisation is not removed through this one
    refused = remove_staff(org["org"], elsewhere)
    assert refused.returncode == 2 and "has no staff account" in refused.stderr
    logged_in(issuer_server, elsewhere, clients)
    removed = remove_staff(org["org"], email.upper())
    assert removed.returncode == 0, removed.stderr
    assert json.loads(removed.stdout)["email"] == email
    for client in (browser, copy):
        assert is_sent_to_log_in(client.get("/staff/"))
    assert log_in_fails(issuer_server, email, PASSWORD, clients)
    # what was issued is the organisation's: a colleague still finds it
    record = logged_in(issuer_server, colleague, clients).get(f"/staff/issued/{record_id}")
    assert record.status_code == 200 and "Anna Jansen" in record.text
    assert remove_staff(org["org"], email).returncode == 2  # gone already


def test_another_instance_on_the_same_database_sees_the_same_sessions(
        issuer_server: IssuerService, clients: list[httpx.Client]) -> None:
    """Nothing about sessions is in process memory: a second issuer on the same database
    and data directory accepts the session, and sees it end."""
    _org, email = new_staff(issuer_server)
    second = IssuerService(issuer_server.data_dir, issuer_server.database_url,
                           public_url=issuer_server.base_url).start()
    try:
        browser = logged_in(issuer_server, email, clients)
        elsewhere = copy_of_cookie(second.base_url, browser, clients)
        assert elsewhere.get("/staff/").status_code == 200
        assert is_sent_to_log_in(browser.post("/staff/logout", data={
            "csrf_token": csrf_of(browser.get("/staff/").text)}))
        assert is_sent_to_log_in(elsewhere.get("/staff/"))
    finally:
        second.stop()
