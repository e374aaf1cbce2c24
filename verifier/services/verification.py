"""Verifying what someone shows: one code path for the VC-API, the employer page, OpenID4VP
responses and `opendossier verify`.

The standards core does the checks (`standards.verification`); this adds what belongs to a
verifier: challenges it issued (single use, expiring), the trust registry, the evidence, and
a report people and programs can read. Every report has the VC-API shape
`{"verified", "checks", "warnings", "errors"}` plus `kind`, `summary`, `trust`,
`credentials`, `endorsements`, `evidence` and `verifiedAt`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from servicekit.errors import Inconsistent, Invalid
from servicekit.work_limits import request_work_budget
from standards.credential_input import is_presentation
from standards.ob3.summary import summarize_credential
from standards.verification import (
    VerificationResult,
    verify_credential,
    verify_presentation,
)
from verifier.services.context import VerifierContext
from verifier.services.evidence import check_evidence
from verifier.store import VerifierStore

CHALLENGE_REFUSALS = {
    "unknown": "the challenge {c!r} was not issued by this verifier",
    "expired": "the challenge {c!r} has expired; ask for a new one",
    "used": "the challenge {c!r} was already used: this presentation is a replay",
}


@dataclass(frozen=True)
class VerifyOptions:
    challenge: str | None = None
    domain: str | None = None
    check_status: bool = True
    check_evidence: bool = False


def verify_credential_report(ctx: VerifierContext, credential: Any,
                             options: VerifyOptions = VerifyOptions()) -> dict[str, Any]:
    if not isinstance(credential, dict | str):
        raise Invalid('"verifiableCredential" must be a JSON object or a compact JWT')
    with request_work_budget(ctx.settings.max_request_work):
        result = verify_credential(credential, now=ctx.now(), fetcher=ctx.fetcher,
                                   loader=ctx.loader, check_status=options.check_status)
    return _report(ctx, result, "credential", options)


def verify_presentation_report(ctx: VerifierContext, presentation: Any,
                               options: VerifyOptions = VerifyOptions()) -> dict[str, Any]:
    if not isinstance(presentation, dict | str):
        raise Invalid('"verifiablePresentation" must be a JSON object')
    challenge = options.challenge or (_proof_challenge(presentation) if ctx.store else None)
    state = ctx.store.challenge_state(challenge) if challenge and ctx.store else None
    if not options.challenge and state == "unknown":
        challenge = state = None  # someone else's challenge: not ours to enforce
    with request_work_budget(ctx.settings.max_request_work):
        result = verify_presentation(presentation, challenge=challenge, domain=options.domain,
                                     now=ctx.now(), fetcher=ctx.fetcher, loader=ctx.loader,
                                     check_status=options.check_status)
    if challenge and ctx.store is not None:
        _check_challenge(ctx.store, result, challenge, state)
    return _report(ctx, result, "presentation", options)


def verify_any_report(ctx: VerifierContext, value: dict[str, Any] | str,
                      options: VerifyOptions = VerifyOptions()) -> dict[str, Any]:
    """A presentation or a credential, whichever `value` is."""
    if is_presentation(value):
        return verify_presentation_report(ctx, value, options)
    return verify_credential_report(ctx, value, options)


def new_challenge(ctx: VerifierContext) -> dict[str, Any]:
    if ctx.store is None:
        raise Inconsistent("this verifier keeps no challenges")
    value, _expires = ctx.store.new_challenge(ctx.settings.challenge_lifetime_seconds)
    return {"challenge": value, "domain": ctx.settings.public_url,
            "expiresIn": ctx.settings.challenge_lifetime_seconds}


# --- challenges -------------------------------------------------------------------------
def _proof_challenge(presentation: Any) -> str | None:
    """The challenge the presentation's proof carries. When this verifier issued it, it is
    enforced even if the caller does not name it, so that a replay is caught."""
    if not isinstance(presentation, dict):
        return None
    proof = presentation.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    value = proof.get("challenge") if isinstance(proof, dict) else None
    return value if isinstance(value, str) else None


def _check_challenge(store: VerifierStore, result: VerificationResult, challenge: str,
                     state: str | None) -> None:
    if state != "fresh":
        result.add("challenge", False, CHALLENGE_REFUSALS.get(state or "unknown", "{c}")
                   .format(c=challenge))
        return
    if not any(c.check == "proof" and c.ok for c in result.checks):
        return  # a failed proof does not use up the challenge: the real holder may still answer
    if store.consume_challenge(challenge):
        result.add("challenge", True, "the challenge was issued by this verifier and is now "
                   "used up")
    else:  # another request used it between our look and now
        result.add("challenge", False, CHALLENGE_REFUSALS["used"].format(c=challenge))


# --- reports ----------------------------------------------------------------------------
Evidence = dict[int, list[dict[str, Any]]]  # id() of a result node -> its evidence outcomes


def _report(ctx: VerifierContext, result: VerificationResult, kind: str,
            options: VerifyOptions) -> dict[str, Any]:
    evidence = _check_all_evidence(ctx, result) if options.check_evidence else {}
    report = _node(ctx, result, kind, evidence)
    report["verifiedAt"] = ctx.now().isoformat().replace("+00:00", "Z")
    return report


def _node(ctx: VerifierContext, result: VerificationResult, kind: str,
          evidence: Evidence) -> dict[str, Any]:
    out = result.to_json()
    out["kind"] = kind
    document = result.document or {}
    if kind == "presentation":
        holder = document.get("holder")
        out["summary"] = {"holder": holder.get("id") if isinstance(holder, dict) else holder}
    else:
        out["summary"] = summarize_credential(document)
        issuer = out["summary"].get("issuer", {}).get("id")
        out["trust"] = ctx.registry.lookup(issuer, ctx.now())
        if out["trust"]["status"] != "trusted" and result.document is not None:
            out["warnings"].append(out["trust"]["message"])
    if id(result) in evidence:
        out["evidence"] = evidence[id(result)]
    out["credentials"] = [{"path": p, **_node(ctx, r, "credential", evidence)}
                          for p, r in result.credentials]
    out["endorsements"] = [{"path": p, **_node(ctx, r, "credential", evidence)}
                           for p, r in result.endorsements]
    return out


def _check_all_evidence(ctx: VerifierContext, result: VerificationResult) -> Evidence:
    """Fetch the evidence of the credential(s); a digest that differs fails the whole."""
    found: Evidence = {}
    differs: list[str] = []

    def visit(node: VerificationResult, path: str) -> None:
        if node.document is not None and "evidence" in node.document:
            found[id(node)] = outcomes = check_evidence(ctx, node.document)
            differs.extend(f"{path} evidence {o['id']}" for o in outcomes
                           if o["digest"] == "differs")
        for inner_path, inner in node.credentials:
            visit(inner, inner_path)

    visit(result, "$")
    if differs:
        result.add("evidence", False, "the evidence file is not the one the credential "
                   "describes (digest differs): " + ", ".join(differs))
    return found
