"""A realistic Open Badges 3.0 credential (unsigned), shared by the interop tests and the benchmark.

Uses only the VCDM 2.0 and OB 3.0.3 contexts and only terms they define, with an absolute IRI
for every id, so every JSON-LD processor (pyld, jsonld.js) canonicalizes it the same way.
"""

from __future__ import annotations

import uuid
from typing import Any

OB3_CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]

# A namespace for the credential ids, so that index -> id is stable across runs.
_CREDENTIAL_NAMESPACE = uuid.UUID("6f1d3a52-41a1-4c8e-9a57-0c7b1e5d2f90")

ISSUER_SITE = "https://badges.hanze-example.nl"


def realistic_ob3_credential(
    subject_did: str, index: int, *, issuer_id: str = f"{ISSUER_SITE}/issuers/1"
) -> dict[str, Any]:
    """An OpenBadgeCredential of about 3 kB for `subject_did`; `index` makes its id distinct.

    `issuer_id` should be the signer's DID (e.g. did:key:z6Mk...): verifiers require the issuer
    to control the proof's verification method.
    """
    achievement_id = f"{ISSUER_SITE}/achievements/data-steward-level-2"
    result_description_id = f"{achievement_id}/results/final-assessment"
    return {
        "@context": list(OB3_CONTEXTS),
        "id": f"urn:uuid:{uuid.uuid5(_CREDENTIAL_NAMESPACE, str(index))}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Data Steward, level 2",
        "description": "Awarded for completing the Data Stewardship programme with its assessment.",
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "Hanze Example University of Applied Sciences",
            "url": f"{ISSUER_SITE}/",
            "email": "badges@hanze-example.nl",
            "description": "Issues micro-credentials for the professional education programmes.",
            "image": {
                "id": f"{ISSUER_SITE}/images/logo.png",
                "type": "Image",
                "caption": "Logo of Hanze Example",
            },
        },
        "validFrom": "2024-06-14T09:30:00Z",
        "validUntil": "2099-06-14T09:30:00Z",  # far off: the suite must not expire
        "awardedDate": "2024-06-14T09:30:00Z",
        "credentialSubject": {
            "id": subject_did,
            "type": ["AchievementSubject"],
            "activityStartDate": "2024-02-05T00:00:00Z",
            "activityEndDate": "2024-06-07T00:00:00Z",
            "achievement": {
                "id": achievement_id,
                "type": ["Achievement"],
                "achievementType": "Competency",
                "name": "Data Steward, level 2",
                "description": (
                    "Can set up and maintain data management plans, FAIR metadata and access "
                    "policies for research data within a department."
                ),
                "humanCode": "DS-2",
                "fieldOfStudy": "Information management",
                "inLanguage": "en",
                "criteria": {
                    "id": f"{achievement_id}/criteria",
                    "narrative": (
                        "1. Write a data management plan for a real project.\n"
                        "2. Publish a data set with FAIR metadata.\n"
                        "3. Pass the final assessment with at least grade C."
                    ),
                },
                "image": {
                    "id": f"{ISSUER_SITE}/images/data-steward-2.png",
                    "type": "Image",
                    "caption": "Data Steward level 2 badge",
                },
                "alignment": [
                    {
                        "type": ["Alignment"],
                        "targetName": "Data management",
                        "targetDescription": "e-CF: information and knowledge management",
                        "targetFramework": "European e-Competence Framework 4.0",
                        "targetCode": "D.10",
                        "targetType": "ext:e-CF",
                        "targetUrl": "https://itprofessionalism.org/about-it-professionalism/competences/",
                    },
                    {
                        "type": ["Alignment"],
                        "targetName": "Research data management",
                        "targetFramework": "ESCO skills",
                        "targetCode": "S5.6.1",
                        "targetType": "ext:ESCO",
                        "targetUrl": "https://esco.ec.europa.eu/en/classification/skill_main",
                    },
                ],
                "resultDescription": [
                    {
                        "id": result_description_id,
                        "type": ["ResultDescription"],
                        "name": "Final assessment grade",
                        "resultType": "LetterGrade",
                        "allowedValue": ["A", "B", "C", "D", "F"],
                        "requiredValue": "C",
                    }
                ],
                "tag": ["data", "FAIR", "research"],
                "creator": {
                    "id": f"{ISSUER_SITE}/issuers/1",
                    "type": ["Profile"],
                    "name": "Hanze Example University of Applied Sciences",
                },
            },
            "result": [
                {
                    "type": ["Result"],
                    "resultDescription": result_description_id,
                    "value": "B",
                }
            ],
        },
        "evidence": [
            {
                "id": f"{ISSUER_SITE}/evidence/{index}/data-management-plan",
                "type": ["Evidence"],
                "name": "Data management plan",
                "description": "The plan written for the capstone project.",
                "narrative": "Reviewed by two assessors on 2024-05-30; both marked it sufficient.",
                "genre": "Document",
                "audience": "Assessors",
            }
        ],
    }
