"""Answering an OpenID4VP 1.0 request from a verifier (the cross-device flow: a QR code or
link `openid4vp://?...`, response mode direct_post) with credentials from the dossier.

The steps are those of any careful wallet:
1. read the request and check what its client identifier prefix demands
   (wallet.services.oid4vp_request);
2. find the credentials that match the query, with the same rules the verifier applies
   (standards.oid4vp_queries): DCQL (`dcql_query`) or Presentation Exchange
   (`presentation_definition`);
3. show the owner who asks and for what (`preview`); only after the owner agrees,
4. sign the presentation(s) with the holder key, challenge = nonce and domain = client_id,
   so it cannot be replayed to another verifier or request, and POST the form to the
   response URI through the wallet's fetcher (its network policy applies);
5. or, when the owner says no or nothing matches, send an `access_denied` answer (§8.5).

Data Integrity credentials (`ldp_vc`) are presented in a Data Integrity presentation (see
presentations.py); VC-JWT credentials answer a DCQL `jwt_vc_json` query, in a VC-JWT
presentation (`vp` claim) signed by the holder key with nonce and aud (the client_id).
Presentation Exchange requests are answered with Data Integrity credentials only.
Not supported, and refused with a clear message rather than ignored: DCQL `credential_sets`
and `trusted_authorities`, PE `submission_requirements`. DCQL `claims` are checked to be
present; the whole credential is disclosed (no selective disclosure for these formats).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from sqlmodel import Session, select

from servicekit.errors import Inconsistent, Refused, UpstreamFailed
from standards.errors import StandardsError
from standards.oid4vp_queries import (
    DCQL_FORMATS,
    JWT_VC_JSON,
    LDP_VC,
    LDP_VP,
    QueryError,
    matches_type_values,
    meets_input_descriptor,
    type_names,
)
from wallet.db import session_scope
from wallet.models import Account, StoredCredential
from wallet.services.access import Actor, record
from wallet.services.context import WalletContext
from wallet.services.credentials import parsed, unverified_document
from wallet.services.oid4vp_request import RequestRefused, VpRequest, parse_request
from wallet.services.presentations import sign_jwt_presentation_of, sign_presentation

__all__ = ["RequestRefused", "VpRequest", "answer", "decline", "matches", "parse_request",
           "preview", "response_form"]

Selection = dict[str, list[StoredCredential]]  # credential query / input descriptor id


# --- 2. matching ------------------------------------------------------------------------
# The DCQL format a stored credential answers (StoredCredential.format -> DCQL format).
DCQL_FORMAT_OF = {"ldp_vc": LDP_VC, "jwt_vc": JWT_VC_JSON}


def presentable_credentials(session: Session, actor: Actor) -> list[StoredCredential]:
    return list(session.exec(select(StoredCredential).where(
        StoredCredential.owner_id == actor.owner_id,
        StoredCredential.verified == True)))  # noqa: E712 (SQL)


def matches(session: Session, actor: Actor, request: VpRequest) -> dict[str, list[
        StoredCredential]]:
    """For each credential query / input descriptor, every credential of the dossier that
    fits it (possibly none)."""
    held = [(stored, unverified_document(parsed(stored))) for stored in
            presentable_credentials(session, actor)]
    found: dict[str, list[StoredCredential]] = {}
    try:
        if request.dcql_query is not None:
            if "credential_sets" in request.dcql_query:
                raise RequestRefused("this wallet does not support DCQL credential_sets")
            for query in request.dcql_query["credentials"]:
                found[_query_id(query)] = [s for s, value in held
                                           if _fits_dcql(s.format, value, query)]
        else:
            definition = request.presentation_definition or {}
            if "submission_requirements" in definition:
                raise RequestRefused("this wallet does not support PE submission_requirements")
            for descriptor in definition["input_descriptors"]:
                found[_query_id(descriptor)] = [s for s, value in held if s.format == "ldp_vc"
                                                and meets_input_descriptor(value, descriptor)]
    except (QueryError, KeyError, TypeError) as error:
        raise RequestRefused(f"the query cannot be read: {error}") from None
    return found


def _query_id(query: Any) -> str:
    if not isinstance(query, dict) or not isinstance(query.get("id"), str) or not query["id"]:
        raise RequestRefused("a credential query has no id")
    return str(query["id"])


def _fits_dcql(stored_format: str, credential: dict[str, Any], query: dict[str, Any]) -> bool:
    """Whether a credential (stored as `stored_format`, read as `credential`) answers a DCQL
    credential query."""
    if "trusted_authorities" in query:
        raise RequestRefused("this wallet does not support DCQL trusted_authorities")
    if query.get("format") not in DCQL_FORMATS:
        return False  # the wallet presents Data Integrity and VC-JWT credentials only
    type_values = (query.get("meta") or {}).get("type_values")
    if not isinstance(type_values, list) or not type_values:
        raise RequestRefused("a W3C credential query needs meta.type_values")
    if DCQL_FORMAT_OF.get(stored_format) != query["format"]:
        return False
    if not matches_type_values(credential, type_values):
        return False
    # claims: each asked-for path must be present (the whole credential is disclosed:
    # Data Integrity credentials have no selective disclosure here)
    return all(_has_path(credential, claim.get("path", [])) for claim in
               query.get("claims") or [] if isinstance(claim, dict))


def _has_path(value: Any, path: list[Any]) -> bool:
    """Whether a DCQL claims path leads somewhere (None stands for every array element)."""
    if not path:
        return True
    step, rest = path[0], path[1:]
    if step is None:
        return isinstance(value, list) and any(_has_path(item, rest) for item in value)
    if isinstance(step, int):
        inside = isinstance(value, list) and 0 <= step < len(value)
    else:
        inside = isinstance(step, str) and isinstance(value, dict) and step in value
    return inside and _has_path(value[step], rest)


def _wanted(request: VpRequest) -> list[dict[str, Any]]:
    """What each query asks for, in words a person can read."""
    out = []
    if request.dcql_query is not None:
        for query in request.dcql_query["credentials"]:
            alternatives = (query.get("meta") or {}).get("type_values") or []
            out.append({"id": query.get("id"), "format": query.get("format"),
                        "types": [type_names({"type": [t.rsplit("#", 1)[-1] for t in group]})
                                  for group in alternatives]})
    else:
        for descriptor in (request.presentation_definition or {})["input_descriptors"]:
            out.append({"id": descriptor.get("id"), "format": LDP_VC,
                        "name": descriptor.get("name"), "purpose": descriptor.get("purpose")})
    return out


def preview(ctx: WalletContext, session: Session, actor: Actor, uri: str) -> dict[str, Any]:
    """Who asks, for what, and which of the owner's credentials would answer (owner only)."""
    actor.require_owner("answer presentation requests")
    request = parse_request(ctx, uri)
    found = matches(session, actor, request)
    metadata = request.client_metadata
    return {
        "verifier": {"clientId": request.client_id, "responseUri": request.response_uri,
                     "host": request.verifier_host,
                     "name": metadata.get("client_name") if isinstance(
                         metadata.get("client_name"), str) else None},
        "queryLanguage": request.query_language,
        "asks": _wanted(request),
        "matches": {query_id: [{"id": s.id, "name": s.name,
                                "issuer": s.issuer_name or s.issuer_id} for s in stored]
                    for query_id, stored in found.items()},
        "canAnswer": all(found.values()),
    }


# --- 3. answering -----------------------------------------------------------------------
def _selection(found: dict[str, list[StoredCredential]], request: VpRequest,
               chosen: list[str] | None) -> Selection:
    queries = {_query_id(q): q for q in (request.dcql_query["credentials"]
                                         if request.dcql_query is not None else
                                         (request.presentation_definition or {})
                                         ["input_descriptors"])}
    if chosen is not None:
        known = {s.id for stored in found.values() for s in stored}
        stray = [cid for cid in chosen if cid not in known]
        if stray:
            raise Refused(f"credential {stray[0][:40]!r} does not answer this request")
    selection: Selection = {}
    for query_id, stored in found.items():
        picked = [s for s in stored if chosen is None or s.id in chosen]
        if not picked:
            raise Refused("nothing chosen answers the verifier's question "
                          f"{query_id!r}; choose a credential or decline")
        multiple = request.dcql_query is not None and queries[query_id].get("multiple") is True
        selection[query_id] = picked if multiple else picked[:1]
    return selection


def response_form(ctx: WalletContext, account: Account, request: VpRequest,
                  selection: Selection) -> dict[str, str]:
    """The direct_post form: presentations bound to this request (challenge = nonce,
    domain = client_id)."""
    bind = {"challenge": request.nonce, "domain": request.client_id}
    form: dict[str, str] = {}
    if request.dcql_query is not None:  # Appendix B.1: one presentation per credential
        token = {query_id: [_dcql_presentation(ctx, account, request, s) for s in stored]
                 for query_id, stored in selection.items()}
        form["vp_token"] = json.dumps(token)
    else:
        definition = request.presentation_definition or {}
        credentials: list[dict[str, Any] | str] = []
        # A credential that answers two descriptors goes in once; both point at it.
        position: dict[str, int] = {}
        descriptor_map = []
        for descriptor_id, stored in selection.items():
            for item in stored:
                if item.id not in position:
                    position[item.id] = len(credentials)
                    credentials.append(json.loads(item.content))
                descriptor_map.append({
                    "id": descriptor_id, "format": LDP_VP, "path": "$",
                    "path_nested": {"id": descriptor_id, "format": LDP_VC,
                                    "path": f"$.verifiableCredential[{position[item.id]}]"}})
        form["vp_token"] = json.dumps(sign_presentation(ctx, account, credentials, **bind))
        form["presentation_submission"] = json.dumps({
            "id": str(uuid.uuid4()), "definition_id": definition.get("id"),
            "descriptor_map": descriptor_map})
    if request.state is not None:
        form["state"] = request.state
    return form


def _dcql_presentation(ctx: WalletContext, account: Account, request: VpRequest,
                       stored: StoredCredential) -> dict[str, Any] | str:
    """One credential in the presentation its format asks for: a VC-JWT presentation for a
    VC-JWT (jwt_vc_json), a Data Integrity one otherwise; bound to this request."""
    if stored.format == "jwt_vc":
        return sign_jwt_presentation_of(ctx, account, [stored.content], nonce=request.nonce,
                                        audience=request.client_id)
    return sign_presentation(ctx, account, [json.loads(stored.content)],
                             challenge=request.nonce, domain=request.client_id)


def _send(ctx: WalletContext, request: VpRequest, form: dict[str, str]) -> dict[str, Any]:
    try:
        response = ctx.fetcher.post(request.response_uri, form=form)
    except StandardsError as error:
        raise UpstreamFailed(f"could not reach the verifier: {error}") from None
    try:
        body = json.loads(response.content) if response.content else {}
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status != 200:
        reason = body.get("error_description") or body.get("error") or \
            response.content[:200].decode("utf-8", "replace")
        raise UpstreamFailed(f"the verifier refused the answer (HTTP {response.status}): "
                             f"{reason}")
    return body


def answer(ctx: WalletContext, session: Session, actor: Actor, uri: str,
           credential_ids: list[str] | None = None) -> dict[str, Any]:
    """Send the owner's consented answer; the verifier's reply and what was shown."""
    actor.require_owner("answer presentation requests")
    request = parse_request(ctx, uri)
    selection = _selection(matches(session, actor, request), request, credential_ids)
    account = session.get(Account, actor.owner_id)
    if account is None:
        raise Inconsistent(f"the dossier's owner {actor.owner_id} does not exist")
    reply = _send(ctx, request, response_form(ctx, account, request, selection))
    shown = [s.id for stored in selection.values() for s in stored]
    record(session, actor, "oid4vp.answer", None,
           f"{request.client_id[:300]}: {len(shown)} credentials")
    return {"verifier": request.client_id, "sent": shown, "reply": reply}


def decline(ctx: WalletContext, session: Session, actor: Actor, uri: str,
            reason: str = "the owner declined") -> dict[str, Any]:
    """Tell the verifier no (access_denied)."""
    actor.require_owner("answer presentation requests")
    request = parse_request(ctx, uri)
    form = {"error": "access_denied", "error_description": reason[:300]}
    if request.state is not None:
        form["state"] = request.state
    reply = _send(ctx, request, form)
    record(session, actor, "oid4vp.decline", None, request.client_id[:300])
    return {"verifier": request.client_id, "declined": True, "reply": reply}


# --- whole requests, each in a session of its own (what the pages call) ---------------
def preview_request(ctx: WalletContext, actor: Actor, uri: str) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return preview(ctx, session, actor, uri)


def send_answer(ctx: WalletContext, actor: Actor, uri: str,
                credential_ids: list[str]) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return answer(ctx, session, actor, uri, credential_ids)


def send_refusal(ctx: WalletContext, actor: Actor, uri: str) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return decline(ctx, session, actor, uri)
