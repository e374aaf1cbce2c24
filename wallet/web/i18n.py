"""Languages of the wallet's pages: Dutch (default) and English (see servicekit.i18n).
Each area of the pages keeps its texts in its own module under wallet/web/messages."""

from __future__ import annotations

from servicekit.i18n import LANGUAGES, PageLanguages, Translator
from wallet.web.messages import archive, common, credentials, evidence, reflections, sharing

AREAS = (common, evidence, credentials, sharing, reflections, archive)
PAGES = PageLanguages({"nl": {k: v for area in AREAS for k, v in area.NL.items()},
                       "en": {k: v for area in AREAS for k, v in area.EN.items()}},
                      cookie="od_wallet_lang")
LANGUAGE_COOKIE = PAGES.cookie
translator = PAGES.translator
chosen_language = PAGES.chosen_language
request_language = PAGES.request_language

__all__ = ["LANGUAGES", "LANGUAGE_COOKIE", "Translator", "chosen_language", "request_language",
           "translator"]
