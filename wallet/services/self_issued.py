"""Self-issued OB 3.0 credentials: an account (owner or delegate) signs a statement about the
dossier owner with its own holder key (did:key).

Used for reflections (the author vouches for what they wrote) and the internship report
(the owner vouches for what it contains). The issuer Profile is the author's did:key, so
anyone can check the signature offline and see exactly who wrote it; the credential claims
nothing on behalf of a school or employer.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from servicekit.errors import Refused
from standards.data_integrity import sign_document
from standards.errors import StandardsError
from standards.ob3 import (
    Alignment,
    Criteria,
    Evidence,
    build_achievement,
    build_achievement_credential,
    build_achievement_subject,
    build_profile,
    ensure_valid_credential,
)
from wallet.models import Account
from wallet.services.accounts import holder_key
from wallet.services.context import WalletContext


def author_name(author: Account) -> str:
    """What the credential calls its issuer: the display name, else the e-mail's local part
    (the full address is not published in a credential that may be shared widely)."""
    return author.display_name.strip() or author.email.partition("@")[0]


def urn_for(hex_id: str) -> str:
    """A `urn:uuid:` for a wallet id (32 hex), so items without a URL still get a URI."""
    try:
        return uuid.UUID(hex=hex_id).urn
    except ValueError:
        return uuid.uuid4().urn


def issue_self_credential(ctx: WalletContext, author: Account, subject_did: str, *,
                          name: str, description: str, criteria_narrative: str,
                          alignments: Sequence[Alignment] = (),
                          evidence: Sequence[Evidence] = (),
                          achievement_type: str = "Assessment") -> dict[str, Any]:
    """A signed OpenBadgeCredential (eddsa-rdfc-2022, proof as an array as the OB schema
    wants) issued by `author`'s did:key about `subject_did`. Refused when the
    content does not make a valid OB 3.0 credential."""
    try:
        achievement = build_achievement(
            id=uuid.uuid4().urn, name=name, description=description,
            criteria=Criteria(narrative=criteria_narrative), achievement_type=achievement_type,
            alignments=alignments)
        subject = build_achievement_subject(achievement=achievement, id=subject_did)
        moment = ctx.now()
        credential = build_achievement_credential(
            id=uuid.uuid4().urn, issuer=build_profile(id=author.did, name=author_name(author)),
            subject=subject, name=name, description=description, valid_from=moment,
            awarded_date=moment, evidence=evidence)
        signed = sign_document(credential, holder_key(ctx, author),
                               proof_purpose="assertionMethod")
        if isinstance(signed.get("proof"), dict):
            signed["proof"] = [signed["proof"]]
        ensure_valid_credential(signed)
    except (StandardsError, ValueError) as error:
        raise Refused(f"cannot make a credential of this: {error}") from None
    return signed
