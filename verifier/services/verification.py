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

from servicekit.errors import Invalid
from servicekit.work_limits import request_work_budget
from standards.credential_input import is_presentation
from standards.ob3.summary import summarize_credential
from standards.verification import (
    VerificationResult,
    verify_credential,
    verify_presentation,
)
from verifier.services.challenges import challenge_binding, check_challenge
from verifier.services.context import VerifierContext
from verifier.services.evidence import check_evidence


@dataclass(frozen=True)
class VerifyOptions:
    challenge: str | None = None
    domain: str | None = None
    check_status: bool = True
    check_evidence: bool = False
    # VCDM 2.0 allows a holder to present a credential about someone else; the employer page
    # and OpenID4VP shares require the credentials to be about the holder.
    require_holder_binding: bool = False


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
    """The report on a presentation; its challenge and domain are held to the rule of
    `verifier.services.challenges`."""
    if not isinstance(presentation, dict | str):
        raise Invalid('"verifiablePresentation" must be a JSON object')
    binding = challenge_binding(ctx, presentation, options.challenge, options.domain)
    with request_work_budget(ctx.settings.max_request_work):
        result = verify_presentation(presentation, challenge=binding.challenge,
                                     domain=binding.domain, now=ctx.now(), fetcher=ctx.fetcher,
                                     loader=ctx.loader, check_status=options.check_status,
                                     require_holder_binding=options.require_holder_binding)
    check_challenge(ctx.store, result, binding, presentation)
    return _report(ctx, result, "presentation", options)


def verify_any_report(ctx: VerifierContext, value: dict[str, Any] | str,
                      options: VerifyOptions = VerifyOptions()) -> dict[str, Any]:
    """A presentation or a credential, whichever `value` is."""
    if is_presentation(value):
        return verify_presentation_report(ctx, value, options)
    return verify_credential_report(ctx, value, options)


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
        if not result.issuer_key_confirmed:
            out["trust"] = _key_not_confirmed(out["trust"])
        if out["trust"]["status"] != "trusted" and result.document is not None:
            out["warnings"].append(out["trust"]["message"])
    if id(result) in evidence:
        out["evidence"] = evidence[id(result)]
    out["credentials"] = [{"path": p, **_node(ctx, r, "credential", evidence)}
                          for p, r in result.credentials]
    out["endorsements"] = [{"path": p, **_node(ctx, r, "credential", evidence)}
                           for p, r in result.endorsements]
    return out


def _key_not_confirmed(trust: dict[str, Any]) -> dict[str, Any]:
    """A registry entry vouches for the issuer, not for a key nothing ties to it: unknown."""
    if trust["status"] != "trusted":
        return trust
    return {**trust, "status": "unknown",
            "message": f"{trust['message']}, but the key that signed this credential is not "
                       "confirmed to be the issuer's"}


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
