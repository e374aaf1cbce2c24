"""Reflections against the real wallet service over HTTP (SQLite and PostgreSQL): signed by
their author as self-issued OB 3.0 credentials, delegates' ones pending until the owner
decides, and nobody outside their scope or dossier reaching them."""

from __future__ import annotations

from typing import Any

from tests.wallet.conftest import Owner, WalletService


def write(person: Owner, text: str, owner: Owner | None = None, **extra: Any) -> Any:
    return person.client.post(person.url("/reflections", owner.id if owner else None),
                              json={"text": text, **extra})


def proof_method(credential: dict[str, Any]) -> str:
    proofs = credential["proof"]
    return (proofs[0] if isinstance(proofs, list) else proofs)["verificationMethod"]


def delegation_of(owner: Owner, delegate: Owner) -> str:
    listed = owner.client.get(owner.url("/delegations")).json()
    return next(d["id"] for d in listed if d["delegate"] == delegate.id)


def test_owner_reflection_is_approved_and_signed_by_the_owner(owner: Owner) -> None:
    answer = write(owner, "  Vandaag leerde ik rust te brengen in groep 5 — coördinatie!  ")
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["status"] == "approved"
    assert made["text"] == "Vandaag leerde ik rust te brengen in groep 5 — coördinatie!"
    assert made["author"] == {"id": owner.id, "role": "owner", "name": made["author"]["name"],
                              "did": owner.did}
    credential = made["credential"]
    assert credential["issuer"]["id"] == owner.did
    assert credential["credentialSubject"]["id"] == owner.did
    assert credential["credentialSubject"]["achievement"]["description"] == made["text"]
    assert credential["credentialSubject"]["achievement"]["id"].startswith("urn:uuid:")
    assert proof_method(credential).startswith(owner.did + "#")
    assert made["verification"]["verified"] is True, made["verification"]["errors"]

    again = owner.client.get(owner.url(f"/reflections/{made['id']}")).json()
    assert again["credential"] == credential
    assert again["verification"]["verified"] is True
    assert [r["id"] for r in owner.client.get(owner.url("/reflections")).json()] == [made["id"]]


def test_tampered_reflection_text_does_not_verify(owner: Owner) -> None:
    """The verdict is real: the same credential with a changed text fails its proof."""
    made = write(owner, "Mijn eerste les ging goed.").json()
    credential = made["credential"]
    credential["credentialSubject"]["achievement"]["description"] = "Mijn les was perfect."
    imported = owner.client.post(owner.url("/credentials"), json=credential)
    assert imported.status_code == 422, imported.text
    assert "does not verify" in imported.json()["message"]


def test_mentor_reflection_is_signed_by_the_mentor_and_waits_for_approval(
        wallet_server: WalletService, owner: Owner) -> None:
    mentor = wallet_server.delegate(owner, "mentor", ["reflections:write"])
    assert mentor.did and mentor.did != owner.did
    answer = write(mentor, "Sterke start; let op de instructietijd.", owner)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["status"] == "pending"
    assert made["author"]["role"] == "mentor"
    assert made["author"]["did"] == mentor.did
    credential = made["credential"]
    assert credential["issuer"]["id"] == mentor.did  # the mentor's DID, not the owner's
    assert proof_method(credential).startswith(mentor.did + "#")
    assert credential["credentialSubject"]["id"] == owner.did
    assert "mentor" in credential["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert made["verification"]["verified"] is True, made["verification"]["errors"]

    # The mentor sees their own (pending) reflection, but cannot take it into the dossier.
    mine = mentor.client.get(mentor.url("/reflections", owner.id))
    assert [r["id"] for r in mine.json()] == [made["id"]]
    refused = mentor.client.post(mentor.url(f"/reflections/{made['id']}/approve", owner.id))
    assert refused.status_code == 403
    assert "only the owner" in refused.json()["message"]

    pending = owner.client.get(owner.url("/reflections"), params={"status": "pending"}).json()
    assert [r["id"] for r in pending] == [made["id"]]
    approved = owner.client.post(owner.url(f"/reflections/{made['id']}/approve"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert approved.json()["decidedAt"]
    twice = owner.client.post(owner.url(f"/reflections/{made['id']}/approve"))
    assert twice.status_code == 409
    assert "already approved" in twice.json()["message"]
    assert owner.client.get(owner.url("/reflections"),
                            params={"status": "pending"}).json() == []


def test_reader_sees_approved_reflections_and_own_only(wallet_server: WalletService,
                                                       owner: Owner) -> None:
    coordinator = wallet_server.delegate(owner, "coordinator",
                                         ["reflections:write", "reflections:read"])
    employer = wallet_server.delegate(owner, "employer", ["reflections:write"])
    own = write(owner, "Eigen reflectie.").json()
    by_employer = write(employer, "Reflectie van de werkgever.", owner).json()
    by_coordinator = write(coordinator, "Reflectie van de coördinator.", owner).json()

    seen = {r["id"] for r in coordinator.client.get(coordinator.url("/reflections",
                                                                    owner.id)).json()}
    assert seen == {own["id"], by_coordinator["id"]}  # not the employer's pending one
    hidden = coordinator.client.get(coordinator.url(f"/reflections/{by_employer['id']}",
                                                    owner.id))
    assert hidden.status_code == 404

    rejected = owner.client.post(owner.url(f"/reflections/{by_employer['id']}/reject"))
    assert rejected.json()["status"] == "rejected"
    # A writer without reflections:read sees only their own.
    assert [r["id"] for r in employer.client.get(
        employer.url("/reflections", owner.id)).json()] == [by_employer["id"]]
    assert employer.client.get(employer.url(f"/reflections/{own['id']}",
                                            owner.id)).status_code == 404
    assert {r["id"] for r in owner.client.get(owner.url("/reflections")).json()} == {
        own["id"], by_employer["id"], by_coordinator["id"]}


def test_delegate_without_scope_is_refused(wallet_server: WalletService, owner: Owner) -> None:
    reader = wallet_server.delegate(owner, "employer", ["evidence:add"])
    answer = write(reader, "Mag ik dit schrijven?", owner)
    assert answer.status_code == 403
    assert "write reflections" in answer.json()["message"]
    listed = reader.client.get(reader.url("/reflections", owner.id))
    assert listed.status_code == 403
    assert "see the reflections" in listed.json()["message"]
    assert owner.client.get(owner.url("/reflections")).json() == []


def test_linking_evidence_needs_evidence_read(wallet_server: WalletService,
                                              owner: Owner) -> None:
    employer = wallet_server.delegate(owner, "employer", ["reflections:write"])
    answer = write(employer, "Over die foto.", owner, evidence=["0" * 32])
    assert answer.status_code == 403
    assert "see the evidence" in answer.json()["message"]


def test_another_owner_gets_not_found(wallet_server: WalletService, owner: Owner) -> None:
    made = write(owner, "Privé.").json()
    stranger = wallet_server.create_owner()
    for answer in (
        write(stranger, "Inbraak.", owner),
        stranger.client.get(stranger.url("/reflections", owner.id)),
        stranger.client.get(stranger.url(f"/reflections/{made['id']}", owner.id)),
        stranger.client.post(stranger.url(f"/reflections/{made['id']}/approve", owner.id)),
        stranger.client.delete(stranger.url(f"/reflections/{made['id']}", owner.id)),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["error"] == "not_found"
    # Their own dossier does not reach it by id either.
    mine = stranger.client.get(stranger.url(f"/reflections/{made['id']}"))
    assert mine.status_code == 404
    assert "no such reflection" in mine.json()["message"]
    assert owner.client.get(owner.url(f"/reflections/{made['id']}")).status_code == 200


BAD_BODIES: list[tuple[dict[str, Any], str]] = [
    ({"text": "   "}, "empty"),
    ({"text": ""}, "empty"),
    ({}, "must be text"),
    ({"text": 42}, "must be text"),
    ({"text": "x" * 20_001}, "longer than 20000"),
    ({"text": "ok", "competences": ["f" * 32]}, "not a competence of this dossier"),
    ({"text": "ok", "competences": "abc"}, "list of competence ids"),
    ({"text": "ok", "evidence": ["e" * 32]}, "not evidence of this dossier"),
    ({"text": "ok", "evidence": [7]}, "list of ids"),
]


def test_bad_reflections_are_refused_and_nothing_is_stored(owner: Owner) -> None:
    for body, words in BAD_BODIES:
        answer = owner.client.post(owner.url("/reflections"), json=body)
        assert answer.status_code == 422, (body, answer.text)
        assert words in answer.json()["message"], (body, answer.text)
    assert owner.client.get(owner.url("/reflections")).json() == []
    bad_status = owner.client.get(owner.url("/reflections"), params={"status": "maybe"})
    assert bad_status.status_code == 422
    assert "status must be one of" in bad_status.json()["message"]


def test_malformed_body_is_a_400(owner: Owner) -> None:
    answer = owner.client.post(owner.url("/reflections"), content=b"{not json",
                               headers={"content-type": "application/json"})
    assert answer.status_code == 400
    assert "malformed JSON" in answer.json()["message"]


def test_withdrawn_delegate_loses_access_and_cannot_approve(wallet_server: WalletService,
                                                            owner: Owner) -> None:
    coordinator = wallet_server.delegate(owner, "coordinator")
    pending = write(coordinator, "Goede observatie.", owner).json()
    assert pending["status"] == "pending"
    withdrawn = owner.client.delete(owner.url(f"/delegations/{delegation_of(owner, coordinator)}"))
    assert withdrawn.status_code == 200, withdrawn.text
    for answer in (
        coordinator.client.get(coordinator.url("/reflections", owner.id)),
        coordinator.client.post(coordinator.url(f"/reflections/{pending['id']}/approve",
                                                owner.id)),
        write(coordinator, "Nog eentje.", owner),
    ):
        assert answer.status_code == 404, answer.text
    # The reflection written before stays, still pending, for the owner to decide.
    kept = owner.client.get(owner.url(f"/reflections/{pending['id']}")).json()
    assert kept["status"] == "pending"
    assert kept["verification"]["verified"] is True


def test_only_owner_deletes(wallet_server: WalletService, owner: Owner) -> None:
    coordinator = wallet_server.delegate(owner, "coordinator")
    made = write(coordinator, "Weg ermee?", owner).json()
    refused = coordinator.client.delete(coordinator.url(f"/reflections/{made['id']}", owner.id))
    assert refused.status_code == 403
    assert "only the owner" in refused.json()["message"]
    assert owner.client.delete(owner.url(f"/reflections/{made['id']}")).status_code == 204
    gone = owner.client.get(owner.url(f"/reflections/{made['id']}"))
    assert gone.status_code == 404
    assert owner.client.get(owner.url("/reflections")).json() == []


def test_reflection_on_competences_and_evidence(wallet_server: WalletService,
                                                owner: Owner) -> None:
    added = owner.client.post(owner.url("/competences"), json=[
        {"name": "Klassenmanagement", "url": "https://example.org/bekwaam/klas",
         "framework": "Bekwaamheidseisen", "code": "P1"},
        {"name": "Eigen competentie"}])
    assert added.status_code == 201, added.text
    framework, named = added.json()["added"]
    note = owner.client.post(owner.url("/evidence"), json={
        "kind": "note", "title": "Observatie <groep 5>", "description": "Kringgesprek"})
    assert note.status_code == 201, note.text
    mentor = wallet_server.delegate(owner, "mentor")  # reflections:write, evidence:read

    answer = write(mentor, "Mooie kring.", owner, competences=[framework["id"], named["id"]],
                   evidence=[note.json()["id"]])
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["competences"] == [framework["id"], named["id"]]
    assert made["evidence"] == [note.json()["id"]]
    achievement = made["credential"]["credentialSubject"]["achievement"]
    assert achievement["name"] == "Reflectie: Klassenmanagement, Eigen competentie"
    first, second = achievement["alignment"]
    assert (first["targetUrl"], first["targetName"], first["targetFramework"],
            first["targetCode"]) == ("https://example.org/bekwaam/klas", "Klassenmanagement",
                                     "Bekwaamheidseisen", "P1")
    assert second["targetUrl"].startswith("urn:uuid:")  # a named competence has no URL
    assert made["credential"]["evidence"][0]["name"] == "Observatie <groep 5>"
    assert made["verification"]["verified"] is True, made["verification"]["errors"]
