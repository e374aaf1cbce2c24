"""Internship reports over JSON: compose (owner), list, one, and the exports: standalone
HTML, PDF and the signed credential."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlmodel import Session

from servicekit.http_body import read_json_object
from wallet.api.deps import Context, DossierActor
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import InternshipReport, iso
from wallet.services import reports as service
from wallet.services.report_html import EXPORT_CSP, export_filename, language_of, report_html
from wallet.services.report_pdf import report_pdf
from wallet.web.i18n import translator

router = APIRouter(prefix="/api/dossiers/{owner_id}/reports", tags=["reports"])
MAX_BODY = 256 * 1024


def report_json(report: InternshipReport, *, full: bool = False) -> dict[str, Any]:
    credential = json.loads(report.credential_json) if report.credential_json else {}
    out: dict[str, Any] = {
        "id": report.id, "title": report.title, "organisation": report.organisation,
        "period": report.period, "summary": report.summary, "evidence": report.evidence_ids,
        "reflections": report.reflection_ids, "credentialId": credential.get("id"),
        "createdAt": iso(report.created_at),
    }
    if full:
        out["credential"] = credential
    return out


def download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Content-Security-Policy": EXPORT_CSP, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store"})


@router.post("", status_code=201)
async def create(request: Request, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """Body: {"title", "organisation", "period", "summary", "evidence": [ids],
    "reflections": [ids]}."""
    body = await read_json_object(request, MAX_BODY)
    with session_scope(ctx.engine) as session:
        report = service.create_report(
            ctx, session, actor, body.get("title"), body.get("organisation"),
            body.get("period"), body.get("summary"), body.get("evidence") or (),
            body.get("reflections") or ())
        return report_json(report, full=True)


@router.get("")
def list_reports(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [report_json(r) for r in service.reports_of(session, actor)]


@router.get("/{report_id}.html")
def as_html(report_id: str, actor: DossierActor, ctx: Context, lang: str = "nl") -> Response:
    with Session(ctx.engine) as session:
        contents = service.report_contents(ctx, session,
                                           service.get_report(session, actor, report_id))
    language = language_of(lang)
    return download(report_html(contents, language, translator(language)),
                    "text/html; charset=utf-8", export_filename(contents, "html"))


@router.get("/{report_id}.pdf")
def as_pdf(report_id: str, actor: DossierActor, ctx: Context, lang: str = "nl") -> Response:
    with Session(ctx.engine) as session:
        contents = service.report_contents(ctx, session,
                                           service.get_report(session, actor, report_id))
    store = evidence_store(ctx.settings.evidence_dir)
    return download(report_pdf(contents, store, translator(language_of(lang))), "application/pdf",
                    export_filename(contents, "pdf"))


@router.get("/{report_id}/credential")
def credential(report_id: str, actor: DossierActor, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        report = service.get_report(session, actor, report_id)
        return JSONResponse(json.loads(report.credential_json), headers={
            "Content-Disposition": f'attachment; filename="stageverslag-{report.id}.json"'})


@router.get("/{report_id}")
def one_report(report_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return report_json(service.get_report(session, actor, report_id), full=True)


@router.delete("/{report_id}", status_code=204)
def delete(report_id: str, actor: DossierActor, ctx: Context) -> Response:
    with session_scope(ctx.engine) as session:
        service.delete_report(session, actor, report_id)
    return Response(status_code=204)
