"""Real files and raw HTTP for the evidence tests: a JPEG and a PNG made with Pillow, a PDF
made with Pillow, and uploads sent byte by byte over a socket (to break them off)."""

from __future__ import annotations

import io
import select
import socket
import time
from pathlib import Path

from PIL import Image

from servicekit.scratch import files_in
from tests.wallet.conftest import Owner, WalletAccounts, WalletProcess


def jpeg_bytes(colour: str = "orange", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_bytes(colour: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(buffer, "PDF")
    return buffer.getvalue()


def multipart_body(boundary: str, fields: dict[str, str], filename: str,
                   content: bytes, content_type: str = "application/octet-stream") -> bytes:
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
             f"{value}\r\n".encode() for name, value in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                 f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
                 + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def raw_request(server: WalletProcess, owner: Owner, headers: dict[str, str], body: bytes,
                *, path: str | None = None, close_early: bool = False) -> bytes:
    """Send a POST by hand. With `close_early`, the body is cut off: the socket closes after
    what was sent, whatever Content-Length said. Returns what the server answered."""
    token = owner.client.headers["Authorization"]
    lines = [f"POST {path or owner.url('/evidence')} HTTP/1.1", f"Host: 127.0.0.1:{server.port}",
             f"Authorization: {token}", *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall("\r\n".join(lines).encode() + body)
        if close_early:
            time.sleep(0.3)  # let the server take in what was sent before it breaks off
            return b""
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False


def status_of(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


def left_in_tmp(server: WalletAccounts, wait: float = 5.0) -> list[Path]:
    """Temporary upload files still there once the server had `wait` seconds to clean up."""
    tmp = server.data_dir / "evidence" / "tmp"
    deadline = time.monotonic() + wait
    while True:
        leftovers = files_in(tmp)  # in any process's scratch area
        if not leftovers or time.monotonic() > deadline:
            return leftovers
        time.sleep(0.1)


def blob_path(server: WalletAccounts, sha256: str) -> Path:
    return server.data_dir / "evidence" / "blobs" / sha256[:2] / sha256


def chunked_until_answer(server: WalletProcess, owner: Owner, headers: dict[str, str],
                         body: bytes, *, chunk_size: int = 64 * 1024,
                         path: str | None = None) -> tuple[bytes, int]:
    """Send `body` with chunked transfer encoding (no Content-Length, so the server cannot
    refuse it up front), a chunk at a time, and stop as soon as the server answers.
    Returns (answer, bytes of the body sent before the answer came)."""
    token = owner.client.headers["Authorization"]
    lines = [f"POST {path or owner.url('/evidence')} HTTP/1.1", f"Host: 127.0.0.1:{server.port}",
             f"Authorization: {token}", "Transfer-Encoding: chunked",
             *(f"{k}: {v}" for k, v in headers.items()), "", ""]
    sent = 0
    answer = b""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as connection:
        connection.sendall("\r\n".join(lines).encode())
        try:
            while sent < len(body):
                if select.select([connection], [], [], 0)[0]:
                    break  # the server has answered (or closed): stop sending
                chunk = body[sent:sent + chunk_size]
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
            else:
                connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while not _complete(answer):
                data = connection.recv(65536)
                if not data:
                    break
                answer += data
        except ConnectionResetError:
            pass
    return answer, sent
