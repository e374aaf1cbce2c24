"""Where archives live on their way in or out (next to the data, never in memory), and the
file name an export is downloaded under."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from wallet.services.context import WalletContext


def temp_dir(ctx: WalletContext) -> Path:
    directory = ctx.settings.data_dir / "tmp-archives"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def temp_path(ctx: WalletContext, suffix: str) -> Path:
    """A new empty file in `temp_dir`; the caller removes it."""
    handle, name = tempfile.mkstemp(prefix="archive-", suffix=suffix, dir=temp_dir(ctx))
    os.close(handle)
    return Path(name)


def archive_name(email: str) -> str:
    local = "".join(ch for ch in email.partition("@")[0] if ch.isalnum() or ch in "-_")
    return f"dossier-{local or 'export'}.zip"
