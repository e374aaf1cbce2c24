"""JWT-secured presentations: how they are recognised, signed and verified.

Two shapes are read (standards.jose checks the JWS and its claims):

* a VC-JWT presentation (VCDM 1.1 §6.3.1, OB 3.0 §8.2, OpenID4VP `jwt_vp_json`): header
  `typ: JWT`, the presentation in the `vp` claim, `iss` the holder, `nonce` the verifier's
  challenge and `aud` who it is meant for;
* a VC-JOSE presentation (typ `vp+jwt`): the payload is the VCDM 2.0 presentation, with
  `nonce` and `aud` beside it; it may also come as an `EnvelopedVerifiablePresentation`
  (`"id": "data:application/vp+jwt,<jwt>"`).

`nonce` and `aud` play the part of a Data Integrity proof's `challenge` and `domain`, so the
same rules apply (standards.verification, verifier.services.challenges). The JWS must be
made with a key of the holder (authentication). The credentials inside are compact JWTs
(VC-JWT style), EnvelopedVerifiableCredentials or Data Integrity credentials: each is
verified in turn and bound to the holder, as in a Data Integrity presentation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from standards import jose
from standards.errors import StandardsError
from standards.jsonld import check_document_limits
from standards.keys import KeyPair
from standards.verification.context import VerificationContext
from standards.verification.credentials import verify_any_credential
from standards.verification.documents import check_jsonld, controller, id_of, subject_ids
from standards.verification.jwt_credentials import jwt_vm
from standards.verification.presentations import check_holder_binding, enveloped_jwt
from standards.verification.results import VerificationResult

ENVELOPED_VP_PREFIXES = ("data:application/vp+jwt,", "data:application/vp+ld+json+jwt,")
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
PRESENTATION_FORMATS = ("vp-jwt", "vp-jose")


def enveloped_presentation_jwt(value: Any) -> str | None:
    """The compact JWT inside an EnvelopedVerifiablePresentation, or None."""
    if not isinstance(value, dict):
        return None
    types = value.get("type")
    if "EnvelopedVerifiablePresentation" not in (types if isinstance(types, list) else [types]):
        return None
    url = value.get("id")
    for prefix in ENVELOPED_VP_PREFIXES:
        if isinstance(url, str) and url.startswith(prefix):
            return url[len(prefix):].strip()
    return None


def presentation_token(value: Any) -> str | None:
    """The compact JWT of a JWT-secured presentation (the token itself, or enveloped)."""
    token = value.strip() if isinstance(value, str) else enveloped_presentation_jwt(value)
    return token if token is not None and is_jwt_presentation(token) else None


def is_jwt_presentation(token: str) -> bool:
    """Whether `token` is a compact JWS whose payload is a presentation (not verified)."""
    if not jose.looks_like_jwt(token):
        return False
    try:
        header, payload = jose.decode_compact_jws(token.strip())
    except StandardsError:
        return False
    typ = header.get("typ")
    if isinstance(typ, str) and typ.lower().removeprefix("application/") == "vp+jwt":
        return True
    types = payload.get("type")
    return "vp" in payload or "VerifiablePresentation" in (
        types if isinstance(types, list) else [types])


def binding_claims(value: Any) -> tuple[str | None, list[str]] | None:
    """(nonce, audiences) a JWT-secured presentation carries, NOT verified; None when
    `value` is not one. They stand for a proof's challenge and domain."""
    token = presentation_token(value)
    if token is None:
        return None
    _header, payload = jose.decode_compact_jws(token)
    nonce = payload.get("nonce")
    audience = payload.get("aud")
    audiences = audience if isinstance(audience, list) else [] if audience is None else [audience]
    return (nonce if isinstance(nonce, str) else None,
            [a for a in audiences if isinstance(a, str)])


def sign_jwt_presentation(credentials: list[dict[str, Any] | str], key: KeyPair, *,
                          holder: str, kid: str | None = None, nonce: str | None = None,
                          audience: str | None = None,
                          now: datetime | None = None, lifetime_seconds: int = 600) -> str:
    """A VC-JWT presentation (`vp` claim, typ JWT) of `credentials`, signed by the holder's
    `key` (`kid`, or else the key's id, names it): what OpenID4VP calls a `jwt_vc_json`
    presentation. JWT credentials go in as they are (VCDM 1.1 style), JSON ones as objects."""
    moment = int((now or datetime.now(UTC)).timestamp())
    presentation = {"@context": [VCDM2_CONTEXT], "type": ["VerifiablePresentation"],
                    "holder": holder, "verifiableCredential": list(credentials)}
    claims: dict[str, Any] = {"iss": holder, "iat": moment, "nbf": moment,
                              "exp": moment + lifetime_seconds, "vp": presentation}
    if nonce is not None:
        claims["nonce"] = nonce
    if audience is not None:
        claims["aud"] = audience
    return jose.sign_jwt_claims(claims, key, typ="JWT", kid=kid or key.id)


def decode_checked(token: str) -> None:
    """Refuse hostile nesting before anything walks the decoded JSON."""
    for part in jose.decode_compact_jws(token):
        check_document_limits(part)


# --- verification -------------------------------------------------------------------------
def verify_jwt_presentation(token: str, ctx: VerificationContext, *, challenge: str | None,
                            domain: str | None,
                            require_holder_binding: bool = False) -> VerificationResult:
    """Verify a JWT-secured presentation: signature by a key of the holder, `nonce` and `aud`
    against `challenge` and `domain`, then every credential in it and its holder binding (a
    failure only when `require_holder_binding`, as for Data Integrity presentations)."""
    result = VerificationResult(format="presentation")
    resolver = ctx.resolver()

    def resolve(kid: str) -> jose.VerificationKey:
        return resolver.resolve_verification_method(jwt_vm(kid),
                                                    "authentication").key

    try:
        decode_checked(token)
        outcome = jose.verify_jwt(token, resolve, now=ctx.clock())
    except StandardsError as exc:
        result.add("format", False, str(exc))
        return result
    document = outcome.document
    if outcome.format not in PRESENTATION_FORMATS or document is None:
        result.add("format", False, "; ".join(outcome.errors) or
                   f"the JWT holds a {outcome.format} document, not a presentation")
        return result
    # `nonce` is a JWT claim (RFC 7519 registry, OpenID4VP), not a term of the presentation.
    document = {name: value for name, value in document.items() if name != "nonce"}
    result.document = document
    result.warnings.extend(outcome.warnings)
    result.add("format", True, f"VerifiablePresentation ({outcome.format})")
    if "@context" in document:
        check_jsonld(document, result, ctx.loader)
    result.add("proof", outcome.verified, "JWS signature valid" if outcome.verified
               else "; ".join(outcome.errors))
    _check_binding_claims(outcome.payload, challenge, domain, result)
    signer = controller(outcome.kid) if outcome.key_source == "kid" and outcome.verified \
        else None
    holder = id_of(document.get("holder"))
    if holder is None and outcome.key_source == "kid":
        holder = signer
    if holder is None:
        result.add("holder", False, "the presentation names no holder (holder or iss)")
    else:
        result.add("holder", holder == signer,
                   f"presentation signed by its holder {holder}" if holder == signer
                   else f"presentation is not signed by a key of its holder {holder}")
    bound_to = {signer} if signer else set()
    _verify_members(document, outcome, ctx, bound_to, result, require_holder_binding)
    return result


def _check_binding_claims(payload: dict[str, Any], challenge: str | None, domain: str | None,
                          result: VerificationResult) -> None:
    """`nonce` is the challenge and `aud` the domain (OpenID4VP Appendix B.1.3.1)."""
    nonce = payload.get("nonce")
    if challenge is not None:
        ok = nonce == challenge
        result.add("proof", ok, "the nonce is the challenge asked for" if ok else
                   f"the nonce {nonce!r} is not the challenge {challenge!r}")
    else:
        result.warnings.append("no challenge was required: this presentation proves who made "
                               "it, not that it was made for this verification (replayable)")
    if domain is not None:
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        ok = domain in audiences
        result.add("proof", ok, f"the audience is {domain}" if ok else
                   f"the audience {audience!r} is not {domain!r}")


def _verify_members(document: dict[str, Any], outcome: jose.JwtVerificationResult,
                    ctx: VerificationContext, bound_to: set[str],
                    result: VerificationResult, require_holder_binding: bool) -> None:
    credentials = document.get("verifiableCredential", [])
    for index, credential in enumerate(credentials if isinstance(credentials, list)
                                       else [credentials]):
        label = f"credential[{index}]"
        inner_value = enveloped_jwt(credential) or credential
        if not isinstance(inner_value, dict | str):
            result.add(label, False, "not a credential (a JSON object or a compact JWT)")
            continue
        inner = verify_any_credential(inner_value, ctx.deeper())
        result.credentials.append((f"$.verifiableCredential[{index}]", inner))
        result.add(label, inner.verified, "valid" if inner.verified
                   else "; ".join(inner.errors))
        check_holder_binding(label, subject_ids(inner.document or {}), bound_to, result,
                              required=require_holder_binding)

