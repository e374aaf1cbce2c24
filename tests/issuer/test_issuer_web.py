"""The staff web pages over real HTTP (SQLite and PostgreSQL): log-in, CSRF, language, and
every page driven through its forms as a browser without JavaScript would."""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from issuer.services.organisations import create_staff, get_organisation
from issuer.web.auth import LoginLimiter
from issuer.web.i18n import LOCALE_DIR
from standards.verification import verify_credential
from tests.catalogues import texts
from tests.inprocess import NETWORK, local_fetcher
from tests.issuer.conftest import IssuerService
from tests.matching import first_group

WEB = Path(__file__).resolve().parents[2] / "issuer" / "web"
TEMPLATES = WEB / "templates"
CASE_PACKAGE = Path(__file__).parent / "data" / "bekwaamheidseisen-case.json"
PASSWORD = "correct horse battery"
DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
COMPETENCES_CSV = "code,naam,omschrijving\nPED-1,Pedagogisch klimaat,Zorgt voor veiligheid\n" \
                  "DID-1,Didactisch handelen,Stemt af op leerlingen\n"


class FormCheck(HTMLParser):
    """Collects what the accessibility checks need: html lang, labels, form controls."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.viewport = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        elif tag == "meta" and attributes.get("name") == "viewport":
            self.viewport = True
        elif tag in ("input", "select", "textarea") and \
                attributes.get("type") not in ("hidden", "submit"):
            self.controls.append(attributes)


DUTCH, ENGLISH = texts(LOCALE_DIR, "nl"), texts(LOCALE_DIR, "en")
SECTIONS = sorted({key.split(".")[0] for key in DUTCH})
UNTRANSLATED = re.compile(r"[>\"]\s*(?:" + "|".join(SECTIONS) + r")\.[a-z_]+\s*[<\"]")


def check_page(html: str, lang: str = "nl") -> None:
    """Every page: <html lang>, a viewport for phones, a label for every input, and no
    catalogue key shown instead of its text."""
    parsed = FormCheck()
    parsed.feed(html)
    assert parsed.lang == lang
    assert parsed.viewport
    unlabelled = [c for c in parsed.controls if c.get("id") not in parsed.label_for]
    assert not unlabelled, unlabelled
    assert not UNTRANSLATED.search(html), UNTRANSLATED.search(html)


@dataclass
class Staff:
    server: IssuerService
    org: dict[str, Any]
    email: str
    client: httpx.Client

    def page(self, path: str, *, status: int = 200, **params: Any) -> str:
        response = self.client.get(path, params=params or None)  # {} would drop path's query
        assert response.status_code == status, response.text[:2000]
        check_page(response.text, self.client.cookies.get("od_lang") or "nl")
        return response.text

    def post(self, path: str, data: dict[str, Any], *, token_from: str | None = None,
             files: dict[str, Any] | None = None) -> httpx.Response:
        """Post a form the way a browser does: with the CSRF token of the page it is on."""
        token = csrf_of(self.page(token_from or "/staff/"))
        return self.client.post(path, data={**data, "csrf_token": token}, files=files)


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def new_staff(server: IssuerService) -> tuple[dict[str, Any], str]:
    org = server.create_org(f"School {os.urandom(3).hex()}")
    email = f"staff-{os.urandom(4).hex()}@school.example"
    with Session(server.ctx.engine) as session:  # what `opendossier issuer create-staff` does
        create_staff(session, get_organisation(session, org["org"]), email, PASSWORD,
                     "Mevrouw Jansen")
        session.commit()
    return org, email


@contextmanager
def log_in(server: IssuerService, email: str) -> Iterator[httpx.Client]:
    with NETWORK.client(server.base_url) as client:
        token = csrf_of(client.get("/staff/login").text)
        response = client.post("/staff/login", data={"email": email, "password": PASSWORD,
                                                     "csrf_token": token})
        assert response.status_code == 303, response.text
        yield client


@pytest.fixture
def staff(issuer_server: IssuerService, tmp_path: Path) -> Iterator[Staff]:
    org, email = new_staff(issuer_server)
    with log_in(issuer_server, email) as client:
        yield Staff(issuer_server, org, email, client)


def location(response: httpx.Response) -> str:
    assert response.status_code == 303, response.text[:2000]
    return response.headers["location"]


def create_achievement(staff: Staff, **fields: Any) -> str:
    data = {"name": "Klassenmanagement", "description": "Leidt een klas rustig.",
            "criteria": "Drie lesobservaties.", "achievement_type": "Competency",
            "rubric_name": "Niveau", "levels": "Beginnend\nBekwaam\n", "valid_days": "365",
            **fields}
    target = location(staff.post("/staff/achievements/new", data,
                                 token_from="/staff/achievements/new"))
    assert target.startswith("/staff/achievements/")
    return target.split("/")[-1].split("?")[0]


def issue(staff: Staff, achievement_id: str, **fields: Any) -> str:
    """Issue through the form; returns the record id from the result page's URL."""
    form = staff.page("/staff/issue", achievement=achievement_id)
    nonce = re.search(r'name="nonce" value="([^"]*)"', form)
    data = {"achievement": achievement_id, "recipient": "a.jansen@school.example",
            "recipient_name": "Anna Jansen", "nonce": nonce.group(1) if nonce else "",
            "format": "ldp_vc", "status_purpose": "revocation", **fields}
    target = location(staff.post("/staff/issue", data, token_from="/staff/issue"))
    assert target.endswith("?issued=1")
    return target.split("/")[-1].split("?")[0]


def status_bit(client: httpx.Client, entry: dict[str, Any]) -> bool:
    encoded = client.get(entry["statusListCredential"]).json()["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def downloaded(staff: Staff, record_id: str) -> dict[str, Any]:
    response = staff.client.get(f"/staff/issued/{record_id}/download")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    return response.json()


# --- catalogues ---------------------------------------------------------------------------
def test_catalogues_have_the_same_keys_and_cover_the_templates() -> None:
    assert set(DUTCH) == set(ENGLISH)
    for key in DUTCH:
        # The same placeholders in both languages, or a page breaks in one of them.
        assert set(re.findall(r"{(\w+)}", DUTCH[key])) == \
            set(re.findall(r"{(\w+)}", ENGLISH[key])), key
    used, prefixes = set(), set()
    for template in TEMPLATES.glob("*.html"):
        source = template.read_text()
        used |= set(re.findall(r"\bt\('([a-z_.]+)'\s*[,)]", source))
        prefixes |= set(re.findall(r"\bt\('([a-z_.]+)'\s*~", source))
    for module in WEB.rglob("*.py"):
        source = module.read_text()
        used |= set(re.findall(r'\b(?:t|FormProblem)\("([a-z_.]+)"', source))
        used |= set(re.findall(r'(?:parse_day|positive_int)\(.*, "([a-z]+\.[a-z_]+)"\)', source))
    assert len(used) > 200  # the scan finds the keys (a broken pattern would find none)
    assert used - set(DUTCH) == set()
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in DUTCH), prefix


# --- log-in, sessions, CSRF, language -------------------------------------------------------
def test_login_limiter_locks_and_releases() -> None:
    now = [1000.0]
    limiter = LoginLimiter(max_failures=5, lockout_seconds=60, clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("A@x.nl", "10.0.0.1")
    assert limiter.wait_seconds("a@x.nl", "10.0.0.1") == 0
    limiter.failed("a@x.nl", "10.0.0.1")
    assert limiter.wait_seconds("a@x.nl", "10.0.0.1") == 60
    assert limiter.wait_seconds("a@x.nl", "10.0.0.2") == 0  # per address
    assert limiter.wait_seconds("b@x.nl", "10.0.0.1") == 0  # per e-mail
    now[0] += 59.5
    assert limiter.wait_seconds("a@x.nl", "10.0.0.1") == 1
    now[0] += 1
    assert limiter.wait_seconds("a@x.nl", "10.0.0.1") == 0
    limiter.failed("a@x.nl", "10.0.0.1")  # counting starts again after a lockout
    assert limiter.wait_seconds("a@x.nl", "10.0.0.1") == 0


def test_not_logged_in_is_sent_to_the_login_page(issuer_server: IssuerService) -> None:
    with NETWORK.client(issuer_server.base_url) as client:
        assert location(client.get("/")) == "/staff/"
        for path in ("/staff/", "/staff/issued", "/staff/achievements/new", "/staff/bulk"):
            assert location(client.get(path)) == "/staff/login"
        login = client.get("/staff/login")
        assert login.status_code == 200
        assert login.headers["cache-control"] == "no-store"
        check_page(login.text)


def test_login_wrong_password_then_right(issuer_server: IssuerService, tmp_path: Path) -> None:
    _org, email = new_staff(issuer_server)
    with NETWORK.client(issuer_server.base_url) as client:
        token = csrf_of(client.get("/staff/login").text)
        wrong = client.post("/staff/login", data={"email": email, "password": "not it",
                                                  "csrf_token": token})
        assert wrong.status_code == 400
        assert "klopt niet" in wrong.text
        assert email in wrong.text  # the input is kept
        assert location(client.get("/staff/")) == "/staff/login"
        right = client.post("/staff/login", data={"email": email.upper(), "password": PASSWORD,
                                                  "csrf_token": token})
        assert location(right) == "/staff/"
        dashboard = client.get("/staff/")
        assert dashboard.status_code == 200
        assert "Mevrouw Jansen" in dashboard.text
        # log-out ends the session
        logout = client.post("/staff/logout", data={"csrf_token": csrf_of(dashboard.text)})
        assert location(logout) == "/staff/login"
        assert location(client.get("/staff/")) == "/staff/login"


def test_repeated_failures_lock_the_login(issuer_server: IssuerService, tmp_path: Path) -> None:
    _org, email = new_staff(issuer_server)
    with NETWORK.client(issuer_server.base_url) as client:
        token = csrf_of(client.get("/staff/login").text)
        for _ in range(5):
            response = client.post("/staff/login", data={"email": email, "password": "wrong",
                                                          "csrf_token": token})
            assert response.status_code == 400
        locked = client.post("/staff/login", data={"email": email, "password": PASSWORD,
                                                   "csrf_token": token})
        assert locked.status_code == 429
        assert "Te veel mislukte pogingen" in locked.text
        assert location(client.get("/staff/")) == "/staff/login"


def test_posts_without_the_csrf_token_are_refused(staff: Staff) -> None:
    data = {"name": "Sneaky", "description": "x", "criteria": "y"}
    missing = staff.client.post("/staff/achievements/new", data=data)
    assert missing.status_code == 403
    wrong = staff.client.post("/staff/achievements/new", data={**data, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert staff.client.post("/staff/logout").status_code == 403
    listing = staff.page("/staff/achievements")
    assert "Sneaky" not in listing  # nothing was created, and the session still works
    with NETWORK.client(staff.server.base_url) as stranger:  # another browser's token
        token = csrf_of(stranger.get("/staff/login").text)
    assert staff.client.post("/staff/achievements/new",
                             data={**data, "csrf_token": token}).status_code == 403


def test_language_switch(issuer_server: IssuerService, staff: Staff) -> None:
    dutch = staff.client.get("/staff/")
    assert '<html lang="nl">' in dutch.text and "Overzicht" in dutch.text
    english = staff.client.get("/staff/", params={"lang": "en"})
    assert '<html lang="en">' in english.text
    assert "Dashboard" in english.text and "Log out" in english.text
    # remembered in a cookie
    again = staff.client.get("/staff/achievements")
    assert '<html lang="en">' in again.text and "New badge" in again.text
    check_page(again.text, "en")
    back = staff.client.get("/staff/achievements", params={"lang": "nl"})
    assert '<html lang="nl">' in back.text and "Nieuwe badge" in back.text
    with NETWORK.client(issuer_server.base_url) as client:
        page = client.get("/staff/login", params={"lang": "en"})
        assert '<html lang="en">' in page.text and "E-mail address" in page.text


# --- frameworks and achievements --------------------------------------------------------------
def test_import_frameworks_and_create_an_aligned_achievement(staff: Staff) -> None:
    target = location(staff.post("/staff/frameworks/import-csv", {"title": "Bekwaamheid"},
                                 token_from="/staff/frameworks",
                                 files={"file": ("kader.csv", COMPETENCES_CSV, "text/csv")}))
    framework_page = staff.page(target)
    assert "Pedagogisch klimaat" in framework_page and "DID-1" in framework_page
    case = location(staff.post("/staff/frameworks/import-case", {},
                               token_from="/staff/frameworks",
                               files={"file": ("case.json", CASE_PACKAGE.read_bytes(),
                                               "application/json")}))
    assert staff.client.get(case).status_code == 200
    bad = staff.post("/staff/frameworks/import-case", {}, token_from="/staff/frameworks",
                     files={"file": ("case.json", b"[1, 2]", "application/json")})
    assert bad.status_code == 400 and "geen JSON-object" in bad.text

    form = staff.page("/staff/achievements/new")
    competence_id = first_group(r'id="c-(\w+)" name="competence" value="\w+"[^>]*>\s*'
                                r'<label for="c-\w+">PED-1', form)
    achievement_id = create_achievement(staff, competence=[competence_id])
    page = staff.page(f"/staff/achievements/{achievement_id}")
    assert "Klassenmanagement" in page and "Pedagogisch klimaat" in page and "Bekwaam" in page
    public = staff.client.get(f"/achievements/{achievement_id}").json()
    assert public["alignment"][0]["targetCode"] == "PED-1"
    levels = public["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["name"] for level in levels] == ["Beginnend", "Bekwaam"]
    assert "Klassenmanagement" in staff.page("/staff/achievements")


def test_achievement_form_errors_keep_the_input(staff: Staff) -> None:
    response = staff.post("/staff/achievements/new",
                          {"name": "", "description": "Bewaar mij", "criteria": "c"},
                          token_from="/staff/achievements/new")
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "Bewaar mij" in response.text
    bad_days = staff.post("/staff/achievements/new",
                          {"name": "N", "description": "D", "criteria": "C", "valid_days": "-3"},
                          token_from="/staff/achievements/new")
    assert bad_days.status_code == 400 and "positief geheel getal" in bad_days.text
    assert "Bewaar mij" not in staff.page("/staff/achievements")


# --- issuing, the record, status --------------------------------------------------------------
def test_issue_one_through_the_form(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    form = staff.page("/staff/issue", achievement=achievement_id)
    level = first_group(r'<option value="(urn:uuid:[^"]+)">Niveau: Bekwaam', form)
    record_id = issue(staff, achievement_id, level=level, evidence_url="https://example.org/les",
                      evidence_name="Lesvideo", valid_from="2025-02-01",
                      valid_until="2999-12-31")
    page = staff.page(f"/staff/issued/{record_id}", issued="1")
    assert "De badge is uitgereikt" in page and f"/staff/issued/{record_id}/download" in page
    credential = downloaded(staff, record_id)
    assert credential["validFrom"] == "2025-02-01T00:00:00Z"
    assert credential["validUntil"] == "2999-12-31T23:59:59Z"  # the whole last day
    assert credential["credentialSubject"]["result"][0]["achievedLevel"] == level
    assert credential["evidence"][0]["name"] == "Lesvideo"
    result = verify_credential(credential, fetcher=local_fetcher(),
                               check_status=True)
    assert result.verified, result.to_json()

    listing = staff.page("/staff/issued", recipient="a.jansen@school.example")
    assert f"/staff/issued/{record_id}" in listing and "Anna Jansen" in listing
    assert record_id not in staff.page("/staff/issued", recipient="someone@else.example")
    period: dict[str, Any] = {"from": "2000-01-01", "to": "2999-12-31"}  # "from" is a keyword
    assert record_id in staff.page("/staff/issued", achievement=achievement_id, **period)
    assert record_id not in staff.page("/staff/issued", to="2000-01-01")
    bad_date = staff.client.get("/staff/issued", params={"from": "gisteren"})
    assert bad_date.status_code == 400 and "geen geldige datum" in bad_date.text


def test_the_same_form_twice_issues_once_and_errors_show_on_the_form(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    form = staff.page("/staff/issue", achievement=achievement_id)
    nonce = first_group(r'name="nonce" value="([^"]+)"', form)
    data = {"achievement": achievement_id, "recipient": DID, "nonce": nonce}
    first = location(staff.post("/staff/issue", data, token_from="/staff/issue"))
    second = location(staff.post("/staff/issue", data, token_from="/staff/issue"))
    assert first == second
    listing = staff.page("/staff/issued", achievement=achievement_id)
    assert "1–1 van 1" in listing

    refused = staff.post("/staff/issue", {**data, "recipient": "geen adres", "nonce": "n2"},
                         token_from="/staff/issue")
    assert refused.status_code == 422
    assert "is geen DID en geen e-mailadres" in refused.text  # the refusal, in Dutch
    assert 'value="geen adres"' in refused.text


def test_revoke_through_the_form_changes_the_published_list(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    record_id = issue(staff, achievement_id)
    entry = downloaded(staff, record_id)["credentialStatus"]
    assert status_bit(staff.client, entry) is False
    # without the confirmation step nothing happens
    skipped = staff.post(f"/staff/issued/{record_id}/status", {"status": "revoked"})
    assert location(skipped) == f"/staff/issued/{record_id}/revoke"
    assert status_bit(staff.client, entry) is False
    confirm = staff.page(f"/staff/issued/{record_id}/revoke")
    assert "definitief" in confirm
    done = staff.post(f"/staff/issued/{record_id}/status", {"status": "revoked", "confirm": "yes"})
    assert location(done) == f"/staff/issued/{record_id}?changed=revoked"
    assert status_bit(staff.client, entry) is True
    assert 'class="badge revoked"' in staff.page(f"/staff/issued/{record_id}")
    again = staff.post(f"/staff/issued/{record_id}/status", {"status": "active"})
    assert again.status_code == 409 and 'role="alert"' in again.text
    assert status_bit(staff.client, entry) is True


def test_suspend_and_reinstate_through_the_form(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    record_id = issue(staff, achievement_id, status_purpose="suspension", format="jwt_vc_json")
    download = staff.client.get(f"/staff/issued/{record_id}/download")
    payload = download.text.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    entry = claims.get("vc", claims)["credentialStatus"]
    assert entry["statusPurpose"] == "suspension"
    page = staff.page(f"/staff/issued/{record_id}")
    assert "Schorsen" in page and "Intrekken" not in page
    staff.post(f"/staff/issued/{record_id}/status", {"status": "suspended"})
    assert status_bit(staff.client, entry) is True
    assert "Herstellen" in staff.page(f"/staff/issued/{record_id}")
    staff.post(f"/staff/issued/{record_id}/status", {"status": "active"})
    assert status_bit(staff.client, entry) is False


def test_another_organisation_sees_nothing(staff: Staff, tmp_path: Path) -> None:
    achievement_id = create_achievement(staff)
    record_id = issue(staff, achievement_id)
    _org, email = new_staff(staff.server)
    with log_in(staff.server, email) as other:
        assert other.get(f"/staff/issued/{record_id}").status_code == 404
        assert other.get(f"/staff/issued/{record_id}/download").status_code == 404
        assert other.get(f"/staff/achievements/{achievement_id}").status_code == 404
        token = csrf_of(other.get("/staff/").text)
        refused = other.post(f"/staff/issued/{record_id}/status",
                             data={"status": "revoked", "confirm": "yes", "csrf_token": token})
        assert refused.status_code == 404
    assert 'class="badge active"' in staff.page(f"/staff/issued/{record_id}")


# --- bulk, endorsements, offers ---------------------------------------------------------------
def test_bulk_issue_with_progress_and_row_results(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    csv_text = ("recipient,name\nb.bakker@school.example,Bram Bakker\nnot-an-address,Fout\n"
                f"{DID},Chris\n")
    target = location(staff.post("/staff/bulk", {"achievement": achievement_id},
                                 token_from="/staff/bulk",
                                 files={"file": ("klas.csv", csv_text, "text/csv")}))
    job_id = target.split("/")[-1]
    progress: dict[str, Any] = {}
    for _ in range(600):
        progress = staff.client.get(f"/staff/bulk/{job_id}/progress.json").json()
        if progress["state"] != "running":
            break
        time.sleep(0.1)
    assert progress["state"] == "finished", progress
    assert (progress["total"], progress["issued"], progress["failed"]) == (3, 2, 1)
    assert "2 uitgereikt" in progress["text"]
    page = staff.page(target)
    assert "<progress" in page and 'http-equiv="refresh"' not in page  # done: no refresh
    assert page.count("<td>uitgereikt</td>") == 2 and "<td>fout</td>" in page
    errors_only = staff.page(target, outcome="error")
    assert "not-an-address" in errors_only and "b.bakker" not in errors_only
    bad = staff.post("/staff/bulk", {"achievement": achievement_id}, token_from="/staff/bulk",
                     files={"file": ("x.csv", "email\nx@y.nl\n", "text/csv")})
    assert bad.status_code == 422 and "recipient" in bad.text


def test_issued_list_pages(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    csv_text = "recipient\n" + "".join(f"r{n}@school.example\n" for n in range(27))
    target = location(staff.post("/staff/bulk", {"achievement": achievement_id},
                                 token_from="/staff/bulk",
                                 files={"file": ("27.csv", csv_text, "text/csv")}))
    for _ in range(600):
        if staff.client.get(f"{target}/progress.json").json()["state"] != "running":
            break
        time.sleep(0.1)
    first = staff.page("/staff/issued", achievement=achievement_id)
    assert "1–25 van 27" in first and first.count('class="badge active"') == 25
    next_url = first_group(r'<a href="([^"]+)" rel="next">', first).replace("&amp;", "&")
    second = staff.page(next_url)
    assert "26–27 van 27" in second and second.count('class="badge active"') == 2
    assert 'rel="prev"' in second and 'rel="next"' not in second


def test_endorse_list_and_withdraw(staff: Staff, tmp_path: Path) -> None:
    achievement_id = create_achievement(staff)
    achievement_url = f"{staff.server.base_url}/achievements/{achievement_id}"
    _org, email = new_staff(staff.server)
    with log_in(staff.server, email) as client:
        endorser = Staff(staff.server, _org, email, client)
        own = endorser.post("/staff/endorsements", {"target_kind": "profile",
                                                     "target_id": "not a did"},
                            token_from="/staff/endorsements")
        assert own.status_code == 422 and 'value="not a did"' in own.text
        done = endorser.post("/staff/endorsements", {
            "target_kind": "achievement", "target_id": achievement_url,
            "comment": "Sterke badge voor de praktijk."}, token_from="/staff/endorsements")
        assert location(done) == "/staff/endorsements?done=made"
        made = endorser.page("/staff/endorsements")
        assert "Sterke badge voor de praktijk." in made
        endorsement_id = first_group(r'/staff/endorsements/(\w+)/withdraw', made)
        received = staff.page("/staff/endorsements")
        assert "Sterke badge voor de praktijk." in received
        assert f"/staff/endorsements/{endorsement_id}/withdraw" not in received
        public = staff.client.get(f"/achievements/{achievement_id}").json()
        assert public["endorsement"][0]["credentialSubject"]["endorsementComment"]
        assert "Sterke badge" in endorser.page(f"/staff/endorsements/{endorsement_id}/withdraw")
        gone = endorser.post(f"/staff/endorsements/{endorsement_id}/withdraw", {"confirm": "yes"})
        assert location(gone) == "/staff/endorsements?done=withdrawn"
        assert "ingetrokken" in endorser.page("/staff/endorsements")
    assert "endorsement" not in staff.client.get(f"/achievements/{achievement_id}").json()


def test_offer_with_qr_and_transaction_code(staff: Staff) -> None:
    achievement_id = create_achievement(staff)
    page = staff.page("/staff/offers", achievement=achievement_id)
    assert f'<option value="{achievement_id}" selected>' in page
    response = staff.post("/staff/offers", {"achievement": achievement_id,
                                            "recipient_name": "Anna", "with_tx_code": "yes"},
                          token_from="/staff/offers")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    code = first_group(r'<p class="code">(\d{6})</p>', response.text)
    offer_id = first_group(r'/oid4vci/offers/(\w+)/qr\.svg', response.text)
    assert "openid-credential-offer://?credential_offer_uri=" in response.text
    assert "ander kanaal" in response.text
    qr = staff.client.get(f"/oid4vci/offers/{offer_id}/qr.svg")
    assert qr.status_code == 200 and "<svg" in qr.text
    listing = staff.page("/staff/offers")
    assert f"/staff/offers/{offer_id}" in listing and "klaar om op te halen" in listing
    # the code shown is the one that redeems the offer
    grant = staff.client.get(f"/oid4vci/offers/{offer_id}").json()["grants"][
        "urn:ietf:params:oauth:grant-type:pre-authorized_code"]
    token = staff.client.post("/oid4vci/token", data={
        "grant_type": "urn:ietf:params:oauth:grant-type:pre-authorized_code",
        "pre-authorized_code": grant["pre-authorized_code"], "tx_code": code})
    assert token.status_code == 200, token.text
    detail = staff.page(f"/staff/offers/{offer_id}")
    assert "wordt opgehaald" in detail
    assert 'class="code"' not in detail and "qr.svg" in detail  # the code is shown once
    missing = staff.post("/staff/offers", {"achievement": "nope"}, token_from="/staff/offers")
    assert missing.status_code == 404 and 'role="alert"' in missing.text
