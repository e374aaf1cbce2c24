"""Nothing lost when an issuer cannot be reached (issue 17, item 1): a dossier moved into a
second wallet while the school's issuer is down (taken off the in-process network: its
did:web and status lists do not answer) keeps every genuine credential, marked "not checked
yet" with the reason; a credential changed in the archive is still refused. Once the issuer
answers again, viewing, sharing and the periodic re-check make them verified. Real issuer,
two real wallets, SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from tests.inprocess import NETWORK
from tests.issuer.conftest import IssuerService
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_archive import issue_to, storage, wallet_b  # noqa: F401
from wallet.models import StoredCredential
from wallet.services.credential_rechecks import recheck_not_checked


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerService]:
    """This module's own issuer, so that taking it off the network disturbs no other test."""
    directory = tmp_path_factory.mktemp("school-issuer")
    server = IssuerService(directory / "data",
                           f"sqlite:///{directory / 'data' / 'issuer.db'}").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def web_school(school: IssuerService) -> Iterator[httpx.Client]:
    """A school whose key is in its did:web document on the issuer."""
    org = school.create_org("Pabo Oost", did="web")
    with school.client(org["api_token"]) as client:
        yield client


@pytest.fixture(scope="module")
def key_school(school: IssuerService) -> Iterator[httpx.Client]:
    """A school with a did:key (its key checks offline; its status list is on the issuer)."""
    org = school.create_org("Stagebureau West", did="key")
    with school.client(org["api_token"]) as client:
        yield client


def add(owner: Owner, credential: dict[str, Any]) -> dict[str, Any]:
    answer = owner.client.post(owner.url("/credentials"), json=credential)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def replaced(archive: bytes, name: str, data: bytes) -> bytes:
    """The (unencrypted) archive with member `name` replaced, its manifest entry updated:
    a change only the signature can reveal."""
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        members = {n: source.read(n) for n in source.namelist()}
    manifest = json.loads(members["manifest.json"])
    for item in manifest["items"]:
        if item["path"] == name:
            item.update(size=len(data), sha256=hashlib.sha256(data).hexdigest())
    members.update({name: data, "manifest.json": json.dumps(manifest).encode()})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member, content in members.items():
            target.writestr(member, content)
    return out.getvalue()


def by_id(owner: Owner) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in owner.client.get(owner.url("/credentials")).json()}


def test_import_keeps_every_genuine_credential_while_the_issuer_is_down(
        wallet_server: WalletService, wallet_b: WalletService,  # noqa: F811
        school: IssuerService, web_school: httpx.Client, key_school: httpx.Client) -> None:
    teacher = wallet_server.create_owner(name="Anne")
    on_web = add(teacher, issue_to(web_school, teacher.did, "Klassenmanagement"))
    on_key = add(teacher, issue_to(key_school, teacher.did, "Stage"))
    changed = add(teacher, issue_to(key_school, teacher.did, "Didactiek"))
    exported = teacher.client.post(teacher.url("/export"), json={})
    assert exported.status_code == 200, exported.text
    # someone raises a grade in the archive: only the issuer's signature can tell
    path = f"credentials/{changed['id']}.json"
    with zipfile.ZipFile(io.BytesIO(exported.content)) as opened:
        credential = json.loads(opened.read(path))
    credential["credentialSubject"]["achievement"]["name"] = "Didactiek (excellent)"
    archive = replaced(exported.content, path, json.dumps(credential).encode())

    newcomer = wallet_b.sign_up()
    with NETWORK.unreachable(school.base_url):
        answer = newcomer.client.post(newcomer.url("/import"), content=archive)
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["counts"]["credentials"] == {"added": 2, "alreadyThere": 0,
                                                   "refused": 1}
        [refused] = result["refused"]
        assert refused["id"] == changed["id"]
        assert "signature does not match" in refused["reason"]
        waiting = {item["id"]: item["reason"] for item in result["notCheckedYet"]}
        assert set(waiting) == {on_web["id"], on_key["id"]}
        # the school's did:web does not answer: its key is unknown, nothing is wrong
        assert waiting[on_web["id"]].startswith("key unknown: ")
        assert "cannot resolve did:web" in waiting[on_web["id"]]
        # a did:key checks offline; only the status list is out of reach
        assert waiting[on_key["id"]].startswith("status unknown: ")

        listed = by_id(newcomer)
        assert set(listed) == {on_web["id"], on_key["id"]}
        for credential_id, reason in waiting.items():
            assert listed[credential_id]["verified"] is False
            assert listed[credential_id]["notCheckedYet"] == reason
        # viewing checks again, still without the issuer: still not checked, with the reason
        view = newcomer.client.get(newcomer.url(f"/credentials/{on_web['id']}")).json()
        assert view["state"] == "not_checked" and view["current"]["verified"] is False
        page = PageSession(wallet_b)
        assert page.log_in(newcomer.email).status_code == 303
        shown = page.get(f"/d/{newcomer.id}/credentials/{on_web['id']}").text
        assert "Nog niet gecontroleerd: key unknown" in shown
        assert "nog niet gecontroleerd" in page.get(f"/d/{newcomer.id}/credentials").text
        # the move page says the same in its result, in words
        mover = wallet_b.sign_up()
        mover_page = PageSession(wallet_b)
        assert mover_page.log_in(mover.email).status_code == 303
        move = f"/d/{mover.id}/move"
        done = mover_page.post(f"{move}/import", {}, form_page=move,
                               files={"archive": ("dossier.zip", archive, "application/zip")})
        assert done.status_code == 200, done.text[:500]
        assert "Bewaard, nog niet gecontroleerd" in done.text
        assert "Nog niet gecontroleerd: status unknown" in done.text
        assert wallet_b.context is not None
        again = recheck_not_checked(wallet_b.context, owner_id=newcomer.id)
        assert sorted(again.still_not_checked) == sorted(waiting) and not again.verified
        command = json.loads(wallet_b.cli("recheck", "--owner", newcomer.email,
                                          in_process=True).stdout)
        assert command["checked"] == 2 and sorted(command["stillNotChecked"]) == \
            sorted(waiting) and command["nowVerified"] == []

    # the issuer answers again: viewing one makes it verified ...
    view = newcomer.client.get(newcomer.url(f"/credentials/{on_web['id']}")).json()
    assert view["state"] == "valid" and view["current"]["verified"] is True
    assert view["verified"] is True and view["notCheckedYet"] is None
    assert by_id(newcomer)[on_key["id"]]["verified"] is False
    # ... and the periodic re-check (what `wallet recheck` runs) does the rest
    summary = recheck_not_checked(wallet_b.context, owner_id=newcomer.id)
    assert summary.verified == [on_key["id"]] and summary.checked == 1
    assert all(c["verified"] and c["notCheckedYet"] is None
               for c in by_id(newcomer).values())
    with storage(wallet_b) as ctx, Session(ctx.engine) as session:
        stored = session.get(StoredCredential, on_key["id"])
        assert stored is not None and stored.verification["verified"] is True


def test_a_credential_added_while_its_issuer_is_down_is_kept_and_checked_on_share(
        wallet_server: WalletService, school: IssuerService,
        web_school: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    credential = issue_to(web_school, owner.did, "Observeren")
    with NETWORK.unreachable(school.base_url):
        answer = owner.client.post(owner.url("/credentials"), json=credential)
        assert answer.status_code == 201, answer.text
        added = answer.json()
        assert added["verified"] is False
        assert added["notCheckedYet"].startswith("key unknown: ")
        # the same credential again is recognised, not stored twice
        again = owner.client.post(owner.url("/credentials"), json=credential)
        assert again.status_code == 200 and again.json()["duplicate"] is True
        # a changed copy cannot be told from the real one without the issuer's key: it is
        # not stored next to it either
        forged = {**credential, "name": "Observeren (cum laude)"}
        assert owner.client.post(owner.url("/credentials"),
                                 json=forged).json()["duplicate"] is True
    assert len(by_id(owner)) == 1
    shared = owner.client.post(owner.url("/shares"), json={"credentials": [added["id"]]})
    assert shared.status_code == 201, shared.text
    assert by_id(owner)[added["id"]]["verified"] is True  # checked again when shared
