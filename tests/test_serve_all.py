"""`opendossier serve all`: the three services with example data on one machine, their URLs
and log-ins printed, all stopped by one Ctrl-C (SIGINT), and a second start on the same data
directory works too (the example data is not made twice)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.issuer.conftest import free_port
from tests.service_process import REPO


def _start(data: Path, ports: dict[str, int]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "opendossier", "serve", "all", "--data-dir", str(data),
         "--issuer-port", str(ports["issuer"]), "--wallet-port", str(ports["wallet"]),
         "--verifier-port", str(ports["verifier"])],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def _welcome(process: subprocess.Popen[str]) -> str:
    """stdout up to the line naming the verifier (the last of the welcome)."""
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"serve all ended early:\n{''.join(lines)}")
        lines.append(line)
        if line.strip().startswith("verifier"):
            return "".join(lines)
    raise AssertionError("no welcome within 180 s")


def _answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _wallet_get(wallet: str, email: str, path: str) -> Any:
    session = httpx.post(f"{wallet}/api/session", json={"email": email,
                                                        "password": "voorbeeld-wachtwoord"},
                         timeout=30)
    assert session.status_code == 200, (email, session.text)
    answer = httpx.get(f"{wallet}{path}", timeout=30,
                       headers={"Authorization": f"Bearer {session.json()['token']}"})
    assert answer.status_code == 200, (email, path, answer.text)
    return answer.json()


def _wallet_me(wallet: str, email: str) -> dict[str, Any]:
    return _wallet_get(wallet, email, "/api/me")  # type: ignore[no-any-return]


def test_serve_all_starts_three_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ports = {"issuer": free_port(), "wallet": free_port(), "verifier": free_port()}
    for attempt in range(2):  # the second start finds the example data already there
        process = _start(tmp_path / "data", ports)
        try:
            welcome = _welcome(process)
            for name, port in ports.items():
                assert f"http://127.0.0.1:{port}" in welcome, (name, welcome)
                assert _answers(port), name
            for email in ("leraar@example.org", "leerling@example.org",
                          "stagecoordinator@debrug.example", "werkgever@example.org",
                          "staf@delinde.example", "staf@pabomidden.example",
                          "staf@debrug.example"):
                assert email in welcome, (email, welcome)
            assert "password voorbeeld-wachtwoord" in welcome
            wallet = f"http://127.0.0.1:{ports['wallet']}"
            me = {email: _wallet_me(wallet, email) for email in (
                "leraar@example.org", "leerling@example.org",
                "stagecoordinator@debrug.example", "werkgever@example.org")}
            pupil = me["leerling@example.org"]["owner"]
            for delegate, role in (("stagecoordinator@debrug.example", "coordinator"),
                                   ("werkgever@example.org", "employer")):
                dossiers = {d["owner"]: d["role"] for d in me[delegate]["dossiers"]}
                assert dossiers.get(pupil) == role, (attempt, delegate, dossiers)
            # each owner's competence profile starts from their framework, once
            for email, code in (("leraar@example.org", "BKE-PE.1"),
                                ("leerling@example.org", "LLS-WH.1")):
                competences = _wallet_get(wallet, email, f"/api/dossiers/"
                                          f"{me[email]['owner']}/competences")
                codes = [c["code"] for c in competences]
                assert code in codes and len(codes) == len(set(codes)), (attempt, codes)
            registry = httpx.get(f"http://127.0.0.1:{ports['verifier']}/trust-registry",
                                 timeout=30).json()
            assert [i["name"] for i in registry["issuers"]] == [
                "OBS De Linde", "Pabo Midden", "VSO De Brug"]
        finally:
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=60) == 0
        assert not any(_answers(port) for port in ports.values())
