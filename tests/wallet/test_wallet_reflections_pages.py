"""The reflection and internship report pages through the real service, as a browser without
JavaScript uses them: forms with CSRF tokens, redirects, escaping, both languages, and the
owner-only parts refused to a delegate."""

from __future__ import annotations

import re

from tests.matching import first_group
from tests.wallet.conftest import WalletService
from tests.wallet.pages import PageSession


def logged_in(wallet: WalletService, email: str) -> PageSession:
    browser = PageSession(wallet)
    assert browser.log_in(email).status_code == 303
    return browser


def test_write_approve_and_read_reflections_on_pages(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner(name="Sanne")
    mentor = sqlite_wallet.delegate(owner, "mentor", ["reflections:write"])
    page_of = f"/d/{owner.id}/reflections"
    mine = logged_in(sqlite_wallet, owner.email)

    empty = mine.get(page_of)
    assert empty.status_code == 200 and '<html lang="nl">' in empty.text
    assert "Er zijn nog geen reflecties." in empty.text
    assert 'name="text"' in empty.text and 'for="f-text"' in empty.text
    assert owner.did in empty.text  # "signed with your own key"

    refused = mine.post(page_of, {"text": "   "})
    assert refused.status_code == 422
    assert 'role="alert"' in refused.text and "leeg" in refused.text
    assert 'aria-describedby="form-error"' in refused.text

    written = mine.post(page_of, {"text": "<script>alert(1)</script> Rustige les."})
    assert written.status_code == 303
    assert written.headers["location"] == f"{page_of}?done=saved"
    listed = mine.get(written.headers["location"]).text
    assert "De reflectie is ondertekend en opgeslagen." in listed
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Rustige les." in listed
    assert "<script>alert" not in listed

    by_mentor = logged_in(sqlite_wallet, mentor.email)
    sent = by_mentor.post(page_of, {"text": "Let op de overgangen."})
    assert sent.headers["location"] == f"{page_of}?done=pending"
    assert "wacht op goedkeuring" in by_mentor.get(page_of).text

    waiting = mine.get(page_of).text
    assert "1 wacht op goedkeuring." in waiting
    reflection_id = first_group(rf'action="{page_of}/([0-9a-f]{{32}})/approve"', waiting)
    not_allowed = by_mentor.post(f"{page_of}/{reflection_id}/approve", form_page=page_of)
    assert not_allowed.status_code == 403
    assert "Alleen de eigenaar" in not_allowed.text
    approved = mine.post(f"{page_of}/{reflection_id}/approve", form_page=page_of)
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{page_of}?done=approved"

    detail = mine.get(f"{page_of}/{reflection_id}").text
    assert "Let op de overgangen." in detail
    assert mentor.did in detail and owner.did not in detail.split("<details>")[0]
    assert "mentor" in detail and "Geldig" in detail and "in dossier" in detail
    english = mine.get(f"{page_of}/{reflection_id}", params={"lang": "en"}).text
    assert '<html lang="en">' in english and "Signature check" in english and "Valid" in english

    deleted = mine.post(f"{page_of}/{reflection_id}/delete", form_page=f"{page_of}/{reflection_id}")
    assert deleted.headers["location"] == f"{page_of}?done=deleted"
    assert mine.get(f"{page_of}/{reflection_id}").status_code == 404


def test_compose_and_download_a_report_on_pages(sqlite_wallet: WalletService) -> None:
    owner = sqlite_wallet.create_owner(name="Sanne")
    coordinator = sqlite_wallet.delegate(owner, "coordinator")
    note = owner.client.post(owner.url("/evidence"), json={"kind": "note", "title": "Observatie",
                                                            "description": "Kringgesprek"})
    reflection = owner.client.post(owner.url("/reflections"), json={"text": "Ik groeide."})
    assert note.status_code == 201 and reflection.status_code == 201
    reports = f"/d/{owner.id}/reports"
    mine = logged_in(sqlite_wallet, owner.email)

    form = mine.get(reports).text
    assert "Nieuw stageverslag" in form
    assert f'value="{note.json()["id"]}"' in form
    assert f'value="{reflection.json()["id"]}"' in form

    nothing = mine.post(reports, {"title": "Stage", "organisation": "De Linde"})
    assert nothing.status_code == 422 and "Kies minstens één" in nothing.text
    assert 'value="De Linde"' in nothing.text  # what was typed stays

    made = mine.post(reports, {"title": "Stage coördinator", "organisation": "De Linde",
                               "period": "2026", "evidence": note.json()["id"],
                               "reflection": reflection.json()["id"]})
    assert made.status_code == 303, made.text
    page = mine.get(made.headers["location"]).text
    assert "Stage coördinator" in page and "Ik groeide." in page
    links = re.findall(rf'href="({reports}/[0-9a-f]{{32}}(?:\.html|\.pdf|/credential)[^"]*)"',
                       page)
    assert len(links) == 3
    html_link, pdf_link, credential_link = links
    exported = mine.get(html_link.replace("&amp;", "&"))
    assert exported.status_code == 200 and "Observatie" in exported.text
    assert "sandbox" in exported.headers["content-security-policy"]
    pdf = mine.get(pdf_link.replace("&amp;", "&"))
    assert pdf.content.startswith(b"%PDF")
    credential = mine.get(credential_link).json()
    assert credential["issuer"]["id"] == owner.did and credential["name"] == "Stage coördinator"

    delegate = logged_in(sqlite_wallet, coordinator.email)
    refused = delegate.get(reports)
    assert refused.status_code == 403 and "Alleen de eigenaar" in refused.text
    assert delegate.get(made.headers["location"]).status_code == 403
