"""`opendossier wallet ...` and `opendossier serve wallet`: argument parsing and printing only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from servicekit.errors import Conflict, Invalid, NotFound, ServiceError
from wallet.config import WalletSettings
from wallet.db import session_scope
from wallet.services.access import owner_actor
from wallet.services.accounts import account_by_email, new_account, set_password
from wallet.services.context import WalletContext
from wallet.services.credentials import CredentialRefused, add_credential

DEFAULT_DATA_DIR = WalletSettings.model_fields["data_dir"].default


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    """Flags that override the settings; what they leave out comes from the environment
    (OPENDOSSIER_WALLET_DATA_DIR, ..._DATABASE_URL, ..._PUBLIC_URL, ...) or the default."""
    parser.add_argument("--data-dir", type=Path,
                        help=f"evidence files and the SQLite database (default {DEFAULT_DATA_DIR})")
    parser.add_argument("--database-url", help="SQLAlchemy URL, e.g. "
                        "postgresql+psycopg://user@host/db (default SQLite in the data dir)")
    parser.add_argument("--public-url", help="the URL the wallet is reached at (share links "
                        "and QR codes are built on it; default http://127.0.0.1:8002)")
    parser.add_argument("--allow-local-host", action="append", default=[], metavar="HOST",
                        help="let the wallet reach HOST over plain http and at a private "
                             "address (issuers and verifiers on this machine); repeatable")


def add_serve_command(serve_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = serve_commands.add_parser(
        "wallet", help="run the wallet service",
        description="Run the wallet service (the owner's pages, JSON API, share links).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8002)
    serve.add_argument("--max-upload-mb", type=float, metavar="MB",
                       help="largest evidence file accepted (default 2048 MB)")
    add_storage_arguments(serve)
    serve.set_defaults(handler=_cmd_serve)


def add_wallet_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    wallet = commands.add_parser("wallet", help="manage the wallet's owners and dossiers",
                                 description="Manage owners and their dossiers in the wallet.")
    sub = wallet.add_subparsers(title="wallet commands", metavar="COMMAND")

    create = sub.add_parser(
        "create-owner", help="make an owner account; prints its id and holder DID",
        description='Make an owner account with a holder did:key. Prints JSON '
                    '{"owner": id, "did": did}. For an owner an import made without a '
                    'password, this sets the password.')
    create.add_argument("email")
    create.add_argument("--password-file", type=Path, required=True,
                        help="file whose first line is the password (at least 10 characters)")
    create.add_argument("--name", default="")
    add_storage_arguments(create)
    create.set_defaults(handler=_cmd_create_owner)

    add = sub.add_parser(
        "add-credential", help="verify a credential and add it to an owner's dossier",
        description="Verify FILE (JSON, JWT, baked PNG/SVG) and add it to EMAIL's dossier. "
                    "Exit 1 with the reason when it does not verify; nothing is stored then.")
    add.add_argument("email")
    add.add_argument("file", type=Path)
    add_storage_arguments(add)
    add.set_defaults(handler=_cmd_add_credential)
    seed = sub.add_parser(
        "seed-example", help="add the example teacher, pupil and the pupil's delegates",
        description="Add the example people: a teacher, a vso pupil, and the pupil's "
                    "internship coordinator and employer as accepted delegates, all with the "
                    "password 'voorbeeld-wachtwoord'. Prints JSON, a line per person. Leaves "
                    "an account that is already there as it is.")
    seed.add_argument("--frameworks", type=Path, metavar="FILE",
                      help="JSON {framework title: [competences]}, the 'frameworks' that "
                           "`opendossier issuer seed-example` prints: the owners' competence "
                           "profiles start from them")
    add_storage_arguments(seed)
    seed.set_defaults(handler=_cmd_seed_example)
    recheck = sub.add_parser(
        "recheck", help="check again the credentials that could not be checked yet",
        description="Check again every credential kept 'not checked yet' (its issuer's "
                    "status list or key could not be fetched when it arrived). Prints JSON: "
                    "how many were checked, which verify now, which still cannot be checked "
                    "and which were found not valid (those are kept, marked so). The served "
                    "wallet does this every recheck_interval_seconds too.")
    recheck.add_argument("--owner", metavar="EMAIL", help="only this owner's dossier")
    add_storage_arguments(recheck)
    recheck.set_defaults(handler=_cmd_recheck)
    from wallet import cli_archive, cli_share  # their own modules; they use the helpers here

    cli_archive.add_commands(sub)
    cli_share.add_commands(sub)


def settings_from(args: argparse.Namespace) -> WalletSettings:
    from standards.fetcher import FetchPolicy

    """The flags given, over the environment, over the defaults."""
    flags: dict[str, Any] = {"data_dir": args.data_dir, "database_url": args.database_url,
                             "public_url": args.public_url}
    if args.allow_local_host:
        local = list(args.allow_local_host)
        flags["fetch_policy"] = FetchPolicy(allow_http_for=local, allow_private_for=local)
    if getattr(args, "max_upload_mb", None):
        flags["max_upload_bytes"] = int(args.max_upload_mb * 1024 * 1024)
    settings = WalletSettings(**{name: value for name, value in flags.items()
                                 if value is not None})
    if "public_url" not in settings.model_fields_set:  # where this process listens
        host = getattr(args, "host", "127.0.0.1")
        port = getattr(args, "port", 8002)
        settings.public_url = f"http://{host}:{port}"
    return settings


def open_context(args: argparse.Namespace) -> WalletContext:
    return WalletContext.open(settings_from(args))


def print_json(value: Any) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def read_password(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise Invalid(f"cannot read the password file: {error.strerror}") from None
    if not lines or not lines[0]:
        raise Invalid(f"{path}: the first line (the password) is empty")
    return lines[0]


def run_command(args: argparse.Namespace, work: Callable[[WalletContext], int]) -> int:
    """Open the wallet, run `work`, print a refusal as one line on stderr (exit 1)."""
    ctx = open_context(args)
    try:
        return work(ctx)
    except ServiceError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        ctx.close()


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from wallet.api.app import create_app

    settings = settings_from(args)
    app = create_app(settings)  # its lifespan runs the periodic re-check of credentials
    print(f"OpenDossier wallet on {settings.public_url}  (data: {settings.data_dir})",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _cmd_recheck(args: argparse.Namespace) -> int:
    from wallet.services.credential_rechecks import recheck_not_checked

    def work(ctx: WalletContext) -> int:
        owner_id = None
        if args.owner:
            with session_scope(ctx.engine) as session:
                owner_id = owner_by_email(session, args.owner).id
        print_json(recheck_not_checked(ctx, owner_id=owner_id).to_json())
        return 0

    return run_command(args, work)


def _cmd_create_owner(args: argparse.Namespace) -> int:
    def work(ctx: WalletContext) -> int:
        password = read_password(args.password_file)
        with session_scope(ctx.engine) as session:
            account = account_by_email(session, args.email)
            if account is not None and account.password_hash:
                raise Conflict(f"there is already an owner {account.email}")
            if account is not None:  # made by an import: now it gets its password
                set_password(ctx, session, account, password)
            else:
                account = new_account(ctx, session, args.email, password=password,
                                      display_name=args.name)
            print_json({"owner": account.id, "did": account.did})
        return 0

    return run_command(args, work)


def owner_by_email(session: Any, email: str) -> Any:
    account = account_by_email(session, email)
    if account is None:
        raise NotFound(f"there is no owner {email} in this wallet")
    return account


def _cmd_add_credential(args: argparse.Namespace) -> int:
    def work(ctx: WalletContext) -> int:
        try:
            raw = args.file.read_bytes()
        except OSError as error:
            raise Invalid(f"cannot read {args.file}: {error.strerror}") from None
        try:
            with session_scope(ctx.engine) as session:
                account = owner_by_email(session, args.email)
                added = add_credential(ctx, session, owner_actor(account), raw)
                print_json({"credential": added.credential.id, "name": added.credential.name,
                            "issuer": added.credential.issuer_name or added.credential.issuer_id,
                            "duplicate": added.duplicate,
                            "verified": added.credential.verified})
        except CredentialRefused as refused:
            print(f"error: {refused}", file=sys.stderr)
            return 1
        return 0

    return run_command(args, work)


def _cmd_seed_example(args: argparse.Namespace) -> int:
    from wallet.example_data import seed_example_people

    def work(ctx: WalletContext) -> int:
        frameworks: dict[str, Any] = {}
        if args.frameworks:
            try:
                frameworks = json.loads(args.frameworks.read_text(encoding="utf-8"))
            except (OSError, ValueError) as error:
                raise Invalid(f"cannot read {args.frameworks}: {error}") from None
            if not isinstance(frameworks, dict):
                raise Invalid(f"{args.frameworks}: expected an object of frameworks")
        print_json({"people": seed_example_people(ctx, frameworks)})
        return 0

    return run_command(args, work)
