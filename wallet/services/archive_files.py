"""Where archives live on their way in or out (next to the data, never in memory, in this
process's scratch directory), and the file name an export is downloaded under."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from servicekit.scratch import ScratchArea, scratch_area
from wallet.services.context import WalletContext


def archive_scratch(ctx: WalletContext) -> ScratchArea:
    """`tmp-archives` in the data directory: a directory per process (servicekit.scratch),
    so that what a crash leaves there is removed at the next start."""
    return scratch_area(ctx.settings.data_dir / "tmp-archives")


def temp_dir(ctx: WalletContext) -> Path:
    return archive_scratch(ctx).directory()


def temp_path(ctx: WalletContext, suffix: str) -> Path:
    """A new empty file in `temp_dir`; the caller removes it."""
    handle, name = tempfile.mkstemp(prefix="archive-", suffix=suffix, dir=temp_dir(ctx))
    os.close(handle)
    return Path(name)


def archive_name(email: str) -> str:
    local = "".join(ch for ch in email.partition("@")[0] if ch.isalnum() or ch in "-_")
    return f"dossier-{local or 'export'}.zip"
