"""OB 3.0 AchievementSubject: who earned the achievement, and with what result.

The recipient is named by `id` (e.g. the holder's DID) and/or by IdentityObjects; OB 3.0
requires at least one of the two. An e-mail address is best given hashed. The OB 3.0
IdentityHash data type: "a String consisting of an algorithm identifier, a $ separator, and a
hash across an identifier and an optionally appended salt string. The only supported
algorithms are MD5 and SHA-256, identified by the strings 'md5' and 'sha256'. Identifiers and
salts MUST be encoded in UTF-8 prior to hashing, and the resulting hash MUST be expressed in
hexadecimal" (upper or lower case). Spec example: sha256 over `a@example.comKosher` gives
`sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399`.
The address is hashed exactly as given: the spec defines no case folding, so callers that
want case-insensitive matching must pass a canonical (e.g. lower-cased) address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from standards.ob3.common import JSON, CredentialInputError, as_json_list, drop_empty
from standards.ob3.schema import definition_uri, ensure_conforms

IDENTITY_HASH_ALGORITHMS = {"sha256": hashlib.sha256, "md5": hashlib.md5}


def identity_hash(identifier: str, salt: str = "", algorithm: str = "sha256") -> str:
    """`<algorithm>$<hex digest of UTF-8(identifier + salt)>`, per the OB 3.0 IdentityHash."""
    if algorithm not in IDENTITY_HASH_ALGORITHMS:
        raise CredentialInputError(
            f"identity hash algorithm {algorithm!r} is not one of "
            f"{sorted(IDENTITY_HASH_ALGORITHMS)}"
        )
    digest = IDENTITY_HASH_ALGORITHMS[algorithm]((identifier + salt).encode("utf-8"))
    return f"{algorithm}${digest.hexdigest()}"


def hashed_email_identity(email: str, *, salt: str | None = None) -> JSON:
    """A hashed `emailAddress` IdentityObject. Without `salt`, a random one is chosen
    (an unsalted e-mail hash is easily reversed by hashing guessed addresses)."""
    if "@" not in email:
        raise CredentialInputError(f"{email!r} is not an e-mail address")
    salt = secrets.token_hex(16) if salt is None else salt
    return {
        "type": "IdentityObject",
        "identityHash": identity_hash(email, salt),
        "identityType": "emailAddress",
        "hashed": True,
        "salt": salt,
    }


def identity_matches(identity: Mapping[str, Any], plaintext: str) -> bool:
    """Whether an IdentityObject (hashed or not) identifies `plaintext`."""
    value = identity.get("identityHash")
    if not isinstance(value, str):
        return False
    if not identity.get("hashed"):
        return hmac.compare_digest(value.encode(), plaintext.encode())
    algorithm, _, digest = value.partition("$")
    if algorithm not in IDENTITY_HASH_ALGORITHMS or not digest:
        return False
    expected = identity_hash(plaintext, identity.get("salt") or "", algorithm)
    return hmac.compare_digest(expected.lower().encode(), value.lower().encode())


@dataclass(frozen=True)
class Result:
    """A result achieved: `result_description` and `achieved_level` are the ids of a
    ResultDescription and of one of its RubricCriterionLevels in the achievement."""

    result_description: str | None = None
    achieved_level: str | None = None
    value: str | None = None
    status: str | None = None

    def to_json(self) -> JSON:
        return drop_empty(
            {
                "type": ["Result"],
                "resultDescription": self.result_description,
                "achievedLevel": self.achieved_level,
                "value": self.value,
                "status": self.status,
            }
        )


def build_achievement_subject(
    *,
    achievement: Mapping[str, Any],
    id: str | None = None,
    identifiers: Sequence[Mapping[str, Any]] = (),
    results: Sequence[Result | Mapping[str, Any]] = (),
    source: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> JSON:
    """An AchievementSubject dict, checked against the OB 3.0 schema.

    `id` is the holder's DID (or other URI); `identifiers` are IdentityObjects such as
    `hashed_email_identity(...)`; at least one of the two is required. `source` is the
    Profile of the organisation that assessed the achievement, when not the issuer.
    """
    if id is None and not identifiers:
        raise CredentialInputError("an AchievementSubject needs an id or at least one identifier")
    subject = drop_empty(
        {
            "id": id,
            "type": ["AchievementSubject"],
            "identifier": [dict(identity) for identity in identifiers],
            "achievement": dict(achievement),
            "result": as_json_list(results),
            "source": dict(source) if source is not None else None,
            **(extra or {}),
        }
    )
    ensure_conforms(subject, definition_uri("AchievementSubject"), "credentialSubject")
    return subject
