"""The verifier's own key: it signs OpenID4VP request objects (JAR), so a wallet can check who
asks without the web PKI. P-256 with ES256, as the EU wallet profile (HAIP) expects; the
verifier is `did:key` of that key, and its client_id `decentralized_identifier:<did:key>`.

The key is derived from the verifier's secret (VerifierSettings.secret) rather than generated
and stored: the verifier has no database, only a store file whose contents all expire within
minutes and may be deleted at any time (verifier.store), and a long-lived private key does not
belong there, in the clear or encrypted. Deriving it (HKDF-SHA256 with a purpose label, then
reduced to a P-256 scalar as FIPS 186-5 A.2.1 does) keeps the one secret the only thing to
protect and back up: every process with the same secret signs as the same DID, and a new
secret is a new key (and so a new client_id; wallets hold no state about verifiers).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from standards.dids import did_key_from_key_pair
from standards.keys import KeyPair
from verifier.config import VerifierSettings

PURPOSE = b"opendossier verifier request-object signing key P-256 v1"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@dataclass(frozen=True)
class VerifierKey:
    """The key pair, its did:key and the verification method id (`kid`) naming it."""

    key: KeyPair
    did: str
    kid: str


def verifier_key(settings: VerifierSettings) -> VerifierKey:
    return _derive(settings.secret())


@lru_cache(maxsize=8)
def _derive(secret: bytes) -> VerifierKey:
    # 64 bits more than the order's size, so the reduction is as good as uniform (A.2.1).
    seed = HKDF(algorithm=hashes.SHA256(), length=40, salt=None, info=PURPOSE).derive(secret)
    scalar = int.from_bytes(seed, "big") % (P256_ORDER - 1) + 1
    private = ec.derive_private_key(scalar, ec.SECP256R1())
    pair = KeyPair("p256", private.public_key(), private)
    did = did_key_from_key_pair(pair)
    pair.id, pair.controller = f"{did}#{pair.public_key_multibase()}", did
    return VerifierKey(pair, did, pair.id)
