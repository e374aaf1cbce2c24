"""Bodies of the bulk issue API: a job's progress and its row results."""

from __future__ import annotations

from pydantic import Field

from issuer.api.schemas.base import ResponseBody


class StartedJob(ResponseBody):
    job: str
    total: int = Field(description="recipient rows in the CSV")


class JobProgress(ResponseBody):
    job: str
    achievement: str
    filename: str
    state: str
    total: int
    done: int
    issued: int
    skipped: int
    failed: int
    message: str | None
    created: str
    finished: str | None


class JobList(ResponseBody):
    items: list[JobProgress]


class RowResult(ResponseBody):
    row: int
    recipient: str
    outcome: str = Field(description="issued, already_issued or error")
    credential_id: str | None
    message: str | None


class RowPage(ResponseBody):
    job: str
    offset: int
    limit: int
    rows: list[RowResult]
