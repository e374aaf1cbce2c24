"""The employer's side of a share: scan the QR code, open the link, verify what it serves.

The QR code is read with the project's decoder (what the verifier's scan page runs on camera
frames); the link is fetched as JSON, as the verifier's link path fetches it; the
presentation goes to the verifier's VC-API, with the evidence files checked too.
"""

from __future__ import annotations

from typing import Any

import httpx

from examples.services import Services, answer_of, expect
from servicekit.qr_decode import decode_qr


def scan_share(share: dict[str, Any]) -> str:
    """The link the share's QR code (`/s/{token}/qr.png`) holds."""
    image = httpx.get(share["qrPngUrl"], timeout=60)
    expect(image.status_code == 200, f"the share's QR code answered {image.status_code}")
    link = decode_qr(image.content)
    expect(link == share["url"], f"the QR code holds {link!r}, not the share's link")
    assert link is not None
    return link


def open_link(link: str) -> dict[str, Any]:
    """The presentation the link serves (JSON, as a verifier asks for it)."""
    return answer_of(httpx.get(link, headers={"accept": "application/json"}, timeout=60),  # type: ignore[no-any-return]
                     200, "the employer opens the shared link")


def verify_presentation(services: Services, presentation: dict[str, Any]) -> dict[str, Any]:
    """The verifier's report on `presentation`, evidence digests included."""
    return answer_of(httpx.post(f"{services.verifier}/presentations/verify", timeout=120, json={  # type: ignore[no-any-return]
        "verifiablePresentation": presentation, "options": {"checkEvidence": True}}),
        (200, 400), "the verifier checks the presentation")  # 400: the report, not verified


def failed_checks(report: dict[str, Any]) -> list[str]:
    """`name: message` of every failed check, at every level of the report."""
    found = [f"{c['check']}: {c['message']}" for c in report.get("checks", []) if not c["ok"]]
    for inner in (*report.get("credentials", []), *report.get("endorsements", [])):
        found.extend(failed_checks(inner))
    return found
