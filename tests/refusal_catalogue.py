"""Bring a role's Dutch refusal catalogue in line with the refusals its code raises:
`.venv/bin/python -m tests.refusal_catalogue issuer` (or wallet).

The catalogue is rewritten in the order of the source (tests/refusal_sources.py), with the
files that raise each refusal (not their lines, which change too often). Translations are
kept; a new refusal gets an empty msgstr to fill in; an entry no code raises any more is
dropped and printed, so that its Dutch can be reused for the reworded message.
tests/test_i18n.py fails until every msgstr is filled in."""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from servicekit.i18n import REFUSALS, catalogue_path, read_catalogue
from servicekit.refusals import PLACEHOLDER
from tests.refusal_sources import raised_messages, role_refusal_sources

ROOT = Path(__file__).resolve().parents[1]
PLACEHOLDER_FLAG = "python-brace-format"
WIDTH = 100  # as the catalogues are written


def synced(role: str) -> tuple[Catalog, list[str]]:
    """The catalogue as it should be, and the msgids dropped from it."""
    old = read_catalogue(ROOT / role / "web" / "locale", "nl", REFUSALS)
    places: dict[str, list[tuple[str, int]]] = {}  # msgid -> (file, line) of each raise
    for msgid, where in raised_messages(role_refusal_sources(role)):
        file, line = where.rsplit(":", 1)
        places.setdefault(msgid, []).append((file, int(line)))
    new = Catalog(locale="nl", domain=REFUSALS, header_comment=old.header_comment,
                  project=old.project, version=old.version, fuzzy=False)
    new.mime_headers = old.mime_headers
    for msgid, locations in places.items():
        known = old.get(msgid)
        literal_braces = msgid.replace("{{", "").replace("}}", "")
        flags = [PLACEHOLDER_FLAG] if PLACEHOLDER.search(literal_braces) else []
        if known and known.fuzzy:
            flags.append("fuzzy")  # a translation still to be checked stays so
        new.add(msgid, known.string if known else "", locations=locations, flags=flags)
    dropped = [str(message.id) for message in old if message.id and message.id not in places]
    return new, dropped


def main(role: str) -> None:
    catalogue, dropped = synced(role)
    with catalogue_path(ROOT / role / "web" / "locale", "nl", REFUSALS).open("wb") as po:
        write_po(po, catalogue, width=WIDTH, include_lineno=False)
    for msgid in dropped:
        print(f"dropped (no code raises it any more): {msgid}")
    for message in catalogue:
        if message.id and not message.string:
            print(f"needs a Dutch text: {message.id}")


if __name__ == "__main__":
    main(sys.argv[1])
