"""`opendossier verify`: read any supported input, verify it through the verifier service's
code path (`verifier.services.verification`), print for people or the same JSON as the API."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from opendossier.cli import EXIT_INVALID, EXIT_VALID, UsageError, parse_iso, read_input_bytes
from standards.credential_input import CredentialInputError, parse_credential_input
from standards.document_loader import DEFAULT_LOADER, TEST_VECTOR_LOADER
from standards.fetcher import Fetcher, FetchPolicy
from verifier.config import VerifierSettings
from verifier.services.context import VerifierContext
from verifier.services.verification import VerifyOptions, verify_any_report
from verifier.trust_registry import TrustRegistryError, load_trust_registry


def run_verify(args: argparse.Namespace) -> int:
    now = parse_iso(args.now, "--now") if args.now else None
    documents = _local_documents(args.document)
    fetcher = (Fetcher(FetchPolicy(local_documents=documents)) if args.allow_network
               else Fetcher.offline(documents))
    try:
        registry = load_trust_registry(args.trust_registry, fetcher)
    except TrustRegistryError as exc:
        raise UsageError(str(exc)) from exc
    ctx = VerifierContext(settings=VerifierSettings(), fetcher=fetcher, registry=registry,
                          loader=TEST_VECTOR_LOADER if args.test_vectors else DEFAULT_LOADER,
                          fixed_now=now)
    subject = read_subject(args.file)
    options = VerifyOptions(challenge=args.challenge, domain=args.domain,
                            check_evidence=args.check_evidence)
    report = verify_any_report(ctx, subject, options)
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(describe(report))
    return EXIT_VALID if report["verified"] else EXIT_INVALID


def read_subject(path: Path) -> dict[str, Any] | str:
    """A JSON credential/presentation, a compact JWT, or what a baked PNG/SVG carries."""
    try:
        return parse_credential_input(read_input_bytes(path), str(path))
    except CredentialInputError as exc:
        raise UsageError(str(exc)) from exc


def _local_documents(pairs: list[str]) -> dict[str, bytes | dict[str, Any]]:
    documents: dict[str, bytes | dict[str, Any]] = {}
    for pair in pairs:
        url, sep, file = pair.partition("=")
        if not sep or not url or not file:
            raise UsageError(f"--document takes URL=FILE, got {pair!r}")
        documents[url] = read_input_bytes(Path(file))
    return documents


def describe(report: dict[str, Any], indent: str = "") -> str:
    """A readable account: what the document is, each check, and the verdict."""
    lines = []
    summary = report.get("summary", {})
    issuer = summary.get("issuer", {})
    if summary.get("name"):
        lines.append(f"Credential: {summary['name']}")
    if issuer.get("id"):
        name = issuer.get("name")
        lines.append(f"Issuer:     {name + ' ' if name else ''}({issuer['id']})")
    if report.get("trust"):
        lines.append(f"Trust:      {report['trust']['status']}: {report['trust']['message']}")
    if summary.get("subject", {}).get("id"):
        lines.append(f"Subject:    {summary['subject']['id']}")
    if summary.get("holder"):
        lines.append(f"Holder:     {summary['holder']}")
    lines.append(f"Format:     {report.get('format')}")
    lines.append("Checks:")
    for check in report["checks"]:
        mark = "ok  " if check["ok"] else "FAIL"
        lines.append(f"  [{mark}] {check['check']}: {check['message']}")
    for warning in report["warnings"]:
        lines.append(f"  [warn] {warning}")
    for label in ("credentials", "endorsements"):
        for inner in report.get(label, []):
            lines.append(f"  {label[:-1]} {inner['path']}:")
            lines.append(describe(inner, "    "))
    if not indent:
        lines.append("Result:     " + ("VALID" if report["verified"] else "NOT VALID"))
    return "\n".join(indent + line for line in lines)
