"""Story: a pupil on an internship.

Daan, a vso pupil, does his internship at a garden centre. His employer and his school's
internship coordinator are delegates in his dossier: they add a photo and reflections on his
behalf, which wait until Daan approves them. Daan then makes his stageverslag (internship
report: a credential he signs, naming each file by its digest) and shares it; the verifier
checks the share, the photo's digest included.

Leaves behind in OUT: stageverslag.json (the report's credential) and stageverslag.pdf.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find examples
from examples.evidence import photo, upload_photo
from examples.services import Services, answer_of, expect, step
from examples.verifying import failed_checks, open_link, scan_share, verify_presentation
from examples.wallet_people import Person, delegate, log_in_or_sign_up
from standards.ob3 import matches_digest_sri

NAME = "internship"
NEEDS: tuple[str, ...] = ()
PASSWORD = "voorbeeld-wachtwoord"
PUPIL = ("leerling@example.org", "Daan Jansen")
COORDINATOR = ("stagecoordinator@debrug.example", "Fatima El Amrani", "coordinator")
EMPLOYER = ("werkgever@example.org", "Peter Bakker (Tuincentrum Het Groene Hart)", "employer")
WORKPLACE = "Tuincentrum Het Groene Hart"


def run(services: Services, out: Path) -> None:
    pupil = log_in_or_sign_up(services.wallet, PUPIL[0], PASSWORD, PUPIL[1])
    people = [pupil]
    try:
        employer = delegate(services.wallet, pupil, EMPLOYER[0], PASSWORD, EMPLOYER[1],
                            EMPLOYER[2])
        people.append(employer)
        coordinator = delegate(services.wallet, pupil, COORDINATOR[0], PASSWORD,
                               COORDINATOR[1], COORDINATOR[2])
        people.append(coordinator)
        how = {True: "made now", False: "from the example data"}
        step(f"{PUPIL[1]} ({how[pupil.made]}) with his delegates the employer "
             f"({how[employer.made]}) and the coordinator ({how[coordinator.made]})")
        content, item, reflections = _delegates_add(pupil, employer, coordinator)
        _pupil_approves(pupil, item, reflections)
        report = _report(pupil, item, reflections, content, out)
        _share_report(services, pupil, report, item)
    finally:
        for person in people:
            person.client.close()


def _delegates_add(pupil: Person, employer: Person,
                   coordinator: Person) -> tuple[bytes, dict[str, Any], list[dict[str, Any]]]:
    competences = [c["id"] for c in answer_of(pupil.client.get(pupil.url("/competences")), 200,
                                              "the pupil's competences")][:1]
    content = photo("olivedrab", "plantentafel")
    item = upload_photo(employer, content, "Plantentafel ingericht", dossier=pupil.id,
                        competences=competences, practice_date="2026-05-20", place=WORKPLACE,
                        description="Daan richtte zelfstandig de plantentafel bij de kassa in.")
    expect(item["status"] == "pending" and item["addedBy"] == employer.id,
           f"the employer's photo is {item['status']}, added by {item['addedBy']}")
    written = []
    # An employer's default scopes (evidence:add, reflections:write) do not include
    # evidence:read, and linking a reflection to evidence needs it, even to the photo the
    # employer added; the coordinator (evidence:read) links hers to the photo.
    for person, text, evidence in (
            (employer, "Daan werkt nauwkeurig en vraagt hulp als hij iets niet weet.", []),
            (coordinator, "Bij het stagebezoek vertelde Daan trots over zijn plantentafel.",
             [item["id"]])):
        reflection = answer_of(person.client.post(person.url("/reflections", pupil.id), json={
            "text": text, "competences": competences, "evidence": evidence}), 201,
            f"{person.email} writes a reflection in Daan's dossier")
        expect(reflection["status"] == "pending" and
               reflection["credential"]["issuer"]["id"] == person.did,
               f"{person.email}'s reflection is {reflection['status']}, not signed by them")
        written.append(reflection)
    step("the employer adds a photo and a reflection, the coordinator a reflection: pending")
    return content, item, written


def _pupil_approves(pupil: Person, item: dict[str, Any],
                    reflections: list[dict[str, Any]]) -> None:
    pending = answer_of(pupil.client.get(pupil.url("/evidence"), params={"status": "pending"}),
                        200, "Daan's pending evidence")
    expect(item["id"] in [e["id"] for e in pending], "the photo does not wait for Daan")
    decided = answer_of(pupil.client.post(pupil.url(f"/evidence/{item['id']}/approve")), 200,
                        "Daan approves the photo")
    expect(decided["status"] == "approved", f"the photo is {decided['status']}")
    for reflection in reflections:
        decided = answer_of(pupil.client.post(
            pupil.url(f"/reflections/{reflection['id']}/approve")), 200,
            "Daan approves a reflection")
        expect(decided["status"] == "approved", f"a reflection is {decided['status']}")
    step("Daan approves the photo and both reflections")


def _report(pupil: Person, item: dict[str, Any], reflections: list[dict[str, Any]],
            content: bytes, out: Path) -> dict[str, Any]:
    report = answer_of(pupil.client.post(pupil.url("/reports"), json={
        "title": f"Stageverslag {WORKPLACE}", "organisation": WORKPLACE,
        "period": "april - juni 2026", "summary": "Wat ik leerde op mijn stage.",
        "evidence": [item["id"]], "reflections": [r["id"] for r in reflections]}), 201,
        "Daan makes his stageverslag")
    credential = report["credential"]
    expect(credential["issuer"]["id"] == pupil.did, "the report is not signed by Daan")
    photo_entry = credential["evidence"][0]
    expect(matches_digest_sri(content, photo_entry["digestSRI"]),
           "the report does not name the photo by its digest")
    expect(len(credential["evidence"]) == 1 + len(reflections),
           "the report does not hold the photo and both reflections")
    pdf = pupil.client.get(pupil.url(f"/reports/{report['id']}.pdf"))
    expect(pdf.status_code == 200 and pdf.content.startswith(b"%PDF"),
           f"the report's PDF: {pdf.status_code}")
    (out / "stageverslag.json").write_text(json.dumps(credential, indent=2) + "\n",
                                           encoding="utf-8")
    (out / "stageverslag.pdf").write_bytes(pdf.content)
    step(f"Daan makes his stageverslag: a credential he signs, and a PDF of "
         f"{len(pdf.content):,} bytes")
    return report  # type: ignore[no-any-return]


def _share_report(services: Services, pupil: Person, report: dict[str, Any],
                  item: dict[str, Any]) -> None:
    listed = answer_of(pupil.client.get(pupil.url("/credentials")), 200, "Daan's credentials")
    stored = next((c for c in listed if c["credentialId"] == report["credential"]["id"]), None)
    expect(stored, "the stageverslag is not among Daan's credentials")
    assert stored is not None
    share = answer_of(pupil.client.post(pupil.url("/shares"), json={
        "credentials": [stored["id"]], "evidence": [item["id"]], "audience": "VSO De Brug",
        "expiresIn": "30d"}), 201, "Daan shares his stageverslag")
    presentation = open_link(scan_share(share))
    checked = verify_presentation(services, presentation)
    expect(checked["verified"] is True,
           f"the shared stageverslag does not verify: {failed_checks(checked)}")
    digests = [o["digest"] for c in checked["credentials"] for o in c.get("evidence", [])]
    # The report names its files by digest only; the share's evidence credential links the
    # photo, so that is the file the verifier fetches and checks.
    expect("matches" in digests and "differs" not in digests,
           f"the shared photo was not checked, or differs: {digests}")
    step(f"Daan shares it with VSO De Brug; the verifier reads valid, the photo's digest "
         f"matches ({digests.count('matches')} file(s) checked)")


if __name__ == "__main__":
    from examples.journey import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
