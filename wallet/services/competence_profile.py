"""The competence profile: for every competence of the dossier, what shows it and how far
the owner is.

`achieved`: a verified credential is aligned to it. `in_progress`: approved evidence or
approved reflections point at it, but no credential yet. `not_started`: nothing yet.
Pending or rejected items (a delegate's, not yet taken in by the owner) do not count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, select

from wallet.models import Competence, Evidence, Reflection, StoredCredential
from wallet.services.access import Actor
from wallet.services.competences import competence_json, competences_of
from wallet.services.context import WalletContext

STATES = ("achieved", "in_progress", "not_started")


@dataclass
class CompetenceProgress:
    competence: Competence
    evidence_ids: list[str] = field(default_factory=list)
    reflection_ids: list[str] = field(default_factory=list)
    credential_ids: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        if self.credential_ids:
            return "achieved"
        return "in_progress" if self.evidence_ids or self.reflection_ids else "not_started"

    def to_json(self) -> dict[str, Any]:
        return {**competence_json(self.competence), "state": self.state,
                "counts": {"evidence": len(self.evidence_ids),
                           "reflections": len(self.reflection_ids),
                           "credentials": len(self.credential_ids)},
                "evidence": self.evidence_ids, "reflections": self.reflection_ids,
                "credentials": self.credential_ids}


@dataclass
class FrameworkGroup:
    framework: str  # "" for competences outside any framework
    competences: list[CompetenceProgress]

    def counts(self) -> dict[str, int]:
        return {state: sum(1 for c in self.competences if c.state == state)
                for state in STATES}

    def to_json(self) -> dict[str, Any]:
        return {"framework": self.framework, "counts": self.counts(),
                "competences": [c.to_json() for c in self.competences]}


def competence_profile(session: Session, actor: Actor) -> list[FrameworkGroup]:
    """The profile, grouped by framework (named frameworks first, by name), each group's
    competences by name. Scope `profile:read`."""
    actor.require("profile:read")
    progress = {c.id: CompetenceProgress(c) for c in competences_of(session, actor)}
    owner = actor.owner_id
    # A dossier holds hundreds of items at most; reading the id lists row by row is simpler
    # and as portable (SQLite, PostgreSQL) as JSON queries would not be.
    for evidence in session.exec(select(Evidence).where(Evidence.owner_id == owner,
                                                        Evidence.status == "approved")):
        for competence_id in evidence.competence_ids:
            if competence_id in progress:
                progress[competence_id].evidence_ids.append(evidence.id)
    for reflection in session.exec(select(Reflection).where(
            Reflection.owner_id == owner, Reflection.status == "approved")):
        for competence_id in reflection.competence_ids:
            if competence_id in progress:
                progress[competence_id].reflection_ids.append(reflection.id)
    for credential in session.exec(select(StoredCredential).where(
            StoredCredential.owner_id == owner,
            StoredCredential.verified == True)):  # noqa: E712 (SQL)
        for competence_id in credential.competence_ids:
            if competence_id in progress:
                progress[competence_id].credential_ids.append(credential.id)
    groups: dict[str, list[CompetenceProgress]] = defaultdict(list)
    for item in progress.values():
        groups[item.competence.framework].append(item)
    ordered = sorted(groups, key=lambda name: (name == "", name.lower()))
    return [FrameworkGroup(name, sorted(groups[name], key=lambda c: c.competence.name.lower()))
            for name in ordered]


# --- whole requests, each in a session of its own (what the pages call) ---------------
def dossier_competence_profile(ctx: WalletContext, actor: Actor) -> list[FrameworkGroup]:
    with Session(ctx.engine) as session:
        return competence_profile(session, actor)
