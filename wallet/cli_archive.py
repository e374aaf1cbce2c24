"""`opendossier wallet export EMAIL --out ARCHIVE [--password-file FILE]` and
`opendossier wallet import ARCHIVE [--email EMAIL] [--password-file FILE]`."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from wallet.cli import add_storage_arguments, owner_by_email, print_json, read_password, run_command
from wallet.db import session_scope
from wallet.services.access import owner_actor
from wallet.services.archive_export import Progress, ProgressCallback, export_archive
from wallet.services.archive_import import import_archive
from wallet.services.context import WalletContext

MB = 1024 * 1024


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    export = sub.add_parser(
        "export", help="export an owner's whole dossier as one archive (zip)",
        description="Write EMAIL's dossier (credentials exactly as received, evidence files, "
                    "reflections, competences, internship reports, share and CV settings) "
                    "to ARCHIVE, a zip with a manifest of sha256 digests. With "
                    "--password-file the zip is AES-256 encrypted (7-Zip opens it) and also "
                    "carries the holder key, so the owner keeps the same DID. Share links "
                    "and delegations do not move. Prints a JSON summary.")
    export.add_argument("email")
    export.add_argument("--out", type=Path, required=True, metavar="ARCHIVE")
    export.add_argument("--password-file", type=Path,
                        help="file whose first line is the archive password (10+ characters)")
    export.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_storage_arguments(export)
    export.set_defaults(handler=_cmd_export)

    load = sub.add_parser(
        "import", help="import a dossier archive into this wallet",
        description="Check ARCHIVE completely (password, format, names, sizes, sha256 of "
                    "every item) and only then import it into the dossier of EMAIL (default: "
                    "the archive's owner; made without a password if new: set one with "
                    "create-owner). Every credential is verified again; those found false "
                    "or no longer valid are listed and not kept; those that cannot be "
                    "checked now (issuer unreachable) are kept, listed as not checked yet, "
                    "and checked again later. Importing again adds nothing. "
                    "Prints the result as JSON; exit 1 with the reason when the archive is "
                    "refused (nothing is changed then).")
    load.add_argument("archive", type=Path)
    load.add_argument("--email", help="import into this owner (default: the archive's)")
    load.add_argument("--password-file", type=Path,
                      help="file whose first line is the archive password")
    load.add_argument("--max-size-mb", type=int, default=None,
                      help="refuse an archive that unpacks to more than this (default "
                           "64 GiB)")
    load.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_storage_arguments(load)
    load.set_defaults(handler=_cmd_import)


def progress_printer(verb: str, quiet: bool) -> ProgressCallback | None:
    """Progress on stderr, at most twice a second, for large dossiers."""
    if quiet:
        return None
    last = [0.0]

    def show(status: Progress) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and status.items_done < status.items_total:
            return
        last[0] = now
        print(f"{verb}: {status.items_done}/{status.items_total} items, "
              f"{status.bytes_done / MB:.0f}/{status.bytes_total / MB:.0f} MB",
              file=sys.stderr, flush=True)

    return show


def _cmd_export(args: argparse.Namespace) -> int:
    def work(ctx: WalletContext) -> int:
        password = read_password(args.password_file) if args.password_file else None
        with session_scope(ctx.engine) as session:
            account = owner_by_email(session, args.email)
            session.expunge(account)
        summary = export_archive(ctx, owner_actor(account), args.out, password=password,
                                 progress=progress_printer("export", args.quiet))
        print_json(summary.to_json())
        return 0

    return run_command(args, work)


def _cmd_import(args: argparse.Namespace) -> int:
    def work(ctx: WalletContext) -> int:
        password = read_password(args.password_file) if args.password_file else None
        if not args.archive.is_file():
            print(f"error: {args.archive}: no such file", file=sys.stderr)
            return 1
        limit = args.max_size_mb * MB if args.max_size_mb else None
        result = import_archive(ctx, args.archive, password=password, email=args.email,
                                max_total_bytes=limit,
                                progress=progress_printer("import", args.quiet))
        print_json(result.to_json())
        return 0

    return run_command(args, work)
