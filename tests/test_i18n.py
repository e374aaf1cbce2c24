"""The page texts' gettext catalogues (servicekit.i18n, <role>/web/locale): Dutch and English
agree, every key the code and templates use has a Dutch text, every key in a catalogue is used,
texts with a count have plural forms, and no English text reaches a Dutch page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from servicekit.i18n import LANGUAGES, REFUSALS, read_catalogue
from servicekit.refusals import Refusals, unbrace
from tests.catalogues import forms_of, key_of
from tests.refusal_sources import raised_messages, role_refusal_sources

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("issuer", "verifier", "wallet")
SHARED_TEMPLATES = ROOT / "servicekit" / "web_templates"  # the form macros of issuer and wallet
# The refusal pages of page sessions (CSRF, too large), named by issuer and wallet alike.
SHARED_SESSION_CODE = ROOT / "servicekit" / "web_session.py"
PLACEHOLDER = re.compile(r"{(\w+)}")
# A key the code builds at run time: t('role.' ~ name) in a template, t(f"check.{name}") in Python.
BUILT_FROM_PREFIX = re.compile(r"""\bt\(\s*f?['"]([a-z0-9_.]+)(?:'\s*~|\{)""")
# ... or from a key the code holds and a suffix: t(message_key ~ '_title').
BUILT_WITH_SUFFIX = re.compile(r"""\bt\(\s*\w+\s*~\s*'([a-z0-9_.]+)'\s*\)""")
KEY_LITERAL = re.compile(r"""["']([a-z][a-z0-9_]*(?:\.[a-z0-9_:]+)+)["']""")


def locale_dir(role: str) -> Path:
    return ROOT / role / "web" / "locale"


def source_dirs(role: str) -> list[Path]:
    return [ROOT / role] + ([SHARED_TEMPLATES] if role != "verifier" else [])


def catalogue(role: str, language: str) -> dict[str, Message]:
    return {key_of(message): message
            for message in read_catalogue(locale_dir(role), language) if message.id}


@dataclass(frozen=True)
class Use:
    key: str
    plural: bool
    where: str


@cache
def extracted(role: str) -> tuple[Use, ...]:
    """The keys Babel extracts with babel.cfg (`pybabel extract` does the same)."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    uses = []
    for directory in source_dirs(role):
        for filename, line, message, _comments, _context in extract_from_dir(
                directory, method_map, options_map):
            key, plural = (message, False) if isinstance(message, str) else (message[0], True)
            uses.append(Use(key, plural, f"{directory.name}/{filename}:{line}"))
    return tuple(uses)


def sources(role: str) -> Iterator[str]:
    for directory in source_dirs(role):
        for path in sorted(directory.rglob("*")):
            if path.suffix in (".py", ".html"):
                yield path.read_text(encoding="utf-8")
    if role != "verifier":
        yield SHARED_SESSION_CODE.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", ROLES)
def test_catalogues_agree(role: str) -> None:
    """nl and en hold the same keys, each with a text (every plural form), the same
    placeholders, and the plural rule of their language from the header."""
    for language in LANGUAGES:
        header: Catalog = read_catalogue(locale_dir(role), language)
        assert header.num_plurals == 2 and header.plural_expr == "(n != 1)", language
    dutch, english = catalogue(role, "nl"), catalogue(role, "en")
    assert dutch.keys() == english.keys()
    for key in dutch:
        nl_forms, en_forms = forms_of(dutch[key]), forms_of(english[key])
        assert dutch[key].pluralizable == english[key].pluralizable, key
        assert all(nl_forms) and all(en_forms), f"{key} has an empty text"
        assert len(nl_forms) == len(en_forms), key
        placeholders = {frozenset(PLACEHOLDER.findall(form)) for form in nl_forms + en_forms}
        assert len(placeholders) == 1, f"{key}: placeholders differ: {placeholders}"


@pytest.mark.parametrize("role", ROLES)
def test_every_key_used_has_a_dutch_text(role: str) -> None:
    """What the code and templates ask for is in the Dutch catalogue, with a text; a text
    shown with a count (`tn`, `t.plural`) has plural forms, and one with plural forms is
    always shown with a count."""
    dutch = catalogue(role, "nl")
    uses = extracted(role)
    assert len(uses) > 50  # the extraction finds the keys (a broken config would find none)
    missing = sorted({f"{use.key} ({use.where})" for use in uses
                      if use.key not in dutch or not all(forms_of(dutch[use.key]))})
    assert missing == []
    plural_keys = {use.key for use in uses if use.plural}
    assert {key for key in plural_keys if not dutch[key].pluralizable} == set()
    singular_uses = {use.key for use in uses if not use.plural}
    assert {key for key, message in dutch.items() if message.pluralizable} - plural_keys == set()
    assert {key for key in singular_uses if dutch[key].pluralizable} == set()


@pytest.mark.parametrize("role", ROLES)
def test_every_key_in_the_catalogue_is_used(role: str) -> None:
    """A key counts as used when extracted, when the code names it (a key chosen before it
    is shown: `done = "evidence.saved"`), or when the code builds it from a prefix it names
    or from a key it names and a suffix."""
    dutch = catalogue(role, "nl")
    used = {use.key for use in extracted(role)}
    prefixes: set[str] = set()
    suffixes: set[str] = set()
    for source in sources(role):
        used |= set(KEY_LITERAL.findall(source))
        prefixes |= set(BUILT_FROM_PREFIX.findall(source))
        suffixes |= set(BUILT_WITH_SUFFIX.findall(source))
    used |= {key + suffix for key in set(used) for suffix in suffixes}
    unused = sorted(key for key in dutch.keys() - used
                    if not any(key.startswith(prefix) for prefix in prefixes))
    assert unused == []


# --- the services' refusals (servicekit.refusals) ---------------------------------------------
@pytest.mark.parametrize("role", ["issuer", "wallet"])
def test_refusal_catalogue_is_current(role: str) -> None:
    """The Dutch catalogue holds exactly the refusals the role's services and pages raise
    (tests/refusal_sources.py), each with a Dutch text that keeps the message's placeholders:
    a new refusal without a translation would reach a Dutch page in English, and a reworded
    one would leave a stale entry. `python -m tests.refusal_catalogue <role>` lists both."""
    refusals = read_catalogue(locale_dir(role), "nl", REFUSALS)
    raised: dict[str, str] = {}
    for msgid, where in raised_messages(role_refusal_sources(role)):
        raised.setdefault(msgid, where)
    messages = {str(message.id): message for message in refusals if message.id}
    assert sorted(messages.keys() - raised.keys()) == []
    assert sorted(f"{msgid} ({where})" for msgid, where in raised.items()
                  if msgid not in messages) == []
    untranslated = sorted(msgid for msgid, message in messages.items()
                          if not message.string or message.fuzzy)
    assert untranslated == []
    for msgid, message in messages.items():
        assert set(PLACEHOLDER.findall(str(message.string))) == set(PLACEHOLDER.findall(msgid)), \
            msgid
    print(f"{role}: {len(messages)} refusals, all in Dutch")


@pytest.mark.parametrize("role", ["issuer", "wallet"])
def test_each_refusal_finds_its_own_translation(role: str) -> None:
    """A refusal as the service raises it (its values filled in) is translated by its own
    entry, not caught first by a more general one ("{where} needs {name}" would catch "the
    title needs ...")."""
    refusals = read_catalogue(locale_dir(role), "nl", REFUSALS)
    translate = Refusals(refusals).translate
    caught = []
    for message in refusals:
        if not message.id:
            continue
        msgid, text = str(message.id), str(message.string)
        values = {name: f"'value {number}'"
                  for number, name in enumerate(PLACEHOLDER.findall(msgid))}
        raised = msgid.format(**values) if values else unbrace(msgid)
        expected = text.format(**values) if values else unbrace(text)
        if translate(raised) != expected:
            caught.append(f"{raised!r} -> {translate(raised)!r}")
    assert caught == []


def test_refusals_in_the_page_language() -> None:
    from wallet.web.i18n import translator

    refusal = "the password must be at least 12 characters"
    assert translator("nl").refusal(refusal) == "Het wachtwoord moet minstens 12 tekens lang zijn."
    assert translator("en").refusal(refusal) == refusal
    unknown = "a refusal no catalogue knows"
    assert translator("nl").refusal(unknown) == unknown
    assert translator("nl").refusal("the zip holds 'a.json' more than once") == \
        "Het zip-bestand bevat 'a.json' meer dan één keer."
    assert translator("nl").refusal("no evidence 'abc' in this dossier") == \
        "Bewijs 'abc' staat niet in dit dossier."
    assert translator("nl").refusal("the archive is refused: wrong password") == \
        "Het archief is geweigerd: Verkeerd wachtwoord."  # a refusal within a refusal
