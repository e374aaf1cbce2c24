"""Challenges bind a presentation to one verification, for one domain.

The rule:
- a challenge the caller names (VC-API `options.challenge`, an OpenID4VP nonce) must be the
  one every proof of the presentation carries, and a domain the caller names must be the
  proofs' domain (`standards.verification` checks both). The caller's challenge need not be
  one this verifier issued: a caller with challenges of its own (the W3C suites, another
  service) holds the proofs to them, and keeping them single use is its business (issue 19);
- a challenge nobody names but a proof carries must be one this verifier issued;
- either way, a challenge this verifier keeps must be unexpired and unused, and every proof
  must be made for the domain it was issued for (this verifier's address from
  POST /challenges, or the client_id of an OpenID4VP request). A presentation that answers
  all of this uses the challenge up: it verifies once.

A presentation whose proofs carry no challenge and for which the caller names none verifies
with a warning that it is replayable (the owner's signature, not an answer to a question). So
does one whose proofs carry a challenge this verifier never issued for a domain that is not
this verifier's (a wallet's share link carries its share id and the wallet's address, so
that verifiers which insist on a challenge can check it): it was made for someone else, and
a warning says so; a caller who names such a challenge gets it checked against the proofs.
Without a store (the command line) nothing is issued, so nothing is enforced.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicekit.errors import Inconsistent
from standards.jwt_presentations import binding_claims
from standards.verification import VerificationResult
from verifier.services.context import VerifierContext
from verifier.store import IssuedChallenge, VerifierStore

CHALLENGE_REFUSALS = {
    "unknown": "the challenge {c!r} was not issued by this verifier",
    "expired": "the challenge {c!r} has expired; ask for a new one",
    "used": "the challenge {c!r} was already used: this presentation is a replay",
}
SEVERAL = ("the presentation's proofs carry different challenges ({found}): a presentation "
           "answers one challenge")
NO_DOMAIN_RECORDED = ("the challenge {c!r} was issued before this verifier recorded the "
                      "domain of its challenges; ask for a new one")
MADE_FOR_OTHERS = ("the presentation carries the challenge {c!r} for {found}, not issued by "
                   "this verifier: it was made for someone else (a share link, say), so this "
                   "verification does not show it was not replayed")
OTHER_DOMAIN = ("the challenge {c!r} was issued for the domain {issued!r}, but the "
                "presentation is made for {found}: it was not made for this verifier")


@dataclass(frozen=True)
class ChallengeBinding:
    """What a presentation must answer. `challenge` and `domain` go to the proof check (every
    proof must carry them exactly); `issued` is what this verifier's store says of the
    challenge (None when it keeps no store or there is no challenge); `refusal` is set when
    the presentation cannot answer any challenge (its proofs carry several)."""

    challenge: str | None = None
    domain: str | None = None
    issued: IssuedChallenge | None = None
    refusal: str | None = None
    note: str | None = None  # a warning for the report


def new_challenge(ctx: VerifierContext) -> dict[str, Any]:
    """A challenge for POST /challenges, issued for this verifier's public address."""
    if ctx.store is None:
        raise Inconsistent("this verifier keeps no challenges")
    domain = ctx.settings.public_url
    value, _expires = ctx.store.new_challenge(ctx.settings.challenge_lifetime_seconds, domain)
    return {"challenge": value, "domain": domain,
            "expiresIn": ctx.settings.challenge_lifetime_seconds}


def challenge_binding(ctx: VerifierContext, presentation: Any, challenge: str | None,
                      domain: str | None) -> ChallengeBinding:
    """What `presentation` must answer, given the challenge and domain the caller names."""
    named = challenge is not None
    if challenge is None:
        if ctx.store is None:  # nothing issued here: nothing to hold the proofs to
            return ChallengeBinding(domain=domain)
        carried = sorted(set(proof_values(presentation, "challenge")))
        if len(carried) > 1:
            return ChallengeBinding(domain=domain, refusal=SEVERAL.format(
                found=", ".join(repr(c) for c in carried)))
        challenge = carried[0] if carried else None
    issued = ctx.store.issued_challenge(challenge) if challenge and ctx.store else None
    if challenge is not None and issued is not None and issued.state == "unknown":
        if _for_other_domains(ctx, presentation):  # made for someone else (a share link)
            return ChallengeBinding(challenge if named else None, domain,
                                    note=_made_for_others_note(presentation, challenge))
        if named:
            issued = None  # the caller's own challenge: held to the proofs only
    return ChallengeBinding(challenge, domain, issued)


def _made_for_others_note(presentation: Any, challenge: str) -> str:
    found = " and ".join(sorted({_one(d) for d in proof_domains(presentation)}))
    return MADE_FOR_OTHERS.format(c=challenge, found=found)


def _for_other_domains(ctx: VerifierContext, presentation: Any) -> bool:
    """Whether every proof is made for a domain that is not this verifier's (its address, or
    an OpenID4VP client_id naming it)."""
    own = ctx.settings.public_url.rstrip("/")
    domains = proof_domains(presentation)
    return bool(domains) and all(
        d and not any(str(v).removeprefix("redirect_uri:").startswith(own) for v in d)
        for d in domains)


def check_challenge(store: VerifierStore | None, result: VerificationResult,
                    binding: ChallengeBinding, presentation: Any) -> None:
    """Add the `challenge` check: refused for a challenge the caller did not name that was not
    issued here, and for one issued here that is expired, used or answered for another
    domain; otherwise a challenge issued here is used up, once the proof holds."""
    if binding.refusal is not None:
        result.add("challenge", False, binding.refusal)
        return
    if binding.note is not None:
        result.warnings.append(binding.note)
    issued, challenge = binding.issued, binding.challenge
    if store is None or issued is None or challenge is None:
        return
    if issued.state != "fresh":
        result.add("challenge", False, CHALLENGE_REFUSALS[issued.state].format(c=challenge))
        return
    if issued.domain is None:
        result.add("challenge", False, NO_DOMAIN_RECORDED.format(c=challenge))
        return
    domains = proof_domains(presentation)
    if any(d != [issued.domain] for d in domains):
        found = " and ".join(sorted({repr(d) if d else "no domain" for d in map(_one, domains)}))
        result.add("challenge", False, OTHER_DOMAIN.format(c=challenge, issued=issued.domain,
                                                           found=found))
        return
    if not any(c.check == "proof" and c.ok for c in result.checks):
        return  # a failed proof does not use up the challenge: the real holder may still answer
    if store.consume_challenge(challenge):
        result.add("challenge", True, f"the challenge was issued by this verifier for "
                   f"{issued.domain} and is now used up")
    else:  # another request used it between our look and now
        result.add("challenge", False, CHALLENGE_REFUSALS["used"].format(c=challenge))


def proof_values(presentation: Any, name: str) -> list[str]:
    """The string values of `name` (e.g. "challenge") in the presentation's proofs."""
    return [p[name] for p in _proofs(presentation) if isinstance(p.get(name), str)]


def proof_domains(presentation: Any) -> list[list[Any]]:
    """The domain of each proof, as a list (a proof's domain is a string or a set)."""
    out = []
    for proof in _proofs(presentation):
        domain = proof.get("domain")
        out.append(domain if isinstance(domain, list) else [] if domain is None else [domain])
    return out


def _proofs(presentation: Any) -> list[dict[str, Any]]:
    claims = binding_claims(presentation)
    if claims is not None:  # a JWT-secured presentation: nonce and aud are its binding
        nonce, audiences = claims
        return [{"challenge": nonce, "domain": audiences or None}]
    proof = presentation.get("proof") if isinstance(presentation, dict) else None
    return [p for p in (proof if isinstance(proof, list) else [proof]) if isinstance(p, dict)]


def _one(domain: list[Any]) -> str:
    return "" if not domain else str(domain[0]) if len(domain) == 1 else str(domain)
