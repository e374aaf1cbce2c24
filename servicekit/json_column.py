"""The column type for JSON documents and plain-value lists, shared by every service's tables.

SQLAlchemy's `JSON` stores text on SQLite and becomes JSONB on PostgreSQL (indexable,
validated on write). A JSONB value keeps no key order or whitespace, so a document whose
exact bytes matter (a signed credential as received) belongs in a Text column instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import TypeEngine

# None is stored as SQL NULL (not the JSON text `null`), so "no document" is one thing.
JSON_DOCUMENT: TypeEngine[Any] = JSON(none_as_null=True).with_variant(
    JSONB(none_as_null=True), "postgresql")
