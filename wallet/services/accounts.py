"""Accounts: sign-up, log-in, API sessions, and each account's holder key (did:key).

A holder key is generated at sign-up and stored only encrypted (servicekit.secret_box,
bound to the account id). It is decrypted inside `holder_key` for one signing call;
nothing returns it through an API.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from standards.dids import did_key_from_key_pair
from standards.keys import KeyPair, generate_key, key_pair_from_multikey
from wallet.db import session_scope
from wallet.models import Account, ApiSession, aware
from wallet.services.context import Conflict, WalletContext, WalletError

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the e-mail is unknown, so a wrong address costs as long as a
    wrong password and does not reveal which addresses have accounts. Made on first use:
    hashing costs time that no command needs at start-up."""
    return _hasher.hash(secrets.token_urlsafe(16))


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if "@" not in value or len(value) > 320 or value.startswith("@") or value.endswith("@"):
        raise WalletError(f"not an e-mail address: {email[:80]!r}", 422)
    return value


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WalletError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters", 422)
    if len(password) > 1024:
        raise WalletError("the password is too long (at most 1024 characters)", 422)


def account_by_email(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == normalise_email(email))).first()


def new_account(ctx: WalletContext, session: Session, email: str, *, password: str | None,
                display_name: str = "", key: KeyPair | None = None,
                account_id: str | None = None) -> Account:
    """An account with a fresh holder did:key (or `key`, when an archive brings one)."""
    email = normalise_email(email)
    if account_by_email(session, email) is not None:
        raise Conflict(f"there is already an account for {email}")
    if password is not None:
        check_password_rules(password)
    pair = key or generate_key("ed25519")
    secret = pair.secret_key_multibase()
    account = Account(email=email, display_name=display_name.strip()[:300],
                      password_hash=_hasher.hash(password) if password else "",
                      did=did_key_from_key_pair(pair), public_multibase=pair.public_key_multibase(),
                      encrypted_secret=b"")
    if account_id:
        account.id = account_id
    account.encrypted_secret = ctx.secret_box.seal(secret.encode(), bound_to=account.id)
    session.add(account)
    session.flush()
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    check_password_rules(password)
    account.password_hash = _hasher.hash(password)
    session.add(account)


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The account for this e-mail and password, or None (same cost either way)."""
    try:
        account = account_by_email(session, email)
    except WalletError:
        account = None
    stored = account.password_hash if account and account.password_hash else _dummy_hash()
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.password_hash:
        return None
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
        session.add(account)
    return account


def holder_key(ctx: WalletContext, account: Account) -> KeyPair:
    """The account's key pair for one signing call; `id` is its verification method."""
    secret = ctx.secret_box.open(account.encrypted_secret, bound_to=account.id).decode()
    pair = key_pair_from_multikey(account.public_multibase, secret)
    return KeyPair(pair.key_type, pair.public_key, pair.private_key,
                   id=f"{account.did}#{account.public_multibase}", controller=account.did)


def replace_holder_key(ctx: WalletContext, session: Session, account: Account,
                       key: KeyPair) -> None:
    """Take over the holder key an archive brought (moving school keeps the same DID)."""
    account.did = did_key_from_key_pair(key)
    account.public_multibase = key.public_key_multibase()
    account.encrypted_secret = ctx.secret_box.seal(key.secret_key_multibase().encode(),
                                                   bound_to=account.id)
    session.add(account)


# --- API sessions (bearer tokens) -------------------------------------------------------
def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_api_session(ctx: WalletContext, session: Session, account: Account) -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiSession(account_id=account.id, token_hash=_token_hash(token),
                           expires_at=ctx.now() + timedelta(
                               seconds=ctx.settings.session_lifetime_seconds)))
    return token


def account_for_token(ctx: WalletContext, session: Session, token: str) -> Account | None:
    row = session.exec(select(ApiSession).where(ApiSession.token_hash == _token_hash(token))
                       ).first()
    if row is None or aware(row.expires_at) <= ctx.now():
        return None
    return session.get(Account, row.account_id)


def close_api_session(session: Session, token: str) -> None:
    row = session.exec(select(ApiSession).where(ApiSession.token_hash == _token_hash(token))
                       ).first()
    if row is not None:
        session.delete(row)


# --- whole requests, each in a session of its own (what the pages call) ---------------

def find_account(ctx: WalletContext, account_id: str) -> Account | None:
    """The account of a page session, or None when it is gone."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        return session.get(Account, account_id)


def authenticated_account(ctx: WalletContext, email: str, password: str) -> Account | None:
    """`authenticate` in a transaction (a better password hash is saved on the way)."""
    with session_scope(ctx.engine) as session:
        return authenticate(session, email, password)


def create_account(ctx: WalletContext, email: str, *, password: str, display_name: str) -> Account:
    with session_scope(ctx.engine) as session:
        return new_account(ctx, session, email, password=password, display_name=display_name)
