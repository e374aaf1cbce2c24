"""a bounded view log for share links

`share.view_count` counts every view; `shareviewday` counts, per share and day (UTC), the
views past the first VIEWS_KEPT, which alone stay one by one in `shareview`
(wallet.services.share_views). Existing logs are brought into that shape: each share's count
is its number of views, and the views past its first VIEWS_KEPT (oldest first) become day
counts. No view goes uncounted.

Revision ID: 0004_share_view_days
Revises: 0003_login_sessions
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_share_view_days"
down_revision = "0003_login_sessions"
branch_labels = None
depends_on = None

VIEWS_KEPT = 100  # as wallet.services.share_views.VIEWS_KEPT when this revision was made

_views = sa.table("shareview", sa.column("id", sa.String()), sa.column("share_id", sa.String()),
                  sa.column("at", sqlmodel.sql.sqltypes.UTCDateTime()))
_shares = sa.table("share", sa.column("id", sa.String()), sa.column("view_count", sa.Integer()))


def upgrade() -> None:
    op.add_column("share", sa.Column("view_count", sa.Integer(), nullable=False,
                                     server_default="0"))
    days = op.create_table(
        "shareviewday",
        sa.Column("share_id", sa.String(32),
                  sa.ForeignKey("share.id", ondelete="CASCADE", onupdate="CASCADE"),
                  primary_key=True, index=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("last_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False))
    bind = op.get_bind()
    counts = bind.execute(sa.select(_views.c.share_id, sa.func.count())
                          .group_by(_views.c.share_id)).all()
    for share_id, count in counts:
        bind.execute(_shares.update().where(_shares.c.id == share_id).values(view_count=count))
        if count > VIEWS_KEPT:
            _count_later_views_per_day(bind, days, share_id)


def _count_later_views_per_day(bind: sa.Connection, days: sa.Table, share_id: str) -> None:
    later = bind.execute(sa.select(_views.c.id, _views.c.at)
                         .where(_views.c.share_id == share_id)
                         .order_by(_views.c.at, _views.c.id).offset(VIEWS_KEPT)).all()
    per_day: Counter[date] = Counter()
    last: dict[date, datetime] = {}
    for _id, at in later:
        per_day[at.date()] += 1
        last[at.date()] = max(at, last.get(at.date(), at))
    bind.execute(days.insert(), [{"share_id": share_id, "day": day, "count": count,
                                  "last_at": last[day]} for day, count in per_day.items()])
    ids = [view_id for view_id, _at in later]
    for start in range(0, len(ids), 500):
        bind.execute(_views.delete().where(_views.c.id.in_(ids[start:start + 500])))


def downgrade() -> None:
    """Back to one row per view: the views counted per day are no longer there one by one,
    so they are dropped (the first VIEWS_KEPT of each share stay)."""
    op.drop_table("shareviewday")
    with op.batch_alter_table("share") as batch:
        batch.drop_column("view_count")
