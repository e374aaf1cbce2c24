"""`opendossier serve verifier`: argument parsing and printing only."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pydantic import ValidationError

from verifier.config import DEFAULT_DATA_DIR, ENV_PREFIX, VerifierSettings
from verifier.trust_registry import TrustRegistryError


def add_fetch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--allow-local-host", action="append", default=[], metavar="HOST",
                        help="HOST may be fetched over plain http at a private or loopback "
                             "address (e.g. 127.0.0.1 when every service runs on one "
                             "machine); repeatable. Otherwise only https to public addresses")
    parser.add_argument("--deny-host", action="append", default=[], metavar="HOST",
                        help="never fetch from HOST; repeatable")


def add_serve_command(serve_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = serve_commands.add_parser(
        "verifier", help="run the verifier service",
        description="Run the verifier service: the employer page, VC-API verification, "
                    "challenges and OpenID4VP requests. No accounts.")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8003)
    serve.add_argument("--data-dir", type=Path,
                       help=f"where challenges and requests are kept (default {DEFAULT_DATA_DIR})")
    serve.add_argument("--trust-registry", metavar="FILE_OR_URL",
                       help="JSON registry of known issuers (a file, or an https URL)")
    serve.add_argument("--public-url", help="the URL wallets reach this service at "
                       "(default http://HOST:PORT)")
    serve.add_argument("--challenge-lifetime", type=int, metavar="SECONDS",
                       help="how long a challenge or OpenID4VP request stays valid "
                            "(default 300)")
    serve.add_argument("--workers", type=int, default=1,
                       help="worker processes (default 1; use the number of cores under load)")
    serve.add_argument("--test-vectors", action="store_true",
                       help="also allow the W3C test-vector contexts (examples, undefined-terms);"
                            " for conformance suites, never in production")
    add_fetch_arguments(serve)
    serve.set_defaults(handler=_cmd_serve)


def settings_from(args: argparse.Namespace) -> VerifierSettings:
    """The flags given; environment variables (OPENDOSSIER_VERIFIER_...) fill the others.
    Without either, the public URL is the address served on."""
    flags = {"data_dir": args.data_dir, "public_url": args.public_url,
             "trust_registry": args.trust_registry,
             "allow_local_hosts": args.allow_local_host or None,
             "denied_hosts": args.deny_host or None,
             "challenge_lifetime_seconds": args.challenge_lifetime,
             "test_vector_contexts": args.test_vectors or None}
    settings = VerifierSettings(**{name: value for name, value in flags.items()
                                   if value is not None})
    if "public_url" not in settings.model_fields_set:
        settings.public_url = f"http://{args.host}:{args.port}"
    return settings


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from verifier.api.app import SETTINGS_ENV, create_app, settings_to_json

    try:
        settings = settings_from(args)
        app = create_app(settings)  # also checks the registry loads before serving
    except ValidationError as error:
        print(f"opendossier: settings ({ENV_PREFIX}...): {error}", file=sys.stderr)
        return 2
    except TrustRegistryError as error:
        print(f"opendossier: {error}", file=sys.stderr)
        return 2
    print(f"OpenDossier verifier on {settings.public_url}  (data: {settings.data_dir}, "
          f"trust registry: {app.state.verifier.registry.name})", file=sys.stderr)
    if args.workers > 1:
        os.environ[SETTINGS_ENV] = settings_to_json(settings)
        uvicorn.run("verifier.api.app:app_from_environment", factory=True, host=args.host,
                    port=args.port, workers=args.workers, log_level="warning")
    else:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0
