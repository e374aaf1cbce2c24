"""Accounts: sign-up, log-in, passwords, and each account's holder key (did:key).

A holder key is generated at sign-up and stored only encrypted (servicekit.secret_box,
bound to the account id). It is decrypted inside `holder_key` for one signing call;
nothing returns it through an API.
"""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from servicekit.errors import Conflict, Forbidden, Refused, ServiceError
from servicekit.passwords import check_new_password
from standards.dids import did_key_from_key_pair
from standards.keys import KeyPair, generate_key, key_pair_from_multikey
from wallet.db import session_scope
from wallet.models import Account
from wallet.services.context import WalletContext
from wallet.services.sessions import end_other_sessions

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
        raise Refused(f"not an e-mail address: {email[:80]!r}")
    return value


def account_by_email(session: Session, email: str) -> Account | None:
    return session.exec(select(Account).where(Account.email == normalise_email(email))).first()


def new_account(ctx: WalletContext, session: Session, email: str, *, password: str | None,
                display_name: str = "", key: KeyPair | None = None,
                account_id: str | None = None) -> Account:
    """An account with a fresh holder did:key of the configured type (or `key`, when an
    archive brings one)."""
    email = normalise_email(email)
    if account_by_email(session, email) is not None:
        raise Conflict(f"there is already an account for {email}")
    if password is not None:
        check_new_password(password)
    pair = key or generate_key(ctx.settings.holder_key_type)
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


def set_password(ctx: WalletContext, session: Session, account: Account, password: str, *,
                 keeping_session: str | None = None) -> None:
    """A new password; every session of the account ends, except the one of the token
    `keeping_session` (the one that chose it)."""
    check_new_password(password)
    account.password_hash = _hasher.hash(password)
    session.add(account)
    end_other_sessions(ctx, session, account, keeping=keeping_session)


def authenticate(session: Session, email: str, password: str) -> Account | None:
    """The account for this e-mail and password, or None (same cost either way)."""
    try:
        account = account_by_email(session, email)
    except ServiceError:
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


def password_matches(account: Account, password: str) -> bool:
    """Whether `password` is the account's; never for an account without one (an owner an
    import made): no password proves that it is theirs."""
    if not account.password_hash:
        return False
    try:
        return _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


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


# --- whole requests, each in a session of its own (what the pages call) ---------------

def authenticated_account(ctx: WalletContext, email: str, password: str) -> Account | None:
    """`authenticate` in a transaction (a better password hash is saved on the way)."""
    with session_scope(ctx.engine) as session:
        return authenticate(session, email, password)


def create_account(ctx: WalletContext, email: str, *, password: str, display_name: str) -> Account:
    with session_scope(ctx.engine) as session:
        return new_account(ctx, session, email, password=password, display_name=display_name)


def change_password(ctx: WalletContext, account_id: str, current: str, new: str, *,
                    keeping_session: str | None) -> None:
    """The logged-in account chooses a new password, giving its current one (Forbidden when
    wrong): every other session of the account ends."""
    with session_scope(ctx.engine) as session:
        account = session.get(Account, account_id)
        if account is None or not password_matches(account, current):
            raise Forbidden("the current password is wrong")
        set_password(ctx, session, account, new, keeping_session=keeping_session)
