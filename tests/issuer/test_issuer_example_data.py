"""The example data of `./scripts/run`: seeded by the real CLI, idempotent, usable."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select

from issuer.config import IssuerSettings
from issuer.example_data import STAFF_EMAIL, STAFF_PASSWORD
from issuer.models import Achievement
from issuer.services.achievements import achievement_json
from issuer.services.context import IssuerContext
from issuer.services.organisations import authenticate_staff
from tests.issuer.conftest import opendossier_in_process


def test_seed_example_is_idempotent_and_endorsed(tmp_path: Path) -> None:
    registry_file = tmp_path / "registry.json"
    args = ["issuer", "seed-example", "--data-dir", str(tmp_path),
            "--trust-registry-out", str(registry_file)]
    first = json.loads(opendossier_in_process(*args).stdout)
    first_registry = registry_file.read_text()
    second = json.loads(opendossier_in_process(*args).stdout)
    assert first["created"] is True and first["api_token"].startswith("odi_")
    assert second == {**first, "created": False, "api_token": None, "organisations": [
        {**o, "apiToken": None} for o in first["organisations"]]}
    assert all(o["apiToken"].startswith("odi_") for o in first["organisations"])
    registry = json.loads(registry_file.read_text())
    assert registry_file.read_text() == first_registry
    assert [i["name"] for i in registry["issuers"]] == ["OBS De Linde", "Pabo Midden",
                                                         "VSO De Brug"]
    assert registry["issuers"][0]["id"] == first["did"]

    ctx = IssuerContext.open(IssuerSettings(data_dir=tmp_path))
    try:
        with Session(ctx.engine) as session:
            assert authenticate_staff(session, STAFF_EMAIL, STAFF_PASSWORD) is not None
            achievements = session.exec(select(Achievement)).all()
            by_name = {a.name: a for a in achievements}
            assert sorted(by_name) == ["Klassenmanagement in de praktijk", "Stage niveau 1"]
            document = achievement_json(ctx, session, by_name["Klassenmanagement in de praktijk"])
            internship = achievement_json(ctx, session, by_name["Stage niveau 1"])
    finally:
        ctx.close()
    assert [a["targetCode"] for a in document["alignment"]] == ["BKE-PE", "BKE-PE.1"]
    assert "Pabo Midden" in json.dumps(document["endorsement"])
    assert [a["targetCode"] for a in internship["alignment"]] == ["LLS-WH.1", "LLS-SV.1",
                                                                  "LLS-VV.1"]
    # the learning line, in levels, as a wallet imports it for the pupil's profile
    line = first["frameworks"]["Leerlijn stage"]
    assert [c["code"] for c in line][:4] == ["LLS-WH", "LLS-WH.1", "LLS-WH.2", "LLS-WH.3"]
    assert all(c["url"].startswith("http://127.0.0.1:8001/frameworks/") for c in line)
