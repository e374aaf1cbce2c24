"""Languages of the employer pages: Dutch (default) and English, from message catalogues.

`?lang=en` or `?lang=nl` on any page chooses the language and keeps it in a cookie; without
either, the cookie decides, and without a cookie the pages are Dutch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection

from verifier.web.messages_en import MESSAGES as ENGLISH
from verifier.web.messages_nl import MESSAGES as DUTCH

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
LANGUAGE_COOKIE = "od_verifier_lang"
CATALOGUES: dict[str, dict[str, str]] = {"nl": DUTCH, "en": ENGLISH}

Translator = Callable[..., str]


def translate(language: str, key: str, **values: Any) -> str:
    """The message `key` in `language`, with `{name}` placeholders filled from `values`.

    A key missing from the catalogue shows as itself, so a mistake is visible on the page
    (and the catalogue test fails) instead of breaking it."""
    text = CATALOGUES.get(language, DUTCH).get(key, key)
    return text.format(**values) if values else text


def translator(language: str) -> Translator:
    def t(key: str, **values: Any) -> str:
        return translate(language, key, **values)

    return t


def chosen_language(connection: HTTPConnection) -> tuple[str, bool]:
    """The request's language, and whether it was chosen just now with `?lang=`."""
    asked = connection.query_params.get("lang")
    if asked in LANGUAGES:
        return asked, True
    remembered = connection.cookies.get(LANGUAGE_COOKIE)
    if remembered in LANGUAGES:
        return remembered, False
    return DEFAULT_LANGUAGE, False
