"""The sharing pages as a browser without JavaScript uses them (real service, SQLite): make a
share link, see it with its QR code and views, revoke it after confirming; answer a real
verifier's request from an uploaded photo of its QR code; switch the online CV on."""

from __future__ import annotations

import httpx

from tests import inprocess
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.wallet.conftest import WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_oid4vp import new_request, status_of
from tests.wallet.test_wallet_shares import (  # noqa: F401 (school is a fixture)
    import_credential,
    issue_to,
    jpeg_bytes,
    school,
    upload_photo,
)


def test_share_link_pages(sqlite_wallet: WalletService,
                          school: httpx.Client) -> None:  # noqa: F811
    owner = sqlite_wallet.create_owner(name="Noor Jansen")
    credential_id = import_credential(owner, issue_to(school, owner.did))
    photo_id = upload_photo(owner, "Buitenles", jpeg_bytes())
    browser = PageSession(sqlite_wallet)
    assert browser.log_in(owner.email).status_code == 303
    base = f"/d/{owner.id}/shares"

    form = browser.get(f"{base}/new")
    assert form.status_code == 200 and 'lang="nl"' in form.text
    assert f'value="{credential_id}"' in form.text and "Buitenles" in form.text
    assert 'for="f-audience"' in form.text  # every field has its label
    refused = browser.post(base, {"expires": "7d"}, form_page=f"{base}/new")
    assert refused.status_code == 422 and "minstens één" in refused.text
    assert 'aria-describedby="form-error"' in refused.text
    no_csrf = browser.http.post(base, data={"credential": credential_id})
    assert no_csrf.status_code == 403

    made = browser.post(base, {"credential": credential_id, "evidence": photo_id,
                               "audience": "Stageschool", "expires": "1d"},
                        form_page=f"{base}/new")
    assert made.status_code == 303
    detail = browser.get(made.headers["location"])
    assert detail.status_code == 200
    url = detail.text.split('id="share-link" type="text" readonly value="')[1].split('"')[0]
    assert url.startswith(f"{sqlite_wallet.base_url}/s/")
    assert f'src="{url}/qr.png"' in detail.text and "Stageschool" in detail.text
    assert inprocess.get(url, headers={"accept": "application/json"}, timeout=30).status_code == 200
    listing = browser.get(base)
    assert "Stageschool" in listing.text and "1 keer bekeken" in listing.text
    assert "viewed 1 time," in browser.get(f"{base}?lang=en").text
    assert browser.get(f"{base}?lang=nl").status_code == 200  # back to Dutch

    share_id = made.headers["location"].split("/")[-1].split("?")[0]
    confirm = browser.get(f"{base}/{share_id}/revoke")
    assert confirm.status_code == 200 and "Deellink intrekken?" in confirm.text
    revoked = browser.post(f"{base}/{share_id}/revoke", form_page=f"{base}/{share_id}/revoke")
    assert revoked.status_code == 303
    assert inprocess.get(url, headers={"accept": "application/json"}, timeout=30).status_code == 410
    gone_page = inprocess.get(url, timeout=30)
    assert gone_page.status_code == 410 and "Deze link werkt niet meer" in gone_page.text


def test_answering_a_verifier_from_a_qr_photo(sqlite_wallet: WalletService,
                                              verifier: VerifierService,  # noqa: F811
                                              school: httpx.Client) -> None:  # noqa: F811
    owner = sqlite_wallet.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    browser = PageSession(sqlite_wallet)
    browser.log_in(owner.email)
    page = f"/d/{owner.id}/oid4vp"
    created = new_request(verifier, query="pe")
    qr = inprocess.get(f"{verifier.base_url}/oid4vp/requests/{created['id']}/qr.png", timeout=30)
    not_image = browser.post(f"{page}/review", {"request": ""}, form_page=page,
                             files={"qr": ("qr.png", b"not an image", "image/png")})
    assert not_image.status_code == 422 and "not an image" in not_image.text
    consent = browser.post(f"{page}/review", {"request": ""}, form_page=page,
                           files={"qr": ("qr.png", qr.content, "image/png")})
    assert consent.status_code == 200, consent.text
    assert verifier.base_url.split("//")[1] in consent.text
    assert f'value="{credential_id}" checked' in consent.text
    assert status_of(verifier, created["id"])["state"] == "pending"  # nothing sent yet
    sent = browser.post(f"{page}/send", {"request": created["authorization_request"],
                                         "credential": credential_id}, form_page=page)
    assert sent.status_code == 200 and "Verstuurd: 1" in sent.text
    assert status_of(verifier, created["id"])["report"]["verified"]

    declined_request = new_request(verifier, types=["ClrCredential"])
    consent = browser.post(f"{page}/review",
                           {"request": declined_request["authorization_request"]},
                           form_page=page)
    assert "Er staat niets in je dossier" in consent.text
    declined = browser.post(f"{page}/decline",
                            {"request": declined_request["authorization_request"]},
                            form_page=page)
    assert declined.status_code == 200
    assert "access_denied" in status_of(verifier, declined_request["id"])["error"]


def test_cv_settings_page(sqlite_wallet: WalletService,
                          school: httpx.Client) -> None:  # noqa: F811
    owner = sqlite_wallet.create_owner(name="Sem de Boer")
    credential_id = import_credential(owner, issue_to(school, owner.did, "Rekendidactiek"))
    browser = PageSession(sqlite_wallet)
    browser.log_in(owner.email)
    page = f"/d/{owner.id}/cv"
    settings = browser.get(page)
    assert settings.status_code == 200 and "Staat uit" in settings.text
    bad = browser.post(page, {"slug": "-no-", "credential": credential_id})
    assert bad.status_code == 422 and "kleine letters" in bad.text
    saved = browser.post(page, {"enabled": "on", "headline": "Pabo-student",
                                "credential": credential_id, "slug": f"sem-{owner.id[:8]}"})
    assert saved.status_code == 303
    public = inprocess.get(f"{sqlite_wallet.base_url}/cv/sem-{owner.id[:8]}", timeout=30)
    assert public.status_code == 200
    assert "Sem de Boer" in public.text and "Rekendidactiek" in public.text
