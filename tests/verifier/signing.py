"""Building and signing test credentials locally, with fresh keys (did:key, or a did:web the
test serves itself).

The verifier tests need credentials the real issuer service would never make (expired, signed
by the wrong key, tampered, with a broken endorsement): they are built here with the OB 3.0
builders of the standards core and signed with its Data Integrity and VC-JWT signers.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.jose import sign_vc_jwt
from standards.keys import KeyPair, generate_key
from standards.ob3 import (
    build_achievement,
    build_achievement_credential,
    build_achievement_subject,
    build_clr_credential,
    build_endorsement_credential,
    build_profile,
)
from standards.status_list import StatusList
from standards.status_list_building import build_status_list_credential

VP_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
VALID_FROM = "2024-09-01T00:00:00Z"
ACHIEVEMENTS = "https://school.example/achievements"


@dataclass(frozen=True)
class LocalSigner:
    """An identity (a did:key, or a did:web the test serves) whose secret key the test
    holds; `verification_method` names the key in proofs."""

    key: KeyPair
    did: str
    verification_method: str

    def sign(self, document: Mapping[str, Any], *, suite: str = "eddsa-rdfc-2022",
             **proof_options: Any) -> dict[str, Any]:
        """`document` with one more Data Integrity proof by this key (assertionMethod unless
        `proof_purpose` says otherwise). The proof is an array, as the strict OB 3.0 schema
        wants it in credentials embedded in others (the issuer service does the same)."""
        signed = sign_document(dict(document), self.key, suite=suite,
                               verification_method=self.verification_method, **proof_options)
        if isinstance(signed["proof"], dict):
            signed["proof"] = [signed["proof"]]
        return signed

    def sign_jwt(self, credential: Mapping[str, Any]) -> str:
        """`credential` as a compact VC-JWT whose `kid` is this key's verification method."""
        return sign_vc_jwt(dict(credential), self.key, kid=self.verification_method)


def new_signer() -> LocalSigner:
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    return LocalSigner(key, did, f"{did}#{did.removeprefix('did:key:')}")


def did_web_signer(did: str) -> tuple[LocalSigner, dict[str, Any]]:
    """A fresh key for the did:web `did`, and the DID document to serve for it."""
    key = generate_key("ed25519")
    signer = LocalSigner(key, did, f"{did}#key-1")
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": signer.verification_method, "type": "Multikey",
                                "controller": did,
                                "publicKeyMultibase": key.public_key_multibase()}],
        "assertionMethod": [signer.verification_method]}
    return signer, document


def achievement_credential(issuer: str, subject: str, *, name: str = "Klassenmanagement",
                           valid_from: str = VALID_FROM, valid_until: str | None = None,
                           endorsements: Sequence[Mapping[str, Any]] = (),
                           credential_status: Mapping[str, Any] | None = None,
                           evidence: Sequence[Mapping[str, Any]] = (),
                           achievement_id: str | None = None,
                           creator: str | None = None) -> dict[str, Any]:
    """An unsigned OB 3.0 credential from `issuer` (a DID) to `subject` (a DID); embedded
    `endorsements` go on the achievement, as an endorsed badge definition carries them. The
    achievement's `creator` is the issuer unless named (as the issuer service makes it)."""
    slug = name.lower().replace(" ", "-")
    achievement = build_achievement(
        id=achievement_id or f"{ACHIEVEMENTS}/{slug}", name=name,
        description=f"{name}: in de praktijk getoond.",
        criteria={"narrative": "Drie lesobservaties met een voldoende."},
        creator=build_profile(id=creator or issuer, name="OBS De Linde"),
        endorsements=endorsements)
    return build_achievement_credential(
        id=f"urn:uuid:{uuid.uuid4()}", issuer=build_profile(id=issuer, name="OBS De Linde"),
        subject=build_achievement_subject(id=subject, achievement=achievement), name=name,
        valid_from=valid_from, valid_until=valid_until, credential_status=credential_status,
        evidence=evidence)


def published_achievement(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The achievement of `credential` as its publisher serves it at its id: without the
    endorsements embedded in the credential, with its JSON-LD context."""
    achievement = dict(credential["credentialSubject"]["achievement"])
    achievement.pop("endorsement", None)
    return {"@context": list(credential["@context"]), **achievement}


def vcdm11_credential(issuer: str, subject: str) -> dict[str, Any]:
    """An unsigned VCDM 1.1 OB 3.0 credential (the 2018 context, `issuanceDate`); the 1.1
    context does not define Data Integrity proofs, so their context comes along."""
    credential = achievement_credential(issuer, subject)
    credential["@context"] = [VC_V1_CONTEXT, *credential["@context"][1:], DATA_INTEGRITY_CONTEXT]
    credential["issuanceDate"] = credential.pop("validFrom")
    return credential


def endorsement(endorser: LocalSigner, endorsed_id: str, *, valid_from: str = VALID_FROM,
                valid_until: str | None = None) -> dict[str, Any]:
    """A signed EndorsementCredential by `endorser` vouching for `endorsed_id`."""
    return endorser.sign(build_endorsement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=build_profile(id=endorser.did, name="Lerarenopleiding Noord"),
        endorsed_id=endorsed_id, endorsement_comment="Een degelijk opgezette badge.",
        name="Onderschrijving", valid_from=valid_from, valid_until=valid_until))


def clr_credential(issuer: LocalSigner, subject: str,
                   credentials: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A signed CLR 2.0 transcript of `credentials` (already signed) for `subject`."""
    return issuer.sign(build_clr_credential(
        id=f"urn:uuid:{uuid.uuid4()}", issuer=build_profile(id=issuer.did, name="OBS De Linde"),
        subject_id=subject, name="Leerlingdossier", credentials=credentials,
        valid_from=VALID_FROM))


def presentation(holder: LocalSigner, credentials: Sequence[Any], *, challenge: str | None,
                 domain: str | None, holder_id: str | None = None) -> dict[str, Any]:
    """A presentation of `credentials`, signed by `holder` for authentication."""
    unsigned = {"@context": [VP_CONTEXT], "type": ["VerifiablePresentation"],
                "holder": holder_id or holder.did, "verifiableCredential": list(credentials)}
    return holder.sign(unsigned, proof_purpose="authentication", challenge=challenge,
                       domain=domain)


def status_list_credential(issuer: LocalSigner, url: str, *, purpose: str = "revocation",
                           set_indices: Sequence[int] = ()) -> dict[str, Any]:
    """A signed BitstringStatusListCredential published at `url`, with `set_indices` set."""
    bits = StatusList()
    for index in set_indices:
        bits.set(index, True)
    return issuer.sign(build_status_list_credential(
        id=url, issuer=issuer.did, status_purpose=purpose, status_list=bits,
        valid_from=VALID_FROM))


def changed(document: Mapping[str, Any], *path: str | int, value: Any) -> dict[str, Any]:
    """A deep copy of `document` with the member at `path` set to `value` (proof untouched)."""
    copied = copy.deepcopy(dict(document))
    node: Any = copied
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return copied
