"""A pupil's internship through the real pages: the employer adds a photo and a reflection in
Daan's dossier; neither delegate can approve; Daan approves the photo, the coordinator
reflects on it; Daan approves both reflections, makes his stageverslag and shares it; the
verifier reads the share valid."""

from __future__ import annotations

import io
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from PIL import Image

from tests.browser.conftest import Pages, Services, wallet_log_in

PUPIL = "leerling@example.org"
PUPIL_NAME = "Daan Jansen"
EMPLOYER = "werkgever@example.org"
COORDINATOR = "stagecoordinator@debrug.example"
WORKPLACE = "Tuincentrum Het Groene Hart"


def test_internship_evidence_from_delegates(services: Services, new_person: Any,
                                            tmp_path: Path) -> None:
    run = os.urandom(3).hex()  # this test's items, among those of earlier runs and examples
    photo_title = f"Plantentafel ingericht {run}"
    employer_text = f"Daan werkt nauwkeurig en vraagt hulp als hij iets niet weet ({run})."
    coordinator_text = f"Bij het stagebezoek vertelde Daan over zijn plantentafel ({run})."

    employer = new_person()
    dossier = _delegate_opens_dossier(employer, services, EMPLOYER)
    _add_photo(employer, dossier, photo_title, tmp_path)
    employer.screenshot("wallet-delegate-evidence")
    _write_reflection(employer, dossier, employer_text, evidence=None)

    coordinator = new_person()
    assert _delegate_opens_dossier(coordinator, services, COORDINATOR) == dossier
    # What waits for Daan is his to see first: the coordinator does not see the employer's
    # pending photo or reflection, and nobody but Daan gets an approve button.
    coordinator.goto(f"{dossier}/evidence")
    assert photo_title not in coordinator.page.content()
    coordinator.goto(f"{dossier}/reflections")
    assert employer_text not in coordinator.page.content()
    assert coordinator.page.locator("form[action$='/approve']").count() == 0

    pupil = new_person()
    assert wallet_log_in(pupil, services.wallet, PUPIL).rstrip("/") == services.wallet
    pupil.goto(dossier)
    assert pupil.page.locator(".message.warning").count() >= 1, "Daan sees what waits for him"
    _approve(pupil, f"{dossier}/evidence", photo_title)
    pupil.screenshot("wallet-pupil-approved")
    # Reflections link approved evidence only: the coordinator reflects on the photo now.
    coordinator.goto(f"{dossier}/evidence")
    assert photo_title in coordinator.page.content(), "approved, the coordinator sees it"
    _write_reflection(coordinator, dossier, coordinator_text, evidence=photo_title)
    _approve(pupil, f"{dossier}/reflections", employer_text)
    _approve(pupil, f"{dossier}/reflections", coordinator_text)

    report_title = f"Stageverslag {WORKPLACE} {run}"
    _make_report(pupil, dossier, report_title, photo_title, [employer_text, coordinator_text])
    share_url = _share_report(pupil, dossier, report_title, photo_title)

    school = new_person()
    school.goto(f"{services.verifier}/")
    school.page.fill("input[name=link]", share_url)
    school.page.locator("input[name=link]").press("Enter")
    school.page.wait_for_load_state("load")
    school.check()
    top = school.page.locator("article.report").first
    assert "report-valid" in (top.get_attribute("class") or ""), school.page.content()
    assert report_title in school.page.content()
    school.screenshot("verifier-stageverslag")


def _delegate_opens_dossier(person: Pages, services: Services, email: str) -> str:
    """A delegate's start page lists the dossiers they help with; they open Daan's."""
    wallet_log_in(person, services.wallet, email)
    person.page.locator("ul.cards a", has_text=PUPIL_NAME).click()
    person.page.wait_for_load_state("load")
    person.check()
    assert PUPIL_NAME in person.page.locator("h1").inner_text()
    return str(person.page.url).split("?")[0].rstrip("/")


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (85, 107, 47)).save(out, "JPEG")
    return out.getvalue()


def _add_photo(employer: Pages, dossier: str, title: str, tmp_path: Path) -> None:
    page = employer.page
    photo = tmp_path / "plantentafel.jpg"
    photo.write_bytes(_jpeg())
    employer.goto(f"{dossier}/evidence/new")
    page.set_input_files("input[name=file]", str(photo))
    page.fill("input[name=title]", title)
    page.fill("input[name=practice_date]", "2026-05-20")
    page.fill("input[name=place]", WORKPLACE)
    page.fill("textarea[name=description]", "Daan richtte zelfstandig de plantentafel in.")
    page.locator("input[name=competence]").first.check()
    page.click("form[action$='/evidence'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/evidence\?done=pending$"))
    employer.check()
    mine = page.locator("ul.items > li", has_text=title)
    assert mine.locator(".badge.suspended").count() == 1, "it waits for Daan's approval"
    assert page.locator("form[action$='/approve']").count() == 0, "a delegate cannot approve"


def _write_reflection(person: Pages, dossier: str, text: str, *, evidence: str | None) -> None:
    page = person.page
    person.goto(f"{dossier}/reflections")
    page.fill("textarea[name=text]", text)
    page.locator("input[name=competence]").first.check()
    if evidence is not None:
        page.get_by_label(evidence).check()
    page.click("form[action$='/reflections'] button[type=submit]")
    page.wait_for_load_state("load")
    person.check()
    item = page.locator("ul.items > li", has_text=text)
    assert item.count() == 1, page.content()
    assert item.locator(".badge.suspended").count() == 1, "it waits for Daan's approval"


def _approve(pupil: Pages, list_url: str, text: str) -> None:
    page = pupil.page
    pupil.goto(list_url)
    item = page.locator("ul.items > li", has_text=text)
    assert item.count() == 1, page.content()
    item.locator("form[action$='/approve'] button").click()
    page.wait_for_load_state("load")
    pupil.check()
    assert page.locator("ul.items > li", has_text=text).locator(
        ".badge.active").count() == 1, page.content()


def _make_report(pupil: Pages, dossier: str, title: str, photo_title: str,
                 reflections: list[str]) -> None:
    page = pupil.page
    pupil.goto(f"{dossier}/reports")
    page.fill("input[name=title]", title)
    page.fill("input[name=organisation]", WORKPLACE)
    page.fill("input[name=period]", "april - juni 2026")
    page.fill("textarea[name=summary]", "Wat ik leerde op mijn stage.")
    page.locator("input[name=evidence] + label", has_text=photo_title).click()
    for text in reflections:
        page.locator("input[name=reflection] + label", has_text=text[:60]).click()
    page.click("form[action$='/reports'] button[type=submit]")
    page.wait_for_load_state("load")
    pupil.check()
    content = page.content()
    assert title in page.locator("h1").inner_text(), content
    assert photo_title in content and all(text in content for text in reflections)
    pupil.screenshot("wallet-stageverslag")
    pdf_link = page.locator("a[href*='.pdf']").first.get_attribute("href") or ""
    pdf = page.request.get(urljoin(page.url, pdf_link))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


def _share_report(pupil: Pages, dossier: str, report_title: str, photo_title: str) -> str:
    page = pupil.page
    pupil.goto(f"{dossier}/shares/new")
    page.locator("input[name=credential] + label", has_text=report_title).click()
    page.locator("input[name=evidence] + label", has_text=photo_title).click()
    page.fill("input[name=audience]", "VSO De Brug")
    page.click("form[action$='/shares'] button[type=submit]")
    page.wait_for_load_state("load")
    pupil.check()
    share_url = page.locator("#share-link").input_value()
    assert "/s/" in share_url, page.content()
    return share_url
