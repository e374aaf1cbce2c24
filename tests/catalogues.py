"""The page texts of a role's catalogue as a plain mapping, for tests that look for texts."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Message

from servicekit.i18n import read_catalogue


def key_of(message: Message) -> str:
    """The symbolic key: the msgid, or the singular msgid of a text with plural forms."""
    return message.id if isinstance(message.id, str) else message.id[0]


def forms_of(message: Message) -> tuple[str, ...]:
    """The text, or each of its plural forms."""
    if isinstance(message.string, str):
        return (message.string,)
    return tuple(message.string or ())


def texts(locale_dir: Path, language: str) -> dict[str, str]:
    """key → text; of a text with plural forms the last (the general) form."""
    return {key_of(message): forms_of(message)[-1]
            for message in read_catalogue(locale_dir, language) if message.id}
