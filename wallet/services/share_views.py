"""The view log of share links, bounded: a public link can be opened any number of times,
but what one link stores is not.

Every view adds one to `Share.view_count` (atomically, in the database). The first
`VIEWS_KEPT` views of a share are kept one by one (`ShareView`: when, page or JSON, which
client); every later view is counted in its day's row (`ShareViewDay`). So a share stores at
most VIEWS_KEPT + (days it was viewed on) rows, and the owner still sees the total, the first
views in detail and the days of the rest with their counts.

The counter's UPDATE locks the share's row until the view is committed, so two views of one
share never race past the VIEWS_KEPT boundary or into the same day's first insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from wallet.models import Share, ShareView, ShareViewDay, aware
from wallet.services.context import WalletContext

VIEWS_KEPT = 100  # individual views kept per share; later ones are counted per day
USER_AGENT_LENGTH = 200


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int
    last_at: datetime


@dataclass(frozen=True)
class ViewLog:
    """What the owner sees of a share's views."""

    total: int
    views: list[ShareView] = field(default_factory=list)  # kept one by one, newest first
    days: list[DayCount] = field(default_factory=list)  # the later views, newest day first

    @property
    def last_at(self) -> datetime | None:
        if self.days:
            return aware(self.days[0].last_at)
        return aware(self.views[0].at) if self.views else None


def log_view(ctx: WalletContext, session: Session, share: Share, *, as_json: bool,
             user_agent: str) -> None:
    """Record one view of `share` in the caller's unit of work."""
    now = ctx.now()
    number = session.execute(
        update(Share).where(col(Share.id) == share.id)
        .values(view_count=col(Share.view_count) + 1).returning(col(Share.view_count))
        .execution_options(synchronize_session=False)).scalar_one()
    if number <= VIEWS_KEPT:
        session.add(ShareView(share_id=share.id, at=now, as_json=as_json,
                              client=(user_agent or "")[:USER_AGENT_LENGTH]))
        return
    day = now.date()
    counted = session.execute(
        update(ShareViewDay).where(col(ShareViewDay.share_id) == share.id,
                                   col(ShareViewDay.day) == day)
        .values(count=col(ShareViewDay.count) + 1, last_at=now)
        .execution_options(synchronize_session=False))
    if counted.rowcount == 0:  # type: ignore[attr-defined]
        session.add(ShareViewDay(share_id=share.id, day=day, count=1, last_at=now))


def view_logs(session: Session, shares: Sequence[Share]) -> dict[str, ViewLog]:
    """Each share's view log, by share id."""
    ids = [share.id for share in shares]
    views: dict[str, list[ShareView]] = {share_id: [] for share_id in ids}
    days: dict[str, list[DayCount]] = {share_id: [] for share_id in ids}
    if ids:
        for view in session.exec(select(ShareView).where(col(ShareView.share_id).in_(ids))
                                 .order_by(col(ShareView.at).desc())):
            views[view.share_id].append(view)
        for row in session.exec(select(ShareViewDay).where(col(ShareViewDay.share_id).in_(ids))
                                .order_by(col(ShareViewDay.day).desc())):
            days[row.share_id].append(DayCount(row.day, row.count, aware(row.last_at)))
    return {share.id: ViewLog(share.view_count, views[share.id], days[share.id])
            for share in shares}
