"""QR codes in images for the verifier: servicekit.qr_decode, its refusals as domain errors."""

from __future__ import annotations

from servicekit import qr_decode
from servicekit.errors import Invalid, ServiceError, TooLarge
from servicekit.qr_decode import looks_like_image

__all__ = ["ImageRefused", "ImageTooLarge", "ImageUnreadable", "decode_qr", "looks_like_image"]


class ImageRefused(ServiceError):
    """An image the verifier cannot read a QR code from: one of the two below."""


class ImageTooLarge(ImageRefused, TooLarge):
    """An image over the size limit, in bytes or in pixels."""


class ImageUnreadable(ImageRefused, Invalid):
    """Bytes that are not an image in one of the formats read."""


def decode_qr(data: bytes) -> str | None:
    """The text of the first QR code in the image, or None; ImageRefused when unreadable."""
    try:
        return qr_decode.decode_qr(data)
    except qr_decode.ImageRefused as refused:
        refusal = ImageTooLarge if refused.status == 413 else ImageUnreadable
        raise refusal(str(refused)) from None
