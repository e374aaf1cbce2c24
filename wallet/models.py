"""The wallet's tables (SQLModel). Every row of a dossier carries `owner_id`: the account
whose dossier it is. Every service query filters on it, so one owner never reaches
another's rows.

Each account is an owner of its own dossier; a coordinator, employer or mentor is an account
too, and reaches someone else's dossier only through a `Delegation`. Ids are random hex, so
they are the same in every wallet instance an item moves to (export/import keeps them).
Private keys are stored only as ciphertext (`Account.encrypted_secret`).

Which item shows which competence, which items a share, report or CV holds: link tables with
foreign keys (bottom of this module), so deleting an item never leaves a dangling id. Each
parent reads and writes its links as a list of ids (`Evidence.competence_ids` ...), in the
order they were given. Lists of plain values (a delegation's scopes, a credential's types)
and documents the wallet made or learnt (a verification report, a share's presentation) are
JSON columns. Every datetime column is timezone-aware (SQLModel maps `datetime` fields to
its UTCDateTime: TIMESTAMP WITH TIME ZONE, given back in UTC on SQLite too).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Column, ForeignKey, LargeBinary, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import registry, relationship
from sqlmodel import Field, Relationship, SQLModel

from servicekit.json_column import JSON_DOCUMENT
from servicekit.login_sessions import LoginSessionColumns


class WalletTable(SQLModel, registry=registry(metadata=MetaData())):
    """The wallet's tables have a metadata of their own: the issuer's tables (some with the
    same names) live in another database and are none of the wallet's business."""


RowT = TypeVar("RowT", bound=WalletTable)


def new_id() -> str:
    return secrets.token_hex(16)


def utc_now() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without a zone; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC with a Z, as JSON answers give moments."""
    return aware(moment).isoformat().replace("+00:00", "Z") if moment else None


def with_links(row: RowT, **id_lists: Iterable[str]) -> RowT:
    """`row` with its id lists set (`competence_ids=[...]` ...): a table's constructor
    takes only its columns and would drop them silently."""
    for name, ids in id_lists.items():
        if not isinstance(getattr(type(row), name, None), property):
            raise TypeError(f"{type(row).__name__} has no id list {name!r}")
        setattr(row, name, ids)
    return row


def _links(link_table: str) -> Any:
    """A parent's link rows, loaded with the parent (so its id lists read without a query
    after the session closed), in their given order, and replaced as a whole by assigning
    a new list. The database deletes them with the parent (ON DELETE CASCADE)."""
    return Relationship(sa_relationship=relationship(
        link_table, lazy="selectin", cascade="all, delete-orphan", passive_deletes=True,
        order_by=f"{link_table}.position"))


# --- Links -------------------------------------------------------------------------------
# A link row says "this parent holds (or shows) that item", at `position` in the parent's
# list. ON UPDATE CASCADE on every end: an item's id can change (an archive import gives a
# credential the archive's id) and its links follow.
#
# ON DELETE: CASCADE where the link means nothing without both ends: a competence, evidence
# item or credential deleted from the dossier simply stops being linked (a share keeps its
# signed presentation, a reflection its signed text). An internship report is different:
# it is a signed document listing its items, and its pages count items deleted since as
# "missing" and match the rest to the credential's evidence by position. So its links SET
# NULL on the item's end and keep their place: deleting an item never loses the report's
# record of what it held.
#
# The link tables come before the tables holding them: a relationship's `list[...]`
# annotation names a class that must exist when the holding class is made (otherwise it
# quietly becomes a single object, not a list).


def _end(target: str, *, ondelete: str = "CASCADE", key: bool = True) -> Any:
    """A link's foreign key to `target` ("table.column"); part of the link's primary key
    unless it may be set to NULL."""
    return Field(sa_column=Column(
        String(32), ForeignKey(target, ondelete=ondelete, onupdate="CASCADE"),
        primary_key=key, nullable=not key and ondelete == "SET NULL", index=True))


class EvidenceCompetence(WalletTable, table=True):
    evidence_id: str = _end("evidence.id")
    competence_id: str = _end("competence.id")
    position: int = 0


class ReflectionCompetence(WalletTable, table=True):
    reflection_id: str = _end("reflection.id")
    competence_id: str = _end("competence.id")
    position: int = 0


class ReflectionEvidence(WalletTable, table=True):
    reflection_id: str = _end("reflection.id")
    evidence_id: str = _end("evidence.id")
    position: int = 0


class CredentialCompetence(WalletTable, table=True):
    credential_id: str = _end("storedcredential.id")
    competence_id: str = _end("competence.id")
    position: int = 0


class ShareCredential(WalletTable, table=True):
    share_id: str = _end("share.id")
    credential_id: str = _end("storedcredential.id")
    position: int = 0


class ShareEvidence(WalletTable, table=True):
    share_id: str = _end("share.id")
    evidence_id: str = _end("evidence.id")
    position: int = 0


class ReportEvidence(WalletTable, table=True):
    report_id: str = _end("internshipreport.id")
    position: int = Field(default=0, primary_key=True)
    evidence_id: str | None = _end("evidence.id", ondelete="SET NULL", key=False)


class ReportReflection(WalletTable, table=True):
    report_id: str = _end("internshipreport.id")
    position: int = Field(default=0, primary_key=True)
    reflection_id: str | None = _end("reflection.id", ondelete="SET NULL", key=False)


class CvCredential(WalletTable, table=True):
    owner_id: str = _end("cvpage.owner_id")
    credential_id: str = _end("storedcredential.id")
    position: int = 0


class CvEvidence(WalletTable, table=True):
    owner_id: str = _end("cvpage.owner_id")
    evidence_id: str = _end("evidence.id")
    position: int = 0


# --- Tables ------------------------------------------------------------------------------

class Account(WalletTable, table=True):
    """A person: an owner of a dossier, and possibly a delegate in others' dossiers.
    `password_hash` is empty for an owner made by an import, until a password is set."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    email: str = Field(unique=True, max_length=320)
    display_name: str = Field(default="", max_length=300)
    password_hash: str = Field(default="", max_length=300)
    did: str = Field(unique=True, max_length=200)
    public_multibase: str = Field(max_length=200)
    encrypted_secret: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)


class LoginSession(WalletTable, LoginSessionColumns, table=True):
    """A log-in session: of the pages (its token in the cookie) or of the JSON API (its token
    the bearer token of `POST /api/session`). Only the token's SHA-256 is stored; log-out and
    a new password end sessions (servicekit.login_sessions), and they go with the account."""

    account_id: str = Field(sa_column=Column(
        String(32), ForeignKey("account.id", ondelete="CASCADE", onupdate="CASCADE"),
        nullable=False, index=True))


class Delegation(WalletTable, table=True):
    """The owner lets a coordinator, employer or mentor act in the dossier within `scopes`.
    Until accepted, `delegate_id` is empty and the invitation token (hashed) is open."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    delegate_id: str | None = Field(default=None, foreign_key="account.id", index=True,
                                    max_length=32)
    invite_email: str = Field(max_length=320)
    role: str = Field(max_length=16)  # coordinator | employer | mentor
    # the scopes are names, not rows: a JSON list
    scopes: list[str] = Field(default_factory=list,
                              sa_column=Column(JSON_DOCUMENT, nullable=False))
    invite_token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utc_now)
    accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None


class AuditEvent(WalletTable, table=True):
    """Who did what in whose dossier (`actor_id` acting for `owner_id`). An actor whose
    account was deleted leaves the event without a name (`actor_id` empty)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    actor_id: str | None = Field(foreign_key="account.id", ondelete="SET NULL", max_length=32)
    action: str = Field(max_length=64)
    subject_id: str | None = Field(default=None, max_length=64)
    detail: str = Field(default="", max_length=500)
    at: datetime = Field(default_factory=utc_now, index=True)


class Competence(WalletTable, table=True):
    """A competence in the owner's profile: from a framework, a credential's alignment, or
    named by the owner. `url` identifies it across credentials (an alignment's targetUrl)."""

    __table_args__ = (UniqueConstraint("owner_id", "url"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    url: str | None = Field(default=None, max_length=2000)
    name: str = Field(max_length=300)
    framework: str = Field(default="", max_length=300)
    code: str = Field(default="", max_length=100)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)


class Evidence(WalletTable, table=True):
    """A file (or note) from practice. The bytes live in the content-addressed store under
    `sha256`; a note has no file (`size` 0, `sha256` empty). Items added by a delegate are
    `pending` until the owner approves them; they stay in the dossier when the delegate's
    account is deleted (`added_by` then empty)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    added_by: str | None = Field(foreign_key="account.id", ondelete="SET NULL", max_length=32)
    kind: str = Field(max_length=16)  # photo | video | audio | document | note
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    filename: str = Field(default="", max_length=300)
    media_type: str = Field(default="", max_length=100)
    size: int = 0
    sha256: str = Field(default="", max_length=64, index=True)
    practice_date: date | None = None
    place: str = Field(default="", max_length=300)
    status: str = Field(default="approved", max_length=16)  # approved | pending | rejected
    created_at: datetime = Field(default_factory=utc_now)
    competence_links: list[EvidenceCompetence] = _links("EvidenceCompetence")

    @property
    def competence_ids(self) -> list[str]:
        return [link.competence_id for link in self.competence_links]

    @competence_ids.setter
    def competence_ids(self, ids: Iterable[str]) -> None:
        self.competence_links = [EvidenceCompetence(competence_id=competence_id, position=n)
                                 for n, competence_id in enumerate(ids)]


class Reflection(WalletTable, table=True):
    """A reflection on competences or evidence, signed by its author as a self-issued
    credential (`credential_json`). A delegate's reflection is `pending` until the owner
    takes it into the dossier. It stays when its author's account is deleted (`author_id`
    then empty; the signed credential still names the author's DID)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    author_id: str | None = Field(foreign_key="account.id", ondelete="SET NULL", max_length=32)
    author_role: str = Field(default="owner", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    # The signed credential as text, as it was signed: the archive carries this text as is.
    credential_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="approved", max_length=16)  # approved | pending | rejected
    created_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None
    competence_links: list[ReflectionCompetence] = _links("ReflectionCompetence")
    evidence_links: list[ReflectionEvidence] = _links("ReflectionEvidence")

    @property
    def competence_ids(self) -> list[str]:
        return [link.competence_id for link in self.competence_links]

    @competence_ids.setter
    def competence_ids(self, ids: Iterable[str]) -> None:
        self.competence_links = [ReflectionCompetence(competence_id=competence_id, position=n)
                                 for n, competence_id in enumerate(ids)]

    @property
    def evidence_ids(self) -> list[str]:
        return [link.evidence_id for link in self.evidence_links]

    @evidence_ids.setter
    def evidence_ids(self, ids: Iterable[str]) -> None:
        self.evidence_links = [ReflectionEvidence(evidence_id=evidence_id, position=n)
                               for n, evidence_id in enumerate(ids)]


class StoredCredential(WalletTable, table=True):
    """A credential in the dossier, kept exactly as received (`content`: JSON text or a
    compact JWT), with what was learnt when it arrived. `digest` is the SHA-256 of the
    content's bytes: the same credential twice is recognised by it, or by its `id`."""

    __table_args__ = (UniqueConstraint("owner_id", "digest"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    format: str = Field(max_length=16)  # ldp_vc | jwt_vc
    content: str = Field(sa_column=Column(Text, nullable=False))
    digest: str = Field(max_length=64)
    credential_id: str | None = Field(default=None, max_length=2000)
    name: str = Field(default="", max_length=500)
    issuer_id: str = Field(default="", max_length=2000)
    issuer_name: str = Field(default="", max_length=500)
    # the credential's types are names, not rows: a JSON list
    types: list[str] = Field(default_factory=list,
                             sa_column=Column(JSON_DOCUMENT, nullable=False))
    source: str = Field(default="import", max_length=32)  # import | oid4vci | self | archive
    verified: bool = False
    # the verification report made on arrival (the wallet's own document)
    verification: dict[str, Any] = Field(default_factory=dict,
                                         sa_column=Column(JSON_DOCUMENT, nullable=False))
    received_at: datetime = Field(default_factory=utc_now)
    competence_links: list[CredentialCompetence] = _links("CredentialCompetence")

    @property
    def competence_ids(self) -> list[str]:
        return [link.competence_id for link in self.competence_links]

    @competence_ids.setter
    def competence_ids(self, ids: Iterable[str]) -> None:
        self.competence_links = [CredentialCompetence(competence_id=competence_id, position=n)
                                 for n, competence_id in enumerate(ids)]


class Share(WalletTable, table=True):
    """Credentials (and evidence) shown to an audience behind `/s/{token}` until
    `expires_at`, as a Verifiable Presentation signed by the owner's holder key."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    token: str = Field(unique=True, max_length=64)
    audience: str = Field(default="", max_length=300)
    # The signed presentation viewers get; none for a share that arrived in an archive (it
    # arrives switched off). Served as parsed JSON, so its bytes need not be kept.
    presentation: dict[str, Any] | None = Field(default=None,
                                                sa_column=Column(JSON_DOCUMENT, nullable=True))
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    revoked_at: datetime | None = None
    # Every view ever, counted atomically: also orders the views, so the first N are kept one
    # by one and the rest counted per day (wallet.services.share_views).
    view_count: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    credential_links: list[ShareCredential] = _links("ShareCredential")
    evidence_links: list[ShareEvidence] = _links("ShareEvidence")

    @property
    def credential_ids(self) -> list[str]:
        return [link.credential_id for link in self.credential_links]

    @credential_ids.setter
    def credential_ids(self, ids: Iterable[str]) -> None:
        self.credential_links = [ShareCredential(credential_id=credential_id, position=n)
                                 for n, credential_id in enumerate(ids)]

    @property
    def evidence_ids(self) -> list[str]:
        return [link.evidence_id for link in self.evidence_links]

    @evidence_ids.setter
    def evidence_ids(self, ids: Iterable[str]) -> None:
        self.evidence_links = [ShareEvidence(evidence_id=evidence_id, position=n)
                               for n, evidence_id in enumerate(ids)]


class ShareView(WalletTable, table=True):
    """One of the first views of a share, as it happened (see ShareViewDay for the rest)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    share_id: str = Field(foreign_key="share.id", index=True, max_length=32)
    at: datetime = Field(default_factory=utc_now)
    as_json: bool = False
    client: str = Field(default="", max_length=200)


class ShareViewDay(WalletTable, table=True):
    """The views of a share on one day (UTC) past its first individual ones: one row per
    share per day, however many views a link gets."""

    share_id: str = _end("share.id")
    day: date = Field(primary_key=True)
    count: int = 0
    last_at: datetime = Field(default_factory=utc_now)


class InternshipReport(WalletTable, table=True):
    """A stageverslag: chosen evidence and reflections, signed by the owner as a
    self-issued credential (`credential_json`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    title: str = Field(max_length=300)
    organisation: str = Field(default="", max_length=300)
    period: str = Field(default="", max_length=100)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    # The signed credential as text: the same bytes as its copy among the credentials
    # (found by digest) and in the archive.
    credential_json: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)
    evidence_links: list[ReportEvidence] = _links("ReportEvidence")
    reflection_links: list[ReportReflection] = _links("ReportReflection")

    @property
    def evidence_ids(self) -> list[str]:
        """The report's evidence still in the dossier, in the report's order."""
        return [link.evidence_id for link in self.evidence_links if link.evidence_id]

    @evidence_ids.setter
    def evidence_ids(self, ids: Iterable[str | None]) -> None:
        self.evidence_links = [ReportEvidence(evidence_id=evidence_id, position=n)
                               for n, evidence_id in enumerate(ids)]

    @property
    def reflection_ids(self) -> list[str]:
        """The report's reflections still in the dossier, in the report's order."""
        return [link.reflection_id for link in self.reflection_links if link.reflection_id]

    @reflection_ids.setter
    def reflection_ids(self, ids: Iterable[str | None]) -> None:
        self.reflection_links = [ReportReflection(reflection_id=reflection_id, position=n)
                                 for n, reflection_id in enumerate(ids)]


class CvPage(WalletTable, table=True):
    """The owner's public online CV at `/cv/{slug}`: off until the owner switches it on."""

    owner_id: str = Field(foreign_key="account.id", primary_key=True, max_length=32)
    slug: str = Field(unique=True, max_length=64)
    enabled: bool = False
    headline: str = Field(default="", max_length=300)
    about: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now)
    credential_links: list[CvCredential] = _links("CvCredential")
    evidence_links: list[CvEvidence] = _links("CvEvidence")

    @property
    def credential_ids(self) -> list[str]:
        return [link.credential_id for link in self.credential_links]

    @credential_ids.setter
    def credential_ids(self, ids: Iterable[str]) -> None:
        self.credential_links = [CvCredential(credential_id=credential_id, position=n)
                                 for n, credential_id in enumerate(ids)]

    @property
    def evidence_ids(self) -> list[str]:
        return [link.evidence_id for link in self.evidence_links]

    @evidence_ids.setter
    def evidence_ids(self, ids: Iterable[str]) -> None:
        self.evidence_links = [CvEvidence(evidence_id=evidence_id, position=n)
                               for n, evidence_id in enumerate(ids)]

