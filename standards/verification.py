"""Verify a credential or presentation, every check reported separately with its reason.

One code path for the CLI now and the verifier service later. Checks, in order:
`format`, `json-ld` (contexts bundled, every term defined), `proof` (each proof, key
controlled by the issuer for assertionMethod), `issuer`, `validity` (dates against an
injectable clock), `status` (Bitstring Status List or 1EdTech Revocation List; a list that
cannot be fetched gives "unknown", which never counts as valid), `schema` (OB 3.0 JSON Schema
for Open Badges; a deviation is a "not fully OB 3.0 conformant" warning), `refresh-service`
(noted, never contacted), then the credentials inside: each credential of a CLR and each
embedded endorsement is verified in turn, down to `MAX_NESTING` levels. For presentations:
`holder` binding plus each credential (a failure only when holder binding is required).

A CLR credential that fails makes the CLR fail. An endorsement whose proof, key or format is
wrong fails the endorsed credential (it carries a forged claim); an endorsement that is
merely expired, withdrawn or off-schema is a warning: the endorsed credential stands. An
authentic endorsement of something else than this credential, its issuer or the issuer's
achievement (a copy, see standards.endorsement_scope) is not counted: its `scope` says what
it covers, and a warning says it does not vouch for this issuer.

"Cannot be checked now" is told apart from "wrong": a status list that cannot be fetched
gives "status unknown: ...", a signing key that cannot be fetched (an issuer's did:web that
does not answer) gives "key unknown: ...", and a CLR member that fails only so "cannot be
checked now: ...". Such a result is not verified, but `undetermined`: nothing in it is shown
to be false, so a wallet keeps the credential and checks it again later.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from standards import jose
from standards.data_integrity import KeyResolver, ProofResult, verify_document_proofs
from standards.dates import parse_datetime
from standards.dids import DidResolver, key_from_verification_method, single_key_method
from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.embedded_credentials import clr_credentials_in, embedded_endorsements
from standards.endorsement_scope import EndorsementScope, endorsement_scope
from standards.errors import FetchError, ProofError, StandardsError
from standards.fetcher import Fetcher
from standards.jsonld import check_document_limits, engine_for
from standards.keys import KeyPair
from standards.ob3 import validate_credential
from standards.status_check import check_credential_status
from standards.vcdm_structure import credential_structure_problems

JSONLD_OK = "every context is bundled and every term is defined"
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential",
            "ClrCredential"}
# presentation -> credential -> endorsement -> endorsement of that endorsement
MAX_NESTING = 3
STATUS_NOT_CHECKED = ("the status (revoked or suspended) was not checked, as asked: this "
                      "result does not say the credential is still in force")
# Without an issuer there is nobody a proof could bind the credential to (VCDM 2.0 4.7).
NO_ISSUER = "the credential names no issuer (a URL, or an object with an id)"
# Issuers' and verifiers' clocks differ, and a status list is often signed the moment it is
# fetched, just after the verification began: a start date this far ahead still counts as
# started. Expiry gets no such grace.
CLOCK_SKEW = timedelta(minutes=5)
NOT_OB3_CONFORMANT = "not fully OB 3.0 conformant"
# Checks whose failure means an endorsement is not authentic (not merely out of date).
AUTHENTICITY_CHECKS = {"format", "json-ld", "proof", "issuer"}
# How a failed check that could not be made now (rather than one that found something false)
# starts its message.
STATUS_UNKNOWN = "status unknown"
KEY_UNKNOWN = "key unknown"
CANNOT_CHECK_NOW = "cannot be checked now"
UNDETERMINED_PREFIXES = (STATUS_UNKNOWN, KEY_UNKNOWN, CANNOT_CHECK_NOW)
# An issuer named by an https URL that publishes no keys, or a JWT whose key sits in its own
# header: the proof holds, but nothing ties its key to the issuer (a warning, not an error;
# the verifier shows the issuer's trust as unknown).
ISSUER_KEY_NOT_CONFIRMED = "issuer's key not confirmed"


@dataclass
class Check:
    check: str
    ok: bool
    message: str

    @property
    def undetermined(self) -> bool:
        """Failed only because something could not be fetched now, not found false."""
        return not self.ok and self.message.startswith(UNDETERMINED_PREFIXES)

    def to_json(self) -> dict[str, Any]:
        return {"check": self.check, "ok": self.ok, "message": self.message}


@dataclass
class VerificationResult:
    """What was checked, what passed, and why anything failed."""

    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    document: dict[str, Any] | None = None
    format: str = "unknown"
    # (JSON path, result) of the credentials inside: CLR or presentation members, endorsements
    credentials: list[tuple[str, VerificationResult]] = field(default_factory=list)
    endorsements: list[tuple[str, VerificationResult]] = field(default_factory=list)
    # for an endorsement: whether it vouches for the credential that carries it
    scope: EndorsementScope | None = None
    # False when the proof holds but its key is not shown to be the issuer's
    issuer_key_confirmed: bool = True

    @property
    def verified(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def undetermined(self) -> bool:
        """Not verified, yet nothing was found false: every failed check could only not be
        made now (a status list or key that could not be fetched)."""
        failed = [c for c in self.checks if not c.ok]
        return bool(failed) and all(c.undetermined for c in failed)

    @property
    def errors(self) -> list[str]:
        return [f"{c.check}: {c.message}" for c in self.checks if not c.ok]

    def add(self, check: str, ok: bool, message: str) -> None:
        self.checks.append(Check(check, ok, message))

    def failed(self, names: set[str]) -> list[Check]:
        return [c for c in self.checks if not c.ok and c.check in names]

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "verified": self.verified, "checks": [c.to_json() for c in self.checks],
            "warnings": list(self.warnings), "errors": self.errors, "format": self.format}
        if self.credentials:
            out["credentials"] = [{"path": p, **r.to_json()} for p, r in self.credentials]
        if self.endorsements:
            out["endorsements"] = [{"path": p, **r.to_json()} for p, r in self.endorsements]
        if self.scope is not None:
            out["scope"] = self.scope.to_json()
        return out


@dataclass
class VerificationContext:
    """Everything verification may consult: the clock, the network policy, the loader."""

    now: datetime | None = None
    fetcher: Fetcher | None = None
    loader: DocumentLoader = DEFAULT_LOADER
    check_status: bool = True
    depth: int = 0
    # False only for a status list credential, which is read for its bits and nothing more;
    # `check_status=False` (the caller's choice) still verifies CLR members and endorsements.
    nested: bool = True

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def resolver(self) -> DidResolver:
        return DidResolver(self.fetcher or Fetcher.offline())

    def deeper(self) -> VerificationContext:
        return replace(self, depth=self.depth + 1)

    def for_status_list(self) -> VerificationContext:
        return replace(self, check_status=False, nested=False)


def verify_credential(document: dict[str, Any] | str, *, now: datetime | None = None,
                      fetcher: Fetcher | None = None, loader: DocumentLoader = DEFAULT_LOADER,
                      check_status: bool = True) -> VerificationResult:
    """Verify a credential given as JSON (Data Integrity) or as a compact JWT."""
    return _verify_credential(document, VerificationContext(now, fetcher, loader, check_status))


def _verify_credential(document: dict[str, Any] | str, ctx: VerificationContext
                       ) -> VerificationResult:
    if isinstance(document, str):
        return _verify_jwt_credential(document, ctx)
    return _verify_di_credential(document, ctx)


def verify_presentation(document: dict[str, Any] | str, *, challenge: str | None = None,
                        domain: str | None = None, now: datetime | None = None,
                        fetcher: Fetcher | None = None,
                        loader: DocumentLoader = DEFAULT_LOADER,
                        check_status: bool = True,
                        require_holder_binding: bool = False) -> VerificationResult:
    """Verify a presentation: its proof (authentication, challenge, domain), the holder
    binding, and every credential in it (their status too, unless `check_status` is off).

    VCDM 2.0 lets a holder present a credential about someone else: a credential that is not
    about whoever signed the presentation is a failed `holder-binding` check only when the
    caller requires holder binding (the employer page, a share), a warning otherwise."""
    ctx = VerificationContext(now, fetcher, loader, check_status)
    result = VerificationResult(format="presentation")
    from standards import jwt_presentations  # imports this module: import it when needed

    token = jwt_presentations.presentation_token(document)
    if token is not None:
        return jwt_presentations.verify_jwt_presentation(
            token, ctx, challenge=challenge, domain=domain,
            require_holder_binding=require_holder_binding)
    if isinstance(document, str):
        result.add("format", False, "a string presentation must be a JWT-secured presentation")
        return result
    if not _structure_ok(document, result, "VerifiablePresentation"):
        return result
    proofs = _verify_proofs(document, result, ctx, expected_purpose="authentication",
                            challenge=challenge, domain=domain)
    if challenge is None:
        result.warnings.append("no challenge was required: this presentation proves who made "
                               "it, not that it was made for this verification (replayable)")
    holder = document.get("holder")
    holder_id = _id_of(holder)
    signers = {_controller(p.verification_method) for p in proofs if p.verified}
    if holder is not None and holder_id is None:
        result.add("holder", False, "holder must be a URL or an object with an id")
    elif holder_id is not None:
        result.add("holder", holder_id in signers,
                   f"presentation signed by its holder {holder_id}" if holder_id in signers
                   else f"presentation is not signed by its holder {holder_id}")
    bound_to = {holder_id} if holder_id in signers else signers
    credentials = document.get("verifiableCredential", [])
    for index, credential in enumerate(credentials if isinstance(credentials, list)
                                       else [credentials]):
        label = f"credential[{index}]"
        inner = _verify_credential(enveloped_jwt(credential) or credential, ctx.deeper())
        result.credentials.append((f"$.verifiableCredential[{index}]", inner))
        result.add(label, inner.verified, "valid" if inner.verified
                   else "; ".join(inner.errors))
        _check_holder_binding(label, _subject_ids(inner.document or {}), bound_to, result,
                              required=require_holder_binding)
    return result


ENVELOPED_JWT_PREFIXES = ("data:application/vc+jwt,", "data:application/vc+ld+json+jwt,")


def enveloped_jwt(credential: Any) -> str | None:
    """The compact JWT inside a VCDM 2.0 EnvelopedVerifiableCredential
    (`"id": "data:application/vc+jwt,<jwt>"`), or None for anything else."""
    if not isinstance(credential, dict):
        return None
    types = credential.get("type")
    if "EnvelopedVerifiableCredential" not in (types if isinstance(types, list) else [types]):
        return None
    value = credential.get("id")
    for prefix in ENVELOPED_JWT_PREFIXES:
        if isinstance(value, str) and value.startswith(prefix):
            return value[len(prefix):]
    return None


def envelope_jwt(token: str) -> dict[str, Any]:
    """A compact JWT credential as an EnvelopedVerifiableCredential for a VCDM 2.0
    presentation."""
    return {"@context": "https://www.w3.org/ns/credentials/v2",
            "id": ENVELOPED_JWT_PREFIXES[0] + token, "type": "EnvelopedVerifiableCredential"}


def _check_holder_binding(label: str, subjects: set[str], bound_to: set[str],
                          result: VerificationResult, *, required: bool) -> None:
    """Whether a presented credential is about whoever signed the presentation; a failure
    only when `required`."""
    if not subjects:
        result.warnings.append(f"{label} names no subject id, so it cannot be bound to the "
                               "holder (it may identify its subject by e-mail or another "
                               "identifier)")
        return
    if subjects & bound_to:
        result.add(f"{label}.holder-binding", True,
                   f"the presentation is signed by the subject {sorted(subjects & bound_to)[0]}")
        return
    who = ", ".join(sorted(bound_to)) or "nobody (no valid proof)"
    message = (f"the holder who signed the presentation ({who}) is not the subject of this "
               f"credential ({', '.join(sorted(subjects))})")
    if required:
        result.add(f"{label}.holder-binding", False, message)
    else:
        result.warnings.append(f"{label}.holder-binding: {message} (allowed: holder binding "
                               "was not required)")


# --- credentials secured with Data Integrity --------------------------------------------
def _verify_di_credential(document: dict[str, Any], ctx: VerificationContext
                          ) -> VerificationResult:
    result = VerificationResult(format="data-integrity")
    if not _structure_ok(document, result, "VerifiableCredential"):
        return result
    proofs = _verify_proofs(document, result, ctx)
    issuer = _issuer_id(document)
    signers = [p for p in proofs if p.verified]
    if issuer is None:
        result.add("issuer", False, NO_ISSUER)
    elif signers:
        by_issuer = [p for p in signers if _controller(p.verification_method) == issuer]
        if by_issuer:
            result.add("issuer", True, f"signed by a key of the issuer {issuer}")
        elif _publishes_no_keys(issuer):
            _issuer_key_not_confirmed(result, issuer)
        else:
            result.add("issuer", False, "no valid proof is made with a key controlled by the "
                       f"issuer {issuer}")
    _common_checks(document, result, ctx)
    return result


def _publishes_no_keys(issuer: str) -> bool:
    """An issuer named by an http(s) URL, not a DID: keys are looked up only where a proof's
    verificationMethod points, so an issuer URL no proof names shows no key of its own."""
    return issuer.startswith(("https://", "http://"))


def _issuer_key_not_confirmed(result: VerificationResult, issuer: str,
                              why: str = "publishes no key that made a proof here") -> None:
    result.issuer_key_confirmed = False
    result.warnings.append(f"{ISSUER_KEY_NOT_CONFIRMED}: the issuer {issuer} {why}; the proof "
                           "holds, but does not show that the issuer made it")


def _structure_ok(document: Any, result: VerificationResult, kind: str) -> bool:
    if not isinstance(document, dict):
        result.add("format", False, "expected a JSON object")
        return False
    result.document = document
    try:
        check_document_limits(document)
    except StandardsError as exc:
        result.add("format", False, str(exc))
        return False
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if not all(isinstance(t, str) for t in types):
        result.add("format", False, "type must be a string or a list of strings")
        return False
    if kind not in types:
        result.add("format", False, f"type does not include {kind}")
        return False
    result.add("format", True, f"{kind} ({', '.join(t for t in types if t != kind) or kind})")
    return True


def _verify_proofs(document: dict[str, Any], result: VerificationResult,
                   ctx: VerificationContext, **options: Any) -> list[ProofResult]:
    """Verify the proofs, and report the JSON-LD safety check once.

    RDF-canonicalising suites expand the document in safe mode anyway; their outcome is the
    json-ld check. Only when no proof got that far (or the suites do not expand, like JCS)
    is the document expanded separately.
    """
    unreachable: set[str] = set()
    try:
        proofs = (verify_document_proofs(document, _key_resolver(ctx, result, unreachable),
                                         now=ctx.clock(), loader=ctx.loader, **options)
                  if "proof" in document else [])
    except ProofError as exc:  # `proof` is not a proof object or a list of them
        _check_jsonld(document, result, ctx.loader)
        result.add("proof", False, str(exc))
        return []
    document_errors = [p.error for p in proofs if p.document_error]
    if document_errors:
        result.add("json-ld", False, document_errors[0] or "invalid JSON-LD")
    elif any(p.document_checked for p in proofs):
        result.add("json-ld", True, JSONLD_OK)
    else:
        _check_jsonld(document, result, ctx.loader)
    _report_proofs([p for p in proofs if not p.document_error], result, unreachable)
    return proofs


def _check_jsonld(document: dict[str, Any], result: VerificationResult,
                  loader: DocumentLoader) -> None:
    try:
        engine_for(loader).expand(document)
    except StandardsError as exc:
        result.add("json-ld", False, str(exc))
        return
    result.add("json-ld", True, JSONLD_OK)


def _key_resolver(ctx: VerificationContext, result: VerificationResult,
                  unreachable: set[str]) -> KeyResolver:
    """Resolves proof keys; the verification methods whose key could not be fetched (as
    opposed to found wrong) are added to `unreachable`."""
    resolver = ctx.resolver()

    def resolve(vm: str, purpose: str) -> KeyPair:
        try:
            method = resolver.resolve_verification_method(vm, purpose)
        except StandardsError as exc:
            if _caused_by_fetch(exc):
                unreachable.add(vm)
            raise
        if method.key_from_fragment:
            result.warnings.append(
                f"key for {vm} taken from the URL fragment (1EdTech style), not a DID document")
        return method.key

    return resolve


def _caused_by_fetch(error: BaseException) -> bool:
    """Whether a failure comes from a fetch that did not succeed (host down, refused,
    HTTP error): nothing about the document is known to be wrong then."""
    seen: BaseException | None = error
    for _ in range(8):  # a chain of causes is short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, FetchError):
            return True
        seen = seen.__cause__
    return False


def _report_proofs(proofs: list[ProofResult], result: VerificationResult,
                   unreachable: set[str]) -> None:
    if not proofs and not any(c.check == "json-ld" and not c.ok for c in result.checks):
        result.add("proof", False, "the document has no proof")
    for proof in proofs:
        message = proof.describe()
        # verificationMethod is whatever the document says (an object too): only a URL
        # can have been the key that could not be fetched.
        method = proof.verification_method
        if not proof.verified and isinstance(method, str) and method in unreachable:
            message = f"{KEY_UNKNOWN}: {message}"
        result.add("proof", proof.verified, message)


# --- credentials secured as JWT ---------------------------------------------------------
def _verify_jwt_credential(token: str, ctx: VerificationContext) -> VerificationResult:
    result = VerificationResult(format="jwt")
    resolver = ctx.resolver()
    unreachable: set[str] = set()

    def resolve(kid: str) -> jose.VerificationKey:
        try:
            return resolver.resolve_verification_method(_jwt_vm(kid), "assertionMethod").key
        except StandardsError as exc:
            if _caused_by_fetch(exc):
                unreachable.add(kid)
            raise

    try:
        # Verifying walks the decoded JSON recursively (copies, JSON-LD, schema): refuse
        # hostile nesting first, as _structure_ok does for a credential sent as JSON.
        for part in jose.decode_compact_jws(token.strip()):
            check_document_limits(part)
        outcome = jose.verify_jwt(token, resolve, now=ctx.clock())
    except StandardsError as exc:  # not a compact JWS at all, or nested too deeply
        result.add("format", False, str(exc))
        return result
    result.format = outcome.format
    result.document = outcome.document
    if outcome.document is None:
        result.add("format", False, "; ".join(outcome.errors) or "not a JWT credential")
        return result
    result.add("format", True, f"{outcome.format} credential")
    message = "JWS signature valid" if outcome.verified else "; ".join(outcome.errors)
    # Only the key could not be fetched (a failure of its own is one "key:" error).
    if unreachable and len(outcome.errors) == 1 and outcome.errors[0].startswith("key:"):
        message = f"{KEY_UNKNOWN}: {message}"
    result.add("proof", outcome.verified, message)
    issuer = _issuer_id(outcome.document)
    kid = outcome.kid or ""
    if issuer is None:
        result.add("issuer", False, NO_ISSUER)
    elif outcome.key_source == "jwk":
        _check_header_key_issuer(result, issuer, outcome, ctx)
    else:
        ok = _controller(kid) == issuer
        result.add("issuer", ok, f"signed by a key of the issuer {issuer}" if ok
                   else f"key {kid} is not controlled by the issuer {issuer}")
    _check_jsonld(outcome.document, result, ctx.loader)
    _common_checks(outcome.document, result, ctx)
    return result


def _jwt_vm(kid: str) -> str:
    """A JWT `kid` may be a bare did:key / did:jwk; those name exactly one key."""
    return single_key_method(kid)


def _check_header_key_issuer(result: VerificationResult, issuer: str,
                             outcome: jose.JwtVerificationResult,
                             ctx: VerificationContext) -> None:
    """A JWT whose key sits in its `jwk` header (the 1EdTech validator accepts these): the
    issuer check holds when the issuer's DID document lists that very key; otherwise the
    proof still counts, with the "issuer's key not confirmed" warning."""
    if not outcome.verified:
        return
    if outcome.jwk is not None and issuer.startswith("did:"):
        try:
            document = ctx.resolver().resolve(issuer)
        except StandardsError:
            document = {}
        entries = document.get("verificationMethod")
        for entry in entries if isinstance(entries, list) else []:
            try:
                listed = key_from_verification_method(entry).public_jwk()
            except (StandardsError, KeyError, TypeError, ValueError, AttributeError):
                continue
            if _same_public_key(listed, outcome.jwk):
                result.add("issuer", True, f"signed by a key of the issuer {issuer} "
                           "(given in the JWT header, listed by the issuer)")
                return
    _issuer_key_not_confirmed(result, issuer, "does not publish the key in the JWT header")


def _same_public_key(one: dict[str, Any], other: dict[str, Any]) -> bool:
    members = ("kty", "crv", "x", "y", "n", "e")
    return all(one.get(m) == other.get(m) for m in members)


# --- checks shared by both formats ------------------------------------------------------
def _common_checks(document: dict[str, Any], result: VerificationResult,
                   ctx: VerificationContext) -> None:
    _check_conforming(document, result)
    _check_validity(document, result, ctx.clock())
    if document.get("credentialStatus") is not None:
        if ctx.check_status:
            _check_status(document, result, ctx)
        else:
            result.warnings.append(STATUS_NOT_CHECKED)
    _check_schema(document, result)
    _note_refresh_service(document, result)
    if ctx.nested:
        _check_clr_credentials(document, result, ctx)
        _check_endorsements(document, result, ctx)


def _check_conforming(document: dict[str, Any], result: VerificationResult) -> None:
    """VCDM 2.0 section 7.1: a secured document must also be a conforming document (its
    structure per sections 4 and 5), else the verification fails (MALFORMED_VALUE_ERROR).
    A missing or malformed issuer is left to the `issuer` check, which says it already."""
    problems = [problem for problem in credential_structure_problems(document)
                if not problem.startswith("issuer")]
    result.add("structure", not problems, "; ".join(problems) if problems
               else "a conforming VCDM document")


def _check_status(document: dict[str, Any], result: VerificationResult,
                  ctx: VerificationContext) -> None:
    def verify_list(list_credential: dict[str, Any]) -> list[str]:
        return _verify_credential(list_credential, ctx.for_status_list()).errors

    for ok, message in check_credential_status(document, ctx.fetcher or Fetcher.offline(),
                                               verify_list):
        result.add("status", ok, message)


def _note_refresh_service(document: dict[str, Any], result: VerificationResult) -> None:
    services = document.get("refreshService")
    for service in services if isinstance(services, list) else [services]:
        if isinstance(service, dict):
            result.add("refresh-service", True,
                       f"the issuer offers a refresh service ({service.get('type')}) at "
                       f"{service.get('id')}; it was not contacted")


def _check_clr_credentials(document: dict[str, Any], result: VerificationResult,
                           ctx: VerificationContext) -> None:
    found = clr_credentials_in(document)
    if found and ctx.depth >= MAX_NESTING:
        result.add("clr", False, f"credentials nested deeper than {MAX_NESTING} levels")
        return
    for path, credential in found:
        inner = _verify_credential(credential, ctx.deeper())
        result.credentials.append((path, inner))
        if inner.undetermined:
            result.add("clr-credential", False,
                       f"{CANNOT_CHECK_NOW}: {path}: {'; '.join(inner.errors)}")
            continue
        result.add("clr-credential", inner.verified, f"{path} is valid" if inner.verified
                   else f"{path} is not valid: {'; '.join(inner.errors)}")


def _check_endorsements(document: dict[str, Any], result: VerificationResult,
                        ctx: VerificationContext) -> None:
    found = embedded_endorsements(document)
    if found and ctx.depth >= MAX_NESTING:
        result.warnings.append(f"{len(found)} endorsement(s) nested deeper than {MAX_NESTING} "
                               "levels were not verified")
        return
    fetcher = ctx.fetcher or Fetcher.offline()

    def served(url: str) -> Any:
        return fetcher.fetch_json(url, accept="application/ld+json, application/json")

    for embedded in found:
        path = embedded.path
        inner = _verify_credential(embedded.credential, ctx.deeper())
        result.endorsements.append((path, inner))
        types = (inner.document or {}).get("type")
        # A key that could not be fetched now does not make an endorsement forged.
        forged = [c for c in inner.failed(AUTHENTICITY_CHECKS) if not c.undetermined]
        if "EndorsementCredential" not in (types if isinstance(types, list) else [types]):
            forged = forged or [Check("format", False, "not an EndorsementCredential")]
        if forged:
            result.add("endorsement", False, f"{path} is not authentic: "
                       + "; ".join(f"{c.check}: {c.message}" for c in forged))
            continue
        inner.scope = endorsement_scope(embedded, inner.document or {}, document, served)
        if not inner.scope.applies:
            result.warnings.append(f"endorsement {path} by {_issuer_id(inner.document or {})} "
                                   f"is not counted: {inner.scope.message}")
        elif inner.verified:
            result.add("endorsement", True, f"{path} by {_issuer_id(inner.document or {})} "
                       "is valid")
        else:
            result.warnings.append(f"endorsement {path} is authentic but not valid now: "
                                   + "; ".join(inner.errors))


def _check_validity(document: dict[str, Any], result: VerificationResult,
                    now: datetime) -> None:
    start = document.get("validFrom", document.get("issuanceDate"))
    end = document.get("validUntil", document.get("expirationDate"))
    try:
        if start is not None and parse_datetime(start) > now + CLOCK_SKEW:
            result.add("validity", False, f"not valid before {start}")
            return
        if end is not None and parse_datetime(end) < now:
            result.add("validity", False, f"expired at {end}")
            return
    except ValueError as exc:
        result.add("validity", False, str(exc))
        return
    span = f"from {start}" if start else "with no start date"
    result.add("validity", True, f"valid {span}" + (f" until {end}" if end else ""))


def _check_schema(document: dict[str, Any], result: VerificationResult) -> None:
    types = document.get("type")
    if not any(isinstance(t, str) and t in OB_TYPES
               for t in (types if isinstance(types, list) else [types])):
        return
    errors = validate_credential(document, received=True)
    if not errors:
        result.add("schema", True, "conforms to the OB 3.0 JSON Schema")
        return
    # An authentic credential that only deviates from the OB 3.0 JSON Schema (an identifier
    # object instead of a list, an achievementType outside the list) stays valid, as for the
    # 1EdTech validator and the DCC; JSON-LD, proof, issuer, status and dates stay fatal.
    result.warnings.append(f"{NOT_OB3_CONFORMANT}: " + "; ".join(errors[:5]))


def _issuer_id(document: dict[str, Any]) -> str | None:
    return _id_of(document.get("issuer"))


def _id_of(value: Any) -> str | None:
    """The id of an issuer or holder given as a URL or as an object with an id."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def _subject_ids(document: dict[str, Any]) -> set[str]:
    subject = document.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return {s["id"] for s in subjects if isinstance(s, dict) and isinstance(s.get("id"), str)}


def _controller(vm: str | None) -> str:
    return (vm or "").split("#", 1)[0]
