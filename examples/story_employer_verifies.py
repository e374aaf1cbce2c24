"""Story: an employer scans a QR code to verify competences.

Sanne shares her badge and a photo of a lesson with a school she applies to; the employer
scans the QR code of the share, opens the link and has the verifier check what it serves:
valid, with the issuer, the endorsement and the evidence. Then the school revokes the badge
(VC-API, with its API token) and the employer's next check reads revoked.

Leaves behind in OUT: shared-presentation.json, verification-result.json,
status-list-before-revoke.json, status-list-after-revoke.json and
verification-after-revoke.json.
"""

from __future__ import annotations

import json
import re
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find examples
from examples.evidence import photo, upload_photo
from examples.services import Services, answer_of, expect, step
from examples.story_school_issues import PASSWORD, TEACHER_EMAIL
from examples.verifying import failed_checks, open_link, scan_share, verify_presentation
from examples.wallet_people import Person, log_in
from standards.status_list import check_status_entry

NAME = "employer_verifies"
NEEDS = ("school_issues",)
EMPLOYER = "Basisschool De Regenboog"
# The issuer serves its status lists with max-age (60 s), and the verifier honours HTTP
# caching: a revocation shows once the list it holds has gone stale. A little over that.
EXTRA_WAIT_SECONDS = 10


def run(services: Services, out: Path) -> None:
    issued = json.loads((out / "issued-credential.json").read_text(encoding="utf-8"))
    teacher = log_in(services.wallet, TEACHER_EMAIL, PASSWORD)
    expect(teacher is not None, f"{TEACHER_EMAIL} cannot log in to her wallet")
    assert teacher is not None
    with closing(teacher.client):
        stored_id, share = _share(teacher, issued)
        link = scan_share(share)
        step(f"{EMPLOYER} scans the QR code: {link}")
        presentation = open_link(link)
        _write(out / "shared-presentation.json", presentation)
        _list_bit(issued, out / "status-list-before-revoke.json", expected=False)
        checked_at = time.monotonic()
        report = verify_presentation(services, presentation)
        _write(out / "verification-result.json", report)
        _read_valid(report, issued)
        max_age = _revoke(services, issued, out)
        after = _read_revoked(services, presentation, checked_at + max_age)
        _write(out / "verification-after-revoke.json", after)
        view = answer_of(teacher.client.get(teacher.url(f"/credentials/{stored_id}")), 200,
                         "Sanne opens the badge in her wallet")
        expect(view["state"] == "revoked", f"the wallet shows the badge as {view['state']}")
        step("Sanne's wallet shows the badge as revoked too")


def _share(teacher: Person, issued: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    listed = answer_of(teacher.client.get(teacher.url("/credentials")), 200, "her credentials")
    stored = next((c for c in listed if c["credentialId"] == issued["id"]), None)
    expect(stored, "her wallet does not hold the badge from OBS De Linde")
    assert stored is not None
    item = upload_photo(teacher, photo("navy", "rekenles groep 5"), "Rekenles in groep 5",
                        competences=stored["competences"], practice_date="2026-04-02")
    share = answer_of(teacher.client.post(teacher.url("/shares"), json={
        "credentials": [stored["id"]], "evidence": [item["id"]], "audience": EMPLOYER,
        "expiresIn": "7d"}), 201, "Sanne shares the badge and the photo")
    expect(share["state"] == "active", f"the share is {share['state']}")
    step(f"Sanne shares the badge and a photo with {EMPLOYER} (a link and a QR code)")
    return stored["id"], share


def _read_valid(report: dict[str, Any], issued: dict[str, Any]) -> None:
    expect(report["verified"] is True, f"the share does not verify: {failed_checks(report)}")
    badge = next((c for c in report["credentials"] if c["summary"].get("id") == issued["id"]),
                 None)
    expect(badge, "the report does not list the badge")
    assert badge is not None
    issuer = badge["summary"].get("issuer", {})
    expect(issuer.get("name") == "OBS De Linde" and badge["trust"]["status"] == "trusted",
           f"the issuer reads {issuer.get('name')!r}, trust {badge['trust']['status']!r}")
    endorsers = [e["summary"].get("issuer", {}).get("name") for e in badge["endorsements"]
                 if e["verified"]]
    expect("Pabo Midden" in endorsers, f"no verified endorsement by Pabo Midden: {endorsers}")
    digests = [o["digest"] for c in report["credentials"] for o in c.get("evidence", [])]
    expect(digests and all(d == "matches" for d in digests),
           f"the evidence files were not all checked and matching: {digests}")
    step(f"the verifier reads valid: issuer {issuer['name']} (trusted), endorsed by "
         f"Pabo Midden, evidence {', '.join(digests)}")


def _revoke(services: Services, issued: dict[str, Any], out: Path) -> float:
    """The school revokes the badge; the list's freshness lifetime (seconds) it announces."""
    with services.client(services.issuer, services.school_api_token) as school:
        answer_of(school.post("/credentials/status", json={
            "credentialId": issued["id"],
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]}),
            200, "the school revokes the badge (VC-API)")
    step("OBS De Linde revokes the badge (POST /credentials/status, API token)")
    response = _list_bit(issued, out / "status-list-after-revoke.json", expected=True)
    found = re.search(r"max-age=(\d+)", response.headers.get("cache-control", ""))
    return float(found.group(1)) if found else 0.0


def _read_revoked(services: Services, presentation: dict[str, Any],
                  stale_at: float) -> dict[str, Any]:
    """The verifier's report once it reads revoked; it may hold the list it fetched before
    until that list goes stale, so ask again until then (and a little after)."""
    deadline = stale_at + EXTRA_WAIT_SECONDS
    waited = False
    while True:
        report = verify_presentation(services, presentation)
        revoked = [f for f in failed_checks(report) if f.startswith("status: revoked")]
        if revoked or time.monotonic() > deadline:
            break
        if not waited:
            wait = stale_at - time.monotonic()
            step(f"the verifier still holds the status list it fetched before (HTTP caching); "
                 f"the employer checks again once it is stale (~{wait:.0f} s)")
            waited = True
        time.sleep(2)
    expect(report["verified"] is False and revoked,
           f"after the revocation the verifier reads verified={report['verified']}, "
           f"failed checks {failed_checks(report)}")
    step(f"the verifier now reads not valid: {revoked[0]}")
    return report


def _list_bit(issued: dict[str, Any], path: Path, *, expected: bool) -> httpx.Response:
    """Fetch the published status list, save it to `path`, check the badge's entry."""
    entry = issued["credentialStatus"]
    response = httpx.get(entry["statusListCredential"], timeout=60)
    listed = answer_of(response, 200, "the published status list")
    _write(path, listed)
    status = check_status_entry(entry, listed)
    expect(status.status_set is expected,
           f"the badge's status bit is {'set' if status.status_set else 'unset'} in {path.name}")
    step(f"the published status list has the badge's entry {status.message}")
    return response


def _write(path: Path, document: Any) -> None:
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    from examples.journey import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
