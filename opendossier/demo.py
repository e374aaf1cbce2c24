"""`opendossier demo`: a school issues an Open Badge to a teacher, and anyone can check it.

Makes an issuer key (did:key), builds an OB 3.0 AchievementCredential aligned to a competence
of a teacher competence framework, with evidence (digest included) and a rubric result,
signs it with eddsa-rdfc-2022, verifies it offline, and shows what a tampered copy gives.
"""

from __future__ import annotations

import copy
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opendossier.verify_command import describe
from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.fetcher import Fetcher
from standards.keys import KeyPair, generate_key
from standards.ob3 import (
    Alignment,
    Criteria,
    Evidence,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    brin_identifier,
    build_achievement,
    build_achievement_credential,
    build_achievement_subject,
    build_profile,
)
from verifier.config import VerifierSettings
from verifier.services.context import VerifierContext
from verifier.services.verification import verify_credential_report

FRAMEWORK = "https://opendossier.example/frameworks/bekwaamheidseisen-leraren-2017"
EVIDENCE_TEXT = b"Lesson plan and reflection: differentiated reading lesson, group 6."


def example_credential(issuer_did: str, teacher_did: str) -> dict[str, Any]:
    """An unsigned OB 3.0 credential: 'Pedagogisch bekwaam' for a teacher."""
    issuer = build_profile(
        id=issuer_did, name="OBS De Regenboog", url="https://regenboog.example",
        email="directie@regenboog.example", other_identifiers=[brin_identifier("12AB")],
        description="Openbare basisschool in Utrecht",
    )
    levels = [RubricCriterionLevel(id=f"{FRAMEWORK}/levels/{n}", name=name, level=str(n))
              for n, name in ((1, "Beginnend"), (2, "Bekwaam"), (3, "Expert"))]
    achievement = build_achievement(
        id="https://regenboog.example/achievements/pedagogisch-bekwaam",
        name="Pedagogisch bekwaam",
        description="Creates a safe, supportive and stimulating learning climate.",
        criteria=Criteria(narrative="Shows in three observed lessons and a reflection that "
                                    "the learning climate is safe and stimulating."),
        achievement_type="Competency",
        alignments=[Alignment(target_name="Pedagogisch bekwaam",
                              target_url=f"{FRAMEWORK}/pedagogisch",
                              target_code="BEK-2", target_framework="Bekwaamheidseisen 2017",
                              target_type="CFItem")],
        result_descriptions=[ResultDescription(
            id=f"{FRAMEWORK}/rubric", name="Beheersingsniveau",
            result_type="RubricCriterionLevel", rubric_criterion_levels=levels)],
        in_language="nl",
    )
    subject = build_achievement_subject(
        id=teacher_did, achievement=achievement,
        results=[Result(result_description=f"{FRAMEWORK}/rubric",
                        achieved_level=f"{FRAMEWORK}/levels/2")],
    )
    evidence = Evidence.for_file(id="https://wallet.example/evidence/lesson-plan-6b",
                                 content=EVIDENCE_TEXT, media_type="text/plain",
                                 name="Lesplan en reflectie",
                                 narrative="Observed by the school's coach on 2026-10-12.")
    return build_achievement_credential(
        id=f"urn:uuid:{uuid.uuid4()}", issuer=issuer, subject=subject,
        name="Pedagogisch bekwaam", valid_from=datetime.now(UTC).replace(microsecond=0),
        evidence=[evidence],
    )


def _vm(key: KeyPair) -> tuple[str, str]:
    did = did_key_from_key_pair(key)
    return did, f"{did}#{did.removeprefix('did:key:')}"


def run_demo(out: Path | None) -> int:
    issuer_key, teacher_key = generate_key("ed25519"), generate_key("ed25519")
    issuer_did, vm = _vm(issuer_key)
    teacher_did, _ = _vm(teacher_key)
    print("OpenDossier demo: a school issues an Open Badge 3.0 and anyone can check it\n")
    print(f"1. Issuer key made:   {issuer_did}")
    credential = example_credential(issuer_did, teacher_did)
    signed = sign_document(credential, issuer_key, verification_method=vm)
    size = len(json.dumps(signed))
    print(f"2. Credential issued: 'Pedagogisch bekwaam' to {teacher_did[:32]}… "
          f"({size} bytes, eddsa-rdfc-2022)")
    if out:
        out.write_text(json.dumps(signed, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"   written to {out}")
    print("3. Verified offline:\n")
    ctx = VerifierContext(settings=VerifierSettings(), fetcher=Fetcher.offline())
    result = verify_credential_report(ctx, signed)
    print(_indent(describe(result)))
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Expert in alles"
    after = verify_credential_report(ctx, tampered)
    print("\n4. The same credential with the achievement name changed:\n")
    print(_indent(describe(after)))
    ok = result["verified"] and not after["verified"]
    print("\nDemo " + ("succeeded." if ok else "FAILED."))
    return 0 if ok else 1


def _indent(text: str) -> str:
    return "\n".join("   " + line for line in text.splitlines())
