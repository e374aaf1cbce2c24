"""No English on a Dutch page: each role's app runs in-process (Starlette's TestClient) on the
example data, a crawler follows the links of its Dutch pages, and no page may show a text that
only the English catalogue has."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from opendossier.cli import main as opendossier
from tests.catalogues import forms_of
from tests.test_i18n import PLACEHOLDER, catalogue

MAX_PAGES = 60
LINK = re.compile(r'href="(/[^"#]*)"')
SKIPPED = re.compile(r"^/(static|api)/|/logout|lang=|/download|/export|\.(pdf|zip|png|json)\b")
ATTRIBUTES_PEOPLE_READ = ("title", "aria-label", "placeholder", "alt")
NOT_TEXT = ("script", "style", "pre", "code")
DID_KEY = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


class ShownText(HTMLParser):
    """What a person reads on a page: its text and the attributes read out or shown; not
    scripts and styles, nor what a page quotes as it is (<pre>, <code>: JSON, ids)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.lang: str | None = None
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in NOT_TEXT:
            self._hidden += 1
        self.parts += [value for name, value in attrs
                       if name in ATTRIBUTES_PEOPLE_READ and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in NOT_TEXT:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def english_only(role: str) -> set[str]:
    """The pieces of English texts (between placeholders) that no Dutch text has."""
    dutch, english = catalogue(role, "nl"), catalogue(role, "en")
    all_dutch = "\n".join(form for message in dutch.values() for form in forms_of(message))
    pieces = set()
    for key, message in english.items():
        if forms_of(message) == forms_of(dutch[key]):
            continue  # the same in both languages ("Status", "OpenDossier")
        for form in forms_of(message):
            for piece in PLACEHOLDER.split(form)[::2]:  # split keeps the names at odd places
                piece = piece.strip(" .,:;()–-\n")
                piece = re.sub(r"\s+", " ", piece)
                if len(piece) >= 4 and re.search(r"[a-z]", piece) and piece not in all_dutch:
                    pieces.add(piece)
    return pieces


def english_on(page: str, pieces: set[str]) -> list[str]:
    shown = ShownText()
    shown.feed(page)
    text = html.unescape(" ".join(shown.parts))
    text = re.sub(r"\s+", " ", text)
    return sorted(set(pattern_of(frozenset(pieces)).findall(text)))


@cache
def pattern_of(pieces: frozenset[str]) -> re.Pattern[str]:
    """One pattern for all pieces, longest first, each as whole words."""
    alternatives = sorted((re.escape(piece) for piece in pieces), key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(alternatives) + r")(?!\w)")


def crawl(client: TestClient, start: list[str], role: str) -> dict[str, str]:
    """The Dutch pages reached from `start` by following links (GET only), by path."""
    pieces = english_only(role)
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen or SKIPPED.search(path):
            continue
        response = client.get(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        seen[path] = response.text
        shown = ShownText()
        shown.feed(response.text)
        assert shown.lang == "nl", path
        assert english_on(response.text, pieces) == [], path
        queue += [html.unescape(link) for link in LINK.findall(response.text)]
    return seen


def cli(*args: str) -> dict[str, Any]:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert opendossier(list(args)) == 0
    return json.loads(printed.getvalue())


def csrf(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found, path
    return found.group(1)


def log_in(client: TestClient, path: str, email: str, password: str) -> None:
    answer = client.post(path, data={"email": email, "password": password,
                                     "csrf_token": csrf(client, path)}, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:500]


def test_english_pieces_are_found() -> None:
    """The check itself: it finds an English text on a page, and not a Dutch one."""
    pieces = english_only("wallet")
    assert "Log in" in pieces or "Log out" in pieces
    assert english_on("<html lang='nl'><p>Who did what</p></html>", pieces) == ["Who did what"]
    assert english_on("<html lang='nl'><p>Wie deed wat</p></html>", pieces) == []


def test_issuer_pages_in_dutch(tmp_path: Path) -> None:
    from issuer.api.app import create_app
    from issuer.config import IssuerSettings

    data = tmp_path / "issuer"
    seeded = cli("issuer", "seed-example", "--data-dir", str(data))
    with TestClient(create_app(IssuerSettings(data_dir=data))) as client:
        crawl(client, ["/staff/login"], "issuer")
        for login in seeded["staff_logins"]:
            log_in(client, "/staff/login", login["email"], login["password"])
            pages = crawl(client, ["/staff/"], "issuer")
            assert len(pages) > 10, sorted(pages)
            client.cookies.clear()


def test_wallet_pages_in_dutch(tmp_path: Path) -> None:
    from wallet.api.app import create_app
    from wallet.config import WalletSettings
    from wallet.example_data import PASSWORD

    data = tmp_path / "wallet"
    people = cli("wallet", "seed-example", "--data-dir", str(data))["people"]
    with TestClient(create_app(WalletSettings(data_dir=data))) as client:
        crawl(client, ["/login", "/signup"], "wallet")
        refused = client.post("/signup", data={
            "email": "nieuw@example.org", "password": "kort", "password_again": "kort",
            "csrf_token": csrf(client, "/signup")})
        assert refused.status_code == 422
        assert "Het wachtwoord moet minstens" in refused.text  # the service's refusal, in Dutch
        assert english_on(refused.text, english_only("wallet")) == []
        for person in people:
            log_in(client, "/login", person["email"], PASSWORD)
            pages = crawl(client, ["/"], "wallet")
            assert len(pages) > 5, sorted(pages)
            client.cookies.clear()


@pytest.mark.parametrize("text", ["{}", json.dumps({
    "@context": ["https://www.w3.org/ns/credentials/v2",
                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": DID_KEY,
    "validFrom": "2025-01-01T00:00:00Z",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {
        "id": "urn:uuid:1", "type": ["Achievement"], "name": "Klassenmanagement",
        "description": "Leidt een klas.", "criteria": {"narrative": "Observatie."}}}})])
def test_verifier_pages_in_dutch(tmp_path: Path, text: str) -> None:
    from verifier.api.app import create_app
    from verifier.config import VerifierSettings

    pieces = english_only("verifier")
    with TestClient(create_app(VerifierSettings(data_dir=tmp_path / "verifier"))) as client:
        assert len(crawl(client, ["/"], "verifier")) >= 1
        checked = client.post("/verify", data={"text": text})
        assert "text/html" in checked.headers["content-type"]
        assert english_on(checked.text, pieces) == []
