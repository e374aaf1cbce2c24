"""OpenID4VCI offers: make one for an achievement and a recipient, show its QR code and link,
and the transaction code once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from issuer.dependencies import Context
from issuer.services import oid4vci
from issuer.services.achievements import achievement_name, list_achievements
from issuer.services.issuing import FORMATS
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import optional, text, values_of
from issuer.web.render import error_status, error_text, not_found, render
from servicekit.errors import NotFound, ServiceError

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import CredentialOffer

router = APIRouter(prefix="/staff/offers", include_in_schema=False)


def _offer_page(request: Request, ctx: Context, staff: Staff, offer: CredentialOffer,
                **context: Any) -> HTMLResponse:
    """One offer: what it is for (the badge, the recipient), its QR code and link."""
    with ctx.reading() as session:
        name = achievement_name(session, offer.achievement_id)
    return render(request, "offer.html", staff=staff, offer=offer, achievement_name=name,
                  state=oid4vci.offer_state(offer), **context)


def _list_page(request: Request, ctx: Context, staff: Staff, *, status: int = 200,
               values: dict[str, Any] | None = None, error: str | None = None) -> HTMLResponse:
    with ctx.reading() as session:
        achievements = list_achievements(session, staff.org)
        offers = oid4vci.list_offers(session, staff.org)
    names = {achievement.id: achievement.name for achievement in achievements}
    rows = [{"offer": offer, "state": oid4vci.offer_state(offer),
             "achievement": names.get(offer.achievement_id, "")} for offer in offers]
    chosen = request.query_params.get("achievement", "")
    return render(request, "offers.html", staff=staff, status=status, error=error,
                  achievements=achievements, offers=rows, formats=FORMATS,
                  values=values if values is not None else {"achievement": chosen,
                                                            "with_tx_code": "yes"})


@router.get("")
def offers_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _list_page(request, ctx, staff)


@router.post("")
def create(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> HTMLResponse:
    evidence = {"id": optional(form, "evidence_url"), "name": optional(form, "evidence_name"),
                "narrative": optional(form, "evidence_narrative")}
    offer_request = oid4vci.OfferRequest(
        achievement_id=text(form, "achievement"),
        recipient_name=optional(form, "recipient_name"),
        recipient_email=optional(form, "recipient_email"),
        evidence=[{k: v for k, v in evidence.items() if v}] if any(evidence.values()) else [],
        with_tx_code=text(form, "with_tx_code") == "yes",
        format=text(form, "format") or "ldp_vc",
    )
    try:
        created = oid4vci.create_offer(ctx, staff.org, offer_request)
    except ServiceError as error:
        return _list_page(request, ctx, staff, status=error_status(error),
                          values=values_of(form), error=error_text(request, error))
    # Shown here once and never again: the page is not cached (no-store) and the code is
    # stored only as a keyed hash.
    return _offer_page(request, ctx, staff, created.offer, offer_uri=created.offer_uri,
                       tx_code=created.tx_code, just_created=True)


@router.get("/{offer_id}")
def offer_page(offer_id: str, request: Request, ctx: Context,
               staff: CurrentStaff) -> HTMLResponse:
    try:
        offer = oid4vci.get_offer(ctx, offer_id)
    except NotFound:
        return not_found(request, staff)
    if offer.org_id != staff.org.id:
        return not_found(request, staff)
    return _offer_page(request, ctx, staff, offer,
                       offer_uri=oid4vci.offer_uri(ctx.public_url, offer.id), tx_code=None,
                       just_created=False)
