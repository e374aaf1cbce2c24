"""VC-API issue (`POST /credentials/issue`): sign any VCDM 2.0 or 1.1 credential the caller sends.

The caller's credential is kept as sent, with these additions: an `id` (urn:uuid) and
`validFrom` (`issuanceDate` in VCDM 1.1) when absent, and a BitstringStatusListEntry in
`credentialStatus` unless the caller supplied a status of its own: a revocation entry, or
the one `options.credentialStatus` asks for (issuer.services.status_request). Refused (422)
with every problem listed: a credential that breaks the VCDM structure
(standards.vcdm_structure), one without `issuer` or whose issuer is not one of this
organisation's identifiers, and an Open Badge (OpenBadgeCredential, AchievementCredential)
that fails the OB 3.0 JSON Schema.

The VC-API requires `issuer` in the request (the CCG issuer suite refuses a missing one);
the staff pages and OpenID4VCI, which build the credential themselves, set it.
"""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select

from issuer.models import IssuedCredential, IssuerProfile, Organisation
from issuer.services.context import IssuerContext
from issuer.services.issuing import (
    OB_TYPES,
    IssueOutcome,
    check_options,
    datetime_or_none,
    iso_datetime,
    sign_and_record,
)
from issuer.services.organisations import profile_json, profile_of
from issuer.services.status import (
    ALL_PURPOSES,
    AllocatedIndex,
    allocate_indexes,
    status_entry_json,
)
from issuer.services.status_request import requested_status
from servicekit.errors import Invalid, Refused
from standards.document_loader import bundled_context
from standards.related_resources import check_related_resources
from standards.vcdm_structure import credential_structure_problems, vcdm_version

# Terms a VCDM 1.1 credential needs defined before it can carry what this issuer adds: the
# proof's (created, cryptosuite, proofPurpose, ...) and the status entry's.
DATA_INTEGRITY_CONTEXT = "https://w3id.org/security/data-integrity/v2"
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"


def status_entry_context() -> dict[str, Any]:
    """The status entry's term for a VCDM 1.1 credential, as an inline context object: the
    `BitstringStatusListEntry` definition of the status/v1 context itself (same IRIs, same
    protection), so the credential expands to the same RDF as with the status/v1 URL, yet
    needs no context beyond credentials/v1 and data-integrity/v2 to be loaded. Verifiers
    with a fixed set of 1.1 contexts (the W3C Data Integrity suites' loader, many wallets)
    do not know the status/v1 URL and would refuse the whole credential."""
    terms = bundled_context(STATUS_CONTEXT)["@context"]
    return {"@protected": True,
            "BitstringStatusListEntry": copy.deepcopy(terms["BitstringStatusListEntry"])}


def issue_unsigned_credential(ctx: IssuerContext, org: Organisation, credential: Any,
                              options: dict[str, Any]) -> IssueOutcome:
    if not isinstance(credential, dict):
        raise Invalid("'credential' must be a JSON object")
    if not isinstance(options, dict):
        raise Invalid("'options' must be a JSON object")
    fmt = options.get("format", "ldp_vc")
    suite = options.get("cryptosuite")  # None: the profile key's own suite
    status = requested_status(options)
    check_options(fmt, suite, status.purpose, ALL_PURPOSES)
    if "proof" in credential:
        raise Refused("the credential already has a proof; send it unsigned")
    credential = dict(credential)
    open_badge = _is_open_badge(credential)
    with Session(ctx.engine, expire_on_commit=False) as session:
        profile = _issuing_profile(session, org, credential, options.get("issuerProfile"))
        if open_badge:  # OB 3.0 wants the full Profile; the caller's members win
            caller = credential["issuer"] if isinstance(credential["issuer"], dict) else {}
            credential["issuer"] = {**profile_json(session, profile), **caller}
    version = vcdm_version(credential)
    credential.setdefault("id", f"urn:uuid:{uuid.uuid4()}")
    credential.setdefault("issuanceDate" if version == "1.1" else "validFrom",
                          iso_datetime(datetime.now(UTC)))
    problems = credential_structure_problems(credential)
    if problems:
        model = f"VCDM {version or '2.0'}"
        listed = "; ".join(problems)
        raise Refused(f"not a well-formed {model} credential: {listed}")
    # Only digests of resources the issuer holds (bundled contexts): it fetches nothing a
    # caller names.
    wrong_digests = check_related_resources(credential).mismatches
    if wrong_digests:
        raise Refused(f"a relatedResource digest is wrong: {'; '.join(wrong_digests)}")
    if "credentialStatus" in credential and "credentialStatus" in options:
        raise Refused("the credential has a credentialStatus already; leave out "
                      "options.credentialStatus, or the credential's own")
    slots: list[AllocatedIndex] = []
    if "credentialStatus" not in credential:  # the caller's own status entry is kept
        slots = allocate_indexes(ctx, profile.id, status.purpose,
                                 status_size=status.status_size)
        credential["credentialStatus"] = status_entry_json(
            ctx.public_url, slots[0], status_message=status.status_message,
            status_reference=status.status_reference)
        if version == "1.1" and STATUS_CONTEXT not in _contexts(credential["@context"]):
            credential["@context"] = _with_context(credential["@context"],
                                                   status_entry_context())
    if version == "1.1" and fmt == "ldp_vc":
        credential["@context"] = _with_context(credential["@context"], DATA_INTEGRITY_CONTEXT)
    record = _record_for(credential, org, profile, fmt)
    return sign_and_record(ctx, record, credential, slots, fmt, suite, open_badge=open_badge)


def _is_open_badge(credential: dict[str, Any]) -> bool:
    types = credential.get("type")
    names = [types] if isinstance(types, str) else types
    return isinstance(names, list) and bool(OB_TYPES & set(names))


def _issuing_profile(session: Session, org: Organisation, credential: dict[str, Any],
                     profile_id: Any) -> IssuerProfile:
    """The organisation's profile whose identifier the credential's `issuer` names."""
    if profile_id is not None and not isinstance(profile_id, str):
        raise Invalid("options.issuerProfile must be a profile id")
    profiles = list(session.exec(select(IssuerProfile).where(IssuerProfile.org_id == org.id)))
    known = ", ".join(sorted(profile.did for profile in profiles))
    if "issuer" not in credential:
        raise Refused(f"the credential has no issuer: set 'issuer' to one of this "
                      f"organisation's identifiers ({known})")
    issuer = credential["issuer"]
    named = issuer.get("id") if isinstance(issuer, dict) else issuer
    matching = [profile for profile in profiles if profile.did == named]
    if not matching:
        raise Refused(f"issuer {named!r:.80} is not one of this organisation's identifiers "
                      f"({known})")
    if profile_id is not None:
        chosen = profile_of(session, org, profile_id)
        if chosen.did != named:
            raise Refused(f"issuer {named!r:.80} is not the identifier of issuer profile "
                          f"{profile_id} ({chosen.did})")
        return chosen
    return matching[0]


def _contexts(contexts: Any) -> list[Any]:
    return contexts if isinstance(contexts, list) else [contexts]


def _with_context(contexts: Any, context: str | dict[str, Any]) -> list[Any]:
    items = _contexts(contexts)
    return items if context in items else [*items, context]


def _record_for(credential: dict[str, Any], org: Organisation, profile: IssuerProfile,
                fmt: str) -> IssuedCredential:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, dict) else {}
    recipient, kind = _recipient_of(subject)
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        achievement = {}
    valid_until = credential.get("validUntil", credential.get("expirationDate"))
    return IssuedCredential(
        credential_id=credential["id"], org_id=org.id, profile_id=profile.id,
        achievement_ref=achievement.get("id"), achievement_name=str(achievement.get("name", "")),
        recipient=recipient, recipient_kind=kind, format=fmt, document="", signing_key_id="",
        valid_until=datetime_or_none(valid_until, "validUntil"),
    )


def _recipient_of(subject: dict[str, Any]) -> tuple[str, str]:
    if isinstance(subject.get("id"), str):
        return subject["id"], "did" if subject["id"].startswith("did:") else "other"
    identifiers = subject.get("identifier")
    if isinstance(identifiers, list) and identifiers and isinstance(identifiers[0], dict):
        return str(identifiers[0].get("identityHash", ""))[:500], "other"
    return "", "other"
