"""servicekit.body_limit through a real FastAPI app in-process: small bodies are limited
before the route runs; uploads pass through to the route's own limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel
from starlette.testclient import TestClient

from servicekit.api_errors import install_error_handlers
from servicekit.body_limit import OWN_LIMIT, BodyLimitMiddleware

LIMIT = 1000


class Note(BaseModel):
    text: str
    extra: dict[str, Any] = {}


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware, max_bytes=LIMIT, route_limits={
        "/short-notes/{note_id}": LIMIT // 10, "/long-notes": LIMIT * 10, "/own": OWN_LIMIT})
    app.state.calls = 0

    @app.post("/notes")
    def add_note(note: Note) -> dict[str, int]:
        app.state.calls += 1
        return {"length": len(note.text)}

    @app.post("/upload")
    async def upload(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/short-notes/{note_id}")
    def add_short_note(note_id: str, note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @app.post("/long-notes")
    def add_long_note(note: Note) -> dict[str, int]:
        return {"length": len(note.text)}

    @app.post("/own")
    async def own(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    return TestClient(app)


def test_a_small_json_body_reaches_the_route(client: TestClient) -> None:
    answer = client.post("/notes", json={"text": "x" * 100})
    assert answer.status_code == 200
    assert answer.json() == {"length": 100}


@pytest.mark.parametrize("content_type", ["application/json", "application/ld+json", ""])
def test_an_over_long_json_body_is_refused_before_the_route(client: TestClient,
                                                           content_type: str) -> None:
    body = ('{"text": "' + "x" * LIMIT + '"}').encode()
    answer = client.post("/notes", content=body, headers={"content-type": content_type})
    assert answer.status_code == 413
    assert answer.json()["error"] == "too_large"
    assert client.app.state.calls == 0  # type: ignore[attr-defined]


def test_a_streamed_body_without_length_is_cut_off(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(20):
            yield b"x" * 100

    answer = client.post("/notes", content=chunks(), headers={"content-type": "application/json"})
    assert answer.status_code == 413


def test_uploads_are_left_to_their_route(client: TestClient) -> None:
    answer = client.post("/upload", content=b"x" * (LIMIT * 5),
                         headers={"content-type": "application/octet-stream"})
    assert answer.status_code == 200
    assert answer.json() == {"size": LIMIT * 5}


def test_a_body_that_does_not_fit_the_model_names_the_field(client: TestClient) -> None:
    answer = client.post("/notes", json={"text": 5})
    assert answer.status_code == 400
    assert "body.text" in answer.json()["message"]
    assert client.post("/notes", content=b"{", headers={"content-type": "application/json"}
                       ).status_code == 400


def test_a_route_may_have_a_smaller_or_larger_limit(client: TestClient) -> None:
    short = client.post("/short-notes/n1", json={"text": "x" * (LIMIT // 5)})
    assert short.status_code == 413
    assert short.json()["message"] == f"request body is larger than {LIMIT // 10} bytes"
    assert client.post("/short-notes/n1", json={"text": "x" * 10}).status_code == 200
    long = client.post("/long-notes", json={"text": "x" * (LIMIT * 5)})
    assert long.status_code == 200 and long.json() == {"length": LIMIT * 5}
    assert client.post("/long-notes", json={"text": "x" * (LIMIT * 11)}).status_code == 413


def test_a_route_that_reads_its_own_body_gets_it_whole(client: TestClient) -> None:
    answer = client.post("/own", json={"text": "x" * (LIMIT * 3)})
    assert answer.status_code == 200
    assert answer.json()["size"] > LIMIT * 3


def test_every_route_limit_names_an_api_route(tmp_path: Path) -> None:
    """A renamed route must not fall back to the app's limit unnoticed. (The verifier's three
    are pages and its OpenID4VP response; their own tests refuse in their own shape.)"""
    from issuer.api.app import BODY_LIMITS as ISSUER_LIMITS
    from issuer.api.app import create_app as create_issuer
    from issuer.config import IssuerSettings
    from wallet.api.app import BODY_LIMITS as WALLET_LIMITS
    from wallet.api.app import create_app as create_wallet
    from wallet.config import WalletSettings

    issuer = create_issuer(IssuerSettings(data_dir=tmp_path / "issuer"))
    wallet = create_wallet(WalletSettings(data_dir=tmp_path / "wallet"))
    for app, limits in ((issuer, ISSUER_LIMITS), (wallet, WALLET_LIMITS)):
        paths = app.openapi()["paths"]
        for path in limits:
            assert any(method in paths.get(path, {}) for method in ("post", "put", "patch")), path
