"""Baked badges: an Open Badges 3.0 credential carried inside its PNG or SVG image
(OB 3.0 §5.3 "Baking").

PNG: one uncompressed iTXt chunk with keyword `openbadgecredential` whose text is the credential
JSON (embedded proof) or the compact JWS (VC-JWT). We write the chunk ourselves, just before
IEND, and copy every other chunk byte for byte, so the image data is never re-encoded.

SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the <svg> element and, directly
after the <svg> tag, `<openbadges:credential>` holding the JSON in a CDATA section, or, for a
VC-JWT, an empty element with the compact JWS in its `verify` attribute.

Re-baking replaces an existing credential. SVG input is first checked with expat, refusing any
entity declaration (no XXE, no "billion laughs"), then edited with lxml, which keeps prefixes,
comments, CDATA and the DOCTYPE as they were.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any
from xml.parsers import expat

from lxml import etree

from standards.errors import StandardsError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = "openbadgecredential"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
OB3_SVG_PREFIX = "openbadges"
MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_CREDENTIAL_BYTES = 5 * 1024 * 1024

_ITXT_PREFIX = PNG_KEYWORD.encode("latin-1") + b"\x00"
_CREDENTIAL_TAG = f"{{{OB3_SVG_NAMESPACE}}}credential"
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")

Credential = dict[str, Any] | str


class BakingError(StandardsError):
    """An image cannot be baked or unbaked: wrong format, malformed, unsafe or too large."""


# --- credential text ------------------------------------------------------------------------
def _credential_text(credential: Credential) -> tuple[str, bool]:
    """The text to embed and whether it is a compact JWS (VC-JWT)."""
    if isinstance(credential, dict):
        text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
        is_jws = False
    elif isinstance(credential, str):
        text = credential.strip()
        is_jws = not text.startswith("{")
        parse_credential_text(text)  # refuses anything that is neither JSON object nor JWS
    else:
        raise BakingError(
            f"a credential to bake must be a dict or a string, got {type(credential).__name__}"
        )
    if len(text.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise BakingError(f"the credential is larger than {MAX_CREDENTIAL_BYTES} bytes")
    return text, is_jws


def parse_credential_text(text: str) -> dict[str, Any] | str:
    """A baked credential's text as a JSON object (embedded proof) or a compact JWS string."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BakingError(f"the baked credential is not valid JSON: {exc}") from exc
        if not isinstance(value, dict):
            raise BakingError("the baked credential JSON is not an object")
        return value
    if _COMPACT_JWS.fullmatch(text):
        return text
    raise BakingError("the baked credential is neither a JSON object nor a compact JWS")


def _check_size(data: bytes | str, what: str) -> None:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    if size > MAX_IMAGE_BYTES:
        raise BakingError(f"{what} is {size} bytes, more than the {MAX_IMAGE_BYTES} byte limit")


# --- PNG ------------------------------------------------------------------------------------
def _png_chunks(png: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """(type, data, raw chunk bytes) for each chunk up to and including IEND, CRCs checked."""
    _check_size(png, "the PNG image")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (the PNG signature is missing)")
    chunks: list[tuple[bytes, bytes, bytes]] = []
    pos = len(PNG_SIGNATURE)
    while True:
        if pos + 12 > len(png):
            raise BakingError("the PNG image is truncated (no IEND chunk)")
        length, chunk_type = struct.unpack(">I4s", png[pos : pos + 8])
        end = pos + 12 + length
        if length > 0x7FFFFFFF or end > len(png):
            raise BakingError(f"the PNG chunk {chunk_type!r} runs past the end of the file")
        data = png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[end - 4 : end])
        if zlib.crc32(chunk_type + data) != crc:
            raise BakingError(f"the PNG chunk {chunk_type!r} has a wrong CRC (corrupt file)")
        chunks.append((chunk_type, data, png[pos:end]))
        pos = end
        if chunk_type == b"IEND":
            break
    if chunks[0][0] != b"IHDR":
        raise BakingError("the PNG image does not start with an IHDR chunk")
    return chunks


def _is_credential_chunk(chunk_type: bytes, data: bytes) -> bool:
    return chunk_type == b"iTXt" and data.startswith(_ITXT_PREFIX)


def _itxt_text(data: bytes) -> str:
    """The text of an openbadgecredential iTXt chunk (PNG spec §11.3.4.5 layout)."""
    rest = data[len(_ITXT_PREFIX) :]
    if len(rest) < 2:
        raise BakingError("the openbadgecredential iTXt chunk is truncated")
    compression_flag, compression_method = rest[0], rest[1]
    _language_tag, sep1, rest = rest[2:].partition(b"\x00")
    _translated_keyword, sep2, text = rest.partition(b"\x00")
    if not (sep1 and sep2):
        raise BakingError("the openbadgecredential iTXt chunk is malformed")
    if compression_flag == 1 and compression_method == 0:
        # The spec forbids compression, but reading it costs little; cap the output.
        inflater = zlib.decompressobj()
        try:
            text = inflater.decompress(text, MAX_CREDENTIAL_BYTES + 1)
        except zlib.error as exc:
            raise BakingError(f"the compressed iTXt credential is corrupt: {exc}") from exc
        if len(text) > MAX_CREDENTIAL_BYTES or not inflater.eof:
            raise BakingError("the compressed iTXt credential is too large or truncated")
    elif compression_flag != 0:
        raise BakingError(f"unknown iTXt compression flag {compression_flag}")
    try:
        return text.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError("the openbadgecredential iTXt text is not UTF-8") from exc


def _itxt_chunk(text: str) -> bytes:
    # keyword NUL, compression flag 0, method 0, empty language tag NUL, empty translated
    # keyword NUL, UTF-8 text.
    data = _ITXT_PREFIX + b"\x00\x00" + b"\x00" + b"\x00" + text.encode("utf-8")
    return (
        struct.pack(">I", len(data))
        + b"iTXt"
        + data
        + struct.pack(">I", zlib.crc32(b"iTXt" + data))
    )


def bake_png(png: bytes, credential: Credential) -> bytes:
    """`png` with the credential in an openbadgecredential iTXt chunk (replacing any old one)."""
    text, _ = _credential_text(credential)
    chunks = _png_chunks(png)
    out = [PNG_SIGNATURE]
    for chunk_type, data, raw in chunks:
        if _is_credential_chunk(chunk_type, data):
            continue
        if chunk_type == b"IEND":
            out.append(_itxt_chunk(text))
        out.append(raw)
    return b"".join(out)


def unbake_png(png: bytes) -> str:
    """The text of the openbadgecredential iTXt chunk: credential JSON or compact JWS."""
    found = [
        data for chunk_type, data, _ in _png_chunks(png) if _is_credential_chunk(chunk_type, data)
    ]
    if not found:
        raise BakingError("the PNG image carries no openbadgecredential iTXt chunk")
    if len(found) > 1:
        raise BakingError(
            f"the PNG image has {len(found)} openbadgecredential iTXt chunks; "
            "the spec allows only one"
        )
    return _itxt_text(found[0])


# --- SVG ------------------------------------------------------------------------------------
def _svg_bytes(svg: str | bytes) -> bytes:
    _check_size(svg, "the SVG image")
    if isinstance(svg, bytes):
        try:
            svg = svg.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BakingError("the SVG image is not UTF-8 text") from exc
    return svg.encode("utf-8")


def _refuse_unsafe_xml(data: bytes) -> None:
    """Parse once with expat, refusing entity declarations and external entities."""

    def refuse_entity(name: str, *_: Any) -> None:
        raise BakingError(
            f"the SVG declares the entity {name!r}; entity declarations are refused "
            "(XML external entity / entity expansion attack)"
        )

    def refuse_external(*_: Any) -> int:
        raise BakingError("the SVG references an external entity; refused")

    parser = expat.ParserCreate("utf-8")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.ExternalEntityRefHandler = refuse_external
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise BakingError(f"the SVG image is not well-formed XML: {exc}") from exc


def _parse_svg(svg: str | bytes) -> etree._Element:
    data = _svg_bytes(svg)
    _refuse_unsafe_xml(data)
    parser = etree.XMLParser(
        encoding="utf-8",
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        strip_cdata=False,
        remove_blank_text=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise BakingError(f"the SVG image is not well-formed XML: {exc}") from exc
    name = etree.QName(root)
    if name.localname != "svg" or name.namespace not in (SVG_NAMESPACE, None):
        raise BakingError(f"not an SVG image (the root element is {root.tag!r})")
    return root


def _remove_element(element: etree._Element) -> None:
    """Remove `element`, keeping its tail text unless it is only whitespace."""
    parent = element.getparent()
    tail = element.tail or ""
    if tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def bake_svg(svg: str | bytes, credential: Credential) -> str:
    """`svg` with the credential in an <openbadges:credential> element (replacing any old one)."""
    text, is_jws = _credential_text(credential)
    root = _parse_svg(svg)
    bound = root.nsmap.get(OB3_SVG_PREFIX)
    if bound not in (None, OB3_SVG_NAMESPACE):
        raise BakingError(
            f"the SVG already binds the prefix {OB3_SVG_PREFIX!r} to {bound!r} "
            "(an Open Badges 2.0 baked image?); refusing to mix them"
        )
    for old in list(root.iter(_CREDENTIAL_TAG)):
        _remove_element(old)

    element = etree.Element(_CREDENTIAL_TAG, nsmap={OB3_SVG_PREFIX: OB3_SVG_NAMESPACE})
    if is_jws:
        element.set("verify", text)
    else:
        # "]]>" can only occur inside a JSON string, where "\u003e" means the same ">".
        element.text = etree.CDATA(text.replace("]]>", "]]\\u003e"))
    element.tail = root.text
    root.insert(0, element)
    # Declare the prefix on <svg> itself, as the spec asks, keeping every other declaration.
    prefixes = {p for e in root.iter() if isinstance(e.tag, str) for p in e.nsmap if p}
    etree.cleanup_namespaces(
        root, top_nsmap={OB3_SVG_PREFIX: OB3_SVG_NAMESPACE}, keep_ns_prefixes=sorted(prefixes)
    )
    serialized: str = etree.tostring(root.getroottree(), encoding="unicode")
    source_start = (svg if isinstance(svg, str) else svg.decode("utf-8", "replace"))[:64]
    if source_start.lstrip("\ufeff \t\r\n").startswith("<?xml"):
        serialized = '<?xml version="1.0" encoding="UTF-8"?>\n' + serialized
    return serialized


def unbake_svg(svg: str | bytes) -> str:
    """The baked credential of an SVG: the `verify` JWS, or the JSON text of the element."""
    root = _parse_svg(svg)
    found = list(root.iter(_CREDENTIAL_TAG))
    if not found:
        raise BakingError("the SVG image carries no <openbadges:credential> element")
    if len(found) > 1:
        raise BakingError(
            f"the SVG image has {len(found)} <openbadges:credential> elements; "
            "the spec allows only one"
        )
    element = found[0]
    verify: str | None = element.get("verify")
    if verify is not None and verify.strip():
        return verify.strip()
    text = (element.text or "").strip()
    if not text:
        raise BakingError("the <openbadges:credential> element is empty")
    return text


# --- either format --------------------------------------------------------------------------
def _is_png(data: bytes) -> bool:
    return data.startswith(PNG_SIGNATURE)


def _looks_like_xml(data: bytes) -> bool:
    return data.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n").startswith(b"<")


def bake(image: bytes, credential: Credential) -> bytes:
    """Bake into a PNG or SVG image, told apart by content."""
    if not isinstance(image, bytes):
        raise BakingError(f"image must be bytes, got {type(image).__name__}")
    if _is_png(image):
        return bake_png(image, credential)
    if _looks_like_xml(image):
        return bake_svg(image, credential).encode("utf-8")
    raise BakingError("the image is neither PNG nor SVG; only those can be baked")


def unbake(data: bytes) -> dict[str, Any] | str:
    """The credential baked into a PNG or SVG: a dict (embedded proof) or a compact JWS."""
    if not isinstance(data, bytes):
        raise BakingError(f"image must be bytes, got {type(data).__name__}")
    if _is_png(data):
        return parse_credential_text(unbake_png(data))
    if _looks_like_xml(data):
        return parse_credential_text(unbake_svg(data))
    raise BakingError("the image is neither PNG nor SVG; no baked credential can be read")
