"""Two issuer processes against one database, issuing at once: no status index is handed out
twice, and every credential is recorded once."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from issuer.config import IssuerSettings
from issuer.services.context import IssuerContext
from issuer.services.status import allocate_indexes
from tests.inprocess import NETWORK
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import organisation_did, unsigned_credential

PER_PROCESS = 24
CLIENTS = 8


def issue_many(base_url: str, token: str, count: int, purpose: str) -> list[dict[str, Any]]:
    with NETWORK.client(base_url, token) as client:
        credential = unsigned_credential(organisation_did(client))

    def one(_: int) -> dict[str, Any]:
        with NETWORK.client(base_url, token) as client:
            response = client.post("/credentials/issue", json={
                "credential": credential, "options": {"statusPurpose": purpose}})
            assert response.status_code == 201, response.text
            return response.json()["verifiableCredential"]

    with ThreadPoolExecutor(CLIENTS) as pool:
        return list(pool.map(one, range(count)))


def test_two_processes_never_share_a_status_index(issuer_server: IssuerService,
                                                  org: dict[str, Any]) -> None:
    # a second service (its own engine and connection pool, as a second process has) behind
    # the same public URL, as behind a load balancer
    second = IssuerService(issuer_server.data_dir, issuer_server.database_url,
                           public_url=issuer_server.base_url).start()
    try:
        with ThreadPoolExecutor(4) as pool:
            batches = [
                pool.submit(issue_many, server.base_url, org["api_token"], PER_PROCESS, purpose)
                for server in (issuer_server, second)
                for purpose in ("revocation", "suspension")
            ]
            credentials = [vc for batch in batches for vc in batch.result()]
    finally:
        second.stop()
    slots = Counter((vc["credentialStatus"]["statusListCredential"].rsplit("/", 1)[1],
                     vc["credentialStatus"]["statusListIndex"]) for vc in credentials)
    assert len(credentials) == 4 * PER_PROCESS
    assert max(slots.values()) == 1, [slot for slot, n in slots.items() if n > 1]
    assert len({vc["id"] for vc in credentials}) == len(credentials)
    assert len({vc["credentialStatus"]["statusListCredential"] for vc in credentials
                if vc["credentialStatus"]["statusPurpose"] == "revocation"}) == 1


def test_block_allocation_across_list_boundaries(issuer_server: IssuerService,
                                                 org: dict[str, Any]) -> None:
    """Indexes allocated in blocks are distinct and all within the list."""
    ctx = IssuerContext.open(IssuerSettings(data_dir=issuer_server.data_dir,
                                            database_url=issuer_server.database_url,
                                            public_url=issuer_server.base_url))
    try:
        from sqlmodel import Session, select

        from issuer.models import IssuerProfile
        with Session(ctx.engine) as session:
            profile = session.exec(
                select(IssuerProfile).where(IssuerProfile.did == org["did"])).one()
        blocks = [allocate_indexes(ctx, profile.id, "revocation", 500) for _ in range(4)]
    finally:
        ctx.close()
    slots = [(a.status_list_id, a.index) for block in blocks for a in block]
    assert len(slots) == 2000 == len(set(slots))
    assert all(0 <= index < 131072 for _, index in slots)
