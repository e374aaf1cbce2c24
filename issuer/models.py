"""The issuer's tables (SQLModel). One organisation (tenant) owns everything below it.

Ids are random hex strings so that URLs built from them (achievements, status lists, DID
paths) reveal nothing about how many rows exist. Private keys are stored only as ciphertext
(`SigningKey.encrypted_secret`, see servicekit.secret_box).

The competences an achievement aligns to are a link table with foreign keys
(`AchievementCompetence`). Lists of plain values (a profile's identifiers, an achievement's
result descriptions) and an offer's issue options are JSON columns. Signed documents
(`IssuedCredential.document`, `Endorsement.document`, `StatusListRecord.published_document`)
stay text: they are served byte for byte as signed, and may be a JWT. Every datetime column
is timezone-aware (SQLModel maps `datetime` fields to its UTCDateTime).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship
from sqlmodel import Field, Relationship, SQLModel

from servicekit.json_column import JSON_DOCUMENT
from servicekit.login_sessions import LoginSessionColumns


def new_id() -> str:
    return secrets.token_hex(16)


def utc_now() -> datetime:
    return datetime.now(UTC)


class Organisation(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    name: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utc_now)


class StaffUser(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    email: str = Field(unique=True, max_length=320)
    display_name: str = Field(default="", max_length=300)
    password_hash: str = Field(max_length=300)
    created_at: datetime = Field(default_factory=utc_now)


class StaffSession(LoginSessionColumns, table=True):
    """A staff member's log-in session on the staff pages (its token in the cookie). Only the
    token's SHA-256 is stored; log-out and a new password end sessions
    (servicekit.login_sessions), and they go with the staff account."""

    account_id: str = Field(sa_column=Column(
        String(32), ForeignKey("staffuser.id", ondelete="CASCADE"), nullable=False,
        index=True))


class ApiToken(SQLModel, table=True):
    """Only the SHA-256 of a token is stored; the token itself is shown once."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    token_hash: str = Field(unique=True, max_length=64)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=utc_now)
    revoked_at: datetime | None = None


class IssuerProfile(SQLModel, table=True):
    """An OB 3.0 Profile the organisation issues as; its id is its DID."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    did: str = Field(unique=True, max_length=500)
    did_method: str = Field(max_length=8)  # "key" | "web"
    name: str = Field(max_length=300)
    url: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    image: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, sa_column=Column(Text))
    # OB 3.0 IdentifierEntry objects: values, not rows
    identifiers: list[dict[str, Any]] = Field(default_factory=list,
                                              sa_column=Column(JSON_DOCUMENT, nullable=False))
    is_default: bool = False
    created_at: datetime = Field(default_factory=utc_now)


class SigningKey(SQLModel, table=True):
    """A profile's key pair. status: active (signs), retired (still published), removed."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    profile_id: str = Field(foreign_key="issuerprofile.id", index=True, max_length=32)
    verification_method: str = Field(unique=True, max_length=600)
    key_type: str = Field(default="ed25519", max_length=16)
    public_multibase: str = Field(max_length=200)
    encrypted_secret: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    status: str = Field(default="active", max_length=8, index=True)
    created_at: datetime = Field(default_factory=utc_now)
    retired_at: datetime | None = None


class Framework(SQLModel, table=True):
    """A competence framework (CASE CFDocument or a CSV import)."""

    __table_args__ = (UniqueConstraint("org_id", "source_identifier"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    title: str = Field(max_length=500)
    source: str = Field(max_length=8)  # "csv" | "case"
    source_identifier: str = Field(max_length=500)
    uri: str | None = Field(default=None, max_length=2000)
    description: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utc_now)


class Competence(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    framework_id: str = Field(foreign_key="framework.id", index=True, max_length=32)
    code: str = Field(max_length=200)
    name: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    uri: str | None = Field(default=None, max_length=2000)
    parent_code: str | None = Field(default=None, max_length=200)
    position: int = 0


class AchievementCompetence(SQLModel, table=True):
    """The achievement aligns to the competence, at `position` in its alignments (the same
    competence may be named twice, as it could before). The link goes with the achievement
    (CASCADE). A competence an achievement aligns to cannot be deleted (RESTRICT): the
    framework import already keeps such competences, and deleting one would quietly change
    what every later credential of the achievement claims. Defined before Achievement: its
    relationship's `list[...]` annotation must name an existing class."""

    achievement_id: str = Field(sa_column=Column(
        String(32), ForeignKey("achievement.id", ondelete="CASCADE", onupdate="CASCADE"),
        primary_key=True))
    position: int = Field(default=0, primary_key=True)
    competence_id: str = Field(sa_column=Column(
        String(32), ForeignKey("competence.id", ondelete="RESTRICT", onupdate="CASCADE"),
        nullable=False, index=True))


class Achievement(SQLModel, table=True):
    """An achievement definition (badge class); published at {public_url}/achievements/{id}."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    profile_id: str = Field(foreign_key="issuerprofile.id", max_length=32)
    name: str = Field(max_length=500)
    description: str = Field(sa_column=Column(Text, nullable=False))
    criteria_narrative: str = Field(sa_column=Column(Text, nullable=False))
    criteria_url: str | None = Field(default=None, max_length=2000)
    image_url: str | None = Field(default=None, max_length=2000)
    achievement_type: str | None = Field(default=None, max_length=100)
    # OB 3.0 ResultDescription objects: values, not rows
    result_descriptions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON_DOCUMENT, nullable=False))
    valid_days: int | None = None  # credentials expire this many days after issue
    archived: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    competence_links: list[AchievementCompetence] = Relationship(sa_relationship=relationship(
        "AchievementCompetence", lazy="selectin", cascade="all, delete-orphan",
        passive_deletes=True, order_by="AchievementCompetence.position"))

    @property
    def competence_ids(self) -> list[str]:
        """The competences (Competence.id) this achievement aligns to, in order."""
        return [link.competence_id for link in self.competence_links]

    @competence_ids.setter
    def competence_ids(self, ids: Iterable[str]) -> None:
        self.competence_links = [
            AchievementCompetence(achievement_id=self.id, competence_id=competence_id,
                                  position=n) for n, competence_id in enumerate(ids)]


class IssuedCredential(SQLModel, table=True):
    """The record of one issued credential, with the signed document as sent."""

    __table_args__ = (UniqueConstraint("org_id", "idempotency_key"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    credential_id: str = Field(unique=True, max_length=500)  # the credential's own "id"
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    profile_id: str = Field(foreign_key="issuerprofile.id", max_length=32)
    achievement_id: str | None = Field(default=None, index=True, max_length=32)
    achievement_ref: str | None = Field(default=None, max_length=2000)
    achievement_name: str = Field(default="", max_length=500)
    recipient: str = Field(index=True, max_length=500)  # e-mail address or DID
    recipient_kind: str = Field(max_length=8)  # "email" | "did" | "other"
    recipient_name: str | None = Field(default=None, max_length=300)
    format: str = Field(default="ldp_vc", max_length=16)  # "ldp_vc" | "jwt_vc_json"
    document: str = Field(sa_column=Column(Text, nullable=False))
    signing_key_id: str = Field(foreign_key="signingkey.id", max_length=32)
    issued_at: datetime = Field(default_factory=utc_now, index=True)
    valid_until: datetime | None = None
    revoked: bool = False
    suspended: bool = False
    idempotency_key: str | None = Field(default=None, max_length=64)
    bulk_job_id: str | None = Field(default=None, max_length=32)


class StatusListRecord(SQLModel, table=True):
    """One published BitstringStatusListCredential ({public_url}/status/{id}).

    Indexes are handed out by `next_counter`, incremented atomically in the database, and
    mapped through a fixed permutation of 0..size-1 so neighbours in time are not neighbours
    in the list (herd privacy) while no index is ever handed out twice. `size` counts
    entries; each is `status_size` bits (more than 1 for "message" lists only), so the
    bitstring is size * status_size bits. `sequence` numbers the profile's lists of one
    purpose, whatever their status size.
    """

    __table_args__ = (UniqueConstraint("profile_id", "purpose", "sequence"),)

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    profile_id: str = Field(foreign_key="issuerprofile.id", index=True, max_length=32)
    purpose: str = Field(max_length=16)  # "revocation" | "suspension" | "message"
    sequence: int = 0
    size: int = 131072
    status_size: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    next_counter: int = 0
    permutation_a: int = 1
    permutation_b: int = 0
    version: int = 0  # bumped on every status change
    published_version: int = -1
    published_document: str | None = Field(default=None, sa_column=Column(Text))
    published_at: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)


class StatusEntry(SQLModel, table=True):
    """One credential's entry in a status list. `value` is its status value, 0 (unset) up to
    2^status_size - 1 of its list: 1 is revoked or suspended on a one-bit list."""

    __table_args__ = (UniqueConstraint("status_list_id", "list_index"),)

    id: int | None = Field(default=None, primary_key=True)
    status_list_id: str = Field(foreign_key="statuslistrecord.id", index=True, max_length=32)
    list_index: int
    issued_credential_id: str = Field(foreign_key="issuedcredential.id", index=True,
                                      max_length=32)
    value: int = 0
    updated_at: datetime = Field(default_factory=utc_now)


class Endorsement(SQLModel, table=True):
    """An EndorsementCredential made here (endorser_org_id set) or received from elsewhere."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    credential_id: str = Field(unique=True, max_length=500)
    endorser_org_id: str | None = Field(default=None, foreign_key="organisation.id",
                                        max_length=32)
    endorser_did: str = Field(max_length=500)
    target_kind: str = Field(max_length=16)  # "achievement" | "profile" | "credential"
    target_id: str = Field(index=True, max_length=2000)  # the endorsed thing's id (IRI)
    comment: str | None = Field(default=None, sa_column=Column(Text))
    document: str = Field(sa_column=Column(Text, nullable=False))
    issued_at: datetime = Field(default_factory=utc_now)
    withdrawn: bool = False


class CredentialOffer(SQLModel, table=True):
    """An OpenID4VCI pre-authorized code offer: what to issue once a wallet proves its DID."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    achievement_id: str = Field(foreign_key="achievement.id", max_length=32)
    configuration_id: str = Field(max_length=100)
    recipient_name: str | None = Field(default=None, max_length=300)
    recipient_email: str | None = Field(default=None, max_length=320)
    # {"evidence": [...], "results": [...], "valid_from": ..., "valid_until": ...}
    issue_options: dict[str, Any] = Field(default_factory=dict,
                                          sa_column=Column(JSON_DOCUMENT, nullable=False))
    pre_authorized_code_hash: str = Field(unique=True, max_length=64)
    tx_code_hash: str | None = Field(default=None, max_length=64)
    tx_code_attempts: int = 0
    access_token_hash: str | None = Field(default=None, unique=True, max_length=64)
    access_token_expires_at: datetime | None = None
    state: str = Field(default="offered", max_length=16)  # offered|token_issued|issued|locked
    expires_at: datetime
    issued_credential_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utc_now)


class Nonce(SQLModel, table=True):
    """A single-use c_nonce for OpenID4VCI key proofs."""

    value: str = Field(primary_key=True, max_length=64)
    expires_at: datetime
    used: bool = False


class BulkJob(SQLModel, table=True):
    """A bulk issue. While `running`, the process holding the lease (`lease_owner`, a token
    of one run) works on it and renews `lease_expires_at`; a job whose lease expired was
    interrupted (the process died) and any instance resumes it (issuer.services.bulk_lease).
    `attempts` counts the runs that took it on."""

    id: str = Field(default_factory=new_id, primary_key=True, max_length=32)
    org_id: str = Field(foreign_key="organisation.id", index=True, max_length=32)
    achievement_id: str = Field(foreign_key="achievement.id", max_length=32)
    filename: str = Field(default="", max_length=300)
    total: int = 0
    done: int = 0
    issued: int = 0
    skipped: int = 0
    failed: int = 0
    state: str = Field(default="running", max_length=16)  # running|finished|failed
    message: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(default_factory=utc_now)
    finished_at: datetime | None = None
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = Field(default=None, index=True)
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class BulkJobInput(SQLModel, table=True):
    """The uploaded CSV of a job while it runs, so that any instance can resume it; removed
    when the job ends (its rows' results stay)."""

    job_id: str = Field(sa_column=Column(
        String(32), ForeignKey("bulkjob.id", ondelete="CASCADE"), primary_key=True))
    csv: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class BulkRow(SQLModel, table=True):
    """A row's result, written in the transaction that records its credential: the job's
    per-row state (a resumed job skips the rows it has)."""

    __table_args__ = (UniqueConstraint("job_id", "row_number"),)

    id: int | None = Field(default=None, primary_key=True)
    job_id: str = Field(foreign_key="bulkjob.id", index=True, max_length=32)
    row_number: int
    recipient: str = Field(default="", max_length=500)
    outcome: str = Field(max_length=16)  # issued | already_issued | error
    message: str | None = Field(default=None, sa_column=Column(Text))
    credential_id: str | None = Field(default=None, max_length=500)
