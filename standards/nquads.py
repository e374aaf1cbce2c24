"""N-Quads parsing into pyld's dataset form, for the RDFC-1.0 canonicaliser.

pyld's own parser lacks the ``\\b``, ``\\f``, ``\\'``, ``\\uXXXX`` and ``\\UXXXXXXXX``
escapes and splits lines at Unicode line separators that may sit inside literals.
"""

from __future__ import annotations

import re

from standards.errors import CanonicalizationError

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Component = dict[str, str]
Quad = dict[str, Component]


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
