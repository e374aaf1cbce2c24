"""Service refusals in the page's language.

Services refuse in English (`raise NotFound(f"no evidence {evidence_id!r} in this dossier")`),
and the API answers with that text. Pages show it to people, so each role keeps a catalogue of
its refusals, `<role>/web/locale/nl/LC_MESSAGES/refusals.po`: the msgid is the English message
with `{name}` where the service fills in a value, the msgstr the Dutch text with the same
placeholders. A refusal the catalogue lacks shows as the service wrote it. English needs no
catalogue: the msgid is the English text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel.messages.catalog import Catalog

PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Refusal:
    pattern: re.Pattern[str]
    text: str


def unbrace(text: str) -> str:
    return text.replace("{{", "{").replace("}}", "}")


def pattern_of(msgid: str) -> re.Pattern[str]:
    """The message with each `{name}` matching any value (`{{` and `}}` are braces)."""
    parts = []
    for index, piece in enumerate(PLACEHOLDER.split(msgid)):
        if index % 2:
            parts.append(f"(?P<{piece}>.+?)")
        else:
            parts.append(re.escape(unbrace(piece)))
    return re.compile("".join(parts), re.DOTALL)


class Refusals:
    def __init__(self, catalogue: Catalog | None) -> None:
        translated = [(m.id, m.string) for m in catalogue or ()
                      if isinstance(m.id, str) and isinstance(m.string, str)
                      and m.id and m.string and not m.fuzzy]
        self.exact = {unbrace(msgid): unbrace(text)
                      for msgid, text in translated if not PLACEHOLDER.search(msgid)}
        # Longest first: the most specific message wins where two could match.
        self.patterns = [Refusal(pattern_of(msgid), text)
                         for msgid, text in sorted(translated, key=lambda m: -len(m[0]))
                         if PLACEHOLDER.search(msgid)]

    def translate(self, message: str) -> str:
        if message in self.exact:
            return self.exact[message]
        for refusal in self.patterns:
            found = refusal.pattern.fullmatch(message)
            if found:  # a value may be a refusal itself ("the archive is refused: {message}")
                values = {name: self.translate(value) for name, value in found.groupdict().items()}
                return refusal.text.format(**values)
        return message
