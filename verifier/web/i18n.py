"""Languages of the employer pages: Dutch (default) and English (see servicekit.i18n)."""

from __future__ import annotations

from servicekit.i18n import LANGUAGES, PageLanguages, Translator
from verifier.web.messages_en import MESSAGES as ENGLISH
from verifier.web.messages_nl import MESSAGES as DUTCH

PAGES = PageLanguages({"nl": DUTCH, "en": ENGLISH}, cookie="od_verifier_lang")
LANGUAGE_COOKIE = PAGES.cookie
translator = PAGES.translator
chosen_language = PAGES.chosen_language

__all__ = ["LANGUAGES", "LANGUAGE_COOKIE", "Translator", "chosen_language",
           "translator"]
