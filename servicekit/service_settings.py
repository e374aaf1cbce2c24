"""What every service's settings have in common. Each role's settings class subclasses one of
these and names its own fields, defaults and environment prefix; only the handling that would
otherwise be repeated lives here."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

from servicekit.key_file import key_encryption_key


class ServiceSettings(BaseSettings):
    """A data directory and the public URL (kept without a trailing slash, so paths can be
    appended to it)."""

    data_dir: Path
    public_url: str

    @field_validator("public_url")
    @classmethod
    def _without_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


class DatabaseServiceSettings(ServiceSettings):
    """A service with its own database (SQLite in the data directory unless `database_url`
    names another) and a key-encryption key: from the environment variable `secret_key_env`
    (base64) when set, otherwise from the file `secret_key_file` in the data directory."""

    database_file: ClassVar[str]
    secret_key_env: ClassVar[str]
    secret_key_file: ClassVar[str]

    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; SQLite in the data directory when not set")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / self.database_file).resolve()}"

    def key_encryption_key(self) -> bytes:
        return key_encryption_key(self.secret_key_env, self.data_dir / self.secret_key_file)
