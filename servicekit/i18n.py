"""Languages of the web pages: Dutch (default) and English, from gettext message catalogues.

Each role keeps its texts in Babel catalogues, `<role>/web/locale/<language>/LC_MESSAGES/
messages.po`; the msgid is the symbolic key the pages use (`t("nav.home")`), the msgstr the
text, with `{name}` placeholders. The .po files are read at start-up (no compile step, so a
fresh clone runs as it is). Texts that show a count have plural forms, chosen by the rule in
the catalogue's `Plural-Forms` header: `t.plural("sharing.list.items", n)` in Python,
`tn('sharing.list.items', n)` in templates. `babel.cfg` extracts the keys from code and
templates; tests/test_i18n.py checks the catalogues against them. A service's refusal shown on
a page goes through `t.refusal(message)` (servicekit.refusals).

`?lang=en` or `?lang=nl` on any page chooses the language and keeps it in a cookie; without
either, the cookie decides, and without a cookie the pages are Dutch. Each service has its
own catalogues and cookie, and one `PageLanguages` over them.
"""

from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from jinja2 import pass_context
from jinja2.runtime import Context
from starlette.requests import HTTPConnection

from servicekit.refusals import Refusals

LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
DOMAIN = "messages"
REFUSALS = "refusals"  # the domain of the services' refusals (servicekit.refusals)


def catalogue_path(locale_dir: Path, language: str, domain: str = DOMAIN) -> Path:
    return locale_dir / language / "LC_MESSAGES" / f"{domain}.po"


def read_catalogue(locale_dir: Path, language: str, domain: str = DOMAIN) -> Catalog:
    with catalogue_path(locale_dir, language, domain).open("rb") as po:
        return read_po(po, locale=language, domain=domain)


def refusal_catalogue(locale_dir: Path, language: str) -> Catalog | None:
    """The role's refusals in `language`; English has none (the services speak it)."""
    if not catalogue_path(locale_dir, language, REFUSALS).exists():
        return None
    return read_catalogue(locale_dir, language, REFUSALS)


def compiled(catalogue: Catalog) -> Translations:
    """The catalogue as gettext translations (compiled in memory, as `pybabel compile` would
    to a .mo file); untranslated and fuzzy entries are left out, so their key shows."""
    mo = BytesIO()
    write_mo(mo, catalogue)
    mo.seek(0)
    return Translations(mo, domain=catalogue.domain)


class Translator:
    """The texts of one language. A key missing from the catalogue shows as itself, so a
    mistake is visible on the page (and the catalogue test fails) instead of breaking it."""

    def __init__(self, translations: Translations, refusals: Refusals) -> None:
        self.translations = translations
        self.refusals = refusals

    def __call__(self, key: str, **values: Any) -> str:
        text = self.translations.gettext(key)
        return text.format(**values) if values else text

    def plural(self, key: str, count: int, **values: Any) -> str:
        """The form of `key` for `count` things; `{count}` in the text is the number."""
        return self.translations.ngettext(key, key, count).format(count=count, **values)

    def refusal(self, message: str) -> str:
        """A service's refusal (English) in this language, as far as the catalogue knows it
        (see servicekit.refusals)."""
        return self.refusals.translate(message)


@pass_context
def template_plural(context: Context, key: str, count: int, **values: Any) -> str:
    """`tn(key, count)` in templates: the plural form in the page's language (its `t`).
    A function of its own name because Babel's Jinja2 extractor finds names, not `t.plural`."""
    translator: Translator = context["t"]
    return translator.plural(key, count, **values)


class PageLanguages:
    def __init__(self, locale_dir: Path, cookie: str) -> None:
        self.locale_dir = locale_dir
        self.cookie = cookie
        self.translators = {
            language: Translator(compiled(read_catalogue(locale_dir, language)),
                                 Refusals(refusal_catalogue(locale_dir, language)))
            for language in LANGUAGES}

    def translator(self, language: str) -> Translator:
        return self.translators.get(language, self.translators[DEFAULT_LANGUAGE])

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
