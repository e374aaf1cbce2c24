"""Evidence for the stories: a small photo made with Pillow (a real JPEG, which the wallet
sniffs by its first bytes), uploaded as the phone form sends it (multipart)."""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image, ImageDraw

from examples.services import answer_of, expect
from examples.wallet_people import Person


def photo(colour: str, caption: str) -> bytes:
    """A 160x120 JPEG in `colour` with `caption` written on it (so that photos differ)."""
    image = Image.new("RGB", (160, 120), colour)
    ImageDraw.Draw(image).text((8, 52), caption, fill="white")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def upload_photo(person: Person, content: bytes, title: str, *, dossier: str | None = None,
                 competences: list[str] | None = None, **fields: str) -> dict[str, Any]:
    """`person` adds a photo to `dossier` (their own by default); the stored item."""
    data: dict[str, str | list[str]] = {"title": title, "kind": "photo", **fields}
    if competences:
        data["competence"] = competences
    item = answer_of(person.client.post(person.url("/evidence", dossier), data=data,
                                        files={"file": ("foto.jpg", content, "image/jpeg")}),
                     201, f"{person.email} adds the photo {title!r}")
    expect(item["mediaType"] == "image/jpeg" and
           item["sha256"] == hashlib.sha256(content).hexdigest(),
           f"the wallet stored {title!r} as {item['mediaType']} with another digest")
    return item  # type: ignore[no-any-return]
