"""JWT-secured credentials and presentations: OB 3.0 VC-JWT and W3C VC-JOSE (compact JWS only).

Two shapes are signed and verified:

* VC-JWT, Open Badges 3.0 §8.2 "JSON Web Token Proof Format": header `typ: JWT`, claims
  `iss`, `jti`, `sub`, `nbf`, `exp` mirroring the credential. A VCDM 1.1 credential travels in
  the `vc` claim (VCDM 1.1 §6.3.1); a VCDM 2.0 credential is the payload itself with the claims
  beside it (the current OB 3.0 text). Verification accepts both and checks that the claims
  agree with the credential.
* VC-JOSE (W3C "Securing Verifiable Credentials using JOSE and COSE"): header `typ: vc+jwt` or
  `vp+jwt`; the payload IS the VCDM 2.0 credential or presentation; `vc`/`vp` claims are
  forbidden and `iss`/`jti`/`sub`, when present, must not contradict the document.

Only asymmetric algorithms in ALLOWED_ALGORITHMS are accepted; `none` and HMAC never are.
Signatures are checked by jwcrypto; this module adds the credential rules around them.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from standards import jose_claims as claims
from standards.errors import DocumentTooLargeError, InvalidKeyError, ProofError, StandardsError
from standards.keys import KeyPair

# RS256 is OB 3.0's minimum; ES384 is needed by the W3C VC-JOSE vectors. Never HMAC or none.
ALLOWED_ALGORITHMS = ("RS256", "ES256", "ES384", "EdDSA")
# The key a given algorithm needs: (kty, crv); RSA has no curve.
_KEY_FOR_ALGORITHM = {
    "RS256": ("RSA", None),
    "ES256": ("EC", "P-256"),
    "ES384": ("EC", "P-384"),
    "ES512": ("EC", "P-521"),
    "EdDSA": ("OKP", "Ed25519"),
}
MIN_RSA_BITS = 2048
MAX_TOKEN_CHARS = 2_000_000  # a credential with an embedded image stays well below this

VC_JOSE_TYP, VP_JOSE_TYP = "vc+jwt", "vp+jwt"
# cty values accepted per typ (after dropping "application/"): the REC value and the draft one.
_CTY_FOR_TYP = {VC_JOSE_TYP: ("vc", "vc+ld+json"), VP_JOSE_TYP: ("vp", "vp+ld+json")}
# Enveloped credentials a vp+jwt may carry (VC-JOSE §3); their signatures are the caller's job.
ENVELOPED_MEDIA_TYPES = ("application/vc+jwt", "application/vc+sd-jwt", "application/vc+cose")

_COMPACT_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")

VerificationKey = KeyPair | jwk.JWK


class JoseError(ProofError):
    """A JWT/JWS is malformed, or a credential cannot be signed as one."""


@dataclass
class EnvelopedCredential:
    """One EnvelopedVerifiableCredential of a presentation, decoded but NOT verified."""

    index: int
    media_type: str  # application/vc+jwt, application/vc+sd-jwt or application/vc+cose
    token: str  # the secured credential (compact JWS, SD-JWT, or base64 COSE_Sign1)


@dataclass
class JwtVerificationResult:
    format: str  # "vc-jwt", "vp-jwt" (VCDM 1.1 vp claim), "vc-jose", "vp-jose" or "unknown"
    header: dict[str, Any]
    payload: dict[str, Any]
    document: dict[str, Any] | None  # the credential/presentation, JWT claims folded in
    verified: bool
    errors: list[str]
    kid: str | None
    key_source: str | None = None  # "kid" (resolved) or "jwk" (embedded: check who owns it!)
    jwk: dict[str, Any] | None = None  # the embedded public JWK when key_source == "jwk"
    warnings: list[str] = field(default_factory=list)
    enveloped_credentials: list[EnvelopedCredential] = field(default_factory=list)


# --- shape -------------------------------------------------------------------------------
def looks_like_jwt(text: str) -> bool:
    """True if `text` is a compact JWS whose header is a JSON object with an `alg`."""
    text = text.strip()
    if len(text) > MAX_TOKEN_CHARS or not _COMPACT_JWS.match(text):
        return False
    try:
        return "alg" in _decode_json_part(text.split(".", 1)[0], "header")
    except JoseError:
        return False


def _b64url_decode(part: str, what: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JoseError(f"the JWS {what} is not base64url: {exc}") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name in result:  # RFC 7515 §5.2: refuse rather than guess which one was signed
            raise JoseError(f"duplicate member {name!r} in the JWS")
        result[name] = value
    return result


def decode_compact_jws(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and payload of a compact JWS, NOT verified; JoseError when it is not one
    (bad shape, not base64url, not a JSON object, duplicate members)."""
    if not _COMPACT_JWS.match(token):
        raise JoseError("not a compact JWS: expected three base64url parts separated by '.'")
    header_part, payload_part, _ = token.split(".")
    return _decode_json_part(header_part, "header"), _decode_json_part(payload_part, "payload")


def _decode_json_part(part: str, what: str) -> dict[str, Any]:
    raw = _b64url_decode(part, what)
    try:
        value = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise JoseError(f"the JWS {what} is not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise JoseError(f"the JWS {what} is not a JSON object")
    return value


# --- keys --------------------------------------------------------------------------------
def _as_jwcrypto(key: VerificationKey, private: bool) -> jwk.JWK:
    if isinstance(key, KeyPair):
        return key.to_jwcrypto(private=private)
    if private:
        if not key.has_private:
            raise InvalidKeyError("signing needs the private key, which this JWK lacks")
        return key
    return jwk.JWK.from_json(key.export_public())


def _algorithm_for(key: jwk.JWK) -> str:
    wanted = (key.get("kty"), key.get("crv"))
    for alg, kty_crv in _KEY_FOR_ALGORITHM.items():
        if kty_crv == wanted or (kty_crv[0] == "RSA" and wanted[0] == "RSA"):
            return alg
    raise InvalidKeyError(f"no JWS algorithm for a {wanted[0]}/{wanted[1]} key")


def _key_problem(key: jwk.JWK, alg: str) -> str | None:
    kty, crv = _KEY_FOR_ALGORITHM[alg]
    if key.get("kty") != kty or (crv is not None and key.get("crv") != crv):
        need = " ".join(filter(None, (kty, crv)))
        have = " ".join(filter(None, (key.get("kty"), key.get("crv"))))
        return f"key: {alg} needs an {need} key, the key is {have}"
    verifying_key = key.get_op_key("verify")
    if isinstance(verifying_key, rsa.RSAPublicKey) and verifying_key.key_size < MIN_RSA_BITS:
        return f"key: RSA keys must have at least {MIN_RSA_BITS} bits"
    return None


def _sign(payload: dict[str, Any], header: dict[str, Any], key: VerificationKey) -> str:
    private = _as_jwcrypto(key, private=True)
    if header["alg"] not in ALLOWED_ALGORITHMS:
        raise JoseError(f"alg {header['alg']} is not allowed ({', '.join(ALLOWED_ALGORITHMS)})")
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    token = jws.JWS(body)
    token.allowed_algs = [header["alg"]]
    token.add_signature(private, protected=json.dumps(header, separators=(",", ":")))
    return token.serialize(compact=True)


def _kid_for(key: VerificationKey, kid: str | None) -> str | None:
    if kid:
        return kid
    if isinstance(key, KeyPair):
        return key.id
    return key.get("kid")


# --- signing -----------------------------------------------------------------------------
def sign_vc_jwt(credential: dict[str, Any], key: VerificationKey, *, kid: str | None = None,
                embed_jwk: bool = False, now: datetime | None = None,
                vc_claim: bool | None = None) -> str:
    """Sign `credential` as an OB 3.0 VC-JWT (header alg, typ JWT, and kid or jwk).

    `vc_claim`: put the credential in a `vc` claim (VCDM 1.1 style) or make it the payload
    (OB 3.0 with VCDM 2.0). None chooses by the credential's first @context.
    Any embedded proof is kept: OB 3.0 says embedded proofs are made before the JWT.
    """
    claims.require_credential(credential)
    alg = _algorithm_for(_as_jwcrypto(key, private=False))
    header: dict[str, Any] = {"alg": alg, "typ": "JWT"}
    key_id = kid if embed_jwk else _kid_for(key, kid)
    if key_id:
        header["kid"] = key_id
    if embed_jwk:
        public = json.loads(_as_jwcrypto(key, private=False).export_public())
        public.pop("kid", None)
        header["jwk"] = public
    elif not key_id:
        raise JoseError("a VC-JWT needs a kid (verification method id) or an embedded jwk")
    jwt_claims = claims.claims_for_credential(credential, now or datetime.now(UTC))
    if vc_claim is None:
        vc_claim = claims.is_vcdm11(credential)
    if vc_claim:
        payload = {**jwt_claims, "vc": credential}
    else:
        clash = sorted(set(credential) & (set(jwt_claims) | {"vc", "vp"}))
        if clash:
            raise JoseError(f"the credential already has JWT claim names {clash}")
        payload = {**credential, **jwt_claims}
    return _sign(payload, header, key)


def sign_vc_jose(document: dict[str, Any], key: VerificationKey, *, kid: str | None = None,
                 presentation: bool = False, now: datetime | None = None,
                 extra_claims: dict[str, Any] | None = None) -> str:
    """Sign a VCDM 2.0 credential (typ vc+jwt) or presentation (typ vp+jwt) per VC-JOSE.

    The payload is the document plus `iat` and any `extra_claims` (e.g. `aud`, `nonce`,
    `exp` for a presentation); none of them may overwrite a member of the document.
    """
    claims.require_vcdm2(document, presentation=presentation)
    key_id = _kid_for(key, kid)
    if not key_id:
        raise JoseError("a VC-JOSE token needs a kid (the verification method id)")
    typ = VP_JOSE_TYP if presentation else VC_JOSE_TYP
    header = {"alg": _algorithm_for(_as_jwcrypto(key, private=False)), "typ": typ,
              "cty": _CTY_FOR_TYP[typ][0], "kid": key_id}
    added = {"iat": int((now or datetime.now(UTC)).timestamp()), **(extra_claims or {})}
    clash = sorted(set(document) & set(added) | ({"vc", "vp"} & set(added)))
    if clash:
        raise JoseError(f"extra claims would overwrite or forbid document members: {clash}")
    return _sign({**document, **added}, header, key)


def sign_jwt_claims(payload: dict[str, Any], key: VerificationKey, *, typ: str,
                    kid: str | None = None) -> str:
    """A compact JWS of `payload` as it is (a presentation's `vp` claim with nonce and aud,
    a request object), header alg (from the key), typ and kid."""
    header: dict[str, Any] = {"alg": _algorithm_for(_as_jwcrypto(key, private=False)),
                              "typ": typ}
    key_id = _kid_for(key, kid)
    if key_id:
        header["kid"] = key_id
    return _sign(payload, header, key)


# --- verification ------------------------------------------------------------------------
def signature_problem(token: str, key: VerificationKey) -> str | None:
    """Why the compact JWS `token` does not verify with `key` under the `alg` its header
    names (one of ALLOWED_ALGORITHMS, fitting the key), or None when it does. For JWS that
    are not credentials (request objects); `verify_jwt` does this with the credential rules."""
    header, _payload = decode_compact_jws(token.strip())
    alg = header.get("alg")
    if alg not in ALLOWED_ALGORITHMS:
        why = "an unsigned token" if alg == "none" else "not an allowed algorithm"
        return f"alg {alg!r} is {why} (allowed: {', '.join(ALLOWED_ALGORITHMS)})"
    public = _as_jwcrypto(key, private=False)
    problem = _key_problem(public, alg)
    if problem:
        return problem
    if not _signature_valid(token.strip(), public, alg):
        return f"the {alg} signature does not verify"
    return None


def verify_jwt(token: str, resolve_key: Callable[[str], VerificationKey], *,
               now: datetime | None = None) -> JwtVerificationResult:
    """Verify a VC-JWT / VC-JOSE token. Raises JoseError only if it is not a JWS at all.

    `resolve_key` maps the header `kid` to a public key (raising for unknown kids). A header
    `jwk` is used only when there is no `kid`; the result then says key_source="jwk" and the
    caller must check that this key belongs to the issuer.
    """
    token = token.strip()
    if len(token) > MAX_TOKEN_CHARS:
        raise DocumentTooLargeError(f"JWT longer than {MAX_TOKEN_CHARS} characters")
    header, payload = decode_compact_jws(token)
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    result = JwtVerificationResult("unknown", header, payload, None, False, [], kid)
    errors = result.errors

    alg = header.get("alg")
    allowed_alg: str | None = alg if alg in ALLOWED_ALGORITHMS else None
    if allowed_alg is None:
        why = "an unsigned token" if alg == "none" else "not an allowed algorithm"
        errors.append(f"alg: {alg!r} is {why} (allowed: {', '.join(ALLOWED_ALGORITHMS)})")
    if "crit" in header:
        errors.append(f"header: critical extensions {header['crit']!r} are not supported")

    result.format = _detect_format(header, payload, result)
    key = _verification_key(header, resolve_key, result)
    if allowed_alg is not None and key is not None:
        problem = _key_problem(key, allowed_alg)
        if problem:
            errors.append(problem)
        elif not _signature_valid(token, key, allowed_alg):
            errors.append(f"signature: the {allowed_alg} signature does not verify with key "
                          f"{kid or 'from the jwk header'}")

    when = now or datetime.now(UTC)
    if result.format in ("vc-jwt", "vp-jwt", "vc-jose", "vp-jose"):
        result.document = claims.check_document(result.format, payload, errors, result.warnings)
    claims.check_times(payload, when, errors)
    if result.format == "vp-jose" and result.document is not None:
        result.enveloped_credentials = _enveloped(result.document, errors)
    result.verified = not errors
    return result


def _detect_format(header: dict[str, Any], payload: dict[str, Any],
                   result: JwtVerificationResult) -> str:
    typ = header.get("typ")
    media = typ.lower().removeprefix("application/") if isinstance(typ, str) else None
    if media in _CTY_FOR_TYP:
        cty = header.get("cty")
        if cty is not None and (not isinstance(cty, str) or cty.lower().removeprefix(
                "application/") not in _CTY_FOR_TYP[media]):
            result.errors.append(f"media type: cty {cty!r} does not fit typ {typ!r} "
                                 f"(expected {_CTY_FOR_TYP[media][0]!r})")
        return "vc-jose" if media == VC_JOSE_TYP else "vp-jose"
    if media not in (None, "jwt"):
        result.errors.append(f"media type: typ {typ!r} is not accepted "
                             "(vc+jwt, vp+jwt, or JWT for an OB 3.0 VC-JWT)")
        return "unknown"
    if typ is None:
        result.warnings.append("header: no typ; the format was inferred from the payload")
    if "vc" in payload:
        return "vc-jwt"
    if "vp" in payload:
        return "vp-jwt"
    if claims.is_presentation(payload):
        if typ is None:
            return "vp-jose"
        result.errors.append("media type: typ JWT with a presentation payload; use vp+jwt")
        return "unknown"
    if typ is None:
        return "vc-jose"
    extra = sorted(set(header) - {"alg", "typ", "kid", "jwk"})
    if extra:  # OB 3.0: "Additional JOSE Headers are NOT allowed"
        result.warnings.append(f"header: {extra} are not allowed in an OB 3.0 VC-JWT header")
    return "vc-jwt"


def _verification_key(header: dict[str, Any], resolve_key: Callable[[str], VerificationKey],
                      result: JwtVerificationResult) -> jwk.JWK | None:
    if result.kid is not None:
        result.key_source = "kid"
        try:
            resolved = resolve_key(result.kid)
        except (StandardsError, LookupError, ValueError) as exc:
            result.errors.append(f"key: cannot resolve kid {result.kid!r}: {exc}")
            return None
        try:
            return _as_jwcrypto(resolved, private=False)
        except (JWException, InvalidKeyError) as exc:  # e.g. a symmetric (oct) key
            result.errors.append(f"key: kid {result.kid!r} gives no usable public key: {exc}")
            return None
    embedded = header.get("jwk")
    if not isinstance(embedded, dict):
        result.errors.append("key: the header has neither a kid nor a jwk")
        return None
    result.key_source = "jwk"
    try:
        key = jwk.JWK(**embedded)
    except (JWException, TypeError, ValueError) as exc:
        result.errors.append(f"key: the jwk header is not a usable JWK: {exc}")
        return None
    if key.has_private:  # OB 3.0: the JWK MUST never contain "d"; it leaked a private key
        result.errors.append("key: the jwk header contains private key material")
        return None
    result.jwk = json.loads(key.export_public())
    return key


def _signature_valid(token: str, key: jwk.JWK, alg: str) -> bool:
    checker = jws.JWS()
    checker.allowed_algs = [alg]
    try:
        checker.deserialize(token)
        checker.verify(key, alg=alg)
    except (jws.InvalidJWSSignature, jws.InvalidJWSObject, jws.InvalidJWSOperation,
            JWException, ValueError):
        return False
    return True


def _enveloped(presentation: dict[str, Any], errors: list[str]) -> list[EnvelopedCredential]:
    entries = presentation.get("verifiableCredential", [])
    entries = entries if isinstance(entries, list) else [entries]
    found = []
    for index, entry in enumerate(entries):
        try:
            found.append(parse_enveloped_credential(entry, index))
        except JoseError as exc:
            errors.append(f"presentation: verifiableCredential[{index}]: {exc}")
    return found


def parse_enveloped_credential(entry: Any, index: int = 0) -> EnvelopedCredential:
    """Decode an EnvelopedVerifiableCredential's data: URL and check the content's shape."""
    types = entry.get("type") if isinstance(entry, dict) else None
    types = types if isinstance(types, list) else [types]
    if "EnvelopedVerifiableCredential" not in types:
        raise JoseError("not an EnvelopedVerifiableCredential; a vp+jwt must envelop its "
                        "credentials (VC-JOSE §3.1.2)")
    url = entry.get("id")
    if not isinstance(url, str) or not url.startswith("data:") or "," not in url:
        raise JoseError(f"id {str(url)[:40]!r} is not a data: URL")
    meta, data = url[len("data:"):].split(",", 1)
    media_type, *params = meta.split(";")
    if media_type not in ENVELOPED_MEDIA_TYPES:
        raise JoseError(f"media type {media_type!r} is not a secured credential "
                        f"({', '.join(ENVELOPED_MEDIA_TYPES)})")
    data = data.strip()
    if media_type == "application/vc+cose":
        _check_cose(data, "base64" in params)
    else:
        jwt_part = data.split("~", 1)[0] if media_type.endswith("sd-jwt") else data
        if not _COMPACT_JWS.match(jwt_part):
            raise JoseError(f"the {media_type} content is not a compact JWS")
        _decode_json_part(jwt_part.split(".")[0], "header")
        _decode_json_part(jwt_part.split(".")[1], "payload")
    return EnvelopedCredential(index, media_type, data)


def _check_cose(data: str, is_base64: bool) -> None:
    if not is_base64:
        raise JoseError("a COSE credential in a presentation must be base64 encoded")
    try:
        raw = base64.b64decode(re.sub(r"\s", "", data) + "=" * (-len(data.strip()) % 4))
    except (binascii.Error, ValueError) as exc:
        raise JoseError(f"the COSE content is not base64: {exc}") from exc
    if raw[:1] != b"\xd2":  # CBOR tag 18 = COSE_Sign1
        raise JoseError("the COSE content is not a tagged COSE_Sign1 structure")
