"""A share link's view log stays bounded however often the link is opened (real wallet
service, SQLite and PostgreSQL): the first views one by one, the rest counted per day; the
owner still sees the total, the first views and the days."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from sqlmodel import Session, col, func, select

from servicekit.database import alembic_config, make_engine
from tests.databases import BACKENDS, fresh_database
from tests.wallet.conftest import WalletService
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_shares import get_json, jpeg_bytes, new_share, upload_photo
from wallet import db as wallet_db
from wallet.db import session_scope
from wallet.models import Account, Share, ShareView, ShareViewDay
from wallet.services.share_views import VIEWS_KEPT, log_view, view_logs

REVISION = "0004_share_view_days"  # the wallet migration that bounds the log

VIEWS = 500


def stored_rows(wallet: WalletService, share_id: str) -> tuple[int, int]:
    """(individual view rows, day rows) the database holds for the share."""
    assert wallet.context is not None
    with Session(wallet.context.engine) as session:
        views = session.exec(select(func.count()).select_from(ShareView)
                             .where(col(ShareView.share_id) == share_id)).one()
        days = session.exec(select(func.count()).select_from(ShareViewDay)
                            .where(col(ShareViewDay.share_id) == share_id)).one()
    return views, days


def test_many_views_keep_a_bounded_log_and_the_total(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()
    share = new_share(owner, evidence=[upload_photo(owner, "Buitenles", jpeg_bytes())])
    first_day = wallet_server.clock().date()
    for n in range(VIEWS):
        accept = "application/json" if n % 2 else "text/html"
        assert get_json(share["url"], accept).status_code == 200
    views, days = stored_rows(wallet_server, share["id"])
    assert (views, days) == (VIEWS_KEPT, 1)  # at most VIEWS_KEPT + one row per day

    log: dict[str, Any] = owner.client.get(owner.url(f"/shares/{share['id']}")).json()["views"]
    assert log["count"] == VIEWS
    assert len(log["list"]) == VIEWS_KEPT
    assert [v["as"] for v in log["list"][-2:]] == ["json", "html"]  # the first two, oldest last
    assert log["perDay"] == [{"day": first_day.isoformat(), "count": VIEWS - VIEWS_KEPT,
                              "lastViewedAt": log["lastViewedAt"]}]

    wallet_server.clock.advance(24 * 3600)  # a view the next day gets a row of its own
    for _ in range(3):
        assert get_json(share["url"]).status_code == 200
    assert stored_rows(wallet_server, share["id"]) == (VIEWS_KEPT, 2)
    owner = wallet_server.log_in(owner.email, owner.id, owner.did)  # a day on: a new session
    (listed,) = [s for s in owner.client.get(owner.url("/shares")).json()
                 if s["id"] == share["id"]]
    assert listed["views"]["count"] == VIEWS + 3
    assert [d["count"] for d in listed["views"]["perDay"]] == [3, VIEWS - VIEWS_KEPT]
    assert listed["views"]["lastViewedAt"] == listed["views"]["perDay"][0]["lastViewedAt"]

    browser = PageSession(wallet_server)
    assert browser.log_in(owner.email).status_code == 303
    detail = browser.get(f"/d/{owner.id}/shares/{share['id']}?lang=en")
    assert detail.status_code == 200
    assert f"viewed {VIEWS + 3} times" in detail.text
    assert f"The first {VIEWS_KEPT} views are listed one by one" in detail.text
    assert f"<td>{first_day.isoformat()}</td><td>{VIEWS - VIEWS_KEPT}</td>" in detail.text
    assert f"{VIEWS + 3} keer bekeken" in browser.get(f"/d/{owner.id}/shares?lang=nl").text


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_migration_bounds_an_existing_log(backend: str, tmp_path: Path) -> None:
    """A share with 250 views logged one by one before this revision keeps its first
    VIEWS_KEPT, and the rest become day counts; the total stays 250."""
    with fresh_database(backend, tmp_path) as url:
        engine = make_engine(url)
        wallet_db.migrate(engine)
        with Session(engine) as session:
            owner = Account(email="noor@example.org", did="did:example:noor",
                            public_multibase="z", encrypted_secret=b"-")
            share = Share(owner_id=owner.id, token="t" * 40, expires_at=datetime.now(UTC))
            session.add_all([owner, share])
            session.commit()
            share_id = share.id
        config = alembic_config(engine, wallet_db.MIGRATIONS)
        before = ScriptDirectory.from_config(config).get_revision(REVISION).down_revision
        command.downgrade(config, str(before))
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        moments = [start + timedelta(minutes=n) for n in range(VIEWS_KEPT)] + \
            [start + timedelta(days=1, minutes=n) for n in range(100)] + \
            [start + timedelta(days=2, minutes=n) for n in range(50)]
        views = sa.table("shareview", *(sa.column(name) for name in
                                        ("id", "share_id", "at", "as_json", "client")))
        with engine.begin() as connection:
            connection.execute(views.insert(), [
                {"id": f"{n:032x}", "share_id": share_id, "at": at, "as_json": False,
                 "client": ""} for n, at in enumerate(reversed(moments))])
        wallet_db.migrate(engine)
        with Session(engine) as session:
            migrated = session.get(Share, share_id)
            assert migrated is not None and migrated.view_count == 250
            log = view_logs(session, [migrated])[share_id]
        assert [view.at for view in reversed(log.views)] == moments[:VIEWS_KEPT]
        assert [(d.day.isoformat(), d.count, d.last_at) for d in log.days] == [
            ("2026-03-03", 50, moments[-1]), ("2026-03-02", 100, moments[-51])]
        engine.dispose()


def test_views_at_the_same_moment_stay_within_the_bound(wallet_server: WalletService) -> None:
    """Views of one share in several threads at once: the counter's row lock orders them,
    so exactly VIEWS_KEPT stay one by one and the rest are counted, none lost."""
    owner = wallet_server.create_owner()
    share = new_share(owner, evidence=[upload_photo(owner, "Buitenles", jpeg_bytes())])
    ctx = wallet_server.context
    assert ctx is not None
    threads, per_thread = 6, 30

    def view_many() -> None:
        for _ in range(per_thread):
            with session_scope(ctx.engine) as session:
                found = session.get(Share, share["id"])
                assert found is not None
                log_view(ctx, session, found, as_json=True, user_agent="load test")

    workers = [threading.Thread(target=view_many) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert stored_rows(wallet_server, share["id"]) == (VIEWS_KEPT, 1)
    log = owner.client.get(owner.url(f"/shares/{share['id']}")).json()["views"]
    assert log["count"] == threads * per_thread
    assert log["perDay"][0]["count"] == threads * per_thread - VIEWS_KEPT
