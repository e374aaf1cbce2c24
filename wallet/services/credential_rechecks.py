"""Checking again the credentials that could not be checked when they arrived.

A credential whose issuer's status list or key could not be fetched (issuer offline, an
address the fetcher refuses, a school that closed) is kept "not checked yet" (`verified`
False; its last report in `verification`). It is checked again when the owner views it,
when it is shared, and periodically (`recheck_not_checked`, which `opendossier wallet
recheck` and the served wallet call). A check that succeeds makes it verified; one that finds
it false (revoked, a proof that does not match) is recorded, never deleted: nothing in the
dossier is dropped behind the owner's back.

The checks go out to fetch, so they run outside any write transaction; only the result is
written, in a short transaction of its own.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from wallet.db import session_scope
from wallet.models import AuditEvent, StoredCredential
from wallet.services.checking import (
    NOT_CHECKED,
    VERIFIED,
    checked_document,
    not_checked_reason,
    verdict,
)
from wallet.services.context import WalletContext
from wallet.services.credentials import parsed

log = logging.getLogger(__name__)
DEFAULT_BATCH = 200


def check_state(stored: StoredCredential) -> tuple[str, str]:
    """(VERIFIED | NOT_CHECKED | REFUSED, reason) of a stored credential, from its last
    check; the reason is empty for a verified one."""
    if stored.verified:
        return VERIFIED, ""
    report = stored.verification or {}
    return verdict(report), not_checked_reason(report)


def record_check(ctx: WalletContext, credential_id: str, report: dict[str, Any]) -> bool:
    """Store the outcome of a check made now of a credential that was not verified; True
    when that changed it. A credential that is verified stays as it is: a later revocation
    is shown when it is viewed, the arrival report is kept."""
    with session_scope(ctx.engine) as session:
        stored = session.get(StoredCredential, credential_id)
        if stored is None or stored.verified:
            return False
        before = verdict(stored.verification or {})
        after = verdict(report)
        stored.verification = report
        stored.verified = after == VERIFIED
        session.add(stored)
        if after != before:
            # the wallet checks on the owner's behalf: the owner is the actor
            session.add(AuditEvent(owner_id=stored.owner_id, actor_id=stored.owner_id,
                                   action="credential.check", subject_id=stored.id,
                                   detail=f"{before} -> {after}: {stored.name}"[:500]))
        return True


def recheck(ctx: WalletContext, stored: StoredCredential) -> str:
    """Check a not-verified credential again now and store the outcome; its verdict."""
    if stored.verified:
        return VERIFIED
    report, _ = checked_document(ctx, parsed(stored), fresh=True)
    record_check(ctx, stored.id, report)
    return verdict(report)


def recheck_all(ctx: WalletContext, credentials: Sequence[StoredCredential]) -> None:
    """Check again those of `credentials` that are not verified (before a share)."""
    for stored in credentials:
        if not stored.verified:
            recheck(ctx, stored)


@dataclass
class RecheckSummary:
    checked: int = 0
    verified: list[str] = field(default_factory=list)  # ids that are verified now
    still_not_checked: list[str] = field(default_factory=list)
    found_invalid: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # the check itself failed (logged)

    def to_json(self) -> dict[str, Any]:
        return {"checked": self.checked, "nowVerified": self.verified,
                "stillNotChecked": self.still_not_checked, "foundInvalid": self.found_invalid,
                "failed": self.failed}


def recheck_not_checked(ctx: WalletContext, *, owner_id: str | None = None,
                        limit: int = DEFAULT_BATCH) -> RecheckSummary:
    """Check again every credential still "not checked yet" (of one owner, or all), the
    longest unchecked first, at most `limit`. A credential whose check fails (a bug, the
    database away) is logged and counted, and the others are still checked: one credential
    can never hold up the rest, round after round."""
    with Session(ctx.engine) as session:
        query = select(StoredCredential).where(
            StoredCredential.verified == False)  # noqa: E712 (SQL)
        if owner_id is not None:
            query = query.where(StoredCredential.owner_id == owner_id)
        waiting = [stored for stored in session.exec(
            query.order_by(col(StoredCredential.received_at)))
            if verdict(stored.verification or {}) == NOT_CHECKED]
        waiting.sort(key=_last_checked)
        waiting = waiting[:limit]
        for stored in waiting:
            session.expunge(stored)
    summary = RecheckSummary()
    for stored in waiting:
        try:
            outcome = recheck(ctx, stored)
        except Exception:
            log.exception("checking credential %s again failed", stored.id)
            summary.failed.append(stored.id)
            continue
        summary.checked += 1
        {VERIFIED: summary.verified, NOT_CHECKED: summary.still_not_checked}.get(
            outcome, summary.found_invalid).append(stored.id)
    return summary


def _last_checked(stored: StoredCredential) -> str:
    """When it was last checked (ISO 8601 in UTC, so it sorts as text); never comes first."""
    checked_at = (stored.verification or {}).get("checkedAt")
    return checked_at if isinstance(checked_at, str) else ""


class PeriodicRecheck:
    """`recheck_not_checked` every `interval` seconds in a daemon thread, while the served
    wallet runs (its app's lifespan starts and stops it). A round that fails is logged and
    the next one tries again. `on_round`, if given, is called after each round with its
    summary, or None when it failed (tests wait on it instead of sleeping)."""

    def __init__(self, ctx: WalletContext, interval: float, *,
                 on_round: Callable[[RecheckSummary | None], object] | None = None) -> None:
        self.ctx, self.interval, self._on_round = ctx, interval, on_round
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="credential-recheck",
                                        daemon=True)

    def start(self) -> PeriodicRecheck:
        self._thread.start()
        return self

    def stop(self, wait_seconds: float = 10) -> None:
        """End the loop, waiting up to `wait_seconds` for a round under way to finish."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=wait_seconds)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def run_once(self) -> RecheckSummary | None:
        """One round: its summary, or None when it failed (logged; the loop goes on)."""
        try:
            summary = recheck_not_checked(self.ctx)
        except Exception:  # the database away for a moment, say: the next round retries
            log.exception("checking credentials again failed")
            return None
        if summary.checked:
            log.info("checked %d credential(s) again: %d verified now",
                     summary.checked, len(summary.verified))
        return summary

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            summary = self.run_once()
            if self._on_round is not None:
                self._on_round(summary)
