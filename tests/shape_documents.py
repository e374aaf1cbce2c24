"""Hypothesis strategies for the shape-template differential test: JSON-LD credentials of many
shapes, and families of documents that share a skeleton and differ in string values.

The inline context gives every kind of position that steers JSON-LD processing differently:
plain and typed literals, @id- and @vocab-coerced values, xsd:double and @json, @list,
language maps, a default language and direction, a prefix, terms that look like IRIs, a
type-scoped and a property-scoped context that change how a term is coerced.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from standards.shape_key import shape_of, with_strings

VC2 = "https://www.w3.org/ns/credentials/v2"
EX = "https://ex.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"

INLINE_CONTEXT: dict[str, Any] = {
    "ex": f"{EX}ns#",
    "lit": f"{EX}lit",
    "lit2": f"{EX}lit2",
    "idref": {"@id": f"{EX}idref", "@type": "@id"},
    "vocabref": {"@id": f"{EX}vocabref", "@type": "@vocab"},
    "typed": {"@id": f"{EX}typed", "@type": f"{XSD}date"},
    "dbl": {"@id": f"{EX}dbl", "@type": f"{XSD}double"},
    "int": {"@id": f"{EX}int", "@type": f"{XSD}integer"},
    "js": {"@id": f"{EX}js", "@type": "@json"},
    "ordered": {"@id": f"{EX}ordered", "@container": "@list"},
    "names": {"@id": f"{EX}names", "@container": "@language"},
    "english": {"@id": f"{EX}english", "@language": "en"},
    "hebrew": {"@id": f"{EX}hebrew", "@language": "he", "@direction": "rtl"},
    "part": f"{EX}part",
    "Thing": f"{EX}Thing",
    "Other": {"@id": f"{EX}Other",
              "@context": {"lit": {"@id": f"{EX}lit-as-id", "@type": "@id"}}},
    "scoped": {"@id": f"{EX}scoped", "@context": {"lit2": {"@id": f"{EX}lit2-typed",
                                                          "@type": f"{XSD}token"}}},
    "https://ex.org/colon-term": {"@id": "https://ex.org/colon-term"},
    "ex:colon": {"@id": "ex:colon"},
}

# Strings that probe every branch: IRIs of several schemes and forms, compact IRIs and terms,
# keywords and keyword look-alikes, blank node ids, relative IRIs, the issuer-dependent
# namespace, characters N-Quads escapes, empty and non-ASCII strings.
TRICKY_STRINGS = [
    "https://ex.org/a", "https://ex.org/b", "https://ex.org/colon-term", "http://ex.org/c",
    "urn:uuid:0b5a1f9e-1f4b-4c1c-9d0e-5e1d2a3b4c5d", "urn:uuid:ffffffff-0000-4000-8000-00000000",
    "did:example:alice", "did:example:bob", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta",
    "ex:thing", "ex:colon", "ex://slashes", "mailto:someone@ex.org", "Thing", "Other", "lit",
    "@id", "@type", "@vocab", "@none", "@nonsense", "_:b0", "_:x", "relative/path", "#frag",
    "https://www.w3.org/ns/credentials/issuer-dependent#Thing", "2024-06-14", "1.5", "NaN",
    "ltr", "en", "", " ", "a\nb", 'quote " and \\ backslash', "tab\there", "ünïcödé ✓",
    "https://ex.org/a b", "https://ex.org/<x>",
]

strings = st.one_of(st.sampled_from(TRICKY_STRINGS), st.text(max_size=12))
iri_values = st.sampled_from([s for s in TRICKY_STRINGS if ":" in s and " " not in s])
types = st.sampled_from(["Thing", "Other", "https://ex.org/Free", "ex:Typed", "Thing"])


@st.composite
def nodes(draw: st.DrawFn, depth: int = 0) -> dict[str, Any]:
    """A node object with some of the context's terms."""
    node: dict[str, Any] = {}
    if draw(st.booleans()):
        node["id"] = draw(iri_values)
    if draw(st.booleans()):
        node["type"] = draw(st.one_of(types, st.lists(types, min_size=1, max_size=3)))
    keys = draw(st.lists(st.sampled_from(sorted(_VALUES)), max_size=5, unique=True))
    for key in keys:
        node[key] = draw(_VALUES[key])
    if depth < 2 and draw(st.booleans()):
        key = draw(st.sampled_from(["part", "scoped"]))
        node[key] = draw(st.one_of(nodes(depth + 1),
                                   st.lists(nodes(depth + 1), min_size=1, max_size=2)))
    return node


def _one_or_many(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


_numbers = st.one_of(st.integers(-10**6, 10**6), st.floats(allow_nan=False,
                                                           allow_infinity=False, width=32),
                     st.booleans())
_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "lit": _one_or_many(strings),
    "lit2": _one_or_many(st.one_of(strings, _numbers)),
    "idref": _one_or_many(iri_values),
    "vocabref": _one_or_many(st.one_of(iri_values, st.sampled_from(["Thing", "lit"]))),
    "typed": _one_or_many(strings),
    "dbl": _one_or_many(st.one_of(strings, _numbers)),
    "int": _one_or_many(st.one_of(st.integers(-5, 10**22), strings)),
    "js": st.one_of(strings, st.dictionaries(st.sampled_from(["a", "b", "@id"]), strings,
                                             max_size=2)),
    "ordered": st.lists(st.one_of(strings, st.fixed_dictionaries({"lit": strings})),
                        max_size=3),
    "names": st.dictionaries(st.sampled_from(["en", "nl", "@none"]), strings, min_size=1),
    "english": _one_or_many(strings),
    "hebrew": strings,
    "ex:free": _one_or_many(strings),
    "https://ex.org/colon-term": strings,
    "valueObject": st.one_of(
        st.fixed_dictionaries({"@value": strings, "@language": st.sampled_from(["en", "fr"])}),
        st.fixed_dictionaries({"@value": strings, "@direction": st.sampled_from(["ltr", "rtl"])}),
        st.fixed_dictionaries({"@value": strings, "@type": st.sampled_from(
            [f"{XSD}date", "ex:dt", f"{XSD}double"])})),
}
_VALUES["lit"] = st.one_of(_VALUES["lit"], _VALUES["valueObject"])
del _VALUES["valueObject"]


@st.composite
def credentials(draw: st.DrawFn) -> dict[str, Any]:
    """A credential-like document: VC 2.0 and the inline context, nested nodes, maybe a
    nested credential in the subject."""
    document: dict[str, Any] = {"@context": [VC2, INLINE_CONTEXT]}
    document.update(draw(nodes()))
    document["type"] = ["VerifiableCredential", *draw(st.lists(types, max_size=1))]
    subject = draw(nodes())
    if draw(st.booleans()):
        subject["part"] = {"@context": [VC2, INLINE_CONTEXT], "type": "VerifiableCredential",
                           "credentialSubject": draw(nodes(1))}
    document["credentialSubject"] = subject
    return document


@st.composite
def families(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A credential and variants of it with the same skeleton: string values replaced by
    other strings, by IRIs of other schemes, or by another value of the same document
    (so nodes and values may become equal)."""
    document = draw(credentials())
    shape = shape_of(document)
    assert shape is not None
    family = [document]
    count = len(shape.strings)
    for _ in range(draw(st.integers(2, 5))):
        if count == 0:
            family.append(document)
            continue
        positions = draw(st.lists(st.integers(0, count - 1), max_size=4, unique=True))
        replacements = {i: draw(st.one_of(strings, st.sampled_from(shape.strings),
                                          _same_scheme(shape.strings[i])))
                        for i in positions}
        family.append(with_strings(document, replacements))
    return family


def _same_scheme(value: str) -> st.SearchStrategy[str]:
    if ":" not in value:
        return st.text(min_size=1, max_size=8)
    scheme, rest = value.split(":", 1)
    slashes = "//" if rest.startswith("//") else ""
    return st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1,
                   max_size=8).map(lambda tail: f"{scheme}:{slashes}{tail}")
