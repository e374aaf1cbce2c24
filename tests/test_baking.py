"""Baked badges (OB 3.0 §5.3): PNG iTXt `openbadgecredential` and SVG <openbadges:credential>."""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import pytest
from lxml import etree
from PIL import Image, PngImagePlugin

from standards.baking import (
    MAX_IMAGE_BYTES,
    OB3_SVG_NAMESPACE,
    BakingError,
    bake,
    bake_png,
    bake_svg,
    unbake,
    unbake_png,
    unbake_svg,
)

CREDENTIAL: dict[str, Any] = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ],
    "id": "urn:uuid:2f6c3c1e-6d8f-4b53-9a4b-6b5e0f0e8d11",
    "type": ["VerifiableCredential", "OpenBadgeCredential"],
    "issuer": {"id": "https://example.edu/issuers/565049", "type": ["Profile"], "name": "École"},
    "validFrom": "2025-01-01T00:00:00Z",
    "name": "Teamwork ✓",
    "credentialSubject": {"type": ["AchievementSubject"], "achievement": {"name": "a]]>b"}},
    "proof": [{"type": "DataIntegrityProof", "proofValue": "z3FXQjecWufY46"}],
}
JWS = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2xkK2p3dCJ9.eyJpZCI6InVybjp1dWlkOjEifQ.c2lnbmF0dXJl"
SVG_NS = "http://www.w3.org/2000/svg"

SVG = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 512 512">
  <title>Teamwork badge</title>
  <!-- rest-of-image -->
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fc0"/></linearGradient></defs>
  <circle cx="256" cy="256" r="200" fill="url(#g)"/>
  <use xlink:href="#g"/>
</svg>
"""


# --- helpers --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def png() -> bytes:
    """A real RGBA PNG with a pixel pattern and an unrelated tEXt chunk, written by Pillow."""
    image = Image.new("RGBA", (32, 24))
    image.putdata(
        [(x * 8 % 256, y * 10 % 256, (x * y) % 256, 255 - x) for y in range(24) for x in range(32)]
    )
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", "OpenDossier test")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, read independently of the module under test."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    found, pos = [], 8
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        chunk_type = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(chunk_type + body)
        found.append((chunk_type, body))
        pos += 12 + length
    return found


def pixels(data: bytes) -> bytes:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return image.convert("RGBA").tobytes()


def with_chunk(png_bytes: bytes, chunk_type: bytes, body: bytes) -> bytes:
    """`png_bytes` with one more chunk just before IEND (IEND is always the last 12 bytes)."""
    chunk = struct.pack(">I", len(body)) + chunk_type + body
    chunk += struct.pack(">I", zlib.crc32(chunk_type + body))
    return png_bytes[:-12] + chunk + png_bytes[-12:]


# --- PNG ------------------------------------------------------------------------------------
def test_png_round_trip_keeps_the_image(png: bytes) -> None:
    baked = bake_png(png, CREDENTIAL)
    assert json.loads(unbake_png(baked)) == CREDENTIAL
    assert unbake(baked) == CREDENTIAL
    assert pixels(baked) == pixels(png)
    # Every original chunk survives byte for byte and in order; only the iTXt is added.
    assert [c for c in chunks(baked) if c[0] != b"iTXt"] == chunks(png)
    # Pillow, an independent reader, finds the same text.
    with Image.open(io.BytesIO(baked)) as image:
        image.verify()
    with Image.open(io.BytesIO(baked)) as image:
        image.load()
        assert isinstance(image, PngImagePlugin.PngImageFile)
        assert json.loads(image.text["openbadgecredential"]) == CREDENTIAL
        assert image.text["Software"] == "OpenDossier test"


def test_png_itxt_layout_at_the_byte_level(png: bytes) -> None:
    baked = bake_png(png, CREDENTIAL)
    layout = chunks(baked)
    assert [t for t, _ in layout][-2:] == [b"iTXt", b"IEND"]
    body = layout[-2][1]
    # keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty
    # translated keyword NUL, then the uncompressed UTF-8 text.
    prefix = b"openbadgecredential\x00" + b"\x00\x00" + b"\x00" + b"\x00"
    assert body.startswith(prefix)
    assert json.loads(body[len(prefix) :].decode("utf-8")) == CREDENTIAL
    # The chunk's length field and CRC frame exactly that body.
    start = baked.index(b"iTXt") - 4
    assert struct.unpack(">I", baked[start : start + 4])[0] == len(body)


def test_png_jws_round_trip(png: bytes) -> None:
    baked = bake(png, JWS)
    assert unbake_png(baked) == JWS
    assert unbake(baked) == JWS


def test_png_rebake_replaces_the_credential(png: bytes) -> None:
    once = bake_png(png, CREDENTIAL)
    twice = bake_png(once, JWS)
    credential_chunks = [
        b for t, b in chunks(twice) if t == b"iTXt" and b.startswith(b"openbadgecredential\x00")
    ]
    assert len(credential_chunks) == 1
    assert unbake(twice) == JWS
    assert bake_png(twice, CREDENTIAL) == once  # baking is a pure function of image + credential


def test_png_written_by_pillow_is_read(png: bytes) -> None:
    """Interop: an iTXt written by another implementation (Pillow), compressed or not."""
    for compress in (False, True):
        info = PngImagePlugin.PngInfo()
        info.add_itxt("openbadgecredential", JWS, zip=compress)
        buffer = io.BytesIO()
        with Image.open(io.BytesIO(png)) as image:
            image.save(buffer, format="PNG", pnginfo=info)
        assert unbake(buffer.getvalue()) == JWS


def test_png_with_two_credentials_is_refused(png: bytes) -> None:
    baked = bake_png(png, CREDENTIAL)
    doubled = with_chunk(baked, b"iTXt", b"openbadgecredential\x00\x00\x00\x00\x00" + JWS.encode())
    with pytest.raises(BakingError, match="2 openbadgecredential iTXt chunks"):
        unbake_png(doubled)
    assert unbake(bake_png(doubled, JWS)) == JWS  # re-baking cleans it up


def test_png_without_credential_is_refused(png: bytes) -> None:
    with pytest.raises(BakingError, match="no openbadgecredential"):
        unbake(png)


def test_other_itxt_keywords_are_left_alone(png: bytes) -> None:
    other = with_chunk(png, b"iTXt", b"openbadges\x00\x00\x00\x00\x00{}")  # OB 2.0 keyword
    baked = bake_png(other, JWS)
    assert b"openbadges\x00\x00\x00\x00\x00{}" in baked
    assert unbake(baked) == JWS


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"GIF89a\x01\x00\x01\x00", "signature is missing"),
        (b"", "signature is missing"),
        (b"\x89PNG\r\n\x1a\n", "truncated"),
    ],
)
def test_non_png_is_refused(data: bytes, problem: str) -> None:
    with pytest.raises(BakingError, match=problem):
        bake_png(data, CREDENTIAL)
    with pytest.raises(BakingError, match=problem):
        unbake_png(data)


def test_corrupt_png_is_refused(png: bytes) -> None:
    corrupt = bytearray(png)
    corrupt[40] ^= 0xFF  # inside a chunk body, so its CRC no longer matches
    with pytest.raises(BakingError, match="wrong CRC"):
        bake_png(bytes(corrupt), CREDENTIAL)
    with pytest.raises(BakingError, match=r"runs past the end|truncated"):
        unbake_png(png[:-20])


def test_bake_sniffs_and_refuses_other_formats() -> None:
    with pytest.raises(BakingError, match="neither PNG nor SVG"):
        bake(b"GIF89a\x01\x00\x01\x00", CREDENTIAL)
    with pytest.raises(BakingError, match="neither PNG nor SVG"):
        unbake(b"\xff\xd8\xff\xe0 JPEG")
    with pytest.raises(BakingError, match="must be bytes"):
        bake(SVG, CREDENTIAL)  # type: ignore[arg-type]


def test_size_limits(png: bytes) -> None:
    with pytest.raises(BakingError, match="byte limit"):
        unbake(png + bytes(MAX_IMAGE_BYTES))
    with pytest.raises(BakingError, match="byte limit"):
        bake_svg(SVG + " " * MAX_IMAGE_BYTES, CREDENTIAL)


@pytest.mark.parametrize("credential", ["not a credential", "[1, 2]", "{broken", 42, ["x"]])
def test_bad_credentials_are_refused(png: bytes, credential: Any) -> None:
    with pytest.raises(BakingError):
        bake_png(png, credential)
    with pytest.raises(BakingError):
        bake_svg(SVG, credential)


# --- SVG ------------------------------------------------------------------------------------
def test_svg_round_trip_with_embedded_proof() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    assert baked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg PUBLIC')
    root = etree.fromstring(baked.encode())
    assert root.nsmap["openbadges"] == OB3_SVG_NAMESPACE  # declared on <svg> itself
    first = root[0]
    assert first.tag == f"{{{OB3_SVG_NAMESPACE}}}credential"
    assert first.get("verify") is None
    assert "<openbadges:credential><![CDATA[{" in baked
    assert json.loads(unbake_svg(baked)) == CREDENTIAL
    assert unbake(baked.encode("utf-8")) == CREDENTIAL


def test_svg_keeps_the_rest_of_the_image() -> None:
    baked = bake_svg(SVG, CREDENTIAL)
    original = etree.fromstring(SVG.encode())
    rest = list(etree.fromstring(baked.encode()))[1:]

    # Compare structure, not serialisations: those repeat inherited namespace declarations.
    def describe(element: Any) -> tuple[Any, ...]:
        children = tuple(describe(child) for child in element)
        return (element.tag, dict(element.attrib), element.text, element.tail, children)

    assert [describe(e) for e in rest] == [describe(e) for e in original]
    assert 'xlink:href="#g"' in baked and "<!-- rest-of-image -->" in baked


def test_svg_jws_goes_in_the_verify_attribute() -> None:
    baked = bake_svg(SVG, JWS)
    element = etree.fromstring(baked.encode())[0]
    assert element.get("verify") == JWS
    assert element.text is None and len(element) == 0
    assert unbake_svg(baked) == JWS
    assert unbake(baked.encode()) == JWS


def test_svg_rebake_replaces_the_credential() -> None:
    once = bake_svg(SVG, CREDENTIAL)
    twice = bake_svg(once, JWS)
    assert len(etree.fromstring(twice.encode()).findall(f"{{{OB3_SVG_NAMESPACE}}}credential")) == 1
    assert unbake_svg(twice) == JWS
    assert bake_svg(twice, CREDENTIAL) == once  # no whitespace creeps in on each re-bake


def test_svg_bake_via_sniffing_returns_bytes() -> None:
    baked = bake(SVG.encode("utf-8"), JWS)
    assert isinstance(baked, bytes) and unbake(baked) == JWS


def test_svg_written_by_hand_per_the_spec_example_is_read() -> None:
    text = json.dumps(CREDENTIAL, indent=2).replace("]]>", "]]\\u003e")
    handmade = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"\n'
        '  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"\n  viewBox="0 0 512 512">\n'
        f"  <openbadges:credential>\n    <![CDATA[\n{text}\n    ]]>\n  </openbadges:credential>\n"
        "  <!-- rest-of-image -->\n</svg>\n"
    )
    assert unbake(handmade.encode()) == CREDENTIAL


XXE = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""

LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
  <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
]>
<svg xmlns="http://www.w3.org/2000/svg" id="&d;"><title>&d;</title></svg>"""

PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>
<svg xmlns="http://www.w3.org/2000/svg"/>"""

BAKED_XXE = """<svg xmlns="http://www.w3.org/2000/svg"
  xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">
  <openbadges:credential verify="&jws;"/></svg>"""


@pytest.mark.parametrize(
    "svg", [XXE, LAUGHS, PARAMETER_ENTITY, '<!DOCTYPE svg [<!ENTITY jws "a.b.c">]>\n' + BAKED_XXE]
)
def test_svg_entity_declarations_are_refused(svg: str) -> None:
    with pytest.raises(BakingError, match="entit"):
        bake_svg(svg, CREDENTIAL)
    with pytest.raises(BakingError, match="entit"):
        unbake_svg(svg)
    with pytest.raises(BakingError, match="entit"):
        unbake(svg.encode())


@pytest.mark.parametrize(
    ("svg", "problem"),
    [
        ("<svg xmlns='http://www.w3.org/2000/svg'><g></svg>", "not well-formed"),
        ("<html><body/></html>", "not an SVG image"),
        ("<svg xmlns='http://example.com/not-svg'/>", "not an SVG image"),
        (BAKED_XXE, r"undefined entity|not well-formed"),
    ],
)
def test_svg_malformed_input_is_refused(svg: str, problem: str) -> None:
    with pytest.raises(BakingError, match=problem):
        unbake_svg(svg)


def test_svg_without_credential_or_with_two_is_refused() -> None:
    with pytest.raises(BakingError, match="no <openbadges:credential>"):
        unbake_svg(SVG)
    baked = bake_svg(SVG, JWS)
    doubled = baked.replace("</svg>", f'<openbadges:credential verify="{JWS}"/></svg>')
    with pytest.raises(BakingError, match="2 <openbadges:credential> elements"):
        unbake_svg(doubled)
    empty = baked.replace(f'verify="{JWS}"', "")
    with pytest.raises(BakingError, match="empty"):
        unbake_svg(empty)


def test_svg_open_badges_2_prefix_conflict_is_refused() -> None:
    ob2 = SVG.replace("viewBox", 'xmlns:openbadges="http://openbadges.org" viewBox')
    with pytest.raises(BakingError, match="already binds the prefix"):
        bake_svg(ob2, CREDENTIAL)


def test_svg_non_utf8_bytes_are_refused() -> None:
    with pytest.raises(BakingError, match="not UTF-8"):
        unbake("<svg xmlns='http://www.w3.org/2000/svg'>é</svg>".encode("latin-1"))
