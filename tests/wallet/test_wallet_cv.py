"""The online CV through the real wallet service (SQLite and PostgreSQL): off by default and
then indistinguishable from nothing; on, it shows only the chosen verified credentials and
approved photos, with its own QR code; only the owner sets it."""

from __future__ import annotations

import io

import httpx
import zxingcpp
from PIL import Image

from tests import inprocess
from tests.verifier.conftest import issuer  # noqa: F401 (fixture)
from tests.wallet.conftest import WalletService
from tests.wallet.test_wallet_shares import (  # noqa: F401 (school is a fixture)
    import_credential,
    issue_to,
    jpeg_bytes,
    school,
    upload_photo,
)


def test_cv_is_off_until_switched_on(wallet_server: WalletService,
                                     school: httpx.Client) -> None:  # noqa: F811
    owner = wallet_server.create_owner(name="Fatima El Amrani")
    shown_id = import_credential(owner, issue_to(school, owner.did, "Klassenmanagement"))
    import_credential(owner, issue_to(school, owner.did, "Geheime badge"))
    photo_id = upload_photo(owner, "Voorleeskring", jpeg_bytes())
    hidden_photo = upload_photo(owner, "Niet op cv", jpeg_bytes((1, 2, 3)))

    settings = owner.client.get(owner.url("/cv")).json()
    assert settings["enabled"] is False and settings["credentials"] == []
    url = settings["url"]
    never = inprocess.get(f"{wallet_server.base_url}/cv/no-such-page", timeout=30)
    off = inprocess.get(url, timeout=30)
    assert off.status_code == never.status_code == 404
    slug = settings["slug"]
    assert off.text.replace(f"/cv/{slug}", "") == never.text.replace("/cv/no-such-page", "")
    assert "Fatima" not in off.text
    assert inprocess.get(f"{url}/qr.png", timeout=30).status_code == 404

    saved = owner.client.put(owner.url("/cv"), json={
        "enabled": True, "headline": "Leraar in opleiding", "about": "Ik geef graag les.",
        "credentials": [shown_id], "evidence": [photo_id], "slug": "fatima-el-amrani"})
    assert saved.status_code == 200, saved.text
    url = saved.json()["url"]
    assert url == f"{wallet_server.base_url}/cv/fatima-el-amrani"
    page = inprocess.get(url, timeout=30)
    assert page.status_code == 200
    for text in ("Fatima El Amrani", "Leraar in opleiding", "Ik geef graag les.",
                 "Klassenmanagement", "Voorleeskring", f"/cv/fatima-el-amrani/evidence/{photo_id}"):
        assert text in page.text, text
    for text in ("Geheime badge", "Niet op cv", hidden_photo, owner.email):
        assert text not in page.text, text
    image = inprocess.get(f"{url}/evidence/{photo_id}", timeout=30)
    assert image.status_code == 200 and image.headers["content-type"] == "image/jpeg"
    assert inprocess.get(f"{url}/evidence/{hidden_photo}", timeout=30).status_code == 404
    qr = inprocess.get(f"{url}/qr.png", timeout=30)
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert code.text == url

    # switched off again: gone at once, photos too
    owner.client.put(owner.url("/cv"), json={"enabled": False})
    assert inprocess.get(url, timeout=30).status_code == 404
    assert inprocess.get(f"{url}/evidence/{photo_id}", timeout=30).status_code == 404


def test_cv_refusals(wallet_server: WalletService, school: httpx.Client) -> None:  # noqa: F811
    owner = wallet_server.create_owner()
    other = wallet_server.create_owner()
    theirs = import_credential(other, issue_to(school, other.did))
    other.client.put(other.url("/cv"), json={"slug": "taken-name"})
    note = owner.client.post(owner.url("/evidence"), json={"kind": "note", "title": "Notitie",
                                                          "description": "tekst"})
    assert note.status_code == 201, note.text
    for body, status, words in (
            ({"credentials": [theirs]}, 404, "no such credential"),
            ({"evidence": [note.json()["id"]]}, 422, "approved photos only"),
            ({"slug": "taken-name"}, 409, "already taken"),
            ({"slug": "A B"}, 422, "lower-case"),
            ({"enabled": "yes"}, 422, "true or false"),
            ({"headline": "x" * 301}, 422, "at most 300"),
            ({"credentials": "all"}, 422, "list of ids")):
        answer = owner.client.put(owner.url("/cv"), json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["message"], (body, answer.text)
    assert owner.client.get(owner.url("/cv")).json()["enabled"] is False  # nothing changed
    assert other.client.get(owner.url("/cv")).status_code == 404
    mentor = wallet_server.delegate(owner, "mentor")
    refused = mentor.client.put(owner.url("/cv"), json={"enabled": True})
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
