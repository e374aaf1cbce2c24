"""Reading a credential offer from a photo or screenshot of its QR code, on the server, so
receiving works without JavaScript or a camera API (servicekit.qr_decode does the reading)."""

from __future__ import annotations

from servicekit.qr_decode import ImageRefused, decode_qr
from wallet.services.context import WalletError


def offer_from_qr_image(data: bytes) -> str:
    """The text of the first QR code in the image; WalletError (400/413/422) saying why
    there is none."""
    try:
        text = decode_qr(data)
    except ImageRefused as refused:
        raise WalletError(f"the file is not a photo or screenshot we can read: {refused}",
                          refused.status) from None
    if text is None:
        raise WalletError("no QR code found in the image: take the photo closer and straight "
                          "on", 422)
    return text
