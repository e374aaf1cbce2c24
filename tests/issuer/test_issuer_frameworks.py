"""Competence frameworks over real HTTP (SQLite and PostgreSQL): CSV and CASE import,
all-or-nothing refusals, idempotent re-import, the public competence description."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from issuer.services.frameworks import parse_csv
from servicekit.errors import ServiceError
from tests.issuer.conftest import IssuerService

DATA = Path(__file__).parent / "data"
SBL_CSV = DATA / "sbl-bekwaamheidseisen.csv"
CASE_PACKAGE = DATA / "bekwaamheidseisen-case.json"


def case_package() -> dict[str, Any]:
    return json.loads(CASE_PACKAGE.read_text(encoding="utf-8"))


def import_csv(api: httpx.Client, content: bytes | str, title: str) -> httpx.Response:
    return api.post("/api/frameworks/csv", params={"title": title}, content=content,
                    headers={"content-type": "text/csv; charset=utf-8"})


def framework_count(api: httpx.Client) -> int:
    response = api.get("/api/frameworks")
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


def by_code(framework: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {competence["code"]: competence for competence in framework["competences"]}


def test_csv_with_semicolons_and_bom(issuer_server: IssuerService, api: httpx.Client) -> None:
    data = SBL_CSV.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b";" in data.splitlines()[0]
    response = import_csv(api, data, "Bekwaamheidseisen (SBL)")
    assert response.status_code == 201, response.text
    framework = response.json()
    assert framework["title"] == "Bekwaamheidseisen (SBL)"
    assert framework["source"] == "csv"
    competences = by_code(framework)
    assert list(competences) == ["SBL", "VB", "VDB", "PB", "VDB.1", "PB.1"]
    assert competences["VDB"]["name"] == "Vakdidactisch bekwaam"
    assert competences["VDB.1"]["parentCode"] == "VDB"
    # a quoted field keeps its semicolon
    assert competences["SBL"]["description"].startswith("De eisen aan de bekwaamheid van "
                                                         "leraren; vastgelegd")
    # the listing and the detail agree
    listed = api.get("/api/frameworks").json()["items"]
    assert [(f["id"], f["competenceCount"]) for f in listed] == [(framework["id"], 6)]
    assert api.get(f"/api/frameworks/{framework['id']}").json() == framework


def test_csv_upload_as_multipart_file_with_commas(issuer_server: IssuerService,
                                                 api: httpx.Client) -> None:
    csv_text = ("Code,Name,Description,URI\n"
                "OP1,Observeren,Observeert leerlingen tijdens de les,"
                "https://competenties.example.nl/op1\n"
                "OP2,Reflecteren,Reflecteert op het eigen handelen,\n")
    response = api.post("/api/frameworks/csv", files={
        "file": ("Opleidingsprofiel lerarenopleiding.csv", csv_text.encode(), "text/csv")})
    assert response.status_code == 201, response.text
    framework = response.json()
    assert framework["title"] == "Opleidingsprofiel lerarenopleiding"
    competences = by_code(framework)
    assert competences["OP1"]["uri"] == "https://competenties.example.nl/op1"
    assert competences["OP1"]["targetUrl"] == "https://competenties.example.nl/op1"
    assert competences["OP2"]["uri"] is None
    assert competences["OP2"]["targetUrl"] == (
        f"{issuer_server.base_url}/frameworks/{framework['id']}/competences/"
        f"{competences['OP2']['id']}")


def test_excel_windows_1252_csv_is_read(issuer_server: IssuerService, api: httpx.Client) -> None:
    data = "code;naam\r\nVDB.2;Differentiëren in de les\r\n".encode("cp1252")
    response = import_csv(api, data, "Didactiek")
    assert response.status_code == 201, response.text
    assert response.json()["competences"][0]["name"] == "Differentiëren in de les"


@pytest.mark.parametrize(("csv_text", "message"), [
    ("code;name\nVB;Vakinhoudelijk bekwaam\n;Zonder code\n", "line 3"),
    ("code;name\nVB;Vakinhoudelijk bekwaam\n\nVB;Nog een keer\n", "line 4"),
    ("code;name;parent\nVB;Vakinhoudelijk bekwaam;ONBEKEND\n", "line 2"),
    ("code;naam;niveau\nVB;Vakinhoudelijk bekwaam;3\n", "line 1"),
    ("code;name;uri\nVB;Vakinhoudelijk bekwaam;niet een uri\n", "line 2"),
    ("naam\nVakinhoudelijk bekwaam\n", "line 1"),
    ("code;name\n", "no competences"),
])
def test_bad_csv_is_refused_naming_the_line_and_nothing_is_stored(
        issuer_server: IssuerService, api: httpx.Client, csv_text: str, message: str) -> None:
    response = import_csv(api, csv_text, "Bekwaamheidseisen")
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "unprocessable"
    assert message in response.json()["message"]
    assert framework_count(api) == 0


def test_bad_row_in_a_reimport_leaves_the_framework_as_it_was(issuer_server: IssuerService,
                                                              api: httpx.Client) -> None:
    first = import_csv(api, "code;name\nVB;Vakinhoudelijk bekwaam\n", "SBL").json()
    bad = "code;name\nVB;Vakinhoudelijk bekwaam (nieuw)\nPB;Pedagogisch bekwaam\nPB;dubbel\n"
    response = import_csv(api, bad, "SBL")
    assert response.status_code == 422
    assert "line 4" in response.json()["message"] and "'PB'" in response.json()["message"]
    after = api.get(f"/api/frameworks/{first['id']}").json()
    assert after == first  # neither the new name nor the first new row was written


def test_too_many_rows_and_too_large_input(issuer_server: IssuerService,
                                           api: httpx.Client) -> None:
    rows = "".join(f"C{n};Competentie {n}\n" for n in range(5001))
    response = import_csv(api, "code;name\n" + rows, "Groot")
    assert response.status_code == 422
    assert "line 5002" in response.json()["message"]
    huge = "code;name\n" + "X" * (5 * 1024 * 1024 + 10)
    assert import_csv(api, huge, "Te groot").status_code == 413
    assert framework_count(api) == 0


def test_csv_reimport_updates_by_code(issuer_server: IssuerService, api: httpx.Client) -> None:
    first = import_csv(api, SBL_CSV.read_bytes(), "SBL").json()
    again = import_csv(api, SBL_CSV.read_bytes(), "SBL").json()
    assert again == first  # same framework, same competence ids: idempotent
    changed = ("code;name;description\n"
               "VB;Vakinhoudelijk bekwaam (2017);Nieuwe omschrijving\n"
               "ICT;Digitaal bekwaam;Zet digitale middelen doelgericht in\n")
    updated = import_csv(api, changed, "SBL").json()
    assert updated["id"] == first["id"]
    old, new = by_code(first), by_code(updated)
    assert new["VB"]["id"] == old["VB"]["id"]
    assert new["VB"]["name"] == "Vakinhoudelijk bekwaam (2017)"
    assert new["VB"]["description"] == "Nieuwe omschrijving"
    assert "ICT" in new
    # competences missing from the new file stay: achievements may align to them
    assert new["PB"]["id"] == old["PB"]["id"]
    assert framework_count(api) == 1


def test_case_package_import_and_reimport(issuer_server: IssuerService,
                                          api: httpx.Client) -> None:
    package = case_package()
    response = api.post("/api/frameworks/case", json=package)
    assert response.status_code == 201, response.text
    framework = response.json()
    assert framework["source"] == "case"
    assert framework["title"] == "Bekwaamheidseisen leraren"
    assert framework["sourceIdentifier"] == package["CFDocument"]["identifier"]
    assert framework["uri"] == package["CFDocument"]["uri"]
    competences = by_code(framework)
    assert set(competences) == {"VB", "VDB", "PB", "VDB.2", "PB.2"}
    vdb = competences["VDB"]
    item = package["CFItems"][1]
    assert vdb["name"] == item["abbreviatedStatement"] == "Vakdidactisch bekwaam"
    assert vdb["description"] == item["fullStatement"]
    assert vdb["uri"] == vdb["targetUrl"] == item["uri"]
    assert vdb["parentCode"] is None  # child of the CFDocument itself
    assert competences["VDB.2"]["parentCode"] == "VDB"
    # no abbreviatedStatement: the full statement is the name
    assert competences["PB.2"]["name"] == package["CFItems"][4]["fullStatement"]

    package["CFItems"][1]["abbreviatedStatement"] = "Vakdidactisch bekwaam (herzien)"
    again = api.post("/api/frameworks/case", json=package)
    assert again.status_code == 201, again.text
    updated = again.json()
    assert updated["id"] == framework["id"]
    assert by_code(updated)["VDB"]["id"] == vdb["id"]
    assert by_code(updated)["VDB"]["name"] == "Vakdidactisch bekwaam (herzien)"
    assert len(updated["competences"]) == 5
    assert framework_count(api) == 1


def _without_document(package: dict[str, Any]) -> Any:
    del package["CFDocument"]
    return package


def _item_without_statement(package: dict[str, Any]) -> Any:
    del package["CFItems"][2]["fullStatement"]
    return package


def _duplicate_code(package: dict[str, Any]) -> Any:
    package["CFItems"][3]["humanCodingScheme"] = "VB"
    return package


def _bad_association(package: dict[str, Any]) -> Any:
    package["CFAssociations"][0]["originNodeURI"] = "c1a0e8d2"
    return package


@pytest.mark.parametrize(("damage", "message"), [
    (_without_document, "CFDocument"),
    (_item_without_statement, "CFItems[2] needs the field 'fullStatement'"),
    (_duplicate_code, "CFItems[3]: code 'VB' appears twice"),
    (_bad_association, "CFAssociations[0]"),
    (lambda package: {**package, "CFItems": []}, "no CFItems"),
    (lambda package: {**package, "CFItems": "VB"}, "no CFItems"),
])
def test_malformed_case_package_is_refused(issuer_server: IssuerService, api: httpx.Client,
                                           damage: Any, message: str) -> None:
    response = api.post("/api/frameworks/case", json=damage(copy.deepcopy(case_package())))
    assert response.status_code == 422, response.text
    assert message in response.json()["message"]
    assert framework_count(api) == 0
    not_json = api.post("/api/frameworks/case", content=b"{\"CFDocument\": ",
                        headers={"content-type": "application/json"})
    assert not_json.status_code == 400


def test_public_competence_description(issuer_server: IssuerService, api: httpx.Client) -> None:
    framework = import_csv(api, SBL_CSV.read_bytes(), "SBL").json()
    competence = by_code(framework)["PB.1"]
    with issuer_server.client() as anonymous:
        response = anonymous.get(competence["targetUrl"])
        assert response.status_code == 200, response.text
        document = response.json()
        assert document["id"] == competence["targetUrl"]
        assert document["code"] == "PB.1"
        assert document["name"] == "Klassenmanagement"
        assert document["parentCode"] == "PB"
        assert document["framework"]["title"] == "SBL"
        other = by_code(import_csv(api, "code;name\nX;Iets anders\n", "Ander").json())["X"]
        wrong_framework = f"/frameworks/{framework['id']}/competences/{other['id']}"
        assert anonymous.get(wrong_framework).status_code == 404
        assert anonymous.get(f"/frameworks/{framework['id']}/competences/nope").status_code \
            == 404


def test_frameworks_belong_to_their_organisation(issuer_server: IssuerService,
                                                 api: httpx.Client) -> None:
    framework = import_csv(api, SBL_CSV.read_bytes(), "SBL").json()
    other = issuer_server.create_org("Andere school")
    with issuer_server.client(other["api_token"]) as stranger:
        assert stranger.get(f"/api/frameworks/{framework['id']}").status_code == 404
        assert stranger.get("/api/frameworks").json()["items"] == []
        # the same title in another organisation is a framework of its own
        theirs = import_csv(stranger, SBL_CSV.read_bytes(), "SBL").json()
        assert theirs["id"] != framework["id"]
    assert api.get(f"/api/frameworks/{framework['id']}").json() == framework
    with issuer_server.client() as anonymous:
        assert anonymous.get("/api/frameworks").status_code == 401
        assert import_csv(anonymous, SBL_CSV.read_bytes(), "Inbraak").status_code == 401
        assert anonymous.post("/api/frameworks/case", json=case_package()).status_code == 401
    assert framework_count(api) == 1


def test_parse_csv_reports_the_starting_line_of_a_row() -> None:
    # a quoted field spanning two lines: the next row's problem is reported on line 4
    text = 'code,name,description\nA,Een,"twee\nregels"\n,Zonder code\n'
    with pytest.raises(ServiceError, match="line 4"):
        parse_csv(text)
    assert [item.code for item in parse_csv(text.replace("\n,Zonder code", "\nB,Bee"))] == \
        ["A", "B"]


def test_parse_csv_takes_excel_sep_line_and_tabs() -> None:
    excel = "sep=;\r\n\r\ncode;name;description\r\nVB;Vakinhoudelijk bekwaam;Kent het vak, goed\r\n"
    [item] = parse_csv(excel)
    assert (item.code, item.description) == ("VB", "Kent het vak, goed")
    assert [item.name for item in parse_csv("Code\tNaam\nPB\tPedagogisch bekwaam\n")] == \
        ["Pedagogisch bekwaam"]
