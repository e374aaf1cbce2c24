"""Pages: reflections (list, write, detail, the owner's approve/reject/delete) and internship
reports (list, compose, report page, downloads). The work is in wallet.services."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from servicekit.errors import NotFound
from wallet.api.deps import Context
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import Account, Evidence
from wallet.services import reflections as service
from wallet.services import reports
from wallet.services.access import Actor
from wallet.services.checking import check_credential
from wallet.services.competences import competences_of
from wallet.services.context import WalletError
from wallet.services.evidence import evidence_of
from wallet.services.report_html import EXPORT_CSP, export_filename, report_html
from wallet.services.report_pdf import report_pdf
from wallet.services.self_issued import author_name
from wallet.web.auth import CheckedForm, PageActor
from wallet.web.i18n import request_language
from wallet.web.render import error_status, render, see_other

router = APIRouter(include_in_schema=False)
# Messages shown after a redirect (?done=...), by key: nothing from the URL is echoed.
DONE = {"saved": "reflections.saved", "pending": "reflections.saved_pending",
        "approved": "reflections.approved", "rejected": "reflections.rejected",
        "deleted": "reflections.deleted", "report": "reflections.report_made"}


def _ids(form: Any, name: str) -> list[str]:
    return [value for value in form.getlist(name) if isinstance(value, str) and value]


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _approved_evidence(session: Session, actor: Actor) -> list[Evidence]:
    return evidence_of(session, actor, "approved") if actor.can("evidence:read") else []


def _list_page(request: Request, actor: Actor, ctx: Any, *, status: int = 200,
               error: str | None = None, values: dict[str, Any] | None = None,
               done: str | None = None) -> HTMLResponse:
    with Session(ctx.engine) as session:
        found = service.reflections_of(session, actor)
        authors = service.authors_of(session, found)
        can_write = actor.can("reflections:write")
        competences = competences_of(session, actor) if can_write else []
        evidence = _approved_evidence(session, actor) if can_write else []
    return render(request, "reflections_list.html", actor=actor, status=status, error=error,
                  values=values or {}, reflections=found, authors=authors,
                  competences=competences, evidence=evidence, can_write=can_write,
                  pending=sum(1 for r in found if r.status == "pending"),
                  done=DONE.get(done or ""), name_of=author_name)


@router.get("/d/{owner_id}/reflections", response_class=HTMLResponse)
def reflections_page(request: Request, actor: PageActor, ctx: Context,
                     done: str | None = None) -> HTMLResponse:
    return _list_page(request, actor, ctx, done=done)


@router.post("/d/{owner_id}/reflections", response_class=HTMLResponse)
def write(request: Request, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    values = {"text": _text(form, "text"), "competences": _ids(form, "competence"),
              "evidence": _ids(form, "evidence")}
    try:
        with session_scope(ctx.engine) as session:
            reflection = service.write_reflection(ctx, session, actor, values["text"],
                                                  values["competences"], values["evidence"])
            status = reflection.status
    except WalletError as error:
        return _list_page(request, actor, ctx, status=error_status(error), error=str(error),
                          values=values)
    done = "saved" if status == "approved" else "pending"
    return see_other(f"/d/{actor.owner_id}/reflections?done={done}")


@router.get("/d/{owner_id}/reflections/{reflection_id}", response_class=HTMLResponse)
def reflection_page(request: Request, reflection_id: str, actor: PageActor,
                    ctx: Context, done: str | None = None) -> HTMLResponse:
    with Session(ctx.engine) as session:
        reflection = service.get_reflection(session, actor, reflection_id)
        author = session.get(Account, reflection.author_id)
        competences = {c.id: c for c in competences_of(session, actor)}
        evidence = {e.id: e for e in _approved_evidence(session, actor)}
    credential = service.credential_of(reflection)
    return render(request, "reflections_detail.html", actor=actor, reflection=reflection,
                  author=author, author_label=author_name(author) if author else "?",
                  competences=[competences[i] for i in reflection.competence_ids
                               if i in competences],
                  evidence=[evidence[i] for i in reflection.evidence_ids if i in evidence],
                  report=check_credential(ctx, credential),
                  credential_text=json.dumps(credential, indent=2, ensure_ascii=False),
                  done=DONE.get(done or ""))


@router.post("/d/{owner_id}/reflections/{reflection_id}/{decision}")
def decide(reflection_id: str, decision: str, actor: PageActor, form: CheckedForm,
           ctx: Context) -> Response:
    actions = {"approve": service.approve_reflection, "reject": service.reject_reflection}
    with session_scope(ctx.engine) as session:
        if decision == "delete":
            service.delete_reflection(session, actor, reflection_id)
        elif decision in actions:
            actions[decision](ctx, session, actor, reflection_id)
        else:
            raise NotFound("no such action")
    done = {"approve": "approved", "reject": "rejected"}.get(decision, "deleted")
    return see_other(f"/d/{actor.owner_id}/reflections?done={done}")


# --- internship reports -----------------------------------------------------------------
def _reports_page(request: Request, actor: Actor, ctx: Any, *, status: int = 200,
                  error: str | None = None,
                  values: dict[str, Any] | None = None) -> HTMLResponse:
    with Session(ctx.engine) as session:
        found = reports.reports_of(session, actor)
        evidence = evidence_of(session, actor, "approved")
        approved = service.reflections_of(session, actor, "approved")
        authors = service.authors_of(session, approved)
    return render(request, "report_list.html", actor=actor, status=status, error=error,
                  values=values or {"evidence": [], "reflections": []}, reports=found,
                  evidence=evidence, reflections=approved, authors=authors,
                  name_of=author_name)


@router.get("/d/{owner_id}/reports", response_class=HTMLResponse)
def reports_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    return _reports_page(request, actor, ctx)


@router.post("/d/{owner_id}/reports", response_class=HTMLResponse)
def create_report(request: Request, actor: PageActor, form: CheckedForm,
                  ctx: Context) -> Response:
    values: dict[str, Any] = {name: _text(form, name)
                              for name in ("title", "organisation", "period", "summary")}
    values.update(evidence=_ids(form, "evidence"), reflections=_ids(form, "reflection"))
    try:
        with session_scope(ctx.engine) as session:
            report = reports.create_report(
                ctx, session, actor, values["title"], values["organisation"],
                values["period"], values["summary"], values["evidence"], values["reflections"])
            report_id = report.id
    except WalletError as error:
        return _reports_page(request, actor, ctx, status=error_status(error),
                             error=str(error), values=values)
    return see_other(f"/d/{actor.owner_id}/reports/{report_id}?done=report")


@router.get("/d/{owner_id}/reports/{report_id}.html")
def report_as_html(request: Request, report_id: str, actor: PageActor,
                   ctx: Context) -> Response:
    with Session(ctx.engine) as session:
        contents = reports.report_contents(ctx, session,
                                           reports.get_report(session, actor, report_id))
    return _download(report_html(contents, request_language(request)),
                     "text/html; charset=utf-8", export_filename(contents, "html"))


@router.get("/d/{owner_id}/reports/{report_id}.pdf")
def report_as_pdf(request: Request, report_id: str, actor: PageActor,
                  ctx: Context) -> Response:
    with Session(ctx.engine) as session:
        contents = reports.report_contents(ctx, session,
                                           reports.get_report(session, actor, report_id))
    return _download(report_pdf(contents, evidence_store(ctx.settings.evidence_dir),
                                request_language(request)),
                     "application/pdf", export_filename(contents, "pdf"))


@router.get("/d/{owner_id}/reports/{report_id}/credential")
def report_credential(report_id: str, actor: PageActor, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        report = reports.get_report(session, actor, report_id)
        return JSONResponse(json.loads(report.credential_json), headers={
            "Content-Disposition": f'attachment; filename="stageverslag-{report.id}.json"'})


@router.get("/d/{owner_id}/reports/{report_id}", response_class=HTMLResponse)
def report_page(request: Request, report_id: str, actor: PageActor, ctx: Context,
                done: str | None = None) -> HTMLResponse:
    with Session(ctx.engine) as session:
        report = reports.get_report(session, actor, report_id)
        contents = reports.report_contents(ctx, session, report, inline_images=False)
    return render(request, "report_detail.html", actor=actor, report=report, c=contents,
                  done=DONE.get(done or ""), name_of=author_name)


def _download(content: bytes | str, media_type: str, filename: str) -> Response:
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'inline; filename="{filename}"',
        "Content-Security-Policy": EXPORT_CSP, "Cache-Control": "no-store"})
