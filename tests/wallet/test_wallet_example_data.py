"""`opendossier wallet seed-example`: the example people of `./scripts/run`, made by the real
CLI on SQLite and PostgreSQL, idempotent, with delegations the pupil's delegates can use and
competence profiles started from the issuer's frameworks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from servicekit.database import make_engine
from tests.databases import BACKENDS, fresh_database
from tests.issuer.conftest import opendossier_in_process
from wallet.example_data import LEARNING_LINE, PUPIL, TEACHER_FRAMEWORK
from wallet.models import Account, Competence, Delegation
from wallet.services.accounts import authenticate


def _frameworks(path: Path) -> Path:
    """Frameworks as `issuer seed-example` prints them (two competences each is enough)."""
    path.write_text(json.dumps({
        TEACHER_FRAMEWORK: [{"name": "Klassenmanagement", "code": "BKE-PE.1",
                             "framework": TEACHER_FRAMEWORK,
                             "url": "http://127.0.0.1:8001/frameworks/f1/competences/c1"}],
        LEARNING_LINE: [{"name": "Komt afspraken na (niveau 1)", "code": "LLS-WH.1",
                         "framework": LEARNING_LINE,
                         "url": "http://127.0.0.1:8001/frameworks/f2/competences/c1"},
                        {"name": "Werkt zelfstandig (niveau 2)", "code": "LLS-WH.2",
                         "framework": LEARNING_LINE,
                         "url": "http://127.0.0.1:8001/frameworks/f2/competences/c2"}]}))
    return path


@pytest.mark.parametrize("backend", BACKENDS)
def test_seed_example_people(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as url:
        args = ["wallet", "seed-example", "--data-dir", str(tmp_path / "data"),
                "--database-url", url, "--frameworks", str(_frameworks(tmp_path / "f.json"))]
        first = json.loads(opendossier_in_process(*args).stdout)["people"]
        second = json.loads(opendossier_in_process(*args).stdout)["people"]
        assert [p["created"] for p in first] == [True] * 4
        assert second == [{**p, "created": False} for p in first]
        assert {p["email"]: p["role"] for p in first} == {
            "leraar@example.org": "owner", "leerling@example.org": "owner",
            "stagecoordinator@debrug.example": "coordinator",
            "werkgever@example.org": "employer"}

        engine = make_engine(url)
        try:
            with Session(engine) as session:
                pupil = session.exec(select(Account).where(Account.email == PUPIL.email)).one()
                delegations = session.exec(select(Delegation).where(
                    Delegation.owner_id == pupil.id)).all()
                assert sorted(d.role for d in delegations) == ["coordinator", "employer"]
                assert all(d.accepted_at and d.delegate_id for d in delegations)
                for person in first:
                    assert authenticate(session, person["email"], "voorbeeld-wachtwoord")
                codes = [c.code for c in session.exec(select(Competence).where(
                    Competence.owner_id == pupil.id))]
                assert sorted(codes) == ["LLS-WH.1", "LLS-WH.2"]  # not imported twice
        finally:
            engine.dispose()


def test_seed_example_refuses_unreadable_frameworks(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    result = opendossier_in_process("wallet", "seed-example", "--data-dir", str(tmp_path / "data"),
                         "--frameworks", str(broken), check=False)
    assert result.returncode == 1 and "cannot read" in result.stderr
