"""A small, honest OpenID4VP 1.0 wallet for tests: the cross-device flow with response mode
direct_post, for W3C credentials secured with Data Integrity (`ldp_vc`, presented as an
`ldp_vp`) or as VC-JWTs (`jwt_vc_json`, presented as a VC-JWT presentation with nonce and
aud).

It does what a wallet does and nothing a verifier could not expect from one: it parses the
`openid4vp://` request and checks what its client identifier prefix demands (`redirect_uri:`:
the client_id is the response URI and the request is unsigned; `decentralized_identifier:`:
the request object is signed by a key of that DID), selects credentials that match
the query (DCQL, or a Presentation Exchange definition), signs a presentation with its holder
key (with the key's own suite: eddsa-rdfc-2022 for Ed25519, ecdsa-rdfc-2019 for P-256;
proofPurpose authentication, challenge = nonce, domain = client_id, holder = its did:key) and
POSTs the answer form-encoded to the response URI. When nothing it holds matches, it says so
with an `access_denied` error answer (OpenID4VP §8.5).

Each step is a method of its own, so tests can also send what a careless or hostile wallet
would: another challenge or domain, a credential that was not asked for, an answer twice.
A request passed by reference (`request_uri`, GET) is fetched; its request object must be
unsigned for `redirect_uri:`, and for `decentralized_identifier:<did:key or did:jwk>` signed
(typ oauth-authz-req+jwt, kid a key of that DID, checked here with jwcrypto, not expired).
Not supported (refused with a WalletError rather than ignored): request objects by value
(`request`), other prefixes, `transaction_data`, DCQL `claims`, `credential_sets` and
`trusted_authorities`, PE `submission_requirements`.

The wallet holds one key. To present what tests.oid4vci_wallet.TestWallet received, give it
that wallet's key: the DID, and so the credential subject, is the same.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from jwcrypto import jwk, jws
from jwcrypto.common import JWException

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.jwt_presentations import sign_jwt_presentation
from standards.keys import KeyPair, generate_key, public_key_from_multibase
from standards.oid4vp_queries import (
    JWT_VC_JSON,
    LDP_VC,
    LDP_VP,
    jwt_credential_document,
    matches_type_values,
    meets_input_descriptor,
)
from tests.oid4vci_wallet import WalletError

REQUEST_SCHEME = "openid4vp"
CLIENT_ID_PREFIX = "redirect_uri:"
DID_CLIENT_ID_PREFIX = "decentralized_identifier:"
REQUEST_OBJECT_TYP = "oauth-authz-req+jwt"
VP_CONTEXT = "https://www.w3.org/ns/credentials/v2"
UNSUPPORTED_PARAMETERS = ("request", "transaction_data")
REQUEST_OBJECT_TYPE = "application/oauth-authz-req+jwt"

# query / input descriptor id -> credentials (JSON objects, or VC-JWTs as text)
Selection = dict[str, list[Any]]


@dataclass
class AuthorizationRequest:
    """The parameters of an OpenID4VP authorization request, as the wallet read them."""

    client_id: str
    response_uri: str
    nonce: str
    state: str | None
    dcql_query: dict[str, Any] | None = None
    presentation_definition: dict[str, Any] | None = None
    client_metadata: dict[str, Any] = field(default_factory=dict)


class PresentingWallet:
    """A holder with one Ed25519 did:key and the credentials issued to it."""

    __test__ = False  # not a pytest test class

    def __init__(self, key: KeyPair | None = None,
                 credentials: list[Any] | None = None, *,
                 client: httpx.Client | None = None) -> None:
        self.key = key or generate_key("ed25519")
        self.did = did_key_from_key_pair(self.key)
        self.kid = f"{self.did}#{self.key.public_key_multibase()}"
        self.credentials = list(credentials or [])
        self.http = client or httpx.Client(timeout=60)

    # --- the whole flow ------------------------------------------------------------------
    def answer(self, request_uri: str) -> dict[str, Any]:
        """Answer a request with matching credentials; the verifier's JSON reply. When
        nothing matches, declines (access_denied) and raises WalletError."""
        request = self.parse_request(request_uri)
        selection = self.select(request)
        if selection is None:
            self.decline(request, "access_denied", "no credential in this wallet matches")
            raise WalletError("no credential in this wallet matches the request; declined")
        return self.send(request, self.response_form(request, selection))

    # --- the steps -----------------------------------------------------------------------
    def parse_request(self, request_uri: str) -> AuthorizationRequest:
        parts = urlsplit(request_uri)
        if parts.scheme != REQUEST_SCHEME:
            raise WalletError(f"not an OpenID4VP request URI: {request_uri[:60]}")
        params: dict[str, str] = {}
        for name, values in parse_qs(parts.query, keep_blank_values=True).items():
            if len(values) != 1:
                raise WalletError(f"the request names {name!r} more than once")
            params[name] = values[0]
        if "request_uri" in params:
            params = self.fetch_request_object(params)
        for name in UNSUPPORTED_PARAMETERS:
            if name in params:
                raise WalletError(f"this test wallet does not support {name!r}")
        if params.get("response_type") != "vp_token":
            raise WalletError(f"response_type {params.get('response_type')!r} is not vp_token")
        if params.get("response_mode") != "direct_post":
            raise WalletError(f"response_mode {params.get('response_mode')!r} is not "
                              "direct_post")
        if "redirect_uri" in params:  # §8.2: not with direct_post
            raise WalletError("redirect_uri must not be present with response_mode direct_post")
        client_id, response_uri = params.get("client_id", ""), params.get("response_uri", "")
        if client_id.startswith(DID_CLIENT_ID_PREFIX):
            if params.get("_signed_by") != client_id.removeprefix(DID_CLIENT_ID_PREFIX):
                raise WalletError("a verifier identified by a DID must sign its request")
            if not response_uri:
                raise WalletError("the request has no response_uri")
        # §5.9.3: with this prefix the client identifier is the response URI itself.
        elif client_id != CLIENT_ID_PREFIX + response_uri or not response_uri:
            raise WalletError(f"client_id {client_id!r} is not redirect_uri: followed by the "
                              "response_uri")
        if not params.get("nonce"):
            raise WalletError("the request has no nonce")
        queries = [name for name in ("dcql_query", "presentation_definition") if name in params]
        if len(queries) != 1:
            raise WalletError("the request needs exactly one of dcql_query and "
                              "presentation_definition")
        request = AuthorizationRequest(client_id, response_uri, params["nonce"],
                                       params.get("state"),
                                       client_metadata=_json_param(params, "client_metadata"))
        if queries[0] == "dcql_query":
            request.dcql_query = _json_param(params, "dcql_query")
        else:
            request.presentation_definition = _json_param(params, "presentation_definition")
        return request

    def fetch_request_object(self, params: dict[str, str]) -> dict[str, str]:
        """The parameters of a request passed by reference (GET request_uri). The request
        object must name the same client_id as the URI, and be unsigned (alg none) for the
        redirect_uri: prefix, signed by a key of the DID for decentralized_identifier:."""
        if params.get("request_uri_method", "get") != "get":
            raise WalletError("this test wallet fetches request objects with GET only")
        response = self.http.get(params["request_uri"],
                                 headers={"accept": REQUEST_OBJECT_TYPE})
        if response.status_code != 200:
            raise WalletError(f"request_uri: HTTP {response.status_code}")
        if response.headers.get("content-type", "").split(";")[0] != REQUEST_OBJECT_TYPE:
            raise WalletError(f"request_uri serves {response.headers.get('content-type')!r}")
        token = response.text.strip()
        pieces = token.split(".")
        try:
            header, claims = (json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))
                              for p in pieces[:2])
        except ValueError as error:
            raise WalletError(f"the request object is not a JWT: {error}") from None
        if len(pieces) != 3 or not isinstance(header, dict) or not isinstance(claims, dict):
            raise WalletError("the request object is not a JWT")
        client_id = params.get("client_id", "")
        if claims.get("client_id") != client_id:
            raise WalletError("the request object names another client_id than the URI")
        if client_id.startswith(DID_CLIENT_ID_PREFIX):
            did = client_id.removeprefix(DID_CLIENT_ID_PREFIX)
            self._check_signature(token, header, did)
            if not isinstance(claims.get("exp"), int) or claims["exp"] < time.time():
                raise WalletError("the request object has expired (or names no exp)")
            claims = {k: v for k, v in claims.items() if k not in ("iss", "aud", "iat", "exp")}
            claims["_signed_by"] = did
        elif header.get("alg") != "none" or pieces[2]:
            raise WalletError("with client_id redirect_uri: the request object must be "
                              "unsigned (alg none)")
        return {name: value if isinstance(value, str) else json.dumps(value)
                for name, value in claims.items()}

    @staticmethod
    def _check_signature(token: str, header: dict[str, Any], did: str) -> None:
        """A signed request object of a verifier identified by `did` (did:key or did:jwk):
        typ, kid a key of the DID, and a signature that verifies with it."""
        if header.get("typ") != REQUEST_OBJECT_TYP:
            raise WalletError(f"the request object has typ {header.get('typ')!r}")
        if header.get("alg") not in ("ES256", "ES384", "EdDSA"):
            raise WalletError(f"the request object has alg {header.get('alg')!r}")
        kid = header.get("kid")
        if not isinstance(kid, str) or kid.split("#")[0] != did:
            raise WalletError(f"the request object's kid {kid!r} is not a key of {did}")
        if did.startswith("did:jwk:"):
            encoded = did.removeprefix("did:jwk:")
            public = jwk.JWK(**json.loads(base64.urlsafe_b64decode(
                encoded + "=" * (-len(encoded) % 4))))
        elif did.startswith("did:key:"):
            public = public_key_from_multibase(did.removeprefix("did:key:")).to_jwcrypto()
        else:
            raise WalletError(f"this test wallet resolves did:key and did:jwk, not {did[:20]}")
        checker = jws.JWS()
        try:
            checker.deserialize(token)
            checker.verify(public, alg=header["alg"])
        except JWException as error:
            raise WalletError(f"the request object's signature does not verify: {error}") \
                from None

    def select(self, request: AuthorizationRequest) -> Selection | None:
        """Credentials for each credential query / input descriptor; None when the wallet
        cannot satisfy the request."""
        if request.dcql_query is not None:
            return self._select_dcql(request.dcql_query)
        assert request.presentation_definition is not None
        return self._select_pe(request.presentation_definition)

    def present(self, credentials: list[Any], *, challenge: str,
                domain: str) -> dict[str, Any]:
        """A verifiable presentation of `credentials`, signed by the holder."""
        presentation = {"@context": [VP_CONTEXT], "type": ["VerifiablePresentation"],
                        "holder": self.did, "verifiableCredential": credentials}
        return sign_document(presentation, self.key, verification_method=self.kid,
                             proof_purpose="authentication",
                             challenge=challenge, domain=domain)

    def present_jwt(self, credentials: list[Any], *, nonce: str, audience: str) -> str:
        """A VC-JWT presentation (`vp` claim; jwt_vc_json) of JWT credentials, with the
        request's nonce and the client_id as audience."""
        return sign_jwt_presentation(credentials, self.key, holder=self.did, kid=self.kid,
                                     nonce=nonce, audience=audience)

    def response_form(self, request: AuthorizationRequest, selection: Selection, *,
                      challenge: str | None = None,
                      domain: str | None = None) -> dict[str, str]:
        """The direct_post form answering `request` with `selection`. `challenge` and
        `domain` other than the request's nonce and client_id make a presentation the
        verifier must refuse: a test of the verifier, not a feature."""
        binding = {"challenge": challenge or request.nonce, "domain": domain or request.client_id}
        form: dict[str, str] = {}
        if request.dcql_query is not None:
            # Appendix B.1: one presentation per credential, under its credential query id.
            formats = {q["id"]: q.get("format") for q in request.dcql_query["credentials"]}
            token = {query_id: [self.present_jwt([credential], nonce=binding["challenge"],
                                                 audience=binding["domain"])
                                if formats.get(query_id) == JWT_VC_JSON else
                                self.present([credential], **binding) for credential in found]
                     for query_id, found in selection.items()}
            form["vp_token"] = json.dumps(token)
        else:
            assert request.presentation_definition is not None
            form.update(self._pe_answer(request.presentation_definition, selection, binding))
        if request.state is not None:
            form["state"] = request.state
        return form

    def decline(self, request: AuthorizationRequest, error: str = "access_denied",
                description: str | None = None) -> dict[str, Any]:
        """An error answer (§8.5), e.g. when the owner does not consent."""
        form = {"error": error}
        if description:
            form["error_description"] = description
        if request.state is not None:
            form["state"] = request.state
        return self.send(request, form)

    def post(self, request: AuthorizationRequest, form: dict[str, str]) -> httpx.Response:
        return self.http.post(request.response_uri, data=form)

    def send(self, request: AuthorizationRequest, form: dict[str, str]) -> dict[str, Any]:
        """POST the form; the verifier's JSON reply, or WalletError with its OAuth error."""
        response = self.post(request, form)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200:
            raise WalletError(f"response URI: HTTP {response.status_code}: "
                              f"{body.get('error_description') or response.text[:300]}",
                              status=response.status_code, error=body.get("error"))
        return body  # type: ignore[no-any-return]

    def close(self) -> None:
        self.http.close()

    # --- query languages -----------------------------------------------------------------
    def _select_dcql(self, query: dict[str, Any]) -> Selection | None:
        if "credential_sets" in query:
            raise WalletError("this test wallet does not support DCQL credential_sets")
        selection: Selection = {}
        for credential_query in query["credentials"]:
            for name in ("claims", "trusted_authorities"):
                if name in credential_query:
                    raise WalletError(f"this test wallet does not support DCQL {name}")
            fmt = credential_query.get("format")
            if fmt not in (LDP_VC, JWT_VC_JSON):
                return None  # it holds Data Integrity and VC-JWT credentials only
            type_values = (credential_query.get("meta") or {}).get("type_values")
            if not type_values:
                raise WalletError(f"a {fmt} credential query needs meta.type_values")
            found = [c for c in self.credentials if _fits(c, fmt, type_values)]
            if not found:
                return None
            selection[credential_query["id"]] = (found if credential_query.get("multiple")
                                                 else found[:1])
        return selection

    def _select_pe(self, definition: dict[str, Any]) -> Selection | None:
        if "submission_requirements" in definition:
            raise WalletError("this test wallet does not support PE submission_requirements")
        selection: Selection = {}
        for descriptor in definition["input_descriptors"]:
            found = [c for c in self.credentials
                     if isinstance(c, dict) and meets_input_descriptor(c, descriptor)]
            if not found:
                return None
            selection[descriptor["id"]] = found[:1]
        return selection

    def _pe_answer(self, definition: dict[str, Any], selection: Selection,
                   binding: dict[str, str]) -> dict[str, str]:
        """One presentation holding every selected credential, and the submission that
        maps each input descriptor into it (path_nested is relative to the presentation)."""
        credentials: list[dict[str, Any]] = []
        descriptor_map = []
        for descriptor_id, found in selection.items():
            for credential in found:
                descriptor_map.append({
                    "id": descriptor_id, "format": LDP_VP, "path": "$",
                    "path_nested": {"id": descriptor_id, "format": LDP_VC,
                                    "path": f"$.verifiableCredential[{len(credentials)}]"}})
                credentials.append(credential)
        submission = {"id": str(uuid.uuid4()), "definition_id": definition["id"],
                      "descriptor_map": descriptor_map}
        return {"vp_token": json.dumps(self.present(credentials, **binding)),
                "presentation_submission": json.dumps(submission)}


def _fits(credential: dict[str, Any] | str, fmt: str, type_values: list[list[str]]) -> bool:
    """Whether a held credential (a JSON object, or a VC-JWT as text) answers a DCQL
    credential query of format `fmt`."""
    if fmt == JWT_VC_JSON:
        document = jwt_credential_document(credential)
        return document is not None and matches_type_values(document, type_values)
    return isinstance(credential, dict) and matches_type_values(credential, type_values)


def _json_param(params: dict[str, str], name: str) -> dict[str, Any]:
    if name not in params:
        return {}
    try:
        value = json.loads(params[name])
    except ValueError as error:
        raise WalletError(f"{name} is not JSON: {error}") from None
    if not isinstance(value, dict):
        raise WalletError(f"{name} is not a JSON object")
    return value
