"""Languages of the staff pages: Dutch (default) and English (see servicekit.i18n)."""

from __future__ import annotations

from issuer.web.messages_en import MESSAGES as ENGLISH
from issuer.web.messages_nl import MESSAGES as DUTCH
from servicekit.i18n import LANGUAGES, PageLanguages, Translator

PAGES = PageLanguages({"nl": DUTCH, "en": ENGLISH}, cookie="od_lang")
LANGUAGE_COOKIE = PAGES.cookie
translator = PAGES.translator
chosen_language = PAGES.chosen_language
request_language = PAGES.request_language

__all__ = ["LANGUAGES", "LANGUAGE_COOKIE", "Translator", "chosen_language", "request_language",
           "translator"]
