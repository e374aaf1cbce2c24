"""QR codes (credential offers, OpenID4VP requests, share links), as PNG and as SVG, made by
the qrcode library."""

from __future__ import annotations

import io
from typing import TypeVar

import qrcode
import qrcode.constants
import qrcode.image.pil
import qrcode.image.svg
from qrcode.image.base import BaseImage

# Medium error correction survives a worn print-out or a glare on a screen; a border of four
# modules is the quiet zone the QR standard asks for, which phone cameras need.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BOX_SIZE = 8
BORDER = 4


class _WhiteSvgPathImage(qrcode.image.svg.SvgPathImage):
    # A transparent background cannot be scanned on a dark page; paint it white.
    background = "#ffffff"


Image = TypeVar("Image", bound=BaseImage)


def _qr(text: str, factory: type[Image]) -> qrcode.QRCode[Image]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=BOX_SIZE, border=BORDER,
                         image_factory=factory)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    image = _qr(text, qrcode.image.pil.PilImage).make_image()
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg(text: str) -> str:
    image = _qr(text, _WhiteSvgPathImage).make_image()
    return image.to_string(encoding="unicode")
