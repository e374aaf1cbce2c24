"""Signing keys stay inside: encrypted at rest, never in a response or a log line; and what
the issuer signs verifies with an independent implementation (Digital Bazaar's)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from issuer.config import IssuerSettings
from issuer.models import IssuerProfile, SigningKey
from issuer.services.context import IssuerContext
from issuer.services.keys import signing_key_for
from servicekit.secret_box import SecretBox, SecretBoxError
from standards.multibase_codec import decode_multibase
from tests.databases import sqlite_file_bytes
from tests.inprocess import NETWORK
from tests.issuer.conftest import IssuerProcess, IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.js_harness import require_harness, run_node


def open_context(server: IssuerService) -> IssuerContext:
    return IssuerContext.open(IssuerSettings(data_dir=server.data_dir,
                                             database_url=server.database_url,
                                             public_url=server.base_url))


def secret_forms(ctx: IssuerContext, did: str) -> list[str]:
    """Every textual form the org's private key could leak in."""
    with Session(ctx.engine) as session:
        profile = session.exec(select(IssuerProfile).where(IssuerProfile.did == did)).one()
        row = session.exec(select(SigningKey).where(SigningKey.profile_id == profile.id)).one()
        pair = signing_key_for(ctx, row, did)
    multibase = pair.secret_key_multibase()
    raw = decode_multibase(multibase)[2:]
    return [
        multibase, multibase[1:], raw.hex(),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
        pair.private_jwk()["d"],
    ]


@pytest.fixture
def issuer_process(issuer_server: IssuerService) -> Iterator[IssuerProcess]:
    """A real `opendossier serve issuer` on the same storage: a process test, because the
    server's log is part of what must never show a key."""
    process = IssuerProcess(issuer_server.data_dir, issuer_server.database_url,
                            public_url=issuer_server.base_url).start()
    try:
        yield process
    finally:
        process.stop()


def test_private_keys_never_leave(issuer_server: IssuerService, issuer_process: IssuerProcess,
                                  org: dict[str, Any]) -> None:
    web_org = issuer_server.create_org("Web school", did="web")
    ctx = open_context(issuer_server)
    try:
        secrets = secret_forms(ctx, org["did"]) + secret_forms(ctx, web_org["did"])
    finally:
        ctx.close()
    # relative paths reach the process; the absolute URLs it builds name the in-process app
    # on the same storage
    api = NETWORK.client(issuer_process.base_url, org["api_token"])
    seen: list[str] = []
    issued = api.post("/credentials/issue", json={"credential": unsigned_credential_of(api)})
    seen.append(issued.text)
    vc = issued.json()["verifiableCredential"]
    seen.append(api.get(vc["credentialStatus"]["statusListCredential"]).text)
    web_path = web_org["did"].split(":", 3)[3].replace(":", "/")
    seen.append(api.get(f"/{web_path}/did.json").text)
    for path in ("/openapi.json", f"/{web_path}", "/.well-known/openid-credential-issuer"):
        seen.append(api.get(path).text)
    seen.append(issuer_process.log())
    api.close()
    for text in seen:
        for secret in secrets:
            assert secret not in text

    if issuer_server.database_url.startswith("sqlite"):
        stored = sqlite_file_bytes(issuer_server.database_url)
        for secret in secrets:
            assert secret.encode() not in stored
        raw = bytes.fromhex(secrets[2])
        assert raw not in stored


def test_stored_keys_need_the_configured_key(issuer_server: IssuerService,
                                             org: dict[str, Any]) -> None:
    ctx = open_context(issuer_server)
    try:
        with Session(ctx.engine) as session:
            profile = session.exec(
                select(IssuerProfile).where(IssuerProfile.did == org["did"])).one()
            row = session.exec(
                select(SigningKey).where(SigningKey.profile_id == profile.id)).one()
    finally:
        ctx.close()
    with pytest.raises(SecretBoxError, match="cannot be decrypted"):
        SecretBox(b"\x00" * 32).open(row.encrypted_secret, bound_to=row.id)
    with pytest.raises(SecretBoxError, match="cannot be decrypted"):
        ctx.secret_box.open(row.encrypted_secret, bound_to="another-row")


@pytest.mark.interop
def test_digital_bazaar_verifies_what_the_issuer_signs(issuer_server: IssuerService,
                                                       api: Any) -> None:
    require_harness()
    vc = api.post("/credentials/issue",
                  json={"credential": unsigned_credential_of(api)}).json()["verifiableCredential"]
    result = run_node("verify.mjs", {"credential": vc})
    assert result["verified"] is True, result
    tampered = json.loads(json.dumps(vc))
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert run_node("verify.mjs", {"credential": tampered})["verified"] is False
