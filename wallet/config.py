"""Wallet settings: where data lives, which database, the public URL, limits, fetch policy.

One pydantic-settings class: a value comes from the constructor (the CLI passes its flags
there), else from the environment (`OPENDOSSIER_WALLET_<FIELD>`, e.g.
OPENDOSSIER_WALLET_DATA_DIR, OPENDOSSIER_WALLET_MAX_UPLOAD_BYTES), else the default.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.service_settings import DatabaseServiceSettings
from standards.fetcher import FetchPolicy

SECRET_KEY_ENV = "OPENDOSSIER_WALLET_SECRET_KEY"
SECRET_KEY_FILE = "wallet-secret.key"


class WalletSettings(DatabaseServiceSettings):
    """`public_url` is how the outside world reaches this wallet: share links, QR codes and
    the online CV are built on it.

    The key-encryption key (32 bytes) that protects holder keys at rest comes from
    OPENDOSSIER_WALLET_SECRET_KEY (base64) when set, otherwise from `wallet-secret.key` in
    the data directory (mode 0600, made on first use). Keep that file out of backups of the
    database. Evidence files live under `data_dir/evidence`, named by their SHA-256.
    """

    model_config = SettingsConfigDict(env_prefix="OPENDOSSIER_WALLET_", extra="forbid")
    database_file: ClassVar[str] = "wallet.db"
    secret_key_env: ClassVar[str] = SECRET_KEY_ENV
    secret_key_file: ClassVar[str] = SECRET_KEY_FILE

    data_dir: Path = Path("data/wallet")
    public_url: str = "http://127.0.0.1:8002"
    max_upload_bytes: int = 2 * 1024**3  # one evidence file (a long phone video)
    # All evidence files of one dossier together, by upload or by archive import.
    max_owner_bytes: int = 10 * 1024**3
    max_credential_bytes: int = 1024 * 1024
    # A JSON or form body, unless its route sets a limit of its own (`@body_limit`: smaller
    # for log-in and offers, larger for a competence framework); uploads have their own.
    max_json_bytes: int = 1024 * 1024
    session_lifetime_seconds: int = 8 * 3600
    share_default_days: int = 7
    # Credentials kept "not checked yet" (their issuer could not be reached) are checked
    # again this often by the served wallet; 0: only on view, on share and by the CLI.
    recheck_interval_seconds: int = 3600
    # An evidence file no evidence row refers to (a crash between placing the file and
    # committing its row) is removed at start once it is this old; younger, it may belong to
    # an upload or import another instance on the same storage has not committed yet
    # (wallet.services.orphan_blobs).
    orphan_blob_grace_seconds: int = Field(default=24 * 3600, ge=0)
    # The key type of a new account's holder did:key. Ed25519 is the default of the VC world;
    # P-256 (ecdsa-rdfc-2019 presentations) is what EU wallet profiles (HAIP) ask for.
    holder_key_type: Literal["ed25519", "p256"] = "ed25519"
    fetch_policy: FetchPolicy = Field(default_factory=FetchPolicy)
    session_cookie_secure: bool = False

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"
