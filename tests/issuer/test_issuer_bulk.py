"""Bulk issue from a CSV: over real HTTP (SQLite and PostgreSQL) and `run_bulk_job` itself."""

from __future__ import annotations

import csv
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from issuer.config import IssuerSettings
from issuer.models import BulkRow, IssuedCredential, Organisation, StatusEntry
from issuer.services.achievements import AchievementInput, create_achievement
from issuer.services.bulk import create_bulk_job, job_rows, run_bulk_job
from issuer.services.bulk_csv import MAX_CSV_BYTES
from issuer.services.context import IssuerContext
from issuer.services.organisations import create_organisation
from servicekit.errors import Conflict
from standards.ob3 import validate_achievement_credential
from standards.verification import verify_credential
from tests.databases import BACKENDS, fresh_database
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService, opendossier

# A rubric: the result description bulk rows name their levels of.
LEVELS: list[dict[str, Any]] = [
          {"id": "urn:uuid:5a0f4b3e-0000-4000-8000-000000000001", "type": ["ResultDescription"],
           "name": "Beoordeling", "resultType": "RubricCriterionLevel",
           "rubricCriterionLevel": [
               {"id": "urn:uuid:5a0f4b3e-0000-4000-8000-000000000002",
                "type": ["RubricCriterionLevel"], "name": "Voldoende"},
               {"id": "urn:uuid:5a0f4b3e-0000-4000-8000-000000000003",
                "type": ["RubricCriterionLevel"], "name": "Goed"}]}]
HEADER = ["recipient", "name", "reference", "evidence_url", "evidence_name",
          "evidence_narrative", "result_value", "achieved_level", "valid_from", "valid_until"]
DID = "did:example:leerling-"


def recipients_csv(good: int, *, delimiter: str = ",", bom: bool = False,
                   bad: bool = True) -> bytes:
    """`good` valid rows (e-mail and DID recipients, some with evidence, level and dates)
    followed, when `bad`, by four bad ones: bad e-mail, unknown level, bad date, no recipient."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    for i in range(good):
        recipient = f"{DID}{i}" if i % 5 == 4 else f"Leerling.{i}@School.example"
        writer.writerow([recipient, f"Leerling {i}", "", f"https://school.example/e/{i}"
                         if i % 2 else "", "Stageverslag" if i % 2 else "",
                         "Drie lessen; goed verslag" if i % 3 == 0 else "",
                         "", "Goed" if i % 4 == 0 else "", "2025-09-01" if i % 7 == 0 else "",
                         "2099-08-31T00:00:00Z" if i % 7 == 0 else ""])
    if bad:
        writer.writerow(["jan@@school", "Jan", "", "", "", "", "", "", "", ""])
        writer.writerow(["piet@school.example", "Piet", "", "", "", "", "", "Uitstekend", "",
                         ""])
        writer.writerow(["kees@school.example", "Kees", "", "", "", "", "", "", "31-12-2025",
                         ""])
        writer.writerow(["", "Zonder adres", "", "", "", "", "", "", "", ""])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def new_achievement(api: httpx.Client, name: str = "Stage afgerond") -> str:
    response = api.post("/api/achievements", json={
        "name": name, "description": "Heeft de stage afgerond.",
        "criteriaNarrative": "Stageverslag en beoordeling.", "resultDescriptions": LEVELS})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def upload(api: httpx.Client, achievement_id: str, data: bytes, *,
           multipart: bool = True) -> httpx.Response:
    if multipart:
        return api.post(f"/api/achievements/{achievement_id}/bulk",
                        files={"file": ("leerlingen.csv", data, "text/csv")})
    return api.post(f"/api/achievements/{achievement_id}/bulk", content=data,
                    headers={"content-type": "text/csv"})


def wait_finished(api: httpx.Client, job_id: str) -> dict[str, Any]:
    seen_done = []
    deadline = time.monotonic() + 180  # a timeout for a hung job, not a speed check
    while time.monotonic() < deadline:
        job = api.get(f"/api/bulk/{job_id}").json()
        seen_done.append(job["done"])
        if job["state"] != "running":
            assert seen_done == sorted(seen_done)  # progress only goes forward
            return job
        time.sleep(0.2)
    raise AssertionError(f"bulk job {job_id} did not finish: {job}")


def rows_of(api: httpx.Client, job_id: str) -> dict[int, dict[str, Any]]:
    response = api.get(f"/api/bulk/{job_id}/rows")
    assert response.status_code == 200
    return {row["row"]: row for row in response.json()["rows"]}


def credential(api: httpx.Client, credential_id: str) -> dict[str, Any]:
    response = api.get(f"/api/credentials/{credential_id}")
    assert response.status_code == 200, response.text
    return response.json()["verifiableCredential"]


def test_bad_rows_get_errors_and_the_others_are_issued(issuer_server: IssuerService,
                                                       api: httpx.Client) -> None:
    achievement_id = new_achievement(api)
    response = upload(api, achievement_id, recipients_csv(20, delimiter=";", bom=True))
    assert response.status_code == 202, response.text
    assert response.json()["total"] == 24
    job = wait_finished(api, response.json()["job"])
    assert (job["state"], job["done"], job["issued"], job["skipped"], job["failed"]) == \
        ("finished", 24, 20, 0, 4)

    rows = rows_of(api, job["job"])
    assert sorted(rows) == list(range(2, 26))  # spreadsheet rows; the header is row 1
    errors = {number: row["message"] for number, row in rows.items() if row["outcome"] == "error"}
    assert sorted(errors) == [22, 23, 24, 25]
    assert "neither an e-mail address nor a DID" in errors[22]
    assert "'Uitstekend' is not a level" in errors[23] and "Goed" in errors[23]
    assert "'31-12-2025' is not a date" in errors[24]
    assert "recipient is empty" in errors[25]
    issued = [row for row in rows.values() if row["outcome"] == "issued"]
    assert rows[2]["recipient"] == "leerling.0@school.example"  # e-mail normalised

    documents = [credential(api, row["credentialId"]) for row in issued]
    indexes = {(vc["credentialStatus"]["statusListCredential"],
                vc["credentialStatus"]["statusListIndex"]) for vc in documents}
    assert len(indexes) == 20
    for vc in documents:
        unsigned = {name: value for name, value in vc.items() if name != "proof"}
        assert validate_achievement_credential(unsigned) == []
    first = documents[0]  # row 2: level "Goed", narrative evidence, dates
    assert first["credentialSubject"]["result"][0]["achievedLevel"] == LEVELS[0][
        "rubricCriterionLevel"][1]["id"]
    assert first["validFrom"] == "2025-09-01T00:00:00Z"
    assert first["validUntil"] == "2099-08-31T00:00:00Z"
    assert first["evidence"][0]["narrative"] == "Drie lessen; goed verslag"
    assert first["credentialSubject"]["identifier"][0]["identityType"] == "emailAddress"
    assert documents[4]["credentialSubject"]["id"] == f"{DID}4"
    fetcher = local_fetcher()
    for vc in documents[:3]:
        result = verify_credential(vc, fetcher=fetcher, check_status=True)
        assert result.verified, result.to_json()

    download = api.get(f"/api/bulk/{job['job']}/rows.csv")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "leerlingen-results.csv" in download.headers["content-disposition"]
    table = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(table) == 24
    assert table[0]["outcome"] == "issued" and table[0]["credential_id"] == issued[0][
        "credentialId"]
    assert table[20]["recipient"] == "jan@@school" and table[20]["outcome"] == "error"

    only_errors = api.get(f"/api/bulk/{job['job']}/rows", params={"outcome": "error"})
    assert [row["row"] for row in only_errors.json()["rows"]] == [22, 23, 24, 25]


def test_the_same_csv_again_issues_nothing_new(issuer_server: IssuerService,
                                               api: httpx.Client) -> None:
    achievement_id = new_achievement(api, "Tweede keer")
    data = recipients_csv(12, bad=False)
    first = wait_finished(api, upload(api, achievement_id, data).json()["job"])
    assert (first["issued"], first["skipped"]) == (12, 0)
    again = wait_finished(api, upload(api, achievement_id, data, multipart=False)
                          .json()["job"])
    assert (again["issued"], again["skipped"], again["failed"]) == (0, 12, 0)
    before, after = rows_of(api, first["job"]), rows_of(api, again["job"])
    assert {row["outcome"] for row in after.values()} == {"already_issued"}
    assert [row["credentialId"] for row in after.values()] == \
        [row["credentialId"] for row in before.values()]

    # Two runs at once of a CSV with new rows: each row is still issued exactly once.
    bigger = recipients_csv(24, bad=False)
    jobs = [upload(api, achievement_id, bigger).json()["job"] for _ in range(2)]
    results = [wait_finished(api, job) for job in jobs]
    assert sum(job["issued"] for job in results) == 12
    assert all(job["issued"] + job["skipped"] == 24 for job in results)
    listed = api.get("/api/credentials", params={"achievement": achievement_id}).json()
    assert listed["total"] == 24
    one, other = (rows_of(api, job) for job in jobs)
    assert all(one[n]["credentialId"] == other[n]["credentialId"] for n in one)


def test_a_bad_header_refuses_the_whole_file(issuer_server: IssuerService,
                                             api: httpx.Client) -> None:
    achievement_id = new_achievement(api, "Kopregel")
    refused = {
        b"email,name\nan@school.example,An\n": "no 'recipient' column",
        b"recipient,naam\nan@school.example,An\n": "unknown column(s) ['naam']",
        b"recipient,name,recipient\nan@school.example,An,x\n": "appears twice",
        b"recipient,name\n": "no recipient rows",
        b"": "empty",
        "recipient,name\nan@school.example,Ren\xe9\n".encode("latin-1"): "not UTF-8",
    }
    for data, message in refused.items():
        response = upload(api, achievement_id, data)
        assert response.status_code == 422, (data, response.text)
        assert message in response.json()["message"]
    assert api.get("/api/bulk", params={"achievement": achievement_id}).json()["items"] == []
    response = api.post(f"/api/achievements/{achievement_id}/bulk", content=b"{}",
                        headers={"content-type": "application/json"})
    assert response.status_code == 415


def test_an_oversize_upload_is_refused_and_nothing_stored(issuer_server: IssuerService,
                                                          api: httpx.Client) -> None:
    achievement_id = new_achievement(api, "Te groot")
    line = b"leerling@school.example,Een naam om de regel te vullen\n"
    data = b"recipient,name\n" + line * (MAX_CSV_BYTES // len(line) + 1)
    for multipart in (True, False):
        response = upload(api, achievement_id, data, multipart=multipart)
        assert response.status_code == 413, response.text
        assert "larger than 20 MB" in response.json()["message"]
    assert api.get("/api/bulk", params={"achievement": achievement_id}).json()["items"] == []
    assert api.get("/api/credentials",
                   params={"achievement": achievement_id}).json()["total"] == 0


def test_another_organisation_cannot_see_or_use_a_job(issuer_server: IssuerService,
                                                      api: httpx.Client) -> None:
    achievement_id = new_achievement(api, "Eigen job")
    job = wait_finished(api, upload(api, achievement_id, recipients_csv(3, bad=False))
                        .json()["job"])
    other = issuer_server.create_org("Andere school")
    with issuer_server.client(other["api_token"]) as stranger:
        for path in (f"/api/bulk/{job['job']}", f"/api/bulk/{job['job']}/rows",
                     f"/api/bulk/{job['job']}/rows.csv"):
            assert stranger.get(path).status_code == 404
        assert stranger.get("/api/bulk").json()["items"] == []
        assert upload(stranger, achievement_id, recipients_csv(3)).status_code == 404
    with issuer_server.client() as anonymous:
        assert anonymous.get(f"/api/bulk/{job['job']}").status_code == 401
        assert upload(anonymous, achievement_id, recipients_csv(3)).status_code == 401
    assert api.get("/api/bulk", params={"achievement": achievement_id}).json()["items"][0][
        "job"] == job["job"]


def test_the_command_line_issues_and_prints_a_summary(issuer_server: IssuerService,
                                                      api: httpx.Client, org: dict[str, Any],
                                                      tmp_path: Path) -> None:
    achievement_id = new_achievement(api, "Via de opdrachtregel")
    path = tmp_path / "leerlingen.csv"
    path.write_bytes(recipients_csv(6))
    command = ["issuer", "bulk-issue", org["org"], achievement_id, str(path), "--public-url",
               issuer_server.base_url, *issuer_server.storage_args()]
    result = opendossier(*command, check=False)
    assert result.returncode == 1, result.stderr  # some rows have errors
    summary = json.loads(result.stdout)
    assert (summary["state"], summary["issued"], summary["failed"]) == ("finished", 6, 4)
    assert "10/10 rows (100 %)" in result.stderr
    listed = api.get("/api/credentials", params={"achievement": achievement_id}).json()
    assert listed["total"] == 6  # the service sees what the command issued

    path.write_bytes(recipients_csv(6, bad=False))
    again = opendossier(*command)
    assert json.loads(again.stdout)["skipped"] == 6
    path.write_bytes(b"naam\nJan\n")
    refused = opendossier(*command, check=False)
    assert refused.returncode == 2 and "no 'recipient' column" in refused.stderr


# --- the service itself: the process pool, a crash half-way, two runs at once ---------------
Service = tuple[IssuerContext, Organisation, str]  # context, organisation, achievement id


@pytest.fixture(params=BACKENDS)
def service(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Service]:
    with fresh_database(request.param, tmp_path) as database_url:
        ctx = IssuerContext.open(IssuerSettings(data_dir=tmp_path / "data",
                                                database_url=database_url))
        with Session(ctx.engine, expire_on_commit=False) as session:
            created = create_organisation(ctx, session, "Praktijkschool")
            org = session.get(Organisation, created.org_id)
            assert org is not None
            achievement = create_achievement(ctx, session, org, AchievementInput(
                name="Veilig werken", description="Werkt veilig in de werkplaats.",
                criteria_narrative="Observatie door de praktijkbegeleider.",
                result_descriptions=LEVELS, valid_days=365))
            session.commit()
        try:
            yield ctx, org, achievement.id
        finally:
            ctx.close()


def issued_records(ctx: IssuerContext) -> list[IssuedCredential]:
    with Session(ctx.engine) as session:
        return list(session.exec(select(IssuedCredential)))


def test_run_bulk_job_signs_in_a_process_pool(service: Service) -> None:
    ctx, org, achievement_id = service
    data = recipients_csv(40)
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)
    seen: list[tuple[int, int]] = []
    job = run_bulk_job(ctx, org, job.id, data, lambda done, total: seen.append((done, total)),
                       workers=2)
    assert (job.state, job.issued, job.failed, job.done) == ("finished", 40, 4, 44)
    assert len(seen) > 1 and seen[-1] == (44, 44)
    records = issued_records(ctx)
    assert len(records) == 40 and {r.bulk_job_id for r in records} == {job.id}
    with Session(ctx.engine) as session:
        entries = session.exec(select(StatusEntry.status_list_id, StatusEntry.list_index)).all()
    assert len(set(entries)) == 40
    vc = json.loads(records[0].document)
    assert vc["validUntil"] > vc["validFrom"]  # the achievement's 365 days
    # No server here to publish the status list: the signature and the rest must hold.
    result = verify_credential(vc, fetcher=local_fetcher(),
                               check_status=False)
    assert result.verified, result.to_json()


def test_a_crash_half_way_leaves_a_consistent_job(service: Service) -> None:
    ctx, org, achievement_id = service
    data = recipients_csv(30, bad=False)
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)

    def crash(done: int, total: int) -> None:
        raise RuntimeError("the machine stops")

    job = run_bulk_job(ctx, org, job.id, data, crash, workers=0)
    assert job.state == "failed" and "running the same CSV again" in (job.message or "")
    assert 0 < job.done < 30  # the first chunk was recorded, whole
    with Session(ctx.engine) as session:
        recorded = job_rows(session, org, job.id)
    assert len(recorded) == job.done == job.issued == len(issued_records(ctx))
    with pytest.raises(Conflict):  # a job runs once; the CSV again makes a new job
        run_bulk_job(ctx, org, job.id, data, workers=0)

    again = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)
    again = run_bulk_job(ctx, org, again.id, data, workers=0)
    assert (again.state, again.skipped, again.issued) == ("finished", job.issued,
                                                          30 - job.issued)
    assert len(issued_records(ctx)) == 30


def test_two_runs_at_once_issue_each_row_once(service: Service) -> None:
    ctx, org, achievement_id = service
    data = recipients_csv(30, bad=False)
    jobs = [create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)
            for _ in range(2)]
    threads = [threading.Thread(target=run_bulk_job, args=(ctx, org, job.id, data),
                                kwargs={"workers": 0}) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(ctx.engine) as session:
        finished = [session.get(type(job), job.id) for job in jobs]
        outcomes = session.exec(select(BulkRow.row_number, BulkRow.credential_id)).all()
    assert all(job is not None and job.state == "finished" for job in finished)
    assert sum(job.issued for job in finished if job) == 30
    assert len(issued_records(ctx)) == 30
    by_row: dict[int, set[str | None]] = {}
    for number, credential_id in outcomes:
        by_row.setdefault(number, set()).add(credential_id)
    assert all(len(ids) == 1 for ids in by_row.values())  # both runs name the same credential


def test_a_recipient_twice_in_one_file_is_issued_once_per_reference(service: Service) -> None:
    ctx, org, achievement_id = service
    data = (b"recipient,reference\nan@school.example,\nAn@School.example,\n"
            b"an@school.example,herkansing\n")
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)
    job = run_bulk_job(ctx, org, job.id, data, workers=0)
    with Session(ctx.engine) as session:
        outcomes = [(row.outcome, row.credential_id) for row in job_rows(session, org, job.id)]
    assert [outcome for outcome, _ in outcomes] == ["issued", "already_issued", "issued"]
    assert outcomes[0][1] == outcomes[1][1] != outcomes[2][1]
    assert len(issued_records(ctx)) == 2
