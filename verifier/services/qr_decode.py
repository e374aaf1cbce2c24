"""QR codes in images for the verifier: servicekit.qr_decode, refusals as VerifierError."""

from __future__ import annotations

from servicekit import qr_decode
from servicekit.qr_decode import looks_like_image
from verifier.services.context import VerifierError

__all__ = ["ImageRefused", "decode_qr", "looks_like_image"]


class ImageRefused(VerifierError):
    """An image that is too large or cannot be read; `status` 413 or 400."""


def decode_qr(data: bytes) -> str | None:
    """The text of the first QR code in the image, or None; ImageRefused when unreadable."""
    try:
        return qr_decode.decode_qr(data)
    except qr_decode.ImageRefused as refused:
        raise ImageRefused(str(refused), refused.status) from None
