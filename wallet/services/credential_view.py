"""One credential as a person reads it: who issued it, for what achievement, aligned to which
competences, with which evidence, endorsements and results, and whether it still holds NOW.

The arrival report says what was true when it came in; a credential can be revoked or
suspended, or expire, afterwards. So viewing checks it again (`check_credential` at viewing
time) and says in one word what changed: `state`. A credential kept "not checked yet" gets
the outcome of that check stored (`credential_rechecks.record_check`): verified once its
issuer answers again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from standards.embedded_credentials import endorsements_in
from standards.ob3.summary import summarize_credential
from wallet.models import StoredCredential
from wallet.services.access import Actor
from wallet.services.checking import NOT_CHECKED, checked_document, not_checked_reason, verdict
from wallet.services.context import WalletContext
from wallet.services.credential_rechecks import record_check
from wallet.services.credentials import get_credential, parsed, unverified_document

# What the fresh check found, most telling first.
STATES = ("valid", "revoked", "suspended", "expired", "not_yet_valid", "status_unknown",
          "not_checked", "invalid")


@dataclass(frozen=True)
class CredentialView:
    stored: StoredCredential
    arrival: dict[str, Any]  # the report made when it arrived
    fresh: dict[str, Any]  # the report made now
    state: str  # one of STATES, from `fresh`
    readable: dict[str, Any]  # issuer, achievement, alignment, evidence, endorsements, ...
    reason: str = ""  # why it could not be checked now (status_unknown, not_checked)


def state_of(report: dict[str, Any]) -> str:
    """One word for a verification report: why it fails now, or `valid`."""
    if report.get("verified"):
        return "valid"
    failed = [c for c in report.get("checks", []) if not c.get("ok")]
    for check in failed:
        message = str(check.get("message", ""))
        if check.get("check") == "status":
            if message.startswith("revoked"):
                return "revoked"
            if message.startswith("suspended"):
                return "suspended"
    for check in failed:
        message = str(check.get("message", ""))
        if check.get("check") == "validity":
            return "expired" if message.startswith("expired") else "not_yet_valid" \
                if message.startswith("not valid before") else "invalid"
    if failed and all(c.get("check") == "status" for c in failed):
        return "status_unknown"
    return "not_checked" if verdict(report) == NOT_CHECKED else "invalid"


def view_credential(ctx: WalletContext, session: Session, actor: Actor,
                    credential_id: str) -> CredentialView:
    """The stored credential with its arrival report, checked again now. The fresh check
    fetches status lists and keys; the caller should not hold a write transaction open."""
    stored = get_credential(session, actor, credential_id)
    fresh, document = checked_document(ctx, parsed(stored), fresh=True)
    if not stored.verified and record_check(ctx, stored.id, fresh):
        session.refresh(stored)
    state = state_of(fresh)
    reason = not_checked_reason(fresh) if state in ("status_unknown", "not_checked") else ""
    return CredentialView(stored, stored.verification, fresh, state,
                          readable_summary(document, fresh), reason)


def readable_summary(document: dict[str, Any], report: dict[str, Any]) -> dict[str, Any]:
    """The summary the verifier shows, plus every achievement's alignment and the embedded
    endorsements with the verdict the report gave each."""
    summary = summarize_credential(document)
    summary["endorsements"] = _endorsements(document, report)
    return summary


def _endorsements(document: dict[str, Any], report: dict[str, Any]) -> list[dict[str, Any]]:
    verdicts = {item.get("path"): item for item in report.get("endorsements", [])
                if isinstance(item, dict)}
    out: list[dict[str, Any]] = []
    for path, endorsement in endorsements_in(document):
        inner = unverified_document(endorsement)
        summary = summarize_credential(inner)
        verdict = verdicts.get(path, {})
        # An authentic endorsement of something else (a copied achievement) vouches for
        # nothing here: the report's `scope` says so (standards.endorsement_scope).
        found_scope = verdict.get("scope")
        scope: dict[str, Any] = found_scope if isinstance(found_scope, dict) else {}
        counted = scope.get("applies", True) is not False
        errors = verdict.get("errors", ["not checked"]) if verdict else ["not checked"]
        out.append({
            "path": path,
            "issuer": summary.get("issuer", {}),
            "name": summary.get("name"),
            "comment": summary.get("endorsementComment"),
            "validFrom": summary.get("validFrom"),
            "verified": bool(verdict.get("verified")) and counted,
            "state": ("not_counted" if not counted else
                      state_of(verdict) if verdict else "invalid"),
            "errors": errors if counted else [str(scope.get("message", ""))],
        })
    return out


# --- whole requests, each in a session of its own (what the pages call) ---------------
def credential_checked_now(ctx: WalletContext, actor: Actor,
                           credential_id: str) -> CredentialView:
    """`view_credential` outside any write transaction (the check goes out to fetch)."""
    with Session(ctx.engine) as session:
        return view_credential(ctx, session, actor, credential_id)
