"""The evidence pages through the real service, as a phone browser without JavaScript uses
them: the add form (file first-class, CSRF token before the file), streamed upload,
preview through the cookie-session file route, the owner's approve/reject, edit, delete."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

from tests.wallet.conftest import Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes, left_in_tmp, multipart_body, png_bytes
from tests.wallet.pages import PageSession


def logged_in(wallet: WalletService, email: str) -> PageSession:
    browser = PageSession(wallet)
    assert browser.log_in(email).status_code == 303
    return browser


def _ids_in(page: str, owner: Owner) -> list[str]:
    return re.findall(rf'href="/d/{owner.id}/evidence/([0-9a-f]{{32}})"', page)


def test_add_from_phone_preview_and_download(wallet_server: WalletService,
                                             owner: Owner) -> None:
    browser = logged_in(wallet_server, owner.email)
    base = f"/d/{owner.id}/evidence"
    # The form proposes the service's (UTC) date; the request may cross midnight.
    day_before = datetime.now(UTC).date()
    form = browser.get(f"{base}/new")
    days = {day_before.isoformat(), datetime.now(UTC).date().isoformat()}
    assert form.status_code == 200 and '<html lang="nl">' in form.text
    assert 'capture="environment"' in form.text
    assert 'accept="image/*,video/*,audio/*,application/pdf"' in form.text
    assert 'enctype="multipart/form-data"' in form.text
    assert form.text.index('name="csrf_token"', form.text.index("<main")) \
        < form.text.index('name="file"')
    assert any(f'value="{day}"' in form.text for day in days)
    for name in ("file", "title", "practice_date", "place", "description"):
        assert f'for="f-{name}"' in form.text

    photo = jpeg_bytes("coral")
    added = browser.post(base, {"title": "Band wisselen", "place": "Garage <Jansen>",
                                "practice_date": "2026-02-03"}, form_page=f"{base}/new",
                         files={"file": ("band.jpg", photo, "image/jpeg")})
    assert added.status_code == 303, added.text
    assert added.headers["location"] == f"{base}?done=added"
    listed = browser.get(added.headers["location"]).text
    assert "Het bewijs is toegevoegd." in listed and "Band wisselen" in listed
    [item_id] = _ids_in(listed, owner)

    detail = browser.get(f"{base}/{item_id}").text
    assert f'<img src="{base}/{item_id}/file"' in detail
    assert "Garage &lt;Jansen&gt;" in detail and "<Jansen>" not in detail
    assert hashlib.sha256(photo).hexdigest() in detail
    file = browser.get(f"{base}/{item_id}/file")
    assert file.status_code == 200 and file.content == photo
    assert file.headers["x-content-type-options"] == "nosniff"
    # the page file route is the cookie session's: without it, to the log-in page
    assert wallet_server.client().get(f"{base}/{item_id}/file").status_code == 303


def test_csrf_is_checked_before_the_file(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = logged_in(sqlite_wallet, owner.email)
    base = f"/d/{owner.id}/evidence"
    token = browser.csrf(f"{base}/new")
    boundary = "pagepage"
    # the token after the file: refused when the file part begins
    body = multipart_body(boundary, {}, "a.jpg", jpeg_bytes())
    body = body.replace(f"--{boundary}--".encode(),
                        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"'
                        f'\r\n\r\n{token}\r\n--{boundary}--'.encode())
    late = browser.http.post(base, content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert late.status_code == 403 and "Het formulier is verlopen" in late.text
    wrong = browser.http.post(base, data={"csrf_token": "forged", "title": "X"},
                              files={"file": ("a.jpg", jpeg_bytes(), "image/jpeg")})
    assert wrong.status_code == 403
    note_without_token = browser.http.post(base, data={"title": "Notitie"},
                                           files={"file": ("", b"", "application/octet-stream")})
    assert note_without_token.status_code == 403
    assert left_in_tmp(sqlite_wallet) == []
    assert owner.client.get(owner.url("/evidence")).json() == []


def test_refusals_keep_what_was_typed(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = logged_in(sqlite_wallet, owner.email)
    base = f"/d/{owner.id}/evidence"
    refused = browser.post(base, {"title": "Mijn website", "place": "Thuis"},
                           form_page=f"{base}/new",
                           files={"file": ("foto.jpg", b"<html><script>alert(1)</script>",
                                           "image/jpeg")})
    assert refused.status_code == 415
    assert 'role="alert"' in refused.text and "HTML/XML markup" in refused.text
    assert 'aria-describedby="form-error"' in refused.text
    assert 'value="Mijn website"' in refused.text and 'value="Thuis"' in refused.text
    assert left_in_tmp(sqlite_wallet) == []
    # no file: a note, which needs a title
    untitled = browser.post(base, {"title": ""}, form_page=f"{base}/new",
                            files={"file": ("", b"", "application/octet-stream")})
    assert untitled.status_code == 422 and "title" in untitled.text
    note = browser.post(base, {"title": "Gesprek", "description": "Goed gegaan"},
                        form_page=f"{base}/new",
                        files={"file": ("", b"", "application/octet-stream")})
    assert note.status_code == 303
    assert [e["kind"] for e in owner.client.get(owner.url("/evidence")).json()] == ["note"]


def test_delegate_adds_owner_approves_on_pages(wallet_server: WalletService,
                                               owner: Owner) -> None:
    coordinator = wallet_server.delegate(owner, "coordinator", ["evidence:add"])
    base = f"/d/{owner.id}/evidence"
    theirs = logged_in(wallet_server, coordinator.email)
    added = theirs.post(base, {"title": "Stagebezoek"}, form_page=f"{base}/new",
                        files={"file": ("bezoek.png", png_bytes("plum"), "image/png")})
    assert added.status_code == 303 and added.headers["location"].endswith("done=pending")
    assert "wacht op goedkeuring" in theirs.get(base).text

    mine = logged_in(wallet_server, owner.email)
    listed = mine.get(base).text
    assert "1 stuk bewijs wacht op je goedkeuring." in listed and "Opnemen in dossier" in listed
    [item_id] = _ids_in(listed, owner)
    # the delegate cannot approve
    assert theirs.post(f"{base}/{item_id}/approve", form_page=base).status_code == 403
    approved = mine.post(f"{base}/{item_id}/approve", form_page=base)
    assert approved.status_code == 303
    assert "Het bewijs is opgenomen in het dossier." in mine.get(approved.headers["location"]).text
    assert owner.client.get(owner.url(f"/evidence/{item_id}")).json()["status"] == "approved"


def test_edit_delete_and_english(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner()
    browser = logged_in(sqlite_wallet, owner.email)
    base = f"/d/{owner.id}/evidence"
    browser.post(base, {"title": "Oud"}, form_page=f"{base}/new",
                 files={"file": ("a.png", png_bytes("khaki"), "image/png")})
    [item_id] = _ids_in(browser.get(base).text, owner)
    detail = f"{base}/{item_id}"
    bad = browser.post(f"{detail}/edit", {"title": "Nieuw", "practice_date": "gisteren"},
                       form_page=detail)
    assert bad.status_code == 422 and "JJJJ-MM-DD" in bad.text
    saved = browser.post(f"{detail}/edit", {"title": "Nieuw", "practice_date": "2026-01-09"},
                         form_page=detail)
    assert saved.status_code == 303
    assert owner.client.get(owner.url(f"/evidence/{item_id}")).json()["title"] == "Nieuw"
    english = browser.get(f"{base}?lang=en").text
    assert '<html lang="en">' in english and "Add evidence" in english
    unconfirmed = browser.post(f"{detail}/delete", {}, form_page=detail)
    assert unconfirmed.status_code == 422
    deleted = browser.post(f"{detail}/delete", {"confirm": "yes"}, form_page=detail)
    assert deleted.status_code == 303
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert browser.get(detail).status_code == 404
