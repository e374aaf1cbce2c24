"""OpenID for Verifiable Presentations 1.0: the verifier asks an owner's wallet for a
credential and verifies the answer.

A request is an `openid4vp://?...` URI, shown as a QR code or a link. Its parameters are
response_type=vp_token, response_mode=direct_post, a client_id, the response URI, a nonce, a
state, client_metadata, and the query: `dcql_query`, or a Presentation Exchange
`presentation_definition` (see oid4vp_queries). The wallet POSTs its answer (vp_token, state
and, for PE, presentation_submission) form-encoded to the response URI. Two forms:

* by value: the URI carries every parameter; the client_id is `redirect_uri:<response URI>`
  and the request is unsigned, as that prefix requires (for wallets that read no request
  objects, and same-device links);
* by reference (JAR, RFC 9101): the URI carries only client_id and request_uri; the wallet
  fetches a request object signed with the verifier's own P-256 key (verifier.signing_key),
  and the client_id is `decentralized_identifier:<did:key of that key>`, which a wallet checks
  without the web PKI (standards.request_objects).

Binding and replay: the nonce is a challenge from the verifier's store, and the presentation's
Data Integrity proof must carry it as `challenge` and the client_id as `domain` (OpenID4VP
Appendix B.1.3). Verification goes through verify_presentation_report, which checks both and
uses the challenge up, so a replayed presentation is refused by the same check as on the
VC-API. The state identifies the request towards the wallet; the request id, which reads the
result, is a different random value known only to whoever made the request: seeing the QR
code is not enough to read what the owner shared.

Each request is answered once: a conditional UPDATE claims it, so two answers racing in two
worker processes cannot both be taken. An answer that cannot be read is refused (400) and
leaves the request open for the real wallet. Results are personal data: a request is deleted
KEEP_RESULT_SECONDS after it expired.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

from servicekit.errors import Conflict, Gone, Inconsistent, Invalid, NotFound
from standards.oid4vp_queries import (
    LDP_VC,
    Answer,
    QueryError,
    build_dcql_query,
    build_presentation_definition,
    pe_formats,
    read_dcql_answer,
    read_pe_answer,
    vp_formats_supported,
)
from standards.request_objects import (
    DID_PREFIX,
    REDIRECT_URI_PREFIX,
    sign_request_object,
    unsigned_request_object,
)
from verifier.services.context import VerifierContext
from verifier.services.verification import VerifyOptions, verify_presentation_report
from verifier.signing_key import verifier_key
from verifier.store import VerifierStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS oid4vp_requests (
    id TEXT PRIMARY KEY,
    state TEXT NOT NULL UNIQUE,
    nonce TEXT NOT NULL,
    client_id TEXT NOT NULL,
    query_language TEXT NOT NULL,
    types TEXT NOT NULL,
    query TEXT NOT NULL,
    authorization_request TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    claimed_at REAL,
    answered_at REAL,
    report TEXT,
    error TEXT
);
CREATE INDEX IF NOT EXISTS oid4vp_requests_expires ON oid4vp_requests (expires_at);
"""
URI_SCHEME = "openid4vp://"
RESPONSE_PATH = "/oid4vp/response"
REQUEST_OBJECT_PATH = "/oid4vp/request-objects"
QUERY_LANGUAGES = ("dcql", "pe")
# An Open Badge (AchievementCredential is its OB 3.0 alias) or a CLR: the owner picks which.
DEFAULT_TYPES = ("OpenBadgeCredential", "AchievementCredential", "ClrCredential")
MAX_TYPES = 10
KEEP_RESULT_SECONDS = 3600  # long enough to read the result, short enough to forget it
MAX_WALLET_ERROR_CHARS = 300
VERIFYING_SECONDS = 120  # far more than verifying one presentation takes
_schema_ready: set[Path] = set()


@dataclass(frozen=True)
class _Request:
    id: str
    state: str
    nonce: str
    client_id: str
    query_language: str
    types: list[str]
    query: dict[str, Any]
    authorization_request: str
    expires_at: float
    claimed_at: float | None
    answered_at: float | None
    report: dict[str, Any] | None
    error: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> _Request:
        return cls(id=row["id"], state=row["state"], nonce=row["nonce"],
                   client_id=row["client_id"], query_language=row["query_language"],
                   types=json.loads(row["types"]), query=json.loads(row["query"]),
                   authorization_request=row["authorization_request"],
                   expires_at=row["expires_at"], claimed_at=row["claimed_at"],
                   answered_at=row["answered_at"],
                   report=json.loads(row["report"]) if row["report"] else None,
                   error=row["error"])

    @property
    def wanted(self) -> str:
        return " or ".join(self.types)

    def phase(self, now: float) -> str:
        if self.answered_at is not None:
            return "answered"
        # A claimed answer is being verified; a claim far older than any verification takes
        # was left by a worker that died, and must not keep the page waiting forever.
        verifying = self.claimed_at is not None and self.claimed_at > now - VERIFYING_SECONDS
        return "pending" if self.expires_at >= now or verifying else "expired"


# --- the contract -----------------------------------------------------------------------
def create_request(ctx: VerifierContext, *, query_language: str = "dcql",
                   credential_types: list[str] | None = None,
                   by_reference: bool = False,
                   credential_format: str = LDP_VC) -> dict[str, Any]:
    """-> {"id", "authorization_request": "openid4vp://?...", "expires_in", "status_url",
    "query_language"}; Invalid for an unknown query language or type. `by_reference`: the
    URI carries only client_id and request_uri (a smaller QR code); the wallet fetches the
    signed request object there (`request_object`). `credential_format`: ldp_vc, or
    jwt_vc_json (DCQL only: Presentation Exchange here asks for Data Integrity)."""
    store = _store(ctx)
    if query_language not in QUERY_LANGUAGES:
        raise Invalid(f"unknown query language {query_language!r}: use "
                      f"{' or '.join(QUERY_LANGUAGES)}")
    types = _types(credential_types)
    if query_language == "pe" and credential_format != LDP_VC:
        raise Invalid(f"ask for {credential_format} credentials with DCQL; Presentation "
                      "Exchange requests here ask for ldp_vc")
    try:
        query = (build_dcql_query(types, credential_format) if query_language == "dcql"
                 else build_presentation_definition(store.new_token(), types))
    except QueryError as error:
        raise Invalid(str(error)) from None
    request_id, state = store.new_token(), store.new_token()
    client_id = (DID_PREFIX + verifier_key(ctx.settings).did if by_reference
                 else REDIRECT_URI_PREFIX + response_uri(ctx))
    nonce, expires_at = store.new_challenge(ctx.settings.challenge_lifetime_seconds, client_id)
    uri = (_by_reference(ctx, client_id, state) if by_reference else
           _authorization_request(ctx, client_id, nonce, state, query_language, query))
    now = store.clock()
    with store.connect() as db:
        db.execute("DELETE FROM oid4vp_requests WHERE expires_at < ?",
                   (now - KEEP_RESULT_SECONDS,))
        db.execute(
            "INSERT INTO oid4vp_requests (id, state, nonce, client_id, query_language, types, "
            "query, authorization_request, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (request_id, state, nonce, client_id, query_language, json.dumps(types),
             json.dumps(query), uri, now, expires_at))
    return {"id": request_id, "authorization_request": uri,
            "expires_in": ctx.settings.challenge_lifetime_seconds,
            "status_url": f"{ctx.settings.public_url}/oid4vp/requests/{request_id}",
            "query_language": query_language}


def request_status(ctx: VerifierContext, request_id: str) -> dict[str, Any]:
    """-> {"id", "state": "pending" | "answered" | "expired", "report", "error"};
    NotFound for an unknown (or forgotten) request."""
    request = _request_by_id(ctx, request_id)
    return {"id": request.id, "state": request.phase(ctx.now().timestamp()),
            "report": request.report, "error": request.error}


def authorization_request(ctx: VerifierContext, request_id: str) -> str:
    """The `openid4vp://` URI of a request (for its QR code); NotFound if unknown."""
    return _request_by_id(ctx, request_id).authorization_request


def receive_response(ctx: VerifierContext, form: dict[str, str]) -> dict[str, Any]:
    """The direct_post answer (vp_token, state[, presentation_submission]), or a wallet's
    error answer (error, error_description, state). Verifies and stores the report; returns
    the JSON body for the wallet. For an answer that cannot be taken, an error saying why:
    Invalid (no state, unreadable vp_token or submission), NotFound (unknown state), Gone
    (the request expired) or Conflict (it was answered already)."""
    store = _store(ctx)
    state = form.get("state")
    if not state:
        raise Invalid("the answer needs the state of the request it answers")
    request = _request_where(store, "state", state)
    if request is None:
        raise NotFound("unknown state: this verifier made no such request, or forgot it")
    _refuse_closed(request, store.clock())
    if form.get("error"):
        return _declined(store, request, form)
    if not form.get("vp_token"):
        raise Invalid("the answer needs vp_token (or error, when the wallet declines)")
    answer = _read_answer(request, form)
    _claim(store, request)
    try:
        report = verify_presentation_report(
            ctx, answer.presentation,
            VerifyOptions(challenge=request.nonce, domain=request.client_id,
                          require_holder_binding=True))
        _add_query_check(report, answer, request.wanted)
    except BaseException:
        _release(store, request)
        raise
    with store.connect() as db:
        db.execute("UPDATE oid4vp_requests SET answered_at = ?, report = ? WHERE id = ?",
                   (store.clock(), json.dumps(report), request.id))
    return {}


def response_uri(ctx: VerifierContext) -> str:
    return ctx.settings.public_url + RESPONSE_PATH


# --- building the request ---------------------------------------------------------------
def _types(value: list[str] | None) -> list[str]:
    if value is None:
        return list(DEFAULT_TYPES)
    if not isinstance(value, list) or not 0 < len(value) <= MAX_TYPES or not all(
            isinstance(name, str) and name.strip() for name in value):
        raise Invalid(f'"types" must be a list of 1 to {MAX_TYPES} credential type names')
    return list(dict.fromkeys(name.strip() for name in value))


def _authorization_params(ctx: VerifierContext, client_id: str, nonce: str, state: str,
                          query_language: str, query: dict[str, Any]) -> dict[str, Any]:
    params: dict[str, Any] = {"response_type": "vp_token", "response_mode": "direct_post",
                              "client_id": client_id, "response_uri": response_uri(ctx),
                              "nonce": nonce, "state": state}
    # The redirect_uri: prefix has no other way to carry verifier metadata (§5.9.3); the
    # decentralized_identifier: prefix may carry it too (§5.1).
    if query_language == "dcql":
        params["dcql_query"] = query
        params["client_metadata"] = {"vp_formats_supported": vp_formats_supported()}
    else:  # the metadata name and format designations of the drafts that carried PE
        params["presentation_definition"] = query
        params["client_metadata"] = {"vp_formats": pe_formats()}
    return params


def _authorization_request(ctx: VerifierContext, client_id: str, nonce: str, state: str,
                           query_language: str, query: dict[str, Any]) -> str:
    params = _authorization_params(ctx, client_id, nonce, state, query_language, query)
    text = {name: value if isinstance(value, str) else _compact(value)
            for name, value in params.items()}
    return f"{URI_SCHEME}?{urlencode(text)}"


def _by_reference(ctx: VerifierContext, client_id: str, state: str) -> str:
    """The short URI of a request passed by reference (JAR, RFC 9101 §5.2)."""
    request_uri = f"{ctx.settings.public_url}{REQUEST_OBJECT_PATH}/{state}"
    return f"{URI_SCHEME}?{urlencode({'client_id': client_id, 'request_uri': request_uri})}"


def request_object(ctx: VerifierContext, state: str) -> str:
    """The request object a `request_uri` names (keyed by the request's state, which the
    wallet learns anyway; never by its id, which reads the result): signed with the
    verifier's key for a decentralized_identifier: client_id, unsigned (alg none) for a
    redirect_uri: one (OpenID4VP §5.9.3).
    NotFound for an unknown request, Gone for one that no longer takes answers."""
    store = _store(ctx)
    request = _request_where(store, "state", state)
    if request is None:
        raise NotFound("no such OpenID4VP request")
    _refuse_closed(request, store.clock())
    params = _authorization_params(ctx, request.client_id, request.nonce, request.state,
                                   request.query_language, request.query)
    if not request.client_id.startswith(DID_PREFIX):
        return unsigned_request_object(params)
    signing = verifier_key(ctx.settings)
    if request.client_id != DID_PREFIX + signing.did:
        raise Gone("this request was made with another verifier key (its secret changed); "
                   "ask the verifier for a new one")
    return sign_request_object(params, signing.key, kid=signing.kid, now=ctx.now(),
                               expires_at=datetime.fromtimestamp(request.expires_at, UTC))


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))  # every byte counts in a QR code


# --- answering ------------------------------------------------------------------------
def _read_answer(request: _Request, form: dict[str, str]) -> Answer:
    try:
        if request.query_language == "dcql":
            return read_dcql_answer(request.query, form["vp_token"], request.wanted)
        return read_pe_answer(request.query, form["vp_token"],
                              form.get("presentation_submission"), request.wanted)
    except QueryError as error:
        raise Invalid(str(error)) from None


def _add_query_check(report: dict[str, Any], answer: Answer, wanted: str) -> None:
    """The presentation must hold what was asked for: a failed check, not a refusal."""
    ok = not answer.problems
    message = (f"the presentation holds a credential of a type the request asks for ({wanted})"
               if ok else "; ".join(answer.problems))
    report["checks"].append({"check": "query", "ok": ok, "message": message})
    if not ok:
        report["errors"].append(f"query: {message}")
        report["verified"] = False


def _declined(store: VerifierStore, request: _Request, form: dict[str, str]) -> dict[str, Any]:
    """A wallet's error answer (§8.5: e.g. access_denied when the owner says no) closes the
    request with that reason instead of a report."""
    reason = f"the wallet declined: {form['error']}"
    if form.get("error_description"):
        reason += f" ({form['error_description']})"
    now = store.clock()
    with store.connect() as db:
        taken = db.execute(
            "UPDATE oid4vp_requests SET answered_at = ?, error = ? WHERE id = ? "
            "AND claimed_at IS NULL AND answered_at IS NULL AND expires_at >= ?",
            (now, reason[:MAX_WALLET_ERROR_CHARS], request.id, now)).rowcount
    if taken != 1:  # another answer got there first, or time ran out since the look
        raise _closed(_reloaded(store, request))
    return {}


def _claim(store: VerifierStore, request: _Request) -> None:
    now = store.clock()
    with store.connect() as db:
        taken = db.execute(
            "UPDATE oid4vp_requests SET claimed_at = ? WHERE id = ? "
            "AND claimed_at IS NULL AND answered_at IS NULL AND expires_at >= ?",
            (now, request.id, now)).rowcount
    if taken != 1:  # another answer got there first, or time ran out since the look
        raise _closed(_reloaded(store, request))


def _release(store: VerifierStore, request: _Request) -> None:
    """Verification failed unexpectedly: let the wallet try again."""
    with store.connect() as db:
        db.execute("UPDATE oid4vp_requests SET claimed_at = NULL WHERE id = ? "
                   "AND answered_at IS NULL", (request.id,))


def _refuse_closed(request: _Request, now: float) -> None:
    if request.answered_at is not None or request.claimed_at is not None or \
            request.expires_at < now:
        raise _closed(request)


def _closed(request: _Request | None) -> Conflict | Gone:
    """Why a request takes no (more) answers: answered already, or expired."""
    if request is None or request.answered_at is not None or request.claimed_at is not None:
        return Conflict("this request was already answered; each request takes one answer")
    return Gone("this request has expired; ask the verifier for a new one")


# --- storage --------------------------------------------------------------------------
def _store(ctx: VerifierContext) -> VerifierStore:
    if ctx.store is None:
        raise Inconsistent("this verifier keeps no OpenID4VP requests")
    if ctx.store.path not in _schema_ready:
        ctx.store.ensure_schema(SCHEMA)
        _schema_ready.add(ctx.store.path)
    return ctx.store


def _request_by_id(ctx: VerifierContext, request_id: str) -> _Request:
    store = _store(ctx)
    request = _request_where(store, "id", request_id)
    # Past its keeping time a result is gone, even before the next new request deletes it.
    if request is None or request.expires_at < store.clock() - KEEP_RESULT_SECONDS:
        raise NotFound(f"no OpenID4VP request {request_id!r} (unknown, or its result "
                       "has been deleted)")
    return request


# One statement per column a request is looked up by: never a caller's string in the SQL.
_SELECT_BY = {"id": "SELECT * FROM oid4vp_requests WHERE id = ?",
              "state": "SELECT * FROM oid4vp_requests WHERE state = ?"}


def _request_where(store: VerifierStore, column: Literal["id", "state"],
                   value: str) -> _Request | None:
    with store.connect() as db:
        db.row_factory = sqlite3.Row
        row = db.execute(_SELECT_BY[column], (value,)).fetchone()
    return _Request.from_row(row) if row is not None else None


def _reloaded(store: VerifierStore, request: _Request) -> _Request | None:
    return _request_where(store, "id", request.id)
