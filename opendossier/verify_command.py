"""`opendossier verify`: read any supported input, verify it, print for people or as JSON."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from opendossier.cli import (
    EXIT_INVALID,
    EXIT_VALID,
    UsageError,
    parse_iso,
    parse_json_text,
    read_input_bytes,
)
from standards import baking, jose
from standards.document_loader import DEFAULT_LOADER, TEST_VECTOR_LOADER
from standards.errors import StandardsError
from standards.fetcher import Fetcher, FetchPolicy
from standards.verification import VerificationResult, verify_credential, verify_presentation


def run_verify(args: argparse.Namespace) -> int:
    now = parse_iso(args.now, "--now") if args.now else None
    documents = _local_documents(args.document)
    fetcher = (Fetcher(FetchPolicy(local_documents=documents)) if args.allow_network
               else Fetcher.offline(documents))
    loader = TEST_VECTOR_LOADER if args.test_vectors else DEFAULT_LOADER
    subject = read_subject(args.file)
    if isinstance(subject, dict) and _is_presentation(subject):
        result = verify_presentation(subject, now=now, fetcher=fetcher, loader=loader)
    else:
        result = verify_credential(subject, now=now, fetcher=fetcher, loader=loader)
    if args.json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
    else:
        print(describe(result))
    return EXIT_VALID if result.verified else EXIT_INVALID


def read_subject(path: Path) -> dict[str, Any] | str:
    """A JSON credential/presentation, a compact JWT, or what a baked PNG/SVG carries."""
    data = read_input_bytes(path)
    stripped = data.lstrip()
    if data.startswith(b"\x89PNG") or stripped.startswith(b"<"):
        try:
            data = _text_bytes(baking.unbake(data))
        except StandardsError as exc:
            raise UsageError(f"{path}: {exc}") from exc
        stripped = data.lstrip()
    try:
        text = stripped.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is neither JSON, a JWT nor a baked PNG/SVG") from exc
    if jose.looks_like_jwt(text):
        return text
    value = parse_json_text(text, str(path))
    if isinstance(value, str) and jose.looks_like_jwt(value):
        return value
    if not isinstance(value, dict):
        raise UsageError(f"{path} must hold a JSON object, a JWT or a baked badge")
    return value


def _text_bytes(value: dict[str, Any] | str) -> bytes:
    return (value if isinstance(value, str) else json.dumps(value)).encode("utf-8")


def _is_presentation(document: dict[str, Any]) -> bool:
    types = document.get("type")
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])


def _local_documents(pairs: list[str]) -> dict[str, bytes | dict[str, Any]]:
    documents: dict[str, bytes | dict[str, Any]] = {}
    for pair in pairs:
        url, sep, file = pair.partition("=")
        if not sep or not url or not file:
            raise UsageError(f"--document takes URL=FILE, got {pair!r}")
        documents[url] = read_input_bytes(Path(file))
    return documents


def describe(result: VerificationResult) -> str:
    """A readable account: what the document is, each check, and the verdict."""
    lines = []
    document = result.document or {}
    name = document.get("name") or _achievement_name(document)
    issuer = document.get("issuer")
    issuer_name = issuer.get("name") if isinstance(issuer, dict) else None
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if name:
        lines.append(f"Credential: {name}")
    if issuer_id:
        lines.append(f"Issuer:     {issuer_name + ' ' if issuer_name else ''}({issuer_id})")
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and subject.get("id"):
        lines.append(f"Subject:    {subject['id']}")
    lines.append(f"Format:     {result.format}")
    lines.append("Checks:")
    for check in result.checks:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"  [{mark}] {check.check}: {check.message}")
    for warning in result.warnings:
        lines.append(f"  [warn] {warning}")
    lines.append("Result:     " + ("VALID" if result.verified else "NOT VALID"))
    return "\n".join(lines)


def _achievement_name(document: dict[str, Any]) -> str | None:
    subject = document.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
        return subject["achievement"].get("name")
    return None
