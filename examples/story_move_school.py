"""Story: a teacher takes the dossier to a new school.

Sanne adds a photo of a lesson and a reflection to her dossier, exports it (one zip,
encrypted with her archive password so that her holder key moves too), and imports it into
the wallet of her new school: a second wallet instance. There everything is present
(credentials, evidence, reflections, byte for byte), still verifying, and the verifier
accepts a presentation the new wallet signs.

Leaves behind in OUT: dossier-export.zip (AES-encrypted; the password is ARCHIVE_PASSWORD).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from contextlib import closing
from pathlib import Path
from typing import Any

import pyzipper

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script: find examples
from examples.evidence import photo, upload_photo
from examples.services import Services, answer_of, expect, step
from examples.story_school_issues import PASSWORD, TEACHER_EMAIL, TEACHER_NAME
from examples.verifying import failed_checks, verify_presentation
from examples.wallet_people import Person, log_in, log_in_or_sign_up

NAME = "move_school"
NEEDS = ("school_issues",)
ARCHIVE_PASSWORD = "verhuizen-naar-de-regenboog"


def run(services: Services, out: Path) -> None:
    issued = json.loads((out / "issued-credential.json").read_text(encoding="utf-8"))
    teacher = log_in(services.wallet, TEACHER_EMAIL, PASSWORD)
    expect(teacher is not None, f"{TEACHER_EMAIL} cannot log in to her wallet")
    assert teacher is not None
    with closing(teacher.client):
        before = _fill(teacher, issued)
        archive = _export(teacher, issued, out)
    new_wallet = services.start_wallet("wallet-new-school")
    step(f"the new school runs its own wallet at {new_wallet}")
    moved = log_in_or_sign_up(new_wallet, TEACHER_EMAIL, PASSWORD, TEACHER_NAME)
    with closing(moved.client):
        _import(moved, archive, teacher.did)
        _everything_there(moved, before)
        _verifier_accepts(services, moved)


def _fill(teacher: Person, issued: dict[str, Any]) -> dict[str, Any]:
    """A photo and a reflection on it, linked to the badge's competences; what the dossier
    holds afterwards."""
    stored = _stored(teacher, issued["id"])
    competences = stored["competences"]
    content = photo("darkgreen", "groep 6, kringgesprek")
    item = upload_photo(teacher, content, "Kringgesprek in groep 6", competences=competences,
                        practice_date="2026-03-12", place="OBS De Linde")
    reflection = answer_of(teacher.client.post(teacher.url("/reflections"), json={
        "text": "In het kringgesprek wachtte ik langer op antwoorden; de groep bleef rustig.",
        "competences": competences, "evidence": [item["id"]]}), 201,
        "the teacher writes a reflection")
    expect(reflection["verification"]["verified"] is True,
           "the reflection (a credential she signs) does not verify")
    step(f"Sanne adds a photo and a signed reflection ({len(competences)} competence(s) linked)")
    return {"credentials": _listed(teacher, "/credentials"),
            "evidence": _listed(teacher, "/evidence"),
            "reflections": _listed(teacher, "/reflections"),
            "photo": (item["id"], content), "reflection": reflection["id"]}


def _export(teacher: Person, issued: dict[str, Any], out: Path) -> bytes:
    answer = teacher.client.post(teacher.url("/export"), json={"password": ARCHIVE_PASSWORD})
    answer_of(answer, 200, "the teacher exports her dossier")
    expect(answer.headers.get("x-archive-encrypted") == "true", "the archive is not encrypted")
    archive = answer.content
    (out / "dossier-export.zip").write_bytes(archive)
    with pyzipper.AESZipFile(io.BytesIO(archive)) as opened:
        opened.setpassword(ARCHIVE_PASSWORD.encode())
        names = opened.namelist()
        manifest = json.loads(opened.read("manifest.json"))
        for entry in manifest["items"]:  # what the import will check too
            expect(hashlib.sha256(opened.read(entry["path"])).hexdigest() == entry["sha256"],
                   f"{entry['path']} in the archive does not match its manifest digest")
        inside = [json.loads(opened.read(n)) for n in names
                  if n.startswith("credentials/") and n.endswith(".json")]
    expect(any(c.get("id") == issued["id"] for c in inside),
           f"the archive does not hold the credential (members: {names})")
    expect("holder-key.json" in names, "the encrypted archive does not carry the holder key")
    step(f"she exports it: {len(archive):,} bytes, {len(manifest['items'])} items, encrypted")
    return archive


def _import(moved: Person, archive: bytes, did: str) -> None:
    result = answer_of(moved.client.post(moved.url("/import"), content=archive, headers={
        "content-type": "application/zip", "x-archive-password": ARCHIVE_PASSWORD}),
        200, "she imports the archive into the new school's wallet")
    counts = result["counts"]
    expect(result["tookHolderKey"] is True and result["did"] == did,
           f"the new wallet did not take her holder key and DID: {result}")
    expect(counts["credentials"]["refused"] == 0, f"credentials refused: {result['refused']}")
    for kind in ("credentials", "evidence", "reflections"):
        expect(counts[kind]["added"] >= 1, f"no {kind} were added: {counts}")
    step(f"she imports it there: {counts['credentials']['added']} credential(s), "
         f"{counts['evidence']['added']} evidence, {counts['reflections']['added']} "
         f"reflection(s); same DID")


def _everything_there(moved: Person, before: dict[str, Any]) -> None:
    for kind in ("credentials", "evidence", "reflections"):
        now = _listed(moved, f"/{kind}")
        expect(sorted(now) == sorted(before[kind]),
               f"{kind} differ after the move: {sorted(now)} != {sorted(before[kind])}")
    for credential_id in before["credentials"]:
        view = answer_of(moved.client.get(moved.url(f"/credentials/{credential_id}")), 200,
                         "she opens a moved credential")
        expect(view["state"] == "valid" and view["verified"],
               f"credential {view['credentialId']} is {view['state']} after the move")
    photo_id, content = before["photo"]
    downloaded = moved.client.get(moved.url(f"/evidence/{photo_id}/file"))
    expect(downloaded.status_code == 200 and downloaded.content == content,
           "the moved photo is not the same file")
    reflection = answer_of(moved.client.get(moved.url(f"/reflections/{before['reflection']}")),
                           200, "she opens the moved reflection")
    expect(reflection["verification"]["verified"] is True,
           "the moved reflection does not verify")
    step("everything is there, byte for byte, and verifies in the new wallet")


def _verifier_accepts(services: Services, moved: Person) -> None:
    """A presentation of her credentials, signed by the new wallet with the moved key."""
    bundle = answer_of(moved.client.get(moved.url("/export/vp")), 200,
                       "the new wallet bundles her credentials")
    report = verify_presentation(services, bundle)
    expect(report["verified"] is True,
           f"the verifier refuses the new wallet's presentation: {failed_checks(report)}")
    step(f"the verifier accepts a presentation from the new wallet "
         f"({len(report['credentials'])} credential(s))")


def _stored(person: Person, credential_id: str) -> dict[str, Any]:
    listed = answer_of(person.client.get(person.url("/credentials")), 200, "the credentials")
    found = next((c for c in listed if c["credentialId"] == credential_id), None)
    expect(found, f"{person.email}'s wallet does not hold {credential_id}")
    return found  # type: ignore[return-value]


def _listed(person: Person, path: str) -> list[str]:
    return [item["id"] for item in answer_of(person.client.get(person.url(path)), 200,
                                             f"the dossier's {path.strip('/')}")]


if __name__ == "__main__":
    from examples.journey import main

    sys.exit(main(["--only", NAME, *sys.argv[1:]]))
