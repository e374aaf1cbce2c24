"""The employer page over real HTTP, as a phone browser without JavaScript uses it: upload a
file (credential JSON, baked PNG, photo of a QR code), give a link or paste text, and read
the result; the camera's /scan endpoint; the language switch; refusals with their message."""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import qrcode
from PIL import Image

from standards.baking import bake_png
from standards.ob3 import digest_sri
from tests.catalogues import texts
from tests.inprocess import NETWORK
from tests.issuer.test_issuer_vc_api import SUBJECT_DID, unsigned_credential_of
from tests.local_server import LocalServer
from tests.oid4vci_wallet import WalletError
from tests.oid4vp_wallet import PresentingWallet
from tests.verifier.conftest import VerifierService
from tests.verifier.signing import (
    achievement_credential,
    changed,
    endorsement,
    new_signer,
    presentation,
    published_achievement,
)
from tests.verifier.test_verifier_oid4vp import issue_to
from verifier.services.qr_decode import decode_qr
from verifier.web.i18n import LOCALE_DIR

KNOWN_ISSUER_NL = "Geldig — uitgegeven door OBS De Linde (bekende organisatie, BRIN 12AB)"
KNOWN_ISSUER_EN = "Valid — issued by OBS De Linde (known organisation, BRIN 12AB)"
DUTCH, ENGLISH = texts(LOCALE_DIR, "nl"), texts(LOCALE_DIR, "en")
SECTIONS = sorted({key.split(".")[0] for key in DUTCH})
UNTRANSLATED = re.compile(r"[>\"]\s*(?:" + "|".join(SECTIONS) + r")\.[a-z_-]+\s*[<\"]")


class PageCheck(HTMLParser):
    """What the accessibility and no-external-resource checks need."""

    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.viewport = False
        self.main = False
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.resources: list[str] = []  # stylesheets and scripts the page loads
        self.images: list[str] = []
        self.wallet_links: list[str] = []
        self.headings: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "meta" and attributes.get("name") == "viewport":
            self.viewport = True
        elif tag == "main":
            self.main = True
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(str(attributes["for"]))
        elif tag in ("input", "textarea", "select") and attributes.get("type") != "hidden":
            self.controls.append(attributes)
        elif tag == "script" and attributes.get("src"):
            self.resources.append(str(attributes["src"]))
        elif tag == "link" and attributes.get("rel") == "stylesheet":
            self.resources.append(str(attributes["href"]))
        elif tag == "img":
            self.images.append(str(attributes.get("src")))
        elif tag == "a" and str(attributes.get("href")).startswith("openid4vp://"):
            self.wallet_links.append(str(attributes["href"]))
        elif re.fullmatch(r"h[1-6]", tag) and "verdict" in (attributes.get("class") or ""):
            self._heading = []

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            text = " ".join("".join(self._heading).split())
            self.headings.append(text.lstrip("✓?✗– "))
            self._heading = None


def check_page(response: httpx.Response, lang: str = "nl") -> PageCheck:
    """Every page: <html lang>, a viewport, a <main>, a label for every control, only local
    scripts and styles, the strict page headers, and no catalogue key instead of its text."""
    page = PageCheck()
    page.feed(response.text)
    assert page.lang == lang
    assert page.viewport and page.main
    assert not [c for c in page.controls if c.get("id") not in page.label_for]
    assert all(src.startswith("/static/") for src in page.resources), page.resources
    assert not UNTRANSLATED.search(response.text), UNTRANSLATED.search(response.text)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["cache-control"] == "no-store"
    return page


def post_file(client: httpx.Client, name: str, content: bytes,
              content_type: str = "application/octet-stream") -> httpx.Response:
    return client.post("/verify", files={"file": (name, content, content_type)})


def post_field(client: httpx.Client, name: str, value: str) -> httpx.Response:
    """A text field posted as multipart/form-data, as the page's forms do."""
    return client.post("/verify", files={name: (None, value)})


def serve_bytes(server: LocalServer, path: str, content: bytes, content_type: str) -> str:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    server.routes[path] = route
    return server.base + path


def json_bytes(value: Any) -> bytes:
    return json.dumps(value).encode()


def png(size: tuple[int, int] = (64, 64), colour: str = "white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def many_pixels() -> bytes:
    """81 megapixels in a few kilobytes: what a decompression bomb looks like."""
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000), 1).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    return bomb.getvalue()


def qr_image(text: str, image_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    qrcode.make(text).get_image().convert("RGB").save(buffer, image_format)
    return buffer.getvalue()


@pytest.fixture
def page(verifier: VerifierService) -> Iterator[httpx.Client]:
    with verifier.client() as client:
        yield client


@pytest.fixture
def issued(issuer_api: httpx.Client) -> dict[str, Any]:
    """A credential the real issuer signed for the registered school (did:web)."""
    credential = unsigned_credential_of(issuer_api)
    response = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


# --- the page -----------------------------------------------------------------------------
def test_page_is_dutch_by_default_and_english_is_kept_in_a_cookie(page: httpx.Client) -> None:
    response = page.get("/")
    assert response.status_code == 200
    checked = check_page(response, "nl")
    text = response.text
    assert "Controleer wat iemand je laat zien" in text
    # three ways in without JavaScript, and the camera says it needs it
    assert 'name="file"' in text and 'name="link"' in text and 'name="text"' in text
    assert 'enctype="multipart/form-data"' in text
    assert "<noscript>" in text and "JavaScript" in text
    assert "/static/scan.js" in checked.resources

    english = page.get("/", params={"lang": "en"})
    check_page(english, "en")
    assert "Check what someone shows you" in english.text
    assert page.cookies.get("od_verifier_lang") == "en"
    remembered = page.get("/")  # the cookie keeps English
    check_page(remembered, "en")
    assert 'href="/?lang=nl"' in remembered.text
    back = page.get("/", params={"lang": "nl"})
    check_page(back, "nl")


def test_static_files_are_served(page: httpx.Client) -> None:
    for path, kind in (("/static/style.css", "text/css"), ("/static/scan.js", "javascript")):
        response = page.get(path)
        assert response.status_code == 200
        assert kind in response.headers["content-type"]
    assert "getUserMedia" in page.get("/static/scan.js").text


def test_catalogues_have_the_same_keys_and_placeholders() -> None:
    assert DUTCH.keys() == ENGLISH.keys()
    for key in DUTCH:
        assert set(re.findall(r"{(\w+)}", DUTCH[key])) == \
            set(re.findall(r"{(\w+)}", ENGLISH[key])), key


# --- the ways in --------------------------------------------------------------------------
def test_uploaded_credential_file_shows_who_issued_what_to_whom(
        page: httpx.Client, issued: dict[str, Any]) -> None:
    response = post_file(page, "klassenmanagement.json", json_bytes(issued), "application/json")
    assert response.status_code == 200, response.text
    checked = check_page(response)
    assert checked.headings[0] == KNOWN_ISSUER_NL
    text = html.unescape(response.text)
    assert "Klassenmanagement" in text and "Leidt een klas." in text  # what
    assert SUBJECT_DID in text  # to whom
    assert "Staat in het register Testregister" in text  # trusted, which registry
    assert "Bestand klassenmanagement.json" in text
    assert "Niet geldig" not in text


def test_baked_png_badge_in_english(page: httpx.Client, issued: dict[str, Any]) -> None:
    page.get("/", params={"lang": "en"})
    response = post_file(page, "badge.png", bake_png(png(), issued), "image/png")
    assert response.status_code == 200, response.text
    checked = check_page(response, "en")
    assert checked.headings[0] == KNOWN_ISSUER_EN
    assert "File badge.png" in response.text


def test_photo_of_a_qr_code_with_a_link(page: httpx.Client, issued: dict[str, Any],
                                        local_server: LocalServer) -> None:
    url = local_server.json_route("/shared/abc", issued)
    response = post_file(page, "foto.jpg", qr_image(url, "JPEG"), "image/jpeg")
    assert response.status_code == 200, response.text
    assert check_page(response).headings[0] == KNOWN_ISSUER_NL
    assert f"QR-code {url}" in response.text
    assert local_server.hits["/shared/abc"] == 1


def test_photo_of_a_qr_code_holding_the_credential_itself(page: httpx.Client) -> None:
    signer = new_signer()
    credential = signer.sign_jwt(achievement_credential(signer.did, SUBJECT_DID))
    response = post_file(page, "qr.png", qr_image(credential), "image/png")
    assert response.status_code == 200, response.text
    headline = check_page(response).headings[0]
    assert headline == "Geldig — uitgegeven door OBS De Linde (onbekende organisatie)"


def test_link(page: httpx.Client, issued: dict[str, Any], local_server: LocalServer) -> None:
    url = local_server.json_route("/gedeeld/1", issued)
    response = post_field(page, "link", url)
    assert response.status_code == 200, response.text
    assert check_page(response).headings[0] == KNOWN_ISSUER_NL
    assert f"Link {url}" in response.text


def test_link_that_cannot_be_opened_keeps_what_was_typed(page: httpx.Client,
                                                        local_server: LocalServer) -> None:
    url = f"{local_server.base}/verdwenen"
    response = post_field(page, "link", url)
    assert response.status_code == 400
    check_page(response)
    assert "De link kon niet worden geopend" in response.text
    assert "HTTP status 404" in response.text  # the technical detail
    assert f'value="{url}"' in response.text  # nothing lost: the link is still in the form


def test_link_to_something_that_is_not_a_credential(page: httpx.Client,
                                                     local_server: LocalServer) -> None:
    url = local_server.json_route("/iets", ["geen", "credential"])
    response = post_field(page, "link", url)
    assert response.status_code == 400
    assert "Achter de link staat geen credential of presentatie" in response.text


def test_pasted_jwt_and_pasted_link(page: httpx.Client, issuer_api: httpx.Client,
                                    issued: dict[str, Any], local_server: LocalServer) -> None:
    response = issuer_api.post("/credentials/issue", json={
        "credential": unsigned_credential_of(issuer_api), "options": {"format": "jwt_vc_json"}})
    assert response.status_code == 201, response.text
    jwt = response.json()["verifiableCredential"]
    assert isinstance(jwt, str)
    pasted = post_field(page, "text", f"\n  {jwt}\n")
    assert pasted.status_code == 200, pasted.text
    assert check_page(pasted).headings[0] == KNOWN_ISSUER_NL
    assert "Geplakte tekst" in pasted.text
    url = local_server.json_route("/geplakt", issued)
    # a link pasted in the text box is followed too; and curl -d (urlencoded) works
    by_curl = page.post("/verify", data={"text": url})
    assert by_curl.status_code == 200, by_curl.text
    assert check_page(by_curl).headings[0] == KNOWN_ISSUER_NL


def test_presentation_file(page: httpx.Client) -> None:
    holder, school = new_signer(), new_signer()
    credential = school.sign(achievement_credential(school.did, holder.did))
    shown = presentation(holder, [credential], challenge=None, domain=None)
    response = post_file(page, "presentatie.json", json_bytes(shown))
    assert response.status_code == 200, response.text
    headings = check_page(response).headings
    assert headings[0] == f"Geldig — getoond door {holder.did}"
    assert headings[1] == "Geldig — uitgegeven door OBS De Linde (onbekende organisatie)"
    assert "Wat er getoond wordt (1)" in response.text


# --- what is wrong, in plain words ----------------------------------------------------------
def test_tampered_credential_shows_the_reason(page: httpx.Client,
                                              issued: dict[str, Any]) -> None:
    tampered = changed(issued, "credentialSubject", "achievement", "name",
                       value="Schoolleider")
    response = post_file(page, "vals.json", json_bytes(tampered))
    assert response.status_code == 200  # a verdict, not a refusal
    checked = check_page(response)
    assert checked.headings[0].startswith("Niet geldig — uitgegeven door OBS De Linde")
    text = html.unescape(response.text)
    assert "Handtekening:" in text and "de digitale handtekening klopt niet" in text
    assert "Waarom niet:" in text


def test_expired_credential_in_english(page: httpx.Client) -> None:
    signer = new_signer()
    expired = signer.sign(achievement_credential(signer.did, SUBJECT_DID,
                                                 valid_until="2020-01-01T00:00:00Z"))
    page.cookies.set("od_verifier_lang", "en")
    response = post_file(page, "old.json", json_bytes(expired))
    assert response.status_code == 200
    checked = check_page(response, "en")
    assert checked.headings[0] == "Not valid — issued by OBS De Linde (unknown organisation)"
    assert "Validity:</strong> it has expired." in response.text
    assert "1 January 2020" in response.text  # valid until, readable


def test_status_list_out_of_reach_cannot_be_confirmed(page: httpx.Client,
                                                      local_server: LocalServer) -> None:
    signer = new_signer()
    credential = signer.sign(achievement_credential(signer.did, SUBJECT_DID, credential_status={
        "id": f"{local_server.base}/status/weg#7", "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation", "statusListIndex": "7",
        "statusListCredential": f"{local_server.base}/status/weg"}))
    response = post_file(page, "status.json", json_bytes(credential))
    assert response.status_code == 200, response.text
    checked = check_page(response)
    assert checked.headings[0] == \
        "Niet te bevestigen — uitgegeven door OBS De Linde (onbekende organisatie)"
    assert "het kon niet worden nagegaan of dit is ingetrokken" in response.text
    assert local_server.hits["/status/weg"] == 1


def test_what_a_credential_says_cannot_become_markup_or_script(page: httpx.Client) -> None:
    signer = new_signer()
    unsigned = achievement_credential(signer.did, SUBJECT_DID, name="<script>alert(1)</script>")
    unsigned["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Pedagogisch klimaat",
         "targetUrl": "javascript:alert(2)", "targetType": "ceterms:Competency"}]
    response = post_file(page, "x.json", json_bytes(signer.sign(unsigned)))
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "Pedagogisch klimaat" in response.text
    assert 'href="javascript:' not in response.text


# --- endorsements and evidence ----------------------------------------------------------------
def test_endorsements_are_shown_with_their_verdict(page: httpx.Client,
                                                   local_server: LocalServer) -> None:
    school, academy = new_signer(), new_signer()
    achievement_id = f"{local_server.base}/achievements/klassenmanagement"
    good = endorsement(academy, achievement_id)
    forged = changed(good, "credentialSubject", "endorsementComment", value="Uitstekend!")
    credential = school.sign(achievement_credential(school.did, SUBJECT_DID,
                                                    endorsements=[good],
                                                    achievement_id=achievement_id))
    # the school publishes its achievement: the endorsement counts for that one
    local_server.documents["/achievements/klassenmanagement"] = published_achievement(credential)
    response = post_file(page, "endorsed.json", json_bytes(credential))
    assert response.status_code == 200, response.text
    headings = check_page(response).headings
    assert headings[0].startswith("Geldig")
    assert headings[1] == "Geldig — onderschreven door Lerarenopleiding Noord " \
                          "(onbekende organisatie)"
    assert "Onderschrijvingen (1)" in response.text
    assert "Een degelijk opgezette badge." in response.text

    credential = school.sign(achievement_credential(school.did, SUBJECT_DID,
                                                    endorsements=[forged],
                                                    achievement_id=achievement_id))
    response = post_file(page, "forged.json", json_bytes(credential))
    headings = check_page(response).headings
    assert headings[0].startswith("Niet geldig")
    assert headings[1].startswith("Niet geldig — onderschreven door Lerarenopleiding Noord")
    assert "een onderschrijving die erin zit, is vervalst of onleesbaar" in response.text


def test_evidence_image_is_shown_with_its_digest_state(
        page: httpx.Client, issuer_api: httpx.Client, local_server: LocalServer) -> None:
    photo, notes = png((40, 30), "navy"), b"%PDF-1.4 lesvoorbereiding"
    photo_url = serve_bytes(local_server, "/bewijs/les.png", photo, "image/png")
    notes_url = serve_bytes(local_server, "/bewijs/les.pdf", notes, "application/pdf")
    credential = unsigned_credential_of(issuer_api, evidence=[
        {"id": photo_url, "type": ["Evidence"], "name": "Foto van de les",
         "digestSRI": digest_sri(photo)},
        {"id": notes_url, "type": ["Evidence"], "name": "Lesvoorbereiding"}])
    issued = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert issued.status_code == 201, issued.text
    response = post_file(page, "bewijs.json",
                         json_bytes(issued.json()["verifiableCredential"]))
    assert response.status_code == 200, response.text
    checked = check_page(response)
    assert checked.headings[0] == KNOWN_ISSUER_NL
    assert checked.images == [photo_url]  # the image inline, the PDF as a link
    assert f'href="{notes_url}"' in response.text
    text = html.unescape(response.text)
    assert "Is dit het ondertekende bestand: <strong>ja, het klopt" in text
    assert "niet te zeggen: de uitgever heeft het niet ondertekend" in text
    assert "http://127.0.0.1:*" in response.headers["content-security-policy"]


def test_evidence_that_differs_is_not_shown_as_the_evidence(
        page: httpx.Client, issuer_api: httpx.Client, local_server: LocalServer) -> None:
    photo_url = serve_bytes(local_server, "/bewijs/ander.png", png(colour="red"), "image/png")
    credential = unsigned_credential_of(issuer_api, evidence=[
        {"id": photo_url, "type": ["Evidence"], "name": "Foto",
         "digestSRI": digest_sri(png(colour="blue"))}])
    issued = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert issued.status_code == 201, issued.text
    response = post_file(page, "bewijs.json",
                         json_bytes(issued.json()["verifiableCredential"]))
    checked = check_page(response)
    assert checked.headings[0].startswith("Niet geldig")
    assert checked.images == []
    text = html.unescape(response.text)
    assert "nee, het bestand is anders dan het ondertekende" in text
    assert "een bewijsstuk is niet het bestand dat de uitgever heeft ondertekend" in text


# --- refusals -------------------------------------------------------------------------------
def test_too_large_upload_is_refused_with_413(page: httpx.Client) -> None:
    response = post_file(page, "groot.json", b" " * (10 * 1024 * 1024 + 1), "application/json")
    assert response.status_code == 413
    check_page(response)
    assert "Dit is te groot om te controleren" in response.text
    pasted = post_field(page, "text", "x" * (1024 * 1024 + 1))  # the JSON limit for text
    assert pasted.status_code == 413
    photo = post_file(page, "groot.png", many_pixels(), "image/png")
    assert photo.status_code == 413
    assert "Deze afbeelding is te groot om te lezen" in photo.text


def test_unusable_input_is_refused_with_400_and_a_message(page: httpx.Client) -> None:
    cases = [
        (post_file(page, "rommel.txt", b"hallo wereld", "text/plain"),
         "Dit is geen credential, presentatie of badge"),
        (post_file(page, "leeg.json", b"", "application/json"), "Er was niets om te"),
        (post_file(page, "wit.png", png(), "image/png"), "In deze afbeelding staat geen QR-code"),
        (post_file(page, "kapot.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 50, "image/png"),
         "Deze afbeelding kan niet worden gelezen"),
        (post_file(page, "qr.png", qr_image("hallo"), "image/png"),
         "Deze QR-code bevat geen link"),
        (page.post("/verify", files={"link": (None, "")}), "Er was niets om te controleren"),
        (page.post("/verify", files={"link": (None, "https://a.example/x"),
                                     "text": (None, "{}")}), "Geef één ding tegelijk"),
        (post_field(page, "link", "ftp://a.example/x"), "De link kon niet worden geopend"),
    ]
    for response, message in cases:
        assert response.status_code == 400, (message, response.text[:500])
        check_page(response)
        assert message in html.unescape(response.text), message


def test_link_is_fetched_under_the_verifiers_policy(
        strict_verifier: VerifierService, local_server: LocalServer) -> None:
    url = local_server.json_route("/intern", {"type": ["VerifiableCredential"]})
    with strict_verifier.client() as client:
        response = post_field(client, "link", url)
    assert response.status_code == 400
    assert "De link kon niet worden geopend" in response.text
    assert local_server.hits["/intern"] == 0
    assert "http://127.0.0.1" not in response.headers["content-security-policy"]


def test_verifier_without_a_trust_registry_says_so(strict_verifier: VerifierService) -> None:
    signer = new_signer()
    credential = signer.sign(achievement_credential(signer.did, SUBJECT_DID))
    with strict_verifier.client() as client:
        response = post_file(client, "badge.json", json_bytes(credential))
    assert response.status_code == 200, response.text
    assert check_page(response).headings[0] == \
        "Geldig — uitgegeven door OBS De Linde (onbekende organisatie)"
    assert "Deze controle heeft geen register van bekende organisaties" in response.text


# --- the camera's endpoint ------------------------------------------------------------------
def test_scan_reads_a_qr_code_from_a_camera_frame(page: httpx.Client) -> None:
    response = page.post("/scan", files={"frame": ("frame.jpg", qr_image(
        "https://wallet.example/gedeeld/42", "JPEG"), "image/jpeg")})
    assert response.status_code == 200, response.text
    assert response.json() == {"text": "https://wallet.example/gedeeld/42"}


def test_scan_without_a_qr_code_is_422_and_not_an_image_is_400(page: httpx.Client) -> None:
    response = page.post("/scan", files={"frame": ("frame.png", png(), "image/png")})
    assert response.status_code == 422
    assert response.json()["message"] == "no QR code found"
    response = page.post("/scan", files={"frame": ("frame.jpg", b"geen beeld", "image/jpeg")})
    assert response.status_code == 400
    assert "not an image" in response.json()["message"]
    response = page.post("/scan", files={"other": ("frame.png", png(), "image/png")})
    assert response.status_code == 400
    assert "'frame'" in response.json()["message"]


def test_scan_refuses_an_image_with_too_many_pixels(page: httpx.Client) -> None:
    response = page.post("/scan", files={"frame": ("bomb.png", many_pixels(), "image/png")})
    assert response.status_code == 413
    assert "pixels" in response.json()["message"]


# --- asking the wallet (OpenID4VP) ------------------------------------------------------------
@pytest.fixture
def wallet(issuer_api: httpx.Client) -> Iterator[PresentingWallet]:
    holder = PresentingWallet(client=NETWORK.client())
    holder.credentials.append(issue_to(issuer_api, holder.did))
    yield holder
    holder.close()


def wallet_request(page: httpx.Client, **params: str) -> tuple[str, str, PageCheck]:
    """(request id, openid4vp:// link) of the wallet request page."""
    response = page.get("/oid4vp", params=params)
    assert response.status_code == 200, response.text
    checked = check_page(response, params.get("lang", "nl"))
    match = re.fullmatch(r"/oid4vp/requests/([\w-]+)/qr\.png", checked.images[0])
    assert match, checked.images
    assert len(checked.wallet_links) == 1
    return match.group(1), checked.wallet_links[0], checked


def test_wallet_request_shows_a_qr_code_then_the_result(page: httpx.Client,
                                                        wallet: PresentingWallet) -> None:
    request_id, link, checked = wallet_request(page)
    assert "/static/oid4vp.js" in checked.resources
    qr = page.get(f"/oid4vp/requests/{request_id}/qr.png")
    assert qr.status_code == 200
    assert decode_qr(qr.content) == link  # the QR code and the same-device link agree
    # As HAIP expects: by reference, the query in a request object signed by the verifier.
    params = dict(parse_qsl(urlsplit(link).query))
    assert set(params) == {"client_id", "request_uri"}
    assert params["client_id"].startswith("decentralized_identifier:did:key:")
    request = wallet.parse_request(link)
    assert request.dcql_query is not None
    waiting = page.get(f"/oid4vp/{request_id}/result")  # the button, before the answer
    assert waiting.status_code == 200
    check_page(waiting)
    assert "Nog geen antwoord" in waiting.text

    wallet.answer(link)
    response = page.get(f"/oid4vp/{request_id}/result")
    assert response.status_code == 200
    headings = check_page(response).headings
    assert headings[0] == f"Geldig — getoond door {wallet.did}"
    assert headings[1] == KNOWN_ISSUER_NL
    assert "Antwoord van de wallet" in response.text
    assert "Gevraagd" in response.text  # the query check, in plain words


def test_wallet_request_with_presentation_exchange_in_english(
        page: httpx.Client, wallet: PresentingWallet) -> None:
    request_id, link, _ = wallet_request(page, query="pe", lang="en")
    # The older way, by value and unsigned, for wallets that read neither DCQL nor JAR.
    assert "presentation_definition" in link and "request_uri" not in link
    wallet.answer(link)
    response = page.get(f"/oid4vp/{request_id}/result")
    headings = check_page(response, "en").headings
    assert headings[:2] == [f"Valid — shown by {wallet.did}", KNOWN_ISSUER_EN]


def test_wallet_that_declines_and_unknown_requests(page: httpx.Client) -> None:
    request_id, link, _ = wallet_request(page)
    with pytest.raises(WalletError):
        PresentingWallet(client=NETWORK.client()).answer(link)  # holds nothing that fits: declines
    declined = page.get(f"/oid4vp/{request_id}/result")
    assert declined.status_code == 200
    check_page(declined)
    assert "De wallet heeft niets gedeeld" in declined.text
    assert "access_denied" in declined.text
    unknown = page.get("/oid4vp/bestaat-niet/result")
    assert unknown.status_code == 404
    check_page(unknown)
    assert "Deze vraag bestaat niet (meer)" in unknown.text


@pytest.mark.parametrize(("message", "expected"), [
    ("status unknown: the status list could not be fetched", "unknown"),
    ("key unknown: did:web:school.example does not answer", "unknown"),
    ("signature does not match", "invalid"),
])
def test_what_cannot_be_checked_now_is_unknown_not_invalid(message: str, expected: str) -> None:
    from verifier.web.report_view import verdict

    node = {"verified": False, "checks": [{"check": "proof", "ok": False, "message": message}]}
    assert verdict(node) == expected
