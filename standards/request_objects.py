"""OpenID4VP request objects (JAR, RFC 9101; OpenID4VP 1.0 §5 and §5.9): making them, and
reading them as a careful wallet does.

Which request objects are acceptable depends on the client identifier prefix (§5.9.3):

* `redirect_uri:<response URI>`: the request cannot be signed (nobody could check the key),
  so its request object is unsigned (`alg: none`);
* `decentralized_identifier:<DID>`: the request object MUST be signed with a key of that DID,
  named by the `kid` header (a DID URL of the DID). A wallet checks it without the web PKI:
  the DID (did:key, did:jwk, or did:web through the fetcher) gives the key. This is what the
  EU wallet profile (HAIP) expects of a verifier: a signed request, ES256 with P-256.

Signed request objects carry `typ: oauth-authz-req+jwt` (RFC 9101 §10.8), `iss` the
client_id, `aud` https://self-issued.me/v2 (the wallet has no identifier of its own here,
§5.8), `iat` and `exp`. Other prefixes (x509_san_dns, verifier_attestation, ...) are refused
with a message: this module has no way to check them.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from standards import jose
from standards.dids import DidResolver, controller_of
from standards.errors import StandardsError
from standards.keys import KeyPair

REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
REQUEST_OBJECT_MEDIA_TYPE = "application/" + REQUEST_OBJECT_TYP
REDIRECT_URI_PREFIX = "redirect_uri:"
DID_PREFIX = "decentralized_identifier:"
SELF_ISSUED_AUDIENCE = "https://self-issued.me/v2"
CLOCK_SKEW_SECONDS = 60  # a wallet's clock may run a little behind or ahead of the verifier's
# The verification relationship the verifier's key must have in its DID document: the key
# authenticates the verifier to the wallet.
KEY_PURPOSE = "authentication"


class RequestObjectError(StandardsError):
    """A request object a wallet must not act on; the message says why."""


# --- making -----------------------------------------------------------------------------
def sign_request_object(params: dict[str, Any], key: KeyPair, *, kid: str, now: datetime,
                        expires_at: datetime) -> str:
    """The request parameters as a signed request object (JWS, typ oauth-authz-req+jwt),
    made by a verifier whose client_id is `decentralized_identifier:<DID of kid>`."""
    claims = {**params, "iss": params["client_id"], "aud": SELF_ISSUED_AUDIENCE,
              "iat": int(now.timestamp()), "exp": int(expires_at.timestamp())}
    return jose.sign_jwt_claims(claims, key, typ=REQUEST_OBJECT_TYP, kid=kid)


def unsigned_request_object(params: dict[str, Any]) -> str:
    """The request parameters as an unsigned request object (alg none), as the
    redirect_uri: prefix requires."""
    header = {"alg": "none", "typ": REQUEST_OBJECT_TYP}
    return f"{_b64url_json(header)}.{_b64url_json(params)}."


def _b64url_json(value: Any) -> str:
    text = json.dumps(value, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


# --- reading ----------------------------------------------------------------------------
def read_request_object(token: str, client_id: str | None, resolver: DidResolver,
                        now: datetime) -> dict[str, Any]:
    """The claims of a request object, once it is what its client_id prefix demands.
    `client_id` is the one the request URI named (None when it named none): the request
    object must name the same. RequestObjectError saying why otherwise."""
    token = token.strip()
    header, claims = _decode(token)
    named = claims.get("client_id")
    if not isinstance(named, str) or not named:
        raise RequestObjectError("the request object names no client_id")
    if client_id is not None and named != client_id:
        raise RequestObjectError("the request object names another client_id than the request")
    if named.startswith(REDIRECT_URI_PREFIX):
        if header.get("alg") != "none":
            raise RequestObjectError("a verifier identified by redirect_uri: cannot sign its "
                                     "requests; this request object is signed")
        return claims
    if named.startswith(DID_PREFIX):
        _check_signed(token, header, claims, named.removeprefix(DID_PREFIX), resolver, now)
        return claims
    prefix = named.split(":", 1)[0] if ":" in named else named
    raise RequestObjectError(f"verifiers identified by {prefix[:40]!r} are not supported "
                             "(only redirect_uri: and decentralized_identifier:)")


def _decode(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    pieces = token.split(".")
    if len(pieces) == 3 and pieces[2] == "":  # unsigned: the JWS shape without a signature
        try:
            header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                              for p in pieces[:2])
        except (ValueError, RecursionError):
            raise RequestObjectError("the request object is not a JWT") from None
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise RequestObjectError("the request object is not a JWT")
        return header, claims
    try:
        return jose.decode_compact_jws(token)
    except StandardsError as error:
        raise RequestObjectError(f"the request object is not a JWT: {error}") from None


def _check_signed(token: str, header: dict[str, Any], claims: dict[str, Any], did: str,
                  resolver: DidResolver, now: datetime) -> None:
    """A request object of a verifier identified by `did`: signed by a key of that DID,
    with the typ, issuer and lifetime of a request object."""
    if header.get("alg") == "none":
        raise RequestObjectError("a verifier identified by a DID must sign its requests; "
                                 "this request object is unsigned (alg none)")
    typ = header.get("typ")
    if not isinstance(typ, str) or typ.lower().removeprefix("application/") != \
            REQUEST_OBJECT_TYP:
        raise RequestObjectError(f"the request object has typ {typ!r}, not "
                                 f"{REQUEST_OBJECT_TYP!r}")
    kid = header.get("kid")
    if not isinstance(kid, str) or "#" not in kid or controller_of(kid) != did:
        raise RequestObjectError(f"the request object's kid {str(kid)[:80]!r} is not a key "
                                 f"of the verifier's DID {did[:80]}")
    try:
        key = resolver.resolve_verification_method(kid, KEY_PURPOSE).key
        problem = jose.signature_problem(token, key)
    except StandardsError as error:
        raise RequestObjectError(f"the request object's key cannot be checked: {error}") \
            from None
    if problem:
        raise RequestObjectError(f"the request object's signature is not the verifier's: "
                                 f"{problem}")
    if "iss" in claims and claims["iss"] != claims["client_id"]:
        raise RequestObjectError("the request object's iss is not its client_id")
    moment = now.timestamp()
    expires = claims.get("exp")
    if expires is not None and (not isinstance(expires, int | float) or
                                expires < moment - CLOCK_SKEW_SECONDS):
        raise RequestObjectError("the request object has expired; ask the verifier for a "
                                 "new request")
    not_before = claims.get("nbf")
    if isinstance(not_before, int | float) and not_before > moment + CLOCK_SKEW_SECONDS:
        raise RequestObjectError("the request object is not valid yet")
