"""Example people for the embedded default (`./scripts/run`):

- the teacher Sanne de Vries, whose competence profile is the school's framework of teacher
  competences;
- the vso pupil Daan Jansen, whose competence profile is the vso school's internship learning
  line, with two delegates who accepted his invitations: the internship coordinator of his
  school and the employer where he does his internship.

Every account has the same example password. Idempotent, account by account: one that is
already there is left as it is (a data directory from an older version gains what is new).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from servicekit.errors import Inconsistent
from wallet.db import session_scope
from wallet.models import Account, Delegation
from wallet.services.access import owner_actor
from wallet.services.accounts import account_by_email, new_account
from wallet.services.competences import import_competences
from wallet.services.context import WalletContext
from wallet.services.delegations import accept, invite

PASSWORD = "voorbeeld-wachtwoord"
TEACHER_FRAMEWORK = "Bekwaamheidseisen leraren"
LEARNING_LINE = "Leerlijn stage"


@dataclass(frozen=True)
class ExamplePerson:
    email: str
    name: str
    role: str  # "owner", or the delegate's role in `dossier_of`'s dossier
    dossier_of: str | None = None
    framework: str | None = None  # the framework an owner's competence profile starts from


TEACHER = ExamplePerson("leraar@example.org", "Sanne de Vries", "owner",
                        framework=TEACHER_FRAMEWORK)
PUPIL = ExamplePerson("leerling@example.org", "Daan Jansen", "owner", framework=LEARNING_LINE)
COORDINATOR = ExamplePerson("stagecoordinator@debrug.example", "Fatima El Amrani",
                            "coordinator", dossier_of=PUPIL.email)
EMPLOYER = ExamplePerson("werkgever@example.org", "Peter Bakker, Tuincentrum Het Groene Hart",
                         "employer", dossier_of=PUPIL.email)
PEOPLE = (TEACHER, PUPIL, COORDINATOR, EMPLOYER)


def seed_example_people(ctx: WalletContext,
                        frameworks: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Make the example people that are missing. `frameworks` maps a framework title to its
    competences as the issuer publishes them (`opendossier issuer seed-example` prints it);
    an owner's profile is filled from it once, when the owner is made. Returns a line per
    person: e-mail, name, role, whose dossier, and whether it was made just now."""
    lines = []
    with session_scope(ctx.engine) as session:
        for person in PEOPLE:
            made = account_by_email(session, person.email) is None
            if person.dossier_of is None:
                if made:
                    _owner(ctx, session, person, frameworks.get(person.framework or "", []))
            else:
                made = _delegate(ctx, session, person)
            lines.append({"email": person.email, "name": person.name, "role": person.role,
                          "dossierOf": person.dossier_of, "created": made})
    return lines


def _owner(ctx: WalletContext, session: Session, person: ExamplePerson,
           competences: list[dict[str, Any]]) -> Account:
    account = new_account(ctx, session, person.email, password=PASSWORD,
                          display_name=person.name)
    if competences:
        import_competences(session, owner_actor(account), competences)
    return account


def _delegate(ctx: WalletContext, session: Session, person: ExamplePerson) -> bool:
    """Invite `person` into the owner's dossier and accept as them; False when they are
    a delegate there already."""
    if person.dossier_of is None:
        raise ValueError(f"{person.email} is an owner, not a delegate")
    owner = account_by_email(session, person.dossier_of)
    if owner is None:
        raise Inconsistent(f"{person.dossier_of} must be made before their delegates")
    account = account_by_email(session, person.email)
    if account is not None and session.exec(select(Delegation).where(
            Delegation.owner_id == owner.id, Delegation.delegate_id == account.id,
            Delegation.withdrawn_at == None)).first() is not None:  # noqa: E711 (SQL)
        return False
    invitation = invite(session, owner_actor(owner), person.email, person.role)
    if account is None:
        accept(ctx, session, invitation.token, password=PASSWORD, display_name=person.name)
    else:
        accept(ctx, session, invitation.token, account=account)
    return account is None
