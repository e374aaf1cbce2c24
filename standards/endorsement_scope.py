"""What an embedded endorsement vouches for, and whether that is the credential carrying it.

An EndorsementCredential endorses one thing, named by its `credentialSubject.id`: a
credential, an issuer profile or an achievement (OB 3.0 section 8.7). Anyone can copy it,
with the achievement it sits on, into a credential of their own: the endorsement stays
authentic, but it vouches for the original, not for the copier. So an authentic endorsement
counts for a credential only when it endorses what carries it, and that is the issuer's:
- on the credential: it endorses this credential's id;
- on the issuer profile: it endorses this issuer;
- on the achievement's creator: it endorses the creator, and the creator is this issuer;
- on the achievement: it endorses the achievement's id, the achievement's creator is this
  issuer, and the achievement its publisher serves at that id (fetched under the fetcher's
  policy) names the same creator and has the same content as the one in the credential (all
  but its endorsements and the creator's details, which may change after the endorsement).
  An id that is no web address, or that cannot be fetched now, leaves the endorsement
  unconfirmed: it is not counted, and the reason says why.

A scope that does not apply is not a forgery: the credential stands, the endorsement is just
not counted, and `message` says what it does cover.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from standards.embedded_credentials import EmbeddedEndorsement
from standards.errors import StandardsError

# Members of an achievement that are not what an endorser endorsed: endorsements come and go,
# and a creator profile's name or image may change; its id is compared instead.
NOT_CONTENT = {"@context", "endorsement", "endorsementJwt"}

# url -> the JSON its publisher serves there (raises StandardsError when it cannot be had)
AchievementSource = Callable[[str], Any]


@dataclass(frozen=True)
class EndorsementScope:
    """Whether an endorsement `applies` to the credential carrying it. `carrier` says what
    carries it (see EmbeddedEndorsement), `endorses` what it names; `reason` is "applies",
    "other_subject", "no_creator", "not_issuer", "other_publisher", "content_differs" or
    "unconfirmed"; `message` says it in words."""

    applies: bool
    carrier: str
    endorses: str | None
    reason: str
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"applies": self.applies, "carrier": self.carrier, "endorses": self.endorses,
                "reason": self.reason, "message": self.message}


def endorsement_scope(found: EmbeddedEndorsement, endorsement: dict[str, Any],
                      credential: dict[str, Any], served: AchievementSource
                      ) -> EndorsementScope:
    """The scope of the (authentic) `endorsement` found in `credential`."""
    endorses = _subject_id(endorsement)
    carrier_id = _id_of(found.carrier_node if found.carrier != "credential" else credential)
    issuer = _id_of(credential.get("issuer"))

    def scope(reason: str, message: str) -> EndorsementScope:
        return EndorsementScope(reason == "applies", found.carrier, endorses, reason, message)

    what = f"the {found.carrier} {carrier_id}" if carrier_id else f"the {found.carrier}"
    if endorses is None or endorses != carrier_id:
        return scope("other_subject", f"it endorses {endorses or 'nothing named'}, not {what} "
                     "that carries it: it does not vouch for this credential or its issuer")
    if found.carrier == "credential":
        return scope("applies", f"it endorses this credential {endorses}")
    if found.carrier == "issuer":
        return scope("applies", f"it endorses this credential's issuer {endorses}")
    if found.carrier == "creator":
        if endorses != issuer:
            return scope("not_issuer", f"it endorses {endorses}, the creator of the "
                         f"achievement, which is not this credential's issuer {issuer}: it "
                         "does not vouch for this issuer")
        return scope("applies", f"it endorses this credential's issuer {endorses}, as the "
                     "achievement's creator")
    return _achievement_scope(found.carrier_node, endorses, issuer, served, scope)


def _achievement_scope(achievement: dict[str, Any], endorses: str, issuer: str | None,
                       served: AchievementSource,
                       scope: Callable[[str, str], EndorsementScope]) -> EndorsementScope:
    creator = _id_of(achievement.get("creator"))
    covers = f"it endorses the achievement {endorses}"
    if creator is None:
        return scope("no_creator", f"{covers}, which names no creator here: it is not shown "
                     f"to be an achievement of this credential's issuer {issuer}, and the "
                     "endorsement does not vouch for this issuer")
    if creator != issuer:
        return scope("not_issuer", f"{covers} of {creator}; this credential's issuer "
                     f"{issuer} is not its creator, and the endorsement does not vouch for "
                     "this issuer")
    if not endorses.lower().startswith(("https://", "http://")):
        return scope("unconfirmed", f"{covers}, whose id is not a web address its publisher "
                     "serves: that it is this issuer's achievement, as the endorser saw it, "
                     "cannot be confirmed, so the endorsement is not counted")
    try:
        published = served(endorses)
    except StandardsError as error:
        return scope("unconfirmed", f"{covers}; the achievement its publisher serves could "
                     f"not be fetched now ({error}), so that this is the achievement the "
                     "endorser saw cannot be confirmed and the endorsement is not counted")
    published_creator = _id_of(published.get("creator")) if isinstance(published, dict) \
        else None
    if published_creator != issuer:
        return scope("other_publisher", f"{covers}, which its publisher serves as an "
                     f"achievement of {published_creator or 'nobody named'}, not of this "
                     f"credential's issuer {issuer}: the endorsement does not vouch for this "
                     "issuer")
    differs = _differences(achievement, published)
    if differs:
        return scope("content_differs", f"{covers}, but the achievement in this credential "
                     f"differs from the one its publisher serves ({', '.join(differs)}): this "
                     "is not the content the endorser saw")
    return scope("applies", f"{covers}, as its publisher {issuer} serves it")


def _differences(embedded: dict[str, Any], published: dict[str, Any]) -> list[str]:
    """The members in which two achievements differ, by content."""
    ours, theirs = _content(embedded), _content(published)
    return sorted(k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k))


def _content(achievement: dict[str, Any]) -> dict[str, Any]:
    content = {k: v for k, v in achievement.items() if k not in NOT_CONTENT}
    if "creator" in content:
        content["creator"] = _id_of(content["creator"])
    return content


def _subject_id(endorsement: dict[str, Any]) -> str | None:
    subject = endorsement.get("credentialSubject")
    return _id_of(subject) if isinstance(subject, dict) else None


def _id_of(value: Any) -> str | None:
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None
