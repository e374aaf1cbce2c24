"""The school issues an endorsed badge, the teacher accepts it, adds a photo and a reflection
and shares them; an employer verifies the share on the verifier's page by link, by an
uploaded QR image and by the camera; the school revokes the badge; the employer's next check
reads revoked. All through the real pages in Chromium."""

from __future__ import annotations

import io
import os
import re
import time
from pathlib import Path
from typing import Any

import httpx
from PIL import Image

from tests.browser.conftest import (
    Pages,
    Services,
    launch_chromium,
    save_screenshot,
    staff_log_in,
    wallet_log_in,
)

BADGE = "Klassenmanagement in de praktijk"
# The verifier honours the issuer's Cache-Control on status lists (max-age 60 s), as an
# employer's verifier on the internet would: a revocation shows once the cached list is stale.
REVOCATION_VISIBLE_WITHIN = 90


def test_badge_from_school_to_employer(services: Services, new_person: Any, playwright: Any,
                                       tmp_path: Path) -> None:
    recipient = f"Sanne de Vries {os.urandom(3).hex()}"  # finds this test's badge again
    staff = new_person()
    staff_log_in(staff, services.issuer, "staf@delinde.example")
    offer_uri, tx_code, offer_qr = _make_offer(staff, services, recipient)

    teacher = new_person()
    wallet_log_in(teacher, services.wallet, "leraar@example.org")
    dossier = _own_dossier(teacher, services)
    credential_page = _accept_offer(teacher, dossier, offer_uri, tx_code, offer_qr, tmp_path)
    evidence_title = _upload_photo(teacher, dossier, tmp_path)
    _reflect(teacher, dossier)
    share_url = _share(teacher, dossier, evidence_title)

    employer = new_person()
    by_link = _verify_link(employer, services, share_url)
    assert "Pabo Midden" in by_link, "the endorsement is shown"
    assert evidence_title in by_link, "the shared evidence is shown"
    employer.screenshot("verifier-result-valid")
    employer.screenshot("verifier-result-phone", phone=True)
    qr_file = tmp_path / "share-qr.png"
    qr_file.write_bytes(httpx.get(f"{share_url}/qr.png", timeout=30).content)
    _verify_upload(employer, services, qr_file)
    _verify_camera(playwright, services, qr_file, tmp_path)

    _revoke(staff, services, recipient)
    teacher.goto(credential_page)  # the wallet checks again when a credential is opened
    state = teacher.page.locator("main .message").first
    assert "ingetrokken" in state.inner_text(), "the wallet shows it revoked at once"
    assert "error" in (state.get_attribute("class") or "")
    _verify_until_revoked(employer, services, share_url)
    employer.screenshot("verifier-result-revoked")


def _make_offer(staff: Pages, services: Services, recipient: str) -> tuple[str, str, bytes]:
    page = staff.page
    staff.goto(f"{services.issuer}/staff/offers")
    page.select_option("select[name=achievement]", label=BADGE)
    page.fill("input[name=recipient_name]", recipient)
    page.check("input[name=with_tx_code]")
    page.click("form[action='/staff/offers'] button[type=submit]")
    page.wait_for_load_state("load")
    staff.check()
    assert BADGE in page.locator("h1").inner_text(), "the offer says which badge it is for"
    tx_code = page.locator(".tx-code .code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", tx_code), tx_code
    offer_uri = page.locator("a[href^='openid-credential-offer']").get_attribute("href")
    assert offer_uri, "the offer page shows the offer link"
    qr_src = page.locator("figure.qr img").get_attribute("src") or ""
    offer_qr = httpx.get(services.issuer + qr_src.replace("qr.svg", "qr.png"), timeout=30)
    assert offer_qr.headers["content-type"] == "image/png"
    staff.screenshot("issuer-offer")
    return offer_uri, tx_code, offer_qr.content


def _own_dossier(person: Pages, services: Services) -> str:
    link = person.page.locator("a[href^='/d/']").first.get_attribute("href")
    assert link, "the start page links the person's dossier"
    person.goto(services.wallet + link.split("?")[0])
    return str(person.page.url)


def _accept_offer(teacher: Pages, dossier: str, offer_uri: str, tx_code: str, qr: bytes,
                  tmp_path: Path) -> str:
    page = teacher.page
    # Pasted: the wallet shows what is offered and asks for the code (nothing taken yet).
    teacher.goto(f"{dossier}/credentials/receive")
    page.fill("textarea[name=offer]", offer_uri)
    page.click("form[action$='/credentials/receive'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    assert page.locator("input[name=tx_code]").count() == 1, page.content()
    # A photo of the QR code: the same offer, now accepted with the code.
    qr_file = tmp_path / "offer-qr.png"
    qr_file.write_bytes(qr)
    teacher.goto(f"{dossier}/credentials/receive")
    page.set_input_files("input[name=qr]", str(qr_file))
    page.click("form[action$='/credentials/receive'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    # The issuer's metadata names what is offered: an Open Badge, which the wallet shows.
    assert "Open Badge" in page.locator("main").inner_text(), page.content()
    page.fill("input[name=tx_code]", tx_code)
    page.click("form[action$='/credentials/receive/confirm'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/credentials/[0-9a-f]+(\?.*)?$"))
    teacher.check()
    assert BADGE in page.content()
    assert "success" in (page.locator("main .message").first.get_attribute("class") or "")
    assert page.locator(".badge.active").count() >= 1, "valid, with a valid endorsement"
    assert "Pabo Midden" in page.content()
    teacher.screenshot("wallet-credential")
    return str(page.url).split("?")[0]


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (40, 120, 200)).save(out, "JPEG")
    return out.getvalue()


def _upload_photo(teacher: Pages, dossier: str, tmp_path: Path) -> str:
    page = teacher.page
    photo = tmp_path / "les-observatie.jpg"
    photo.write_bytes(_jpeg())
    title = "Lesobservatie groep 6"
    teacher.goto(f"{dossier}/evidence/new")
    page.set_input_files("input[name=file]", str(photo))
    page.fill("input[name=title]", title)
    page.locator("input[name=competence]").first.check()
    page.click("form[action$='/evidence'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    assert title in page.content()
    return title


def _reflect(teacher: Pages, dossier: str) -> None:
    page = teacher.page
    text = "De groep werkte rustig door nadat ik de instructie in drie stappen gaf."
    teacher.goto(f"{dossier}/reflections")
    page.fill("textarea[name=text]", text)
    page.locator("input[name=competence]").first.check()
    page.locator("input[name=evidence]").first.check()
    page.click("form[action$='/reflections'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    assert text in page.content()


def _share(teacher: Pages, dossier: str, evidence_title: str) -> str:
    page = teacher.page
    teacher.goto(f"{dossier}/shares/new")
    page.locator("input[name=credential]").first.check()
    page.locator("input[name=evidence]").first.check()
    page.fill("input[name=audience]", "Werkgever")
    page.click("form[action$='/shares'] button[type=submit]")
    page.wait_for_load_state("load")
    teacher.check()
    share_url = page.locator("#share-link").input_value()
    assert "/s/" in share_url and evidence_title in page.content()
    teacher.screenshot("wallet-share")
    return share_url


def _verified_page(employer: Pages) -> str:
    employer.page.wait_for_load_state("load")
    employer.check()
    return str(employer.page.content())


def _verify_link(employer: Pages, services: Services, share_url: str) -> str:
    employer.goto(f"{services.verifier}/")
    employer.page.fill("input[name=link]", share_url)
    employer.page.locator("input[name=link]").press("Enter")
    content = _verified_page(employer)
    top = employer.page.locator("article.report").first
    assert "report-valid" in (top.get_attribute("class") or ""), content
    return content


def _verify_upload(employer: Pages, services: Services, qr_file: Path) -> None:
    employer.goto(f"{services.verifier}/")
    employer.page.set_input_files("input[name=file]", str(qr_file))
    with employer.page.expect_navigation():
        employer.page.locator("form:has(input[name=file]) button[type=submit]").click()
    _verified_page(employer)
    top = employer.page.locator("article.report").first
    assert "report-valid" in (top.get_attribute("class") or ""), employer.page.content()


def _verify_camera(playwright: Any, services: Services, qr_file: Path, tmp_path: Path) -> None:
    """Chromium's fake camera plays a video of the QR code; the page's scanner reads it."""
    video = write_y4m(qr_file, tmp_path / "qr.y4m")
    camera = launch_chromium(playwright, [
        "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        context = camera.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
        context.grant_permissions(["camera"], origin=services.verifier)
        employer = Pages(context)
        employer.goto(f"{services.verifier}/")
        employer.page.click("[data-scan-start]")
        employer.page.wait_for_url(f"{services.verifier}/verify", timeout=60_000)
        _verified_page(employer)
        top = employer.page.locator("article.report").first
        assert "report-valid" in (top.get_attribute("class") or ""), employer.page.content()
        save_screenshot(employer.page, "verifier-result-camera")
        context.close()
    finally:
        camera.close()


def write_y4m(image_file: Path, target: Path, frames: int = 10) -> Path:
    """A short YUV4MPEG2 video (4:2:0) of `image_file` on a white 640x480 frame: the format
    Chromium's fake capture device plays in a loop."""
    width, height = 640, 480
    frame = Image.new("RGB", (width, height), "white")
    qr = Image.open(image_file).convert("RGB")
    qr.thumbnail((440, 440))
    frame.paste(qr, ((width - qr.width) // 2, (height - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (width // 2, height // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with target.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)
    return target


def _revoke(staff: Pages, services: Services, recipient: str) -> None:
    page = staff.page
    staff.goto(f"{services.issuer}/staff/issued?recipient={recipient.replace(' ', '+')}")
    links = page.locator("td a[href^='/staff/issued/']")
    assert links.count() == 1, page.content()
    record = links.first.get_attribute("href")
    staff.goto(f"{services.issuer}{record}/revoke")
    page.click(f"form[action='{record}/status'] button[type=submit]")
    page.wait_for_load_state("load")
    staff.check()
    staff.screenshot("issuer-revoked")


def _verify_until_revoked(employer: Pages, services: Services, share_url: str) -> None:
    deadline = time.monotonic() + REVOCATION_VISIBLE_WITHIN
    while True:
        employer.goto(f"{services.verifier}/")
        employer.page.fill("input[name=link]", share_url)
        employer.page.locator("input[name=link]").press("Enter")
        content = _verified_page(employer)
        top = employer.page.locator("article.report").first
        if "report-invalid" in (top.get_attribute("class") or ""):
            assert "ingetrokken" in content, "the reason is given: revoked by the issuer"
            return
        assert time.monotonic() < deadline, "the revocation never showed on the verifier"
        employer.page.wait_for_timeout(5000)
