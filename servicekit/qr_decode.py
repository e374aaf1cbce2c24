"""Reading a QR code from an image: a photo or screenshot someone uploads (a share link, a
credential offer, a presentation request), or a camera frame the employer page sends while
scanning. Pillow reads the image, zxing-cpp finds the code.

Images are untrusted: their size in bytes and in pixels is limited before any pixel is
decoded, and Pillow may only use the decoders of the common web and phone formats.
"""

from __future__ import annotations

import io
import warnings

import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# A 48-megapixel phone photo still fits; a decompression bomb (a small file that unpacks to
# gigabytes of pixels) does not.
MAX_IMAGE_PIXELS = 50_000_000
IMAGE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")
# The first bytes of the formats above, to tell an image from a credential file cheaply.
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")


class ImageRefused(Exception):
    """An image that is too large or cannot be read; `status` 413 or 400."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def looks_like_image(data: bytes) -> bool:
    """Whether `data` starts like one of the image formats read here."""
    return data.startswith(_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


def decode_qr(data: bytes) -> str | None:
    """The text of the first QR code in the image `data`, or None when there is none.

    ImageRefused (413) for an image over MAX_IMAGE_BYTES or MAX_IMAGE_PIXELS, (400) for bytes
    that are not an image in one of IMAGE_FORMATS."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageRefused(f"the image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB",
                           413)
    with _open(data) as image:
        qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
        codes = zxingcpp.read_barcodes(image, formats=qr_only, text_mode=zxingcpp.TextMode.Plain)
    for code in codes:
        if code.valid and code.text:
            return str(code.text)
    return None


def _open(data: bytes) -> Image.Image:
    """The image's first frame as greyscale pixels on white, after the size checks."""
    with warnings.catch_warnings():
        # Pillow's own guard warns above its limit and raises above twice that; ours is
        # lower and checked before decoding, so make its warning an error too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageRefused(f"the image has {width} × {height} pixels; at most "
                                       f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels are read",
                                       413)
                return _greyscale(image)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused("the image has too many pixels to be read safely", 413) from None
        except UnidentifiedImageError:
            raise ImageRefused("this is not an image that can be read (PNG, JPEG, WebP, GIF "
                               "or BMP)") from None
        except (OSError, SyntaxError, ValueError) as error:  # truncated or corrupt data
            raise ImageRefused(f"the image cannot be read: {error}") from None


def _greyscale(image: Image.Image) -> Image.Image:
    """Transparent parts become white: a QR code saved with a transparent background would
    otherwise turn into black modules on black."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(white, rgba).convert("L")
    return image.convert("L")
