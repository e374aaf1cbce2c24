"""OpenID4VCI 1.0 `jwt` key proofs (Appendix F.1): who the holder is, and that they hold the key.

A wallet proves possession of its key by signing a small JWT (typ `openid4vci-proof+jwt`)
whose `aud` is this Credential Issuer and whose `nonce` is a `c_nonce` from our Nonce
Endpoint. The key is named by `kid` (a did:key or did:jwk verification method) or given as
`jwk` (then the holder is the did:jwk of that key). Both resolve offline: nothing here
fetches a URL. Whether the nonce is fresh and unused is the caller's check (it needs the
database); this module only reads it from the proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from standards.dids import PRIVATE_JWK_MEMBERS, DidResolver, controller_of, did_jwk_from_key_pair
from standards.errors import StandardsError
from standards.fetcher import Fetcher
from standards.jose import JoseError, decode_compact_jws
from standards.keys import key_pair_from_jwk

PROOF_TYP = "openid4vci-proof+jwt"
PROOF_ALGORITHMS = ("EdDSA", "ES256")
BINDING_METHODS = ("did:key", "did:jwk")
# The key each algorithm needs (kty, crv): an ES256 proof signed with an Ed25519 key is refused.
_KEY_FOR_ALGORITHM = {"EdDSA": ("OKP", "Ed25519"), "ES256": ("EC", "P-256")}
MAX_PROOF_CHARS = 16_384
# A proof is made just before the credential request: a few minutes covers slow phones and
# networks; the skew allows a wallet clock slightly ahead of ours.
MAX_PROOF_AGE_SECONDS = 300
CLOCK_SKEW_SECONDS = 60


class ProofRejected(Exception):
    """A key proof we refuse; `error` is the OpenID4VCI error code to answer with."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class KeyProof:
    holder: str  # the DID the credential will be issued to
    verification_method: str  # the DID URL of the key that signed the proof
    nonce: str


def verify_key_proof(token: Any, *, audience: str, now: datetime | None = None) -> KeyProof:
    """Check a `jwt` key proof completely except for nonce freshness; raise ProofRejected."""
    if not isinstance(token, str) or not token:
        raise _invalid("a jwt key proof must be a non-empty string")
    if len(token) > MAX_PROOF_CHARS:
        raise _invalid(f"the key proof is longer than {MAX_PROOF_CHARS} characters")
    try:
        header, claims = decode_compact_jws(token)
    except JoseError as error:
        raise _invalid(f"the key proof is not a usable compact JWS: {error}") from None

    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != PROOF_TYP:
        raise _invalid(f"the key proof header must have typ {PROOF_TYP!r}, found {typ!r}")
    alg = header.get("alg")
    if alg not in PROOF_ALGORITHMS:
        raise _invalid(f"key proof alg {alg!r} is not accepted (use one of "
                       f"{', '.join(PROOF_ALGORITHMS)})")
    if "crit" in header:
        raise _invalid("critical header extensions are not supported in key proofs")
    holder, vm_id, key = _proof_key(header)
    kty, crv = _KEY_FOR_ALGORITHM[alg]
    if key.get("kty") != kty or key.get("crv") != crv:
        raise _invalid(f"alg {alg} needs a {kty} {crv} key; the key of {vm_id} is "
                       f"{key.get('kty')} {key.get('crv')}")
    if not _signature_valid(token, key, alg):
        raise _invalid(f"the key proof signature does not verify with the key of {vm_id}")

    _check_claims(claims, audience, now or datetime.now(UTC))
    return KeyProof(holder=holder, verification_method=vm_id, nonce=claims["nonce"])


def jwt_proof_of(body: dict[str, Any]) -> Any:
    """The one `jwt` key proof of a Credential Request: `proofs` (1.0), or the single `proof`
    object of earlier drafts, which wallets still send."""
    if "proofs" in body and "proof" in body:
        raise ProofRejected("invalid_credential_request", "send either proofs or proof, not both")
    if "proof" in body:
        proof = body["proof"]
        if not isinstance(proof, dict) or proof.get("proof_type") != "jwt":
            raise _invalid("proof must be an object with proof_type jwt and a jwt")
        return proof.get("jwt")
    proofs = body.get("proofs")
    if proofs is None:
        raise _invalid("proofs is required: a jwt key proof of the key the credential is to "
                       "be bound to")
    if not isinstance(proofs, dict) or set(proofs) != {"jwt"}:
        raise _invalid("proofs must hold exactly one proof type: jwt")
    jwts = proofs["jwt"]
    if not isinstance(jwts, list) or len(jwts) != 1:
        raise _invalid("proofs.jwt must be a list of exactly one key proof (batch issuance is "
                       "not offered)")
    return jwts[0]


# --- the key --------------------------------------------------------------------------------
def _proof_key(header: dict[str, Any]) -> tuple[str, str, jwk.JWK]:
    """(holder DID, verification method id, public key) from exactly one of kid and jwk."""
    present = [name for name in ("kid", "jwk", "x5c") if name in header]
    if len(present) != 1:
        raise _invalid("the key proof header needs exactly one of kid or jwk "
                       f"(found: {', '.join(present) or 'neither'})")
    if present[0] == "x5c":
        raise _invalid("x5c key proofs are not supported; use a did:key or did:jwk kid, or jwk")
    if present[0] == "jwk":
        return _key_from_jwk_header(header["jwk"])
    kid = header["kid"]
    if not isinstance(kid, str) or not kid.startswith(BINDING_METHODS) or "#" not in kid:
        raise _invalid("kid must be a did:key or did:jwk verification method (did:...#...); "
                       f"found {str(kid)[:80]!r}")
    # Offline: did:key and did:jwk carry their key in the identifier, so no fetch is needed
    # and none is allowed.
    resolver = DidResolver(Fetcher.offline({}))
    try:
        method = resolver.resolve_verification_method(kid, "authentication")
        public = method.key.to_jwcrypto(private=False)
    except (StandardsError, JWException, ValueError) as error:
        raise _invalid(f"cannot use kid {kid[:80]!r}: {error}") from None
    return controller_of(kid), kid, public


def _key_from_jwk_header(value: Any) -> tuple[str, str, jwk.JWK]:
    if not isinstance(value, dict):
        raise _invalid("the jwk header must be a JSON object")
    if PRIVATE_JWK_MEMBERS & set(value):
        raise _invalid("the jwk header contains private key material")
    try:
        pair = key_pair_from_jwk(value)
        holder = did_jwk_from_key_pair(pair)
        public = pair.to_jwcrypto(private=False)
    except (StandardsError, JWException, ValueError, TypeError) as error:
        raise _invalid(f"the jwk header is not a usable public key: {error}") from None
    return holder, f"{holder}#0", public


def _signature_valid(token: str, key: jwk.JWK, alg: str) -> bool:
    checker = jws.JWS()
    checker.allowed_algs = [alg]
    try:
        checker.deserialize(token)
        checker.verify(key, alg=alg)
    except (JWException, ValueError):
        return False
    return True


# --- the claims -----------------------------------------------------------------------------
def _check_claims(claims: dict[str, Any], audience: str, now: datetime) -> None:
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if audience not in audiences:
        raise _invalid(f"the key proof aud must be this Credential Issuer ({audience}); "
                       f"found {str(aud)[:100]!r}")
    iat = claims.get("iat")
    if isinstance(iat, bool) or not isinstance(iat, int | float):
        raise _invalid("the key proof needs iat (a number of seconds since 1970)")
    moment = now.timestamp()
    if iat > moment + CLOCK_SKEW_SECONDS:
        raise _invalid("the key proof iat lies in the future")
    if iat < moment - MAX_PROOF_AGE_SECONDS:
        raise _invalid(f"the key proof is older than {MAX_PROOF_AGE_SECONDS} seconds; "
                       "make a new one with a fresh c_nonce")
    exp = claims.get("exp")
    if exp is not None and (not isinstance(exp, int | float) or exp <= moment):
        raise _invalid("the key proof has expired")
    nonce = claims.get("nonce")
    if not isinstance(nonce, str) or not nonce:
        raise _invalid("the key proof has no nonce; get a c_nonce from the nonce endpoint")
    # `iss` must be left out after anonymous pre-authorized access; wallets that send it
    # anyway are not refused for it, since it is not used for anything here.


def _invalid(description: str) -> ProofRejected:
    return ProofRejected("invalid_proof", description)
