"""The credential and competence profile pages through the real service, as a browser
without JavaScript uses them: import, receive from a real issuer (link or QR photo, then
the code), the view checked now, delete, the profile."""

from __future__ import annotations

import copy
import html
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import issuer, issuer_org  # noqa: F401
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_credentials import ALIGNMENT, issue


@pytest.fixture
def issuer_api(issuer: IssuerService, issuer_org: dict[str, Any]  # noqa: F811
               ) -> Iterator[httpx.Client]:
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


@pytest.fixture
def browser(wallet_server: WalletService, owner: Owner) -> PageSession:
    session = PageSession(wallet_server)
    assert session.log_in(owner.email).status_code == 303
    return session


def text_of(response: httpx.Response) -> str:
    return html.unescape(response.text)


def test_import_view_delete(browser: PageSession, owner: Owner,
                            issuer_api: httpx.Client) -> None:
    base = f"/d/{owner.id}/credentials"
    assert "nog geen credentials" in browser.get(base).text
    vc = issue(issuer_api, owner.did, alignment=[ALIGNMENT])
    assert isinstance(vc, dict)

    tampered = copy.deepcopy(vc)
    tampered["name"] = "Vervalst"
    pasted = json.dumps(tampered)
    refused = browser.post(base + "/import", {"pasted": pasted})
    assert refused.status_code == 422
    page = text_of(refused)
    assert "does not verify" in page and 'role="alert"' in page
    assert pasted in page  # what was pasted is kept for another try
    assert 'aria-describedby="f-pasted-hint form-error"' in refused.text
    assert "nog geen credentials" in browser.get(base).text  # nothing stored

    empty = browser.post(base + "/import", {"pasted": ""})
    assert empty.status_code == 400 and "Kies een bestand" in empty.text

    added = browser.post(base + "/import", files={
        "file": ("badge.json", json.dumps(vc).encode(), "application/json")},
        form_page=base + "/import")
    assert added.status_code == 303, added.text
    view_url = added.headers["location"]
    assert view_url.endswith("?notice=added")
    view = text_of(browser.get(view_url))
    assert "gecontroleerd en toegevoegd" in view
    assert "echt en nu geldig" in view
    assert "Klassenmanagement" in view and "Drie lesobservaties" in view
    assert ALIGNMENT["targetName"] in view and ALIGNMENT["targetFramework"] in view
    assert "jou (jouw DID)" in view

    again = browser.post(base + "/import", {"pasted": json.dumps(vc)})
    assert again.status_code == 303 and again.headers["location"].endswith("notice=duplicate")

    listing = text_of(browser.get(base))
    assert "Klassenmanagement" in listing and "gecontroleerd en echt" in listing
    english = text_of(browser.get(view_url.split("?")[0] + "?lang=en"))
    assert "authentic and valid now" in english and '<html lang="en">' in english

    credential_id = view_url.split("/")[-1].split("?")[0]
    issuer_api.post("/credentials/status", json={
        "credentialId": vc["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]})
    assert "revoked by its issuer" in text_of(browser.get(f"{base}/{credential_id}"))

    gone = browser.post(f"{base}/{credential_id}/delete", form_page=f"{base}/{credential_id}")
    assert gone.status_code == 303 and gone.headers["location"].endswith("deleted=1")
    assert browser.get(f"{base}/{credential_id}").status_code == 404


def test_receive_with_qr_photo_and_code(browser: PageSession, owner: Owner,
                                        issuer_api: httpx.Client) -> None:
    achievement = issuer_api.post("/api/achievements", json={
        "name": "Mentoraat", "description": "Begeleidt leerlingen.",
        "criteriaNarrative": "Een jaar mentor."}).json()["id"]
    made = issuer_api.post("/api/offers", json={"achievementId": achievement}).json()
    photo = issuer_api.get(made["qrPng"]).content
    base = f"/d/{owner.id}/credentials"

    not_a_photo = browser.post(base + "/receive", files={"qr": ("qr.png", b"nope", "image/png")},
                               form_page=base + "/receive")
    assert not_a_photo.status_code == 400 and "geen foto" in not_a_photo.text

    step = browser.post(base + "/receive", files={"qr": ("qr.png", photo, "image/png")},
                        form_page=base + "/receive")
    assert step.status_code == 200, step.text
    page = text_of(step)
    assert 'name="tx_code"' in page and "(6 tekens)" in page
    assert made["offerUri"] in page  # the offer read from the photo goes on to step 2

    wrong = f"{(int(made['txCode']) + 1) % 1_000_000:06d}"
    refused = browser.post(base + "/receive/confirm", {"offer": made["offerUri"],
                                                       "tx_code": wrong},
                           form_page=base + "/receive")
    assert refused.status_code == 422
    assert "invalid_grant" in text_of(refused) and 'name="tx_code"' in refused.text
    assert "nog geen credentials" in browser.get(base).text

    received = browser.post(base + "/receive/confirm", {"offer": made["offerUri"],
                                                        "tx_code": made["txCode"]},
                            form_page=base + "/receive")
    assert received.status_code == 303, received.text
    view = text_of(browser.get(received.headers["location"]))
    assert "ontvangen, gecontroleerd en toegevoegd" in view and "Mentoraat" in view
    assert "ontvangen van de uitgever" in view


def test_profile_page(wallet_server: WalletService, browser: PageSession, owner: Owner,
                      issuer_api: httpx.Client) -> None:
    profile = f"/d/{owner.id}/profile"
    assert "nog geen competenties" in browser.get(profile).text
    owner.client.post(owner.url("/credentials"), json=issue(issuer_api, owner.did,
                                                             alignment=[ALIGNMENT]))
    added = browser.post(profile + "/competences", {"name": "Samenwerken", "url": "",
                                                    "framework": "", "code": "SW"},
                         form_page=profile)
    assert added.status_code == 303
    page = text_of(browser.get(profile))
    assert ALIGNMENT["targetFramework"] in page and "Behaald" in page
    assert "SW · Samenwerken" in page and "Nog niet begonnen" in page
    assert "Overige competenties" in page
    assert "Achieved" in text_of(browser.get(profile + "?lang=en"))

    refused = browser.post(profile + "/competences", {"name": "Fout", "url": "geen uri"},
                           form_page=profile)
    assert refused.status_code == 422 and "not a URI" in refused.text
    assert 'value="Fout"' in refused.text  # the form keeps what was typed

    framework = json.dumps([{"name": "Reflecteren", "url": "https://c.example/r",
                             "framework": "Eigen kader"}]).encode()
    imported = browser.post(profile + "/competences",
                            files={"framework_file": ("kader.json", framework,
                                                      "application/json")},
                            form_page=profile)
    assert imported.status_code == 303
    assert "Eigen kader" in text_of(browser.get(profile))

    employer = wallet_server.delegate(owner, "employer")  # no profile:read
    other = PageSession(wallet_server)
    other.log_in(employer.email)
    assert other.get(profile).status_code == 403
    assert other.get(f"/d/{owner.id}/credentials").status_code == 403
