"""N-Quads for the RDFC-1.0 canonicaliser: parsing into pyld's dataset form, checking that
form, and writing canonical N-Quads terms and lines.

pyld's own parser lacks the ``\\b``, ``\\f``, ``\\'``, ``\\uXXXX`` and ``\\UXXXXXXXX``
escapes and splits lines at Unicode line separators that may sit inside literals. pyld's
serialiser escapes literals its own way (only backslash, quote, tab, LF, CR), while RDFC-1.0's
canonical N-Quads also use ECHAR for BS and FF and UCHAR (``\\u00XX``, uppercase hex) for the
other control characters.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from standards.errors import CanonicalizationError

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Component = dict[str, str]
Quad = dict[str, Component]


# --- canonical N-Quads terms (RDFC-1.0) -----------------------------------------------------

LITERAL_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
LITERAL_ESCAPES.update(
    {ord(c): e for c, e in {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r",
                             "\b": "\\b", "\t": "\\t", "\f": "\\f"}.items()}
)
NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def escape_literal(value: str) -> str:
    """The lexical form as RDFC-1.0 canonical N-Quads write it between the quotes."""
    if NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(LITERAL_ESCAPES)


def literal_term(value: str, datatype: str, language: str | None) -> str:
    """A literal in canonical form: a language tag only on rdf:langString (and only when
    there is one), no datatype on xsd:string."""
    text = '"' + escape_literal(value) + '"'
    if datatype == RDF_LANGSTRING:
        return text + "@" + language if language else text
    return text if datatype == XSD_STRING else text + "^^<" + datatype + ">"


def term_text(component: Component) -> str:
    """A term as canonical N-Quads write it; a blank node by its label in the input."""
    kind = component["type"]
    if kind == "IRI":
        return "<" + component["value"] + ">"
    if kind == "blank node":
        return component["value"]
    return literal_term(component["value"], component.get("datatype", XSD_STRING),
                        component.get("language"))


# --- pyld's dataset form --------------------------------------------------------------------


def check_term(component: Any, allowed: tuple[str, ...], position: str) -> None:
    """Refuse a term of pyld's dataset form that is not one of `allowed` with text values."""
    try:
        valid = component["type"] in allowed and type(component["value"]) is str
        if valid and component["type"] == "literal":
            valid = all(type(component.get(k, "")) is str for k in ("datatype", "language"))
        elif valid and component["type"] == "blank node":
            # pyld's form tells a blank-node graph name from an IRI by this prefix only
            valid = component["value"].startswith("_:")
    except (KeyError, TypeError):
        valid = False
    if not valid:
        raise CanonicalizationError(
            f"malformed RDF dataset: {position} must be an RDF term of type {allowed} "
            f"with text values (blank nodes labelled _:...), got {component!r}"
        )


def nquad_line(quad: Quad, label: Callable[[str], str]) -> str:
    """One canonical N-Quads line; `label` gives the label written for each blank node."""
    s, o, g = quad["subject"], quad["object"], quad.get("name")
    line = (
        (label(s["value"]) if s["type"] == "blank node" else "<" + s["value"] + ">")
        + " <" + quad["predicate"]["value"] + "> "
        + (label(o["value"]) if o["type"] == "blank node" else term_text(o))
    )
    if g is not None:
        line += " " + (label(g["value"]) if g["type"] == "blank node" else "<" + g["value"] + ">")
    return line + " .\n"


def object_key(term: Component) -> tuple[str, ...]:
    """What tells two objects apart as canonical N-Quads write them (a literal without a
    datatype is an xsd:string; the language only counts on a langString)."""
    if term["type"] != "literal":
        return (term["value"],)
    datatype = term.get("datatype", XSD_STRING)
    language = term.get("language") if datatype == RDF_LANGSTRING else None
    return term["value"], datatype, language or ""


# --- parsing ---------------------------------------------------------------------------------


class NQuadsSyntaxError(CanonicalizationError):
    """The text is not valid N-Quads."""


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>"
_PN_CHARS_U = (
    "A-Za-z_:\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_BNODE = f"(_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
_LITERAL = (
    r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"'
    + r"(?:\^\^" + _IRI + r"|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
)
_WS = r"[ \t]*"
_QUAD = re.compile(
    "^" + _WS + f"(?:{_IRI}|{_BNODE})" + _WS + _IRI + _WS + f"(?:{_IRI}|{_BNODE}|{_LITERAL})"
    + _WS + f"(?:(?:{_IRI}|{_BNODE}){_WS})?" + r"\." + _WS + "(?:#.*)?$"
)
_BLANK_OR_COMMENT = re.compile("^" + _WS + "(?:#.*)?$")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _unescape_match(match: re.Match[str]) -> str:
    if match.group(3) is not None:
        return _ECHARS[match.group(3)]
    code_point = int(match.group(1) or match.group(2), 16)
    if 0xD800 <= code_point <= 0xDFFF or code_point > 0x10FFFF:
        raise NQuadsSyntaxError(f"escape {match.group(0)} is not a Unicode scalar value")
    return chr(code_point)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


def _iri(raw: str) -> Component:
    value = _unescape(raw)
    if not _SCHEME.match(value):
        raise NQuadsSyntaxError(f"IRI <{value}> is not absolute")
    return {"type": "IRI", "value": value}


def parse_nquads(text: str) -> dict[str, list[dict[str, Component]]]:
    """Parse N-Quads into pyld's dataset form, dropping repeated quads.

    Raises NQuadsSyntaxError (a CanonicalizationError) naming the line that does not parse."""
    dataset: dict[str, list[dict[str, Component]]] = {}
    seen: set[tuple[str | None, ...]] = set()
    # N-Quads lines end at CR or LF only: U+2028, U+0085 etc. are legal inside literals.
    for number, line in enumerate(re.split(r"\r\n?|\n", text), start=1):
        match = _QUAD.match(line)
        if match is None:
            if _BLANK_OR_COMMENT.match(line):
                continue
            raise NQuadsSyntaxError(f"invalid N-Quads at line {number}: {line[:200]!r}")
        (s_iri, s_bnode, p_iri, o_iri, o_bnode, o_lexical, o_datatype, o_language,
         g_iri, g_bnode) = match.groups()
        try:
            subject = _iri(s_iri) if s_iri is not None else {"type": "blank node",
                                                               "value": s_bnode}
            obj: Component
            if o_iri is not None:
                obj = _iri(o_iri)
            elif o_bnode is not None:
                obj = {"type": "blank node", "value": o_bnode}
            else:
                obj = {"type": "literal", "value": _unescape(o_lexical)}
                if o_language is not None:
                    obj["datatype"] = RDF_LANGSTRING
                    obj["language"] = o_language
                else:
                    obj["datatype"] = _iri(o_datatype)["value"] if o_datatype else XSD_STRING
            graph = _iri(g_iri)["value"] if g_iri is not None else g_bnode or "@default"
            predicate = _iri(p_iri)
        except NQuadsSyntaxError as exc:
            raise NQuadsSyntaxError(f"invalid N-Quads at line {number}: {exc}") from None
        key = (subject["value"], predicate["value"], obj["type"], obj["value"],
               obj.get("datatype"), obj.get("language"), graph)
        if key not in seen:
            seen.add(key)
            dataset.setdefault(graph, []).append(
                {"subject": subject, "predicate": predicate, "object": obj}
            )
    return dataset
