"""Reading an OpenID4VP 1.0 authorization request (`openid4vp://?...`) as a careful wallet
does, before anything is shown to the owner or sent anywhere.

With the `redirect_uri:` client identifier prefix (the one our verifier uses) the client_id
is the response URI itself and the request is unsigned (OpenID4VP §5.9.3). A request passed
by reference (`request_uri`, fetched through the wallet's fetcher, GET or POST as
`request_uri_method` says) or by value (`request`) must then be an unsigned request object
(JWT with alg none) for that same client. Signed request objects (other prefixes) and
`transaction_data` are refused with a clear message rather than ignored.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from servicekit.errors import Refused
from standards.errors import StandardsError
from wallet.services.context import WalletContext

SCHEME = "openid4vp"
CLIENT_ID_PREFIX = "redirect_uri:"
MAX_REQUEST_CHARS = 20_000
UNSUPPORTED = ("transaction_data",)


class RequestRefused(Refused):
    """A request the wallet will not answer, with the reason (422)."""


@dataclass
class VpRequest:
    client_id: str
    response_uri: str
    nonce: str
    state: str | None
    dcql_query: dict[str, Any] | None = None
    presentation_definition: dict[str, Any] | None = None
    client_metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def query_language(self) -> str:
        return "dcql" if self.dcql_query is not None else "pe"

    @property
    def verifier_host(self) -> str:
        return urlsplit(self.response_uri).netloc


# --- 1. reading the request -------------------------------------------------------------
def parse_request(ctx: WalletContext, uri: str) -> VpRequest:
    """The request behind `uri` (an `openid4vp://?...` URI); RequestRefused saying why."""
    uri = (uri or "").strip()
    if len(uri) > MAX_REQUEST_CHARS:
        raise RequestRefused("the request is too long")
    parts = urlsplit(uri)
    if parts.scheme != SCHEME:
        raise RequestRefused("this is not an OpenID4VP request (it should start with "
                             "openid4vp://)")
    params = _single_values(parts.query)
    if "request_uri" in params:
        params = _by_reference(ctx, params)
    elif "request" in params:
        params = {**params, **_request_object(params["request"], params.get("client_id"))}
    for name in UNSUPPORTED:
        if name in params:
            raise RequestRefused(f"this wallet does not support {name!r} in a request")
    if params.get("response_type") != "vp_token":
        raise RequestRefused(f"response_type {params.get('response_type')!r} is not vp_token")
    if params.get("response_mode") != "direct_post":
        raise RequestRefused(f"response_mode {params.get('response_mode')!r} is not "
                             "direct_post")
    if "redirect_uri" in params:
        raise RequestRefused("redirect_uri must not be present with response_mode direct_post")
    client_id, response_uri = params.get("client_id", ""), params.get("response_uri", "")
    if not client_id.startswith(CLIENT_ID_PREFIX):
        raise RequestRefused("only verifiers identified as redirect_uri:<response URI> are "
                             f"supported, not {client_id[:80]!r}")
    if not response_uri or client_id != CLIENT_ID_PREFIX + response_uri:
        raise RequestRefused("the client_id is not redirect_uri: followed by the response_uri")
    if urlsplit(response_uri).scheme not in ("https", "http"):
        raise RequestRefused("the response_uri is not a web address")
    if not params.get("nonce"):
        raise RequestRefused("the request has no nonce")
    queries = [name for name in ("dcql_query", "presentation_definition") if name in params]
    if len(queries) != 1:
        raise RequestRefused("the request needs exactly one of dcql_query and "
                             "presentation_definition")
    request = VpRequest(client_id, response_uri, params["nonce"], params.get("state"),
                        client_metadata=_json_object(params, "client_metadata"))
    query = _json_object(params, queries[0])
    if queries[0] == "dcql_query":
        if not isinstance(query.get("credentials"), list) or not query["credentials"]:
            raise RequestRefused("the DCQL query asks for no credentials")
        request.dcql_query = query
    else:
        if not isinstance(query.get("input_descriptors"), list) or \
                not query["input_descriptors"]:
            raise RequestRefused("the presentation definition has no input descriptors")
        request.presentation_definition = query
    return request


def _single_values(query: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for name, values in parse_qs(query, keep_blank_values=True).items():
        if len(values) != 1:
            raise RequestRefused(f"the request names {name!r} more than once")
        params[name] = values[0]
    return params


def _by_reference(ctx: WalletContext, params: dict[str, str]) -> dict[str, str]:
    """Fetch the request object `request_uri` points to (GET, or POST when the verifier
    asks for `request_uri_method=post`)."""
    url = params["request_uri"]
    try:
        if params.get("request_uri_method") == "post":
            response = ctx.fetcher.post(url, form={},
                                        headers={"Accept": "application/oauth-authz-req+jwt"})
            if response.status != 200:
                raise RequestRefused(f"the verifier answered HTTP {response.status} for the "
                                     "request object")
        else:
            response = ctx.fetcher.fetch_bytes(url, accept="application/oauth-authz-req+jwt")
    except StandardsError as error:
        raise RequestRefused(f"could not fetch the request from {url[:100]}: {error}") from None
    return _request_object(response.content.decode("utf-8", "replace").strip(),
                           params.get("client_id"))


def _request_object(token: str, client_id: str | None) -> dict[str, str]:
    """The parameters of an unsigned request object (JWT with alg none, as the
    redirect_uri: prefix requires), as query parameters would carry them."""
    pieces = token.split(".")
    try:
        header = json.loads(_b64url(pieces[0]))
        claims = json.loads(_b64url(pieces[1]))
    except (IndexError, ValueError):
        raise RequestRefused("the request object is not a JWT") from None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise RequestRefused("the request object is not a JWT")
    if header.get("alg") != "none":
        raise RequestRefused("signed request objects are not supported; this wallet answers "
                             "verifiers identified by redirect_uri:, whose requests are "
                             "unsigned")
    if client_id is not None and claims.get("client_id") != client_id:
        raise RequestRefused("the request object names another client_id than the request")
    return {name: value if isinstance(value, str) else json.dumps(value)
            for name, value in claims.items()}


def _b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _json_object(params: dict[str, str], name: str) -> dict[str, Any]:
    if name not in params:
        return {}
    try:
        value = json.loads(params[name])
    except (ValueError, RecursionError):
        raise RequestRefused(f"{name} is not JSON") from None
    if not isinstance(value, dict):
        raise RequestRefused(f"{name} is not a JSON object")
    return value
