"""The credential rules around JWT claims, for standards.jose.

Which claims mirror which credential members (OB 3.0 §8.2, VCDM 1.1 §6.3.1, VC-JOSE §3),
how a credential is rebuilt from a VC-JWT, and the time checks of `exp` and `nbf`.
Checks append messages to an `errors` list, each starting with what failed.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any, TypeGuard

from standards.errors import ProofError

VCDM11_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
REGISTERED_CLAIMS = ("iss", "sub", "aud", "exp", "nbf", "iat", "jti")  # RFC 7519 §4.1
CLOCK_SKEW_SECONDS = 60  # tolerated difference between the signer's clock and ours


def _types(document: dict[str, Any]) -> list[Any]:
    value = document.get("type", [])
    return value if isinstance(value, list) else [value]


def _first_context(document: dict[str, Any]) -> Any:
    context = document.get("@context")
    return context[0] if isinstance(context, list) and context else context


def is_vcdm11(document: dict[str, Any]) -> bool:
    return bool(_first_context(document) == VCDM11_CONTEXT)


def is_presentation(document: dict[str, Any]) -> bool:
    return "VerifiablePresentation" in _types(document)


def _id_of(value: Any) -> Any:
    return value.get("id") if isinstance(value, dict) else value


def _subject_ids(credential: dict[str, Any]) -> list[Any]:
    subjects = credential.get("credentialSubject")
    subjects = subjects if isinstance(subjects, list) else [subjects]
    return [s.get("id") for s in subjects if isinstance(s, dict) and "id" in s]


def _date_names(credential: dict[str, Any]) -> tuple[str, str]:
    return ("issuanceDate", "expirationDate") if is_vcdm11(credential) else (
        "validFrom", "validUntil")


def _parse_datetime(value: Any, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ProofError(f"{what} {value!r} is not a dateTime with a time zone")
    return parsed


def _to_numeric(value: Any, what: str) -> int:
    return int(_parse_datetime(value, what).timestamp())


def _to_datetime_string(numeric: int | float) -> str:
    return datetime.fromtimestamp(int(numeric), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_numeric_date(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- signing -----------------------------------------------------------------------------
def require_credential(credential: Any) -> None:
    if not isinstance(credential, dict):
        raise ProofError("a credential must be a JSON object")
    if "VerifiableCredential" not in _types(credential):
        raise ProofError("the document's type does not include VerifiableCredential")
    if _id_of(credential.get("issuer")) is None:
        raise ProofError("the credential has no issuer id (needed for the iss claim)")


def require_vcdm2(document: Any, *, presentation: bool) -> None:
    if not isinstance(document, dict):
        raise ProofError("a credential or presentation must be a JSON object")
    if _first_context(document) != VCDM2_CONTEXT:
        raise ProofError(f"VC-JOSE secures VCDM 2.0 documents: @context must start with "
                         f"{VCDM2_CONTEXT}")
    wanted = "VerifiablePresentation" if presentation else "VerifiableCredential"
    if wanted not in _types(document):
        raise ProofError(f"the document's type does not include {wanted}")
    if "vc" in document or "vp" in document:
        raise ProofError("VC-JOSE forbids members named vc or vp")


def claims_for_credential(credential: dict[str, Any], now: datetime) -> dict[str, Any]:
    """iss, jti, sub, nbf, exp and iat for an OB 3.0 VC-JWT of `credential`."""
    valid_from, valid_until = _date_names(credential)
    if valid_from not in credential:
        raise ProofError(f"the credential has no {valid_from}, which the nbf claim needs")
    result: dict[str, Any] = {"iss": _id_of(credential["issuer"])}
    if "id" in credential:
        result["jti"] = credential["id"]
    subject_ids = _subject_ids(credential)
    if len(subject_ids) == 1:
        result["sub"] = subject_ids[0]
    result["nbf"] = _to_numeric(credential[valid_from], valid_from)
    if valid_until in credential:
        result["exp"] = _to_numeric(credential[valid_until], valid_until)
    result["iat"] = int(now.timestamp())
    return result


# --- verification ------------------------------------------------------------------------
def check_document(fmt: str, payload: dict[str, Any], errors: list[str],
                   warnings: list[str]) -> dict[str, Any] | None:
    """The credential or presentation the token carries, after checking its claims."""
    if fmt in ("vc-jwt", "vp-jwt") and ("vc" in payload or "vp" in payload):
        inner = payload.get("vc" if fmt == "vc-jwt" else "vp")
        if not isinstance(inner, dict):
            errors.append(f"claims: the {fmt[:2]} claim is not a JSON object")
            return None
        document = copy.deepcopy(inner)
    else:
        document = {k: copy.deepcopy(v) for k, v in payload.items()
                    if k not in REGISTERED_CLAIMS}
    if fmt in ("vc-jose", "vp-jose"):
        if "vc" in payload or "vp" in payload:
            errors.append("claims: vc and vp claims must not be present in a VC-JOSE payload")
        if _first_context(document) != VCDM2_CONTEXT:
            errors.append(f"document: a VC-JOSE payload must be a VCDM 2.0 document "
                          f"(@context starting with {VCDM2_CONTEXT})")
    if fmt in ("vc-jwt", "vc-jose"):
        _check_credential(fmt == "vc-jwt", payload, document, errors, warnings)
    else:
        _check_presentation(payload, document, errors)
    if "iat" in payload and not _is_numeric_date(payload["iat"]):
        warnings.append(f"claims: iat {payload['iat']!r} is not a NumericDate; ignored")
    return document


def _check_claim(payload: dict[str, Any], claim: str, value: Any, what: str,
                 errors: list[str]) -> None:
    if claim in payload and value is not None and payload[claim] != value:
        errors.append(f"claims: {claim} {payload[claim]!r} does not match {what} {value!r}")


def _check_credential(ob_vc_jwt: bool, payload: dict[str, Any], document: dict[str, Any],
                      errors: list[str], warnings: list[str]) -> None:
    """OB 3.0 VC-JWT: claims folded into the credential; a claim that contradicts the
    credential is an error, a required one that is missing a conformance warning (each only
    repeats a member of the signed `vc` claim). VC-JOSE: no conflicts."""
    if "VerifiableCredential" not in _types(document):
        errors.append("document: type does not include VerifiableCredential")
    issuer_id = _id_of(document.get("issuer"))
    _check_claim(payload, "iss", issuer_id, "issuer id", errors)
    _check_claim(payload, "jti", document.get("id"), "credential id", errors)
    subject_ids = _subject_ids(document)
    if "sub" in payload and subject_ids and payload["sub"] not in subject_ids:
        errors.append(f"claims: sub {payload['sub']!r} does not match credentialSubject.id "
                      f"{subject_ids[0] if len(subject_ids) == 1 else subject_ids!r}")
    if not ob_vc_jwt:
        if issuer_id is None:
            errors.append("document: the credential has no issuer")
        return
    required = {"iss": True, "nbf": True, "jti": "id" in document, "sub": bool(subject_ids)}
    valid_from, valid_until = _date_names(document)
    required["exp"] = valid_until in document
    for claim in (c for c, needed in required.items() if needed and c not in payload):
        warnings.append(f"not fully OB 3.0 conformant: the {claim} claim is required in a "
                        "VC-JWT; the credential's own member is used")
    # VCDM 1.1 decoding: the claims complete the credential where it leaves members out.
    if issuer_id is None and isinstance(payload.get("iss"), str):
        document["issuer"] = payload["iss"]
    if "id" not in document and isinstance(payload.get("jti"), str):
        document["id"] = payload["jti"]
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and "id" not in subject and isinstance(payload.get("sub"), str):
        subject["id"] = payload["sub"]
    for claim, member in (("nbf", valid_from), ("exp", valid_until)):
        if not _is_numeric_date(payload.get(claim)):
            continue
        if member not in document:
            document[member] = _to_datetime_string(payload[claim])
            continue
        try:
            stated = _to_numeric(document[member], member)
        except ProofError as exc:
            errors.append(f"document: {exc}")
            continue
        if stated != int(payload[claim]):
            errors.append(f"claims: {claim} {_to_datetime_string(payload[claim])} does not "
                          f"match {member} {document[member]}")


def _check_presentation(payload: dict[str, Any], document: dict[str, Any],
                        errors: list[str]) -> None:
    if "VerifiablePresentation" not in _types(document):
        errors.append("document: type does not include VerifiablePresentation")
    holder = _id_of(document.get("holder"))
    _check_claim(payload, "iss", holder, "holder", errors)
    _check_claim(payload, "jti", document.get("id"), "presentation id", errors)
    if holder is None and isinstance(payload.get("iss"), str) and "vp" in payload:
        document["holder"] = payload["iss"]


def check_times(payload: dict[str, Any], now: datetime, errors: list[str]) -> None:
    """exp and nbf against `now`, with CLOCK_SKEW_SECONDS of tolerance."""
    moment = (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()
    for claim in ("exp", "nbf"):
        if claim in payload and not _is_numeric_date(payload[claim]):
            errors.append(f"claims: {claim} {payload[claim]!r} is not a NumericDate "
                          "(seconds since 1970)")
    exp, nbf = payload.get("exp"), payload.get("nbf")
    if _is_numeric_date(exp) and moment >= exp + CLOCK_SKEW_SECONDS:
        errors.append(f"expired: exp {_to_datetime_string(exp)} has passed")
    if _is_numeric_date(nbf) and moment < nbf - CLOCK_SKEW_SECONDS:
        errors.append(f"not yet valid: nbf {_to_datetime_string(nbf)} is in the future")
