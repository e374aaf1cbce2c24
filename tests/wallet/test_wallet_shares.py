"""Share links through the real wallet service (SQLite and PostgreSQL): a credential from the
real issuer and a photo go into a share; the presentation behind the link verifies on the
real verifier service, evidence digests included; links expire and revoke at once; views
are logged; nobody else lists or revokes them; the CLI makes one too.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests import inprocess
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import Owner, WalletService


@pytest.fixture(scope="module")
def school(issuer: IssuerService) -> Iterator[httpx.Client]:  # noqa: F811
    """An organisation with a did:key profile on the real issuer, as an API client."""
    org = issuer.create_org(f"School {os.urandom(3).hex()}")
    with issuer.client(org["api_token"]) as client:
        yield client


def issue_to(school: httpx.Client, did: str, name: str = "Klassenmanagement") -> dict[str, Any]:
    """An OB 3.0 credential the real issuer signs about `did`."""
    credential = unsigned_credential_of(school, name=name)
    credential["credentialSubject"] = {**credential["credentialSubject"], "id": did}
    credential["credentialSubject"]["achievement"] = {
        **credential["credentialSubject"]["achievement"], "name": name,
        "id": f"https://example.org/achievements/{os.urandom(4).hex()}"}
    response = school.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def import_credential(owner: Owner, credential: dict[str, Any]) -> str:
    response = owner.client.post(owner.url("/credentials"), content=json.dumps(credential),
                                 headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def upload_photo(owner: Owner, title: str, content: bytes) -> str:
    """A photo through the evidence API (multipart, as the phone form sends it)."""
    response = owner.client.post(owner.url("/evidence"),
                                 data={"title": title, "kind": "photo",
                                       "description": "In de klas"},
                                 files={"file": ("les.jpg", content, "image/jpeg")})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def new_share(owner: Owner, **body: Any) -> dict[str, Any]:
    response = owner.client.post(owner.url("/shares"), json=body)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def get_json(url: str, accept: str = "application/json") -> httpx.Response:
    return inprocess.get(url, headers={"accept": accept}, timeout=30)


# --- the presentation behind a link verifies -------------------------------------------
def test_shared_presentation_verifies_with_evidence(wallet_server: WalletService,
                                                    verifier: VerifierService,  # noqa: F811
                                                    school: httpx.Client) -> None:
    owner = wallet_server.create_owner(name="Sanne de Vries")
    credential_id = import_credential(owner, issue_to(school, owner.did))
    photo = jpeg_bytes()
    photo_id = upload_photo(owner, "Kringgesprek", photo)
    share = new_share(owner, credentials=[credential_id], evidence=[photo_id],
                      audience="Stageschool De Klimop", expiresIn="2d")
    assert share["url"] == f"{wallet_server.base_url}/s/" + share["url"].rsplit("/", 1)[1]
    assert share["qrPng"].startswith("data:image/png;base64,")
    assert share["state"] == "active" and share["views"]["count"] == 0

    answer = get_json(share["url"])
    assert answer.status_code == 200
    for name, value in (("cache-control", "no-store"), ("referrer-policy", "no-referrer")):
        assert answer.headers[name] == value
    assert "noindex" in answer.headers["x-robots-tag"]
    vp = answer.json()
    assert vp["holder"] == owner.did
    assert vp["proof"]["proofPurpose"] == "authentication"
    # the proof is made for this share: its id as challenge, the wallet as domain
    assert vp["proof"]["challenge"] == share["id"]
    assert vp["proof"]["domain"] == wallet_server.base_url
    assert len(vp["verifiableCredential"]) == 2  # the credential and the evidence credential
    evidence_credential = vp["verifiableCredential"][1]
    assert evidence_credential["issuer"]["id"] == owner.did
    (entry,) = evidence_credential["evidence"]
    assert entry["id"] == f"{share['url']}/evidence/{photo_id}"
    assert entry["name"] == "Kringgesprek" and entry["genre"] == "photo"

    report = verifier.verify_presentation(vp, checkEvidence=True)
    assert report["verified"], report["errors"]
    assert any("made for someone else (a share link, say)" in w for w in report["warnings"])
    named = verifier.verify_presentation(vp, challenge=share["id"], domain=wallet_server.base_url)
    assert named["verified"], named["errors"]
    outcomes = report["credentials"][1]["evidence"]
    assert [o["digest"] for o in outcomes] == ["matches"]
    served = inprocess.get(entry["id"], timeout=30)
    assert served.status_code == 200 and served.content == photo
    assert served.headers["content-type"] == "image/jpeg"

    # a tampered presentation does not verify: the proof covers the evidence list
    vp["verifiableCredential"][1]["evidence"][0]["name"] = "Iets anders"
    assert not verifier.verify_presentation(vp)["verified"]

    page = inprocess.get(share["url"], headers={"accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Sanne de Vries" in page.text and "Klassenmanagement" in page.text
    assert "Kringgesprek" in page.text and f"{share['url']}/qr.png" in page.text
    assert f"challenge <code>{share['id']}</code>" in page.text  # published for verifiers
    qr = inprocess.get(f"{share['url']}/qr.png", timeout=30)
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.content)))
    assert code.text == share["url"]
    assert inprocess.get(f"{share['url']}/qr.svg", timeout=30).text.lstrip().startswith("<")


def test_jwt_credential_is_shared_enveloped(wallet_server: WalletService,
                                           verifier: VerifierService,  # noqa: F811
                                           school: httpx.Client) -> None:
    """A VC-JWT goes into the presentation as an EnvelopedVerifiableCredential, which the
    real verifier opens and verifies, holder binding included; a tampered envelope fails."""
    owner = wallet_server.create_owner()
    signer = new_signer()
    token = signer.sign_jwt(achievement_credential(signer.did, owner.did, name="Didactiek"))
    imported = owner.client.post(owner.url("/credentials"), content=token.encode(),
                                 headers={"content-type": "application/jwt"})
    assert imported.status_code == 201, imported.text
    ldp = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[imported.json()["id"], ldp])
    vp = get_json(share["url"]).json()
    envelope = vp["verifiableCredential"][0]
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["id"] == f"data:application/vc+jwt,{token}"
    report = verifier.verify_presentation(vp)
    assert report["verified"], report["errors"]
    assert any(c["check"] == "credential[0].holder-binding" and c["ok"]
               for c in report["checks"])
    header, payload, signature = token.split(".")
    envelope["id"] = f"data:application/vc+jwt,{header}.{payload}.{signature[:-4]}AAAA"
    assert not verifier.verify_presentation(vp)["verified"]


def test_only_shared_evidence_is_served(wallet_server: WalletService,
                                        school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    shared_id = upload_photo(owner, "Gedeeld", jpeg_bytes((0, 90, 0)))
    private_id = upload_photo(owner, "Privé", jpeg_bytes((0, 0, 90)))
    share = new_share(owner, credentials=[credential_id], evidence=[shared_id])
    assert inprocess.get(f"{share['url']}/evidence/{shared_id}", timeout=30).status_code == 200
    for evidence_id in (private_id, "0" * 32):
        refused = inprocess.get(f"{share['url']}/evidence/{evidence_id}", timeout=30)
        assert refused.status_code == 404, evidence_id
        assert "no such evidence" in refused.json()["message"]
    tricked = inprocess.get(f"{share['url']}/evidence/..%2f..%2fwallet.db", timeout=30)
    assert tricked.status_code == 404 and b"SQLite" not in tricked.content
    owner.client.delete(owner.url(f"/shares/{share['id']}"))
    after = inprocess.get(f"{share['url']}/evidence/{shared_id}", timeout=30)
    assert after.status_code == 410 and "withdrawn" in after.json()["message"]


# --- expiry, revocation, views ---------------------------------------------------------
def test_expired_link_is_gone(wallet_server: WalletService, school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[credential_id], expiresIn="2s")
    assert get_json(share["url"]).status_code == 200
    wallet_server.clock.advance(2.5)  # past the two-second lifetime
    gone = get_json(share["url"])
    assert gone.status_code == 410
    assert gone.json() == {"error": "gone", "message": "this share link has expired"}
    page = inprocess.get(share["url"], headers={"accept": "text/html"}, timeout=30)
    assert page.status_code == 410 and "text/html" in page.headers["content-type"]
    assert inprocess.get(f"{share['url']}/qr.png", timeout=30).status_code == 410
    (listed,) = owner.client.get(owner.url("/shares")).json()
    assert listed["state"] == "expired"


def test_revoked_link_is_gone_at_once(wallet_server: WalletService,
                                      school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[credential_id])
    assert get_json(share["url"]).status_code == 200
    revoked = owner.client.delete(owner.url(f"/shares/{share['id']}"))
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    gone = get_json(share["url"])
    assert gone.status_code == 410 and "withdrawn" in gone.json()["message"]
    assert inprocess.get(f"{share['url']}/qr.svg", timeout=30).status_code == 410
    # revoking again changes nothing
    again = owner.client.delete(owner.url(f"/shares/{share['id']}"))
    assert again.json()["revokedAt"] == revoked.json()["revokedAt"]


def test_views_are_logged(wallet_server: WalletService, school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[credential_id])
    get_json(share["url"], "application/vp+json")
    inprocess.get(share["url"], timeout=30,
                  headers={"accept": "text/html", "user-agent": "Firefox/" + "x" * 400})
    (listed,) = owner.client.get(owner.url("/shares")).json()
    views = listed["views"]
    assert views["count"] == 2 and views["lastViewedAt"] == views["list"][0]["at"]
    assert sorted(v["as"] for v in views["list"]) == ["html", "json"]
    html_view = next(v for v in views["list"] if v["as"] == "html")
    assert html_view["client"].startswith("Firefox/") and len(html_view["client"]) == 200
    assert owner.client.get(owner.url(f"/shares/{share['id']}")).json()["views"]["count"] == 2


def test_unknown_token_says_nothing(wallet_server: WalletService) -> None:
    for token in ("no-such-token", "x" * 200):
        answer = get_json(f"{wallet_server.base_url}/s/{token}")
        assert answer.status_code == 404
        assert answer.json()["message"] == "there is no share link at this address"


# --- who may -----------------------------------------------------------------------------
def test_other_owners_and_delegates_cannot(wallet_server: WalletService,
                                           school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[credential_id])
    other = wallet_server.create_owner()
    assert other.client.get(owner.url("/shares")).status_code == 404
    assert other.client.delete(owner.url(f"/shares/{share['id']}")).status_code == 404
    assert other.client.delete(other.url(f"/shares/{share['id']}")).status_code == 404
    stolen = other.client.post(other.url("/shares"), json={"credentials": [credential_id]})
    assert stolen.status_code == 404 and "no such credential" in stolen.json()["message"]
    mentor = wallet_server.delegate(owner, "coordinator")
    refused = mentor.client.get(owner.url("/shares"))
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    refused = mentor.client.post(owner.url("/shares"), json={"credentials": [credential_id]})
    assert refused.status_code == 403
    assert get_json(share["url"]).status_code == 200  # still working


def test_bad_requests_are_refused(wallet_server: WalletService, school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential_id = import_credential(owner, issue_to(school, owner.did))
    for body, status, words in (
            ({}, 422, "at least one"),
            ({"credentials": [credential_id], "expiresIn": "soon"}, 422, "not a number"),
            ({"credentials": [credential_id], "expiresIn": "900d"}, 422, "at most 366 days"),
            ({"credentials": [credential_id], "expiresIn": 7}, 422, "expiresIn"),
            ({"credentials": credential_id}, 422, "list of ids"),
            ({"credentials": [credential_id], "audience": "x" * 301}, 422, "300 characters"),
            ({"credentials": [credential_id], "evidence": ["0" * 32]}, 404, "no evidence")):
        answer = owner.client.post(owner.url("/shares"), json=body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["message"], (body, answer.text)
    broken = owner.client.post(owner.url("/shares"), content=b"{nope",
                               headers={"content-type": "application/json"})
    assert broken.status_code == 400 and "malformed JSON" in broken.json()["message"]
    assert owner.client.get(owner.url("/shares")).json() == []  # nothing was made


# --- the command line --------------------------------------------------------------------
def test_cli_share_prints_url_and_qr(wallet_server: WalletService,
                                     school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    nothing = wallet_server.cli("share", owner.email, "--all", check=False)
    assert nothing.returncode == 1 and "no credentials" in nothing.stderr
    first = import_credential(owner, issue_to(school, owner.did, "Klassenmanagement"))
    second = import_credential(owner, issue_to(school, owner.did, "Didactiek"))
    made = json.loads(wallet_server.cli("share", owner.email, "--all",
                                        "--expires-in", "12h").stdout)
    png = Path(made["qr_png"])
    assert png.is_absolute() and png.parent == (wallet_server.data_dir / "shares").resolve()
    (code,) = zxingcpp.read_barcodes(Image.open(png))
    assert code.text == made["url"]
    vp = get_json(made["url"]).json()
    assert vp["holder"] == owner.did and len(vp["verifiableCredential"]) == 2
    one = json.loads(wallet_server.cli("share", owner.email, "--credential", first).stdout)
    assert len(get_json(one["url"]).json()["verifiableCredential"]) == 1
    both = json.loads(wallet_server.cli("share", owner.email, "--credential", first,
                                        second).stdout)
    assert len(get_json(both["url"]).json()["verifiableCredential"]) == 2
    for args, words in ((["--credential", "0" * 32], "no such credential"),
                        (["--all", "--expires-in", "forever"], "not a number")):
        refused = wallet_server.cli("share", owner.email, *args, check=False)
        assert refused.returncode == 1 and words in refused.stderr, refused.stderr
    unknown = wallet_server.cli("share", "nobody@example.org", "--all", check=False)
    assert unknown.returncode == 1 and "no owner" in unknown.stderr
