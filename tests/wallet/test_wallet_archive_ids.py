"""Ids across owners: an archive imported into a dossier of the SAME wallet (another e-mail),
where every id is already used by the original owner. Items get new ids, references follow
them, the original dossier is untouched, and a second import still adds nothing.
Real CLI against a real wallet's storage, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os

from sqlmodel import Session

from tests.wallet.conftest import WalletService
from tests.wallet.evidence_files import jpeg_bytes
from tests.wallet.test_wallet_archive import put_blob, rows, storage
from wallet.models import Account, Competence, Evidence, Reflection, Share, with_links
from wallet.services.access import owner_actor
from wallet.services.accounts import account_by_email
from wallet.services.reflections import write_reflection


def test_ids_of_another_owner_are_remapped_once(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()
    with storage(wallet_server) as ctx, Session(ctx.engine) as session:
        competence = Competence(owner_id=owner.id, name="Samenwerken")  # no url
        session.add(competence)
        session.flush()
        photo = jpeg_bytes()
        item = with_links(Evidence(owner_id=owner.id, added_by=owner.id, kind="photo",
                                   title="Foto", size=len(photo), media_type="image/jpeg",
                                   sha256=put_blob(ctx, photo)),
                          competence_ids=[competence.id])
        session.add(item)
        session.flush()
        account = session.get(Account, owner.id)
        assert account is not None
        write_reflection(ctx, session, owner_actor(account), "Goed gedaan.",
                         [competence.id], [item.id])
        session.commit()
        originals = {"competence": competence.id, "evidence": item.id}
    archive = wallet_server.data_dir / f"same-wallet-{owner.id}.zip"
    wallet_server.cli("export", owner.email, "--out", str(archive), "--quiet", in_process=True)

    twin = f"twin-{os.urandom(4).hex()}@example.org"
    first = json.loads(wallet_server.cli("import", str(archive), "--email", twin,
                                         "--quiet", in_process=True).stdout)
    assert first["createdOwner"] is True and first["owner"] != owner.id
    for kind in ("competences", "evidence", "reflections"):
        assert first["counts"][kind] == {"added": 1, "alreadyThere": 0, "refused": 0}, kind
    second = json.loads(wallet_server.cli("import", str(archive), "--email", twin,
                                          "--quiet", in_process=True).stdout)
    for kind in ("competences", "evidence", "reflections"):
        assert second["counts"][kind] == {"added": 0, "alreadyThere": 1, "refused": 0}, kind

    with storage(wallet_server) as ctx, Session(ctx.engine) as session:
        account = account_by_email(session, twin)
        assert account is not None and account.password_hash == ""
        [copy_competence] = rows(session, Competence, account.id)
        [copy_item] = rows(session, Evidence, account.id)
        [copy_reflection] = rows(session, Reflection, account.id)
        assert copy_competence.id != originals["competence"]
        assert copy_item.id != originals["evidence"]
        assert copy_item.competence_ids == [copy_competence.id]
        assert copy_reflection.evidence_ids == [copy_item.id]
        assert copy_reflection.competence_ids == [copy_competence.id]
        assert rows(session, Share, account.id) == []
        # the original dossier is as it was
        original_item = session.get(Evidence, originals["evidence"])
        assert original_item is not None and original_item.owner_id == owner.id
        assert original_item.sha256 == copy_item.sha256
        assert len(rows(session, Evidence, owner.id)) == 1
