"""`opendossier wallet export and import`."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Placeholder until the export and import commands land."""
