"""`opendossier issuer ...` and `opendossier serve issuer`: argument parsing and printing only."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from sqlmodel import Session

from issuer.config import DEFAULT_DATA_DIR, IssuerSettings
from issuer.services.context import IssuerContext
from issuer.services.organisations import (
    create_organisation,
    create_staff,
    get_organisation,
    remove_staff,
)
from servicekit.errors import ServiceError


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path,
                        help="files and the SQLite database (default "
                             f"$OPENDOSSIER_ISSUER_DATA_DIR or {DEFAULT_DATA_DIR})")
    parser.add_argument("--database-url", help="SQLAlchemy URL, e.g. "
                        "postgresql+psycopg://user@host/db (default SQLite in the data dir)")


def add_serve_command(serve_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = serve_commands.add_parser(
        "issuer", help="run the issuer service",
        description="Run the issuer service (staff pages, VC-API, OpenID4VCI, status lists).")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8001)
    add_storage_arguments(serve)
    serve.add_argument("--public-url", help="the URL the world reaches this service at "
                       "(default http://HOST:PORT); DIDs and status list URLs are built on it")
    serve.add_argument("--test-vectors", action="store_true",
                       help="also allow the W3C test-vector contexts (examples, undefined-terms);"
                            " for conformance suites, never in production")
    serve.set_defaults(handler=_cmd_serve)


def add_issuer_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    issuer = commands.add_parser("issuer", help="manage the issuer service's organisations",
                                 description="Manage organisations and staff of the issuer.")
    sub = issuer.add_subparsers(title="issuer commands", metavar="COMMAND")

    create_org = sub.add_parser(
        "create-org", help="create an organisation; prints its id, DID and API token",
        description='Create an organisation with an issuer profile and signing key. Prints '
                    'JSON {"org": id, "did": did, "api_token": token}; the token is shown once.')
    create_org.add_argument("name")
    create_org.add_argument("--did", choices=["key", "web"], default="key",
                            help="did:key (default) or did:web served by this service")
    create_org.add_argument("--key-type", choices=["ed25519", "p256", "p384"], default="ed25519",
                            help="the profile's signing key: ed25519 (default; eddsa "
                                 "cryptosuites), p256 or p384 (ecdsa cryptosuites)")
    create_org.add_argument("--public-url", help="public URL of the service (for did:web)")
    create_org.add_argument("--url", help="the organisation's website")
    create_org.add_argument("--email", help="the organisation's contact address")
    add_storage_arguments(create_org)
    create_org.set_defaults(handler=_cmd_create_org)

    staff = sub.add_parser("create-staff", help="add a staff account to an organisation",
                           description="Add a staff account (log-in for the staff pages).")
    staff.add_argument("org")
    staff.add_argument("email")
    staff.add_argument("--password-file", type=Path, required=True,
                       help="file whose first line is the password")
    staff.add_argument("--name", default="")
    add_storage_arguments(staff)
    staff.set_defaults(handler=_cmd_create_staff)

    remove = sub.add_parser(
        "remove-staff", help="delete a staff account; its log-ins end at once",
        description="Delete the staff account EMAIL of organisation ORG (its id). Its log-in "
                    "sessions end at once; the credentials it issued stay with the "
                    'organisation. Prints JSON {"removed": id, "org": id, "email": email}.')
    remove.add_argument("org")
    remove.add_argument("email")
    add_storage_arguments(remove)
    remove.set_defaults(handler=_cmd_remove_staff)

    seed = sub.add_parser(
        "seed-example", help="add the example schools, institute, frameworks and badges",
        description="Add example data: a school (did:web) with a teacher-competence framework "
                    "and an achievement endorsed by a training institute, and a vso school "
                    "with an internship learning line, each with a staff log-in. Prints JSON. "
                    "Leaves an organisation that is already there as it is.")
    seed.add_argument("--public-url", help="public URL the service will run at "
                      "(default http://127.0.0.1:8001)")
    seed.add_argument("--trust-registry-out", type=Path, metavar="FILE",
                      help="also write a verifier trust registry naming the example "
                           "organisations (for `serve verifier --trust-registry FILE`)")
    add_storage_arguments(seed)
    seed.set_defaults(handler=_cmd_seed_example)

    bulk = sub.add_parser(
        "bulk-issue", help="issue an achievement to every recipient of a CSV",
        description="Issue achievement ACHIEVEMENT_ID to every row of CSV (columns: recipient, "
                    "name, reference, evidence_url, evidence_name, evidence_narrative, "
                    "result_value, achieved_level, valid_from, valid_until). Progress goes to "
                    "stderr, a JSON summary to stdout. Running the same CSV again issues "
                    "nothing twice. Exit 0 when every row is issued (now or before), 1 when "
                    "some rows have errors, 2 when the file is refused.")
    bulk.add_argument("org", metavar="ORG", help="the organisation's id")
    bulk.add_argument("achievement_id", metavar="ACHIEVEMENT_ID")
    bulk.add_argument("csv", metavar="CSV", type=Path, help="UTF-8, ',' or ';' separated")
    bulk.add_argument("--public-url", help="public URL of the service (must match the one it "
                      "serves at: status list and achievement URLs are built on it)")
    add_storage_arguments(bulk)
    bulk.set_defaults(handler=_cmd_bulk_issue)


def settings_from(args: argparse.Namespace) -> IssuerSettings:
    """The flags given; OPENDOSSIER_ISSUER_* environment variables fill what they leave out.
    Without either, the public URL is where `serve` listens."""
    flags = {"data_dir": args.data_dir, "database_url": args.database_url,
             "public_url": getattr(args, "public_url", None),
             "test_vector_contexts": getattr(args, "test_vectors", None) or None}
    settings = IssuerSettings(**{name: value for name, value in flags.items()
                                 if value is not None})
    if "public_url" not in settings.model_fields_set:
        host = getattr(args, "host", "127.0.0.1")
        port = getattr(args, "port", 8001)
        settings.public_url = f"http://{host}:{port}"
    return settings


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from issuer.api.app import create_app

    settings = settings_from(args)
    app = create_app(settings)
    print(f"OpenDossier issuer on {settings.public_url}  (data: {settings.data_dir})",
          file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


def _cmd_create_org(args: argparse.Namespace) -> int:
    ctx = IssuerContext.open(settings_from(args))
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            created = create_organisation(ctx, session, args.name, did_method=args.did,
                                          url=args.url, email=args.email,
                                          key_type=args.key_type)
            session.commit()
    except ServiceError as error:
        print(f"opendossier: {error}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(json.dumps({"org": created.org_id, "did": created.did,
                      "api_token": created.api_token}))
    return 0


def _cmd_create_staff(args: argparse.Namespace) -> int:
    try:
        password = args.password_file.read_text().splitlines()[0]
    except (OSError, IndexError):
        print(f"opendossier: cannot read a password from {args.password_file}", file=sys.stderr)
        return 2
    ctx = IssuerContext.open(settings_from(args))
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            org = get_organisation(session, args.org)
            user = create_staff(session, org, args.email, password, args.name)
            session.commit()
    except ServiceError as error:
        print(f"opendossier: {error}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(json.dumps({"staff": user.id, "org": org.id, "email": user.email}))
    return 0


def _cmd_remove_staff(args: argparse.Namespace) -> int:
    ctx = IssuerContext.open(settings_from(args))
    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            org = get_organisation(session, args.org)
            user = remove_staff(session, org, args.email)
            session.commit()
    except ServiceError as error:
        print(f"opendossier: {error}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(json.dumps({"removed": user.id, "org": org.id, "email": user.email}))
    return 0


def _cmd_bulk_issue(args: argparse.Namespace) -> int:
    from issuer.services.bulk import create_bulk_job, run_bulk_job

    try:
        data = args.csv.read_bytes()
    except OSError as error:
        print(f"opendossier: cannot read {args.csv}: {error.strerror}", file=sys.stderr)
        return 2
    ctx = IssuerContext.open(settings_from(args))
    last = [-1]

    def progress(done: int, total: int) -> None:
        percent = done * 100 // max(total, 1)
        if percent // 5 > last[0] // 5 or done == total:  # a line every 5 %
            last[0] = percent
            print(f"{done}/{total} rows ({percent} %)", file=sys.stderr)

    try:
        with Session(ctx.engine, expire_on_commit=False) as session:
            org = get_organisation(session, args.org)
        job = create_bulk_job(ctx, org, args.achievement_id, filename=args.csv.name,
                              csv_bytes=data)
        job = run_bulk_job(ctx, org, job.id, data, progress)
    except ServiceError as error:
        print(f"opendossier: {error}", file=sys.stderr)
        return 2
    finally:
        ctx.close()
    print(json.dumps({"job": job.id, "state": job.state, "total": job.total, "done": job.done,
                      "issued": job.issued, "skipped": job.skipped, "failed": job.failed,
                      "message": job.message}))
    return 0 if job.state == "finished" and job.failed == 0 else 1


def _cmd_seed_example(args: argparse.Namespace) -> int:
    from issuer import example_data

    ctx = IssuerContext.open(settings_from(args))
    try:
        seeded = example_data.seed_example_data(ctx)
    finally:
        ctx.close()
    if args.trust_registry_out:
        args.trust_registry_out.parent.mkdir(parents=True, exist_ok=True)
        args.trust_registry_out.write_text(
            json.dumps(seeded.trust_registry(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    # `org`, `did` and `api_token` are the school's (what most callers want); API tokens
    # are only shown when just made, since they are stored hashed.
    print(json.dumps({
        "org": seeded.school.org_id, "did": seeded.school.did,
        "api_token": seeded.school.api_token, "created": seeded.created,
        "organisations": [{"name": o.name, "org": o.org_id, "did": o.did,
                           "staffEmail": o.staff_email, "apiToken": o.api_token}
                          for o in seeded.organisations()],
        "staff_logins": [{"email": o.staff_email, "password": example_data.STAFF_PASSWORD}
                         for o in seeded.organisations()],
        "frameworks": seeded.frameworks}, ensure_ascii=False))
    return 0
