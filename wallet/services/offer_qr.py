"""Reading a credential offer from a photo or screenshot of its QR code, on the server, so
receiving works without JavaScript or a camera API (servicekit.qr_decode does the reading)."""

from __future__ import annotations

from servicekit.errors import Invalid, Refused, TooLarge
from servicekit.qr_decode import ImageRefused, decode_qr


def offer_from_qr_image(data: bytes) -> str:
    """The text of the first QR code in the image; Invalid / TooLarge / Refused saying why
    there is none."""
    try:
        text = decode_qr(data)
    except ImageRefused as refused:
        kind = TooLarge if refused.status == 413 else Invalid
        raise kind(f"the file is not a photo or screenshot we can read: {refused}") from None
    if text is None:
        raise Refused("no QR code found in the image: take the photo closer and straight "
                      "on")
    return text
