"""Verifiable Presentations signed by the owner's holder key.

A presentation is what the wallet hands out (a share link, an OpenID4VP answer, an export
bundle): a W3C VCDM 2.0 `VerifiablePresentation` whose `holder` is the owner's did:key and
whose proof (eddsa-rdfc-2022, proofPurpose `authentication`) is made with that key, so a
verifier sees that the subject of the credentials is the one presenting them.

Data Integrity credentials go in as they are; a compact JWT credential goes in as a VCDM 2.0
`EnvelopedVerifiableCredential` (`data:application/vc+jwt,<jwt>`), which
`standards.verification.verify_presentation` opens and verifies as a JWT.
"""

from __future__ import annotations

import json
from typing import Any

from servicekit.errors import Refused
from standards.data_integrity import sign_document
from standards.errors import StandardsError
from standards.jwt_presentations import sign_jwt_presentation
from standards.verification import envelope_jwt
from wallet.models import Account
from wallet.services.accounts import holder_key
from wallet.services.context import WalletContext

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


def sign_presentation(ctx: WalletContext, account: Account,
                      credentials: list[dict[str, Any] | str], *,
                      challenge: str | None = None, domain: str | None = None) -> dict[str, Any]:
    """A VP of `credentials` (JSON objects, JSON text or compact JWTs), signed by `account`'s
    holder key. JWT credentials go in enveloped (see the module text). `challenge` is the
    verifier's nonce, `domain` who it is meant for (the OpenID4VP client_id)."""
    included: list[dict[str, Any]] = []
    for credential in distinct_credentials(credentials):
        included.append(credential if isinstance(credential, dict) else envelope_jwt(credential))
    presentation: dict[str, Any] = {
        "@context": [VCDM2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": account.did,
        "verifiableCredential": included,
    }
    key = holder_key(ctx, account)
    try:
        # The holder key's own suite: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256.
        return sign_document(presentation, key,
                             verification_method=key.id, proof_purpose="authentication",
                             challenge=challenge, domain=domain)
    except StandardsError as error:  # a credential that cannot be canonicalised, say
        raise Refused(f"cannot sign a presentation of these credentials: {error}") from None


def sign_jwt_presentation_of(ctx: WalletContext, account: Account, tokens: list[str], *,
                             nonce: str, audience: str) -> str:
    """A VC-JWT presentation (`vp` claim, OpenID4VP jwt_vc_json) of VC-JWT `tokens`, signed
    by `account`'s holder key (kid its verification method), with the verifier's `nonce` and
    `audience` (the OpenID4VP client_id)."""
    key = holder_key(ctx, account)
    try:
        return sign_jwt_presentation(list(tokens), key, holder=account.did, kid=key.id,
                                     nonce=nonce, audience=audience, now=ctx.now())
    except StandardsError as error:
        raise Refused(f"cannot sign a presentation of these credentials: {error}") from None


def distinct_credentials(credentials: list[dict[str, Any] | str]) -> list[dict[str, Any] | str]:
    """The credentials as values (objects, or JWT text), each once, in their first place:
    a credential twice in one presentation says nothing more, and two identical credential
    graphs make canonicalisation needlessly hard. One credential is one `id` (or, without
    one, the same content)."""
    seen: set[str] = set()
    distinct: list[dict[str, Any] | str] = []
    for credential in credentials:
        value = _as_value(credential)
        identity = _identity(value)
        if identity not in seen:
            seen.add(identity)
            distinct.append(value)
    return distinct


def _identity(value: dict[str, Any] | str) -> str:
    if isinstance(value, str):
        return "jwt:" + value
    if isinstance(value.get("id"), str) and value["id"]:
        return "id:" + value["id"]
    return "json:" + json.dumps(value, sort_keys=True)


def _as_value(credential: dict[str, Any] | str) -> dict[str, Any] | str:
    """JSON text becomes an object; anything else that is text is taken as a compact JWT."""
    if isinstance(credential, dict):
        return credential
    text = credential.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError as error:
            raise Refused(f"a credential is not valid JSON: {error}") from None
        if not isinstance(value, dict):
            raise Refused("a credential is not a JSON object")
        return value
    return text
