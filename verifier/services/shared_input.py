"""What someone hands the verifier, turned into something to verify.

Three ways in: a link (fetched through the verifier's one fetcher, under its policy), text
(read from a QR code or pasted: a link again, or the credential itself as JSON or a JWT), or
a file (JSON, a JWT, a badge image with the credential baked in, or a picture of a QR code).

Problems are `InputProblem`s: the message says what went wrong in English (the API and the
logs), `reason` names the problem so that a page can say it in its own language. They are
`UnusableInput` (an `Invalid` request), or `InputTooLarge` for an image over the limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicekit.errors import Invalid, ServiceError, TooLarge
from standards.credential_input import CredentialInputError, parse_credential_input
from standards.errors import StandardsError
from verifier.services.context import VerifierContext
from verifier.services.qr_decode import ImageRefused, ImageTooLarge, decode_qr, looks_like_image

LINK_SCHEMES = ("https://", "http://")


class InputProblem(ServiceError):
    """Input that holds nothing to verify. `reason` is one of: empty, several, link_failed,
    link_content, not_credential, no_qr_code, qr_content, image_unreadable,
    image_too_large."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class UnusableInput(InputProblem, Invalid):
    """Input that is empty, unreadable, or not a credential or presentation."""


class InputTooLarge(InputProblem, TooLarge):
    """An image too large (in bytes or pixels) to look for a QR code in."""


@dataclass(frozen=True)
class SharedInput:
    """A credential or presentation to verify (a JSON object or a compact JWT), and where it
    came from: `source` is "file", "link", "qr" or "text"; `origin` the file name or link."""

    value: dict[str, Any] | str
    source: str
    origin: str


def from_link(ctx: VerifierContext, url: str, source: str = "link") -> SharedInput:
    """The credential or presentation a link serves."""
    url = url.strip()
    if not url.lower().startswith(LINK_SCHEMES) or any(c.isspace() for c in url):
        raise UnusableInput("link_failed", f"{url!r} is not a web address (https://...)")
    try:
        response = ctx.fetcher.fetch_bytes(url, accept="application/json")
    except StandardsError as error:
        raise UnusableInput("link_failed", f"the link could not be opened: {error}") from None
    try:
        value = parse_credential_input(response.content, source=f"what {url} serves")
    except CredentialInputError as error:
        raise UnusableInput("link_content", f"the link does not lead to a credential or "
                           f"presentation: {error}") from None
    return SharedInput(value, source, url)


def from_text(ctx: VerifierContext, text: str, source: str = "text") -> SharedInput:
    """Text from a QR code or pasted: a link to follow, or the credential itself."""
    text = text.strip()
    if not text:
        raise UnusableInput("empty", "there is nothing to check: the text is empty")
    if text.lower().startswith(LINK_SCHEMES):
        return from_link(ctx, text, source)
    try:
        value = parse_credential_input(text.encode("utf-8"), source="the text")
    except CredentialInputError as error:
        reason = "qr_content" if source == "qr" else "not_credential"
        raise UnusableInput(reason, f"{error}; expected a link, JSON or a JWT") from None
    return SharedInput(value, source, "")


def from_file(ctx: VerifierContext, data: bytes, filename: str = "") -> SharedInput:
    """A credential file (JSON, JWT, baked PNG or SVG badge) or a picture of a QR code."""
    name = filename or "the file"
    if not data.strip():
        raise UnusableInput("empty", f"{name} is empty")
    try:
        return SharedInput(parse_credential_input(data, source=name), "file", filename)
    except CredentialInputError as error:
        if not looks_like_image(data):
            raise UnusableInput("not_credential", str(error)) from None
        baking_error = error  # an image without a baked credential: perhaps a photo of a QR
    try:
        text = decode_qr(data)
    except ImageTooLarge as error:
        raise InputTooLarge("image_too_large", str(error)) from None
    except ImageRefused as error:
        raise UnusableInput("image_unreadable", str(error)) from None
    if text is None:
        raise UnusableInput("no_qr_code", f"{name} holds no QR code and no baked credential "
                           f"({baking_error})")
    return from_text(ctx, text, source="qr")
