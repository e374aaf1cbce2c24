"""The checks every credential gets after its proof, whatever secures it: its VCDM
structure, validity dates, status, the OB 3.0 schema, related resources, the refresh
service, and the credentials inside it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from standards.dates import parse_datetime
from standards.fetcher import Fetcher
from standards.ob3 import validate_credential
from standards.related_resources import check_related_resources
from standards.status_check import check_credential_status
from standards.vcdm_structure import credential_structure_problems
from standards.verification.context import VerificationContext
from standards.verification.nested import check_clr_credentials, check_endorsements, verify_inner
from standards.verification.results import (
    CLOCK_SKEW,
    NOT_OB3_CONFORMANT,
    OB_TYPES,
    STATUS_NOT_CHECKED,
    VerificationResult,
)


def common_checks(document: dict[str, Any], result: VerificationResult,
                  ctx: VerificationContext) -> None:
    _check_conforming(document, result)
    check_validity(document, result, ctx.clock())
    if document.get("credentialStatus") is not None:
        if ctx.check_status:
            _check_status(document, result, ctx)
        else:
            result.warnings.append(STATUS_NOT_CHECKED)
    _check_schema(document, result)
    if "relatedResource" in document:
        _check_related_resources(document, result, ctx)
    _note_refresh_service(document, result)
    if ctx.nested:
        check_clr_credentials(document, result, ctx)
        check_endorsements(document, result, ctx)


def _check_conforming(document: dict[str, Any], result: VerificationResult) -> None:
    """VCDM 2.0 section 7.1: a secured document must also be a conforming document (its
    structure per sections 4 and 5), else the verification fails (MALFORMED_VALUE_ERROR).
    A missing or malformed issuer is left to the `issuer` check, which says it already."""
    problems = [problem for problem in credential_structure_problems(document)
                if not problem.startswith("issuer")]
    result.add("structure", not problems, "; ".join(problems) if problems
               else "a conforming VCDM document")


def _check_status(document: dict[str, Any], result: VerificationResult,
                  ctx: VerificationContext) -> None:
    def verify_list(list_credential: dict[str, Any]) -> list[str]:
        return verify_inner(list_credential, ctx.for_status_list()).errors

    for finding in check_credential_status(document, ctx.fetcher or Fetcher.offline(),
                                           verify_list):
        result.add("status", finding.ok, finding.message)
        if finding.warning:
            result.warnings.append(finding.warning)


def _check_related_resources(document: dict[str, Any], result: VerificationResult,
                             ctx: VerificationContext) -> None:
    """VCDM 2.0 5.3: a digest that does not match its resource is an error; a resource that
    cannot be had here is a warning (standards.related_resources)."""
    findings = check_related_resources(document, ctx.fetcher)
    for url in findings.checked:
        result.add("related-resource", True, f"{url}: the digest matches the resource")
    for mismatch in findings.mismatches:
        result.add("related-resource", False, mismatch)
    result.warnings.extend(findings.warnings)


def _note_refresh_service(document: dict[str, Any], result: VerificationResult) -> None:
    services = document.get("refreshService")
    for service in services if isinstance(services, list) else [services]:
        if isinstance(service, dict):
            result.add("refresh-service", True,
                       f"the issuer offers a refresh service ({service.get('type')}) at "
                       f"{service.get('id')}; it was not contacted")


def check_validity(document: dict[str, Any], result: VerificationResult,
                   now: datetime) -> None:
    start = document.get("validFrom", document.get("issuanceDate"))
    end = document.get("validUntil", document.get("expirationDate"))
    try:
        if start is not None and parse_datetime(start) > now + CLOCK_SKEW:
            result.add("validity", False, f"not valid before {start}")
            return
        if end is not None and parse_datetime(end) < now:
            result.add("validity", False, f"expired at {end}")
            return
    except ValueError as exc:
        result.add("validity", False, str(exc))
        return
    span = f"from {start}" if start else "with no start date"
    result.add("validity", True, f"valid {span}" + (f" until {end}" if end else ""))


def _check_schema(document: dict[str, Any], result: VerificationResult) -> None:
    types = document.get("type")
    if not any(isinstance(t, str) and t in OB_TYPES
               for t in (types if isinstance(types, list) else [types])):
        return
    errors = validate_credential(document, received=True)
    if not errors:
        result.add("schema", True, "conforms to the OB 3.0 JSON Schema")
        return
    # An authentic credential that only deviates from the OB 3.0 JSON Schema (an identifier
    # object instead of a list, an achievementType outside the list) stays valid, as for the
    # 1EdTech validator and the DCC; JSON-LD, proof, issuer, status and dates stay fatal.
    result.warnings.append(f"{NOT_OB3_CONFORMANT}: " + "; ".join(errors[:5]))
