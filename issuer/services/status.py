"""Bitstring Status Lists: index allocation, status changes and the published list credentials.

OB 3.0 allows one `credentialStatus` per credential (its JSON Schema refuses an array), so
each credential gets one entry: in the revocation list by default, or in the suspension list
when issued with status purpose "suspension" (it can then be suspended and reinstated).

Allocation is safe across processes: the counter of a list is advanced by one UPDATE ...
RETURNING statement, which PostgreSQL runs under a row lock and SQLite under its database
write lock, in a short transaction of its own. A crash after allocation wastes an index but
never hands it out twice; the unique (list, index) constraint on StatusEntry is the backstop.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from issuer.models import IssuedCredential, IssuerProfile, StatusEntry, StatusListRecord, utc_now
from issuer.services.context import IssuerContext, stored
from issuer.services.keys import active_key_row, signing_key_for
from servicekit.errors import Conflict, Invalid, NotFound
from standards.data_integrity import sign_document
from standards.status_list import (
    MIN_ENTRIES,
    StatusList,
    build_status_entry,
    build_status_list_credential,
)

PURPOSES = ("revocation", "suspension")
LIST_SIZE = MIN_ENTRIES  # 131,072 entries, 16 KB: the spec's minimum for herd privacy


@dataclass(frozen=True)
class AllocatedIndex:
    status_list_id: str
    purpose: str
    index: int


def status_list_url(public_url: str, status_list_id: str) -> str:
    return f"{public_url}/status/{status_list_id}"


def status_entry_json(public_url: str, allocated: AllocatedIndex) -> dict[str, Any]:
    return build_status_entry(
        list_credential_url=status_list_url(public_url, allocated.status_list_id),
        index=allocated.index, purpose=allocated.purpose)


def allocate_indexes(ctx: IssuerContext, profile_id: str, purpose: str,
                     count: int = 1) -> list[AllocatedIndex]:
    """`count` fresh indexes in the profile's current list for `purpose` (new lists as needed)."""
    if purpose not in PURPOSES:
        raise Invalid(f"unknown status purpose {purpose!r}; choose one of {list(PURPOSES)}")
    allocated: list[AllocatedIndex] = []
    while len(allocated) < count:
        status_list = _current_list(ctx, profile_id, purpose)
        wanted = count - len(allocated)
        with ctx.engine.begin() as connection:
            row = connection.execute(
                text("UPDATE statuslistrecord SET next_counter = next_counter + :wanted "
                     "WHERE id = :id AND next_counter + :wanted <= size RETURNING next_counter"),
                {"wanted": wanted, "id": status_list.id},
            ).first()
        if row is None:
            if wanted > 1:  # not room for all of them: take what is left one at a time
                allocated.extend(allocate_indexes(ctx, profile_id, purpose, 1))
                continue
            _open_next_list(ctx, profile_id, purpose, status_list.sequence + 1)
            continue
        end = int(row[0])
        allocated.extend(AllocatedIndex(status_list.id, purpose, _permute(status_list, counter))
                         for counter in range(end - wanted, end))
    return allocated


def _permute(status_list: StatusListRecord, counter: int) -> int:
    # An affine map with an odd multiplier is a bijection on 0..2^k-1: every counter value
    # gets its own index, and consecutive credentials land far apart in the list.
    return (status_list.permutation_a * counter + status_list.permutation_b) % status_list.size


def _current_list(ctx: IssuerContext, profile_id: str, purpose: str) -> StatusListRecord:
    with Session(ctx.engine, expire_on_commit=False) as session:
        current = session.exec(
            select(StatusListRecord)
            .where(StatusListRecord.profile_id == profile_id, StatusListRecord.purpose == purpose)
            .order_by(StatusListRecord.sequence.desc())  # type: ignore[attr-defined]
        ).first()
    if current is not None and current.next_counter < current.size:
        return current
    if current is not None:
        return _open_next_list(ctx, profile_id, purpose, current.sequence + 1)
    return _open_next_list(ctx, profile_id, purpose, 0)


def _open_next_list(ctx: IssuerContext, profile_id: str, purpose: str,
                    sequence: int) -> StatusListRecord:
    """Create list number `sequence`, or return it when another process just did."""
    candidate = StatusListRecord(
        profile_id=profile_id, purpose=purpose, sequence=sequence, size=LIST_SIZE,
        permutation_a=secrets.randbelow(LIST_SIZE // 2) * 2 + 1,
        permutation_b=secrets.randbelow(LIST_SIZE),
    )
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            session.add(candidate)
            session.commit()
            return candidate
    except IntegrityError:
        with Session(ctx.engine, expire_on_commit=False) as session:
            existing = session.exec(
                select(StatusListRecord).where(StatusListRecord.profile_id == profile_id,
                                               StatusListRecord.purpose == purpose,
                                               StatusListRecord.sequence == sequence)
            ).one()
            return existing


def record_entries(session: Session, credential: IssuedCredential,
                   allocated: list[AllocatedIndex]) -> None:
    for entry in allocated:
        session.add(StatusEntry(status_list_id=entry.status_list_id, list_index=entry.index,
                                issued_credential_id=credential.id))


# --- changing status ---------------------------------------------------------------------
STATUS_VALUES = ("revoked", "suspended", "active")


def set_credential_status(session: Session, org_id: str, credential_id: str,
                          status: str) -> IssuedCredential:
    """Revoke (permanent), suspend or reinstate the credential with id `credential_id`."""
    if status not in STATUS_VALUES:
        raise Invalid(f"unknown status {status!r}; expected one of {list(STATUS_VALUES)}")
    credential = session.exec(
        select(IssuedCredential).where(IssuedCredential.credential_id == credential_id)
    ).first()
    if credential is None or credential.org_id != org_id:
        raise NotFound(f"no credential {credential_id!r} issued by this organisation")
    entries = {purpose: entry for entry, purpose in session.exec(
        select(StatusEntry, StatusListRecord.purpose)
        .join(StatusListRecord, StatusListRecord.id == StatusEntry.status_list_id)  # type: ignore[arg-type]
        .where(StatusEntry.issued_credential_id == credential.id)
    )}
    if status == "revoked":
        entry = entries.get("revocation")
        if entry is None:
            raise Conflict("this credential was issued with a suspension entry only; suspend "
                           "it instead (OB 3.0 allows one credentialStatus per credential)")
        credential.revoked = True
        _set_bit(session, entry, True)
    else:
        entry = entries.get("suspension")
        if entry is None:
            raise Conflict("this credential was issued with a revocation entry only, so it can "
                           "be revoked but not suspended; issue with statusPurpose "
                           "'suspension' for credentials that may need suspending")
        if credential.revoked:
            raise Conflict("this credential is revoked; revocation is permanent")
        credential.suspended = status == "suspended"
        _set_bit(session, entry, status == "suspended")
    session.add(credential)
    return credential


def _set_bit(session: Session, entry: StatusEntry, value: bool) -> None:
    if entry.value == value:
        return
    entry.value = value
    entry.updated_at = utc_now()
    session.add(entry)
    session.flush()
    # Atomic bump, so a publisher that read the old version knows to publish again.
    session.execute(text("UPDATE statuslistrecord SET version = version + 1 WHERE id = :id"),
                    {"id": entry.status_list_id})


# --- publishing ----------------------------------------------------------------------------
def published_status_list(ctx: IssuerContext, status_list_id: str) -> tuple[str, int]:
    """The signed BitstringStatusListCredential (JSON text) and its version.

    Signed once per version and kept in the database, so serving it costs one row read.
    """
    with Session(ctx.engine, expire_on_commit=False) as session:
        record = session.get(StatusListRecord, status_list_id)
        if record is None:
            raise NotFound("no such status list")
        if record.published_document and record.published_version == record.version:
            return record.published_document, record.version
        version = record.version
        bits = StatusList(record.size)
        for index in session.exec(
            select(StatusEntry.list_index).where(StatusEntry.status_list_id == record.id,
                                                 StatusEntry.value == True)  # noqa: E712
        ):
            bits.set(index, True)
        profile = stored(session.get(IssuerProfile, record.profile_id),
                         f"issuer profile {record.profile_id}")
        key = signing_key_for(ctx, active_key_row(session, profile.id), profile.did)
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    unsigned = build_status_list_credential(
        id=status_list_url(ctx.public_url, record.id), issuer=profile.did,
        status_purpose=record.purpose, status_list=bits, valid_from=now)
    document = json.dumps(sign_document(unsigned, key), separators=(",", ":"))
    with ctx.engine.begin() as connection:
        connection.execute(
            text("UPDATE statuslistrecord SET published_document = :doc, "
                 "published_version = :version, published_at = :at "
                 "WHERE id = :id AND published_version < :version"),
            {"doc": document, "version": version, "at": datetime.now(UTC), "id": record.id},
        )
    return document, version
