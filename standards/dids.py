"""DID resolution (did:key, did:jwk, did:web) and verification method dereferencing.

A verification method counts only when the document of its controller lists it under the proof
purpose asked for (W3C Controlled Identifiers, "Retrieve Verification Method"). The one exception
is the 1EdTech habit of naming an https key `https://issuer.example/profile#z6Mk…`: the key is
taken from the fragment without any document, and `VerificationMethod.source == "fragment"`
says so, so that verifiers can report that nothing binds that key to its controller.

All network access goes through a `Fetcher` (offline unless the caller gives a networked one).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

import rfc8785

from standards.errors import DidResolutionError, FetchError, InvalidKeyError
from standards.fetcher import Fetcher
from standards.keys import KeyPair, key_pair_from_jwk, public_key_from_multibase

PROOF_PURPOSES = (
    "assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation",
    "keyAgreement",
)
SIGNING_PURPOSES = PROOF_PURPOSES[:4]
MULTIBASE_TYPES = ("Multikey", "Ed25519VerificationKey2020")
JWK_TYPES = ("JsonWebKey", "JsonWebKey2020")
DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
DID_DOCUMENT_ACCEPT = "application/did+json, application/did+ld+json, application/json;q=0.9"
MAX_DID_LENGTH = 8192
PRIVATE_JWK_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
_WEB_HOST = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")
_WEB_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9._~%-]+$")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass
class VerificationMethod:
    """A resolved public key with its identity.

    source: "did:key" / "did:jwk" (key in the identifier), "did:web" / "https" / "local"
    (from a controller document), or "fragment" (1EdTech-style key in the URL fragment).
    """

    id: str
    type: str
    controller: str
    key: KeyPair
    source: str
    document: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def key_from_fragment(self) -> bool:
        return self.source == "fragment"


def controller_of(vm_id: str) -> str:
    """The controller document's id of a verification method id: the part before '#'."""
    return vm_id.split("#", 1)[0]


def single_key_method(vm_id: str) -> str:
    """A bare did:key or did:jwk names exactly one key (as the 1EdTech validator and the DCC
    read it): its verification method id. Anything else is returned as it is."""
    if "#" in vm_id:
        return vm_id
    if vm_id.startswith("did:key:"):
        return f"{vm_id}#{vm_id.removeprefix('did:key:')}"
    if vm_id.startswith("did:jwk:"):
        return f"{vm_id}#0"
    return vm_id


# --- did:key ---------------------------------------------------------------------------------
def did_key_from_key_pair(pair: KeyPair) -> str:
    return "did:key:" + pair.public_key_multibase()


def did_key_document(did: str, vm_type: str = "Multikey") -> dict[str, Any]:
    """The DID document of a did:key (Ed25519 z6Mk…, P-256 zDna…), per the did:key spec."""
    if not did.startswith("did:key:"):
        raise DidResolutionError(f"{did[:60]} is not a did:key")
    multibase = did.removeprefix("did:key:")
    if not multibase.startswith("z"):
        raise DidResolutionError(f"{did[:60]}: did:key must be base58btc multibase (z…)")
    _key_from_multibase(multibase, vm_type, f"{did[:60]}: not a usable did:key")  # validates
    if vm_type not in MULTIBASE_TYPES:
        raise DidResolutionError(f"did:key verification method type {vm_type!r} unsupported")
    context = MULTIKEY_CONTEXT if vm_type == "Multikey" else ED25519_2020_CONTEXT
    vm_id = f"{did}#{multibase}"
    return {
        "@context": [DID_CONTEXT, context],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": vm_type, "controller": did, "publicKeyMultibase": multibase}
        ],
        **{purpose: [vm_id] for purpose in SIGNING_PURPOSES},
    }


# --- did:jwk ---------------------------------------------------------------------------------
def did_jwk_from_key_pair(pair: KeyPair) -> str:
    """did:jwk of the public key; the JWK is serialised with JCS so the DID is deterministic."""
    encoded = base64.urlsafe_b64encode(rfc8785.dumps(pair.public_jwk())).rstrip(b"=")
    return "did:jwk:" + encoded.decode("ascii")


def did_jwk_document(did: str) -> dict[str, Any]:
    """The DID document of a did:jwk (verification method `did:jwk:…#0`)."""
    if not did.startswith("did:jwk:"):
        raise DidResolutionError(f"{did[:60]} is not a did:jwk")
    encoded = did.removeprefix("did:jwk:")
    if not _BASE64URL.match(encoded):
        raise DidResolutionError(f"{did[:60]}: did:jwk is not base64url")
    try:
        jwk = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise DidResolutionError(f"{did[:60]}: did:jwk does not hold a JSON JWK") from exc
    if not isinstance(jwk, dict) or "kty" not in jwk:
        raise DidResolutionError(f"{did[:60]}: did:jwk does not hold a JWK object")
    _key_from_jwk(jwk, did)  # refuse unusable or private keys now, not when verifying
    vm_id = f"{did}#0"
    use = jwk.get("use")
    purposes = ["keyAgreement"] if use == "enc" else list(SIGNING_PURPOSES)
    if use is None:
        purposes.append("keyAgreement")
    return {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": vm_id, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}
        ],
        **{purpose: [vm_id] for purpose in purposes},
    }


# --- did:web ---------------------------------------------------------------------------------
def did_web_url(did: str, scheme: str = "https") -> str:
    """did:web:example.com -> https://example.com/.well-known/did.json (did:web spec §3.2)."""
    if not did.startswith("did:web:") or len(did) <= len("did:web:"):
        raise DidResolutionError(f"{did[:60]} is not a did:web")
    host_part, *path = did.removeprefix("did:web:").split(":")
    host = unquote(host_part)  # a port is percent-encoded: localhost%3A8443
    if not _WEB_HOST.match(host):
        raise DidResolutionError(f"{did[:60]}: {host!r} is not a valid did:web host")
    for segment in path:
        if not _WEB_PATH_SEGMENT.match(segment) or unquote(segment) in {".", ".."} or (
            "/" in unquote(segment)
        ):
            raise DidResolutionError(f"{did[:60]}: invalid did:web path segment {segment!r}")
    suffix = "/".join(path) if path else ".well-known"
    return f"{scheme}://{host}/{suffix}/did.json"


def _checked_did_key_document(did: str, given: Any) -> dict[str, Any]:
    """A supplied did:key document, accepted only if it holds no key but the DID's own."""
    if isinstance(given, bytes):
        given = DidResolver._parse_local(did, given)
    document = DidResolver._checked_document(did, given)
    multibase = did.removeprefix("did:key:")
    entries = [e for name in ("verificationMethod", *PROOF_PURPOSES)
               for e in _entries(document, name) if isinstance(e, dict)]
    for entry in entries:
        if entry.get("publicKeyMultibase") != multibase:
            raise DidResolutionError(f"supplied document for {did[:60]} holds a key that is "
                                     "not the did:key's own")
    return document


def _web_host(did: str) -> str:
    return unquote(did.removeprefix("did:web:").split(":")[0]).rsplit(":", 1)[0]


# --- verification methods ----------------------------------------------------------------
def _key_from_jwk(jwk: Any, where: str) -> KeyPair:
    if not isinstance(jwk, dict):
        raise DidResolutionError(f"{where}: publicKeyJwk is not a JSON object")
    private = PRIVATE_JWK_MEMBERS & jwk.keys()
    if private:
        raise DidResolutionError(
            f"{where}: publicKeyJwk contains private key members ({', '.join(sorted(private))})"
        )
    try:
        return key_pair_from_jwk(jwk)
    except InvalidKeyError as exc:
        raise DidResolutionError(f"{where}: {exc}") from exc


def _key_from_multibase(value: str, vm_type: str, where: str) -> KeyPair:
    """A publicKeyMultibase key; Ed25519VerificationKey2020 may only hold an Ed25519 key."""
    try:
        key = public_key_from_multibase(value)
    except InvalidKeyError as exc:
        raise DidResolutionError(f"{where}: {exc}") from exc
    if vm_type == "Ed25519VerificationKey2020" and key.key_type != "ed25519":
        raise DidResolutionError(f"{where}: Ed25519VerificationKey2020 needs an Ed25519 key")
    return key


def key_from_verification_method(entry: dict[str, Any]) -> KeyPair:
    """The public key of a Multikey, Ed25519VerificationKey2020, JsonWebKey(2020) entry."""
    vm_id, vm_type = entry.get("id"), entry.get("type")
    where = f"verification method {vm_id}"
    if vm_type in MULTIBASE_TYPES:
        value = entry.get("publicKeyMultibase")
        if not isinstance(value, str):
            raise DidResolutionError(f"{where}: {vm_type} without publicKeyMultibase")
        key = _key_from_multibase(value, vm_type, where)
    elif vm_type in JWK_TYPES:
        key = _key_from_jwk(entry.get("publicKeyJwk"), where)
    else:
        raise DidResolutionError(f"{where}: unsupported verification method type {vm_type!r}")
    key.id = vm_id
    key.controller = entry.get("controller")
    return key


def _absolute(reference: str, document_id: str) -> str:
    return document_id + reference if reference.startswith("#") else reference


def _entries(document: dict[str, Any], name: str) -> list[Any]:
    value = document.get(name, [])
    return value if isinstance(value, list) else [value]


def find_verification_method(document: dict[str, Any], vm_id: str) -> dict[str, Any] | None:
    """The entry with this id in verificationMethod or embedded under a proof purpose."""
    doc_id = str(document.get("id", ""))
    for name in ("verificationMethod", *PROOF_PURPOSES):
        for entry in _entries(document, name):
            if isinstance(entry, dict) and _absolute(str(entry.get("id", "")), doc_id) == vm_id:
                return {**entry, "id": vm_id}
    return None


def purposes_listing(document: dict[str, Any], vm_id: str) -> list[str]:
    """The proof purposes under which the document lists this verification method."""
    doc_id = str(document.get("id", ""))
    found = []
    for purpose in PROOF_PURPOSES:
        for entry in _entries(document, purpose):
            ref = entry.get("id") if isinstance(entry, dict) else entry
            if isinstance(ref, str) and _absolute(ref, doc_id) == vm_id:
                found.append(purpose)
                break
    return found


class DidResolver:
    """Resolves DIDs and verification method ids through one Fetcher (offline by default)."""

    def __init__(self, fetcher: Fetcher | None = None) -> None:
        self.fetcher = fetcher if fetcher is not None else Fetcher.offline()

    def resolve(self, did: str) -> dict[str, Any]:
        """The DID document of a DID (a fragment, if any, is ignored)."""
        if not isinstance(did, str) or not did.startswith("did:"):
            raise DidResolutionError(f"{str(did)[:60]!r} is not a DID")
        if len(did) > MAX_DID_LENGTH:
            raise DidResolutionError(f"DID longer than {MAX_DID_LENGTH} characters")
        did = controller_of(did)
        method = did.split(":", 2)[1]
        if method == "key":
            derived = did_key_document(did)
            given = self.fetcher.local_document(did)  # e.g. a legacy Ed25519VerificationKey2020
            return derived if given is None else _checked_did_key_document(did, given)
        if method == "jwk":
            return did_jwk_document(did)
        local = self.fetcher.local_document(did)
        if isinstance(local, bytes):
            local = self._parse_local(did, local)
        if local is not None:
            return self._checked_document(did, local)
        if method == "web":
            host = _web_host(did)
            scheme = "http" if self.fetcher.policy.allows_plain_http(host) else "https"
            try:
                document = self.fetcher.fetch_json(did_web_url(did, scheme), DID_DOCUMENT_ACCEPT)
            except FetchError as exc:
                raise DidResolutionError(f"cannot resolve {did}: {exc}") from exc
            return self._checked_document(did, document)
        raise DidResolutionError(f"cannot resolve {did[:60]}: DID method {method!r} unsupported "
                                 "(did:key, did:jwk, did:web, or supply the document locally)")

    def resolve_verification_method(
        self, vm_id: str, purpose: str = "assertionMethod"
    ) -> VerificationMethod:
        """The key of `vm_id`, provided its controller lists it under `purpose`."""
        if purpose not in PROOF_PURPOSES:
            raise DidResolutionError(f"unknown proof purpose {purpose!r}")
        if not isinstance(vm_id, str) or not vm_id:
            raise DidResolutionError("verification method id is missing or not a string")
        vm_id = single_key_method(vm_id)
        controller = controller_of(vm_id)
        standalone: dict[str, Any] | None = None
        if vm_id.startswith("did:"):
            if "#" not in vm_id:
                raise DidResolutionError(f"{vm_id[:60]} is a DID, not a verification method id")
            document = self.resolve(controller)
            method = controller.split(":", 2)[1]
            source = f"did:{method}" if method in {"key", "jwk", "web"} else "local"
        elif vm_id.startswith(("https://", "http://")):
            fragment_key = self._fragment_key(vm_id)
            if fragment_key is not None:
                return fragment_key
            source = "https"
            document = self._fetch_json(controller)
            if document.get("id") == vm_id and "#" not in vm_id and (
                "publicKeyMultibase" in document or "publicKeyJwk" in document
            ):
                standalone = document  # the URL names a key document; find who controls it
                controller = str(document.get("controller", ""))
                if not controller:
                    raise DidResolutionError(f"verification method {vm_id} names no controller")
                document = (self.resolve(controller) if controller.startswith("did:")
                            else self._fetch_json(controller))
            if document.get("id") != controller:
                raise DidResolutionError(f"controller document at {controller} has id "
                                         f"{document.get('id')!r}, not {controller}")
        else:
            # A URN cannot be fetched; the only key it can name is one in its fragment
            # (the 1EdTech CLR 2.0 samples: urn:uuid:…#z6Mk…).
            fragment_key = self._fragment_key(vm_id) if vm_id.startswith("urn:") else None
            if fragment_key is not None:
                return fragment_key
            raise DidResolutionError(f"verification method id {vm_id[:60]!r} is neither a DID "
                                     "URL nor an https URL")
        entry = standalone or find_verification_method(document, vm_id)
        if entry is None:
            raise DidResolutionError(f"verification method {vm_id} is not in the document of "
                                     f"its controller {controller}")
        listed = purposes_listing(document, vm_id)
        if purpose not in listed:
            raise DidResolutionError(
                f"verification method {vm_id} is not listed under {purpose} by its controller "
                f"{controller} (listed under: {', '.join(listed) or 'nothing'})"
            )
        if entry.get("controller") != controller:
            raise DidResolutionError(f"verification method {vm_id} names controller "
                                     f"{entry.get('controller')!r}, not {controller}")
        key = key_from_verification_method(entry)
        return VerificationMethod(vm_id, str(entry["type"]), controller, key, source, entry)

    # --- helpers --------------------------------------------------------------------------
    def _fragment_key(self, vm_id: str) -> VerificationMethod | None:
        _, _, fragment = vm_id.partition("#")
        if not fragment.startswith("z"):
            return None
        try:
            key = public_key_from_multibase(fragment)
        except InvalidKeyError:
            return None  # an ordinary fragment that happens to start with z: fetch instead
        controller = controller_of(vm_id)
        key.id, key.controller = vm_id, controller
        entry = {"id": vm_id, "type": "Multikey", "controller": controller,
                 "publicKeyMultibase": fragment}
        return VerificationMethod(vm_id, "Multikey", controller, key, "fragment", entry)

    def _fetch_json(self, url: str) -> dict[str, Any]:
        try:
            document = self.fetcher.fetch_json(url, DID_DOCUMENT_ACCEPT)
        except FetchError as exc:
            raise DidResolutionError(f"cannot fetch controller document {url}: {exc}") from exc
        if not isinstance(document, dict):
            raise DidResolutionError(f"controller document {url} is not a JSON object")
        return document

    @staticmethod
    def _parse_local(did: str, content: bytes) -> Any:
        try:
            return json.loads(content)
        except (ValueError, RecursionError) as exc:
            raise DidResolutionError(f"local document for {did} is not JSON") from exc

    @staticmethod
    def _checked_document(did: str, document: Any) -> dict[str, Any]:
        if not isinstance(document, dict):
            raise DidResolutionError(f"DID document of {did} is not a JSON object")
        if document.get("id") != did:
            raise DidResolutionError(
                f"DID document id {str(document.get('id'))[:80]!r} does not match {did}"
            )
        return document
