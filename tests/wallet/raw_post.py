"""A POST written straight to a served wallet's socket, for the crash tests: the test decides
how much of the body goes out (all of it, or the first part of what Content-Length promises)
and never reads the answer, because the wallet is killed first."""

from __future__ import annotations

import socket

from tests.wallet.conftest import Owner, WalletProcess


def raw_post(wallet: WalletProcess, owner: Owner, path: str, content_type: str,
             body: bytes, *, declared_length: int | None = None) -> socket.socket:
    """Send the head of a POST with the owner's token and `body`; the head announces
    `declared_length` bytes (default: the length of `body`). The caller closes the socket."""
    connection = socket.create_connection(("127.0.0.1", wallet.port), timeout=30)
    length = len(body) if declared_length is None else declared_length
    head = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{wallet.port}",
            f"Authorization: {owner.client.headers['Authorization']}",
            f"Content-Type: {content_type}", f"Content-Length: {length}", "", ""]
    connection.sendall("\r\n".join(head).encode() + body)
    return connection
