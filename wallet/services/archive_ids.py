"""Ids across wallets during an import: an item keeps the archive's id when that id is free
here; when another owner has it, it gets an id derived from the target owner and the old id
(the same on every import, so a second import recognises it); every reference follows."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlmodel import Session

from wallet.models import new_id

KINDS = ("competences", "credentials", "evidence", "reflections", "internshipReports",
         "shares", "cv")


class ArchiveIds:
    """Old id -> id in this wallet, per kind; decides "already there" or "new id"."""

    def __init__(self, session: Session, owner_id: str) -> None:
        self.session, self.owner_id = session, owner_id
        self.maps: dict[str, dict[str, str]] = {kind: {} for kind in KINDS}

    def pick(self, kind: str, table: Any, old: str) -> tuple[str, bool]:
        """(id to use, already there for this owner). The archive's id when it is free
        here; when another owner has it, an id derived from this owner and the old id."""
        if not old or len(old) > 32:
            return new_id(), False
        for candidate in (old, self.derived(old)):
            row = self.session.get(table, candidate)
            if row is None:
                self.maps[kind][old] = candidate
                return candidate, False
            if row.owner_id == self.owner_id:
                self.maps[kind][old] = candidate
                return candidate, True
        chosen = new_id()  # both taken by others: astronomically unlikely
        self.maps[kind][old] = chosen
        return chosen, False

    def derived(self, old: str) -> str:
        """The id an item gets here when another owner has its id: the same on every import
        into this dossier, so a second import recognises it."""
        return hashlib.sha256(f"{self.owner_id}:{old}".encode()).hexdigest()[:32]

    def remap(self, kind: str, values: Any) -> list[str]:
        """The ids of `kind` that arrived, in this wallet's ids, each once."""
        mapping = self.maps[kind]
        items = values if isinstance(values, list) else []
        return list(dict.fromkeys(mapping[v] for v in items
                                  if isinstance(v, str) and v in mapping))
