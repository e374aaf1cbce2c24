"""How much evidence one dossier may hold (`WalletSettings.max_owner_bytes`): the files its
evidence items name, each distinct file counted once, whoever added it. Uploads and archive
imports are both held to it (413 with the numbers): once they have arrived, and before, when
the size the request declares already says they will not fit."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from servicekit.errors import TooLarge
from wallet.models import Evidence
from wallet.services.context import WalletContext


def size_text(size: int) -> str:
    """A size as people read it: MB or GB, bytes when small."""
    if size >= 1024**3:
        return f"{size / 1024**3:.1f} GB"
    if size >= 1024**2:
        return f"{size / 1024**2:.1f} MB"
    return f"{size} bytes"


def used_bytes(session: Session, owner_id: str) -> int:
    """The bytes of the distinct files the dossier's evidence names (pending items too)."""
    per_file = select(Evidence.sha256, func.max(Evidence.size).label("size")).where(
        Evidence.owner_id == owner_id, Evidence.sha256 != "").group_by(
        Evidence.sha256).subquery()
    total = session.exec(select(func.coalesce(func.sum(per_file.c.size), 0))).one()
    return int(total)


def require_room(ctx: WalletContext, session: Session, owner_id: str, adding: int) -> None:
    """TooLarge when `adding` more bytes would take the dossier past its quota."""
    limit = ctx.settings.max_owner_bytes
    used = used_bytes(session, owner_id)
    if used + adding > limit:
        raise TooLarge(f"the dossier's storage is full: {size_text(used)} of "
                       f"{size_text(limit)} is used, and this needs {size_text(adding)} more")


def require_growth_within_quota(ctx: WalletContext, session: Session, owner_id: str,
                                before: int) -> None:
    """TooLarge when what was just added (flushed in `session`) took the dossier from
    `before` bytes past its quota."""
    limit = ctx.settings.max_owner_bytes
    used = used_bytes(session, owner_id)
    if used > before and used > limit:
        raise growth_too_large(limit, before, used - before)


def require_room_for_import(ctx: WalletContext, session: Session, owner_id: str,
                            evidence_at_least: int) -> None:
    """TooLarge, before an import is read, when it holds at least `evidence_at_least` bytes
    of evidence files and so will be refused by `require_growth_within_quota`: all its
    files end up in the dossier (those it has already count once), so the dossier would
    hold more than its quota, and more than now. Judged against the whole quota, not the
    room left: an archive of files the dossier already has adds nothing."""
    limit = ctx.settings.max_owner_bytes
    before = used_bytes(session, owner_id)
    if evidence_at_least > max(limit, before):
        raise growth_too_large(limit, before, evidence_at_least - before)


def growth_too_large(limit: int, before: int, growth: int) -> TooLarge:
    """The refusal of `growth` more bytes in a dossier holding `before` of `limit`."""
    return TooLarge(f"the dossier's storage would be full: this needs {size_text(growth)} "
                    f"more, and {size_text(before)} of {size_text(limit)} is used")
