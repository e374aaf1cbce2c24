"""Evidence upload over HTTP: a SIZE MB video (default 200) and a 20 MB baseline, streamed to
a real `opendossier serve wallet` (SQLite, temporary data dir) as multipart/form-data, the
body generated on the fly on the client side (never whole in memory there either). Prints
time, MB/s and the server's peak RSS (VmHWM from /proc/<pid>/status) before and after each
upload: if the upload is streamed, the peak after the big one stays where the small one
left it.

    .venv/bin/python bench/bench_wallet_upload.py [--size-mb 200] [--baseline-mb 20]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "bench password, long enough"
BOUNDARY = "benchboundary7a1c"
BLOCK = 1024 * 1024
# An MP4 header (ftyp box, brand mp42), so the wallet's type sniffing takes it as a video.
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def opendossier(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "opendossier", *args], cwd=REPO,
                          capture_output=True, text=True, check=True)
    return done.stdout


def start_wallet(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    log = (data_dir.parent / "server.log").open("wb")
    process = subprocess.Popen([sys.executable, "-m", "opendossier", "serve", "wallet",
                                "--port", str(port), "--data-dir", str(data_dir)],
                               cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("the wallet did not start; see " + str(data_dir.parent / "server.log"))


def file_blocks(size: int, seed: int) -> Iterator[bytes]:
    """`size` bytes of a fake video, made a block at a time."""
    block = bytearray(hashlib.sha256(str(seed).encode()).digest() * (BLOCK // 32))
    block[:len(MP4_HEAD)] = MP4_HEAD
    sent = 0
    while sent < size:
        chunk = bytes(block[:min(BLOCK, size - sent)])
        yield chunk
        sent += len(chunk)
        block[:len(MP4_HEAD)] = sent.to_bytes(len(MP4_HEAD), "big")  # vary the blocks


def multipart(size: int, seed: int, digest: Any) -> tuple[int, Iterator[bytes]]:
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\n'
            f"Bench {size // BLOCK} MB\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; "
            f'name="kind"\r\n\r\nvideo\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; '
            f'name="file"; filename="bench.mp4"\r\nContent-Type: video/mp4\r\n\r\n').encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()

    def body() -> Iterator[bytes]:
        yield head
        for chunk in file_blocks(size, seed):
            digest.update(chunk)
            yield chunk
        yield tail

    return len(head) + size + len(tail), body()


def upload(client: httpx.Client, owner: str, size_mb: int, pid: int) -> dict[str, float]:
    size = size_mb * BLOCK
    digest = hashlib.sha256()
    length, body = multipart(size, size_mb, digest)
    before = peak_rss_mb(pid)
    started = time.perf_counter()
    answer = client.post(f"/api/dossiers/{owner}/evidence", content=body, headers={
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "Content-Length": str(length)})
    seconds = time.perf_counter() - started
    if answer.status_code != 201:
        raise SystemExit(f"upload refused: {answer.status_code} {answer.text}")
    if answer.json()["sha256"] != digest.hexdigest() or answer.json()["size"] != size:
        raise SystemExit("the stored digest or size differs from what was sent")
    return {"mb": size_mb, "seconds": seconds, "mb_s": size_mb / seconds,
            "rss_before": before, "rss_after": peak_rss_mb(pid)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument("--baseline-mb", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-upload-") as directory:
        data_dir = Path(directory) / "data"
        password_file = Path(directory) / "password"
        password_file.write_text(PASSWORD + "\n")
        made = json.loads(opendossier("wallet", "create-owner", "bench@example.org",
                                      "--password-file", str(password_file),
                                      "--data-dir", str(data_dir)))
        port = free_port()
        process = start_wallet(data_dir, port)
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
                token = client.post("/api/session", json={"email": "bench@example.org",
                                                          "password": PASSWORD}).json()["token"]
                client.headers["Authorization"] = f"Bearer {token}"
                rows = [upload(client, made["owner"], mb, process.pid)
                        for mb in (args.baseline_mb, args.size_mb)]
            leftovers = list((data_dir / "evidence" / "tmp").iterdir())
        finally:
            process.terminate()
            process.wait(timeout=15)
    print(f"{'upload':>10} {'time s':>8} {'MB/s':>8} {'peak RSS before':>16} "
          f"{'peak RSS after':>15}")
    for row in rows:
        print(f"{row['mb']:>7} MB {row['seconds']:>8.2f} {row['mb_s']:>8.1f} "
              f"{row['rss_before']:>13.1f} MB {row['rss_after']:>12.1f} MB")
    growth = rows[1]["rss_after"] - rows[0]["rss_after"]
    print(f"peak RSS growth from the {args.baseline_mb} MB to the {args.size_mb} MB upload: "
          f"{growth:+.1f} MB; temporary files left: {len(leftovers)}")
    if os.environ.get("BENCH_STRICT") and growth > 20:
        raise SystemExit("memory did not stay flat")


if __name__ == "__main__":
    main()
