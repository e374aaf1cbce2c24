"""What a verification reports: each check with its reason, the warnings, and the messages
other parts of OpenDossier recognise (undetermined results, the OB 3.0 and issuer-key
warnings)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from standards.endorsement_scope import EndorsementScope

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
