"""Reading an OpenID4VP 1.0 authorization request (`openid4vp://?...`) as a careful wallet
does, before anything is shown to the owner or sent anywhere.

Two client identifier prefixes are understood (OpenID4VP §5.9.3):

* `redirect_uri:<response URI>`: the client_id is the response URI itself and the request is
  unsigned; passed by value in the URI, or as an unsigned request object (alg none);
* `decentralized_identifier:<DID>`: the request must be a request object signed with a key of
  that DID (JAR, RFC 9101; typ oauth-authz-req+jwt, not expired); the DID is resolved through
  the wallet's fetcher (did:key and did:jwk need no network). A mismatch, an unsigned or
  expired one is refused (standards.request_objects).

A request object comes by reference (`request_uri`, fetched through the wallet's fetcher,
GET or POST as `request_uri_method` says) or by value (`request`). Other prefixes and
`transaction_data` are refused with a clear message rather than ignored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from servicekit.errors import Refused
from standards.dids import DidResolver
from standards.errors import StandardsError
from standards.request_objects import (
    DID_PREFIX,
    REDIRECT_URI_PREFIX,
    REQUEST_OBJECT_MEDIA_TYPE,
    RequestObjectError,
    read_request_object,
)
from wallet.services.context import WalletContext

SCHEME = "openid4vp"
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
    signed = False
    if "request_uri" in params:
        params, signed = _request_object(ctx, _fetch_request_object(ctx, params),
                                         params.get("client_id"))
    elif "request" in params:
        params, signed = _request_object(ctx, params["request"], params.get("client_id"))
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
    if client_id.startswith(DID_PREFIX):
        if not signed:  # §5.9.3: a DID-identified verifier's request must be signed
            raise RequestRefused("a verifier identified by a DID must send a signed request "
                                 "object (request_uri or request)")
    elif not client_id.startswith(REDIRECT_URI_PREFIX):
        raise RequestRefused("only verifiers identified as redirect_uri:<response URI> or "
                             f"decentralized_identifier:<DID> are supported, not "
                             f"{client_id[:80]!r}")
    elif not response_uri or client_id != REDIRECT_URI_PREFIX + response_uri:
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


def _fetch_request_object(ctx: WalletContext, params: dict[str, str]) -> str:
    """The request object `request_uri` points to (GET, or POST when the verifier asks for
    `request_uri_method=post`)."""
    url = params["request_uri"]
    try:
        if params.get("request_uri_method") == "post":
            response = ctx.fetcher.post(url, form={},
                                        headers={"Accept": REQUEST_OBJECT_MEDIA_TYPE})
            if response.status != 200:
                raise RequestRefused(f"the verifier answered HTTP {response.status} for the "
                                     "request object")
        else:
            response = ctx.fetcher.fetch_bytes(url, accept=REQUEST_OBJECT_MEDIA_TYPE)
    except StandardsError as error:
        raise RequestRefused(f"could not fetch the request from {url[:100]}: {error}") from None
    return response.content.decode("utf-8", "replace").strip()


def _request_object(ctx: WalletContext, token: str,
                    client_id: str | None) -> tuple[dict[str, str], bool]:
    """The parameters of a request object, as query parameters would carry them, once it is
    what its client_id demands; and whether it was signed."""
    try:
        claims = read_request_object(token, client_id, DidResolver(ctx.fetcher), ctx.now())
    except RequestObjectError as error:
        raise RequestRefused(f"the verifier's request cannot be trusted: {error}") from None
    signed = str(claims["client_id"]).startswith(DID_PREFIX)
    # JWT claims of the request object itself, not request parameters.
    claims = {name: value for name, value in claims.items()
              if name not in ("iss", "aud", "iat", "exp", "nbf", "jti")}
    return {name: value if isinstance(value, str) else json.dumps(value)
            for name, value in claims.items()}, signed


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
