"""QR codes of OpenID4VP authorization requests, as PNG and as SVG (made by `qrcode`)."""

from __future__ import annotations

import io

import qrcode
import qrcode.constants
import qrcode.image.pil
import qrcode.image.svg

# Medium error correction survives glare on a screen; four modules of quiet zone around the
# code are what the QR standard asks for and what phone cameras need to find it.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BOX_SIZE = 8
BORDER = 4


class _WhiteSvgPathImage(qrcode.image.svg.SvgPathImage):
    # A transparent background cannot be scanned on a dark page; paint it white.
    background = "#ffffff"


def _qr(text: str, factory: type) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=BOX_SIZE, border=BORDER,
                         image_factory=factory)
    code.add_data(text)
    code.make(fit=True)
    return code


def qr_png(text: str) -> bytes:
    buffer = io.BytesIO()
    _qr(text, qrcode.image.pil.PilImage).make_image().save(buffer)
    return buffer.getvalue()


def qr_svg(text: str) -> str:
    return str(_qr(text, _WhiteSvgPathImage).make_image().to_string(encoding="unicode"))
