"""Languages of the web pages: Dutch (default) and English, from message catalogues.

`?lang=en` or `?lang=nl` on any page chooses the language and keeps it in a cookie; without
either, the cookie decides, and without a cookie the pages are Dutch. Each service has its
own catalogues and cookie, and one `PageLanguages` over them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import HTTPConnection

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"

Translator = Callable[..., str]


class PageLanguages:
    def __init__(self, catalogues: dict[str, dict[str, str]], cookie: str) -> None:
        self.catalogues = catalogues
        self.cookie = cookie

    def translate(self, language: str, key: str, **values: Any) -> str:
        """The message `key` in `language`, with `{name}` placeholders filled from `values`.

        A key missing from the catalogue shows as itself, so a mistake is visible on the page
        (and the catalogue test fails) instead of breaking it."""
        catalogue = self.catalogues.get(language, self.catalogues[DEFAULT_LANGUAGE])
        text = catalogue.get(key, key)
        return text.format(**values) if values else text

    def translator(self, language: str) -> Translator:
        def t(key: str, **values: Any) -> str:
            return self.translate(language, key, **values)

        return t

    def chosen_language(self, connection: HTTPConnection) -> tuple[str, bool]:
        """The request's language, and whether it was chosen just now with `?lang=`."""
        asked = connection.query_params.get("lang")
        if asked in LANGUAGES:
            return asked, True
        remembered = connection.cookies.get(self.cookie)
        if remembered in LANGUAGES:
            return remembered, False
        return DEFAULT_LANGUAGE, False

    def request_language(self, connection: HTTPConnection) -> str:
        """The language set on the request's state by the page middleware, else chosen."""
        language = connection.scope.get("state", {}).get("language")
        return language if language in LANGUAGES else self.chosen_language(connection)[0]
