"""A small, honest OpenID4VCI 1.0 wallet for tests: the pre-authorized code flow over HTTP.

It does what a real wallet does and nothing the issuer could not expect from one: it reads
the offer URI, fetches the offer by reference, discovers the Credential Issuer and the
Authorization Server by their well-known metadata, redeems the pre-authorized code (with the
transaction code when the offer asks for one), fetches a c_nonce, signs a key proof
(typ openid4vci-proof+jwt) with its holder key, and requests the credential. Each step is a
method of its own, so tests can also send what a careless or hostile wallet would.
"""

from __future__ import annotations

import base64
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
from jwcrypto import jws

from standards.dids import did_jwk_from_key_pair, did_key_from_key_pair
from standards.keys import KeyPair, generate_key

OFFER_SCHEME = "openid-credential-offer"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"


class WalletError(Exception):
    """A step that failed; `error` is the OAuth/OpenID4VCI error code when the server sent one."""

    def __init__(self, message: str, *, status: int | None = None,
                 error: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error = error


@dataclass
class Issuer:
    """What the wallet learnt about a Credential Issuer from its metadata."""

    metadata: dict[str, Any]
    authorization_server: dict[str, Any]

    @property
    def identifier(self) -> str:
        return self.metadata["credential_issuer"]


def well_known_url(identifier: str, name: str) -> str:
    """RFC 8414 §3.1 / OpenID4VCI §12.2.2: the well-known segment goes between the host and
    the path of the identifier (https://host/tenant → https://host/.well-known/NAME/tenant)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{name}{path}", "", ""))


class TestWallet:
    """A holder with one key: Ed25519 did:key by default; did:jwk (key sent as `jwk`) too."""

    __test__ = False  # not a pytest test class

    def __init__(self, key: KeyPair | None = None, *, use_jwk: bool = False,
                 client: httpx.Client | None = None) -> None:
        self.key = key or generate_key("ed25519")
        self.use_jwk = use_jwk
        if use_jwk:
            self.did = did_jwk_from_key_pair(self.key)
            self.kid = f"{self.did}#0"
        else:
            self.did = did_key_from_key_pair(self.key)
            self.kid = f"{self.did}#{self.key.public_key_multibase()}"
        self.http = client or httpx.Client(timeout=60)

    # --- the whole flow ------------------------------------------------------------------
    def receive(self, offer_uri: str, tx_code: str | None = None) -> dict[str, Any] | str:
        """Receive the credential an offer URI offers; returns it as issued (object or JWT)."""
        offer = self.fetch_offer(offer_uri)
        issuer = self.discover(offer["credential_issuer"])
        configuration_id = offer["credential_configuration_ids"][0]
        if configuration_id not in issuer.metadata["credential_configurations_supported"]:
            raise WalletError(f"the issuer does not describe {configuration_id}")
        access_token = self.redeem(issuer, offer, tx_code)
        proof = self.key_proof(issuer.identifier, self.nonce(issuer))
        return self.request_credential(issuer, access_token, configuration_id, proof)

    # --- the steps -----------------------------------------------------------------------
    def fetch_offer(self, offer_uri: str) -> dict[str, Any]:
        parts = urlsplit(offer_uri)
        if parts.scheme != OFFER_SCHEME:
            raise WalletError(f"not a credential offer URI: {offer_uri[:60]}")
        query = parse_qs(parts.query)
        if "credential_offer" in query:
            return json.loads(query["credential_offer"][0])
        if "credential_offer_uri" not in query:
            raise WalletError("the offer URI has neither credential_offer nor "
                              "credential_offer_uri")
        return self._json(self.http.get(query["credential_offer_uri"][0]), "credential offer")

    def discover(self, identifier: str) -> Issuer:
        url = well_known_url(identifier, "openid-credential-issuer")
        metadata = self._json(self.http.get(url), "credential issuer metadata")
        if metadata.get("credential_issuer") != identifier:  # §12.2.3: must match exactly
            raise WalletError("the metadata names another credential_issuer")
        server_id = (metadata.get("authorization_servers") or [identifier])[0]
        as_url = well_known_url(server_id, "oauth-authorization-server")
        server = self._json(self.http.get(as_url), "authorization server metadata")
        if server.get("issuer") != server_id:
            raise WalletError("the authorization server metadata names another issuer")
        return Issuer(metadata, server)

    def redeem(self, issuer: Issuer, offer: dict[str, Any], tx_code: str | None) -> str:
        """Token Request with the pre-authorized code; returns the access token."""
        grant = offer.get("grants", {}).get(PRE_AUTHORIZED_GRANT)
        if not grant:
            raise WalletError("the offer has no pre-authorized code grant")
        form = {"grant_type": PRE_AUTHORIZED_GRANT,
                "pre-authorized_code": grant["pre-authorized_code"]}
        if "tx_code" in grant:
            if tx_code is None:
                raise WalletError("this offer needs a transaction code")
            form["tx_code"] = tx_code
        response = self.http.post(issuer.authorization_server["token_endpoint"], data=form)
        token = self._json(response, "token response")
        if token.get("token_type", "").lower() != "bearer":
            raise WalletError(f"unexpected token_type {token.get('token_type')!r}")
        return token["access_token"]

    def nonce(self, issuer: Issuer) -> str:
        response = self.http.post(issuer.metadata["nonce_endpoint"])
        return self._json(response, "nonce response")["c_nonce"]

    def key_proof(self, audience: str, nonce: str | None, *, iat: float | None = None,
                  signer: KeyPair | None = None, typ: str = PROOF_TYP) -> str:
        """A `jwt` key proof (Appendix F.1). `signer` other than the wallet's own key makes a
        proof whose signature does not match its kid: a test of the issuer, not a feature."""
        header: dict[str, Any] = {"typ": typ, "alg": self.key.jws_algorithm}
        if self.use_jwk:
            header["jwk"] = self.key.public_jwk()
        else:
            header["kid"] = self.kid
        claims: dict[str, Any] = {"aud": audience, "iat": int(time.time() if iat is None else iat)}
        if nonce is not None:
            claims["nonce"] = nonce
        token = jws.JWS(json.dumps(claims).encode())
        token.add_signature((signer or self.key).to_jwcrypto(private=True),
                            protected=json.dumps(header))
        return token.serialize(compact=True)

    def post_credential(self, issuer: Issuer, access_token: str,
                        body: dict[str, Any]) -> httpx.Response:
        return self.http.post(issuer.metadata["credential_endpoint"], json=body,
                              headers={"Authorization": f"Bearer {access_token}"})

    def request_credential(self, issuer: Issuer, access_token: str, configuration_id: str,
                           proof: str) -> dict[str, Any] | str:
        body = {"credential_configuration_id": configuration_id, "proofs": {"jwt": [proof]}}
        answer = self._json(self.post_credential(issuer, access_token, body),
                            "credential response")
        credential = answer["credentials"][0]["credential"]
        if subject_id(credential) != self.did:
            raise WalletError("the credential is not bound to this wallet's DID")
        return credential

    # --- helpers -------------------------------------------------------------------------
    @staticmethod
    def _json(response: httpx.Response, what: str) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200:
            raise WalletError(f"{what}: HTTP {response.status_code}: {response.text[:300]}",
                              status=response.status_code, error=body.get("error"))
        return body

    def close(self) -> None:
        self.http.close()


def subject_id(credential: dict[str, Any] | str) -> str | None:
    """credentialSubject.id of a credential given as an object or as a VC-JWT."""
    document: dict[str, Any]
    if isinstance(credential, str):
        payload = credential.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        assert isinstance(claims, dict)
        document = claims.get("vc", claims)
    else:
        document = credential
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    return subject.get("id") if isinstance(subject, dict) else None
