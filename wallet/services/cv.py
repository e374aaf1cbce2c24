"""The owner's online CV: a public page at `/cv/{slug}` made of chosen verified credentials
and approved photos, with a headline and a short text.

It is off until the owner switches it on, and while off `/cv/{slug}` answers exactly as for
a slug that never existed. Only what the owner chose is shown; a credential or photo that
leaves the dossier leaves the page too.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from standards.ob3.summary import summarize_credential
from wallet.db import session_scope
from wallet.models import Account, CvPage, Evidence, StoredCredential
from wallet.services.access import Actor, record
from wallet.services.context import Conflict, NotFound, WalletContext, WalletError
from wallet.services.credentials import credentials_of, get_credential, parsed
from wallet.services.evidence import approved_evidence
from wallet.services.self_issued import author_name
from wallet.services.shares import blob_path

SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,62}[a-z0-9])$")
MAX_HEADLINE = 300
MAX_ABOUT = 5000
MAX_ITEMS = 100


def cv_url(ctx: WalletContext, page: CvPage) -> str:
    return f"{ctx.public_url}/cv/{page.slug}"


def cv_of(session: Session, actor: Actor) -> CvPage:
    """The owner's CV settings; a new, switched-off page with a random slug at first."""
    actor.require_owner("edit the online CV")
    page = session.get(CvPage, actor.owner_id)
    if page is None:
        page = CvPage(owner_id=actor.owner_id, slug=secrets.token_hex(6))
        session.add(page)
        session.flush()
    return page


def _check_slug(session: Session, owner_id: str, slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise WalletError("the address name must be 3 to 64 lower-case letters, digits or "
                          "hyphens, not starting or ending with a hyphen", 422)
    taken = session.exec(select(CvPage).where(CvPage.slug == slug)).first()
    if taken is not None and taken.owner_id != owner_id:
        raise Conflict(f"the address /cv/{slug} is already taken; choose another")
    return slug


def _distinct(ids: Sequence[str], what: str) -> list[str]:
    if len(ids) > MAX_ITEMS:
        raise WalletError(f"the CV can show at most {MAX_ITEMS} {what}", 422)
    return list(dict.fromkeys(ids))


def update_cv(session: Session, actor: Actor, *, enabled: bool | None = None,
              headline: str | None = None, about: str | None = None,
              credential_ids: Sequence[str] | None = None,
              evidence_ids: Sequence[str] | None = None, slug: str | None = None) -> CvPage:
    """Change what is given (None: unchanged). Credentials must be verified ones of the
    dossier, evidence approved photos; 404 / 422 otherwise and nothing changes."""
    page = cv_of(session, actor)
    if headline is not None and len(headline.strip()) > MAX_HEADLINE:
        raise WalletError(f"the headline can be at most {MAX_HEADLINE} characters", 422)
    if about is not None and len(about.strip()) > MAX_ABOUT:
        raise WalletError(f"the text about you can be at most {MAX_ABOUT} characters", 422)
    if credential_ids is not None:
        credential_ids = _distinct(credential_ids, "credentials")
        for credential_id in credential_ids:
            if not get_credential(session, actor, credential_id).verified:
                raise WalletError("only verified credentials can be shown on the CV", 422)
    if evidence_ids is not None:
        evidence_ids = _distinct(evidence_ids, "photos")
        for evidence_id in evidence_ids:
            item = session.get(Evidence, evidence_id)
            if item is None or item.owner_id != actor.owner_id:
                raise NotFound(f"no evidence {evidence_id[:40]!r} in this dossier")
            if item.kind != "photo" or item.status != "approved" or not item.sha256:
                raise WalletError(f"{item.title!r} cannot be shown: the CV shows approved "
                                  "photos only", 422)
    if slug is not None and slug.strip().lower() != page.slug:
        page.slug = _check_slug(session, actor.owner_id, slug)
    if enabled is not None:
        page.enabled = enabled
    if headline is not None:
        page.headline = headline.strip()
    if about is not None:
        page.about = about.strip()
    if credential_ids is not None:
        page.credential_ids_json = json.dumps(credential_ids)
    if evidence_ids is not None:
        page.evidence_ids_json = json.dumps(evidence_ids)
    session.add(page)
    session.flush()
    record(session, actor, "cv.update", page.owner_id,
           f"{'on' if page.enabled else 'off'}, {len(page.credential_ids)} credentials, "
           f"{len(page.evidence_ids)} photos")
    return page


@dataclass
class PublicCv:
    """What the public page shows, and nothing more."""

    page: CvPage
    name: str
    credentials: list[dict[str, Any]] = field(default_factory=list)
    photos: list[Evidence] = field(default_factory=list)


def _enabled_page(session: Session, slug: str) -> CvPage:
    page = session.exec(select(CvPage).where(CvPage.slug == slug.lower())).first() \
        if 0 < len(slug) <= 64 else None
    if page is None or not page.enabled:
        raise NotFound("there is no page at this address")
    return page


def public_cv(session: Session, slug: str) -> PublicCv:
    page = _enabled_page(session, slug)
    account = session.get(Account, page.owner_id)
    assert account is not None
    view = PublicCv(page, author_name(account))
    for credential_id in page.credential_ids:
        stored = session.get(StoredCredential, credential_id)
        if stored is None or stored.owner_id != page.owner_id or not stored.verified:
            continue  # removed from the dossier since: off the page too
        value = parsed(stored)
        summary = summarize_credential(value) if isinstance(value, dict) else {}
        view.credentials.append({"id": stored.id, "name": stored.name,
                                 "issuer": stored.issuer_name or stored.issuer_id,
                                 "summary": summary})
    for evidence_id in page.evidence_ids:
        item = session.get(Evidence, evidence_id)
        if item is not None and item.owner_id == page.owner_id and item.kind == "photo" \
                and item.status == "approved" and item.sha256:
            view.photos.append(item)
    return view


def cv_photo(ctx: WalletContext, session: Session, slug: str,
             evidence_id: str) -> tuple[Evidence, Path]:
    """A photo the enabled CV shows (404 for anything else)."""
    view = public_cv(session, slug)
    for item in view.photos:
        if item.id == evidence_id:
            path = blob_path(ctx, item.sha256)
            if path.is_file():
                return item, path
    raise NotFound("there is no such photo on this page")


def cv_json(ctx: WalletContext, page: CvPage) -> dict[str, Any]:
    return {"enabled": page.enabled, "slug": page.slug, "url": cv_url(ctx, page),
            "qrPngUrl": f"{cv_url(ctx, page)}/qr.png", "headline": page.headline,
            "about": page.about, "credentials": page.credential_ids,
            "evidence": page.evidence_ids}


# --- whole requests, each in a session of its own (what the pages call) ---------------
@dataclass(frozen=True)
class CvSettings:
    page: dict[str, Any]  # cv_json
    credentials: list[StoredCredential]  # the verified ones, which the CV can show
    photos: list[Evidence]  # approved photos, newest first


def cv_for_editing(ctx: WalletContext, actor: Actor) -> CvSettings:
    """The CV's settings and what it can show; the first visit makes the (off) page."""
    with session_scope(ctx.engine) as session:
        return CvSettings(cv_json(ctx, cv_of(session, actor)),
                          [c for c in credentials_of(session, actor) if c.verified],
                          approved_evidence(session, actor.owner_id, "photo"))


def save_cv_settings(ctx: WalletContext, actor: Actor, *, enabled: bool, headline: str,
                     about: str, credential_ids: Sequence[str], evidence_ids: Sequence[str],
                     slug: str | None) -> CvPage:
    with session_scope(ctx.engine) as session:
        return update_cv(session, actor, enabled=enabled, headline=headline, about=about,
                         credential_ids=credential_ids, evidence_ids=evidence_ids, slug=slug)
