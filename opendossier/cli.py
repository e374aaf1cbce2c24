"""The `opendossier` command line. Thin: parsing and printing; the work is in `standards`
and in the roles.

A role's commands are imported only when the command line names that role (`serve issuer`,
`wallet …`): `opendossier --help` or `opendossier verify` load no service they do not run.

Exit codes of `verify`: 0 valid, 1 not valid, 2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from opendossier import serve_all
from standards import jose
from standards.data_integrity import SIGNING_SUITES, sign_document
from standards.dids import did_jwk_from_key_pair, did_key_from_key_pair
from standards.document_loader import DEFAULT_LOADER, TEST_VECTOR_LOADER
from standards.errors import StandardsError
from standards.keys import KEY_TYPES, KeyPair, generate_key, load_key_file

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
SUITES = [*SIGNING_SUITES, "vc-jwt", "vc-jose"]


class UsageError(Exception):
    """Bad arguments or unreadable input: exit code 2."""


# The roles' command modules, imported when the command line names them.
SERVE_ROLES = {"issuer": "issuer.cli", "wallet": "wallet.cli", "verifier": "verifier.cli"}
MANAGE_ROLES = {"issuer": ("issuer.cli", "add_issuer_commands",
                           "manage the issuer service's organisations"),
                "wallet": ("wallet.cli", "add_wallet_commands",
                           "manage the wallet's owners and dossiers")}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if not hasattr(args, "handler"):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.handler(args))
    except UsageError as exc:
        print(f"opendossier: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except StandardsError as exc:
        print(f"opendossier: {exc}", file=sys.stderr)
        return EXIT_INVALID


def build_parser(argv: Sequence[str] = ()) -> argparse.ArgumentParser:
    """The parser for `argv`: the roles `argv` names get their full commands, the others a
    one-line entry for `--help`."""
    words = [word for word in argv if not word.startswith("-")]
    parser = argparse.ArgumentParser(
        prog="opendossier",
        description="OpenDossier: an owner-held competence dossier on open standards.",
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    key = commands.add_parser("key", help="make and inspect keys",
                              description="Make and inspect signing keys.")
    key_commands = key.add_subparsers(title="key commands", metavar="COMMAND")
    key_new = key_commands.add_parser(
        "new", help="write a new private key file and print its DID",
        description="Write a new private key file (mode 0600) and print its did:key "
                    "(did:jwk for RSA).")
    key_new.add_argument("--type", choices=list(KEY_TYPES), default="ed25519")
    key_new.add_argument("--out", required=True, type=Path, help="where to write KEY.json")
    key_new.set_defaults(handler=_cmd_key_new)

    sign = commands.add_parser(
        "sign", help="sign a credential",
        description="Sign a credential and print it (or the JWT). KEY.json is a key file of "
                    "`opendossier key new` or a W3C vector keyPair.json.")
    sign.add_argument("input", type=Path, metavar="IN.json")
    sign.add_argument("--key", required=True, type=Path, metavar="KEY.json")
    sign.add_argument("--suite", choices=SUITES,
                      help="default: the key's own Data Integrity suite (eddsa-rdfc-2022 for "
                           "Ed25519, ecdsa-rdfc-2019 for P-256 and P-384)")
    sign.add_argument("--created", help="proof creation time (ISO 8601); default now")
    sign.add_argument("--verification-method", help="verification method id; default from "
                      "the key file or the key's did:key")
    sign.add_argument("--test-vectors", action="store_true",
                      help="also allow the W3C test-vector contexts (examples, undefined-terms)")
    sign.set_defaults(handler=_cmd_sign)

    verify = commands.add_parser(
        "verify", help="verify a credential or presentation",
        description="Verify a credential or presentation (JSON), a JWT, or a baked PNG/SVG. "
                    "Exit 0 valid, 1 not valid, 2 bad usage or unreadable input.")
    verify.add_argument("file", type=Path, metavar="FILE")
    verify.add_argument("--json", action="store_true", help="print the result as JSON")
    verify.add_argument("--now", help="check validity at this time (ISO 8601)")
    verify.add_argument("--document", action="append", default=[], metavar="URL=FILE",
                        help="serve FILE for URL (status list, DID document, key) offline")
    verify.add_argument("--allow-network", action="store_true",
                        help="allow https fetches (did:web, status lists) under the default "
                             "policy; otherwise verification runs offline")
    verify.add_argument("--test-vectors", action="store_true",
                        help="also allow the W3C test-vector contexts (examples, undefined-terms)")
    verify.add_argument("--trust-registry", metavar="FILE_OR_URL",
                        help="JSON registry of known issuers, as for the verifier service")
    verify.add_argument("--challenge", help="the challenge a presentation must carry")
    verify.add_argument("--domain", help="the domain a presentation must carry")
    verify.add_argument("--check-evidence", action="store_true",
                        help="fetch the evidence and compare its digest (needs the network "
                             "or --document)")
    verify.set_defaults(handler=_cmd_verify)

    demo = commands.add_parser(
        "demo", help="issue and verify an example Open Badge",
        description="Make an issuer key, issue an Open Badges 3.0 AchievementCredential to an "
                    "example teacher, verify it, and print a readable result.")
    demo.add_argument("--out", type=Path, help="also write the signed credential here")
    demo.set_defaults(handler=_cmd_demo)

    serve = commands.add_parser("serve", help="run a service (issuer, wallet, verifier)",
                                description="Run one of OpenDossier's services.")
    serve_commands = serve.add_subparsers(title="services", metavar="SERVICE")
    named_service = words[1] if words[:1] == ["serve"] and len(words) > 1 else None
    for role, module in SERVE_ROLES.items():
        if role == named_service:
            importlib.import_module(module).add_serve_command(serve_commands)
        else:
            serve_commands.add_parser(role, help=f"run the {role} service")
    serve_all.add_serve_all_command(serve_commands)
    for role, (module, add_commands, summary) in MANAGE_ROLES.items():
        if words[:1] == [role]:
            getattr(importlib.import_module(module), add_commands)(commands)
        else:
            commands.add_parser(role, help=summary)
    return parser


# --- key --------------------------------------------------------------------------------
def _cmd_key_new(args: argparse.Namespace) -> int:
    key = generate_key(args.type)
    did = did_jwk_from_key_pair(key) if args.type == "rsa" else did_key_from_key_pair(key)
    key.controller = did
    key.id = f"{did}#0" if did.startswith("did:jwk:") else f"{did}#{did.split(':')[-1]}"
    _write_private(args.out, json.dumps(key.to_key_file(), indent=2) + "\n")
    print(did)
    return EXIT_VALID


def _write_private(path: Path, text: str) -> None:
    """Write a secret file readable by its owner only, never leaving a partial file."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)


# --- sign -------------------------------------------------------------------------------
def _cmd_sign(args: argparse.Namespace) -> int:
    document = _read_json_object(args.input)
    key = _load_key(args.key)
    vm = args.verification_method or key.id or default_verification_method(key)
    if args.suite in ("vc-jwt", "vc-jose"):
        token = (jose.sign_vc_jwt(document, key, kid=vm, vc_claim=True) if args.suite == "vc-jwt"
                 else jose.sign_vc_jose(document, key, kid=vm))
        print(token)
        return EXIT_VALID
    loader = TEST_VECTOR_LOADER if args.test_vectors else DEFAULT_LOADER
    signed = sign_document(document, key, suite=args.suite, verification_method=vm,
                           created=args.created, loader=loader)
    print(json.dumps(signed, indent=2, ensure_ascii=False))
    return EXIT_VALID


def default_verification_method(key: KeyPair) -> str:
    if key.key_type == "rsa":
        return f"{did_jwk_from_key_pair(key)}#0"
    did = did_key_from_key_pair(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def _load_key(path: Path) -> KeyPair:
    if not path.is_file():
        raise UsageError(f"key file not found: {path}")
    try:
        return load_key_file(path)
    except StandardsError as exc:
        raise UsageError(str(exc)) from exc


# --- verify -----------------------------------------------------------------------------
def _cmd_verify(args: argparse.Namespace) -> int:
    from opendossier.verify_command import run_verify

    return run_verify(args)


def _cmd_demo(args: argparse.Namespace) -> int:
    from opendossier.demo import run_demo

    return run_demo(args.out)


# --- input helpers ----------------------------------------------------------------------
MAX_INPUT_BYTES = 16 * 1024 * 1024


def read_input_bytes(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise UsageError(f"{path} is larger than {MAX_INPUT_BYTES // (1024 * 1024)} MiB")
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def parse_json_text(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise UsageError(f"{source} is nested too deeply") from exc
    except ValueError as exc:
        raise UsageError(f"{source} is not valid JSON: {exc}") from exc


def _read_json_object(path: Path) -> dict[str, Any]:
    data = read_input_bytes(path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text") from exc
    value = parse_json_text(text, str(path))
    if not isinstance(value, dict):
        raise UsageError(f"{path} must hold a JSON object")
    return value


def parse_iso(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"{option} is not an ISO 8601 date-time: {value!r}") from exc
    if parsed.tzinfo is None:
        raise UsageError(f"{option} needs a time zone (e.g. 2026-01-01T00:00:00Z)")
    return parsed


if __name__ == "__main__":
    sys.exit(main())
