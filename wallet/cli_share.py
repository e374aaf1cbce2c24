"""`opendossier wallet share EMAIL --all|--credential ID... [--expires-in 7d]`: a share link
of the owner's credentials, printed as JSON `{"url": ..., "qr_png": ...}` with the QR code
written to `<data-dir>/shares/<share-id>.png`."""

from __future__ import annotations

import argparse

from servicekit.errors import Invalid
from servicekit.qr import qr_png
from wallet.cli import add_storage_arguments, owner_by_email, print_json, run_command
from wallet.db import session_scope
from wallet.services.access import owner_actor
from wallet.services.context import WalletContext
from wallet.services.shares import (
    create_share,
    parse_duration,
    share_url,
    shareable_credential_ids,
)


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    share = sub.add_parser(
        "share", help="make a share link (and QR code) for an owner's credentials",
        description='Sign a presentation of the chosen credentials with the owner\'s holder '
                    'key and put it behind a share link. Prints JSON {"url": link, '
                    '"qr_png": path of the QR code image}. Fetching the link with '
                    '"Accept: application/json" gives the signed presentation.')
    share.add_argument("email")
    which = share.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true",
                       help="every credential in the dossier that can be shared")
    which.add_argument("--credential", action="extend", nargs="+", metavar="ID",
                       help="credential ids in the wallet (--credential A B, or repeated)")
    share.add_argument("--audience", default="", help="who the link is for (shown to the "
                       "owner in the list of shares)")
    share.add_argument("--expires-in", default="7d", metavar="DURATION",
                       help="how long the link works: 7d, 12h, 30m (default 7d)")
    add_storage_arguments(share)
    share.set_defaults(handler=_cmd_share)


def _cmd_share(args: argparse.Namespace) -> int:
    def work(ctx: WalletContext) -> int:
        lifetime = parse_duration(args.expires_in)
        with session_scope(ctx.engine) as session:
            actor = owner_actor(owner_by_email(session, args.email))
            ids = shareable_credential_ids(session, actor) if args.all else args.credential
            if not ids:
                raise Invalid(f"{args.email} has no credentials that can be shared")
            share = create_share(ctx, session, actor, ids, audience=args.audience,
                                 expires_in=lifetime)
            url = share_url(ctx, share)
            directory = (ctx.settings.data_dir / "shares").resolve()
            directory.mkdir(parents=True, exist_ok=True)
            png = directory / f"{share.id}.png"
            png.write_bytes(qr_png(url))
            print_json({"url": url, "qr_png": str(png), "id": share.id,
                        "expires_at": share.expires_at.isoformat().replace("+00:00", "Z")})
        return 0

    return run_command(args, work)
