"""Languages of the employer pages: Dutch (default) and English, from the catalogues in
verifier/web/locale (see servicekit.i18n)."""

from __future__ import annotations

from pathlib import Path

from servicekit.i18n import LANGUAGES, PageLanguages, Translator

LOCALE_DIR = Path(__file__).parent / "locale"
PAGES = PageLanguages(LOCALE_DIR, cookie="od_verifier_lang")
LANGUAGE_COOKIE = PAGES.cookie
translator = PAGES.translator
chosen_language = PAGES.chosen_language

__all__ = ["LANGUAGES", "LANGUAGE_COOKIE", "LOCALE_DIR", "Translator", "chosen_language",
           "translator"]
