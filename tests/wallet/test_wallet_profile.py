"""Competences and the competence profile over real HTTP, on SQLite and PostgreSQL: a
framework imported by the owner, competences taken from a real issuer's credential
alignments, and the progress states."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from servicekit.api_errors import status_of
from servicekit.database import make_engine, session_scope
from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import issuer, issuer_org  # noqa: F401
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.test_wallet_credentials import ALIGNMENT, issue
from wallet.models import Evidence, Reflection, with_links
from wallet.services.competences import CompetenceRefused, require_competences

FRAMEWORK = "Bekwaamheidseisen leraren"
COMPETENCES = [
    {"name": "Pedagogisch handelen", "url": ALIGNMENT["targetUrl"], "code": "PH1",
     "framework": FRAMEWORK},
    {"name": "Vakinhoudelijk handelen", "url": "https://competenties.example/vakinhoud",
     "code": "VH1", "framework": FRAMEWORK},
    {"name": "Vakdidactisch handelen", "url": "https://competenties.example/vakdidactiek",
     "code": "VD1", "framework": FRAMEWORK},
]


@pytest.fixture
def issuer_api(issuer: IssuerService, issuer_org: dict[str, Any]  # noqa: F811
               ) -> Iterator[httpx.Client]:
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


@pytest.fixture
def database(wallet_server: WalletService) -> Iterator[Engine]:
    """The running wallet's own database, for rows other areas' APIs make (evidence,
    reflections) and for the service functions other areas call."""
    engine = make_engine(wallet_server.database_url)
    yield engine
    engine.dispose()


def by_url(owner: Owner) -> dict[str, dict[str, Any]]:
    answer = owner.client.get(owner.url("/competences"))
    assert answer.status_code == 200, answer.text
    return {c["url"] or c["name"]: c for c in answer.json()}


def test_framework_import(wallet_server: WalletService, owner: Owner) -> None:
    added = owner.client.post(owner.url("/competences"), json=COMPETENCES)
    assert added.status_code == 201, added.text
    assert [c["code"] for c in added.json()["added"]] == ["PH1", "VH1", "VD1"]
    again = owner.client.post(owner.url("/competences"), json=COMPETENCES)
    assert again.status_code == 200
    assert again.json()["added"] == [] and len(again.json()["existing"]) == 3

    one = owner.client.post(owner.url("/competences"), json={"name": "  Samenwerken  "})
    assert one.status_code == 201 and one.json()["added"][0]["name"] == "Samenwerken"
    assert one.json()["added"][0]["url"] is None

    for body, words in (([{"name": "Goed"}, {"url": "https://x.example/a"}], "item 2"),
                        ([{"name": "Goed"}, {"name": "Fout", "url": "geen uri"}], "not a URI"),
                        ([], "non-empty list"), ([{"name": "x" * 301}], "longer than 300"),
                        (["Samenwerken"], "item 1")):
        refused = owner.client.post(owner.url("/competences"), json=body)
        assert refused.status_code == 422, refused.text
        assert words in refused.json()["message"]
    malformed = owner.client.post(owner.url("/competences"), content=b"{nope")
    assert malformed.status_code == 400 and "JSON" in malformed.json()["message"]
    assert len(by_url(owner)) == 4  # nothing of a refused list was added

    coordinator = wallet_server.delegate(owner, "coordinator")
    refused = coordinator.client.post(owner.url("/competences"), json={"name": "Nieuw"})
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    assert len(coordinator.client.get(owner.url("/competences")).json()) == 4


def test_require_competences_refuses_other_dossiers(wallet_server: WalletService, owner: Owner,
                                                    database: Engine) -> None:
    mine = owner.client.post(owner.url("/competences"), json=COMPETENCES[:2]).json()["added"]
    stranger = wallet_server.create_owner()
    theirs = stranger.client.post(stranger.url("/competences"),
                                  json={"name": "Van een ander"}).json()["added"][0]
    with session_scope(database) as session:
        found = require_competences(session, owner.id, [mine[1]["id"], mine[0]["id"],
                                                        mine[1]["id"]])
        assert [c.id for c in found] == [mine[1]["id"], mine[0]["id"]]  # order kept, no repeats
        assert require_competences(session, owner.id, []) == []
        for wrong in ([theirs["id"]], [mine[0]["id"], "nope"], "abc", [3]):
            with pytest.raises(CompetenceRefused) as refused:
                require_competences(session, owner.id, wrong)
            assert status_of(refused.value) == 422


def test_profile_states(wallet_server: WalletService, owner: Owner, issuer_api: httpx.Client,
                        database: Engine) -> None:
    owner.client.post(owner.url("/competences"), json=COMPETENCES)
    new_alignment: dict[str, Any] = {"type": ["Alignment"], "targetName": "Klassenmanagement",
                     "targetUrl": "https://competenties.example/klassenmanagement",
                     "targetFramework": "Schoolcompetenties", "targetCode": "KM"}
    vc = issue(issuer_api, owner.did, alignment=[ALIGNMENT, new_alignment])
    credential = owner.client.post(owner.url("/credentials"), json=vc).json()
    competences = by_url(owner)
    aligned = competences[ALIGNMENT["targetUrl"]]
    created = competences[new_alignment["targetUrl"]]
    assert created["framework"] == "Schoolcompetenties" and created["code"] == "KM"
    assert credential["competences"] == [aligned["id"], created["id"]]  # linked, not copied
    assert len(competences) == 4

    vakinhoud = competences["https://competenties.example/vakinhoud"]
    vakdidactiek = competences["https://competenties.example/vakdidactiek"]
    with session_scope(database) as session:
        session.add(with_links(Evidence(owner_id=owner.id, added_by=owner.id, kind="note",
                                        title="Les"), competence_ids=[vakinhoud["id"]]))
        session.add(with_links(Reflection(owner_id=owner.id, author_id=owner.id,
                                          text="Goed gegaan", credential_json="{}"),
                               competence_ids=[vakinhoud["id"]]))
        # a delegate's item the owner has not taken in yet does not count
        session.add(with_links(Evidence(owner_id=owner.id, added_by=owner.id, kind="note",
                                        title="Wacht", status="pending"),
                               competence_ids=[vakdidactiek["id"]]))

    answer = owner.client.get(owner.url("/profile"))
    assert answer.status_code == 200, answer.text
    frameworks = answer.json()["frameworks"]
    assert [f["framework"] for f in frameworks] == [FRAMEWORK, "Schoolcompetenties"]
    rows = {c["id"]: c for f in frameworks for c in f["competences"]}
    assert rows[aligned["id"]]["state"] == "achieved"
    assert rows[aligned["id"]]["credentials"] == [credential["id"]]
    assert rows[created["id"]]["state"] == "achieved"
    assert rows[vakinhoud["id"]]["state"] == "in_progress"
    assert rows[vakinhoud["id"]]["counts"] == {"evidence": 1, "reflections": 1,
                                               "credentials": 0}
    assert rows[vakdidactiek["id"]]["state"] == "not_started"
    assert rows[vakdidactiek["id"]]["counts"]["evidence"] == 0
    assert frameworks[0]["counts"] == {"achieved": 1, "in_progress": 1, "not_started": 1}

    coordinator = wallet_server.delegate(owner, "coordinator")  # has profile:read
    assert coordinator.client.get(owner.url("/profile")).json()["frameworks"] == frameworks
    employer = wallet_server.delegate(owner, "employer")
    denied = employer.client.get(owner.url("/profile"))
    assert denied.status_code == 403 and "competence profile" in denied.json()["message"]
    stranger = wallet_server.create_owner()
    assert stranger.client.get(owner.url("/profile")).status_code == 404

    # deleting the credential takes the competence back out of `achieved`
    owner.client.delete(owner.url(f"/credentials/{credential['id']}"))
    rows = {c["id"]: c for f in owner.client.get(owner.url("/profile")).json()["frameworks"]
            for c in f["competences"]}
    assert rows[aligned["id"]]["state"] == "not_started"
