"""Story: a school issues endorsed badges.

Staff of OBS De Linde define an achievement aligned to a competence of the school's
framework; the training institute Pabo Midden endorses it; staff offer it to a teacher by
OpenID4VCI (pre-authorized code with a transaction code; the offer URI is what the QR code
holds); the teacher accepts it in her wallet.

Leaves behind in OUT: issued-credential.json (as the wallet received it), issuer-did.json
and endorser-did.json (the DID documents of the school and of the institute) and
endorser-status-list.json (the institute's status list, which the embedded endorsement
names) and achievement.json (the achievement as the school publishes it: the endorsement
counts only for that one), so that the credential and its endorsement can be verified
offline later.
"""

from __future__ import annotations

import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find examples
from examples import staff_pages
from examples.services import Services, answer_of, expect, step
from examples.wallet_people import log_in
from servicekit.qr_decode import decode_qr
from standards.dids import did_web_url

NAME = "school_issues"
NEEDS: tuple[str, ...] = ()
FRAMEWORK = "Bekwaamheidseisen leraren"
COMPETENCE_CODE = "BKE-PE.1"  # Klassenmanagement
ACHIEVEMENT = "Rust en regelmaat in de groep"
PARTNER_EMAIL = "staf@pabomidden.example"
TEACHER_EMAIL = "leraar@example.org"
TEACHER_NAME = "Sanne de Vries"
PASSWORD = "voorbeeld-wachtwoord"
ENDORSEMENT_COMMENT = "Pabo Midden erkent deze badge als bewijs van klassenmanagement."


def run(services: Services, out: Path) -> None:
    with services.client(services.issuer, services.school_api_token) as staff:
        competence = _competence(staff)
        achievement = _define_achievement(staff, competence)
        _endorse(services, achievement["achievement"]["id"])
        offer = _offer(staff, achievement["id"])
    credential = _accept_in_wallet(services, offer)
    _check_credential(credential, competence)
    (out / "issued-credential.json").write_text(json.dumps(credential, indent=2) + "\n",
                                                encoding="utf-8")
    _save_did_documents(credential, out)


def _competence(staff: httpx.Client) -> dict[str, Any]:
    listed = answer_of(staff.get("/api/frameworks"), 200, "the school's frameworks")
    framework = next((f for f in listed["items"] if f["title"] == FRAMEWORK), None)
    expect(framework, f"the school has no framework {FRAMEWORK!r}: "
                      f"{[f['title'] for f in listed['items']]}")
    assert framework is not None
    document = answer_of(staff.get(f"/api/frameworks/{framework['id']}"), 200, "the framework")
    competence = next((c for c in document["competences"] if c["code"] == COMPETENCE_CODE), None)
    expect(competence, f"{FRAMEWORK} has no competence {COMPETENCE_CODE}")
    assert competence is not None
    step(f"staff find competence {competence['code']} {competence['name']!r} in {FRAMEWORK}")
    return competence  # type: ignore[no-any-return]


def _define_achievement(staff: httpx.Client, competence: dict[str, Any]) -> dict[str, Any]:
    made = answer_of(staff.post("/api/achievements", json={
        "name": ACHIEVEMENT, "achievementType": "Competency",
        "description": "Zorgt voor rust en regelmaat, zodat de groep gericht aan het werk is.",
        "criteriaNarrative": "Twee lesobservaties door de schoolopleider, met een reflectie.",
        "competenceIds": [competence["id"]]}), 201, "staff define the achievement")
    (alignment,) = made["achievement"]["alignment"]
    expect(alignment["targetCode"] == COMPETENCE_CODE and alignment["targetFramework"] == FRAMEWORK,
           f"the achievement is aligned to {alignment}, not to {COMPETENCE_CODE} of {FRAMEWORK}")
    step(f"staff define {ACHIEVEMENT!r}, aligned to {COMPETENCE_CODE}")
    return made  # type: ignore[no-any-return]


def _endorse(services: Services, achievement_url: str) -> None:
    """The institute's staff endorse the achievement at the staff pages (see staff_pages)."""
    partner = staff_pages.log_in(services.issuer, PARTNER_EMAIL, PASSWORD)
    with closing(partner):  # already used by the log-in, so not `with partner`
        answer = staff_pages.post_form(partner, "/staff/endorsements", "/staff/endorsements", {
            "target_kind": "achievement", "target_id": achievement_url,
            "comment": ENDORSEMENT_COMMENT})
        expect(answer.status_code == 303 and "done=made" in answer.headers.get("location", ""),
               f"Pabo Midden's endorsement was refused: {answer.status_code} "
               f"{answer.text[:300]}")
    public = answer_of(httpx.get(achievement_url, timeout=60), 200, "the public achievement")
    endorsements = public.get("endorsement", [])
    expect(any(e["issuer"].get("name") == "Pabo Midden" for e in endorsements),
           f"the achievement does not carry Pabo Midden's endorsement: {endorsements}")
    step("Pabo Midden endorses it (staff pages); the public achievement carries it")


def _offer(staff: httpx.Client, achievement_id: str) -> dict[str, Any]:
    offer = answer_of(staff.post("/api/offers", json={
        "achievementId": achievement_id, "recipientName": TEACHER_NAME,
        "recipientEmail": TEACHER_EMAIL}), 201, "staff make the credential offer")
    expect(offer["withTxCode"] and offer["txCode"], "the offer has no transaction code")
    qr = httpx.get(offer["qrPng"], timeout=60)
    expect(qr.status_code == 200, f"the offer's QR code: {qr.status_code}")
    expect(decode_qr(qr.content) == offer["offerUri"],
           "the offer's QR code does not hold the offer URI")
    step(f"staff offer it to {TEACHER_NAME}: the QR code holds {offer['offerUri'][:60]}...")
    return offer  # type: ignore[no-any-return]


def _accept_in_wallet(services: Services, offer: dict[str, Any]) -> dict[str, Any]:
    teacher = log_in(services.wallet, TEACHER_EMAIL, PASSWORD)
    expect(teacher is not None, f"the example teacher {TEACHER_EMAIL} cannot log in")
    assert teacher is not None
    code = offer["txCode"]
    if services.wrong_tx_code:
        code = f"{(int(code) + 1) % 1_000_000:06d}"
    with closing(teacher.client):
        preview = answer_of(teacher.client.post(teacher.url("/credentials/offers/preview"),
                                                json={"offer": offer["offerUri"]}),
                            200, "the wallet shows the offer")
        expect(preview["txCodeRequired"] is True, "the wallet does not ask for the code")
        received = answer_of(teacher.client.post(teacher.url("/credentials/offers"), json={
            "offer": offer["offerUri"], "txCode": code}), 201,
            "the teacher accepts the offer with the transaction code")
        expect(received["verification"]["verified"] is True,
               f"the received credential does not verify: {received['verification']}")
        view = answer_of(teacher.client.get(teacher.url(f"/credentials/{received['id']}")),
                         200, "the teacher opens the credential")
    expect(view["state"] == "valid", f"the credential is {view['state']} in the wallet")
    credential = view["credential"]
    expect(credential["credentialSubject"].get("id") == teacher.did,
           "the credential is not bound to the teacher's DID")
    step(f"{TEACHER_NAME} accepts it in her wallet (code {code}): verified, valid")
    return credential  # type: ignore[no-any-return]


def _check_credential(credential: dict[str, Any], competence: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    expect(achievement["name"] == ACHIEVEMENT, f"the credential is for {achievement['name']}")
    expect(credential["issuer"].get("name") == "OBS De Linde",
           f"the credential's issuer is {credential['issuer'].get('name')}")
    expect(any(a.get("targetUrl") == competence["targetUrl"]
               for a in achievement.get("alignment", [])),
           "the credential's achievement is not aligned to the competence")
    expect(any(e["issuer"].get("name") == "Pabo Midden"
               for e in achievement.get("endorsement", [])),
           "the credential does not carry the endorsement")
    step("the credential names OBS De Linde, the competence and Pabo Midden's endorsement")


def _save_did_documents(credential: dict[str, Any], out: Path) -> None:
    endorsement = credential["credentialSubject"]["achievement"]["endorsement"][0]
    for name, did in (("issuer-did.json", credential["issuer"]["id"]),
                      ("endorser-did.json", endorsement["issuer"]["id"])):
        # did:web over plain http: every service runs on 127.0.0.1 here.
        document = answer_of(httpx.get(did_web_url(did, "http"), timeout=60), 200,
                             f"the DID document of {did}")
        expect(document.get("id") == did, f"{name}: the document is not about {did}")
        (out / name).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    # The endorsement carries the institute's own status entry: its list too, for later.
    listed = answer_of(httpx.get(endorsement["credentialStatus"]["statusListCredential"],
                                 timeout=60), 200, "the institute's status list")
    (out / "endorser-status-list.json").write_text(json.dumps(listed, indent=2) + "\n",
                                                   encoding="utf-8")
    # The endorsement counts only for the achievement its publisher serves: that too.
    achievement_id = credential["credentialSubject"]["achievement"]["id"]
    served = answer_of(httpx.get(achievement_id, timeout=60), 200, "the achievement")
    (out / "achievement.json").write_text(json.dumps(served, indent=2) + "\n",
                                          encoding="utf-8")
    step("the school's and the institute's DID documents (and its status list) and the "
         "achievement the school publishes are saved")


if __name__ == "__main__":
    from examples.journey import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
