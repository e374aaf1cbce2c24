"""Bitstring Status Lists: index allocation, status changes and the published list credentials.

OB 3.0 allows one `credentialStatus` per credential (its JSON Schema refuses an array), so
each credential gets one entry: in the revocation list by default, or in the suspension list
when issued with status purpose "suspension" (it can then be suspended and reinstated), or,
through the VC-API, in a "message" list of `statusSize` bits per entry, whose value the
issuer sets to any of the 2^statusSize values the credential's `statusMessage` explains.
Lists are per profile, purpose and status size.

Allocation is safe across processes: the counter of a list is advanced by one UPDATE ...
RETURNING statement, which PostgreSQL runs under a row lock and SQLite under its database
write lock, in a short transaction of its own. A crash after allocation wastes an index but
never hands it out twice; the unique (list, index) constraint on StatusEntry is the backstop.
"""

from __future__ import annotations

import json
import re
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
from standards.status_list import MAX_STATUS_SIZE, MIN_ENTRIES, StatusList
from standards.status_list_building import build_status_entry, build_status_list_credential

PURPOSES = ("revocation", "suspension")  # one bit; what the staff pages offer
MESSAGE_PURPOSE = "message"
ALL_PURPOSES = (*PURPOSES, MESSAGE_PURPOSE)
LIST_SIZE = MIN_ENTRIES  # 131,072 entries, 16 KB of bits: the spec's minimum for herd privacy
_OPEN_LIST_TRIES = 8  # other processes opening lists of other sizes at the same moment


@dataclass(frozen=True)
class AllocatedIndex:
    status_list_id: str
    purpose: str
    index: int
    status_size: int = 1


def status_list_url(public_url: str, status_list_id: str) -> str:
    return f"{public_url}/status/{status_list_id}"


def status_entry_json(public_url: str, allocated: AllocatedIndex, *,
                      status_message: list[dict[str, Any]] | None = None,
                      status_reference: str | list[str] | None = None) -> dict[str, Any]:
    return build_status_entry(
        list_credential_url=status_list_url(public_url, allocated.status_list_id),
        index=allocated.index, purpose=allocated.purpose, status_size=allocated.status_size,
        status_message=status_message, status_reference=status_reference)


def allocate_indexes(ctx: IssuerContext, profile_id: str, purpose: str, count: int = 1,
                     status_size: int = 1) -> list[AllocatedIndex]:
    """`count` fresh indexes in the profile's current list for `purpose` and `status_size`
    (new lists as needed)."""
    if purpose not in ALL_PURPOSES:
        raise Invalid(f"unknown status purpose {purpose!r}; choose one of {list(ALL_PURPOSES)}")
    if status_size != 1 and (purpose != MESSAGE_PURPOSE or not 1 <= status_size <= MAX_STATUS_SIZE):
        raise Invalid(f"a {purpose} list of {status_size} bits per entry is not offered")
    allocated: list[AllocatedIndex] = []
    while len(allocated) < count:
        status_list = _current_list(ctx, profile_id, purpose, status_size)
        wanted = count - len(allocated)
        with ctx.engine.begin() as connection:
            row = connection.execute(
                text("UPDATE statuslistrecord SET next_counter = next_counter + :wanted "
                     "WHERE id = :id AND next_counter + :wanted <= size RETURNING next_counter"),
                {"wanted": wanted, "id": status_list.id},
            ).first()
        if row is None:
            if wanted > 1:  # not room for all of them: take what is left one at a time
                allocated.extend(allocate_indexes(ctx, profile_id, purpose, 1, status_size))
            # else the list is full: the next round's _current_list opens the next one
            continue
        end = int(row[0])
        allocated.extend(AllocatedIndex(status_list.id, purpose, _permute(status_list, counter),
                                        status_size)
                         for counter in range(end - wanted, end))
    return allocated


def _permute(status_list: StatusListRecord, counter: int) -> int:
    # An affine map with an odd multiplier is a bijection on 0..2^k-1: every counter value
    # gets its own index, and consecutive credentials land far apart in the list.
    return (status_list.permutation_a * counter + status_list.permutation_b) % status_list.size


def _current_list(ctx: IssuerContext, profile_id: str, purpose: str,
                  status_size: int) -> StatusListRecord:
    """The profile's newest list of this purpose and size if it has room, else a new one."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        # The newest sequence number of any size first: a list of this size made between the
        # two reads is then seen by the second.
        newest = session.exec(
            select(StatusListRecord.sequence)
            .where(StatusListRecord.profile_id == profile_id, StatusListRecord.purpose == purpose)
            .order_by(StatusListRecord.sequence.desc())  # type: ignore[attr-defined]
        ).first()
        current = session.exec(
            select(StatusListRecord)
            .where(StatusListRecord.profile_id == profile_id, StatusListRecord.purpose == purpose,
                   StatusListRecord.status_size == status_size)
            .order_by(StatusListRecord.sequence.desc())  # type: ignore[attr-defined]
        ).first()
    if current is not None and current.next_counter < current.size:
        return current
    return _open_next_list(ctx, profile_id, purpose, status_size,
                           0 if newest is None else newest + 1)


def _open_next_list(ctx: IssuerContext, profile_id: str, purpose: str, status_size: int,
                    first_sequence: int) -> StatusListRecord:
    """Create list number `first_sequence` of `purpose` (numbered among all the profile's lists of
    that purpose), or return the one of this size another process just created there; a
    number another process took for a list of another size: try the next."""
    for sequence in range(first_sequence, first_sequence + _OPEN_LIST_TRIES):
        candidate = StatusListRecord(
            profile_id=profile_id, purpose=purpose, sequence=sequence, size=LIST_SIZE,
            status_size=status_size,
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
            if existing.status_size == status_size:
                return existing
    raise Conflict("could not open a new status list: too many at the same moment; try again")


def record_entries(session: Session, credential: IssuedCredential,
                   allocated: list[AllocatedIndex]) -> None:
    for entry in allocated:
        session.add(StatusEntry(status_list_id=entry.status_list_id, list_index=entry.index,
                                issued_credential_id=credential.id))


# --- changing status ---------------------------------------------------------------------
STATUS_VALUES = ("revoked", "suspended", "active")
# A message entry's value as its statusMessage writes it: 0x and hex digits.
_STATUS_VALUE = re.compile(r"0x[0-9a-fA-F]{1,8}")


def set_credential_status(session: Session, org_id: str, credential_id: str,
                          status: str) -> IssuedCredential:
    """Revoke (permanent), suspend or reinstate the credential with id `credential_id`, or,
    with a status value such as "0x2", set its message entry to that value."""
    if status not in STATUS_VALUES and not _STATUS_VALUE.fullmatch(status):
        raise Invalid(f"unknown status {status!r}; expected one of {list(STATUS_VALUES)} or "
                      f"a status value such as 0x1 for a message entry")
    credential = session.exec(
        select(IssuedCredential).where(IssuedCredential.credential_id == credential_id)
    ).first()
    if credential is None or credential.org_id != org_id:
        raise NotFound(f"no credential {credential_id!r} issued by this organisation")
    entries = {purpose: (entry, size) for entry, purpose, size in session.exec(
        select(StatusEntry, StatusListRecord.purpose, StatusListRecord.status_size)
        .join(StatusListRecord, StatusListRecord.id == StatusEntry.status_list_id)  # type: ignore[arg-type]
        .where(StatusEntry.issued_credential_id == credential.id)
    )}
    if status not in STATUS_VALUES:
        _set_message_value(session, entries, int(status, 16))
        return credential
    if MESSAGE_PURPOSE in entries and len(entries) == 1:
        raise Conflict("this credential was issued with a message entry only: set its status "
                       "value (such as 0x1) instead")
    if status == "revoked":
        if "revocation" not in entries:
            raise Conflict("this credential was issued with a suspension entry only; suspend "
                           "it instead (OB 3.0 allows one credentialStatus per credential)")
        credential.revoked = True
        _set_value(session, entries["revocation"][0], 1)
    else:
        if "suspension" not in entries:
            raise Conflict("this credential was issued with a revocation entry only, so it can "
                           "be revoked but not suspended; issue with statusPurpose "
                           "'suspension' for credentials that may need suspending")
        if credential.revoked:
            raise Conflict("this credential is revoked; revocation is permanent")
        credential.suspended = status == "suspended"
        _set_value(session, entries["suspension"][0], int(status == "suspended"))
    session.add(credential)
    return credential


def _set_message_value(session: Session, entries: dict[str, tuple[StatusEntry, int]],
                       value: int) -> None:
    if MESSAGE_PURPOSE not in entries:
        raise Conflict("this credential has no message entry: a status value such as 0x1 "
                       "needs one (issue with statusPurpose 'message')")
    entry, status_size = entries[MESSAGE_PURPOSE]
    if value >= 2**status_size:
        raise Invalid(f"status value {value:#x} does not fit the credential's message entry "
                      f"of {status_size} bit(s) (0x0 to {2**status_size - 1:#x})")
    _set_value(session, entry, value)


def _set_value(session: Session, entry: StatusEntry, value: int) -> None:
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
        bits = StatusList(record.size * record.status_size)
        for index, value in session.exec(
            select(StatusEntry.list_index, StatusEntry.value)
            .where(StatusEntry.status_list_id == record.id, StatusEntry.value != 0)
        ):
            bits.set_status(index, value, record.status_size)
        profile = stored(session.get(IssuerProfile, record.profile_id),
                         f"issuer profile {record.profile_id}")
        key = signing_key_for(ctx, active_key_row(session, profile.id), profile.did)
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    unsigned = build_status_list_credential(
        id=status_list_url(ctx.public_url, record.id), issuer=profile.did,
        status_purpose=record.purpose, status_list=bits, valid_from=now,
        status_size=record.status_size)
    document = json.dumps(sign_document(unsigned, key), separators=(",", ":"))
    with ctx.engine.begin() as connection:
        connection.execute(
            text("UPDATE statuslistrecord SET published_document = :doc, "
                 "published_version = :version, published_at = :at "
                 "WHERE id = :id AND published_version < :version"),
            {"doc": document, "version": version, "at": datetime.now(UTC), "id": record.id},
        )
    return document, version
