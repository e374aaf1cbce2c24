"""The wallet's tables (SQLModel). Every row of a dossier carries `owner_id`: the account
whose dossier it is. Every service query filters on it, so one owner never reaches
another's rows.

Each account is an owner of its own dossier; a coordinator, employer or mentor is an account
too, and reaches someone else's dossier only through a `Delegation`. Ids are random hex, so
they are the same in every wallet instance an item moves to (export/import keeps them).
Private keys are stored only as ciphertext (`Account.encrypted_secret`).
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, MetaData, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel


class WalletTable(SQLModel, registry=registry(metadata=MetaData())):
    """The wallet's tables have a metadata of their own: the issuer's tables (some with the
    same names) live in another database and are none of the wallet's business."""


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


def json_list(text: str | None) -> list[Any]:
    value = json.loads(text) if text else []
    return value if isinstance(value, list) else []


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


class ApiSession(WalletTable, table=True):
    """A bearer token for the JSON API (`POST /api/session`). Only its SHA-256 is stored."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    account_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime


class Delegation(WalletTable, table=True):
    """The owner lets a coordinator, employer or mentor act in the dossier within `scopes`.
    Until accepted, `delegate_id` is empty and the invitation token (hashed) is open."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    delegate_id: str | None = Field(default=None, foreign_key="account.id", index=True,
                                    max_length=32)
    invite_email: str = Field(max_length=320)
    role: str = Field(max_length=16)  # coordinator | employer | mentor
    scopes_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    invite_token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = Field(default_factory=utc_now)
    accepted_at: datetime | None = None
    withdrawn_at: datetime | None = None

    @property
    def scopes(self) -> list[str]:
        return json_list(self.scopes_json)


class AuditEvent(WalletTable, table=True):
    """Who did what in whose dossier (`actor_id` acting for `owner_id`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    actor_id: str = Field(foreign_key="account.id", max_length=32)
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
    `pending` until the owner approves them."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    added_by: str = Field(foreign_key="account.id", max_length=32)
    kind: str = Field(max_length=16)  # photo | video | audio | document | note
    title: str = Field(max_length=300)
    description: str = Field(default="", sa_column=Column(Text, nullable=False))
    filename: str = Field(default="", max_length=300)
    media_type: str = Field(default="", max_length=100)
    size: int = 0
    sha256: str = Field(default="", max_length=64, index=True)
    practice_date: date | None = None
    place: str = Field(default="", max_length=300)
    competence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    status: str = Field(default="approved", max_length=16)  # approved | pending | rejected
    created_at: datetime = Field(default_factory=utc_now)

    @property
    def competence_ids(self) -> list[str]:
        return json_list(self.competence_ids_json)


class Reflection(WalletTable, table=True):
    """A reflection on competences or evidence, signed by its author as a self-issued
    credential (`credential_json`). A delegate's reflection is `pending` until the owner
    takes it into the dossier."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    author_id: str = Field(foreign_key="account.id", max_length=32)
    author_role: str = Field(default="owner", max_length=16)
    text: str = Field(sa_column=Column(Text, nullable=False))
    competence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    evidence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    credential_json: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="approved", max_length=16)  # approved | pending | rejected
    created_at: datetime = Field(default_factory=utc_now)
    decided_at: datetime | None = None

    @property
    def competence_ids(self) -> list[str]:
        return json_list(self.competence_ids_json)

    @property
    def evidence_ids(self) -> list[str]:
        return json_list(self.evidence_ids_json)


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
    types_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    competence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    source: str = Field(default="import", max_length=32)  # import | oid4vci | self | archive
    verified: bool = False
    verification_json: str = Field(default="{}", sa_column=Column(Text, nullable=False))
    received_at: datetime = Field(default_factory=utc_now)

    @property
    def competence_ids(self) -> list[str]:
        return json_list(self.competence_ids_json)


class Share(WalletTable, table=True):
    """Credentials (and evidence) shown to an audience behind `/s/{token}` until
    `expires_at`, as a Verifiable Presentation signed by the owner's holder key."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    token: str = Field(unique=True, max_length=64)
    audience: str = Field(default="", max_length=300)
    credential_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    evidence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    presentation_json: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)
    expires_at: datetime
    revoked_at: datetime | None = None

    @property
    def credential_ids(self) -> list[str]:
        return json_list(self.credential_ids_json)

    @property
    def evidence_ids(self) -> list[str]:
        return json_list(self.evidence_ids_json)


class ShareView(WalletTable, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    share_id: str = Field(foreign_key="share.id", index=True, max_length=32)
    at: datetime = Field(default_factory=utc_now)
    as_json: bool = False
    client: str = Field(default="", max_length=200)


class InternshipReport(WalletTable, table=True):
    """A stageverslag: chosen evidence and reflections, signed by the owner as a
    self-issued credential (`credential_json`)."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    owner_id: str = Field(foreign_key="account.id", index=True, max_length=32)
    title: str = Field(max_length=300)
    organisation: str = Field(default="", max_length=300)
    period: str = Field(default="", max_length=100)
    summary: str = Field(default="", sa_column=Column(Text, nullable=False))
    evidence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    reflection_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    credential_json: str = Field(default="", sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utc_now)

    @property
    def evidence_ids(self) -> list[str]:
        return json_list(self.evidence_ids_json)

    @property
    def reflection_ids(self) -> list[str]:
        return json_list(self.reflection_ids_json)


class CvPage(WalletTable, table=True):
    """The owner's public online CV at `/cv/{slug}`: off until the owner switches it on."""

    owner_id: str = Field(foreign_key="account.id", primary_key=True, max_length=32)
    slug: str = Field(unique=True, max_length=64)
    enabled: bool = False
    headline: str = Field(default="", max_length=300)
    about: str = Field(default="", sa_column=Column(Text, nullable=False))
    credential_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    evidence_ids_json: str = Field(default="[]", sa_column=Column(Text, nullable=False))
    updated_at: datetime = Field(default_factory=utc_now)

    @property
    def credential_ids(self) -> list[str]:
        return json_list(self.credential_ids_json)

    @property
    def evidence_ids(self) -> list[str]:
        return json_list(self.evidence_ids_json)
